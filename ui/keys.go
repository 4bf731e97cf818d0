package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every binding of DESIGN.md §3. Screens enable the ones that apply
// to them; a disabled binding neither matches nor shows in help.
type KeyMap struct {
	Up, Down            key.Binding
	Enter               key.Binding
	NextField           key.Binding
	PrevField           key.Binding
	Back                key.Binding
	Help                key.Binding
	HelpAnywhere        key.Binding
	ArrowUp, ArrowDown  key.Binding
	Quit                key.Binding
	ForceQuit           key.Binding
	New, Edit, Delete   key.Binding
	Filter              key.Binding
	Run, Test           key.Binding
	Connect, ClearToken key.Binding
	Tab1, Tab2, Tab3    key.Binding
	SwitchTab           key.Binding
	RerunLast           key.Binding // actions: repeat the last run, its values again
	Duplicate, Rename   key.Binding // actions: copy one under a free name, rename one
	Drift               key.Binding // a run from the history: its drift or its response
	Export              key.Binding // an action or a run as a curl or HTTPie command
	Listen              key.Binding // a None-auth connection: receive webhooks
	Send, Save          key.Binding
	SaveBody            key.Binding
	NextStep, PrevStep  key.Binding
	Apply               key.Binding
	Editor              key.Binding
	Yes, No             key.Binding
	Left, Right         key.Binding
	Toggle              key.Binding
	Reveal              key.Binding
	Accept              key.Binding
	OpenAPI             key.Binding // step 1: the operations of the connection's OpenAPI document
	Variables           key.Binding // step 3: turn values into variables
	Unvariable          key.Binding // in that list: a variable back to its value
	PageUp, PageDown    key.Binding
	Cancel              key.Binding
	// The response pane: its tabs, search, JSON path filter, copy, save
	// (SaveBody's w stays as an alias of SaveFile's s).
	PrevTab, NextTab     key.Binding
	Top, Bottom          key.Binding
	Search               key.Binding
	NextMatch, PrevMatch key.Binding
	JSONPath             key.Binding
	Copy                 key.Binding
	SaveFile             key.Binding
}

// DefaultKeyMap returns a fresh keymap; each program gets its own copy.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		// f1 opens help even while typing, where ? is text.
		HelpAnywhere: key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help while typing")),
		// Arrows alone move between fields; k and j are letters there.
		ArrowUp:    key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous field")),
		ArrowDown:  key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next field")),
		Quit:       key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		New:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Edit:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Run:        key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run")),
		Test:       key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test")),
		Connect:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "connect")),
		ClearToken: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "clear token")),
		Tab1:       key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "connections")),
		Tab2:       key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "actions")),
		Tab3:       key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "history")),
		SwitchTab:  key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "switch tab")),
		RerunLast:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "repeat")),
		Duplicate:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Rename:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "rename")),
		Drift:      key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "drift")),
		Export:     key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "as curl/HTTPie")),
		Listen:     key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "listen for webhooks")),
		Send:       key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send")),
		Save:       key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		SaveBody:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write body to a file")),
		NextStep:   key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "next step")),
		PrevStep:   key.NewBinding(key.WithKeys("ctrl+b"), key.WithHelp("ctrl+b", "previous step")),
		Apply:      key.NewBinding(key.WithKeys("enter", "ctrl+n"), key.WithHelp("enter", "apply")),
		Editor:     key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "edit in $EDITOR")),
		Yes:        key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:         key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),
		Left:       key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous choice")),
		Right:      key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next choice")),
		Toggle:     key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "toggle")),
		Reveal:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reveal secrets")),
		Accept:     key.NewBinding(key.WithKeys("ctrl+a"), key.WithHelp("ctrl+a", "accept recommendation")),
		OpenAPI:    key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "operations from the OpenAPI spec")),
		Variables:  key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "make values variables")),
		Unvariable: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "back to a fixed value")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel request")),
		PrevTab:    key.NewBinding(key.WithKeys("["), key.WithHelp("[", "previous tab")),
		NextTab:    key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next tab")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		NextMatch:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevMatch:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		JSONPath:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter by JSON path")),
		// OSC 52 lets any program that writes to the terminal set the
		// clipboard, so it is opt-in.
		Copy:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy (needs PATCHBAY_OSC52=1)")),
		SaveFile: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save body to a file")),
	}
}
