package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/wizard"
)

// The Listen screen (L on a connection with no authentication): a webhook
// listener on 127.0.0.1 and the requests it receives, newest first, live.
// enter shows one (listen_capture.go), s saves one as an action on the
// connection (listen_action.go), esc stops the listener.
//
// The listener is made with the screen and started in a Cmd; one Cmd at a
// time waits on its channel and is issued again after each capture, so
// Update never waits. esc closes it in a Cmd, which ends that wait too
// (the channel closes): nothing is left running once the screen is gone.

// maxCaptures bounds the requests the screen keeps; older ones go.
const maxCaptures = 500

// listenerStartedMsg says whether the listener could bind its port.
type listenerStartedMsg struct {
	l   *connection.Listener
	err error
}

// captureReceivedMsg is one request the listener received.
type captureReceivedMsg struct {
	l *connection.Listener
	c connection.Capture
}

// listenerStoppedMsg says the listener's channel closed.
type listenerStoppedMsg struct{ l *connection.Listener }

type listenScreen struct {
	env   *env
	conn  connection.Connection
	taken map[string]uint64 // actions' names, for naming a saved request
	l     *connection.Listener

	started bool   // the start Cmd was issued
	url     string // where requests go, once listening
	err     string // why it could not listen
	caps    []connection.Capture
	cursor  int

	width, height int
}

// listens reports whether L applies to c: webhooks are received for
// connections with no authentication.
func listens(c connection.Connection) bool {
	return c.Auth.Type == "" || c.Auth.Type == connection.AuthNone
}

// listen opens the Listen screen for c, or says why it does not apply.
func (h *home) listen(c connection.Connection) tea.Cmd {
	if !listens(c) {
		return errStatus("Listening for webhooks is for connections with no authentication; '%s' uses %s.", c.Name, c.Auth.Type.Title())
	}
	return push(newListenScreen(h.env, c, h.actionNames()))
}

func newListenScreen(e *env, conn connection.Connection, taken map[string]uint64) *listenScreen {
	l := connection.NewListener(connection.ListenOptions{Now: e.now})
	return &listenScreen{env: e, conn: conn, taken: taken, l: l}
}

// Init starts the listener the first time; later (back from a request or
// the wizard) the wait on it is still under way.
func (s *listenScreen) Init() tea.Cmd {
	if s.started {
		return nil
	}
	s.started = true
	l := s.l
	return func() tea.Msg { return listenerStartedMsg{l: l, err: l.Start()} }
}

func (s *listenScreen) Title() string { return "Listen on '" + s.conn.Name + "'" }

func (s *listenScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *listenScreen) Capturing() bool { return false }

func (s *listenScreen) Keys() []key.Binding {
	k := s.env.keys
	keys := []key.Binding{}
	if len(s.caps) > 0 {
		keys = append(keys, withHelp(k.Up, "↑/↓", "move"), withHelp(k.Enter, "enter", "show"), saveAsActionKey(k))
	}
	return append(keys, withHelp(k.Back, "esc", "stop listening"))
}

// saveAsActionKey is s, which on these screens saves a request as an action.
func saveAsActionKey(k KeyMap) key.Binding { return withHelp(k.SaveFile, "s", "save as action") }

func (s *listenScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case listenerStartedMsg:
		if msg.l != s.l {
			return s, nil
		}
		if msg.err != nil {
			s.err = msg.err.Error()
			return s, nil
		}
		s.url = s.l.URL()
		return s, s.wait()
	case captureReceivedMsg:
		if msg.l != s.l {
			return s, nil
		}
		s.add(msg.c)
		return s, s.wait()
	case tea.KeyMsg:
		return s, s.handleKey(msg)
	}
	return s, nil
}

// wait receives the listener's next capture.
func (s *listenScreen) wait() tea.Cmd {
	l := s.l
	return func() tea.Msg {
		c, ok := <-l.Requests()
		if !ok {
			return listenerStoppedMsg{l: l}
		}
		return captureReceivedMsg{l: l, c: c}
	}
}

// add puts c first, keeping the row under the cursor where it is unless
// the cursor is on the newest.
func (s *listenScreen) add(c connection.Capture) {
	s.caps = append([]connection.Capture{c}, s.caps[:min(len(s.caps), maxCaptures-1)]...)
	if s.cursor > 0 {
		s.cursor = min(s.cursor+1, len(s.caps)-1)
	}
}

func (s *listenScreen) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := s.env.keys
	switch {
	case key.Matches(msg, k.Back):
		return tea.Batch(pop(""), s.stop())
	case len(s.caps) == 0:
		return nil
	case key.Matches(msg, k.Up):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(msg, k.Down):
		s.cursor = min(s.cursor+1, len(s.caps)-1)
	case key.Matches(msg, k.Enter):
		return push(newCaptureScreen(s.env, s.conn, s.caps[s.cursor], s.taken))
	case key.Matches(msg, saveAsActionKey(k)):
		return saveCapture(s.env, s.conn, s.caps[s.cursor], s.taken, s.width, s.height)
	}
	return nil
}

// stop closes the listener; Close waits for requests under way, so it runs
// off the UI goroutine.
func (s *listenScreen) stop() tea.Cmd {
	l := s.l
	return func() tea.Msg {
		_ = l.Close()
		return nil
	}
}

func (s *listenScreen) View() string {
	st := s.env.styles
	var head string
	switch {
	case s.err != "":
		return " " + st.Error.Render("Cannot listen: "+connection.CleanText(s.err))
	case s.url == "":
		return st.EmptyState.Render("Starting the listener…")
	default:
		head = " " + st.Text.Render("Listening on ") + st.Accent.Render(s.url) +
			st.Faint.Render(" — point the webhook here (127.0.0.1 only; from elsewhere, through a tunnel).")
	}
	lines := []string{truncate(head, s.width-1), ""}
	if len(s.caps) == 0 {
		lines = append(lines, st.EmptyState.Render("Nothing received yet. Requests appear here as they arrive, newest first;\nenter shows one, s saves it as an action on '"+connection.CleanText(s.conn.Name)+"'."))
		return strings.Join(lines, "\n")
	}
	count := fmt.Sprintf(" %d received", len(s.caps))
	if n := s.l.Dropped(); n > 0 {
		count += fmt.Sprintf(", %d dropped (they came faster than the screen could take them)", n)
	}
	lines = append(lines, st.Faint.Render(count), "")
	t := table{st: &st, headers: []string{"TIME", "METHOD", "SIZE", "PATH"}, cursor: s.cursor,
		width: s.width - 2, height: s.height - len(lines)}
	for _, c := range s.caps {
		t.rows = append(t.rows, []string{c.Time.Format("15:04:05"), connection.CleanText(c.Method),
			wizard.FormatSize(c.Size), connection.CleanText(c.Target)})
	}
	return strings.Join(append(lines, t.View()), "\n")
}
