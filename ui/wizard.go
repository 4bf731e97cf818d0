package ui

import (
	"context"
	"reflect"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/wizard"
)

// wizardPane is where the focus is on step 2.
type wizardPane int

const (
	paneRequest wizardPane = iota
	paneResponse
)

// wizardScreen walks the three steps of wizard.Wizard. The forms are views
// of the wizard's fields: pull copies them into the wizard before any rule
// runs, push copies them back after the wizard changes them.
type wizardScreen struct {
	env     *env
	w       *wizard.Wizard
	editing bool

	step1  *form
	step2  *form
	resp   *responsePane
	review viewport.Model
	pane   wizardPane
	// vars is step 3's variable editor while it is open.
	vars *varEditor
	// oapi is the connection's OpenAPI document (wizard_openapi.go).
	oapi wizardSpec
	// varNames are the variables the step-2 Variables rows stand for, in
	// order: their names are fixed, their values are the sample values.
	varNames []string
	// curl is what the last curl import in step 1 said (wizard_curl.go).
	curl *curlImported

	seq     int
	cancel  context.CancelFunc
	saving  bool
	confirm bool
	stepErr string
	start   input
	width   int
	height  int
}

// newWizardScreen starts the wizard on conn, for a new action or to edit a.
// taken maps the lower-cased names of existing actions to their IDs; the
// store still has the last word when the action is saved.
func newWizardScreen(e *env, conn connection.Connection, a *wizard.Action, taken map[string]uint64) *wizardScreen {
	var w *wizard.Wizard
	if a != nil {
		w = wizard.Edit(conn, *a)
	} else {
		w = wizard.New(conn)
	}
	var selfID uint64
	if a != nil {
		selfID = a.ID
	}
	w.NameTaken = func(name string) bool {
		id, ok := taken[strings.ToLower(strings.TrimSpace(name))]
		return ok && id != selfID
	}
	s := &wizardScreen{env: e, w: w, editing: a != nil, review: viewport.New(0, 0)}

	name := textField("name", "Action name", "e.g. Get current user")
	method := choiceField("method", "Method", wizard.Methods, nil)
	method.hint = "←/→ or the first letter."
	url := textField("url", "URL", "/path?query — relative to the base URL")
	s.step1 = newForm(&e.styles, &e.keys, name, method, url)

	query := kvField("query", "Query params", "name", false)
	headers := kvField("header", "Headers", "Header-Name", false)
	bodyTypes := make([]string, len(wizard.BodyTypes))
	for i, b := range wizard.BodyTypes {
		bodyTypes[i] = string(b)
	}
	bodyType := choiceField("body_type", "Body", bodyTypes, []string{"none", "JSON", "text", "form", "multipart"})
	body := areaField("body", "")
	body.show = func() bool {
		return bodyType.value() == string(wizard.BodyJSON) || bodyType.value() == string(wizard.BodyText)
	}
	body.hint = "Paste JSON from the API docs; ctrl+s checks it before sending."
	formRows := kvField("form", "Form fields", "name", false)
	formRows.show = func() bool { return bodyType.value() == string(wizard.BodyForm) }
	parts := kvField("part", "Parts", "name", false)
	parts.show = func() bool { return bodyType.value() == string(wizard.BodyMultipart) }
	parts.hint = "A value, or @path for a file (@path;type=image/png;filename=a.png); files are streamed."
	vars := kvField("vars", "Variables", "name", false)
	vars.fixedNames = true
	vars.show = func() bool { return len(s.varNames) > 0 }
	vars.hint = "The values the sample is sent with; every run asks for its own."
	fields := []*field{query, headers, bodyType, body, formRows, parts, vars}
	fields = append(fields, optionFields(&w.Conn)...)
	s.step2 = newForm(&e.styles, &e.keys, fields...)
	s.step2.labelW = 20

	s.resp = newResponsePane(e, "Nothing sent yet. Press ctrl+s to send the sample request; the response appears here.")
	s.resp.conn = &w.Conn
	s.push()
	s.start = s.input()
	if a != nil {
		// Editing reopens at the sample, where most edits are made; a saved
		// action that no longer passes step 1 (its connection's base URL
		// changed) stays there, showing why.
		if errs := w.Next(); len(errs) > 0 {
			s.step1.setErrors(errs)
		}
	}
	return s
}

