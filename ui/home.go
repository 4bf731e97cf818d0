package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// homeTab is one of the lists of the home screen.
type homeTab int

const (
	tabConnections homeTab = iota
	tabActions
	tabHistory
	tabCount // how many tabs there are
)

func (t homeTab) String() string {
	switch t {
	case tabActions:
		return "Actions"
	case tabHistory:
		return "History"
	}
	return "Connections"
}

// connectionTestedMsg is the verdict of a connection test.
type connectionTestedMsg struct {
	id      uint64
	at      time.Time
	verdict connection.Verdict
}

// deletedMsg reports a finished delete.
type deletedMsg struct {
	what string
	err  error
}

// actionSavedHomeMsg tells home an action was saved: it shows the Actions
// tab with that action selected at once, before the reload confirms it, so
// no frame says "Saved" over a list that lacks it.
type actionSavedHomeMsg struct{ action wizard.Action }

// home is the start screen: Connections, Actions and History. Its lists
// load one after another, so the first frame shows the connections as soon
// as they are read: then the actions' summaries, then, only while the
// History tab is open, the newest runs. An action is read whole only when a
// key needs it (actionOpenedMsg).
type home struct {
	env     *env
	tab     homeTab
	conns   []connection.Connection
	actions []store.ActionSummary
	byID    map[uint64]int // actions' indexes by id
	names   []string       // actions' names, for the filter
	shown   shownActions   // the last visibleActions
	runs    []store.RunSummary
	cursor  [tabCount]int

	connsLoaded, actionsLoaded, runsLoaded bool

	opening int // the sequence number of the last action being read whole
	loadGen int // the generation of the latest load of the lists

	filter    textinput.Model
	filtering bool

	confirm   string  // the question being asked, "" when none
	onConfirm tea.Cmd // what y does

	rename *renaming // the action being renamed (m), nil when none

	testing  map[uint64]bool
	verdicts map[uint64]store.LastTest
	spin     spinner.Model
	selectID uint64 // select this action once lists load

	secretMode string // where the key protecting secrets lives, for the footer
	tokens     map[uint64]connection.Token

	width, height int
}

func newHome(e *env) *home {
	f := textinput.New()
	f.Prompt = "/ "
	f.Placeholder = "filter by name"
	f.Cursor.SetMode(cursor.CursorStatic)
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	return &home{env: e, filter: f, spin: sp, testing: map[uint64]bool{}, verdicts: map[uint64]store.LastTest{}}
}

// Init loads the lists; it runs again each time home is back on top, and
// drops any action still being read for a screen (see handleKey).
func (h *home) Init() tea.Cmd {
	h.opening++
	return h.load()
}

func (h *home) Title() string { return "" }

func (h *home) SetSize(w, ht int) { h.width, h.height = w, ht; h.filter.Width = w - 6 }

func (h *home) Capturing() bool { return h.filtering || h.confirm != "" || h.rename != nil }

func (h *home) Keys() []key.Binding {
	k := h.env.keys
	if h.confirm != "" {
		return []key.Binding{k.Yes, k.No}
	}
	if h.filtering {
		return []key.Binding{withHelp(k.Enter, "enter", "keep filter"), withHelp(k.Back, "esc", "clear filter")}
	}
	if h.rename != nil {
		return []key.Binding{withHelp(k.Enter, "enter", "save name"), withHelp(k.Back, "esc", "cancel")}
	}
	keys := []key.Binding{k.SwitchTab}
	switch h.tab {
	case tabConnections:
		keys = append(keys, k.New)
		if h.offersDemo() {
			keys = append(keys, withHelp(k.Delete, "d", "try the demo"))
		}
		if c, ok := h.selectedConn(); ok {
			keys = append(keys, withHelp(k.Enter, "enter", "new action"), k.Edit, k.Delete, k.Test)
			if listens(c) {
				keys = append(keys, k.Listen)
			}
			switch {
			case isOAuth2(c.Auth.Type):
				keys = append(keys, k.Connect, k.ClearToken)
			case reconnects(c.Auth.Type):
				keys = append(keys, withHelp(k.Connect, "c", "reconnect"))
			}
		}
	case tabActions:
		keys = append(keys, k.New)
		if len(h.visibleActions()) > 0 {
			keys = append(keys, withHelp(k.Run, "r/enter", "run"), k.RerunLast, k.Edit, k.Duplicate, k.Rename, k.Delete, withHelp(k.Export, "X", "curl"))
		}
	case tabHistory:
		keys = append(keys, h.historyKeys()...)
	}
	return append(keys, k.Filter)
}

