package wizard

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// jsonLeaf is one scalar of a JSON body (a string, number, boolean or
// null; objects and arrays are not leaves) and the bytes of its token.
type jsonLeaf struct {
	path       string // "user.id", "items[0].id"; "" for a body that is one scalar
	key        string // the nearest object key on the path: what the value is called
	start, end int    // the token in the body, a string's quotes included
	kind       byte   // 's' string, 'n' number, 'b' boolean, 'z' null
}

// jsonLeaves lists the leaves of a JSON body in order, with their exact
// offsets, so a value can be replaced without touching the user's
// formatting anywhere else. {{name}} counts as text: the body is decoded as
// maskJSONVariables masks it, which keeps every offset; a placeholder
// outside quotes is a null leaf spanning the whole placeholder. ok is false
// for a body that is not JSON even so.
func jsonLeaves(body string) (leaves []jsonLeaf, ok bool) {
	masked := maskJSONVariables(body)
	if !json.Valid([]byte(masked)) {
		return nil, false
	}
	type frame struct {
		path, key string
		array     bool
		n         int  // the next element's index, in an array
		wantKey   bool // in an object, the next token is a key
	}
	var stack []frame
	next := func() { // a value ended: move on in its container
		if len(stack) == 0 {
			return
		}
		if top := &stack[len(stack)-1]; top.array {
			top.n++
		} else {
			top.wantKey = true
		}
	}
	dec := json.NewDecoder(strings.NewReader(masked))
	dec.UseNumber()
	for {
		prev := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			return leaves, true
		}
		if err != nil {
			return nil, false
		}
		// Token skips the spaces and the , or : before a token; the
		// token starts after them and ends where the decoder stopped.
		start := len(masked) - len(strings.TrimLeft(masked[prev:], " \t\r\n,:"))
		end := int(dec.InputOffset())
		var path, key string
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if k, isKey := tok.(string); isKey && top.wantKey {
				top.key, top.wantKey = k, false
				continue
			}
			key = top.key
			if top.array {
				path = top.path + "[" + strconv.Itoa(top.n) + "]"
			} else {
				path = joinJSONPath(top.path, top.key)
			}
		}
		leaf := jsonLeaf{path: path, key: key, start: start, end: end}
		switch t := tok.(type) {
		case json.Delim:
			if t == '}' || t == ']' {
				stack = stack[:len(stack)-1]
				next()
			} else {
				stack = append(stack, frame{path: path, key: key, array: t == '[', wantKey: t == '{'})
			}
			continue
		case string:
			leaf.kind = 's'
		case json.Number:
			leaf.kind = 'n'
		case bool:
			leaf.kind = 'b'
		case nil:
			leaf.kind = 'z'
			if strings.HasPrefix(body[start:], "{{") {
				// A masked placeholder: its bytes are the placeholder's,
				// which end at the first "}}" (a name holds no brace).
				leaf.end = start + strings.Index(body[start:], "}}") + 2
			}
		}
		leaves = append(leaves, leaf)
		next()
	}
}

// joinJSONPath appends an object key to a path: "user" + "id" is
// "user.id". A key that would be ambiguous there (empty, or holding a dot,
// a bracket, a quote or a space) is written quoted: user["a.b"].
func joinJSONPath(path, key string) string {
	if key == "" || strings.ContainsAny(key, ".[]\" \t\r\n") {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}
