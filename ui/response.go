package ui

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/wizard"
)

// responsePane shows one response — status coloured by class, time, size,
// headers and the body, pretty-printed when it is JSON — in a scrollable
// viewport. Every byte from the server passes through connection.CleanText.
type responsePane struct {
	env     *env
	vp      viewport.Model
	spin    spinner.Model
	resp    *connection.Response
	err     error
	sending bool
	focused bool
	empty   string // what to say before anything was sent
	width   int
	height  int

	// conn, when set, is the connection the response came through: what
	// the server echoes of its secrets is masked unless revealed.
	conn   *connection.Connection
	reveal bool
	masked bool // the last render hid something

	// kind is how the body is shown: json (pretty-printed when it is
	// JSON), text, or binary (a hex preview); "" is json.
	kind bodyKind
	// debug shows the request exactly as sent above the response.
	debug bool
	// attempt is the attempt under way while sending, set by the send's
	// Progress callback from its goroutine and read by the spinner's
	// redraws.
	attempt atomic.Pointer[connection.Attempt]

	// save is the "write body to" prompt, when open.
	save *saveBody
}

// bodyKind is how a response body is shown (wizard.ResponseType's values).
type bodyKind string

const (
	bodyJSON   bodyKind = "json"
	bodyText   bodyKind = "text"
	bodyBinary bodyKind = "binary"
)

func newResponsePane(e *env, empty string) *responsePane {
	return &responsePane{
		env:   e,
		vp:    viewport.New(0, 0),
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		empty: empty,
	}
}

func (p *responsePane) SetSize(w, h int) {
	p.width, p.height = w, h
	frame := p.env.styles.FocusedPane.GetHorizontalFrameSize()
	p.vp.Width = max(w-frame, 10)
	p.vp.Height = max(h-p.env.styles.FocusedPane.GetVerticalFrameSize()-2, 1)
	p.refresh()
}

// start shows the spinner; the returned command ticks it.
func (p *responsePane) start() tea.Cmd {
	p.sending = true
	p.attempt.Store(nil)
	return p.spin.Tick
}

// progress is the Progress callback of a send shown in this pane.
func (p *responsePane) progress(a connection.Attempt) { p.attempt.Store(&a) }

func (p *responsePane) set(resp *connection.Response, err error) {
	p.sending = false
	p.resp, p.err = resp, err
	p.refresh()
	p.vp.GotoTop()
}

func (p *responsePane) stop() { p.sending = false }

func (p *responsePane) keys() []key.Binding {
	k := p.env.keys
	if p.prompting() {
		return []key.Binding{withHelp(k.Enter, "enter", "write"), withHelp(k.Back, "esc", "cancel")}
	}
	keys := []key.Binding{withHelp(k.Up, "↑/↓", "scroll"), k.PageUp, k.PageDown}
	if p.resp != nil && len(p.resp.Body) > 0 {
		keys = append(keys, k.SaveBody)
	}
	return keys
}

// Update scrolls when focused and ticks the spinner while sending.
func (p *responsePane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !p.sending {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case bodySavedMsg:
		return p.saved(msg)
	case tea.KeyMsg:
		if !p.focused {
			return nil
		}
		if p.prompting() {
			return p.saveKey(msg)
		}
		if key.Matches(msg, p.env.keys.SaveBody) {
			return p.startSave()
		}
		if key.Matches(msg, p.env.keys.Reveal) {
			p.reveal = !p.reveal
			p.refresh()
			return nil
		}
		scroll(&p.vp, msg, &p.env.keys)
	}
	return nil
}

// scroll moves a viewport for the up, down and page keys; it reports whether
// the key was one of them.
func scroll(vp *viewport.Model, msg tea.KeyMsg, k *KeyMap) bool {
	switch {
	case key.Matches(msg, k.Up):
		vp.ScrollUp(1)
	case key.Matches(msg, k.Down):
		vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		vp.PageUp()
	case key.Matches(msg, k.PageDown):
		vp.PageDown()
	default:
		return false
	}
	return true
}

func (p *responsePane) refresh() {
	p.vp.SetContent(p.content())
}