func (h *home) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.MouseMsg:
		h.mouse(msg)
		return h, nil
	case connectionsLoadedMsg:
		return h, h.handleConnectionsLoaded(msg)
	case actionsLoadedMsg:
		return h, h.handleActionsLoaded(msg)
	case runsLoadedMsg:
		return h, h.handleRunsLoaded(msg)
	case actionOpenedMsg:
		return h, h.handleOpened(msg)
	case connectionTestedMsg:
		delete(h.testing, msg.id)
		h.verdicts[msg.id] = store.LastTest{OK: msg.verdict.OK, Reason: msg.verdict.Reason, At: msg.at}
		status := statusMsg{text: connection.CleanText(msg.verdict.Reason), err: !msg.verdict.OK}
		// A test of an OAuth2 connection may have fetched or renewed its
		// token: reload so the list shows it.
		return h, tea.Batch(func() tea.Msg { return status }, h.load())
	case deletedMsg:
		if msg.err != nil {
			return h, errStatus("%s", msg.err.Error())
		}
		return h, tea.Batch(h.load(), func() tea.Msg { return statusMsg{text: "Deleted " + msg.what} })
	case actionSavedHomeMsg:
		h.filter.SetValue("")
		return h, h.showAction(msg.action)
	case actionCopiedMsg:
		return h, h.handleCopied(msg)
	case actionRenamedMsg:
		return h, h.handleRenamed(msg)
	case spinner.TickMsg:
		if len(h.testing) == 0 {
			return h, nil
		}
		var cmd tea.Cmd
		h.spin, cmd = h.spin.Update(msg)
		return h, cmd
	case tea.KeyMsg:
		return h, h.handleKey(msg)
	}
	return h, nil
}

// showAction shows the Actions tab with a selected, before the reload
// confirms it, so no frame says "Saved" over a list that lacks it.
func (h *home) showAction(a wizard.Action) tea.Cmd {
	sum := store.SummarizeAction(a)
	h.upsertAction(sum)
	h.tab = tabActions
	if !h.matches(a.Name) {
		h.filter.SetValue("")
	}
	h.selectAction(a.ID)
	h.selectID = a.ID
	return h.load()
}

func (h *home) selectAction(id uint64) {
	for i, a := range h.visibleActions() {
		if a.ID == id {
			h.cursor[tabActions] = i
		}
	}
}

// upsertAction puts a in the list, replacing the one with its ID, sorted by
// name as the store sorts.
func (h *home) upsertAction(a store.ActionSummary) {
	list := slices.DeleteFunc(slices.Clone(h.actions), func(b store.ActionSummary) bool { return b.ID == a.ID })
	i, _ := slices.BinarySearchFunc(list, strings.ToLower(a.Name), func(b store.ActionSummary, name string) int {
		return strings.Compare(strings.ToLower(b.Name), name)
	})
	h.setActions(slices.Insert(list, i, a))
}

func (h *home) clampCursor() {
	n := [tabCount]int{len(h.visibleConns()), len(h.visibleActions()), len(h.visibleRuns())}
	for t := range h.cursor {
		h.cursor[t] = max(min(h.cursor[t], n[t]-1), 0)
	}
}

func (h *home) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := h.env.keys
	// Any key drops an action still being read whole for r, e or R: the
	// key may open another screen, and the read's screen must not then
	// land on top of it.
	h.opening++
	if h.confirm != "" {
		switch {
		case key.Matches(msg, k.Yes):
			cmd := h.onConfirm
			h.confirm, h.onConfirm = "", nil
			return cmd
		case key.Matches(msg, k.No):
			h.confirm, h.onConfirm = "", nil
		}
		return nil
	}
	if h.rename != nil {
		return h.renameKey(msg)
	}
	if h.filtering {
		switch {
		case key.Matches(msg, k.Back):
			h.filtering = false
			h.filter.SetValue("")
			h.filter.Blur()
		case key.Matches(msg, k.Enter):
			h.filtering = false
			h.filter.Blur()
		default:
			var cmd tea.Cmd
			h.filter, cmd = h.filter.Update(msg)
			h.clampCursor()
			return cmd
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.SwitchTab):
		step := homeTab(1)
		if key.Matches(msg, k.PrevField) {
			step = tabCount - 1
		}
		return h.showTab((h.tab + step) % tabCount)
	case key.Matches(msg, k.Tab1):
		return h.showTab(tabConnections)
	case key.Matches(msg, k.Tab2):
		return h.showTab(tabActions)
	case key.Matches(msg, k.Tab3):
		return h.showTab(tabHistory)
	case key.Matches(msg, k.Up):
		h.cursor[h.tab] = max(h.cursor[h.tab]-1, 0)
	case key.Matches(msg, k.Down):
		h.cursor[h.tab]++
		h.clampCursor()
	case key.Matches(msg, k.Filter):
		h.filtering = true
		return h.filter.Focus()
	case key.Matches(msg, k.Back):
		if h.filter.Value() != "" {
			h.filter.SetValue("")
			h.clampCursor()
		}
	case key.Matches(msg, k.New) && h.tab == tabConnections:
		return push(newConnForm(h.env, nil))
	case key.Matches(msg, k.Delete) && h.tab == tabConnections && h.offersDemo():
		h.env.demoWanted = true
		return tea.Quit
	case key.Matches(msg, k.New) && h.tab == tabActions:
		return h.newAction()
	}
	switch h.tab {
	case tabConnections:
		return h.connectionKey(msg)
	case tabActions:
		return h.actionKey(msg)
	}
	return h.historyKey(msg)
}

