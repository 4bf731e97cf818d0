package cli

import (
	"strings"
	"testing"
	"time"

	"patchbay/store"
)

// historyEntry is one object of `history --json`.
type historyEntry struct {
	ID         uint64            `json:"id"`
	At         time.Time         `json:"at"`
	Action     string            `json:"action"`
	Connection *string           `json:"connection"`
	Status     int               `json:"status"`
	StatusText string            `json:"status_text"`
	DurationMS float64           `json:"duration_ms"`
	Vars       map[string]string `json:"vars"`
	Error      string            `json:"error"`
}

// historyFixture runs echo twice (id 1, then 2) and missing once, in that
// order.
func historyFixture(t *testing.T) string {
	t.Helper()
	db, _ := runFixture(t)
	must(t, db, "run", "echo", "--var", "id=1", "--var", "name=a")
	must(t, db, "run", "echo", "--var", "id=2", "--var", "name=b")
	wantExit(t, patchbay(t, db, "run", "missing"), exitResponse)
	return db
}

func TestHistoryListsNewestFirst(t *testing.T) {
	db := historyFixture(t)
	out := must(t, db, "history").stdout
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("history printed %d lines, want a header and 3 runs:\n%s", len(lines), out)
	}
	for _, col := range []string{"TIME", "ACTION", "CONNECTION", "STATUS", "DURATION"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header %q lacks %s", lines[0], col)
		}
	}
	for i, want := range []string{"missing", "echo", "echo"} {
		if f := strings.Fields(lines[i+1]); len(f) < 4 || f[2] != want || f[3] != "bin" {
			t.Errorf("row %d = %q, want action %s through bin", i+1, lines[i+1], want)
		}
	}
	if !strings.Contains(lines[1], "404 Not Found") || !strings.Contains(lines[2], "200 OK") {
		t.Errorf("statuses:\n%s", out)
	}

	rows := decode[[]historyEntry](t, must(t, db, "history", "--json").stdout)
	if len(rows) != 3 {
		t.Fatalf("--json gave %d runs", len(rows))
	}
	if rows[0].Action != "missing" || rows[0].Status != 404 || rows[1].Vars["id"] != "2" || rows[2].Vars["id"] != "1" {
		t.Errorf("--json order or content: %+v", rows)
	}
	if !(rows[0].ID > rows[1].ID && rows[1].ID > rows[2].ID) || rows[1].Connection == nil || *rows[1].Connection != "bin" ||
		rows[1].DurationMS <= 0 || rows[1].At.IsZero() || rows[1].StatusText != "200 OK" {
		t.Errorf("--json fields: %+v", rows[1])
	}

	// --limit keeps the newest.
	rows = decode[[]historyEntry](t, must(t, db, "history", "--limit", "2", "--json").stdout)
	if len(rows) != 2 || rows[0].Action != "missing" || rows[1].Vars["id"] != "2" {
		t.Errorf("--limit 2: %+v", rows)
	}
}

func TestHistoryOfOneAction(t *testing.T) {
	db := historyFixture(t)
	rows := decode[[]historyEntry](t, must(t, db, "history", "ECHO", "--json").stdout)
	if len(rows) != 2 || rows[0].Vars["id"] != "2" || rows[1].Vars["id"] != "1" {
		t.Errorf("history echo: %+v", rows)
	}
	rows = decode[[]historyEntry](t, must(t, db, "history", "--json", "echo", "--limit", "1").stdout)
	if len(rows) != 1 || rows[0].Vars["id"] != "2" {
		t.Errorf("history echo --limit 1: %+v", rows)
	}
	if out := must(t, db, "history", "get json").stdout; !strings.Contains(out, "No runs") {
		t.Errorf("history of an action never run: %q", out)
	}
	wantExit(t, patchbay(t, db, "history", "nope"), exitUsage, "no action named 'nope'")
}

