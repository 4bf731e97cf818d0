package ui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/wizard"
)

func (s *wizardScreen) View() string {
	st := s.env.styles
	head := " " + s.stepsView()
	if s.confirm {
		head += "\n " + st.Confirm.Render("Leave the wizard and discard what you typed? y/n")
	} else {
		head += "\n"
	}
	var body string
	switch s.w.Step() {
	case wizard.StepMethod:
		body = s.step1View()
	case wizard.StepSample:
		body = s.step2View()
	default:
		if s.vars != nil {
			body = s.vars.View()
		} else {
			body = st.Indent.Render(s.review.View())
		}
	}
	return head + "\n" + body
}

// stepsView is the indicator "1 Method & URL › 2 Sample request › 3 Review".
func (s *wizardScreen) stepsView() string {
	st := s.env.styles
	var parts []string
	for _, step := range []wizard.Step{wizard.StepMethod, wizard.StepSample, wizard.StepReview} {
		label := fmt.Sprintf("%d %s", int(step), step)
		switch {
		case step == s.w.Step():
			parts = append(parts, st.StepActive.Render(label))
		case step < s.w.Step():
			parts = append(parts, st.StepDone.Render(label))
		default:
			parts = append(parts, st.Step.Render(label))
		}
	}
	return strings.Join(parts, st.Faint.Render(" › "))
}

func (s *wizardScreen) step1View() string {
	st := s.env.styles
	if s.oapi.picker != nil {
		return s.oapi.picker.view(&st, s.oapi.source, s.width, s.height-2)
	}
	preview := st.Label.Width(s.step1.labelW-2).Render("Full URL") + st.Accent.Render(connection.CleanText(s.w.FullURL()))
	if hint := s.specHint(); hint != "" {
		preview += "\n\n  " + hint
	}
	return s.step1.View() + s.curlView() + "\n\n  " + preview
}

func (s *wizardScreen) step2View() string {
	st := s.env.styles
	l := splitPanes(s.width, s.height-3)
	left := l.leftW
	pane := st.BlurredPane
	if s.pane == paneRequest {
		pane = st.FocusedPane
	}
	req := st.SectionTitle.Render("Request") + "\n\n" +
		st.Method.Render(s.w.Method) + " " + st.Accent.Render(truncate(connection.CleanText(s.w.FullURL()), left-12)) + "\n\n" +
		s.step2.View()
	for _, r := range s.w.Recommendations() {
		hint := "Tip: " + r.Message
		if r.Header.Key != "" {
			hint += " — ctrl+a adds it"
		}
		req += "\n\n" + st.Warning.Render(ansi.Wrap(hint, left-6, " "))
	}
	if s.stepErr != "" {
		req += "\n\n" + st.FieldError.Render(ansi.Wrap("✗ "+s.stepErr, left-6, " "))
	}
	h := l.leftH
	req = scrollTo(req, h-pane.GetVerticalFrameSize(), focusLine(req))
	reqView := pane.Width(left - pane.GetHorizontalBorderSize()).Height(h - pane.GetVerticalBorderSize()).Render(req)
	return l.join(reqView, s.resp.View())
}

// refreshReview renders step 3 into its viewport.
func (s *wizardScreen) refreshReview() {
	if s.w.Step() != wizard.StepReview {
		return
	}
	s.review.SetContent(s.specReview(s.review.Width) + reviewView(&s.env.styles, s.w, s.review.Width))
}