// Init formats a stored sample too big to format at once (responsePane.takeFormat).
func (s *wizardScreen) Init() tea.Cmd { return tea.Batch(s.resp.takeFormat(), s.loadSpec()) }

func (s *wizardScreen) Title() string {
	if s.editing {
		return "Edit action"
	}
	return "New action on '" + s.w.Conn.Name + "'" + tlsBadge(s.w.Conn)
}

func (s *wizardScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.step1.SetWidth(min(w-4, 110))
	l := splitPanes(w, h-3)
	s.step2.SetWidth(l.leftW - 4)
	s.resp.SetSize(l.rightW, l.rightH)
	s.review.Width = w - 4
	s.review.Height = max(h-3, 1)
	if s.vars != nil {
		s.vars.width, s.vars.height = w, h-3
	}
	s.refreshReview()
}

func (s *wizardScreen) Capturing() bool {
	if s.confirm || s.oapi.picker != nil {
		return true
	}
	if s.vars != nil && s.w.Step() == wizard.StepReview {
		return s.vars.capturing()
	}
	switch s.w.Step() {
	case wizard.StepMethod:
		return s.step1.capturing()
	case wizard.StepSample:
		return s.pane == paneRequest && s.step2.capturing() || s.resp.prompting()
	}
	return false
}

func (s *wizardScreen) Keys() []key.Binding {
	k := s.env.keys
	if s.confirm {
		return []key.Binding{withHelp(k.Yes, "y", "discard"), withHelp(k.No, "n", "keep editing")}
	}
	if s.oapi.picker != nil {
		return s.oapi.picker.keys(k)
	}
	switch s.w.Step() {
	case wizard.StepMethod:
		if s.oapi.spec != nil {
			return []key.Binding{k.NextStep, k.NextField, k.OpenAPI, withHelp(k.Back, "esc", "leave wizard")}
		}
		return []key.Binding{k.NextStep, k.NextField, withHelp(k.Back, "esc", "leave wizard")}
	case wizard.StepSample:
		keys := []key.Binding{k.Send, k.NextStep, k.PrevStep, withHelp(k.NextField, "tab", "next field/pane")}
		if len(s.w.Recommendations()) > 0 {
			keys = append(keys, k.Accept)
		}
		if s.cancel != nil {
			return append(keys, k.Cancel)
		}
		if s.pane == paneResponse {
			keys = append(keys, s.resp.keys()...)
		}
		return keys
	}
	if s.vars != nil {
		return s.vars.keys()
	}
	return []key.Binding{k.Apply, k.Variables, k.PrevStep, withHelp(k.Up, "↑/↓", "scroll")}
}

func (s *wizardScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case sampleSentMsg:
		return s, tea.Batch(s.handleSample(msg), s.resp.takeFormat())
	case actionSavedMsg:
		return s, s.handleSaved(msg)
	case tea.MouseMsg:
		s.mouse(msg)
		return s, nil
	case specLoadedMsg, specCheckedMsg:
		return s, s.handleSpecMsg(msg)
	case tea.KeyMsg:
		cmd := s.handleKey(msg)
		s.pull()
		return s, tea.Batch(cmd, s.checkSpec())
	}
	cmd := s.resp.Update(msg)
	return s, cmd
}

