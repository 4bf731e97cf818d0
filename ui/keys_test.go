package ui

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/wizard"
)

// quits reports whether sending key makes the program quit.
func quits(d *driver, k string) bool {
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(keyMsg(k))
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestQuitKeys(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	if !quits(d, "q") {
		t.Error("q on the home screen does not quit")
	}
	if !quits(d, "ctrl+c") {
		t.Error("ctrl+c does not quit")
	}
	d.keys("n")
	if quits(d, "q") {
		t.Error("q typed into the connection form's name quits")
	}
	if got := d.top().(*connForm).form.field("name").value(); got != "q" {
		t.Errorf("name = %q, want the q typed into it", got)
	}
	if !quits(d, "ctrl+c") {
		t.Error("ctrl+c does not quit from a form")
	}
}

func TestHomeTabsAndLists(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("alpha", "u", "p")
	f.basicConn("beta", "u", "p")
	for _, n := range []string{"one", "two"} {
		a := wizard.Action{Name: n, ConnectionID: c.ID, Method: "GET", URL: "/" + n, BodyType: wizard.BodyNone}
		if err := f.st.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
	}
	d := f.drive(120, 40)
	h := d.top().(*home)
	d.contains("alpha", "beta")
	d.keys("2")
	if h.tab != tabActions {
		t.Fatal("2 does not show Actions")
	}
	d.contains("one", "/two")
	d.keys("1")
	if h.tab != tabConnections {
		t.Fatal("1 does not show Connections")
	}
	d.keys("tab")
	if h.tab != tabActions {
		t.Fatal("tab does not switch tabs")
	}
	d.keys("shift+tab", "j")
	if got, _ := h.selectedConn(); got.Name != "beta" {
		t.Errorf("j selects %q, want beta", got.Name)
	}
	d.keys("down", "down", "k")
	if got, _ := h.selectedConn(); got.Name != "alpha" {
		t.Errorf("down past the end then k selects %q, want alpha", got.Name)
	}
	// Filter narrows the list; keys typed into the filter are text.
	d.keys("/", "b", "e", "q")
	d.lacks("alpha")
	d.keys("esc")
	d.contains("alpha", "beta")
}

func TestDeleteAsksFirst(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("doomed", "u", "p")
	a := wizard.Action{Name: "uses it", ConnectionID: c.ID, Method: "GET", URL: "/", BodyType: wizard.BodyNone}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("d")
	d.contains("Delete connection 'doomed'? y/n")
	d.keys("n")
	d.lacks("Delete connection")
	d.keys("d", "y")
	// The store refuses while an action uses it, and says so.
	d.contains("doomed", "used by 1 action")
	d.keys("2", "d", "y")
	d.contains("Deleted action 'uses it'")
	d.keys("1", "d", "y")
	d.contains("Deleted connection 'doomed'", "No connections yet")
}

func TestHelpShowsTheScreensKeys(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	d.keys("?")
	d.contains("Keys on this screen", "new", "filter", "Everywhere", "quit")
	t.Run("help_home", d.golden)
	d.keys("?")
	d.lacks("Keys on this screen")
	// In a text field ? is text; f1 still opens help.
	d.keys("n", "?")
	d.lacks("Keys on this screen")
	d.keys("f1")
	d.contains("Keys on this screen", "save", "reveal secrets")
	d.keys("esc")
	d.contains("New connection", "?")
}

func TestWizardFocusMovesAcrossPanes(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	d := f.drive(120, 40)
	d.keys("enter", "x", "tab", "tab", "/anything", "ctrl+n")
	w := d.top().(*wizardScreen)
	if got := w.step2.focusedKey(); got != "query" {
		t.Fatalf("step 2 starts on %q, want query", got)
	}
	d.keys("tab", "tab") // query name, query value, then header name
	if got := w.step2.focusedKey(); got != "header" {
		t.Fatalf("focus on %q, want header", got)
	}
	d.keys("tab", "tab", "tab", "tab") // header value, body type, more options, then out of the form
	if w.pane != paneResponse || !w.resp.focused {
		t.Fatalf("tab past the last field does not reach the response pane (pane %v)", w.pane)
	}
	d.keys("tab")
	if w.pane != paneRequest || w.step2.focusedKey() != "query" {
		t.Fatal("tab from the response pane does not come back to the first field")
	}
	d.keys("shift+tab")
	if w.pane != paneResponse {
		t.Fatal("shift+tab from the first field does not reach the response pane")
	}
}

func TestEscCancelsAnInFlightRequest(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	d := f.drive(120, 40)
	d.keys("enter", "slow", "tab", "tab", "/delay/5", "ctrl+n")
	w := d.top().(*wizardScreen)
	// Start the send by hand, without running its command, as the
	// runtime would while the request is in flight.
	w.pull()
	m, _ := d.m.Update(keyMsg("ctrl+s"))
	d.m = m
	d.contains("sending… esc cancels")
	d.keys("esc")
	d.contains("Request canceled.", "2 Sample request")
	d.lacks("sending…")
	// The canceled request's result, arriving late, is dropped.
	d.send(sampleSentMsg{seq: w.seq - 1, resp: &connection.Response{Status: 200, StatusText: "200 OK"}})
	d.lacks("200 OK")
}

func TestHostileResponseIsSanitized(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	hostile := "ok\x1b[2J\x1b]52;c;cGF3bmVk\x07\u009b31m\r\bevil\u202egnp.exe\x1b]8;;http://x\x1b\\link"
	p := newResponsePane(d.root().env, "")
	p.SetSize(60, 30)
	p.set(&connection.Response{
		Status: 200, StatusText: "200 OK\x1b[31m",
		Headers: []connection.KV{{Key: "X-Evil\x1b[1m", Value: "v\x1b]0;title\x07"}},
		Body:    []byte(hostile),
	}, nil)
	out := p.View()
	for _, bad := range []string{"\x1b", "\u009b", "\r", "\b", "\u202e", "\x07"} {
		if strings.Contains(out, bad) {
			t.Errorf("response pane passes %q through", bad)
		}
	}
	if !strings.Contains(out, "␛[2J") {
		t.Errorf("the escape sequence is not shown escaped:\n%s", out)
	}
	if !strings.Contains(out, "evil") || !strings.Contains(out, "link") {
		t.Errorf("sanitizing lost the text around the escapes:\n%s", out)
	}
}

func TestNonJSONReplyWhereJSONWasPromised(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	p := newResponsePane(d.root().env, "")
	p.SetSize(70, 30)
	p.set(&connection.Response{
		Status: 200, StatusText: "200 OK",
		Headers: []connection.KV{{Key: "Content-Type", Value: "application/json"}},
		Body:    []byte("<html>\n<h1>Login</h1>"),
	}, nil)
	out := ansi.Strip(p.View())
	for _, want := range []string{"said application/json but the body is", "not JSON", "line 1, column 1", "<h1>Login</h1>"} {
		if !strings.Contains(out, want) {
			t.Errorf("pane lacks %q:\n%s", want, out)
		}
	}
}

func TestSavedActionShowsBeforeTheReload(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	d := f.drive(120, 40)
	h := d.top().(*home)
	// Deliver the message without running the reload it returns, as a
	// frame drawn between the two would see it.
	h.Update(actionSavedHomeMsg{action: wizard.Action{ID: 7, Name: "Fresh", ConnectionID: c.ID, Method: "GET", URL: "/x"}})
	if h.tab != tabActions {
		t.Fatal("home does not switch to Actions")
	}
	d.contains("› Fresh")
	d.lacks("No actions yet")
}

func TestConnectionTestVerdictInStatusLine(t *testing.T) {
	f := newFixture(t)
	c := connection.Connection{Name: "api", BaseURL: f.srv.URL, TestPath: "/basic-auth/u/right",
		Auth: connection.Auth{Type: connection.AuthBasic, Username: "u", Password: "wrong"}}
	if err := f.st.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	d := f.drive(80, 24) // narrow: the table cell is cut, the status line has it all
	d.keys("t")
	d.contains("401 Unauthorized")
	status := d.root().status
	if !status.err || !strings.Contains(status.text, "rejected the credentials of connection 'api'") {
		t.Errorf("status after a failed test = %+v", status)
	}
}

func TestWizardKnowsTakenNamesWithoutTheStore(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := wizard.Action{Name: "Taken", ConnectionID: c.ID, Method: "GET", URL: "/", BodyType: wizard.BodyNone}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("enter", " taken ", "tab", "tab", "/get", "ctrl+n")
	d.contains("an action named", "already exists", "1 Method & URL")
	// Editing the action itself is not a clash with its own name.
	d.keys("esc", "y", "2", "e", "ctrl+n")
	d.contains("2 Sample request")
}

func TestRowsAddedWhileTypingKeepTheColumns(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	d.keys("n", "tab", "tab", "h", "tab") // Header auth; focus on the first header row
	fl := d.top().(*connForm).form.field("header")
	d.keys("X-Token", "tab", strings.Repeat("v", 80))
	if len(fl.rows) != 2 {
		t.Fatalf("rows = %d, want a new blank row after typing", len(fl.rows))
	}
	first, added := fl.rows[0], fl.rows[1]
	if added.name.Width != first.name.Width || added.value.Width != first.value.Width || added.value.Width == 0 {
		t.Errorf("added row widths %d/%d, first row %d/%d", added.name.Width, added.value.Width, first.name.Width, first.value.Width)
	}
}

func TestResponsePaneMasksEchoedSecrets(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	conn := connection.Connection{Name: "api", BaseURL: f.srv.URL,
		Auth: connection.Auth{Type: connection.AuthHeader, Headers: []connection.KV{{Key: "X-Api-Key", Value: "k-echo-12345"}}}}
	p := newResponsePane(d.root().env, "")
	p.conn = &conn
	p.SetSize(70, 30)
	p.set(&connection.Response{Status: 200, StatusText: "200 OK",
		Headers: []connection.KV{{Key: "X-Seen", Value: "k-echo-12345"}},
		Body:    []byte(`{"headers": {"X-Api-Key": ["k-echo-12345"]}}`)}, nil)
	if out := ansi.Strip(p.View()); strings.Contains(out, "k-echo-12345") || !strings.Contains(out, "secrets masked") {
		t.Fatalf("echoed key shown, or no word that it was masked:\n%s", out)
	}
	p.focused = true
	p.Update(keyMsg("ctrl+r"))
	if out := ansi.Strip(p.View()); !strings.Contains(out, "k-echo-12345") {
		t.Errorf("ctrl+r does not reveal:\n%s", out)
	}
}

// clashes lists the keys that two bindings active on one screen share. A
// binding shown under other help text (withHelp) is still itself: two with
// the same keys are one binding when no other field of the KeyMap has
// exactly those keys.
func clashes(km KeyMap, bindings []key.Binding) []string {
	fields := map[string]int{} // a key list → how many KeyMap fields bind exactly it
	v := reflect.ValueOf(km)
	for i := range v.NumField() {
		if b, ok := v.Field(i).Interface().(key.Binding); ok {
			fields[strings.Join(b.Keys(), ",")]++
		}
	}
	var out []string
	seen := map[string]key.Binding{}
	for _, b := range bindings {
		if !b.Enabled() {
			continue
		}
		for _, k := range b.Keys() {
			prev, ok := seen[k]
			same := ok && slices.Equal(prev.Keys(), b.Keys()) && fields[strings.Join(b.Keys(), ",")] == 1
			if ok && !same {
				out = append(out, fmt.Sprintf("%q is both %q and %q", k, prev.Help().Desc, b.Help().Desc))
			}
			seen[k] = b
		}
	}
	return out
}

// active is every binding that acts on the driver's screen now: the
// screen's own, the root's, and for home the ones it handles without
// showing them in the footer.
func (d *driver) active() []key.Binding {
	k := d.root().env.keys
	top := d.top()
	keys := append([]key.Binding{}, top.Keys()...)
	keys = append(keys, k.ForceQuit, k.HelpAnywhere)
	if top.Capturing() {
		return keys
	}
	keys = append(keys, k.Help)
	if _, ok := top.(*home); ok {
		keys = append(keys, k.Quit, k.Up, k.Down, k.Tab1, k.Tab2, k.Tab3)
	}
	return keys
}

// A key means one thing on each screen: every screen and state reachable
// here, with every binding it shows or handles, has no key bound twice.
func TestNoKeyBoundTwiceOnAScreen(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	oauth := connection.Connection{Name: "oauth", BaseURL: f.srv.URL, Auth: connection.Auth{Type: connection.AuthOAuth2Code}}
	if err := f.st.CreateConnection(&oauth); err != nil {
		t.Fatal(err)
	}
	a := f.sampledAction(c)
	if err := f.st.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: c.ID, At: time.Now(), Vars: map[string]string{"id": "1"},
		Response: &connection.Response{Status: 200, StatusText: "200 OK", Body: []byte("{}")}}); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	check := func(where string) {
		t.Helper()
		if got := clashes(d.root().env.keys, d.active()); len(got) > 0 {
			t.Errorf("%s (%T): %s", where, d.top(), strings.Join(got, "; "))
		}
	}
	check("connections tab, basic connection")
	d.keys("j")
	check("connections tab, OAuth2 connection")
	d.keys("d")
	check("connections tab, asking to delete")
	d.keys("n", "/")
	check("connections tab, filtering")
	d.keys("esc", "2")
	check("actions tab")
	d.keys("m")
	check("actions tab, renaming")
	d.keys("esc", "3")
	check("history tab")
	d.keys("enter")
	check("a run from the history")
	d.keys("D")
	check("a run's drift")
	d.keys("r")
	check("its re-run")
	d.keys("esc", "esc", "1", "n")
	check("connection form")
	d.keys("esc", "enter")
	check("wizard step 1")
}

