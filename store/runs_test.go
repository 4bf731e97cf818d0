package store

import (
	"testing"
	"time"

	"patchbay/connection"
	"patchbay/wizard"
)

func newRun(actionID uint64, status int) wizard.Run {
	return wizard.Run{
		ActionID:     actionID,
		ConnectionID: 1,
		At:           time.Date(2025, 1, 1, 0, 0, status, 0, time.UTC),
		Vars:         map[string]string{"key": "X-1"},
		Response:     &connection.Response{Status: status, Body: []byte("body")},
	}
}

func statuses(runs []wizard.Run) []int {
	var list []int
	for _, r := range runs {
		list = append(list, r.Response.Status)
	}
	return list
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The store is the wizard's recorder.
var _ wizard.Recorder = (*Store)(nil)

func TestRunsNewestFirst(t *testing.T) {
	s := openTemp(t)
	for i, actionID := range []uint64{1, 2, 1, 1, 2} {
		if err := s.RecordRun(newRun(actionID, 200+i)); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := s.Runs(1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(runs), []int{203, 202, 200}; !equalInts(got, want) {
		t.Errorf("Runs(1): %v, want %v", got, want)
	}
	if runs[0].Vars["key"] != "X-1" || string(runs[0].Response.Body) != "body" {
		t.Errorf("run not round-tripped: %+v", runs[0])
	}
	if runs, err := s.Runs(3); err != nil || len(runs) != 0 {
		t.Errorf("Runs of an action without runs: %v, %v", runs, err)
	}
}

func TestRecordRunStampsTime(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	fixClock(t, t0)
	s := openTemp(t)
	if err := s.RecordRun(wizard.Run{ActionID: 1}); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(1)
	if err != nil || len(runs) != 1 || !runs[0].At.Equal(t0) {
		t.Errorf("Runs: %+v, %v", runs, err)
	}
}

func TestRunsBounded(t *testing.T) {
	saved := maxRuns
	maxRuns = 5
	t.Cleanup(func() { maxRuns = saved })

	s := openTemp(t)
	for i := range 12 {
		actionID := uint64(1 + i%2) // two actions share the bound
		if err := s.RecordRun(newRun(actionID, 200+i)); err != nil {
			t.Fatal(err)
		}
	}
	one, err := s.Runs(1)
	if err != nil {
		t.Fatal(err)
	}
	two, err := s.Runs(2)
	if err != nil {
		t.Fatal(err)
	}
	// The newest five of 200..211: 207..211.
	if got, want := statuses(one), []int{210, 208}; !equalInts(got, want) {
		t.Errorf("Runs(1): %v, want %v", got, want)
	}
	if got, want := statuses(two), []int{211, 209, 207}; !equalInts(got, want) {
		t.Errorf("Runs(2): %v, want %v", got, want)
	}
}

func TestDeleteActionDeletesRuns(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "c")
	a, b := newAction("a", c.ID), newAction("b", c.ID)
	for _, act := range []*wizard.Action{&a, &b} {
		if err := s.CreateAction(act); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordRun(newRun(act.ID, 200)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteAction(a.ID); err != nil {
		t.Fatal(err)
	}
	if runs, err := s.Runs(a.ID); err != nil || len(runs) != 0 {
		t.Errorf("runs of the deleted action: %v, %v", runs, err)
	}
	if runs, err := s.Runs(b.ID); err != nil || len(runs) != 1 {
		t.Errorf("runs of the other action: %v, %v", runs, err)
	}
}
