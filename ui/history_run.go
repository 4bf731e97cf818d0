package ui

import (
	"errors"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// runLoadedMsg carries a run read whole from the history.
type runLoadedMsg struct {
	id  uint64
	run wizard.Run
	err error
}

// historyRun shows one run from the history: the request as sent and the
// values it ran with on the left; on the right its response or, with D,
// how that response drifted from the action's sample.
type historyRun struct {
	env    *env
	sum    store.RunSummary
	action wizard.Action
	conns  []connection.Connection
	conn   *connection.Connection // nil when it was deleted

	run   *wizard.Run // nil until loaded
	err   error       // reading it failed
	resp  *responsePane
	drift viewport.Model
	// showDrift shows the drift instead of the response.
	showDrift bool

	width, height int
}

func newHistoryRun(e *env, sum store.RunSummary, a wizard.Action, conns []connection.Connection) *historyRun {
	h := &historyRun{env: e, sum: sum, action: a, conns: conns,
		resp: newResponsePane(e, "Loading the run…"), drift: viewport.New(0, 0)}
	for i := range conns {
		if conns[i].ID == sum.ConnectionID {
			h.conn = &conns[i]
		}
	}
	// The response pane has the keys: scrolling, w, ctrl+r.
	h.resp.focused = true
	h.resp.conn = h.conn
	return h
}

// Init reads the run; coming back from a re-run it is already read.
func (h *historyRun) Init() tea.Cmd {
	if h.run != nil {
		return nil
	}
	st, id := h.env.st, h.sum.ID
	return func() tea.Msg {
		r, err := st.Run(id)
		return runLoadedMsg{id: id, run: r, err: err}
	}
}

func (h *historyRun) Title() string {
	return "Run of '" + h.action.Name + "' · " + Ago(h.sum.At, h.env.now())
}

func (h *historyRun) SetSize(w, ht int) {
	h.width, h.height = w, ht
	l := splitPanes(w, ht-1)
	h.resp.SetSize(l.rightW, l.rightH)
	pane := h.env.styles.FocusedPane
	h.drift.Width = max(l.rightW-pane.GetHorizontalFrameSize(), 10)
	h.drift.Height = max(l.rightH-pane.GetVerticalFrameSize()-2, 1)
	h.refreshDrift()
}

func (h *historyRun) Capturing() bool { return h.resp.prompting() }

func (h *historyRun) Keys() []key.Binding {
	k := h.env.keys
	if h.resp.prompting() {
		return h.resp.keys()
	}
	keys := []key.Binding{withHelp(k.Run, "r", "run again"), withHelp(k.Export, "X", "curl")}
	if h.showDrift {
		keys = append(keys, withHelp(k.Drift, "D", "response"), withHelp(k.Up, "↑/↓", "scroll"), k.PageUp, k.PageDown)
	} else {
		keys = append(keys, k.Drift)
		keys = append(keys, h.resp.keys()...)
	}
	return append(keys, k.Back)
}

func (h *historyRun) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case runLoadedMsg:
		if msg.id == h.sum.ID {
			h.handleLoaded(msg)
		}
		return h, h.resp.takeFormat()
	case tea.KeyMsg:
		return h, h.handleKey(msg)
	case tea.MouseMsg:
		h.mouse(msg)
		return h, nil
	}
	return h, h.resp.Update(msg)
}

func (h *historyRun) handleLoaded(msg runLoadedMsg) {
	if msg.err != nil {
		h.err = msg.err
		h.resp.set(nil, msg.err)
		return
	}
	h.run = &msg.run
	var err error
	if msg.run.Response == nil {
		err = errors.New(msg.run.Err)
		if msg.run.Err == "" {
			err = errors.New("no response was kept for this run")
		}
	}
	h.resp.set(msg.run.Response, err)
	h.refreshDrift()
}

func (h *historyRun) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := h.env.keys
	if h.resp.prompting() || !h.showDrift && h.resp.wantsKey(msg) {
		return h.resp.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		return pop("")
	case key.Matches(msg, k.Run):
		return rerun(h.env, h.action, h.sum.ConnectionID, h.sum.Vars, h.conns)
	case key.Matches(msg, k.Drift):
		h.showDrift = !h.showDrift
		return nil
	case key.Matches(msg, k.Export):
		return h.export()
	case h.showDrift:
		scroll(&h.drift, msg, &h.env.keys)
		return nil
	}
	return h.resp.Update(msg)
}

