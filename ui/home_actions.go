package ui

// The Actions tab's keys: run, repeat, edit, copy, rename, delete. The
// list holds summaries; a key that needs the action whole reads it in a
// command (openAction) and acts when it arrives (handleOpened).

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// actionCopiedMsg is the outcome of duplicating an action (c).
type actionCopiedMsg struct {
	from   string
	action wizard.Action
	err    error
}

// actionRenamedMsg is the outcome of renaming an action (m).
type actionRenamedMsg struct {
	from   string
	action wizard.Action
	err    error
}

// actionUse is what an action is read whole for.
type actionUse int

const (
	useRun       actionUse = iota // r, enter on the Actions tab
	useRerunLast                  // R
	useEdit                       // e
	useOpenRun                    // enter on a History row: the run's screen
	useRerunRun                   // r on a History row: run again with its values
	useExport                     // X: as a curl or HTTPie command
)

func (u actionUse) String() string {
	return [...]string{"run", "run again", "edit", "open a run of", "run again", "export"}[u]
}

// actionOpenedMsg carries an action read whole for a key on a list.
type actionOpenedMsg struct {
	seq    int
	use    actionUse
	run    store.RunSummary // the History row, for useOpenRun and useRerunRun
	action wizard.Action
	err    error
}

// openAction reads the action with id whole, for use; only the result of
// the latest such read is acted on.
func (h *home) openAction(id uint64, use actionUse, run store.RunSummary) tea.Cmd {
	h.opening++
	st, seq := h.env.st, h.opening
	return func() tea.Msg {
		a, err := st.Action(id)
		return actionOpenedMsg{seq: seq, use: use, run: run, action: a, err: err}
	}
}

// handleOpened opens the screen the action was read for.
func (h *home) handleOpened(msg actionOpenedMsg) tea.Cmd {
	if msg.seq != h.opening {
		return nil // a later key asked for another
	}
	a := msg.action
	if msg.err != nil {
		return errStatus("could not %s the action: %v", msg.use, msg.err)
	}
	switch msg.use {
	case useOpenRun:
		return push(newHistoryRun(h.env, msg.run, a, h.conns))
	case useRerunRun:
		return rerun(h.env, a, msg.run.ConnectionID, msg.run.Vars, h.conns)
	}
	conn, found := h.connByID(a.ConnectionID)
	if !found {
		return errStatus("action '%s' has no connection", a.Name)
	}
	switch msg.use {
	case useRerunLast:
		return push(newRerunLast(h.env, conn, a, h.conns))
	case useEdit:
		return push(newWizardScreen(h.env, conn, &a, h.actionNames()))
	case useExport:
		return push(newExportView(h.env, conn, a, nil, "'"+a.Name+"' as a command"))
	}
	return push(newReplay(h.env, conn, a, h.conns))
}

func (h *home) actionKey(msg tea.KeyMsg) tea.Cmd {
	k := h.env.keys
	a, ok := h.selectedAction()
	if !ok {
		return nil
	}
	// open reads the action whole for a screen that sends through its
	// connection.
	open := func(use actionUse) tea.Cmd {
		if _, found := h.connByID(a.ConnectionID); !found {
			return errStatus("action '%s' has no connection", a.Name)
		}
		return h.openAction(a.ID, use, store.RunSummary{})
	}
	switch {
	case key.Matches(msg, k.Run, k.Enter):
		return open(useRun)
	case key.Matches(msg, k.RerunLast):
		return open(useRerunLast)
	case key.Matches(msg, k.Duplicate):
		return duplicateAction(h.env.st, a.ID)
	case key.Matches(msg, k.Rename):
		return h.startRename(a)
	case key.Matches(msg, k.Edit):
		return open(useEdit)
	case key.Matches(msg, k.Export):
		return open(useExport)
	case key.Matches(msg, k.Delete):
		st := h.env.st
		h.askDelete(fmt.Sprintf("action '%s'", a.Name), func() error { return st.DeleteAction(a.ID) })
	}
	return nil
}

