package ui

// How a replay screen starts: r asks, R repeats the last run's values, a
// history run its own; and which connections an action can run through.

import (
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/wizard"
)

// lastValuesMsg carries the variables of an action's newest run.
type lastValuesMsg struct {
	actionID uint64
	vars     map[string]string
	err      error
}

// replayStart says what a replay screen does when it opens.
type replayStart int

const (
	// startAsk (r): the form, with defaults and then the last run's values
	// filled in; it sends at once only when the action has no variables.
	startAsk replayStart = iota
	// startLast (R): the last run's values, sent at once when they are
	// complete; otherwise the form asks for what is missing.
	startLast
	// startWith: the values given (a run from the history), sent at once
	// when they are complete.
	startWith
)

// redactedNames lists, sorted, the variables whose value history
// redacted.
func redactedNames(vals map[string]string) []string {
	var out []string
	for k, v := range vals {
		if v == connection.Redacted {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// usableValues drops the values history redacted: they must be typed again.
func usableValues(vals map[string]string) map[string]string {
	out := make(map[string]string, len(vals))
	for k, v := range vals {
		if v != connection.Redacted {
			out[k] = v
		}
	}
	return out
}

// fitting returns own and then every other connection a's URL resolves
// against: a relative URL fits any connection, an absolute one only those
// whose base URL has its host.
func fitting(a wizard.Action, own connection.Connection, conns []connection.Connection) []connection.Connection {
	out := []connection.Connection{own}
	for _, c := range conns {
		if c.ID != own.ID && a.FitsConnection(c) {
			out = append(out, c)
		}
	}
	return out
}

// connectionKey is the key of the connection picker's field: not a
// variable name, so a variable named "connection" keeps its own field.
const connectionKey = "@connection"

func (r *replay) Init() tea.Cmd {
	if r.seq != 0 {
		return nil
	}
	hasVars := len(r.action.Variables()) > 0
	switch {
	case !hasVars:
		return r.send()
	case r.start == startWith:
		return r.sendIfComplete()
	}
	st, id := r.env.st, r.action.ID
	return func() tea.Msg {
		runs, err := st.RunsOf(id, 1)
		if err != nil || len(runs) == 0 {
			return lastValuesMsg{actionID: id, err: err}
		}
		return lastValuesMsg{actionID: id, vars: runs[0].Vars}
	}
}

// fillLast puts the last run's values in the fields the user has not
// touched, and for R sends when they are complete.
func (r *replay) fillLast(msg lastValuesMsg) tea.Cmd {
	r.redacted = redactedNames(msg.vars)
	if r.vars != nil {
		for name, v := range usableValues(msg.vars) {
			fl := r.vars.field(name)
			if fl == nil || name == connectionKey || fl.value() != r.typed[name] {
				continue
			}
			fl.input.SetValue(v)
		}
	}
	if r.start != startLast {
		return nil
	}
	if msg.err != nil {
		return errStatus("could not read the last run: %v", msg.err)
	}
	return r.sendIfComplete()
}

// sendIfComplete sends when the values resolve; otherwise it leaves the
// form up and says what is missing.
func (r *replay) sendIfComplete() tea.Cmd {
	for _, name := range r.redacted {
		if r.vars != nil && r.vars.field(name) != nil {
			r.vars.focusKey(name)
			return errStatus("The history does not keep the value of {{%s}}: type it again, then ctrl+s.", name)
		}
	}
	if _, err := r.action.Resolve(r.values()); err != nil {
		return errStatus("%s", connection.CleanText(err.Error()))
	}
	return r.send()
}
