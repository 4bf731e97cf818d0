package ui

// The home screen's lists: what is read, in which order, and which of it
// shows through the filter. The first frame needs the connections alone;
// the actions' summaries come next, the newest runs only while the History
// tab is open.

import (
	"runtime/debug"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/sahilm/fuzzy"

	"patchbay/connection"
	"patchbay/store"
)

// connectionsLoadedMsg carries what the Connections tab shows, the home
// screen's first frame: it waits for nothing else.
type connectionsLoadedMsg struct {
	conns      []connection.Connection
	tokens     map[uint64]connection.Token // OAuth2 connections' tokens, for their status
	tests      map[uint64]store.LastTest   // each connection's last test
	secretMode string
	gen        int // the load it answers; see home.loadGen
	err        error
}

// actionsLoadedMsg carries the actions' summaries, read after the
// connections: a list needs no action whole.
type actionsLoadedMsg struct {
	actions []store.ActionSummary
	gen     int
	err     error
}

// runsLoadedMsg carries the History tab's runs, read only while it is open.
type runsLoadedMsg struct {
	runs []store.RunSummary // the newest runs, newest first
	gen  int
	err  error
}

// load reads the lists in order: connections, actions, and the runs when
// the History tab is open.
// Each load has a generation: lists from an older one, overtaken by a
// newer load in flight, are dropped rather than shown over newer ones.
func (h *home) load() tea.Cmd {
	h.loadGen++
	gen := h.loadGen
	cmds := []tea.Cmd{loadConnections(h.env.st, gen), loadActions(h.env.st, gen)}
	if h.tab == tabHistory {
		cmds = append(cmds, loadRuns(h.env.st, gen))
	}
	return tea.Sequence(cmds...)
}

func loadConnections(st *store.Store, gen int) tea.Cmd {
	return func() tea.Msg {
		conns, err := st.Connections()
		if err != nil {
			return connectionsLoadedMsg{gen: gen, err: err}
		}
		tokens := map[uint64]connection.Token{}
		for i := range conns {
			// Every connection the screens send with keeps its tokens here.
			conns[i].Tokens = st
			if isOAuth2(conns[i].Auth.Type) {
				if t, err := st.LoadToken(conns[i].ID); err == nil {
					tokens[conns[i].ID] = t
				}
			}
		}
		tests, err := st.LastTests()
		return connectionsLoadedMsg{conns: conns, tokens: tokens, tests: tests, secretMode: st.SecretMode(), gen: gen, err: err}
	}
}

func loadActions(st *store.Store, gen int) tea.Cmd {
	return func() tea.Msg {
		actions, err := st.ActionSummaries()
		return actionsLoadedMsg{actions: actions, gen: gen, err: err}
	}
}

func loadRuns(st *store.Store, gen int) tea.Cmd {
	return func() tea.Msg {
		runs, err := st.History(historyLimit)
		return runsLoadedMsg{runs: runs, gen: gen, err: err}
	}
}

func (h *home) handleConnectionsLoaded(msg connectionsLoadedMsg) tea.Cmd {
	if msg.gen != h.loadGen {
		return nil
	}
	if msg.err != nil {
		return errStatus("could not read the connections: %v", msg.err)
	}
	h.conns, h.connsLoaded = msg.conns, true
	h.tokens = msg.tokens
	h.verdicts = msg.tests
	h.secretMode = msg.secretMode
	h.clampCursor()
	return nil
}

func (h *home) handleActionsLoaded(msg actionsLoadedMsg) tea.Cmd {
	if msg.gen != h.loadGen {
		return nil
	}
	if msg.err != nil {
		return errStatus("could not read the actions: %v", msg.err)
	}
	h.setActions(msg.actions)
	h.actionsLoaded = true
	if h.selectID != 0 {
		h.selectAction(h.selectID)
		h.selectID = 0
	}
	h.clampCursor()
	return h.freeOnce(&h.env.startFreed)
}

