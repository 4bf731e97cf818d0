package store

import (
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

func summaryStatuses(list []RunSummary) []int {
	var out []int
	for _, r := range list {
		out = append(out, r.Status)
	}
	return out
}

func summaryIDs(list []RunSummary) []uint64 {
	var out []uint64
	for _, r := range list {
		out = append(out, r.ID)
	}
	return out
}

// record keeps runs of the actions given, in order, with statuses 200,
// 201, ...
func record(t *testing.T, s *Store, actionIDs ...uint64) {
	t.Helper()
	for i, id := range actionIDs {
		if err := s.RecordRun(newRun(id, 200+i)); err != nil {
			t.Fatal(err)
		}
	}
}

// The bound set with SetRunsPerAction prunes every action's history at once,
// holds for the runs that follow, and is what the next Open reads; an
// Options.RunsPerAction still overrides it for that open store.
func TestRunsPerActionIsKeptAndPrunesAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	record(t, s, 1, 2, 1, 2, 1, 2, 1) // action 1: 200 202 204 206; action 2: 201 203 205
	if err := s.SetRunsPerAction(2); err != nil {
		t.Fatal(err)
	}
	if s.RunsPerAction() != 2 {
		t.Errorf("RunsPerAction after Set(2) = %d", s.RunsPerAction())
	}
	if runs, err := s.Runs(1); err != nil || !equalInts(statuses(runs), []int{206, 204}) {
		t.Errorf("Runs(1) right after Set(2): %v, %v", statuses(runs), err)
	}
	if runs, err := s.Runs(2); err != nil || !equalInts(statuses(runs), []int{205, 203}) {
		t.Errorf("Runs(2) right after Set(2): %v, %v", statuses(runs), err)
	}
	if n, err := s.RunCount(); err != nil || n != 4 {
		t.Errorf("RunCount = %d, %v; want 4", n, err)
	}
	assertIndexed(t, s)
	for _, bad := range []int{0, -3} {
		if err := s.SetRunsPerAction(bad); err == nil {
			t.Errorf("SetRunsPerAction(%d) accepted", bad)
		}
	}
	if s.RunsPerAction() != 2 {
		t.Errorf("a refused bound changed it to %d", s.RunsPerAction())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopened without options: the stored bound applies to new runs.
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.RunsPerAction() != 2 {
		t.Errorf("RunsPerAction after reopening = %d, want the stored 2", s.RunsPerAction())
	}
	record(t, s, 1)
	if runs, err := s.Runs(1); err != nil || len(runs) != 2 || runs[0].Response.Status != 200 {
		t.Errorf("Runs(1) after a new run: %v, %v", statuses(runs), err)
	}
	s.Close()

	// An Options bound overrides it for that store only.
	s, err = OpenWith(path, Options{RunsPerAction: 3})
	if err != nil {
		t.Fatal(err)
	}
	if s.RunsPerAction() != 3 {
		t.Errorf("RunsPerAction with Options{3} = %d", s.RunsPerAction())
	}
	record(t, s, 1, 1)
	if runs, err := s.Runs(1); err != nil || len(runs) != 3 {
		t.Errorf("Runs(1) with the override: %v, %v", statuses(runs), err)
	}
	s.Close()
	s = openAt(t, path)
	defer s.Close()
	if s.RunsPerAction() != 2 {
		t.Errorf("the override was stored: RunsPerAction = %d", s.RunsPerAction())
	}
}

// A new database, and one whose stored bound is unreadable, keep the
// default.
func TestRunsPerActionDefault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	if s.RunsPerAction() != DefaultRunsPerAction {
		t.Fatalf("RunsPerAction = %d", s.RunsPerAction())
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyRunsPerAction, []byte("x"))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openAt(t, path)
	defer s.Close()
	if s.RunsPerAction() != DefaultRunsPerAction {
		t.Errorf("RunsPerAction with a damaged stored bound = %d", s.RunsPerAction())
	}
}

