// Package wizard is the three-step flow that turns a connection into a saved
// action — (1) method and URL, (2) a sample request that is really sent,
// (3) a review — as plain Go: state, validation, transitions,
// recommendations, schema inference, and replay of saved actions. It imports
// neither Bubble Tea nor bbolt, so every rule here is testable without a
// terminal or a database.
package wizard

import (
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

// Variables returns the names of the {{name}} variables the action uses, in
// order of first appearance.
func (a Action) Variables() []string {
	panic("TODO")
}

// Request renders the action into a connection.Request, filling variables
// from vars. A variable with no value is an error naming it; so is a value
// given for a variable the action does not use.
func (a Action) Request(vars map[string]string) (connection.Request, error) {
	panic("TODO")
}