// A network error shows as the error, no status and no duration.
func TestHistoryShowsErrors(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "down", "--auth", "none", "--base-url", closedURL(t))
	must(t, db, "action", "add", "ping", "--connection", "down", "--url", "/")
	wantExit(t, patchbay(t, db, "run", "ping"), exitNetwork)
	rows := decode[[]historyEntry](t, must(t, db, "history", "--json").stdout)
	if len(rows) != 1 || rows[0].Status != 0 || rows[0].Error == "" {
		t.Fatalf("history --json of a failed run: %+v", rows)
	}
	out := must(t, db, "history").stdout
	if !strings.Contains(out, "✗ ") || !strings.Contains(out, " -") {
		t.Errorf("history of a failed run:\n%s", out)
	}
}

// --keep stores the bound, prunes at once, and later runs keep to it.
func TestHistoryKeep(t *testing.T) {
	db := historyFixture(t)
	must(t, db, "run", "echo", "--var", "id=3", "--var", "name=c")
	out := must(t, db, "history", "--keep", "1").stdout
	if !strings.Contains(out, "keeps the newest 1 run of each action") || !strings.Contains(out, "pruned 2 older runs") {
		t.Errorf("--keep 1 said %q", out)
	}
	rows := decode[[]historyEntry](t, must(t, db, "history", "--json").stdout)
	if len(rows) != 2 || rows[0].Vars["id"] != "3" || rows[1].Action != "missing" {
		t.Errorf("after --keep 1: %+v", rows)
	}
	must(t, db, "run", "echo", "--var", "id=4", "--var", "name=d")
	rows = decode[[]historyEntry](t, must(t, db, "history", "echo", "--json").stdout)
	if len(rows) != 1 || rows[0].Vars["id"] != "4" {
		t.Errorf("a run after --keep 1 left %+v", rows)
	}
	if out := must(t, db, "history", "--keep", "5").stdout; !strings.Contains(out, "nothing to prune") {
		t.Errorf("--keep 5 said %q", out)
	}
	v := decode[map[string]int](t, must(t, db, "history", "--keep", "1", "--json").stdout)
	if v["runs_per_action"] != 1 || v["pruned"] != 0 {
		t.Errorf("--keep --json gave %v", v)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.RunsPerAction() != 1 {
		t.Errorf("stored bound %d, want 1", st.RunsPerAction())
	}
}

func TestHistoryUsageErrors(t *testing.T) {
	db := newDB(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "--keep", "0"}, "at least 1"},
		{[]string{"history", "--keep", "-2"}, "at least 1"},
		{[]string{"history", "--keep", "x"}, "invalid value"},
		{[]string{"history", "a", "--keep", "3"}, "takes no action name"},
		{[]string{"history", "a", "b"}, "one action at a time"},
		{[]string{"history", "--limit", "-1"}, "--limit"},
	} {
		r := patchbay(t, db, tc.args...)
		wantExit(t, r, exitUsage, tc.want)
	}
	for _, args := range [][]string{{"history", "--help"}, {"help", "history"}} {
		if out := must(t, db, args...).stdout; !strings.Contains(out, "patchbay history --keep N") {
			t.Errorf("%v printed %q", args, out)
		}
	}
	if out := must(t, db, "help").stdout; !strings.Contains(out, "history [ACTION]") {
		t.Error("the usage does not list history")
	}
}

// A run through a connection since removed names none.
func TestHistoryOfARemovedConnection(t *testing.T) {
	db, srv := runFixture(t)
	must(t, db, "connection", "add", "spare", "--auth", "none", "--base-url", srv)
	must(t, db, "run", "get json", "--connection", "spare")
	must(t, db, "connection", "rm", "spare")
	rows := decode[[]historyEntry](t, must(t, db, "history", "--json").stdout)
	if len(rows) != 1 || rows[0].Connection != nil || rows[0].Action != "get json" {
		t.Fatalf("history --json: %+v", rows)
	}
	if out := must(t, db, "history").stdout; !strings.Contains(out, "(deleted connection)") {
		t.Errorf("history:\n%s", out)
	}
}