// driftLines says how the run's response differs from the action's
// sample: status, headers, and the fields of a JSON body.
func (h *historyRun) driftLines() []string {
	st := h.env.styles
	switch {
	case h.run == nil:
		return []string{st.Faint.Render("Loading the run…")}
	case h.run.Response == nil:
		return []string{st.Faint.Render("No response came back, so there is nothing to compare with the sample.")}
	case h.action.Sample == nil:
		return []string{st.Faint.Render("This action has no sample response to compare with.")}
	}
	changes := wizard.Drift(*h.action.Sample, *h.run.Response)
	if len(changes) == 0 {
		return []string{st.Success.Render("✓ No drift from the sample")}
	}
	lines := []string{st.Warning.Render(plural(len(changes), "change") + " from the sample:"), ""}
	for _, c := range changes {
		lines = append(lines, "• "+connection.CleanText(c.String()))
	}
	return lines
}

func (h *historyRun) refreshDrift() {
	var b strings.Builder
	for _, l := range h.driftLines() {
		b.WriteString(ansi.Wrap(l, h.drift.Width, " ") + "\n")
	}
	h.drift.SetContent(strings.TrimRight(b.String(), "\n"))
}

func (h *historyRun) View() string {
	st := h.env.styles
	l := splitPanes(h.width, h.height-1)
	left := l.leftW
	var b strings.Builder
	via := st.Faint.Render("  via '" + connName(h.conns, h.sum.ConnectionID) + "'")
	if h.conn == nil {
		via = st.Warning.Render("  via " + deletedConnection)
	}
	b.WriteString(st.SectionTitle.Render("Request as sent") + via + "\n\n")
	switch {
	case h.run == nil:
		b.WriteString(st.Faint.Render("…") + "\n")
	case h.run.Response != nil:
		b.WriteString(requestView(&st, h.run.Response.Request, left-6))
	default:
		b.WriteString(st.Faint.Render(ansi.Wrap("No response came back; the request is kept only with one.", left-6, " ")) + "\n")
	}
	b.WriteString("\n" + st.SectionTitle.Render("Variables") + "\n")
	b.WriteString(h.varsView(left - 6))
	if h.run != nil && h.run.Err != "" && h.run.Response != nil {
		b.WriteString("\n" + st.Error.Render(ansi.Wrap("✗ "+connection.CleanText(h.run.Err), left-6, " ")) + "\n")
	}

	pane := st.BlurredPane
	ht := l.leftH
	reqView := pane.Width(left - pane.GetHorizontalBorderSize()).Height(ht - pane.GetVerticalBorderSize()).
		Render(scrollTo(b.String(), ht-pane.GetVerticalFrameSize(), 0))
	return l.join(reqView, h.rightView(l))
}

// varsView lists the values the run went with; a redacted one says it
// will be asked for again.
func (h *historyRun) varsView(width int) string {
	st := h.env.styles
	if len(h.sum.Vars) == 0 {
		return st.Faint.Render("(none)") + "\n"
	}
	names := make([]string, 0, len(h.sum.Vars))
	for n := range h.sum.Vars {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	redacted := false
	for _, n := range names {
		v := connection.CleanText(h.sum.Vars[n])
		switch {
		case h.sum.Vars[n] == connection.Redacted:
			v = st.Secret.Render(connection.Redacted + " (redacted)")
			redacted = true
		case v == "":
			v = st.Faint.Render("(empty)")
		}
		b.WriteString(truncate(st.Accent.Render(connection.CleanText(n))+st.Faint.Render(" = ")+v, width) + "\n")
	}
	if redacted {
		b.WriteString(st.Faint.Render(ansi.Wrap("History keeps no secret: r asks for redacted values again.", width, " ")) + "\n")
	}
	return b.String()
}

func (h *historyRun) rightView(l panes) string {
	if !h.showDrift {
		return h.resp.View()
	}
	st := h.env.styles
	pane := st.FocusedPane
	title := st.SectionTitle.Render("Drift from the sample") + st.Faint.Render("  D shows the response")
	inner := truncate(title, h.drift.Width) + "\n\n" + h.drift.View()
	return pane.Width(l.rightW - pane.GetHorizontalBorderSize()).Height(l.rightH - pane.GetVerticalBorderSize()).Render(inner)
}
