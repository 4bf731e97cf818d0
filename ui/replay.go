package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"patchbay/connection"
	"patchbay/wizard"
)

// replayedMsg is the outcome of one replay.
type replayedMsg struct {
	seq  int
	resp *connection.Response
	err  error
}

// replay runs a saved action: its variables (if any) on top, the request as
// sent on the left, the response on the right. It sends at once when the
// action has no variables.
type replay struct {
	env    *env
	conn   connection.Connection
	action wizard.Action
	vars   *form // nil when the action has no variables
	resp   *responsePane
	sent   *connection.SentRequest
	seq    int
	cancel context.CancelFunc
	width  int
	height int
}

func newReplay(e *env, conn connection.Connection, a wizard.Action) *replay {
	r := &replay{env: e, conn: conn, action: a,
		resp: newResponsePane(e, "Fill in the variables and press ctrl+s to run.")}
	r.resp.conn = &r.conn
	if vars := a.VariableList(); len(vars) > 0 {
		var fields []*field
		for _, v := range vars {
			placeholder := "value for {{" + v.Name + "}}"
			if t := v.Type.OrDefault(); t != wizard.VarString {
				placeholder = string(t) + " for {{" + v.Name + "}}"
			}
			if !v.Required && v.Default == nil {
				placeholder += " (optional)"
			}
			fl := textField(v.Name, v.Name, placeholder)
			if wizard.IsSecret(v.Name) {
				fl = secretField(v.Name, v.Name)
			}
			if v.Default != nil {
				// The default is typed in, so what is sent is what is seen.
				fl.input.SetValue(*v.Default)
			}
			fields = append(fields, fl)
		}
		r.vars = newForm(&e.styles, &e.keys, fields...)
	}
	return r
}

func (r *replay) Init() tea.Cmd {
	if r.vars == nil && r.seq == 0 {
		return r.send()
	}
	return nil
}

func (r *replay) Title() string { return "Run '" + r.action.Name + "'" + tlsBadge(r.conn) }

func (r *replay) SetSize(w, h int) {
	r.width, r.height = w, h
	left := w / 2
	if r.vars != nil {
		r.vars.SetWidth(left - 4)
	}
	r.resp.SetSize(w-left, h-1)
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

func (r *replay) values() map[string]string {
	if r.vars == nil {
		return nil
	}
	vals := map[string]string{}
	for _, f := range r.vars.fields {
		vals[f.key] = f.value()
	}
	return vals
}

func (r *replay) send() tea.Cmd {
	r.stopSend()
	r.seq++
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	seq, conn, action, vars, st, replay := r.seq, r.conn, r.action, r.values(), r.env.st, r.env.replay
	return tea.Batch(r.resp.start(), func() tea.Msg {
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
	case replayedMsg:
		if msg.seq != r.seq {
			return r, nil
		}
		r.cancel = nil
		if msg.resp != nil {
			r.sent = &msg.resp.Request
			r.resp.set(msg.resp, nil)
			if msg.err != nil {
				return r, errStatus("%s", connection.CleanText(msg.err.Error()))
			}
			if p := connection.AuthProblem(r.conn, *msg.resp); p != "" {
				return r, errStatus("%s", p)
			}
			return r, nil
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
	if r.resp.prompting() {
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
	left := r.width / 2
	var b strings.Builder
	if r.vars != nil {
		b.WriteString(st.SectionTitle.Render("Variables") + "\n\n" + r.vars.View() + "\n\n")
	}
	b.WriteString(st.SectionTitle.Render("Request") + st.Faint.Render("  via '"+r.conn.Name+"'"+tlsBadge(r.conn)) + "\n\n")
	b.WriteString(requestView(&st, r.requestShown(), left-6))
	pane := st.BlurredPane
	if !r.resp.focused {
		pane = st.FocusedPane
	}
	h := r.height - 1
	reqView := pane.Width(left - pane.GetHorizontalBorderSize()).Height(h - pane.GetVerticalBorderSize()).
		Render(scrollTo(b.String(), h-pane.GetVerticalFrameSize(), 0))
	return lipgloss.JoinHorizontal(lipgloss.Top, reqView, r.resp.View())
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
