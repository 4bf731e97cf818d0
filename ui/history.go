package ui

// The History tab of the home screen: the newest runs of every action.

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// historyLimit is how many of the newest runs the History tab lists.
const historyLimit = 500

// deletedConnection names the connection of a run whose connection is gone.
const deletedConnection = "(deleted connection)"

// visibleRuns are the runs of actions that still exist (a deleted action's
// runs went with it; one deleted since the lists loaded is left out) whose
// action's name matches the filter.
func (h *home) visibleRuns() []store.RunSummary {
	match := h.matcher()
	return filtered(h.runs, func(r store.RunSummary) bool {
		a, ok := h.actionByID(r.ActionID)
		return ok && match(a.Name)
	})
}

func (h *home) selectedRun() (store.RunSummary, bool) {
	v := h.visibleRuns()
	if len(v) == 0 {
		return store.RunSummary{}, false
	}
	return v[h.cursor[tabHistory]], true
}

func (h *home) selectRun(id uint64) {
	for i, r := range h.visibleRuns() {
		if r.ID == id {
			h.cursor[tabHistory] = i
		}
	}
}

func (h *home) actionByID(id uint64) (store.ActionSummary, bool) {
	i, ok := h.byID[id]
	if !ok {
		return store.ActionSummary{}, false
	}
	return h.actions[i], true
}

func (h *home) historyKeys() []key.Binding {
	k := h.env.keys
	if _, ok := h.selectedRun(); !ok {
		return nil
	}
	return []key.Binding{withHelp(k.Enter, "enter", "open run"), withHelp(k.Run, "r", "run again")}
}

func (h *home) historyKey(msg tea.KeyMsg) tea.Cmd {
	k := h.env.keys
	run, ok := h.selectedRun()
	if !ok {
		return nil
	}
	a, _ := h.actionByID(run.ActionID)
	switch {
	case key.Matches(msg, k.Enter):
		return h.openAction(a.ID, useOpenRun, run)
	case key.Matches(msg, k.Run):
		if _, ok := h.connByID(run.ConnectionID); !ok {
			return rerunGone(a.Name)
		}
		return h.openAction(a.ID, useRerunRun, run)
	}
	return nil
}

// rerun runs a again with the values of one of its runs, through the
// connection that run went through; redacted values are asked for again.
func rerun(e *env, a wizard.Action, connID uint64, vars map[string]string, conns []connection.Connection) tea.Cmd {
	for _, c := range conns {
		if c.ID == connID {
			return push(newRerunWith(e, c, a, conns, vars))
		}
	}
	return rerunGone(a.Name)
}

// rerunGone says a run cannot be run again, its connection deleted.
func rerunGone(action string) tea.Cmd {
	return errStatus("This run cannot be run again: its connection was deleted. Run '%s' from the Actions tab (2) instead.", action)
}

// connName is the name of the connection with id, or says it is gone.
func connName(conns []connection.Connection, id uint64) string {
	for _, c := range conns {
		if c.ID == id {
			return c.Name
		}
	}
	return deletedConnection
}

// runOutcome is a run's status line, or its error, sanitized and styled.
func runOutcome(st *Styles, r store.RunSummary) string {
	if r.Status != 0 {
		text := r.StatusText
		if text == "" {
			text = fmt.Sprint(r.Status)
		}
		return st.status(r.Status).Render(connection.CleanText(text))
	}
	if r.Err == "" {
		return st.Faint.Render("no response")
	}
	return st.Error.Render("✗ " + connection.CleanText(r.Err))
}

func runDuration(r store.RunSummary) string {
	if r.Status == 0 {
		return "-"
	}
	return formatDuration(r.Duration)
}

func (h *home) historyView(height int) string {
	st := h.env.styles
	runs := h.visibleRuns()
	if len(runs) == 0 {
		if len(h.runs) > 0 && h.filter.Value() != "" {
			return st.EmptyState.Render("No run matches the filter. esc clears it.")
		}
		return st.EmptyState.Render("No runs yet.\n\nRun an action (2, then r) and it shows up here, newest first.")
	}
	first, last, cursor := window(len(runs), h.cursor[tabHistory], height)
	t := table{st: &st, headers: []string{"WHEN", "ACTION", "CONNECTION", "STATUS", "DURATION"}, cursor: cursor, width: h.width - 2, height: height}
	now := h.env.now()
	for _, r := range runs[first:last] {
		a, _ := h.actionByID(r.ActionID)
		conn := connName(h.conns, r.ConnectionID)
		if conn == deletedConnection {
			conn = st.Warning.Render(conn)
		}
		t.rows = append(t.rows, []string{Ago(r.At, now), a.Name, conn, runOutcome(&st, r), runDuration(r)})
	}
	return t.View()
}