// The check above fails on a key bound twice: R rebound to r, the key of
// run, clashes on the Actions tab.
func TestKeyClashIsFound(t *testing.T) {
	f := newFixture(t)
	f.sampledAction(f.basicConn("api", "u", "p"))
	d := f.drive(120, 40)
	d.keys("2")
	km := DefaultKeyMap()
	km.RerunLast = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "repeat"))
	d.root().env.keys = km
	if got := clashes(km, d.active()); len(got) == 0 {
		t.Error("r bound to both run and run with last values is not a clash")
	}
	km = DefaultKeyMap()
	km.Rename = key.NewBinding(key.WithKeys("j"), key.WithHelp("j", "rename"))
	d.root().env.keys = km
	if got := clashes(km, d.active()); len(got) == 0 {
		t.Error("rename on j, the key of down, is not a clash")
	}
}

// The footer and help show the Actions tab's new keys only there.
func TestActionKeysShowOnlyOnActions(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	if err := f.st.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: c.ID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	d := f.drive(160, 40)
	d.lacks("c copy", "m rename", "R repeat")
	d.keys("2")
	d.contains("R repeat", "c copy", "m rename", "d delete")
	d.keys("?")
	d.contains("Keys on this screen", "copy", "rename", "repeat")
	d.keys("esc", "3")
	d.lacks("c copy", "m rename", "R repeat")
	d.contains("enter open run", "r run again")
}

