package ui

import (
	"strings"
	"testing"
	"time"

	"patchbay/connection"
	"patchbay/wizard"
)

// sampledAction saves "Item", GET /anything/{{id}} on c, whose sample is a
// 200 with a JSON body.
func (f *fixture) sampledAction(c connection.Connection) wizard.Action {
	return f.sampledActionAt(c, "/anything/{{id}}")
}

func (f *fixture) sampledActionAt(c connection.Connection, url string, vars ...wizard.Variable) wizard.Action {
	f.t.Helper()
	a := wizard.Action{Name: "Item", ConnectionID: c.ID, Method: "GET", URL: url, BodyType: wizard.BodyNone, Vars: vars,
		Sample: &connection.Response{Status: 200, StatusText: "200 OK",
			Headers: []connection.KV{{Key: "Content-Type", Value: "application/json"}}, Body: []byte(`{"url": "x"}`)}}
	if err := f.st.CreateAction(&a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// newestRun is the newest run of action id, whole.
func (f *fixture) newestRun(id uint64) wizard.Run {
	f.t.Helper()
	runs, err := f.st.RunsOf(id, 1)
	if err != nil || len(runs) != 1 {
		f.t.Fatalf("newest run of %d: %v, %v", id, runs, err)
	}
	return runs[0]
}

// runIDAction runs the selected action from the Actions tab with id, and goes
// back home.
func (d *driver) runIDAction(id string) {
	d.t.Helper()
	d.keys("2", "r")
	rp := d.top().(*replay)
	rp.vars.field("id").input.SetValue(id)
	d.keys("ctrl+s")
	d.contains("200 OK", "/anything/"+id)
	d.keys("esc")
}

// The acceptance test of re-running from the history: two runs with
// different values; r on the older one sends its value again, as httpbin's
// echo of the URL shows, and the new run is listed on the way back.
func TestHistoryRerunSendsTheRunsValues(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	d := f.drive(120, 40)
	d.runIDAction("41")
	d.runIDAction("42")

	d.keys("3")
	h := d.top().(*home)
	if got := len(h.visibleRuns()); got != 2 {
		t.Fatalf("History lists %d runs after two, want 2:\n%s", got, d.view())
	}
	d.contains("WHEN", "ACTION", "CONNECTION", "STATUS", "DURATION", "just now", "Item", "api", "200 OK")
	if r, _ := h.selectedRun(); r.Vars["id"] != "42" {
		t.Fatalf("History opens on the run with id %q, want the newest, 42", r.Vars["id"])
	}
	d.keys("j") // the older run: id 41
	if r, _ := h.selectedRun(); r.Vars["id"] != "41" {
		t.Fatalf("j selects the run with id %q, want 41", r.Vars["id"])
	}
	d.keys("r")
	rp, ok := d.top().(*replay)
	if !ok {
		t.Fatalf("r on a history row opens %T", d.top())
	}
	d.contains("200 OK", "/anything/41")
	if got := rp.vars.field("id").value(); got != "41" {
		t.Errorf("the re-run's id field holds %q, want 41", got)
	}
	// What httpbin echoed is what was sent.
	if run := f.newestRun(a.ID); run.Vars["id"] != "41" || run.Response == nil ||
		!strings.Contains(string(run.Response.Body), `/anything/41"`) {
		t.Fatalf("the re-run sent %v and httpbin echoed:\n%s", run.Vars, run.Response.Body)
	}
	d.keys("esc")
	if got := len(h.visibleRuns()); got != 3 || h.tab != tabHistory {
		t.Errorf("back home: tab %v, %d runs listed, want History with the re-run too", h.tab, got)
	}
	// The new run came in on top; the cursor stayed on the run it was on.
	if r, _ := h.selectedRun(); r.Vars["id"] != "41" || h.cursor[tabHistory] != 2 {
		t.Errorf("back home the cursor is on row %d, id %q; want the run re-run, now row 2", h.cursor[tabHistory], r.Vars["id"])
	}
}

// R on an action runs it at once with its last run's values.
func TestRerunLastFromActions(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	d := f.drive(120, 40)
	d.runIDAction("77")
	d.keys("2", "R")
	if _, ok := d.top().(*replay); !ok {
		t.Fatalf("R opens %T", d.top())
	}
	d.contains("200 OK", "/anything/77")
	runs, err := f.st.Runs(a.ID)
	if err != nil || len(runs) != 2 || runs[0].Vars["id"] != "77" || !strings.Contains(string(runs[0].Response.Body), `/anything/77"`) {
		t.Fatalf("after R: %d runs, newest %v, %v", len(runs), runs[0].Vars, err)
	}
}

// enter opens a run: the request as sent, the values (a redacted one said
// to be so), the response; D shows the drift from the sample and back.
func TestHistoryRunScreen(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	f.sampledActionAt(c, "/anything/{{id}}?t={{api_token}}")
	d := f.drive(120, 40)
	d.keys("2", "r")
	rp := d.top().(*replay)
	rp.vars.field("id").input.SetValue("5")
	rp.vars.field("api_token").input.SetValue("tok-Zx81")
	d.keys("ctrl+s")
	d.contains("200 OK")
	d.keys("esc", "3", "enter")
	hr, ok := d.top().(*historyRun)
	if !ok {
		t.Fatalf("enter on a history row opens %T", d.top())
	}
	d.contains("Run of 'Item'", "Request as sent", "via 'api'", "GET", "/anything/5?t=", "Authorization: ••••••",
		"Variables", "id = 5", "api_token = •••••• (redacted)", "History keeps no secret", "200 OK", `"method": "GET"`)
	d.lacks("tok-Zx81")

	// The sample had no such headers as httpbin sends, nor its fields.
	d.keys("D")
	if !hr.showDrift {
		t.Fatal("D does not show the drift")
	}
	d.contains("Drift from the sample", "change", "from the sample:", "field args added (object)")
	d.lacks("No drift")
	d.keys("D")
	d.contains("Response", "200 OK")
	d.lacks("Drift from the sample")

	// r re-runs with the run's values; the redacted one is asked for.
	d.keys("r")
	rp, ok = d.top().(*replay)
	if !ok {
		t.Fatalf("r on the run screen opens %T", d.top())
	}
	if rp.vars.field("id").value() != "5" || rp.vars.field("api_token").value() != "" {
		t.Errorf("re-run form: id %q, api_token %q", rp.vars.field("id").value(), rp.vars.field("api_token").value())
	}
	d.keys("esc")
	if d.top() != hr {
		t.Fatalf("esc from the re-run lands on %T, want the run screen", d.top())
	}
	d.keys("esc")
	if _, ok := d.top().(*home); !ok {
		t.Fatalf("esc from the run screen lands on %T", d.top())
	}
}

// A run whose response is what the sample was shows no drift.
func TestHistoryRunWithoutDrift(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	resp := *a.Sample
	resp.Request = connection.SentRequest{Method: "GET", URL: f.srv.URL + "/anything/1"}
	if err := f.st.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: c.ID, At: time.Now(), Vars: map[string]string{"id": "1"}, Response: &resp}); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("3", "enter", "D")
	d.contains("✓ No drift from the sample")
}