// History lists the runs of every action, newest first, at most limit of
// them, each with its id and what a list shows.
func TestHistoryAcrossActions(t *testing.T) {
	s := openTemp(t)
	record(t, s, 1, 2, 3, 1, 2) // ids 1..5, statuses 200..204
	failed := wizard.Run{ActionID: 3, ConnectionID: 9, At: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
		Vars: map[string]string{"token": connection.Redacted}, Err: "dial tcp: connection refused"}
	if err := s.RecordRun(failed); err != nil {
		t.Fatal(err)
	}
	all, err := s.History(0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summaryIDs(all), []uint64{6, 5, 4, 3, 2, 1}; !slices.Equal(got, want) {
		t.Fatalf("History(0) ids %v, want %v", got, want)
	}
	if got, want := summaryStatuses(all), []int{0, 204, 203, 202, 201, 200}; !equalInts(got, want) {
		t.Errorf("History(0) statuses %v, want %v", got, want)
	}
	if f := all[0]; f.ActionID != 3 || f.ConnectionID != 9 || f.Err != failed.Err || f.Vars["token"] != connection.Redacted || !f.At.Equal(failed.At) {
		t.Errorf("the failed run is summarized as %+v", f)
	}
	if r := all[1]; r.ActionID != 2 || r.ConnectionID != 1 || r.Vars["key"] != "X-1" || r.Err != "" {
		t.Errorf("a run is summarized as %+v", r)
	}
	for limit, want := range map[int][]uint64{1: {6}, 3: {6, 5, 4}, 6: {6, 5, 4, 3, 2, 1}, 10: {6, 5, 4, 3, 2, 1}, -1: {6, 5, 4, 3, 2, 1}} {
		if got, err := s.History(limit); err != nil || !slices.Equal(summaryIDs(got), want) {
			t.Errorf("History(%d): %v, %v; want %v", limit, summaryIDs(got), err, want)
		}
	}
	if got, err := s.ActionHistory(2, 0); err != nil || !slices.Equal(summaryIDs(got), []uint64{5, 2}) {
		t.Errorf("ActionHistory(2): %v, %v", summaryIDs(got), err)
	}
	if got, err := s.ActionHistory(1, 1); err != nil || !slices.Equal(summaryIDs(got), []uint64{4}) || got[0].Status != 203 {
		t.Errorf("ActionHistory(1, 1): %+v, %v", got, err)
	}
	if got, err := s.ActionHistory(42, 0); err != nil || len(got) != 0 {
		t.Errorf("ActionHistory of an action without runs: %v, %v", got, err)
	}
}

// Pruned runs leave History as they leave Runs.
func TestHistoryIsBounded(t *testing.T) {
	s := openBounded(t, 2)
	record(t, s, 1, 1, 1, 2, 1)
	all, err := s.History(0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summaryIDs(all), []uint64{5, 4, 3}; !slices.Equal(got, want) {
		t.Errorf("History(0) ids %v, want %v", got, want)
	}
}

// Run reads one run, whole, by the id History gave; a pruned run is gone.
func TestRunByID(t *testing.T) {
	s := openBounded(t, 1)
	record(t, s, 1, 2)
	list, err := s.History(0)
	if err != nil || len(list) != 2 {
		t.Fatalf("History: %v, %v", list, err)
	}
	r, err := s.Run(list[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.ActionID != 1 || r.Response == nil || r.Response.Status != 200 || string(r.Response.Body) != "body" || r.Vars["key"] != "X-1" {
		t.Errorf("Run(%d) = %+v", list[1].ID, r)
	}
	record(t, s, 1) // prunes run 1
	if _, err := s.Run(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Run of a pruned run: %v, want ErrNotFound", err)
	}
	if _, err := s.Run(99); !errors.Is(err, ErrNotFound) {
		t.Errorf("Run(99): %v, want ErrNotFound", err)
	}
}

// Deleting an action takes its runs out of the history of every action.
func TestHistoryLosesADeletedActionsRuns(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "c")
	a, b := newAction("a", c.ID), newAction("b", c.ID)
	for _, act := range []*wizard.Action{&a, &b} {
		if err := s.CreateAction(act); err != nil {
			t.Fatal(err)
		}
	}
	record(t, s, a.ID, b.ID, a.ID)
	if err := s.DeleteAction(a.ID); err != nil {
		t.Fatal(err)
	}
	all, err := s.History(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].ActionID != b.ID {
		t.Errorf("History after deleting a: %+v", all)
	}
	if _, err := s.Run(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Run of a deleted action's run: %v", err)
	}
}

// Runs recorded while the bound is lowered never outlast it: each is
// pruned either by SetRunsPerAction's transaction or by its own.
func TestSetRunsPerActionWhileRecording(t *testing.T) {
	s := openTemp(t)
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				if err := s.RecordRun(newRun(uint64(1+g%2), 200+i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		if err := s.SetRunsPerAction(3); err != nil {
			errs <- err
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, id := range []uint64{1, 2} {
		if runs, err := s.Runs(id); err != nil || len(runs) > 3 {
			t.Errorf("action %d keeps %d runs (%v), over the bound of 3", id, len(runs), err)
		}
	}
	assertIndexed(t, s)
}
