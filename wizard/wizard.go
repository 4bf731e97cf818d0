package wizard

import (
	"patchbay/connection"
)

// Step is one of the wizard's three steps.
type Step int

// The steps, in order.
const (
	StepMethod Step = iota + 1 // 1 Method & URL
	StepSample                 // 2 Sample request
	StepReview                 // 3 Review
)

func (s Step) String() string {
	switch s {
	case StepMethod:
		return "Method & URL"
	case StepSample:
		return "Sample request"
	case StepReview:
		return "Review"
	}
	return "?"
}

// Wizard holds everything typed so far. Fields are exported so a form can
// bind to them; moving between steps never clears any of them.
type Wizard struct {
	Conn connection.Connection

	// Step 1.
	Name   string
	Method string
	URL    string

	// Step 2.
	Query    []connection.KV
	Headers  []connection.KV
	BodyType BodyType
	Body     string
	Form     []connection.KV

	// NameTaken, when set, reports whether another action already has the
	// name (compared case-insensitively by the caller's store).
	NameTaken func(name string) bool

	step      Step
	editing   *Action              // the action being edited, nil for a new one
	sample    *connection.Response // the last sample response
	sampleOf  *connection.Request  // the request that produced sample
	sampleErr error
}

// New starts a wizard for a new action on conn, at step 1 with GET.
func New(conn connection.Connection) *Wizard {
	panic("TODO")
}

// Edit starts a wizard on an existing action, at step 1, with its values and sample.
func Edit(conn connection.Connection, a Action) *Wizard {
	panic("TODO")
}

// Step returns the current step.
func (w *Wizard) Step() Step { return w.step }

// Validate checks the current step. Field keys: name, method, url,
// query.N, header.N (N the 0-based row), body, sample.
func (w *Wizard) Validate() connection.FieldErrors {
	panic("TODO")
}

// Next validates the current step and, if it passes, moves to the next.
// Leaving step 2 needs a sample response for the current request.
func (w *Wizard) Next() connection.FieldErrors {
	panic("TODO")
}

// Back moves one step back; nothing typed is lost. At step 1 it does nothing.
func (w *Wizard) Back() {
	panic("TODO")
}

// FullURL previews the URL the request will go to: base URL joined with
// URL and the query parameters, as Send would build it.
func (w *Wizard) FullURL() string {
	panic("TODO")
}

// Request builds the request that Send will get for the current input.
func (w *Wizard) Request() (connection.Request, error) {
	panic("TODO")
}

// AttachSample records the outcome of sending Request(): the response, or the
// error when nothing came back.
func (w *Wizard) AttachSample(req connection.Request, resp *connection.Response, err error) {
	panic("TODO")
}

// Sample returns the last sample response and error, and whether the input has
// changed since it was sent (stale).
func (w *Wizard) Sample() (resp *connection.Response, err error, stale bool) {
	panic("TODO")
}

// Recommendation is a suggested change to the request, e.g. a missing
// Content-Type for a JSON body. Header is the header to add.
type Recommendation struct {
	Message string
	Header  connection.KV
}

// Recommendations lists suggestions for the current input.
func (w *Wizard) Recommendations() []Recommendation {
	panic("TODO")
}

// Accept applies a recommendation (adds its header).
func (w *Wizard) Accept(r Recommendation) {
	panic("TODO")
}

// Apply validates every step and returns the Action to save, with its
// sample, inputs and outputs. The caller sets the ID and timestamps on save.
func (w *Wizard) Apply() (Action, error) {
	panic("TODO")
}