func (p *responsePane) content() string {
	st := p.env.styles
	w := p.vp.Width
	switch {
	case p.err != nil:
		return st.Error.Render(ansi.Wrap("✗ "+connection.CleanText(p.err.Error()), w, " "))
	case p.resp == nil:
		return st.Faint.Render(ansi.Wrap(p.empty, w, " "))
	}
	r := p.resp
	p.masked = false
	if p.conn != nil && !p.reveal {
		shown := p.conn.RedactEchoes(*r)
		p.masked = !reflect.DeepEqual(shown.Body, r.Body) || !reflect.DeepEqual(shown.Headers, r.Headers)
		r = &shown
	}
	var b strings.Builder
	if p.debug {
		b.WriteString(sentRequest(r.Request, w, &st) + "\n")
	}
	b.WriteString(st.status(r.Status).Render(connection.CleanText(r.StatusLine())))
	b.WriteString(st.Faint.Render(fmt.Sprintf("  %s · %s", formatDuration(r.Duration), formatSize(r.Size))))
	if r.Encoding != "" {
		b.WriteString(st.Faint.Render(fmt.Sprintf(" (%s, %s on the wire)", connection.CleanText(r.Encoding), formatSize(r.WireSize))))
	}
	if r.Truncated {
		b.WriteString(st.Warning.Render(fmt.Sprintf("  (showing the first %s)", formatSize(int64(len(r.Body))))))
	}
	b.WriteString("\n")
	if r.Note != "" {
		b.WriteString(st.Warning.Render(ansi.Wrap("Note: "+connection.CleanText(r.Note), w, " ")) + "\n")
	}
	if len(r.Attempts) > 1 {
		b.WriteString("\n" + st.SectionTitle.Render(fmt.Sprintf("Attempts (%d)", len(r.Attempts))) + "\n")
		for _, a := range r.Attempts {
			b.WriteString(ansi.Hardwrap(attemptLine(a, &st), w, true) + "\n")
		}
	}
	if len(r.Redirects) > 0 {
		b.WriteString("\n" + st.SectionTitle.Render(fmt.Sprintf("Redirects (%d)", len(r.Redirects))) + "\n")
		for _, h := range r.Redirects {
			b.WriteString(ansi.Hardwrap(st.status(h.Status).Render(fmt.Sprint(h.Status))+" → "+connection.CleanText(h.URL), w, true) + "\n")
		}
	}
	b.WriteString("\n" + st.SectionTitle.Render(fmt.Sprintf("Headers (%d)", len(r.Headers))) + "\n")
	for _, h := range r.Headers {
		line := st.Accent.Render(connection.CleanText(h.Key)) + st.Faint.Render(": ") + connection.CleanText(h.Value)
		b.WriteString(ansi.Hardwrap(line, w, true) + "\n")
	}
	b.WriteString("\n" + st.SectionTitle.Render("Body") + "\n")
	b.WriteString(renderBodyAs(p.kind, r.Body, r.Header("Content-Type"), w, &st))
	return b.String()
}

// attemptLine is "2 of 4 after 503 Service Unavailable, waited 400ms → 200".
func attemptLine(a connection.Attempt, st *Styles) string {
	line := fmt.Sprintf("%d of %d", a.N, a.Of)
	if a.Why != "" {
		line += " after " + connection.CleanText(a.Why)
	}
	if a.Waited > 0 {
		line += ", waited " + formatDuration(a.Waited)
	}
	switch {
	case a.Err != "":
		return line + " → " + st.Error.Render(connection.CleanText(a.Err))
	case a.Status != 0:
		return line + " → " + st.status(a.Status).Render(fmt.Sprint(a.Status))
	}
	return line
}