// c duplicates an action: everything but its name and history, the copy
// selected; a second copy takes the next free name.
func TestDuplicateAction(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	if err := f.st.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: c.ID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("2", "c")
	d.contains("Duplicated 'Item' as 'Item copy'", "› Item copy")
	cp, err := f.st.ActionByName("Item copy")
	if err != nil {
		t.Fatal(err)
	}
	if cp.ID == a.ID || cp.URL != a.URL || cp.Method != a.Method || cp.Sample == nil || string(cp.Sample.Body) != string(a.Sample.Body) {
		t.Errorf("the copy is %+v, of %+v", cp, a)
	}
	if runs, err := f.st.Runs(cp.ID); err != nil || len(runs) != 0 {
		t.Errorf("the copy has %d runs (%v), want none", len(runs), err)
	}
	d.keys("k", "c") // the original again
	d.contains("Duplicated 'Item' as 'Item copy 2'", "› Item copy 2")
	if names, err := f.st.ActionNames(); err != nil || len(names) != 3 {
		t.Errorf("actions after two copies: %v, %v", names, err)
	}
}

// m renames in place: prefilled, enter saves; an empty or taken name is
// refused with a message and the typing kept; esc cancels.
func TestRenameAction(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	other := wizard.Action{Name: "Other", ConnectionID: c.ID, Method: "GET", URL: "/", BodyType: wizard.BodyNone}
	if err := f.st.CreateAction(&other); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("2", "m")
	h := d.top().(*home)
	if h.rename == nil || h.rename.input.Value() != "Item" {
		t.Fatalf("m does not open the name prefilled: %+v", h.rename)
	}
	d.contains("Rename 'Item'", "enter saves, esc cancels")
	// q and ? are text here.
	d.keys("backspace", "backspace", "backspace", "backspace", "q?")
	if quits(d, "q") || h.rename.input.Value() != "q?q" {
		t.Fatalf("typing q? into the name: %q", h.rename.input.Value())
	}
	for range 3 {
		d.keys("backspace")
	}
	d.keys("enter")
	d.contains("An action needs a name.")
	d.keys("OTHER", "enter")
	d.contains("An action named 'Other' already exists")
	if h.rename == nil || h.rename.input.Value() != "OTHER" {
		t.Fatal("a taken name lost what was typed")
	}
	d.keys("esc")
	if h.rename != nil {
		t.Fatal("esc does not cancel the rename")
	}
	if got, err := f.st.Action(a.ID); err != nil || got.Name != "Item" {
		t.Fatalf("after a canceled rename: %q, %v", got.Name, err)
	}
	d.keys("m", " v2", "enter")
	d.contains("Renamed 'Item' to 'Item v2'", "› Item v2")
	if got, err := f.st.Action(a.ID); err != nil || got.Name != "Item v2" {
		t.Fatalf("stored name %q, %v", got.Name, err)
	}
}