// freeOnce returns to the system what starting left behind, the first
// time the actions (done) and the history (done) are on screen: the
// package inits of the libraries (kin-openapi's JSON Schema tables alone
// allocate 1.7 MB) and reading the lists are garbage the collector would
// not get to while the program idles, since the heap is below its first
// target. About 1 MB of idle RSS (BENCHMARKS.md); one collection of a
// small heap, in a Cmd.
func (h *home) freeOnce(done *bool) tea.Cmd {
	if *done {
		return nil
	}
	*done = true
	return func() tea.Msg {
		debug.FreeOSMemory()
		return nil
	}
}

func (h *home) handleRunsLoaded(msg runsLoadedMsg) tea.Cmd {
	if msg.gen != h.loadGen {
		return nil
	}
	if msg.err != nil {
		return errStatus("could not read the history: %v", msg.err)
	}
	selected, hadRun := h.selectedRun()
	h.runs, h.runsLoaded = msg.runs, true
	if hadRun && h.cursor[tabHistory] > 0 {
		// New runs come in on top. A cursor on the newest run stays on
		// top, on the new newest; one moved down to an older run stays on
		// that run.
		h.selectRun(selected.ID)
	}
	h.clampCursor()
	return h.freeOnce(&h.env.runsFreed)
}

// setActions replaces the actions list and its index.
func (h *home) setActions(list []store.ActionSummary) {
	h.actions = list
	h.byID = make(map[uint64]int, len(list))
	h.names = make([]string, len(list))
	for i, a := range list {
		h.byID[a.ID] = i
		h.names[i] = a.Name
	}
	h.shown = shownActions{}
}

// showTab switches to t; the History tab reads the newest runs each time
// it opens, and never before.
func (h *home) showTab(t homeTab) tea.Cmd {
	was := h.tab
	h.tab = t
	if t == tabHistory && was != tabHistory {
		return loadRuns(h.env.st, h.loadGen)
	}
	return nil
}

func (h *home) matches(name string) bool { return h.matcher()(name) }

// The filter is fuzzy, as in fzf: a name matches when it holds the
// filter's letters in order, in any case ("gcu" finds "Get current
// user"); connections and actions are ranked best match first
// (github.com/sahilm/fuzzy: consecutive letters and the starts of words
// count most). Runs keep their order, newest first.

// filterText is what the filter holds, trimmed.
func (h *home) filterText() string { return strings.TrimSpace(h.filter.Value()) }

// matcher tells the names the filter keeps.
func (h *home) matcher() func(name string) bool {
	f := h.filterText()
	if f == "" {
		return func(string) bool { return true }
	}
	return func(name string) bool { return len(fuzzy.Find(f, []string{name})) > 0 }
}

// ranked returns the items whose names the filter matches, best first;
// names[i] is the name of items[i].
func ranked[T any](filter string, items []T, names []string) []T {
	matches := fuzzy.Find(filter, names)
	out := make([]T, len(matches))
	for i, m := range matches {
		out[i] = items[m.Index]
	}
	return out
}

func (h *home) visibleConns() []connection.Connection {
	f := h.filterText()
	if f == "" {
		return h.conns
	}
	names := make([]string, len(h.conns))
	for i, c := range h.conns {
		names[i] = c.Name
	}
	return ranked(f, h.conns, names)
}

// shownActions remembers which actions a filter kept.
type shownActions struct {
	valid  bool
	filter string
	list   []store.ActionSummary
}

// visibleActions are the actions the filter keeps, best match first. It
// is asked several times a keystroke, of up to 10,000 actions, so the
// answer is kept until the filter or the list changes, and a filter typed
// on from the last one ranks only the last one's matches.
func (h *home) visibleActions() []store.ActionSummary {
	f := h.filterText()
	if f == "" {
		return h.actions
	}
	if h.shown.valid && h.shown.filter == f {
		return h.shown.list
	}
	items, names := h.actions, h.names
	if h.shown.valid && strings.HasPrefix(f, h.shown.filter) {
		// A letter typed at the end: every match is among the last
		// matches, so only those are ranked again.
		items = h.shown.list
		names = make([]string, len(items))
		for i, a := range items {
			names[i] = a.Name
		}
	}
	list := ranked(f, items, names)
	h.shown = shownActions{valid: true, filter: f, list: list}
	return list
}

// filtered returns the items keep says yes to, in order.
func filtered[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}
