// Package wizard is the three-step flow that turns a connection into a saved
// action — (1) method and URL, (2) a sample request that is really sent,
// (3) a review — as plain Go: state, validation, transitions,
// recommendations, schema inference, and replay of saved actions. It imports
// neither Bubble Tea nor bbolt, so every rule here is testable without a
// terminal or a database.
package wizard

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"patchbay/connection"
)

// BodyType says how Action.Body (or Action.Form) is encoded.
type BodyType string

// Body types.
const (
	BodyNone BodyType = "none"
	BodyJSON BodyType = "json"
	BodyText BodyType = "text"
	BodyForm BodyType = "form" // application/x-www-form-urlencoded from Form
)

// BodyTypes lists the body types in the order a form cycles through them.
var BodyTypes = []BodyType{BodyNone, BodyJSON, BodyText, BodyForm}

// Methods lists the methods an action can use.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// Field is one named value in a request or a response: the "data tree".
// Path uses dots for objects and [] for array elements: "user.name",
// "items[].id". Source says where a request field lives (query, header,
// body, form); it is empty for response fields.
type Field struct {
	Path    string `json:"path"`
	Type    string `json:"type"` // string, number, boolean, object, array, null
	Example string `json:"example,omitempty"`
	Source  string `json:"source,omitempty"`
}

// Action is a saved request: what Apply produces and what replay sends.
// {{name}} anywhere in URL, a query or header value, Body or a form value is
// a variable filled in at replay.
type Action struct {
	ID           uint64               `json:"id"`
	Name         string               `json:"name"`
	ConnectionID uint64               `json:"connection_id"`
	Method       string               `json:"method"`
	URL          string               `json:"url"` // relative to the connection's base URL
	Query        []connection.KV      `json:"query,omitempty"`
	Headers      []connection.KV      `json:"headers,omitempty"`
	BodyType     BodyType             `json:"body_type"`
	Body         string               `json:"body,omitempty"` // JSON or text
	Form         []connection.KV      `json:"form,omitempty"` // form-urlencoded fields
	Inputs       []Field              `json:"inputs,omitempty"`
	Outputs      []Field              `json:"outputs,omitempty"`
	Sample       *connection.Response `json:"sample,omitempty"`
	CreatedAt    time.Time            `json:"created_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
}

// varPattern matches {{name}}, with optional spaces or tabs inside the braces.
var varPattern = regexp.MustCompile(`\{\{[ \t]*([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*\}\}`)

// VariableError is a replay that cannot be rendered: a variable without a
// value, or a value for a variable the action does not have. It is the
// caller's mistake (exit code 2 for `patchbay run`), not the network's.
type VariableError struct {
	Action  string // the action's name
	Name    string // the variable
	Unknown bool   // true: the action has no such variable; false: it has no value
}

func (e *VariableError) Error() string {
	if e.Unknown {
		return fmt.Sprintf("action '%s' has no variable '%s'", e.Action, e.Name)
	}
	return fmt.Sprintf("variable '%s' has no value (use --var %s=VALUE)", e.Name, e.Name)
}

func (a Action) spec() spec {
	return spec{
		Method: a.Method, URL: a.URL, Query: a.Query, Headers: a.Headers,
		BodyType: a.BodyType, Body: a.Body, Form: a.Form,
	}.normalised()
}

// Variables returns the names of the {{name}} variables the action uses, in
// order of first appearance.
func (a Action) Variables() []string {
	return variables(a.spec())
}

// variables lists the variables of the parts of s that are sent: the URL,
// query values, header values, then the body or the form values.
func variables(s spec) []string {
	var names []string
	seen := map[string]bool{}
	scan := func(text string) {
		for _, m := range varPattern.FindAllStringSubmatch(text, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				names = append(names, m[1])
			}
		}
	}
	scan(s.URL)
	for _, kv := range s.Query {
		scan(kv.Value)
	}
	for _, kv := range s.Headers {
		scan(kv.Value)
	}
	scan(s.Body)
	for _, kv := range s.Form {
		scan(kv.Value)
	}
	return names
}

// Request renders the action into a connection.Request, filling variables
// from vars. A variable with no value is an error naming it; so is a value
// given for a variable the action does not use. Both are *VariableError.
//
// Values are inserted as given, except in the URL, where everything but
// letters, digits, "-._~" and "/" is percent-encoded so that a value cannot
// change the URL's structure (a value may hold a path, "v2/users", but not a
// query). Query and form values are encoded when the request is built; JSON
// and text bodies get the raw text.
func (a Action) Request(vars map[string]string) (connection.Request, error) {
	s := a.spec()
	used := variables(s)
	unknown := make([]string, 0, len(vars))
	for name := range vars {
		if !slices.Contains(used, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return connection.Request{}, &VariableError{Action: a.Name, Name: unknown[0], Unknown: true}
	}
	for _, name := range used {
		if _, ok := vars[name]; !ok {
			return connection.Request{}, &VariableError{Action: a.Name, Name: name}
		}
	}
	if len(used) > 0 {
		fill := func(text string, escape func(string) string) string {
			return varPattern.ReplaceAllStringFunc(text, func(m string) string {
				v := vars[varPattern.FindStringSubmatch(m)[1]]
				if escape != nil {
					v = escape(v)
				}
				return v
			})
		}
		s.URL = fill(s.URL, escapeURLValue)
		s.Query = fillRows(s.Query, fill)
		s.Headers = fillRows(s.Headers, fill)
		s.Body = fill(s.Body, nil)
		s.Form = fillRows(s.Form, fill)
		for _, h := range s.Headers {
			if strings.ContainsAny(h.Value, "\r\n\x00") {
				return connection.Request{}, fmt.Errorf("header %s: a variable's value cannot contain line breaks", h.Key)
			}
		}
	}
	return s.request(), nil
}

func fillRows(kvs []connection.KV, fill func(string, func(string) string) string) []connection.KV {
	out := slices.Clone(kvs)
	for i := range out {
		out[i].Value = fill(out[i].Value, nil)
	}
	return out
}

// escapeURLValue percent-encodes every byte except unreserved characters
// (RFC 3986) and "/".
func escapeURLValue(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
