package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
)

// connPicker asks which connection a new action is for.
type connPicker struct {
	env    *env
	conns  []connection.Connection
	taken  map[string]uint64
	cursor int
	width  int
	height int
}

func newConnPicker(e *env, conns []connection.Connection, taken map[string]uint64) *connPicker {
	return &connPicker{env: e, conns: conns, taken: taken}
}

func (p *connPicker) Init() tea.Cmd    { return nil }
func (p *connPicker) Title() string    { return "New action: choose a connection" }
func (p *connPicker) SetSize(w, h int) { p.width, p.height = w, h }
func (p *connPicker) Capturing() bool  { return false }
func (p *connPicker) Keys() []key.Binding {
	k := p.env.keys
	return []key.Binding{k.Up, k.Down, withHelp(k.Enter, "enter", "choose"), k.Back}
}

func (p *connPicker) Update(msg tea.Msg) (screen, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return p, nil
	}
	k := p.env.keys
	switch {
	case key.Matches(km, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(km, k.Down):
		p.cursor = min(p.cursor+1, len(p.conns)-1)
	case key.Matches(km, k.Enter):
		c := p.conns[p.cursor]
		return p, tea.Sequence(pop(""), push(newWizardScreen(p.env, c, nil, p.taken)))
	case key.Matches(km, k.Back):
		return p, pop("")
	}
	return p, nil
}

func (p *connPicker) View() string {
	st := p.env.styles
	t := table{st: &st, headers: []string{"CONNECTION", "AUTH", "BASE URL"}, cursor: p.cursor, width: p.width - 2, height: p.height - 2}
	for _, c := range p.conns {
		t.rows = append(t.rows, []string{c.Name, c.Auth.Type.Title(), c.BaseURL})
	}
	return " " + st.Faint.Render("Which connection is the new action for?") + "\n\n" + t.View()
}
