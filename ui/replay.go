package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/wizard"
)

// replayedMsg is the outcome of one replay.
type replayedMsg struct {
	seq  int
	resp *connection.Response
	err  error
}

// replay runs a saved action: its variables and the connection to run
// through (when another one fits) on top, the request as sent on the left,
// the response on the right.
type replay struct {
	env    *env
	conn   connection.Connection
	conns  []connection.Connection // the connections the action fits, its own first
	action wizard.Action
	vars   *form // nil when there is nothing to ask
	resp   *responsePane
	sent   *connection.SentRequest
	start  replayStart
	given  map[string]string // startWith's values
	// typed is what each variable field held when the screen opened; the
	// last run's values replace only what the user has not changed since.
	typed map[string]string
	// redacted are the variables whose value history did not keep (a
	// secret): a re-run asks for them rather than sending a default.
	redacted []string
	seq      int
	cancel   context.CancelFunc
	width    int
	height   int
}

// newReplay is r on an action: conns are every connection, of which those
// the action's URL fits can be picked for this run.
func newReplay(e *env, conn connection.Connection, a wizard.Action, conns []connection.Connection) *replay {
	return newReplayStarting(e, conn, a, conns, startAsk, nil)
}

// newRerunLast is R on an action: run again with the last run's values.
func newRerunLast(e *env, conn connection.Connection, a wizard.Action, conns []connection.Connection) *replay {
	return newReplayStarting(e, conn, a, conns, startLast, nil)
}

// newRerunWith runs a with the values of a run from the history (redacted
// ones are asked for again).
func newRerunWith(e *env, conn connection.Connection, a wizard.Action, conns []connection.Connection, vals map[string]string) *replay {
	return newReplayStarting(e, conn, a, conns, startWith, vals)
}

func newReplayStarting(e *env, conn connection.Connection, a wizard.Action, conns []connection.Connection, start replayStart, given map[string]string) *replay {
	r := &replay{env: e, conn: conn, action: a, start: start, given: usableValues(given), redacted: redactedNames(given),
		conns: fitting(a, conn, conns),
		resp:  newResponsePane(e, "Fill in the variables and press ctrl+s to run.")}
	r.resp.conn = &r.conn
	var fields []*field
	if len(r.conns) > 1 {
		names := make([]string, len(r.conns))
		for i, c := range r.conns {
			names[i] = c.Name
		}
		fl := choiceField(connectionKey, "Connection", names, nil)
		fl.hint = "←/→ sends this run through another connection."
		fields = append(fields, fl)
	}
	for _, v := range a.VariableList() {
		placeholder := "value for {{" + v.Name + "}}"
		if t := v.Type.OrDefault(); t != wizard.VarString {
			placeholder = string(t) + " for {{" + v.Name + "}}"
		}
		if !v.Required && v.Default == nil {
			placeholder += " (optional)"
		}
		secret := a.SecretVariable(v.Name)
		if v.Sample != "" && !secret {
			placeholder += " — the sample sent " + truncate(connection.CleanText(v.Sample), 24)
		}
		fl := textField(v.Name, v.Name, placeholder)
		if secret {
			fl = secretField(v.Name, v.Name)
		}
		if v.Default != nil {
			// The default is typed in, so what is sent is what is seen.
			fl.input.SetValue(*v.Default)
		}
		if val, ok := r.given[v.Name]; ok {
			fl.input.SetValue(val)
		}
		fields = append(fields, fl)
	}
	if len(fields) > 0 {
		r.vars = newForm(&e.styles, &e.keys, fields...)
		r.typed = r.varValues()
	}
	return r
}

func (r *replay) Title() string { return "Run '" + r.action.Name + "'" + tlsBadge(r.conn) }

func (r *replay) SetSize(w, h int) {
	r.width, r.height = w, h
	l := splitPanes(w, h-1)
	if r.vars != nil {
		r.vars.SetWidth(l.leftW - 4)
	}
	r.resp.SetSize(l.rightW, l.rightH)
}

func (r *replay) Capturing() bool {
	return r.resp.prompting() || r.vars != nil && !r.resp.focused && r.vars.capturing()
}

func (r *replay) Keys() []key.Binding {
	k := r.env.keys
	keys := []key.Binding{withHelp(k.Send, "ctrl+s", "run again")}
	if r.cancel != nil {
		keys = append(keys, k.Cancel)
	} else {
		keys = append(keys, k.Back)
	}
	keys = append(keys, withHelp(k.NextField, "tab", "switch pane"))
	if r.resp.focused {
		return append(keys, r.resp.keys()...)
	}
	return append(keys, withHelp(k.Up, "↑/↓", "scroll"))
}

// varValues is what each variable's field holds.
func (r *replay) varValues() map[string]string {
	if r.vars == nil {
		return nil
	}
	vals := map[string]string{}
	for _, f := range r.vars.fields {
		if f.key != connectionKey {
			vals[f.key] = f.value()
		}
	}
	return vals
}

// values are the variables to send: what the fields hold, except that an
// empty field of a required variable without a default is not a value, so
// the replay says the variable is missing instead of sending "".
func (r *replay) values() map[string]string {
	vals := r.varValues()
	for name, v := range vals {
		if vr := r.action.Variable(name); v == "" && vr.Required && vr.Default == nil {
			delete(vals, name)
		}
	}
	return vals
}