func reviewView(st *Styles, w *wizard.Wizard, width int) string {
	var b strings.Builder
	row := func(label, value string) {
		b.WriteString(st.Label.Width(16).Render(label) + value + "\n")
	}
	resp, _, _ := w.Sample()
	a, err := w.Apply()
	row("Action", st.Bold.Render(w.Name))
	row("Connection", w.Conn.Name+tlsBadge(w.Conn))
	row("Request", st.Method.Render(strings.ToUpper(w.Method))+" "+highlightVars(st, connection.CleanText(templateURL(w))))
	vars := w.VariableList()
	for i, v := range vars {
		label := ""
		if i == 0 {
			label = "Variables"
		}
		row(label, variableLine(st, w, v))
	}
	if len(vars) == 0 {
		row("Variables", st.Faint.Render("(none) — v turns values of the sample into variables each run asks for"))
	}
	if resp != nil {
		sent := resp.Request
		for i, h := range sent.Headers {
			label := ""
			if i == 0 {
				label = "Headers"
			}
			row(label, st.Accent.Render(connection.CleanText(h.Key))+": "+connection.CleanText(h.Value))
		}
		if len(sent.Headers) == 0 {
			row("Headers", st.Faint.Render("(none)"))
		}
	}
	query := 0
	for _, f := range a.Inputs {
		if f.Source != "query" {
			continue
		}
		label := ""
		if query == 0 {
			label = "Query"
		}
		value := f.Example
		if wizard.IsSecret(f.Path) {
			value = connection.Redacted
		}
		row(label, connection.CleanText(f.Path+"="+value))
		query++
	}
	if query == 0 {
		row("Query", st.Faint.Render("(none)"))
	}
	switch w.BodyType {
	case wizard.BodyNone:
		row("Body", st.Faint.Render("(none)"))
	case wizard.BodyForm:
		for i, f := range w.Form {
			label := ""
			if i == 0 {
				label = "Body (form)"
			}
			row(label, connection.CleanText(f.Key+"="+f.Value))
		}
	case wizard.BodyMultipart:
		for i, p := range w.Parts {
			label := ""
			if i == 0 {
				label = "Body (multipart)"
			}
			kv := partRow(p)
			row(label, connection.CleanText(kv.Key+" = "+kv.Value))
		}
	default:
		lines := strings.Split(strings.TrimRight(w.Body, "\n"), "\n")
		for i, l := range lines {
			label := ""
			if i == 0 {
				label = "Body (" + string(w.BodyType) + ")"
			}
			row(label, truncate(l, width-18))
		}
	}
	opts := optionsSummary(w.Options)
	if w.Options.Timeout == 0 {
		timeout := w.Conn.Timeout
		if timeout == 0 {
			timeout = connection.DefaultTimeout
		}
		opts = append(opts, "timeout "+connection.ShortDuration(timeout)+" (the connection's)")
	}
	if w.Options.MaxRedirects == nil {
		opts = append(opts, fmt.Sprintf("at most %d redirects", connection.DefaultMaxRedirects))
	}
	if w.Options.Retries == 0 {
		opts = append(opts, "no retries")
	}
	if w.Conn.TLS.Insecure && !w.Options.VerifyTLS {
		opts = append(opts, "⚠ TLS errors ignored (the connection's setting)")
	}
	opts = append(opts, "credentials stay on "+hostOf(w.FullURL()))
	for i, line := range strings.Split(ansi.Wrap(strings.Join(opts, " · "), max(width-18, 20), " "), "\n") {
		label := ""
		if i == 0 {
			label = "Options"
		}
		row(label, st.Faint.Render(line))
	}
	if resp != nil {
		row("Sample", st.status(resp.Status).Render(connection.CleanText(resp.StatusLine()))+
			st.Faint.Render(fmt.Sprintf("  %s · %s", formatDuration(resp.Duration), formatSize(resp.Size))))
	}
	b.WriteString("\n" + st.SectionTitle.Render("Input fields") + st.Faint.Render("  what the request takes") + "\n")
	b.WriteString(fieldsView(st, a.Inputs, true, width))
	b.WriteString("\n" + st.SectionTitle.Render("Output fields") + st.Faint.Render("  inferred from the sample response") + "\n")
	if resp != nil && len(a.Outputs) == 0 && len(resp.Body) > 0 {
		if err := wizard.ValidateJSON(string(resp.Body)); err != nil {
			b.WriteString(st.Faint.Render("  (none: the sample response is not JSON — "+err.Error()+")") + "\n")
		} else {
			b.WriteString(fieldsView(st, a.Outputs, false, width))
		}
	} else {
		b.WriteString(fieldsView(st, a.Outputs, false, width))
	}
	if err != nil {
		b.WriteString("\n" + st.FieldError.Render("✗ "+err.Error()) + "\n")
	} else {
		b.WriteString("\n" + st.ButtonFocused.Render(" Apply ") + st.Faint.Render("  enter saves the action; ctrl+b goes back to change it") + "\n")
	}
	return b.String()
}

func fieldsView(st *Styles, fields []wizard.Field, withSource bool, width int) string {
	if len(fields) == 0 {
		return st.Faint.Render("  (none)") + "\n"
	}
	headers := []string{"PATH", "TYPE", "EXAMPLE"}
	if withSource {
		headers = []string{"PATH", "TYPE", "IN", "EXAMPLE"}
	}
	t := table{st: st, headers: headers, cursor: -1, width: width - 2, height: len(fields) + 1}
	for _, f := range fields {
		ex := connection.CleanText(f.Example)
		if withSource {
			t.rows = append(t.rows, []string{f.Path, f.Type, f.Source, ex})
		} else {
			t.rows = append(t.rows, []string{f.Path, f.Type, ex})
		}
	}
	return t.View() + "\n"
}

func hostOf(u string) string {
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// templateURL is the action's URL as it is saved, placeholders and all:
// the base URL joined with the URL and the query rows, unescaped, so that
// {{id}} reads as typed.
func templateURL(w *wizard.Wizard) string {
	u := strings.TrimSpace(w.URL)
	if !strings.Contains(u, "://") {
		u = strings.TrimRight(w.Conn.BaseURL, "/") + "/" + strings.TrimLeft(u, "/")
	}
	var q []string
	for _, kv := range w.Query {
		if strings.TrimSpace(kv.Key) != "" {
			q = append(q, strings.TrimSpace(kv.Key)+"="+kv.Value)
		}
	}
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + strings.Join(q, "&")
	}
	return u
}

// placeholders matches {{...}}, to highlight them.
var placeholders = regexp.MustCompile(`\{\{[^{}]*\}\}`)

// highlightVars shows each {{name}} of s in the accent style.
func highlightVars(st *Styles, s string) string {
	return placeholders.ReplaceAllStringFunc(s, func(m string) string { return st.Accent.Render(m) })
}

// variableLine describes one variable in the review: its type, whether a
// run must give it, its default, where it sits and what the sample sent.
func variableLine(st *Styles, w *wizard.Wizard, v wizard.Variable) string {
	parts := []string{string(v.Type.OrDefault())}
	secret := w.SecretVariable(v.Name)
	switch {
	case v.Default != nil && secret:
		parts = append(parts, "default "+connection.Redacted)
	case v.Default != nil:
		parts = append(parts, "default "+strconv.Quote(connection.CleanText(*v.Default)))
	case v.Required:
		parts = append(parts, "required")
	default:
		parts = append(parts, "optional")
	}
	if places := w.VariablePlaces(v.Name); len(places) > 0 {
		parts = append(parts, "in "+connection.CleanText(strings.Join(places, ", ")))
	}
	sample := connection.CleanText(v.Sample)
	switch {
	case secret && v.Sample != "":
		sample = connection.Redacted
	case v.Sample == "":
		sample = st.Faint.Render("(none)")
	default:
		sample = strconv.Quote(sample)
	}
	return st.Accent.Render("{{"+v.Name+"}}") + "  " + st.Faint.Render(strings.Join(parts, " · ")+" · sample ") + sample
}
