// Package ui is patchbay's terminal interface: Bubble Tea models only.
//
// The root model owns the screen stack, the terminal size and the help
// overlay, and routes messages: keys go to the screen on top; every other
// message (results of commands, spinner ticks) goes to every screen on the
// stack, each ignoring what is not its own. Screens never do I/O in Update:
// storing and sending run in tea.Cmds and come back as messages.
package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// Options tune the TUI.
type Options struct {
	// Demo marks the session as `patchbay demo` (shown in the header).
	Demo bool
	// Version goes into crash logs.
	Version string
	// NoMouse leaves the mouse to the terminal (its text selection):
	// no wheel scrolling, no click to focus.
	NoMouse bool
}

// Run starts the TUI on st and returns when the user quits. A panic inside
// the TUI ends it with the terminal restored and returns a *CrashError
// naming the crash log (see crash.go).
func Run(st *store.Store, opts Options) error {
	m := New(st, opts)
	progOpts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithFPS(frameRate)}
	if !opts.NoMouse {
		progOpts = append(progOpts, tea.WithMouseCellMotion())
	}
	if err := runGuarded(m, opts.Version, progOpts...); err != nil {
		return err
	}
	if m.env.demoWanted {
		return ErrDemoWanted
	}
	return nil
}

// ErrDemoWanted is Run's answer when the user pressed d on an empty
// database to try the demo: the caller runs it, then this TUI again.
var ErrDemoWanted = errors.New("the demo was asked for")

// frameRate is how often the renderer may draw, Bubble Tea's most (its
// default is 60). A frame waits for the renderer's next tick, so this is
// also the most a frame is late: 8 ms rather than 17 — of the first frame
// (BENCHMARKS.md, "Time to first frame") as of any keystroke's.
const frameRate = 120

// screen is one full-window view on the stack.
type screen interface {
	Init() tea.Cmd
	Update(tea.Msg) (screen, tea.Cmd)
	View() string
	SetSize(width, height int)
	// Title names the screen in the header.
	Title() string
	// Keys are the bindings that apply now, for the footer and help.
	Keys() []key.Binding
	// Capturing reports whether typed letters are text (a focused input)
	// rather than commands, so global single-key bindings stand aside.
	Capturing() bool
}

// pushMsg opens a screen on top of the stack.
type pushMsg struct{ s screen }

// popMsg closes the top screen; status, when set, shows on the one below.
type popMsg struct{ status string }

func push(s screen) tea.Cmd { return func() tea.Msg { return pushMsg{s} } }
func pop(status string) tea.Cmd {
	return func() tea.Msg { return popMsg{status} }
}

// statusMsg shows a line in the status bar until the next one.
type statusMsg struct {
	text string
	err  bool
}

// env is what every screen needs: the store, styles and keys. It is built
// once per program and shared by pointer; nothing in it changes after start.
type env struct {
	st     *store.Store
	styles Styles
	keys   KeyMap
	opts   Options
	// send and replay are connection.Send and wizard.Replay; tests wrap
	// them to pin what varies from run to run (durations, Date headers).
	send   func(context.Context, connection.Connection, connection.Request) (connection.Response, error)
	replay func(context.Context, connection.Connection, wizard.Action, map[string]string, wizard.Recorder) (connection.Response, error)
	// openBrowser opens an authorize URL; tests follow it with an HTTP client.
	openBrowser func(url string) error
	// now is the clock of "tested 5m ago"; tests fix it.
	now func() time.Time
	// demoWanted: the user asked, from an empty database, for the demo.
	demoWanted bool
	// startFreed, runsFreed: the memory of starting, and of reading the
	// history the first time, was given back (home_lists.go).
	startFreed, runsFreed bool
}

// Model is the root model.
type Model struct {
	env      *env
	stack    []screen
	width    int
	height   int
	showHelp bool
	help     help.Model
	status   statusMsg
}