// duplicateAction saves a copy of the action with id, its history not
// copied, named "NAME copy" or "NAME copy 2" ..., the first that is free.
func duplicateAction(st *store.Store, id uint64) tea.Cmd {
	return func() tea.Msg {
		a, err := st.Action(id)
		if err != nil {
			return actionCopiedMsg{err: err}
		}
		// Another patchbay may take the free name first: then the next.
		for range 3 {
			names, err := st.ActionNames()
			if err != nil {
				return actionCopiedMsg{from: a.Name, err: err}
			}
			taken := make(map[string]bool, len(names))
			for _, n := range names {
				taken[strings.ToLower(n.Name)] = true
			}
			cp := a
			cp.ID = 0
			cp.Name = a.Name + " copy"
			for i := 2; taken[strings.ToLower(cp.Name)]; i++ {
				cp.Name = fmt.Sprintf("%s copy %d", a.Name, i)
			}
			err = st.CreateAction(&cp)
			if !errors.Is(err, store.ErrDuplicateName) {
				return actionCopiedMsg{from: a.Name, action: cp, err: err}
			}
		}
		return actionCopiedMsg{from: a.Name, err: fmt.Errorf("no free name for a copy of '%s'", a.Name)}
	}
}

func (h *home) handleCopied(msg actionCopiedMsg) tea.Cmd {
	if msg.err != nil {
		return errStatus("could not duplicate the action: %v", msg.err)
	}
	status := func() tea.Msg {
		return statusMsg{text: fmt.Sprintf("Duplicated '%s' as '%s'", msg.from, msg.action.Name)}
	}
	return tea.Batch(h.showAction(msg.action), status)
}

// renaming is the inline name input of an action being renamed.
type renaming struct {
	id    uint64
	from  string
	input textinput.Model
	err   string // why the name typed cannot be saved
}

func (h *home) startRename(a store.ActionSummary) tea.Cmd {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 200
	in.Width = 30
	in.Cursor.SetMode(cursor.CursorStatic)
	in.SetValue(a.Name)
	in.CursorEnd()
	h.rename = &renaming{id: a.ID, from: a.Name, input: in}
	return h.rename.input.Focus()
}

// renameKey edits the name; enter saves it when it is not empty nor
// another action's, esc gives up. A refused name stays as typed.
func (h *home) renameKey(msg tea.KeyMsg) tea.Cmd {
	k, r := h.env.keys, h.rename
	switch {
	case key.Matches(msg, k.Back):
		h.rename = nil
		return nil
	case key.Matches(msg, k.Enter):
		name := strings.TrimSpace(r.input.Value())
		if other, taken := h.actionNames()[strings.ToLower(name)]; name == "" {
			r.err = "An action needs a name."
			return nil
		} else if taken && other != r.id {
			a, _ := h.actionByID(other)
			r.err = fmt.Sprintf("An action named '%s' already exists: pick another name.", a.Name)
			return nil
		}
		if name == r.from {
			h.rename = nil
			return nil
		}
		st, id, from := h.env.st, r.id, r.from
		return func() tea.Msg {
			a, err := st.Action(id)
			if err != nil {
				return actionRenamedMsg{from: from, err: err}
			}
			a.Name = name
			err = st.UpdateAction(&a)
			return actionRenamedMsg{from: from, action: a, err: err}
		}
	}
	var cmd tea.Cmd
	r.input, cmd = r.input.Update(msg)
	r.err = ""
	return cmd
}

func (h *home) handleRenamed(msg actionRenamedMsg) tea.Cmd {
	if msg.err != nil {
		if h.rename != nil {
			// The store's word (a name taken meanwhile), the typing kept.
			h.rename.err = connection.CleanText(msg.err.Error())
			return nil
		}
		return errStatus("could not rename '%s': %v", msg.from, msg.err)
	}
	h.rename = nil
	status := func() tea.Msg {
		return statusMsg{text: fmt.Sprintf("Renamed '%s' to '%s'", msg.from, msg.action.Name)}
	}
	return tea.Batch(h.showAction(msg.action), status)
}

// newAction starts the wizard on the only connection, or asks which one.
func (h *home) newAction() tea.Cmd {
	switch len(h.conns) {
	case 0:
		return errStatus("Add a connection first: press 1, then n")
	case 1:
		return push(newWizardScreen(h.env, h.conns[0], nil, h.actionNames()))
	}
	return push(newConnPicker(h.env, h.conns, h.actionNames()))
}

// actionNames maps the lower-cased names of the loaded actions to their IDs.
func (h *home) actionNames() map[string]uint64 {
	names := make(map[string]uint64, len(h.actions))
	for _, a := range h.actions {
		names[strings.ToLower(strings.TrimSpace(a.Name))] = a.ID
	}
	return names
}
