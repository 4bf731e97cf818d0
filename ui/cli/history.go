package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"patchbay/connection"
	"patchbay/store"
)

const historyUsage = `Usage: patchbay history [ACTION] [--limit N] [--json]
       patchbay history --keep N [--json]

Lists the runs kept in the history, newest first: of every action, or of
ACTION (case-insensitive). Each run has its TIME (local), ACTION, CONNECTION,
STATUS (or the error that stopped it) and DURATION. Runs are recorded by
'patchbay run' and by running an action in the TUI.

Flags:
  --limit N   list at most the N newest runs (default 50; 0 lists all)
  --json      print a JSON array instead, newest first, one object per run:
              id, at, action, connection (null when it was deleted), status
              (0 when no response came back), status_text, duration_ms, vars
              (secret-named values redacted) and error (when there was one)
  --keep N    keep only the N newest runs of each action from now on (by
              default 100), deleting the older ones at once; says how many
              runs went. With --json it prints {"runs_per_action": N, "pruned": M}

Exit codes: 0 success · 2 bad usage or an unknown action · 4 the database could
not be opened.

Examples:
  patchbay history
  patchbay history 'Get issue' --limit 5
  patchbay history --json | jq '.[] | select(.status >= 500)'
  patchbay history --keep 20
`

// defaultHistoryLimit is how many runs `patchbay history` lists unless told.
const defaultHistoryLimit = 50

// historyRow is one run in `history --json`.
type historyRow struct {
	ID         uint64            `json:"id"`
	At         time.Time         `json:"at"`
	Action     string            `json:"action"`
	Connection *string           `json:"connection"`
	Status     int               `json:"status"`
	StatusText string            `json:"status_text,omitempty"`
	DurationMS float64           `json:"duration_ms"`
	Vars       map[string]string `json:"vars"`
	Error      string            `json:"error,omitempty"`
}

func (e *env) history(args []string) int {
	fs := e.flagSet("history")
	var asJSON bool
	limit, keep := defaultHistoryLimit, 0
	fs.BoolVar(&asJSON, "json", false, "")
	fs.IntVar(&limit, "limit", defaultHistoryLimit, "")
	fs.IntVar(&keep, "keep", 0, "")
	pos, help, err := parse(fs, args)
	keeping := false
	fs.Visit(func(f *flag.Flag) { keeping = keeping || f.Name == "keep" })
	switch {
	case help:
		fmt.Fprint(e.stdout, historyUsage)
		return exitOK
	case err != nil:
		return e.usageError("history", "%v", err)
	case len(pos) > 1:
		return e.usageError("history", "one action at a time; got %s", strings.Join(pos, ", "))
	case limit < 0:
		return e.usageError("history", "--limit must be 0 (all) or more, not %d", limit)
	case keeping && keep < 1:
		return e.usageError("history", "--keep must be at least 1: the history keeps the newest N runs of each action")
	case keeping && len(pos) > 0:
		return e.usageError("history", "--keep bounds the history of every action; it takes no action name")
	}

	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	if keeping {
		return e.keepRuns(st, keep, asJSON)
	}

	var runs []store.RunSummary
	if len(pos) == 1 {
		a, err := st.ActionByName(pos[0])
		if errors.Is(err, store.ErrNotFound) {
			return e.fail(exitUsage, "no action named %s — `patchbay list actions` shows them", quote(pos[0]))
		}
		if err != nil {
			return e.fail(exitLocal, "cannot read action %s: %v", quote(pos[0]), err)
		}
		runs, err = st.ActionHistory(a.ID, limit)
		if err != nil {
			return e.fail(exitLocal, "cannot read the history: %v", err)
		}
	} else if runs, err = st.History(limit); err != nil {
		return e.fail(exitLocal, "cannot read the history: %v", err)
	}
	rows, err := historyRows(st, runs)
	if err != nil {
		return e.fail(exitLocal, "cannot read the history: %v", err)
	}
	if asJSON {
		err = writeJSON(e.stdout, rows)
	} else {
		err = writeHistory(e.stdout, rows)
	}
	if err != nil {
		return e.fail(exitLocal, "cannot write the history: %v", err)
	}
	return exitOK
}

// keepRuns sets the history's bound and says how many runs it pruned. The
// store is held open throughout, so no other patchbay records a run
// between the two counts.
func (e *env) keepRuns(st *store.Store, n int, asJSON bool) int {
	before, err := st.RunCount()
	if err == nil {
		err = st.SetRunsPerAction(n)
	}
	after := before
	if err == nil {
		after, err = st.RunCount()
	}
	if err != nil {
		return e.fail(exitLocal, "cannot bound the history: %v", err)
	}
	pruned := before - after
	if asJSON {
		err = writeJSON(e.stdout, map[string]int{"runs_per_action": n, "pruned": pruned})
	} else {
		msg := fmt.Sprintf("The history keeps the newest %s of each action", plural(n, "run"))
		switch pruned {
		case 0:
			msg += "; nothing to prune.\n"
		default:
			msg += fmt.Sprintf("; pruned %s.\n", plural(pruned, "older run"))
		}
		_, err = fmt.Fprint(e.stdout, msg)
	}
	if err != nil {
		return e.fail(exitLocal, "cannot write: %v", err)
	}
	return exitOK
}

// historyRows names each run's action and connection from the names
// indexes. A run whose action is not there (deleted since the history was
// read) is left out: its runs went with it.
func historyRows(st *store.Store, runs []store.RunSummary) ([]historyRow, error) {
	actions, err := st.ActionNames()
	if err != nil {
		return nil, err
	}
	conns, err := st.ConnectionNames()
	if err != nil {
		return nil, err
	}
	actionName, connName := names(actions), names(conns)
	rows := make([]historyRow, 0, len(runs))
	for _, r := range runs {
		action, ok := actionName[r.ActionID]
		if !ok {
			continue
		}
		row := historyRow{ID: r.ID, At: r.At, Action: action, Status: r.Status, StatusText: r.StatusText,
			DurationMS: float64(r.Duration.Microseconds()) / 1000, Vars: r.Vars, Error: r.Err}
		if c, ok := connName[r.ConnectionID]; ok {
			row.Connection = &c
		}
		if row.Vars == nil {
			row.Vars = map[string]string{}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func names(entries []store.Entry) map[uint64]string {
	m := make(map[uint64]string, len(entries))
	for _, e := range entries {
		m[e.ID] = e.Name
	}
	return m
}

func writeHistory(w io.Writer, rows []historyRow) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "No runs in the history yet — `patchbay run NAME` or r in the TUI records one.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTION\tCONNECTION\tSTATUS\tDURATION")
	cell := func(s string) string { return oneLine(connection.CleanText(s)) }
	for _, r := range rows {
		conn := "(deleted connection)"
		if r.Connection != nil {
			conn = *r.Connection
		}
		status, took := r.StatusText, "-"
		switch {
		case r.Status == 0:
			status = "✗ " + shorten(r.Error, 60)
		case status == "":
			status = fmt.Sprint(r.Status)
		}
		if r.Status != 0 {
			took = durationCell(time.Duration(r.DurationMS * float64(time.Millisecond)))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.At.Local().Format("2006-01-02 15:04:05"), cell(r.Action), cell(conn), cell(status), took)
	}
	return tw.Flush()
}

// durationCell is a duration to the millisecond, or the microsecond below
// one.
func durationCell(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// shorten cuts s to n runes, with an ellipsis.
func shorten(s string, n int) string {
	s = oneLine(connection.CleanText(s))
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