// New builds the root model with the home screen on the stack.
func New(st *store.Store, opts Options) Model {
	e := &env{st: st, styles: NewStyles(), keys: DefaultKeyMap(), opts: opts,
		send: connection.Send, replay: wizard.Replay, openBrowser: openBrowser, now: time.Now}
	h := help.New()
	h.Styles.ShortKey = e.styles.HelpKey
	h.Styles.ShortDesc = e.styles.HelpDesc
	h.Styles.ShortSeparator = e.styles.HelpSep
	h.Styles.FullKey = e.styles.HelpKey
	h.Styles.FullDesc = e.styles.HelpDesc
	h.Styles.FullSeparator = e.styles.HelpSep
	return Model{env: e, stack: []screen{newHome(e)}, help: h}
}

// Init loads the home screen's lists.
func (m Model) Init() tea.Cmd { return m.top().Init() }

func (m Model) top() screen { return m.stack[len(m.stack)-1] }

// chrome is the height of the header, status line and footer.
const chrome = 4

// Update routes msg; see the package comment.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		// The footer pads the help by a cell on each side; a help line cut
		// to the full width would wrap.
		m.help.Width = max(msg.Width-m.env.styles.Footer.GetHorizontalFrameSize(), 1)
		for _, s := range m.stack {
			s.SetSize(m.width, m.bodyHeight())
		}
		return m, nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	case tea.MouseMsg:
		// Only the top screen, and only where it is drawn.
		msg.Y -= bodyTop
		if m.tooSmall() || m.showHelp || msg.Y < 0 || msg.Y >= m.bodyHeight() {
			return m, nil
		}
		var cmd tea.Cmd
		m.stack[len(m.stack)-1], cmd = m.top().Update(msg)
		return m, cmd
	case pushMsg:
		msg.s.SetSize(m.width, m.bodyHeight())
		m.stack = append(m.stack, msg.s)
		m.status = statusMsg{}
		return m, msg.s.Init()
	case popMsg:
		if len(m.stack) > 1 {
			m.stack = m.stack[:len(m.stack)-1]
		}
		m.status = statusMsg{text: msg.status}
		return m, m.top().Init()
	case statusMsg:
		m.status = msg
		return m, nil
	case editorDoneMsg:
		return m, editorDone(msg)
	}
	var cmds []tea.Cmd
	for i, s := range m.stack {
		var cmd tea.Cmd
		m.stack[i], cmd = s.Update(msg)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.env.keys
	if key.Matches(msg, k.ForceQuit) {
		return m, tea.Quit
	}
	if m.tooSmall() {
		return m, nil // keys would act on a screen the user cannot see
	}
	if m.showHelp {
		if key.Matches(msg, k.Help, k.HelpAnywhere, k.Back, k.Quit) {
			m.showHelp = false
		}
		return m, nil
	}
	top := m.top()
	if key.Matches(msg, k.HelpAnywhere) || key.Matches(msg, k.Help) && !top.Capturing() {
		m.showHelp = true
		return m, nil
	}
	if len(m.stack) == 1 && !top.Capturing() && key.Matches(msg, k.Quit) {
		return m, tea.Quit
	}
	var cmd tea.Cmd
	m.stack[len(m.stack)-1], cmd = top.Update(msg)
	return m, cmd
}

func (m Model) bodyHeight() int { return max(m.height-chrome, 1) }

// View draws the header, the top screen (or help), the status line and the footer.
// Below minWidth×minHeight the screens' borders and columns break; the
// user is asked for a bigger terminal instead, and what they typed waits.
const minWidth, minHeight = 80, 24

// tooSmall reports whether the terminal is known and below the minimum.
func (m Model) tooSmall() bool {
	return m.width > 0 && m.height > 0 && (m.width < minWidth || m.height < minHeight)
}

// tooSmallView asks for a bigger terminal, in the middle of the one there is.
func (m Model) tooSmallView() string {
	st := m.env.styles
	msg := st.Title.Render("patchbay") + "\n\n" +
		st.Text.Render(fmt.Sprintf("Make the terminal at least %d×%d", minWidth, minHeight)) + "\n" +
		st.Faint.Render(fmt.Sprintf("(it is %d×%d; nothing is lost — ctrl+c quits)", m.width, m.height))
	msg = lipgloss.NewStyle().Width(m.width).Align(lipgloss.Center).Render(msg)
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, msg)
}

