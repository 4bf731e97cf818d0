package wizard

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

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
	Parts    []Part // the multipart body's parts
	// Options of the action: how it is sent and how its response is shown.
	Options ActionOptions
	// Vars describe the action's variables (types, defaults, optional);
	// the action keeps those of the variables it still uses.
	Vars []Variable

	// NameTaken, when set, reports whether another action already has the
	// name (compared case-insensitively by the caller's store).
	NameTaken func(name string) bool

	step      Step
	editing   *Action              // the action being edited, nil for a new one
	sample    *connection.Response // the last sample response
	sampleOf  *connection.Request  // the request that produced sample
	sampleErr error
	// sampleSaved: sample is the edited action's own, as it was stored.
	sampleSaved bool
	// saved is the input the edited action was loaded with, when its
	// request could not be rendered for want of sample values.
	saved *savedInput
}

// New starts a wizard for a new action on conn, at step 1 with GET.
func New(conn connection.Connection) *Wizard {
	return &Wizard{Conn: conn, Method: "GET", BodyType: BodyNone, step: StepMethod}
}

// Edit starts a wizard on an existing action, at step 1, with its values,
// its variables with their sample values, and its sample. The sample counts
// as the response to the action's request as it stands, so it is not stale
// until something changes — even when some variable has no sample value to
// render the request with (a secret one, whose sample is never saved, or
// an action saved before samples existed): until the input changes, the
// saved sample stands and nothing needs sending. Apply keeps a's ID and
// CreatedAt, and a's own name does not count as taken.
func Edit(conn connection.Connection, a Action) *Wizard {
	w := &Wizard{
		Conn:     conn,
		Name:     a.Name,
		Method:   a.Method,
		URL:      a.URL,
		Query:    slices.Clone(a.Query),
		Headers:  slices.Clone(a.Headers),
		BodyType: a.BodyType,
		Body:     a.Body,
		Form:     slices.Clone(a.Form),
		Parts:    slices.Clone(a.Parts),
		Options:  cloneActionOptions(a.Options),
		Vars:     cloneVars(a.Vars),
		step:     StepMethod,
	}
	if w.BodyType == "" {
		w.BodyType = BodyNone
	}
	edited := a
	w.editing = &edited
	if a.Sample != nil {
		resp := *a.Sample
		w.sample = &resp
		w.sampleSaved = true
		if req, err := w.Request(); err == nil {
			w.sampleOf = &req
		} else if _, missing := w.sampleValues(); len(missing) > 0 {
			w.saved = w.input()
		}
	}
	return w
}

// Step returns the current step.
func (w *Wizard) Step() Step { return w.step }

// Validate checks the current step. Field keys: name, method, url,
// query.N, header.N, form.N, part.N (N the 0-based row), body, the keys of
// ActionOptions.Validate, vars.N (N the variable's index in VariableList:
// its sample value), sample. Step 3 re-checks steps 1 and 2 and needs
// a sample that is not stale.
func (w *Wizard) Validate() connection.FieldErrors {
	switch w.step {
	case StepMethod:
		return w.validateStep1()
	case StepSample:
		return w.validateStep2()
	}
	return w.validateAll()
}

func (w *Wizard) validateAll() connection.FieldErrors {
	errs := append(w.validateStep1(), w.validateStep2()...)
	if len(errs) > 0 {
		return errs
	}
	return w.sampleErrors()
}

// Next validates the current step and, if it passes, moves to the next.
// Leaving step 2 needs a sample response for the current request. Leaving
// step 1 writes the method in upper case.
func (w *Wizard) Next() connection.FieldErrors {
	errs := w.Validate()
	if w.step == StepSample && len(errs) == 0 {
		errs = w.sampleErrors()
	}
	if len(errs) > 0 {
		return errs
	}
	switch w.step {
	case StepMethod:
		w.Method = strings.ToUpper(strings.TrimSpace(w.Method))
		w.step = StepSample
	case StepSample:
		w.step = StepReview
	}
	return nil
}

