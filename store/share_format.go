package store

// The export format: JSON written for diffs. Keys sorted, two-space indent,
// a trailing newline, records in name order, nothing that changes from one
// export to the next unless the record did. A document is
//
//	{
//	  "actions": [ {ACTION, "connection": "NAME"} ],
//	  "connections": [ {CONNECTION} ],
//	  "patchbay_export": 1
//	}
//
// where CONNECTION and ACTION are the records as the store keeps them
// (connection.Connection and wizard.Action as JSON) without id,
// connection_id, created_at and updated_at. A sample's body (and the body
// of its request as sent) that is UTF-8 text is written as "body_text"
// rather than base64 "body", so that a diff shows it. A folder export is a
// set of documents: patchbay.json with the connections, and actions/SLUG.json
// with one action each; every one of them can be imported alone.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"patchbay/connection"
)

// ExportFormat is the version of the export format this patchbay writes; it
// reads this one and no newer.
const ExportFormat = 1

// formatKey is the document's version field; its name also says what the
// file is.
const formatKey = "patchbay_export"

// EncodeExport is x as one document.
func EncodeExport(x Export) ([]byte, error) {
	return encodeDocument(x.Connections, x.Actions, true, true)
}

// encodeDocument writes a document with the lists asked for, even when
// empty.
func encodeDocument(conns []connection.Connection, acts []SharedAction, withConns, withActs bool) ([]byte, error) {
	doc := map[string]any{formatKey: ExportFormat}
	if withConns {
		list := make([]any, 0, len(conns))
		for _, c := range conns {
			m, err := connectionDoc(c)
			if err != nil {
				return nil, err
			}
			list = append(list, m)
		}
		doc["connections"] = list
	}
	if withActs {
		list := make([]any, 0, len(acts))
		for _, a := range acts {
			m, err := actionDoc(a)
			if err != nil {
				return nil, err
			}
			list = append(list, m)
		}
		doc["actions"] = list
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // & in URLs stays &
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil { // maps encode with sorted keys
		return nil, fmt.Errorf("encode the export: %w", err)
	}
	return b.Bytes(), nil
}

// asMap is v's JSON as a generic object, numbers kept as written.
func asMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func connectionDoc(c connection.Connection) (map[string]any, error) {
	m, err := asMap(c)
	if err != nil {
		return nil, fmt.Errorf("encode connection '%s': %w", c.Name, err)
	}
	delete(m, "id")
	return m, nil
}

func actionDoc(a SharedAction) (map[string]any, error) {
	m, err := asMap(a.Action)
	if err != nil {
		return nil, fmt.Errorf("encode action '%s': %w", a.Action.Name, err)
	}
	for _, k := range []string{"id", "connection_id", "created_at", "updated_at"} {
		delete(m, k)
	}
	m["connection"] = a.Connection
	if sample, ok := m["sample"].(map[string]any); ok {
		bodyAsText(sample)
		if req, ok := sample["request"].(map[string]any); ok {
			bodyAsText(req)
		}
	}
	return m, nil
}

// bodyAsText turns obj's base64 "body" into "body_text" when it is UTF-8.
func bodyAsText(obj map[string]any) {
	enc, ok := obj["body"].(string)
	if !ok {
		return
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || !utf8.Valid(b) {
		return
	}
	delete(obj, "body")
	obj["body_text"] = string(b)
}

// document is one file of an export as read.
type document struct {
	Format      *int              `json:"patchbay_export"`
	Connections []json.RawMessage `json:"connections"`
	Actions     []json.RawMessage `json:"actions"`
}

// DecodeExport reads one document; source names it in errors (a file's
// path, "standard input"). Every record is checked against the types it
// decodes into: a misspelt field is an error, not silently dropped.
func DecodeExport(r io.Reader, source string) (Export, error) {
	var x Export
	err := decodeInto(&x, r, source)
	return x, err
}

// decodeInto appends the records of the document read from r to x.
func decodeInto(x *Export, r io.Reader, source string) error {
	var doc document
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%s is not a patchbay export: %v", source, plainJSONError(err))
	}
	if dec.More() {
		return fmt.Errorf("%s is not a patchbay export: more than one JSON document", source)
	}
	switch {
	case doc.Format == nil:
		return fmt.Errorf("%s is not a patchbay export: it has no \"%s\" field", source, formatKey)
	case *doc.Format > ExportFormat:
		return fmt.Errorf("%s was written by a newer patchbay (export format %d); this one reads format %d", source, *doc.Format, ExportFormat)
	case *doc.Format < 1:
		return fmt.Errorf("%s: export format %d is not one patchbay wrote", source, *doc.Format)
	}
	for i, raw := range doc.Connections {
		var c connection.Connection
		if err := strictDecode(raw, &c); err != nil {
			return fmt.Errorf("%s: connection %d (%s): %v", source, i+1, nameIn(raw), err)
		}
		c.ID = 0
		x.Connections = append(x.Connections, c)
	}
	for i, raw := range doc.Actions {
		a, err := decodeAction(raw)
		if err != nil {
			return fmt.Errorf("%s: action %d (%s): %v", source, i+1, nameIn(raw), err)
		}
		x.Actions = append(x.Actions, a)
	}
	return nil
}

// decodeAction reads one action object: "connection" and the sample's
// body_text are the format's own; the rest is a wizard.Action.
func decodeAction(raw json.RawMessage) (SharedAction, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return SharedAction{}, plainJSONError(err)
	}
	var a SharedAction
	if err := json.Unmarshal(m["connection"], &a.Connection); err != nil || a.Connection == "" {
		return SharedAction{}, errors.New(`"connection" must name the action's connection`)
	}
	delete(m, "connection")
	if s, ok := m["sample"]; ok && string(s) != "null" {
		sample, err := bodyFromText(s)
		if err != nil {
			return SharedAction{}, fmt.Errorf("sample: %v", err)
		}
		m["sample"] = sample
	}
	rest, err := json.Marshal(m)
	if err != nil {
		return SharedAction{}, err
	}
	if err := strictDecode(rest, &a.Action); err != nil {
		return SharedAction{}, err
	}
	a.Action.ID, a.Action.ConnectionID = 0, 0
	a.Action.CreatedAt, a.Action.UpdatedAt = time.Time{}, time.Time{}
	return a, nil
}