func (m Model) View() string {
	if m.tooSmall() {
		return m.tooSmallView()
	}
	st := m.env.styles
	title := st.Title.Render("patchbay")
	for _, s := range m.stack[1:] {
		// Titles hold names, which an imported file or an old database
		// may have filled with anything.
		title += st.Faint.Render(" › ") + st.Text.Render(connection.CleanText(s.Title()))
	}
	if m.env.opts.Demo {
		title += "  " + st.Badge.Render("DEMO") + st.Faint.Render("  a throwaway database and an httpbin on 127.0.0.1 — nothing here is kept")
	}
	header := st.Header.Render(title)

	var body string
	if m.showHelp {
		body = m.helpView()
	} else {
		body = m.top().View()
	}
	body = st.Body.Height(m.bodyHeight()).MaxHeight(m.bodyHeight()).Render(body)

	status := ""
	if m.status.text != "" {
		style := st.Success
		if m.status.err {
			style = st.Error
		}
		status = style.Render(connection.CleanText(m.status.text)) // they quote names and servers
	}
	// help cuts the line with an ellipsis, but where the ellipsis itself
	// would not fit it keeps every binding (bubbles v1.0.0): cut it again.
	footer := truncate(m.footerView(), m.help.Width)
	return lipgloss.JoinVertical(lipgloss.Left,
		header, "",
		body,
		st.StatusLine.Render(truncate(status, m.width-2)),
		st.Footer.Render(footer),
	)
}

// footerKeys are the top screen's bindings plus the global ones.
func (m Model) footerKeys() []key.Binding {
	k := m.env.keys
	if m.showHelp {
		return []key.Binding{withHelp(k.Back, "esc", "close help")}
	}
	keys := append([]key.Binding{}, m.top().Keys()...)
	keys = append(keys, k.Help)
	if len(m.stack) == 1 {
		keys = append(keys, k.Quit)
	}
	return keys
}

// footerView is the footer's keys in one line. When they do not all fit,
// the screen's last ones give way, not "? help" and "q quit", which say
// how to find the rest and how to leave.
func (m Model) footerView() string {
	keys := m.footerKeys()
	global := 1 // ? help
	if !m.showHelp && len(m.stack) == 1 {
		global = 2 // and q quit
	}
	if m.showHelp || len(keys) <= global {
		return m.help.ShortHelpView(keys)
	}
	wide := m.help
	wide.Width = 0 // measure, do not cut
	for n := len(keys) - global; n > 0; n-- {
		shown := append(append([]key.Binding{}, keys[:n]...), keys[len(keys)-global:]...)
		if n < len(keys)-global {
			shown = append(append(shown[:n:n], withHelp(key.NewBinding(key.WithKeys("?")), "…", "more")), keys[len(keys)-global:]...)
		}
		if v := wide.ShortHelpView(shown); lipgloss.Width(v) <= m.help.Width {
			return v
		}
	}
	return m.help.ShortHelpView(keys)
}

func (m Model) helpView() string {
	k := m.env.keys
	st := m.env.styles
	global := []key.Binding{k.Up, k.Down, k.Enter, k.NextField, k.PrevField, k.Back, k.Help, k.HelpAnywhere, k.Quit, k.ForceQuit}
	var b strings.Builder
	b.WriteString(st.SectionTitle.Render("Keys on this screen — "+screenName(m.top())) + "\n\n")
	b.WriteString(m.help.FullHelpView([][]key.Binding{m.top().Keys()}))
	b.WriteString("\n\n" + st.SectionTitle.Render("Everywhere") + "\n\n")
	b.WriteString(m.help.FullHelpView([][]key.Binding{global[:5], global[5:]}))
	b.WriteString("\n\n" + st.Faint.Render("While typing in a field, letters (and ?) are text: f1 opens this help there."))
	return st.Header.Render(b.String())
}

func screenName(s screen) string {
	if t := s.Title(); t != "" {
		return t
	}
	return "Home"
}

// withHelp copies a binding with other help text.
func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// truncate cuts s (which may hold styles) to width cells, adding an ellipsis.
func truncate(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// clearStatus empties the status line once what it said no longer holds.
func clearStatus() tea.Msg { return statusMsg{} }

// errStatus turns an error into a status line.
func errStatus(format string, args ...any) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: fmt.Sprintf(format, args...), err: true} }
}