// A run through a connection since deleted says so, and cannot be re-run.
func TestHistoryRunOfADeletedConnection(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	gone := f.basicConn("old api", "u", "p")
	a := f.sampledAction(c)
	run := wizard.Run{ActionID: a.ID, ConnectionID: gone.ID, At: time.Now(), Vars: map[string]string{"id": "9"},
		Response: &connection.Response{Status: 404, StatusText: "404 Not Found", Request: connection.SentRequest{Method: "GET", URL: "http://old/anything/9"}}}
	if err := f.st.RecordRun(run); err != nil {
		t.Fatal(err)
	}
	if err := f.st.DeleteConnection(gone.ID); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("3")
	d.contains("(deleted connection)", "404 Not Found")
	d.keys("r")
	d.contains("cannot be run again: its connection was deleted")
	if _, ok := d.top().(*home); !ok {
		t.Fatalf("r opened %T", d.top())
	}
	d.keys("enter")
	d.contains("via (deleted connection)", "http://old/anything/9", "404 Not Found")
	d.keys("r")
	d.contains("cannot be run again")
	if _, ok := d.top().(*historyRun); !ok {
		t.Fatalf("r on the run screen opened %T", d.top())
	}
}

// tab and shift+tab cycle the three tabs; / filters History by action name.
func TestHistoryTabAndFilter(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	for i, name := range []string{"Alpha", "Beta"} {
		a := wizard.Action{Name: name, ConnectionID: c.ID, Method: "GET", URL: "/", BodyType: wizard.BodyNone}
		if err := f.st.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
		err := f.st.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: c.ID, At: time.Now(),
			Response: &connection.Response{Status: 200 + i, StatusText: []string{"200 OK", "201 Created"}[i]}})
		if err != nil {
			t.Fatal(err)
		}
	}
	d := f.drive(120, 40)
	h := d.top().(*home)
	for _, want := range []homeTab{tabActions, tabHistory, tabConnections} {
		d.keys("tab")
		if h.tab != want {
			t.Fatalf("tab goes to %v, want %v", h.tab, want)
		}
	}
	for _, want := range []homeTab{tabHistory, tabActions, tabConnections} {
		d.keys("shift+tab")
		if h.tab != want {
			t.Fatalf("shift+tab goes to %v, want %v", h.tab, want)
		}
	}
	d.keys("3")
	d.contains("200 OK", "201 Created")
	d.keys("/", "bet", "enter")
	d.contains("201 Created")
	d.lacks("200 OK")
	d.keys("/", "zzz")
	d.contains("No run matches the filter")
	d.keys("esc")
	d.contains("200 OK", "201 Created")
}