// bodyFromText turns a sample's (and its request's) "body_text" back into
// base64 "body".
func bodyFromText(raw json.RawMessage) (json.RawMessage, error) {
	var sample map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sample); err != nil {
		return nil, plainJSONError(err)
	}
	if req, ok := sample["request"]; ok && string(req) != "null" {
		var reqObj map[string]json.RawMessage
		if err := json.Unmarshal(req, &reqObj); err != nil {
			return nil, fmt.Errorf("request: %v", plainJSONError(err))
		}
		if err := textToBody(reqObj); err != nil {
			return nil, fmt.Errorf("request: %v", err)
		}
		b, _ := json.Marshal(reqObj)
		sample["request"] = b
	}
	if err := textToBody(sample); err != nil {
		return nil, err
	}
	return json.Marshal(sample)
}

func textToBody(obj map[string]json.RawMessage) error {
	text, ok := obj["body_text"]
	if !ok {
		return nil
	}
	if _, both := obj["body"]; both {
		return errors.New(`give "body" or "body_text", not both`)
	}
	var s string
	if err := json.Unmarshal(text, &s); err != nil {
		return errors.New(`"body_text" must be a string`)
	}
	delete(obj, "body_text")
	b, _ := json.Marshal([]byte(s))
	obj["body"] = b
	return nil
}

// strictDecode decodes raw into v, refusing fields v does not have.
func strictDecode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return plainJSONError(err)
	}
	return nil
}

// nameIn is the record's name for messages, or "no name".
func nameIn(raw json.RawMessage) string {
	if name, err := storedName(raw); err == nil && name != "" {
		return "'" + name + "'"
	}
	return "no name"
}

// plainJSONError words encoding/json's errors for a person editing a file.
func plainJSONError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("not valid JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("field %s should be %s, not a JSON %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return errors.New("it is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("it ends in the middle of the JSON")
	}
	return err
}
