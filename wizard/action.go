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
	"strings"
	"time"

	"patchbay/connection"
)

// BodyType says how Action.Body (or Action.Form, or Action.Parts) is
// encoded.
type BodyType string

// Body types.
const (
	BodyNone BodyType = "none"
	BodyJSON BodyType = "json"
	BodyText BodyType = "text"
	BodyForm BodyType = "form" // application/x-www-form-urlencoded from Form
	// BodyMultipart is multipart/form-data from Parts, files streamed.
	BodyMultipart BodyType = "multipart"
)

// BodyTypes lists the body types in the order a form cycles through them.
var BodyTypes = []BodyType{BodyNone, BodyJSON, BodyText, BodyForm, BodyMultipart}

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
// {{name}} anywhere in URL, a query or header value, Body, a form value, or
// a part's value or file path is a variable filled in at replay. Actions
// saved before Options and Parts existed load with their zero values, which
// send as those actions always did.
type Action struct {
	ID           uint64               `json:"id"`
	Name         string               `json:"name"`
	ConnectionID uint64               `json:"connection_id"`
	Method       string               `json:"method"`
	URL          string               `json:"url"` // relative to the connection's base URL
	Query        []connection.KV      `json:"query,omitempty"`
	Headers      []connection.KV      `json:"headers,omitempty"`
	BodyType     BodyType             `json:"body_type"`
	Body         string               `json:"body,omitempty"`  // JSON or text
	Form         []connection.KV      `json:"form,omitempty"`  // form-urlencoded fields
	Parts        []Part               `json:"parts,omitempty"` // multipart/form-data parts
	Options      ActionOptions        `json:"options,omitzero"`
	Vars         []Variable           `json:"vars,omitempty"` // types, defaults, optional; see Variable
	Inputs       []Field              `json:"inputs,omitempty"`
	Outputs      []Field              `json:"outputs,omitempty"`
	Sample       *connection.Response `json:"sample,omitempty"`
	CreatedAt    time.Time            `json:"created_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
}

// varNameSyntax is what a variable's name is made of; varPattern and
// varName share it, so a name MakeVariable accepts is one the renderer finds.
const varNameSyntax = `[A-Za-z_][A-Za-z0-9_.-]*`

// varPattern matches {{name}}, with optional spaces or tabs inside the braces.
var varPattern = regexp.MustCompile(`\{\{[ \t]*(` + varNameSyntax + `)[ \t]*\}\}`)

// varName matches a variable's name alone.
var varName = regexp.MustCompile(`^` + varNameSyntax + `$`)

// VariableError is a replay that cannot be rendered: a variable without a
// value, a value for a variable the action does not have, a value not of
// its variable's type, or a value that cannot go where the variable is —
// not JSON where the JSON body needs a JSON value, a line break in a
// header, a path segment that is a step rather than a name. It is the
// caller's mistake (exit code 2 for `patchbay run`), not the network's. The
// message quotes no value but a "." or ".." segment and, cut short, one of
// the wrong type whose variable's name does not look like a credential.
type VariableError struct {
	Action string // the action's name
	Name   string // the variable (the first of Names)
	// Names, for a missing or an unknown variable, are all the variables
	// with that problem, in the action's order (unknown ones sorted).
	Names   []string
	Unknown bool // true: the action has no such variable
	// WrongType: the value is not of Type. Value is the value, cut to 40
	// bytes, or "" when the variable's name looks like a credential.
	WrongType bool
	Type      VarType
	Value     string
	NotJSON   bool // true: the value, outside quotes in a JSON body, is not JSON
	// Header, when set, is the header the value goes into; the value holds
	// a line break, a NUL or another control character, which a header
	// cannot carry.
	Header string
	// BadSegment: in the URL path the value made Segment, which is not a
	// name — "." or ".." (a step up or in place, which servers take even
	// escaped), or an empty first segment, which would turn the path into
	// "//host".
	BadSegment bool
	Segment    string
}

func (e *VariableError) Error() string {
	switch {
	case e.Unknown && len(e.Names) > 1:
		return fmt.Sprintf("action '%s' has no variables %s", e.Action, quoteNames(e.Names))
	case e.Unknown:
		return fmt.Sprintf("action '%s' has no variable '%s'", e.Action, e.Name)
	case e.WrongType:
		return e.wrongTypeMessage()
	case e.NotJSON:
		return fmt.Sprintf("variable '%s' is outside quotes in the JSON body, so its value must be JSON "+
			"(a number, true, false, null, an array or an object) — to send it as text, write \"{{%s}}\"", e.Name, e.Name)
	case e.Header != "":
		return fmt.Sprintf("variable '%s' goes into header %s, so its value cannot contain a line break or another control character", e.Name, e.Header)
	case e.BadSegment && e.Segment == "":
		return fmt.Sprintf("variable '%s' is empty at the start of the URL path, which would make the path start with // "+
			"and name a host — give it a value", e.Name)
	case e.BadSegment:
		return fmt.Sprintf("variable '%s' makes the URL path segment '%s', which servers take as a step in the path, "+
			"not as a name", e.Name, e.Segment)
	}
	if len(e.Names) > 1 {
		return fmt.Sprintf("variables %s have no value (use --var %s=VALUE)", quoteNames(e.Names), strings.Join(e.Names, "=VALUE --var "))
	}
	return fmt.Sprintf("variable '%s' has no value (use --var %s=VALUE)", e.Name, e.Name)
}

func (a Action) spec() spec {
	return spec{
		Method: a.Method, URL: a.URL, Query: a.Query, Headers: a.Headers,
		BodyType: a.BodyType, Body: a.Body, Form: a.Form, Parts: a.Parts,
		Options: a.Options.Options,
	}.normalised()
}

// Variables returns the names of the {{name}} variables the action uses, in
// order of first appearance.
func (a Action) Variables() []string {
	return variables(a.spec())
}

// variables lists the variables of the parts of s that are sent: the URL,
// query values, header values, then the body, the form values or the
// multipart values and file paths.
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
	for _, p := range s.Parts {
		scan(p.Value)
		scan(p.File)
	}
	return names
}

// Request renders the action into a connection.Request, filling variables
// from vars as Resolve completes and checks them: defaults fill variables
// not given, and a required variable with no value, a value for a variable
// the action does not use, or a value not of its variable's type is a
// *VariableError naming every variable at fault.
//
// Each value is put in once, encoded for where it lands, and never read
// for variables again: a value holding "{{other}}" sends those characters.
//
//   - URL: everything but letters, digits and "-._~" is percent-encoded,
//     "/" included, so a value is one path segment ("a/b" sends "a%2Fb") or
//     one query value or name ("&", "=", "#", "+" and space cannot add a
//     parameter or a fragment), and the URL keeps the shape it was written
//     with: a value adds neither "://" nor a leading "//", and
//     connection.ResolveURL (as Send) refuses any host but the base URL's.
//     A value that makes a path segment "." or "..", or leaves the first
//     segment empty so that the path would start with "//", is a
//     *VariableError.
//   - Query rows and form values are encoded when the request is built
//     (connection.EncodeQuery), so they are given raw here.
//   - Headers get the value as given; one with a line break, a NUL or
//     another control character (a tab is fine) is a *VariableError naming
//     the variable and the header.
//   - JSON body: see fillJSON — inside a string the value is escaped as
//     string content, outside it must be one JSON value.
//   - A text body gets the raw text, and a multipart value or file path the
//     raw value.
//
// The request carries the action's connection.Options. A multipart body is
// a Stream whose files were found readable; one that is not is a
// *FileError naming the part and the path, and nothing is sent.
func (a Action) Request(vars map[string]string) (connection.Request, error) {
	vals, err := a.Resolve(vars)
	if err != nil {
		return connection.Request{}, err
	}
	return a.render(vals)
}

// FitsConnection reports whether a's URL can be sent through c: a relative
// URL fits any connection, an absolute one only a connection to its host
// (connection.ResolveURL decides, as Send does). Variables count as plain
// words.
func (a Action) FitsConnection(c connection.Connection) bool {
	_, err := c.ResolveURL(maskURLVariables(a.URL), nil)
	return err == nil
}
