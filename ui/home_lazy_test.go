package ui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// sequenced runs cmd and returns the commands of the tea.Sequence it
// returns, in order.
func sequenced(t *testing.T, cmd tea.Cmd) []tea.Cmd {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	v := reflect.ValueOf(cmd())
	if v.Kind() != reflect.Slice || !v.Type().ConvertibleTo(cmdSlice) {
		t.Fatalf("not a sequence: %T", v.Interface())
	}
	return v.Convert(cmdSlice).Interface().([]tea.Cmd)
}

// The home screen's first load reads the connections, then the actions'
// summaries, and not the history: the Connections tab draws from the first
// message alone, the Actions tab waits for the second, and the History tab
// reads the runs when it opens.
func TestHomeLoadsConnectionsFirstAndHistoryWhenOpened(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	if err := f.st.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: c.ID, At: time.Now(),
		Response: &connection.Response{Status: 200, StatusText: "200 OK"}}); err != nil {
		t.Fatal(err)
	}
	var m tea.Model = f.model()
	loads := sequenced(t, m.Init())
	if len(loads) != 2 {
		t.Fatalf("Init reads %d lists, want 2: connections, then actions", len(loads))
	}
	conns, ok := loads[0]().(connectionsLoadedMsg)
	if !ok || len(conns.conns) != 1 {
		t.Fatalf("the first list read is %T %+v, want the connections", conns, conns)
	}
	acts, ok := loads[1]().(actionsLoadedMsg)
	if !ok || len(acts.actions) != 1 || acts.actions[0].Name != "Item" {
		t.Fatalf("the second list read is %T %+v, want the actions' summaries", acts, acts)
	}

	view := func() string { return ansi.Strip(m.View()) }
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	if !strings.Contains(view(), "Loading…") {
		t.Errorf("before any list is read:\n%s", view())
	}
	m, _ = m.Update(conns)
	if v := view(); !strings.Contains(v, "api") || !strings.Contains(v, "press t to test") {
		t.Errorf("the connections alone do not make the first frame:\n%s", v)
	}
	m, _ = m.Update(keyMsg("2"))
	if v := view(); !strings.Contains(v, "Loading…") || strings.Contains(v, "No actions yet") {
		t.Errorf("the Actions tab before its list is read:\n%s", v)
	}
	m, _ = m.Update(acts)
	if v := view(); !strings.Contains(v, "Item") || !strings.Contains(v, "/anything/{{id}}") {
		t.Errorf("the Actions tab once read:\n%s", v)
	}

	m, cmd := m.Update(keyMsg("3"))
	if v := view(); !strings.Contains(v, "Loading…") || strings.Contains(v, "No runs yet") {
		t.Errorf("the History tab before its runs are read:\n%s", v)
	}
	if cmd == nil {
		t.Fatal("opening the History tab reads nothing")
	}
	runs, ok := cmd().(runsLoadedMsg)
	if !ok || len(runs.runs) != 1 {
		t.Fatalf("opening the History tab reads %T %+v, want the runs", runs, runs)
	}
	m, _ = m.Update(runs)
	if v := view(); !strings.Contains(v, "200 OK") {
		t.Errorf("the History tab once read:\n%s", v)
	}
	// Reloads (after a screen closes, a test, a delete) read the runs too
	// while the History tab is open.
	if loads := sequenced(t, m.Init()); len(loads) != 3 {
		t.Errorf("a reload on the History tab reads %d lists, want 3", len(loads))
	}
}

// A list longer than the screen scrolls with the cursor: the rows home
// builds for a frame (window) are the ones table shows, the cursor's among
// them.
func TestLongActionListScrolls(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	batch := make([]wizard.Action, 300)
	for i := range batch {
		batch[i] = wizard.Action{Name: fmt.Sprintf("act %03d", i), ConnectionID: c.ID, Method: "GET",
			URL: fmt.Sprintf("/things/%d", i), BodyType: wizard.BodyNone}
	}
	if err := f.st.CreateActions(batch); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 24)
	d.keys("2")
	d.contains("NAME", "› act 000", "act 010")
	d.lacks("act 100")
	for range 250 {
		d.keys("j")
	}
	d.contains("NAME", "› act 250", "/things/250", "act 240")
	d.lacks("act 000", "act 251")
	if a, _ := d.top().(*home).selectedAction(); a.Name != "act 250" || a.ID != batch[250].ID {
		t.Errorf("selected %+v, want act 250", a)
	}
}

// r reads the action whole when pressed: one deleted behind the list's
// back is reported, and nothing opens.
func TestRunReadsTheActionWhenPressed(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	d := f.drive(120, 30)
	if err := f.st.DeleteAction(a.ID); err != nil {
		t.Fatal(err)
	}
	d.keys("2")
	d.contains("Item")
	d.keys("r")
	if _, ok := d.top().(*home); !ok {
		t.Fatalf("r on a deleted action opens %T", d.top())
	}
	d.contains("could not run the action", "no action with id")
}

// Only the latest key's action is opened: a read that a later key has
// overtaken is dropped.
func TestStaleOpenedActionIsDropped(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	d := f.drive(120, 30)
	h := d.top().(*home)
	d.keys("2")
	first := h.openAction(a.ID, useRun, store.RunSummary{})
	second := h.openAction(a.ID, useEdit, store.RunSummary{})
	if cmd := h.handleOpened(first().(actionOpenedMsg)); cmd != nil {
		t.Errorf("the overtaken read still opens: %T", cmd())
	}
	d.send(second())
	if _, ok := d.top().(*wizardScreen); !ok {
		t.Errorf("the latest read (edit) opens %T, want the wizard", d.top())
	}
}

// An action still being read for r when another key opens a screen does
// not push its replay over that screen.
func TestSlowActionReadDoesNotCoverANewScreen(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.itemAction(c)
	d := f.drive(120, 40)
	h := d.top().(*home)
	read := h.openAction(a.ID, useRun, store.RunSummary{}) // r pressed; the read is slow
	d.keys("1", "n")                                       // meanwhile: a new connection
	if _, ok := d.top().(*connForm); !ok {
		t.Fatalf("top is %T, want the connection form", d.top())
	}
	d.send(read())
	if _, ok := d.top().(*connForm); !ok {
		t.Fatalf("the late read pushed %T over the connection form", d.top())
	}
}

// Lists from a load overtaken by a newer one are dropped: the older lists
// arriving last do not replace the newer.
func TestStaleListsAreDropped(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.itemAction(c)
	d := f.drive(120, 40)
	h := d.top().(*home)
	// The older load reads now, before the rename...
	var read []tea.Msg
	for _, cmd := range reflect.ValueOf(h.load()()).Convert(cmdSlice).Interface().([]tea.Cmd) {
		read = append(read, cmd())
	}
	a.Name = "Renamed item"
	if err := f.st.UpdateAction(&a); err != nil {
		t.Fatal(err)
	}
	d.run(h.load())
	d.keys("2")
	d.contains("Renamed item")
	d.send(read...) // ...and its lists arrive after the newer load's
	d.contains("Renamed item")
}
