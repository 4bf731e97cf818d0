package ui

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
	"patchbay/wizard/openapi"
)

// The wizard's use of the OpenAPI document attached to its connection
// (`patchbay connection openapi`): in step 1 a fuzzy list of its operations
// whose pick fills the request (openapi.Prefill), and in step 3 the sample
// response checked against the operation it matches. The document is read
// and parsed in a command when the wizard opens; checks run in commands too.

// wizardSpec is the wizard's state of the document.
type wizardSpec struct {
	started bool
	spec    *openapi.Spec // nil: none attached, not loaded yet, or unreadable
	source  string
	err     string // why the attached document cannot be used
	picker  *opsPicker
	// picked is the recommendation applied last, so that picking another
	// operation replaces what it filled in and the user did not change.
	picked *openapi.Recommendation
	named  string // the action name the last pick gave
	// check is the result for the sample response checked (of).
	of        *connection.Response
	check     []openapi.Mismatch
	op        string // the operation checked against, "" for none matched
	unchecked string // why the body was not checked, when it was not
}

// specLoadedMsg carries the connection's document, parsed.
type specLoadedMsg struct {
	to     *wizardScreen
	spec   *openapi.Spec
	source string
	err    error
}

// specCheckedMsg carries the check of one sample response.
type specCheckedMsg struct {
	to        *wizardScreen
	of        *connection.Response
	op        string
	check     []openapi.Mismatch
	unchecked string
}

// loadSpec reads and parses the connection's document, once per wizard.
func (s *wizardScreen) loadSpec() tea.Cmd {
	if s.oapi.started || s.env.st == nil {
		return nil
	}
	s.oapi.started = true
	st, id := s.env.st, s.w.Conn.ID
	return func() tea.Msg {
		doc, err := st.OpenAPI(id)
		if errors.Is(err, store.ErrNotFound) {
			return specLoadedMsg{to: s}
		}
		if err != nil {
			return specLoadedMsg{to: s, source: "the attached document", err: err}
		}
		spec, err := openapi.Load(doc.Data)
		return specLoadedMsg{to: s, spec: spec, source: doc.Source, err: err}
	}
}

// handleSpecMsg takes this screen's document and check results.
func (s *wizardScreen) handleSpecMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case specLoadedMsg:
		if msg.to != s {
			return nil
		}
		s.oapi.spec, s.oapi.source = msg.spec, msg.source
		if msg.err != nil {
			s.oapi.err = msg.err.Error()
		}
		return s.checkSpec()
	case specCheckedMsg:
		resp, _, _ := s.w.Sample()
		if msg.to != s || msg.of != resp {
			return nil
		}
		s.oapi.of, s.oapi.op, s.oapi.check, s.oapi.unchecked = msg.of, msg.op, msg.check, msg.unchecked
		s.refreshReview()
	}
	return nil
}

// checkSpec checks the sample response in a command, once per response,
// when step 3 shows it.
func (s *wizardScreen) checkSpec() tea.Cmd {
	resp, err, _ := s.w.Sample()
	spec := s.oapi.spec
	if s.w.Step() != wizard.StepReview || spec == nil || resp == nil || err != nil || resp == s.oapi.of {
		return nil
	}
	method, url, conn, secrets := s.w.Method, s.w.URL, s.w.Conn, s.w.Secrets()
	return func() tea.Msg {
		msg := specCheckedMsg{to: s, of: resp}
		op, ok := spec.Match(method, url)
		if !ok {
			return msg
		}
		msg.op = op.String()
		if resp.Truncated {
			msg.unchecked = fmt.Sprintf("the body was cut at %s, so only the status was checked", formatSize(int64(len(resp.Body))))
			msg.check = op.Check(resp.Status, "", nil)
			msg.check = slices.DeleteFunc(msg.check, func(m openapi.Mismatch) bool { return m.Path != "status" })
			return msg
		}
		// Mismatches quote values: what the server echoed of the
		// credentials is masked first, as the response pane masks it.
		shown := conn.RedactEchoes(*resp, secrets...)
		ct, _ := connection.HeaderValue(shown.Headers, "Content-Type")
		msg.check = op.Check(shown.Status, ct, shown.Body)
		return msg
	}
}

// specKey handles the keys of the operations list and the key that opens
// it; used is false for a key it leaves to the wizard.
func (s *wizardScreen) specKey(msg tea.KeyMsg) (used bool, cmd tea.Cmd) {
	k := s.env.keys
	if p := s.oapi.picker; p != nil {
		switch {
		case key.Matches(msg, k.Back):
			s.oapi.picker = nil
		case key.Matches(msg, k.Enter):
			if op, ok := p.selected(); ok {
				s.oapi.picker = nil
				return true, s.pickOperation(op)
			}
		default:
			p.update(msg, k)
		}
		return true, nil
	}
	if s.w.Step() != wizard.StepMethod || !key.Matches(msg, k.OpenAPI) {
		return false, nil
	}
	switch {
	case s.oapi.spec != nil:
		s.oapi.picker = newOpsPicker(s.oapi.spec)
		return true, nil
	case s.oapi.err != "":
		return true, errStatus("The OpenAPI document of '%s' cannot be used: %s", s.w.Conn.Name, connection.CleanText(s.oapi.err))
	}
	return true, errStatus("Connection '%s' has no OpenAPI document — attach one with `patchbay connection openapi %s FILE`",
		s.w.Conn.Name, s.w.Conn.Name)
}