// sentRequest shows the request exactly as it went out, secrets redacted
// (the connection redacted them): the debug view.
func sentRequest(r connection.SentRequest, width int, st *Styles) string {
	var b strings.Builder
	b.WriteString(st.SectionTitle.Render("Request as sent") + "\n")
	b.WriteString(ansi.Hardwrap(st.Bold.Render(connection.CleanText(r.Method))+" "+connection.CleanText(r.URL), width, true) + "\n")
	for _, h := range r.Headers {
		b.WriteString(ansi.Hardwrap(st.Accent.Render(connection.CleanText(h.Key))+st.Faint.Render(": ")+connection.CleanText(h.Value), width, true) + "\n")
	}
	if len(r.Body) > 0 {
		b.WriteString("\n" + renderBodyAs(bodyText, r.Body, "", width, st) + "\n")
	}
	return b.String()
}

// renderBodyAs shows a body as the action's response type says: binary as a
// hex preview whatever it holds, text as text, json pretty-printed when it
// parses (renderBody).
func renderBodyAs(kind bodyKind, body []byte, contentType string, width int, st *Styles) string {
	switch {
	case len(body) == 0:
		return st.Faint.Render("(empty)")
	case kind == bodyBinary:
		return hexPreview(body, st)
	case kind == bodyText && utf8.Valid(body) && bytes.IndexByte(body, 0) < 0:
		return ansi.Hardwrap(connection.CleanText(string(body)), width, true)
	}
	return renderBody(body, contentType, width, st)
}

// hexPreview is the size and a hex dump of the first 256 bytes.
func hexPreview(body []byte, st *Styles) string {
	n := min(len(body), 256)
	return st.Faint.Render(fmt.Sprintf("binary body, %s — first %d bytes:", formatSize(int64(len(body))), n)) +
		"\n" + strings.TrimRight(hex.Dump(body[:n]), "\n")
}

// renderBody pretty-prints JSON, shows text as text and binary as a hex preview.
func renderBody(body []byte, contentType string, width int, st *Styles) string {
	if len(body) == 0 {
		return st.Faint.Render("(empty)")
	}
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		return hexPreview(body, st)
	}
	text := body
	note := ""
	var pretty bytes.Buffer
	switch err := json.Indent(&pretty, body, "", "  "); {
	case err == nil:
		text = pretty.Bytes()
	case strings.Contains(contentType, "json") && strings.TrimSpace(string(body)) != "":
		// The server promised JSON and broke the promise: say so, show the text.
		note = st.Warning.Render(ansi.Wrap("The server said "+connection.CleanText(contentType)+
			" but the body is not JSON ("+wizard.ValidateJSON(string(body)).Error()+"); shown as text.", width, " ")) + "\n"
	}
	return note + ansi.Hardwrap(connection.CleanText(string(text)), width, true)
}

func (p *responsePane) View() string {
	st := p.env.styles
	pane := st.BlurredPane
	if p.focused {
		pane = st.FocusedPane
	}
	title := st.SectionTitle.Render("Response")
	if p.sending {
		doing := " sending… esc cancels"
		if a := p.attempt.Load(); a != nil && a.N > 1 {
			doing = fmt.Sprintf(" attempt %d of %d after %s… esc cancels", a.N, a.Of, connection.CleanText(a.Why))
		}
		title += "  " + p.spin.View() + st.Faint.Render(doing)
	}
	if p.masked {
		title += st.Faint.Render(" · secrets masked (ctrl+r)")
	}
	scroll := ""
	if total := p.vp.TotalLineCount(); total > p.vp.Height {
		last := min(p.vp.YOffset+p.vp.Height, total)
		scroll = st.Faint.Render(fmt.Sprintf(" · lines %d–%d/%d", p.vp.YOffset+1, last, total))
	}
	// One line, whatever it holds: a wrapped title would push the pane's
	// bottom border off the screen.
	inner := truncate(title+scroll, p.vp.Width) + "\n\n" + p.vp.View()
	if p.prompting() {
		// The prompt takes the last lines of the viewport's room.
		prompt := p.promptView()
		lines := strings.Split(inner, "\n")
		keep := max(len(lines)-strings.Count(prompt, "\n")-2, 1)
		inner = strings.Join(lines[:keep], "\n") + "\n\n" + prompt
	}
	return pane.Width(p.width - pane.GetHorizontalBorderSize()).Height(p.height - pane.GetVerticalBorderSize()).Render(inner)
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return d.Round(100 * time.Millisecond).String()
}

func formatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