// Back moves one step back; nothing typed is lost. At step 1 it does nothing.
func (w *Wizard) Back() {
	if w.step > StepMethod {
		w.step--
	}
}

func (w *Wizard) spec() spec {
	return spec{
		Method: w.Method, URL: w.URL, Query: w.Query, Headers: w.Headers,
		BodyType: w.BodyType, Body: w.Body, Form: w.Form, Parts: w.Parts,
		Options: w.Options.Options,
	}.normalised()
}

// FullURL previews the URL the sample request will go to: base URL joined
// with URL and the query parameters, the variables filled with their sample
// values, as Send would build it (it is connection.Connection.ResolveURL).
// While a variable has no sample value the template itself is shown
// (braces escaped, as a server would get them). A URL that cannot be
// resolved is shown as typed; Validate says what is wrong with it.
func (w *Wizard) FullURL() string {
	s := w.spec()
	// A secret variable's sample value is not shown: a marker that
	// survives escaping goes in its place, and its {{name}} after.
	var markers []string
	if vals, missing := w.sampleValues(); len(missing) == 0 && len(vals) > 0 {
		secret := w.secretVariables() // FullURL is drawn every frame: one reading
		for name := range vals {
			if secret[name] {
				vals[name] = fmt.Sprintf("pbsecret%dx", len(markers))
				markers = append(markers, name)
			}
		}
		if filled, err := s.fill(w.Name, vals); err == nil {
			s = filled
		}
	}
	u, err := w.Conn.ResolveURL(s.URL, s.Query)
	if err != nil {
		u = s.URL
	}
	for i, name := range markers {
		u = strings.ReplaceAll(u, fmt.Sprintf("pbsecret%dx", i), "{{"+name+"}}")
	}
	return u
}

// Request builds the sample request that Send will get for the current
// input, with the options: the fields are templates, rendered as a replay
// renders an action (the same code, spec.render) with each variable's
// sample value — its Sample, else its Default, else "" when it is optional.
// When the method, URL, rows, parts, body, options or sample values are
// invalid, or a variable has no sample value, the error is the
// connection.FieldErrors that say so (vars.N for a variable; the name is
// not checked: it is not part of the request); a part's file that became
// unreadable since is a *FileError.
func (w *Wizard) Request() (connection.Request, error) {
	errs := append(w.requestLineErrors(), w.step2Errors(true)...)
	if len(errs) > 0 {
		return connection.Request{}, errs
	}
	vals, _ := w.sampleValues()
	return w.spec().render(w.Name, vals)
}

// AttachSample records the outcome of sending Request(): the response, or the
// error when nothing came back.
func (w *Wizard) AttachSample(req connection.Request, resp *connection.Response, err error) {
	sent := cloneRequest(req)
	w.sampleOf = &sent
	w.sample = nil
	w.sampleSaved = false
	w.saved = nil
	if resp != nil {
		r := *resp
		w.sample = &r
	}
	w.sampleErr = err
	if resp == nil && err == nil {
		w.sampleErr = errors.New("no response")
	}
}

// Sample returns the last sample response and error, and whether the input has
// changed since it was sent (stale): the request Request renders now, sample
// values included, differs from the one sent.
func (w *Wizard) Sample() (resp *connection.Response, err error, stale bool) {
	if w.sample == nil && w.sampleErr == nil {
		return nil, nil, false
	}
	if w.sampleOf == nil && w.savedSampleFits() {
		return w.sample, w.sampleErr, false
	}
	if w.sampleOf == nil {
		return w.sample, w.sampleErr, true
	}
	now, rerr := w.Request()
	return w.sample, w.sampleErr, rerr != nil || !sameRequest(now, *w.sampleOf)
}

// Apply validates every step and returns the Action to save, with its
// sample (the body cut to StoredBodyLimit), inputs and outputs (inferred from
// the whole body). The caller sets the ID and timestamps on save;
// an edited action keeps its ID and CreatedAt. The error, if any, is
// connection.FieldErrors.
func (w *Wizard) Apply() (Action, error) {
	if errs := w.validateAll(); len(errs) > 0 {
		return Action{}, errs
	}
	return w.build(), nil
}