// pickOperation fills steps 1 and 2 from the operation.
func (s *wizardScreen) pickOperation(op openapi.Operation) tea.Cmd {
	s.pull()
	rec := op.Recommend()
	openapi.Prefill(s.w, rec, s.oapi.picked)
	s.oapi.picked = &rec
	// An empty name, or the one the previous pick gave, becomes this
	// operation's summary.
	if name := strings.TrimSpace(s.w.Name); name == "" || name == s.oapi.named {
		s.w.Name = oneLine(connection.CleanText(cmp.Or(strings.TrimSpace(op.Summary), op.OperationID)))
		s.oapi.named = s.w.Name
	}
	s.push()
	s.step1.setErrors(nil)
	text := "Filled in from " + connection.CleanText(op.String()) + ": step 2 holds its sample request"
	if len(rec.Notes) > 0 {
		text += " — " + connection.CleanText(strings.Join(rec.Notes, "; "))
	}
	return func() tea.Msg { return statusMsg{text: text} }
}

// oneLine folds a document's text (a summary may span lines) onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// specHint is step 1's line about the document, "" without one.
func (s *wizardScreen) specHint() string {
	st := s.env.styles
	switch {
	case s.oapi.spec != nil:
		return st.Faint.Render(truncate(fmt.Sprintf("OpenAPI: %s — ctrl+o picks one of its %d operations and fills in the request",
			connection.CleanText(s.oapi.source), len(s.oapi.spec.Operations())), s.width-4))
	case s.oapi.err != "":
		return st.Warning.Render(truncate("OpenAPI: "+connection.CleanText(s.oapi.source+" cannot be used: "+s.oapi.err), s.width-4))
	}
	return ""
}

// specReview is step 3's account of the check, "" when there is nothing
// to check against.
func (s *wizardScreen) specReview(width int) string {
	st := s.env.styles
	resp, err, _ := s.w.Sample()
	if s.oapi.spec == nil || resp == nil || err != nil {
		return ""
	}
	title := st.SectionTitle.Render("OpenAPI") + "  "
	switch {
	case s.oapi.of != resp:
		return title + st.Faint.Render("checking the sample response against the spec…") + "\n\n"
	case s.oapi.op == "":
		return title + st.Faint.Render(connection.CleanText(fmt.Sprintf("no operation of %s is %s %s: nothing to check against",
			s.oapi.source, strings.ToUpper(s.w.Method), s.w.URL))) + "\n\n"
	}
	of := st.Faint.Render(connection.CleanText(" (" + s.oapi.op + " in " + s.oapi.source + ")"))
	var b strings.Builder
	switch n := len(s.oapi.check); {
	case n == 0:
		b.WriteString(title + st.Success.Render("✓ the sample response matches the spec") + of + "\n")
	case n == 1:
		b.WriteString(title + st.Error.Render("✗ 1 difference from the spec") + of + "\n")
	default:
		b.WriteString(title + st.Error.Render(fmt.Sprintf("✗ %d differences from the spec", n)) + of + "\n")
	}
	for _, m := range s.oapi.check {
		// Paths and problems quote what the server sent.
		b.WriteString("  " + truncate(connection.CleanText(m.String()), width-4) + "\n")
	}
	if s.oapi.unchecked != "" {
		b.WriteString("  " + st.Faint.Render(s.oapi.unchecked) + "\n")
	}
	return b.String() + "\n"
}

// opsPicker is the fuzzy list of the document's operations.
type opsPicker struct {
	filter textinput.Model
	all    []openapi.Operation
	shown  []openapi.Operation
	cursor int
}

func newOpsPicker(spec *openapi.Spec) *opsPicker {
	p := &opsPicker{filter: newTextInput("type to filter: words of the path or summary", false)}
	for _, op := range spec.Operations() {
		// The wizard sends the methods it offers; TRACE is not one.
		if slices.Contains(wizard.Methods, op.Method) {
			p.all = append(p.all, op)
		}
	}
	p.shown = p.all
	p.filter.Focus()
	return p
}

func (p *opsPicker) selected() (openapi.Operation, bool) {
	if p.cursor < len(p.shown) {
		return p.shown[p.cursor], true
	}
	return openapi.Operation{}, false
}

func (p *opsPicker) update(msg tea.KeyMsg, k KeyMap) {
	switch {
	case key.Matches(msg, k.ArrowUp):
		p.cursor = max(p.cursor-1, 0)
		return
	case key.Matches(msg, k.ArrowDown):
		p.cursor = min(p.cursor+1, max(len(p.shown)-1, 0))
		return
	}
	before := p.filter.Value()
	p.filter, _ = p.filter.Update(msg)
	if p.filter.Value() != before {
		p.shown = openapi.Find(p.all, p.filter.Value())
		p.cursor = 0
	}
}

func (p *opsPicker) keys(k KeyMap) []key.Binding {
	return []key.Binding{withHelp(k.ArrowUp, "↑/↓", "move"), withHelp(k.Enter, "enter", "fill in the request"),
		withHelp(k.Back, "esc", "close")}
}

func (p *opsPicker) view(st *Styles, source string, width, height int) string {
	head := " " + st.SectionTitle.Render("Operations") + st.Faint.Render(connection.CleanText(fmt.Sprintf("  %s · %d of %d", source, len(p.shown), len(p.all)))) +
		"\n\n " + st.Label.Render("Filter ") + p.filter.View() + "\n\n"
	if len(p.shown) == 0 {
		return head + " " + st.Faint.Render("No operation matches.")
	}
	t := table{st: st, headers: []string{"METHOD", "PATH", "SUMMARY"}, cursor: p.cursor, width: width - 2, height: max(height-4, 3)}
	for _, op := range p.shown {
		summary := op.Summary
		if op.Deprecated {
			summary = "(deprecated) " + summary
		}
		t.rows = append(t.rows, []string{op.Method, oneLine(connection.CleanText(op.Path)), oneLine(connection.CleanText(summary))})
	}
	return head + t.View()
}
