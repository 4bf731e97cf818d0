package wizard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// JSONError locates the first problem in a JSON document, 1-based.
type JSONError struct {
	Line, Column int
	Msg          string
}

func (e *JSONError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// ValidateJSON reports the first syntax error in s with its line and column,
// or nil when s is valid JSON. A blank s is valid: it means "no body".
// Columns count characters, not bytes. A document that ends too early is
// located just after its last non-blank character, where the missing text
// belongs.
func ValidateJSON(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var raw json.RawMessage
	err := json.Unmarshal([]byte(s), &raw)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return &JSONError{Line: 1, Column: 1, Msg: err.Error()}
	}
	// Offset counts the bytes read up to and including the bad one.
	at := int(se.Offset) - 1
	msg := se.Error()
	if int(se.Offset) >= len(s) && strings.HasPrefix(msg, "unexpected end") {
		at = len(strings.TrimRightFunc(s, unicode.IsSpace))
		msg = "unexpected end of input — is a closing bracket, brace or quote missing?"
	}
	at = max(0, min(at, len(s)))
	line := 1 + strings.Count(s[:at], "\n")
	col := 1 + utf8.RuneCountInString(s[strings.LastIndexByte(s[:at], '\n')+1:at])
	return &JSONError{Line: line, Column: col, Msg: msg}
}

// exampleRunes bounds the length of a Field's Example.
const exampleRunes = 40

// InferFields flattens a JSON document into its fields ("data tree"): one
// Field per leaf and per object/array, paths as described on Field, arrays
// described by their first element. Fields come in document order. A
// top-level array is the field "[]" and its elements' fields are "[].id".
// A body that is not JSON is an error.
func InferFields(body []byte) ([]Field, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("the body is empty, not JSON")
	}
	if err := ValidateJSON(string(body)); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	in := &inference{dec: dec, seen: map[string]bool{}}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		err = in.object("")
	case json.Delim('['):
		in.add("[]", "array", "")
		err = in.array("")
	}
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return in.fields, nil
}

// inference walks a document token by token: a map would lose the order of
// object keys.
type inference struct {
	dec    *json.Decoder
	fields []Field
	seen   map[string]bool
}

func (in *inference) add(path, typ, example string) {
	if in.seen[path] {
		return
	}
	in.seen[path] = true
	in.fields = append(in.fields, Field{Path: path, Type: typ, Example: example})
}

// object reads the members of an object whose '{' has been read, up to and
// including its '}'.
func (in *inference) object(prefix string) error {
	for in.dec.More() {
		tok, err := in.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		path := key
		if prefix != "" {
			path = prefix + "." + key
		}
		if err := in.value(path); err != nil {
			return err
		}
	}
	_, err := in.dec.Token()
	return err
}

// array reads the elements of an array whose '[' has been read, up to and
// including its ']'. Only the first element is described.
func (in *inference) array(path string) error {
	elem := path + "[]"
	for first := true; in.dec.More(); first = false {
		tok, err := in.dec.Token()
		if err != nil {
			return err
		}
		switch {
		case !first:
			err = in.skip(tok)
		case tok == json.Delim('{'):
			err = in.object(elem)
		case tok == json.Delim('['):
			in.add(elem, "array", "")
			err = in.array(elem)
		}
		if err != nil {
			return err
		}
	}
	_, err := in.dec.Token()
	return err
}

// value reads the value of the member at path and records it.
func (in *inference) value(path string) error {
	tok, err := in.dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			in.add(path, "object", "")
			return in.object(path)
		}
		in.add(path, "array", "")
		return in.array(path)
	case string:
		in.add(path, "string", example(v))
	case json.Number:
		in.add(path, "number", v.String())
	case bool:
		in.add(path, "boolean", fmt.Sprint(v))
	case nil:
		in.add(path, "null", "")
	}
	return nil
}

// skip consumes the rest of a value whose first token is tok.
func (in *inference) skip(tok json.Token) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := in.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// example shortens s to one line of at most exampleRunes characters.
func example(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= exampleRunes {
		return s
	}
	r := []rune(s)
	return string(r[:exampleRunes-1]) + "…"
}