// The History tab, with the clock fixed: a run, a failed run, a run through
// a deleted connection.
func TestHistoryTabScreen(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	gone := f.basicConn("staging", "u", "p")
	a := f.sampledAction(c)
	b := wizard.Action{Name: "Health", ConnectionID: c.ID, Method: "GET", URL: "/status/503", BodyType: wizard.BodyNone}
	if err := f.st.CreateAction(&b); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC)
	for _, r := range []wizard.Run{
		{ActionID: a.ID, ConnectionID: c.ID, At: now.Add(-26 * time.Hour), Vars: map[string]string{"id": "1"},
			Response: &connection.Response{Status: 200, StatusText: "200 OK", Duration: 120 * time.Millisecond}},
		{ActionID: a.ID, ConnectionID: gone.ID, At: now.Add(-3 * time.Hour), Vars: map[string]string{"id": "2"},
			Response: &connection.Response{Status: 404, StatusText: "404 Not Found", Duration: 8 * time.Millisecond}},
		{ActionID: b.ID, ConnectionID: c.ID, At: now.Add(-5 * time.Minute),
			Err: "\x1b[31mdial tcp 127.0.0.1:1: connect: connection refused"},
		{ActionID: b.ID, ConnectionID: c.ID, At: now.Add(-10 * time.Second),
			Response: &connection.Response{Status: 503, StatusText: "503 Service Unavailable", Duration: 2500 * time.Millisecond}},
	} {
		if err := f.st.RecordRun(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.st.DeleteConnection(gone.ID); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 24)
	d.root().env.now = func() time.Time { return now }
	d.keys("3")
	d.contains("just now", "5m ago", "3h ago", "26h ago", "(deleted connection)", "dial tcp 127.0.0.1:1")
	// The view as drawn, not stripped of escapes: the error's own ESC must
	// not reach the terminal (tests draw in the ASCII profile, so the view
	// has no styling escapes either).
	if raw := d.m.View(); strings.ContainsRune(raw, '\x1b') {
		t.Errorf("the history view holds an ESC:\n%q", raw)
	}
	t.Run("history", d.golden)
}

// Runs listed come from the store's History, newest first, each with its id.
func TestHistoryListsNewestFirst(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.sampledAction(c)
	for i := range 3 {
		if err := f.st.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: c.ID, At: time.Now(),
			Vars: map[string]string{"id": string(rune('a' + i))}, Response: &connection.Response{Status: 200}}); err != nil {
			t.Fatal(err)
		}
	}
	d := f.drive(120, 40)
	d.keys("3")
	var got []string
	for _, r := range d.top().(*home).visibleRuns() {
		got = append(got, r.Vars["id"])
	}
	if strings.Join(got, "") != "cba" {
		t.Errorf("History tab order %v, want c b a", got)
	}
}