// pickConnection makes the connection chosen in the form the one this run
// goes through.
func (r *replay) pickConnection() {
	if r.vars == nil {
		return
	}
	if fl := r.vars.field(connectionKey); fl != nil {
		r.conn = r.conns[fl.choice]
	}
}

func (r *replay) send() tea.Cmd {
	r.stopSend()
	r.pickConnection()
	r.seq++
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	spin := r.resp.start()
	ctx = connection.WithReceiving(ctx, r.resp.receiver())
	seq, conn, action, vars, st, replay := r.seq, r.conn, r.action, r.values(), r.env.st, r.env.replay
	r.resp.extra = action.Secrets(vars)
	return tea.Batch(spin, func() tea.Msg {
		resp, err := replay(ctx, conn, action, vars, st)
		if err != nil && resp.Status == 0 {
			return replayedMsg{seq: seq, err: err}
		}
		return replayedMsg{seq: seq, resp: &resp, err: err}
	})
}

func (r *replay) stopSend() {
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
		r.seq++
	}
}

func (r *replay) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.MouseMsg:
		r.mouse(msg)
		return r, nil
	case lastValuesMsg:
		if msg.actionID != r.action.ID {
			return r, nil
		}
		return r, r.fillLast(msg)
	case replayedMsg:
		if msg.seq != r.seq {
			return r, nil
		}
		r.cancel = nil
		if msg.resp != nil {
			r.sent = &msg.resp.Request
			r.resp.set(msg.resp, nil)
			format := r.resp.takeFormat() // a big body is formatted in a Cmd
			if msg.err != nil {
				return r, tea.Batch(format, errStatus("%s", connection.CleanText(msg.err.Error())))
			}
			if p := connection.AuthProblem(r.conn, *msg.resp); p != "" {
				return r, tea.Batch(format, errStatus("%s", p))
			}
			return r, format
		}
		r.resp.set(nil, msg.err)
		return r, nil
	case tea.KeyMsg:
		return r, r.handleKey(msg)
	}
	return r, r.resp.Update(msg)
}

func (r *replay) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := r.env.keys
	if r.resp.wantsKey(msg) {
		return r.resp.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Send):
		return r.send()
	case key.Matches(msg, k.Back):
		if r.cancel != nil {
			r.stopSend()
			r.resp.stop()
			return func() tea.Msg { return statusMsg{text: "Request canceled."} }
		}
		return pop("")
	case key.Matches(msg, k.Run) && !r.Capturing():
		return r.send()
	}
	if r.vars != nil && !r.resp.focused {
		if used, cmd := r.vars.Update(msg); used || cmd != nil {
			r.pickConnection()
			return cmd
		}
		if key.Matches(msg, k.NextField, k.PrevField) {
			r.resp.focused = true
			r.vars.blur()
		}
		return nil
	}
	if r.vars != nil && key.Matches(msg, k.NextField, k.PrevField) {
		r.resp.focused = false
		r.vars.focusFirst()
		return nil
	}
	r.resp.focused = true
	return r.resp.Update(msg)
}

func (r *replay) View() string {
	st := r.env.styles
	l := splitPanes(r.width, r.height-1)
	left := l.leftW
	var b strings.Builder
	if r.vars != nil {
		b.WriteString(st.SectionTitle.Render("Variables") + "\n\n" + r.vars.View() + "\n\n")
	}
	b.WriteString(st.SectionTitle.Render("Request") + st.Faint.Render("  via '"+connection.CleanText(r.conn.Name)+"'"+tlsBadge(r.conn)) + "\n\n")
	b.WriteString(requestView(&st, r.requestShown(), left-6))
	pane := st.BlurredPane
	if !r.resp.focused {
		pane = st.FocusedPane
	}
	h := l.leftH
	reqView := pane.Width(left - pane.GetHorizontalBorderSize()).Height(h - pane.GetVerticalBorderSize()).
		Render(scrollTo(b.String(), h-pane.GetVerticalFrameSize(), 0))
	return l.join(reqView, r.resp.View())
}

// requestShown is the request as sent once there is one; before that, the
// action's request as it will be rendered (credentials are added by the
// connection, so they do not appear).
func (r *replay) requestShown() connection.SentRequest {
	if r.sent != nil {
		return *r.sent
	}
	a := r.action
	return connection.SentRequest{Method: a.Method, URL: a.URL, Headers: a.Headers, Body: []byte(a.Body)}
}

func requestView(st *Styles, req connection.SentRequest, width int) string {
	var b strings.Builder
	b.WriteString(st.Method.Render(req.Method) + " " + st.Accent.Render(connection.CleanText(req.URL)) + "\n")
	if len(req.Headers) > 0 {
		b.WriteString("\n" + st.SectionTitle.Render(fmt.Sprintf("Headers (%d)", len(req.Headers))) + "\n")
	}
	for _, h := range req.Headers {
		b.WriteString(truncate(st.Accent.Render(connection.CleanText(h.Key))+st.Faint.Render(": ")+connection.CleanText(h.Value), width) + "\n")
	}
	if len(req.Body) > 0 {
		b.WriteString("\n" + st.SectionTitle.Render("Body") + "\n")
		b.WriteString(renderBody(req.Body, "", width, st) + "\n")
	}
	return b.String()
}