// At 120 columns the Actions tab, the History tab and a run's screen,
// footer included, fit: a line one cell too wide wraps in a real terminal.
func TestHistoryScreensFit120Columns(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	if err := f.st.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: c.ID, At: time.Now(), Vars: map[string]string{"id": "1"},
		Response: &connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(`{"a": 1}`)}}); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	for _, step := range []struct{ keys, where string }{
		{"1", "connections"}, {"2", "actions"}, {"3", "history"}, {"enter", "a run"}, {"D", "its drift"},
	} {
		d.keys(step.keys)
		for i, line := range splitLines(d.view()) {
			if w := ansi.StringWidth(line); w > 120 {
				t.Errorf("%s: line %d is %d cells wide: %q", step.where, i+1, w, line)
			}
		}
	}
}

// A footer too long for the terminal is cut to fit, padding included: a
// line one cell too wide wraps in a real terminal and scrolls the screen.
func TestFooterFitsNarrowTerminal(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	f.itemAction(c)
	d := f.drive(120, 20)
	d.keys("2")
	for width := 40; width <= 120; width++ {
		d.send(tea.WindowSizeMsg{Width: width, Height: 20})
		lines := splitLines(d.view())
		// Lines are padded to the widest; the footer's own cells count.
		footer := strings.TrimRight(lines[len(lines)-1], " ")
		if w := lipgloss.Width(footer); w > width {
			t.Fatalf("the footer is %d cells wide, the terminal %d:\n%s", w, width, footer)
		}
	}
}