func (h *home) connectionKey(msg tea.KeyMsg) tea.Cmd {
	k := h.env.keys
	c, ok := h.selectedConn()
	if !ok {
		return nil
	}
	switch {
	case key.Matches(msg, k.Enter):
		return push(newWizardScreen(h.env, c, nil, h.actionNames()))
	case key.Matches(msg, k.Edit):
		return push(newConnForm(h.env, &c))
	case key.Matches(msg, k.Connect) && c.Auth.Type.IsAuthorizationCode():
		return push(newConnectScreen(h.env, c))
	case key.Matches(msg, k.ClearToken) && isOAuth2(c.Auth.Type):
		st := h.env.st
		h.confirm = fmt.Sprintf("Clear the token of '%s'? It will have to connect again. y/n", c.Name)
		h.onConfirm = func() tea.Msg {
			return deletedMsg{what: fmt.Sprintf("the token of '%s'", c.Name), err: st.ClearToken(c.ID)}
		}
	case key.Matches(msg, k.Test), key.Matches(msg, k.Connect) && (c.Auth.Type.IsClientCredentials() || reconnects(c.Auth.Type)):
		// c on a client-credentials connection fetches a token: a test
		// does. On AWS and NTLM connections it starts over: new role
		// credentials, a new handshake.
		if h.testing[c.ID] {
			return nil
		}
		if key.Matches(msg, k.Connect) {
			connection.Forget(c.ID)
		}
		h.testing[c.ID] = true
		return tea.Batch(h.spin.Tick, h.testConnection(c))
	case key.Matches(msg, k.Listen):
		return h.listen(c)
	case key.Matches(msg, k.Delete):
		st := h.env.st
		h.askDelete(fmt.Sprintf("connection '%s'", c.Name), func() error { return st.DeleteConnection(c.ID) })
	}
	return nil
}

// askDelete asks y/n before deleting what ("action 'X'") with del, which
// runs in a command once the user says yes.
func (h *home) askDelete(what string, del func() error) {
	h.confirm = fmt.Sprintf("Delete %s? y/n", what)
	h.onConfirm = func() tea.Msg { return deletedMsg{what: what, err: del()} }
}

// testConnection tests c and keeps the verdict as its last test; the list
// shows it even if keeping it fails.
func (h *home) testConnection(c connection.Connection) tea.Cmd {
	st, now := h.env.st, h.env.now
	return func() tea.Msg {
		v := connection.Test(context.Background(), c)
		at := now()
		_ = st.SaveLastTest(c.ID, store.LastTest{OK: v.OK, Reason: v.Reason, At: at})
		return connectionTestedMsg{id: c.ID, verdict: v, at: at}
	}
}

// reconnects reports whether c ("reconnect") applies to connections of type
// t besides the OAuth2 ones: those that keep something between requests.
func reconnects(t connection.AuthType) bool {
	return t.IsAWS() || t == connection.AuthNTLM
}

func (h *home) selectedConn() (connection.Connection, bool) {
	v := h.visibleConns()
	if len(v) == 0 {
		return connection.Connection{}, false
	}
	return v[h.cursor[tabConnections]], true
}

func (h *home) selectedAction() (store.ActionSummary, bool) {
	v := h.visibleActions()
	if len(v) == 0 {
		return store.ActionSummary{}, false
	}
	return v[h.cursor[tabActions]], true
}

func (h *home) connByID(id uint64) (connection.Connection, bool) {
	for _, c := range h.conns {
		if c.ID == id {
			return c, true
		}
	}
	return connection.Connection{}, false
}

// offersDemo: on an empty database (outside the demo), d tries the demo.
func (h *home) offersDemo() bool {
	return h.connsLoaded && len(h.conns) == 0 && !h.env.opts.Demo
}
