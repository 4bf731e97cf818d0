package ui

import (
	"net"
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
)

// captureScreen shows one received request in the response pane: the
// request line, the time it took to arrive and its size, then its body
// (JSON pretty-printed), headers and raw bytes, with the pane's search,
// filter, copy and write-to-file. s saves it as an action.
type captureScreen struct {
	env   *env
	conn  connection.Connection
	c     connection.Capture
	taken map[string]uint64
	pane  *responsePane

	width, height int
}

func newCaptureScreen(e *env, conn connection.Connection, c connection.Capture, taken map[string]uint64) *captureScreen {
	p := newResponsePane(e, "")
	from, _, err := net.SplitHostPort(c.RemoteAddr)
	if err != nil {
		from = c.RemoteAddr
	}
	p.title = "Request received " + c.Time.Format("15:04:05") + " from " + connection.CleanText(from)
	p.focused = true
	resp := captureResponse(c)
	p.set(&resp, nil)
	return &captureScreen{env: e, conn: conn, c: c, taken: taken, pane: p}
}

// captureResponse dresses a capture as a response, for the pane: the
// request line stands where a status line would, Note says why a body is
// cut.
func captureResponse(c connection.Capture) connection.Response {
	return connection.Response{
		StatusText: c.Method + " " + c.Target,
		Proto:      c.Proto,
		Headers:    c.Headers,
		Body:       c.Body,
		Size:       c.Size,
		Truncated:  c.Truncated,
		Duration:   c.Took,
		Note:       c.Err,
	}
}

// Init formats a body too big to format at once.
func (s *captureScreen) Init() tea.Cmd { return s.pane.takeFormat() }

func (s *captureScreen) Title() string { return "Request" }

func (s *captureScreen) SetSize(w, h int) { s.width, s.height = w, h; s.pane.SetSize(w, h) }

func (s *captureScreen) Capturing() bool { return s.pane.prompting() }

func (s *captureScreen) Keys() []key.Binding {
	k := s.env.keys
	if s.pane.prompting() {
		return s.pane.keys()
	}
	keys := []key.Binding{saveAsActionKey(k)}
	for _, b := range s.pane.keys() {
		if slices.Equal(b.Keys(), k.SaveFile.Keys()) {
			// s is taken by saving the request: w writes the body.
			b = withHelp(k.SaveBody, "w", "write body to a file")
		}
		keys = append(keys, b)
	}
	return append(keys, k.Back)
}

func (s *captureScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := s.env.keys
	km, isKey := msg.(tea.KeyMsg)
	switch {
	case !isKey:
		return s, s.pane.Update(msg)
	case s.pane.wantsKey(km):
		return s, s.pane.Update(km)
	case key.Matches(km, k.Back):
		return s, pop("")
	case key.Matches(km, saveAsActionKey(k)):
		return s, saveCapture(s.env, s.conn, s.c, s.taken, s.width, s.height)
	}
	return s, s.pane.Update(km)
}

func (s *captureScreen) View() string { return s.pane.View() }