func (s *wizardScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.env.keys
	if s.confirm {
		switch {
		case key.Matches(msg, k.Yes):
			s.cancelSend()
			return pop("")
		case key.Matches(msg, k.No):
			s.confirm = false
		}
		return nil
	}
	if used, cmd := s.specKey(msg); used {
		return cmd
	}
	if s.w.Step() == wizard.StepSample && s.resp.wantsKey(msg) {
		return s.resp.Update(msg)
	}
	if s.vars != nil && s.w.Step() == wizard.StepReview {
		done, cmd := s.vars.update(msg)
		if done {
			s.vars = nil
		}
		// The variable's placeholder is now in the wizard's fields.
		s.push()
		s.refreshReview()
		return cmd
	}
	if s.w.Step() == wizard.StepMethod {
		if cmd, used := s.curlKey(msg); used {
			return cmd
		}
	}
	if s.cancel != nil && key.Matches(msg, k.Cancel) {
		s.cancelSend()
		s.resp.stop()
		return func() tea.Msg { return statusMsg{text: "Request canceled."} }
	}
	switch {
	case key.Matches(msg, k.NextStep) && s.w.Step() != wizard.StepReview:
		return s.next()
	case key.Matches(msg, k.PrevStep):
		s.back()
		return nil
	case key.Matches(msg, k.Back):
		if s.w.Step() == wizard.StepMethod {
			return s.leave()
		}
		s.back()
		return nil
	}
	switch s.w.Step() {
	case wizard.StepMethod:
		_, cmd := s.step1.Update(msg)
		return cmd
	case wizard.StepSample:
		return s.sampleKey(msg)
	}
	switch {
	case key.Matches(msg, k.Apply):
		return s.apply()
	case key.Matches(msg, k.Variables):
		s.vars = newVarEditor(s.env, s.w)
		s.vars.width, s.vars.height = s.width, s.height-3
		return nil
	}
	scroll(&s.review, msg, &s.env.keys)
	return nil
}

func (s *wizardScreen) sampleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.env.keys
	switch {
	case key.Matches(msg, k.Send):
		return s.send()
	case key.Matches(msg, k.Accept):
		s.pull()
		for _, r := range s.w.Recommendations() {
			if r.Header.Key != "" {
				s.w.Accept(r)
			}
		}
		s.step2.setRows(s.step2.field("header"), s.w.Headers)
		return nil
	}
	if s.pane == paneResponse {
		switch {
		case key.Matches(msg, k.NextField):
			s.focusPane(paneRequest)
			s.step2.focusFirst()
		case key.Matches(msg, k.PrevField):
			s.focusPane(paneRequest)
			s.step2.focusLast()
		default:
			return s.resp.Update(msg)
		}
		return nil
	}
	used, cmd := s.step2.Update(msg)
	if !used && key.Matches(msg, k.NextField, k.PrevField) {
		s.focusPane(paneResponse)
	}
	return cmd
}

func (s *wizardScreen) focusPane(p wizardPane) {
	s.pane = p
	s.resp.focused = p == paneResponse
	if p == paneResponse {
		s.step2.blur()
	} else {
		s.step2.syncFocus()
	}
}

// next validates the step and moves on, or shows the errors by their fields.
func (s *wizardScreen) next() tea.Cmd {
	s.pull()
	var errs connection.FieldErrors
	if s.w.Step() == wizard.StepSample {
		_, errs = readOptions(s.step2)
	}
	if len(errs) == 0 {
		errs = s.w.Next()
	}
	s.stepErr = ""
	if len(errs) > 0 {
		s.formFor(s.w.Step()).setErrors(errs)
		if msg := errs.For("sample"); msg != "" {
			s.stepErr = msg
		} else {
			s.formFor(s.w.Step()).focusKey(errs[0].Field)
		}
		return errStatus("%s", errs[0].Msg)
	}
	s.step1.setErrors(nil)
	s.step2.setErrors(nil)
	s.refreshReview()
	s.review.GotoTop()
	return clearStatus
}

func (s *wizardScreen) back() {
	s.pull()
	s.stepErr = ""
	s.w.Back()
}

func (s *wizardScreen) formFor(step wizard.Step) *form {
	if step == wizard.StepMethod {
		return s.step1
	}
	return s.step2
}

// input is everything typed into the wizard, for telling whether leaving
// would lose something.
type input struct {
	Name, Method, URL string
	Query, Headers    []connection.KV
	BodyType          wizard.BodyType
	Body              string
	Form              []connection.KV
	Parts             []wizard.Part
	Options           wizard.ActionOptions
}

func (s *wizardScreen) input() input {
	s.pull()
	w := s.w
	return input{w.Name, w.Method, w.URL, w.Query, w.Headers, w.BodyType, w.Body, w.Form, w.Parts, w.Options}
}

func (s *wizardScreen) dirty() bool { return !reflect.DeepEqual(s.input(), s.start) }

func (s *wizardScreen) leave() tea.Cmd {
	if s.dirty() {
		s.confirm = true
		return nil
	}
	s.cancelSend()
	return pop("")
}