// build makes the Action of the current input; callers validate first.
func (w *Wizard) build() Action {
	s := w.spec()
	a := Action{
		Name:         strings.TrimSpace(w.Name),
		ConnectionID: w.Conn.ID,
		Method:       s.Method,
		URL:          s.URL,
		Query:        s.Query,
		Headers:      s.Headers,
		BodyType:     s.BodyType,
		Body:         s.Body,
		Form:         s.Form,
		Parts:        s.Parts,
		Options:      cloneActionOptions(w.Options),
		Vars:         w.savedVars(usedVars(cloneVars(w.Vars), variables(s))),
		Inputs:       inputs(s),
	}
	if w.sample != nil {
		// What the server echoed of the connection's secrets (httpbin's
		// /anything shows the Authorization it got) is not kept, neither in
		// the sample nor in the examples of its outputs.
		own := w.secretSamples()
		if w.sampleOf != nil {
			own = append(own, requestSecrets(*w.sampleOf)...)
		}
		sample := w.Conn.RedactEchoes(*w.sample, own...)
		if w.sampleOf != nil {
			sample = sentBody(*w.sampleOf, sample)
		}
		// Outputs come from the whole body; the sample kept is cut.
		a.Outputs = outputs(sample)
		if a.Outputs == nil && w.sampleSaved && w.sample.Truncated {
			// The action's own sample was cut when it was saved; its
			// outputs were inferred from the whole body then.
			a.Outputs = slices.Clone(w.editing.Outputs)
		}
		resp := storedResponse(sample)
		a.Sample = &resp
	}
	if w.editing != nil {
		a.ID = w.editing.ID
		a.CreatedAt = w.editing.CreatedAt
	}
	return a
}

// urlQuery returns the parameters written into a URL's query string, in
// order: they are inputs as much as the query rows are.
func urlQuery(rawURL string) []connection.KV {
	_, q, ok := strings.Cut(rawURL, "?")
	if !ok {
		return nil
	}
	q, _, _ = strings.Cut(q, "#")
	return SplitQuery(q)
}

// SplitQuery reads a query string (or a form-urlencoded body) as rows, in
// order, each name and value unescaped when it can be (else kept as
// written); url.ParseQuery would lose the order and drop what it cannot
// unescape.
func SplitQuery(raw string) []connection.KV {
	var kvs []connection.KV
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		kvs = append(kvs, connection.KV{Key: k, Value: v})
	}
	return kvs
}

// inputs lists the request's fields: query parameters, headers (values of
// credentials left out), JSON body fields, form fields and multipart parts
// (a file's type is "file").
func inputs(s spec) []Field {
	var fs []Field
	seen := map[string]bool{}
	add := func(f Field) {
		if k := f.Source + "\x00" + f.Path; !seen[k] {
			seen[k] = true
			fs = append(fs, f)
		}
	}
	row := func(kv connection.KV, source string) {
		f := Field{Path: kv.Key, Type: "string", Example: kv.Value, Source: source}
		if IsSecret(kv.Key) {
			f.Example = ""
		}
		add(f)
	}
	for _, kv := range append(urlQuery(s.URL), s.Query...) {
		row(kv, "query")
	}
	for _, kv := range s.Headers {
		row(kv, "header")
	}
	if s.BodyType == BodyJSON && s.Body != "" {
		body, _ := InferFields([]byte(maskJSONVariables(s.Body)))
		for _, f := range body {
			f.Source = "body"
			add(f)
		}
	}
	for _, kv := range s.Form {
		row(kv, "form")
	}
	for _, p := range s.Parts {
		if p.File != "" {
			add(Field{Path: p.Name, Type: "file", Example: p.sentFileName(), Source: "form"})
			continue
		}
		row(connection.KV{Key: p.Name, Value: p.Value}, "form")
	}
	return fs
}

// outputs is the data tree of a JSON response, nil for anything else.
func outputs(resp connection.Response) []Field {
	fs, err := InferFields(resp.Body)
	if err != nil {
		return nil
	}
	return fs
}
