package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
	bolt "go.etcd.io/bbolt"

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

// openBounded opens a fresh database that keeps perAction runs of each
// action.
func openBounded(t *testing.T, perAction int) *Store {
	t.Helper()
	s, err := OpenWith(filepath.Join(t.TempDir(), "patchbay.db"), Options{RunsPerAction: perAction})
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// storedRuns reads the runs bucket and the runs_by_action index as they
// are: the ids of every stored run, and the run ids indexed under each
// action.
func storedRuns(t *testing.T, s *Store) (ids []uint64, byAction map[uint64][]uint64) {
	t.Helper()
	byAction = map[uint64][]uint64{}
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketRuns).ForEach(func(k, _ []byte) error {
			ids = append(ids, btoi(k))
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketRunsByAction).ForEachBucket(func(action []byte) error {
			idx := tx.Bucket(bucketRunsByAction).Bucket(action)
			return idx.ForEach(func(k, _ []byte) error {
				byAction[btoi(action)] = append(byAction[btoi(action)], btoi(k))
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, byAction
}

// assertIndexed fails unless the runs bucket holds exactly the runs the
// index lists: pruning removed both or neither.
func assertIndexed(t *testing.T, s *Store) {
	t.Helper()
	ids, byAction := storedRuns(t, s)
	var indexed []uint64
	for _, list := range byAction {
		indexed = append(indexed, list...)
	}
	slices.Sort(indexed)
	if !slices.Equal(ids, indexed) {
		t.Errorf("runs bucket %v, index %v", ids, indexed)
	}
}

func seq(from, to int) []int {
	var list []int
	for i := to; i >= from; i-- {
		list = append(list, i)
	}
	return list
}

// By default each action keeps its newest 100 runs.
func TestRunsDefaultBound(t *testing.T) {
	s := openTemp(t)
	if s.RunsPerAction() != DefaultRunsPerAction || DefaultRunsPerAction != 100 {
		t.Fatalf("bound %d, default %d, want 100", s.RunsPerAction(), DefaultRunsPerAction)
	}
	for i := range 105 {
		if err := s.RecordRun(newRun(1, 1000+i)); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := s.Runs(1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(runs), seq(1005, 1104); !equalInts(got, want) {
		t.Errorf("Runs(1): %d runs %v..., want 1104 down to 1005", len(got), got[:min(3, len(got))])
	}
	if ids, _ := storedRuns(t, s); len(ids) != 100 || ids[0] != 6 {
		t.Errorf("runs bucket holds %d runs from id %v, want 100 from 6", len(ids), ids[:1])
	}
	assertIndexed(t, s)
}

// Options.RunsPerAction sets the bound, and each action has its own.
func TestRunsBoundConfigurable(t *testing.T) {
	s := openBounded(t, 5)
	for i := range 12 {
		if err := s.RecordRun(newRun(uint64(1+i%2), 200+i)); err != nil {
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
	// Six runs each, the oldest of each gone: 200 and 201.
	if got, want := statuses(one), []int{210, 208, 206, 204, 202}; !equalInts(got, want) {
		t.Errorf("Runs(1): %v, want %v", got, want)
	}
	if got, want := statuses(two), []int{211, 209, 207, 205, 203}; !equalInts(got, want) {
		t.Errorf("Runs(2): %v, want %v", got, want)
	}
	if ids, _ := storedRuns(t, s); len(ids) != 10 {
		t.Errorf("runs bucket holds %d runs, want 10", len(ids))
	}
	assertIndexed(t, s)
}

// One action's runs never evict another's, however many it makes.
func TestRunsBoundPerAction(t *testing.T) {
	s := openBounded(t, 3)
	for i := range 2 {
		if err := s.RecordRun(newRun(7, 700+i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		if err := s.RecordRun(newRun(8, 800+i)); err != nil {
			t.Fatal(err)
		}
	}
	if runs, err := s.Runs(7); err != nil || !equalInts(statuses(runs), []int{701, 700}) {
		t.Errorf("Runs(7) after 50 runs of action 8: %v, %v", statuses(runs), err)
	}
	if runs, err := s.Runs(8); err != nil || !equalInts(statuses(runs), []int{849, 848, 847}) {
		t.Errorf("Runs(8): %v, %v", statuses(runs), err)
	}
	assertIndexed(t, s)
}

// RunsOf returns at most limit runs, the newest first; 0 means all.
func TestRunsOfLimit(t *testing.T) {
	s := openTemp(t)
	for i := range 4 {
		if err := s.RecordRun(newRun(1, 200+i)); err != nil {
			t.Fatal(err)
		}
	}
	for limit, want := range map[int][]int{1: {203}, 2: {203, 202}, 4: {203, 202, 201, 200}, 9: {203, 202, 201, 200}, 0: {203, 202, 201, 200}, -1: {203, 202, 201, 200}} {
		if runs, err := s.RunsOf(1, limit); err != nil || !equalInts(statuses(runs), want) {
			t.Errorf("RunsOf(1, %d): %v, %v; want %v", limit, statuses(runs), err, want)
		}
	}
	if runs, err := s.RunsOf(2, 5); err != nil || len(runs) != 0 {
		t.Errorf("RunsOf an action without runs: %v, %v", runs, err)
	}
}

// The acceptance test for the bound: two goroutines inserting runs of the
// same action at once (2×150, bound 100) leave exactly 100, the newest
// 100 committed; and a reader listing meanwhile never sees more than 100,
// because each insert prunes in its own transaction.
func TestRunsConcurrentInsertKeepsBound(t *testing.T) {
	const bound, each = 100, 150
	s := openBounded(t, bound)
	var writers sync.WaitGroup
	errs := make(chan error, 2*each+1)
	for g := range 2 {
		writers.Go(func() {
			for i := range each {
				r := newRun(1, 200)
				r.Vars = map[string]string{"g": strconv.Itoa(g), "i": strconv.Itoa(i)}
				if err := s.RecordRun(r); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	done := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			runs, err := s.Runs(1)
			if err != nil {
				errs <- err
				return
			}
			if len(runs) > bound {
				errs <- fmt.Errorf("a reader saw %d runs, over the bound", len(runs))
				return
			}
		}
	})
	writers.Wait()
	close(done)
	reader.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	runs, err := s.Runs(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != bound {
		t.Fatalf("%d runs kept, want %d", len(runs), bound)
	}
	// The newest committed: run ids 201..300, nothing else stored.
	ids, byAction := storedRuns(t, s)
	var want []uint64
	for id := uint64(2*each - bound + 1); id <= 2*each; id++ {
		want = append(want, id)
	}
	if !slices.Equal(ids, want) || !slices.Equal(byAction[1], want) {
		t.Errorf("kept run ids %v (index %v), want %d..%d", ids, byAction[1], want[0], want[len(want)-1])
	}
	// Each goroutine's kept runs are its last ones, newest first: the
	// listing is in commit order and what went is the oldest.
	next := map[string]int{"0": each - 1, "1": each - 1}
	for _, r := range runs {
		g, i := r.Vars["g"], r.Vars["i"]
		if i != strconv.Itoa(next[g]) {
			t.Fatalf("goroutine %s: run %s listed where %d was due", g, i, next[g])
		}
		next[g]--
	}
}

// Migration 4 indexes the runs an older file kept, by action, oldest
// first; a run that cannot be decoded is dropped; running it twice is
// harmless.
func TestMigration4RunsIndex(t *testing.T) {
	if m := migrations[3]; m.version != 4 || m.name != "runs by action index" {
		t.Fatalf("migrations[3] is %d %q", m.version, m.name)
	}
	db := rawDB(t)
	err := db.Update(func(tx *bolt.Tx) error {
		for _, m := range migrations[:3] {
			if err := m.apply(tx); err != nil {
				return err
			}
		}
		runs := tx.Bucket(bucketRuns)
		for i, actionID := range []uint64{1, 2, 1, 0, 1} {
			id, _ := runs.NextSequence()
			v, _ := json.Marshal(newRun(actionID, 200+i))
			if i == 3 {
				v = []byte("{damaged")
			}
			if err := runs.Put(itob(id), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := db.Update(migrations[3].apply); err != nil {
			t.Fatal(err)
		}
	}
	err = db.View(func(tx *bolt.Tx) error {
		got := map[uint64][]uint64{}
		err := tx.Bucket(bucketRunsByAction).ForEachBucket(func(action []byte) error {
			return tx.Bucket(bucketRunsByAction).Bucket(action).ForEach(func(k, _ []byte) error {
				got[btoi(action)] = append(got[btoi(action)], btoi(k))
				return nil
			})
		})
		if want := map[uint64][]uint64{1: {1, 3, 5}, 2: {2}}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("index %v, want %v", got, want)
		}
		if tx.Bucket(bucketRuns).Get(itob(4)) != nil {
			t.Error("the damaged run was kept, unindexed")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A schema 3 file with history is upgraded by Open: its runs are listed
// per action as before, and an action's next run trims its old history to
// the bound.
func TestUpgradeRunsFromSchema3(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	restore := atSchema(t, 3)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// What the schema 3 RecordRun wrote: runs/<id> alone.
	err = s.db.Update(func(tx *bolt.Tx) error {
		runs := tx.Bucket(bucketRuns)
		for i := range 6 {
			id, _ := runs.NextSequence()
			v, _ := json.Marshal(newRun(uint64(1+i%2), 200+i))
			if err := runs.Put(itob(id), v); err != nil {
				return err
			}
		}
		return nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	restore()

	s, err = OpenWith(path, Options{RunsPerAction: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	assertSchema(t, s.db, currentSchema())
	if _, err := os.Stat(path + ".bak-schema3"); err != nil {
		t.Errorf("no backup before the upgrade: %v", err)
	}
	if runs, err := s.Runs(1); err != nil || !equalInts(statuses(runs), []int{204, 202, 200}) {
		t.Errorf("Runs(1) after the upgrade: %v, %v", statuses(runs), err)
	}
	if runs, err := s.Runs(2); err != nil || !equalInts(statuses(runs), []int{205, 203, 201}) {
		t.Errorf("Runs(2) after the upgrade: %v, %v", statuses(runs), err)
	}
	if err := s.RecordRun(newRun(1, 206)); err != nil {
		t.Fatal(err)
	}
	if runs, err := s.Runs(1); err != nil || !equalInts(statuses(runs), []int{206, 204}) {
		t.Errorf("Runs(1) after a new run: %v, %v", statuses(runs), err)
	}
	if runs, err := s.Runs(2); err != nil || len(runs) != 3 {
		t.Errorf("Runs(2) was trimmed by action 1's run: %v, %v", statuses(runs), err)
	}
	assertIndexed(t, s)
}

func TestDeleteActionDeletesRuns(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "c")
	a, b := newAction("a", c.ID), newAction("b", c.ID)
	for _, act := range []*wizard.Action{&a, &b} {
		if err := s.CreateAction(act); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := s.RecordRun(newRun(act.ID, 200)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.DeleteAction(a.ID); err != nil {
		t.Fatal(err)
	}
	if runs, err := s.Runs(a.ID); err != nil || len(runs) != 0 {
		t.Errorf("runs of the deleted action: %v, %v", runs, err)
	}
	if runs, err := s.Runs(b.ID); err != nil || len(runs) != 2 {
		t.Errorf("runs of the other action: %v, %v", runs, err)
	}
	ids, byAction := storedRuns(t, s)
	if _, ok := byAction[a.ID]; ok || len(ids) != 2 {
		t.Errorf("after the delete: runs %v, index %v", ids, byAction)
	}
	assertIndexed(t, s)
}

// The acceptance test for history and secrets: a run recorded through
// wizard.Replay, against an httpbin that echoes everything it receives, on
// a Basic-auth connection, with a secret-named header and a secret-named
// variable, leaves none of those values in the database file, in plain or
// in base64 (the form a stored body takes in JSON).
func TestHistoryNeverHoldsASecret(t *testing.T) {
	isolate(t, false)
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	const (
		user     = "hist-user"
		password = "hist-pw-Qe73vT"
		apiKey   = "hist-key-Rb58nM"
		token    = "hist-var-Wc41zK"
		pin      = "hist-pin-Jk29pX" // a secret variable sent where no name says so
	)
	secrets := []string{password, basicForm(user, password), apiKey, token, pin}

	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := connection.Connection{Name: "basic", BaseURL: srv.URL, Auth: connection.Auth{
		Type: connection.AuthBasic, Username: user, Password: password}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	a := wizard.Action{
		Name: "echo", ConnectionID: c.ID, Method: "GET", URL: "/anything/{{secret_pin}}",
		Headers: []connection.KV{{Key: "X-Api-Key", Value: apiKey}},
		Query:   []connection.KV{{Key: "access_token", Value: "{{access_token}}"}, {Key: "q", Value: "{{secret_pin}}"}},
	}
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"access_token": token, "secret_pin": pin}
	resp, err := wizard.Replay(context.Background(), c, a, vars, s)
	if err != nil || resp.Status != 200 {
		t.Fatalf("replay: %d, %v", resp.Status, err)
	}
	// The echo the caller sees holds each (the password as its Basic
	// form), so the file could have.
	for _, secret := range secrets[1:] {
		if !bytes.Contains(resp.Body, []byte(secret)) {
			t.Fatalf("httpbin's echo lacks %q, so this test proves nothing:\n%s", secret, resp.Body)
		}
	}
	runs, err := s.Runs(a.ID)
	if err != nil || len(runs) != 1 || runs[0].Response == nil || runs[0].Response.Status != 200 {
		t.Fatalf("history: %+v, %v", runs, err)
	}
	// Kept with the echo, the secrets in it redacted rather than the body
	// dropped.
	if r := runs[0]; r.Vars["access_token"] != connection.Redacted || r.ConnectionID != c.ID ||
		!bytes.Contains(r.Response.Body, []byte(`"X-Api-Key"`)) || !bytes.Contains(r.Response.Body, []byte(connection.Redacted)) ||
		r.Response.Request.URL == "" {
		t.Errorf("the run is not kept whole: %+v\n%s", r, r.Response.Body)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	file := fileBytes(t, path)
	assertAbsent(t, "the database file", file, secrets...)
	for _, secret := range secrets {
		assertAbsent(t, "the database file (base64)", file, inBase64(secret)...)
	}
}
