package ui

import (
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/wizard"
)

// exportView shows an action, or a run of it, as a curl command and as an
// HTTPie one (tab switches): secrets are $ENV placeholders, never their
// values; y copies the command shown with OSC 52 when PATCHBAY_OSC52=1.
type exportView struct {
	env      *env
	title    string
	curl     wizard.Export
	httpie   wizard.Export
	asHTTPie bool
	vp       viewport.Model

	// osc52 is whether y may set the clipboard, through clipboard.
	osc52     bool
	clipboard io.Writer

	width, height int
}

// newExportView writes a through conn as commands; vars are the values of
// its variables (a run's: a secret one was kept as connection.Redacted
// and stays a placeholder), nil for none.
func newExportView(e *env, conn connection.Connection, a wizard.Action, vars map[string]string, title string) *exportView {
	opts := wizard.ExportOptions{Vars: vars}
	return &exportView{
		env: e, title: title,
		curl:   wizard.CurlCommand(conn, a, opts),
		httpie: wizard.HTTPieCommand(conn, a, opts),
		vp:     viewport.New(0, 0),
		osc52:  osc52On(os.Getenv), clipboard: os.Stdout,
	}
}

func (v *exportView) Init() tea.Cmd { return nil }

func (v *exportView) Title() string { return v.title }

func (v *exportView) Capturing() bool { return false }

func (v *exportView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.vp.Width, v.vp.Height = max(w-4, 10), max(h-4, 1)
	v.refresh()
}

func (v *exportView) Keys() []key.Binding {
	k := v.env.keys
	tool := "HTTPie"
	if v.asHTTPie {
		tool = "curl"
	}
	return []key.Binding{withHelp(k.SwitchTab, "tab", "as "+tool), k.Copy, withHelp(k.Up, "↑/↓", "scroll"), k.Back}
}

// shown is the export on screen.
func (v *exportView) shown() (wizard.Export, string) {
	if v.asHTTPie {
		return v.httpie, "HTTPie command"
	}
	return v.curl, "curl command"
}

func (v *exportView) Update(msg tea.Msg) (screen, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return v, nil
	}
	k := v.env.keys
	switch {
	case key.Matches(km, k.Back):
		return v, pop("")
	case key.Matches(km, k.SwitchTab):
		v.asHTTPie = !v.asHTTPie
		v.refresh()
		v.vp.GotoTop()
		return v, nil
	case key.Matches(km, k.Copy):
		ex, what := v.shown()
		if !v.osc52 {
			return v, errStatus("copy needs PATCHBAY_OSC52=1 (your terminal must allow OSC 52); select the command with the mouse instead")
		}
		return v, copyCmd(v.clipboard, []byte(ex.Command), "the "+what)
	}
	scroll(&v.vp, km, &v.env.keys)
	return v, nil
}

// refresh lays the command, the variables it reads and the notes out in
// the viewport. The command is cleaned, though it holds no control
// character: the export writes them as $'\x1b' escapes.
func (v *exportView) refresh() {
	st := v.env.styles
	ex, _ := v.shown()
	width := max(v.vp.Width, 20)
	var b strings.Builder
	b.WriteString(connection.CleanText(ex.Command) + "\n")
	if len(ex.Env) > 0 {
		b.WriteString("\n" + st.SectionTitle.Render("Set first") + st.Faint.Render("  (the command reads them; secrets are never written in it)") + "\n")
		for _, env := range ex.Env {
			b.WriteString(ansi.Wrap(st.Accent.Render("$")+connection.CleanText(env), width, " ") + "\n")
		}
	}
	if len(ex.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range ex.Notes {
			b.WriteString(st.Faint.Render(ansi.Wrap("• "+connection.CleanText(n), width, " ")) + "\n")
		}
	}
	v.vp.SetContent(strings.TrimRight(b.String(), "\n"))
}

func (v *exportView) View() string {
	st := v.env.styles
	tabs := []string{"curl", "HTTPie"}
	var head strings.Builder
	head.WriteString(" ")
	for i, t := range tabs {
		if (i == 1) == v.asHTTPie {
			head.WriteString(st.ButtonFocused.Render("[" + t + "]"))
		} else {
			head.WriteString(st.Faint.Render(" " + t + " "))
		}
		head.WriteString(" ")
	}
	return head.String() + "\n\n" + st.Indent.Render(v.vp.View())
}

// export opens the run as a command: the action with the values it ran
// with, through the connection it went through (the action's own when that
// one was deleted). Secret values were not kept: they are placeholders.
func (h *historyRun) export() tea.Cmd {
	conn := h.conn
	if conn == nil {
		for i := range h.conns {
			if h.conns[i].ID == h.action.ConnectionID {
				conn = &h.conns[i]
			}
		}
	}
	if conn == nil {
		return errStatus("The run's connection and the action's are both gone, so there is no URL to export.")
	}
	// The run's screen is already in the title: this one only adds to it.
	return push(newExportView(h.env, *conn, h.action, h.sum.Vars, "as a command"))
}
