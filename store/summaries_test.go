package store

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

// storedSummaries reads the action_summaries bucket raw: id → summary,
// named from the names index.
func storedSummaries(t *testing.T, s *Store) map[uint64]ActionSummary {
	t.Helper()
	out := map[uint64]ActionSummary{}
	err := s.db.View(func(tx *bolt.Tx) error {
		names := map[uint64]string{}
		entries, err := actions.entries(tx)
		for _, e := range entries {
			names[e.ID] = e.Name
		}
		if err != nil {
			return err
		}
		return tx.Bucket(bucketActionSummaries).ForEach(func(k, v []byte) error {
			sum, ok := decodeSummary(v, Entry{ID: btoi(k), Name: names[btoi(k)]})
			if !ok {
				t.Errorf("summary %d does not decode: %q", btoi(k), v)
			}
			out[btoi(k)] = sum
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A summary decodes to what was encoded, whatever its times and texts.
func TestSummaryRoundTrip(t *testing.T) {
	for _, sum := range []ActionSummary{
		{ID: 1, Name: "x"},
		{ID: 2, Name: "ünï", ConnectionID: 1 << 40, Method: "PATCH", URL: "/a/{{b}}?c=ü", Vars: 300,
			UpdatedAt: time.Date(2026, 11, 23, 1, 2, 3, 456789, time.UTC)},
		{ID: 3, Name: "old", Method: "GET", URL: "", UpdatedAt: time.Date(1601, 1, 1, 0, 0, 0, 1, time.UTC)},
	} {
		got, ok := decodeSummary(encodeSummary(sum), Entry{ID: sum.ID, Name: sum.Name})
		if !ok || !reflect.DeepEqual(got, sum) {
			t.Errorf("round trip of %+v: %+v, %v", sum, got, ok)
		}
	}
	good := encodeSummary(ActionSummary{Method: "GET", URL: "/x"})
	for _, bad := range [][]byte{nil, {}, {2}, good[:1], good[:4], append([]byte{summaryV1, 0, 0, 0, 0, 0x7f}, "GET"...)} {
		if got, ok := decodeSummary(bad, Entry{ID: 1}); ok {
			t.Errorf("%q decodes, to %+v", bad, got)
		}
	}
}

// assertSummariesInStep fails unless the summaries bucket holds exactly one
// summary per action, each what SummarizeAction makes of the action as
// Action reads it, and ActionSummaries lists them in name order.
func assertSummariesInStep(t *testing.T, s *Store) {
	t.Helper()
	whole, err := s.Actions()
	if err != nil {
		t.Fatal(err)
	}
	stored := storedSummaries(t, s)
	if len(stored) != len(whole) {
		t.Errorf("%d summaries stored for %d actions: %+v", len(stored), len(whole), stored)
	}
	var want []ActionSummary
	for _, a := range whole {
		want = append(want, SummarizeAction(a))
		if got, ok := stored[a.ID]; !ok || !reflect.DeepEqual(got, SummarizeAction(a)) {
			t.Errorf("summary of %d: %+v (stored %v), want %+v", a.ID, got, ok, SummarizeAction(a))
		}
	}
	list, err := s.ActionSummaries()
	if err != nil || !reflect.DeepEqual(list, want) {
		t.Errorf("ActionSummaries: %+v, %v; want %+v", list, err, want)
	}
}

// Create, update, rename, copy and delete keep the summaries in step with
// the actions; the summary carries what the lists show.
func TestSummariesFollowActionWrites(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	fixClock(t, t0)
	s := openTemp(t)
	jira := createConnection(t, s, "Jira")
	gh := createConnection(t, s, "GitHub")

	a := newAction("Get issue", jira.ID)
	a.Headers = []connection.KV{{Key: "X-Api-Key", Value: "k-secret-Q1"}, {Key: "X-Trace", Value: "{{trace}}"}}
	a.Sample = &connection.Response{Status: 200, Body: []byte(strings.Repeat("x", 4096))}
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	b := newAction("Alpha", gh.ID)
	if err := s.CreateAction(&b); err != nil {
		t.Fatal(err)
	}
	assertSummariesInStep(t, s)
	want := ActionSummary{ID: a.ID, Name: "Get issue", ConnectionID: jira.ID, Method: "GET", URL: "/issues/{{key}}", Vars: 2, UpdatedAt: t0}
	if got := storedSummaries(t, s)[a.ID]; !reflect.DeepEqual(got, want) {
		t.Errorf("summary %+v, want %+v", got, want)
	}
	if raw := rawSummary(t, s, a.ID); strings.Contains(raw, "k-secret-Q1") || strings.Contains(raw, "xxxx") {
		t.Errorf("the summary holds more than the list shows: %s", raw)
	}

	// Update: method, URL, connection and name all change.
	a.Method, a.URL, a.ConnectionID, a.Name = "POST", "/repos/{{owner}}/{{repo}}/issues", gh.ID, "Create issue"
	if err := s.UpdateAction(&a); err != nil {
		t.Fatal(err)
	}
	assertSummariesInStep(t, s)
	if got := storedSummaries(t, s)[a.ID]; got.Name != "Create issue" || got.Method != "POST" || got.ConnectionID != gh.ID || got.Vars != 3 {
		t.Errorf("after the update: %+v", got)
	}

	// A rename only (what m does) and a copy (c).
	a.Name = "  create ISSUE  "
	if err := s.UpdateAction(&a); err != nil {
		t.Fatal(err)
	}
	cp := a
	cp.ID, cp.Name = 0, "Create issue copy"
	if err := s.CreateAction(&cp); err != nil {
		t.Fatal(err)
	}
	assertSummariesInStep(t, s)
	if got := storedSummaries(t, s)[a.ID].Name; got != "create ISSUE" {
		t.Errorf("renamed summary is named %q", got)
	}

	// A refused update changes neither the action nor its summary.
	clash := cp
	clash.Name, clash.Method = "alpha", "DELETE"
	if err := s.UpdateAction(&clash); !errors.Is(err, ErrDuplicateName) {
		t.Fatalf("update to a taken name: %v", err)
	}
	assertSummariesInStep(t, s)

	// Delete takes the summary with the action.
	if err := s.DeleteAction(a.ID); err != nil {
		t.Fatal(err)
	}
	assertSummariesInStep(t, s)
	if _, ok := storedSummaries(t, s)[a.ID]; ok {
		t.Error("the deleted action's summary is still stored")
	}
}

// rawSummary is the stored bytes of the summary of id.
func rawSummary(t *testing.T, s *Store, id uint64) string {
	t.Helper()
	var raw string
	_ = s.db.View(func(tx *bolt.Tx) error {
		raw = string(tx.Bucket(bucketActionSummaries).Get(itob(id)))
		return nil
	})
	return raw
}

// CreateActions writes actions and their summaries in one transaction: when
// one of the batch is refused, none of them nor any summary is kept.
func TestCreateActionsAllOrNone(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "api")
	batch := []wizard.Action{newAction("one", c.ID), newAction("two", c.ID), newAction("ONE", c.ID)}
	if err := s.CreateActions(batch); !errors.Is(err, ErrDuplicateName) {
		t.Fatalf("a batch with a name twice: %v", err)
	}
	if batch[0].ID != 0 {
		t.Errorf("a refused batch wrote ids back: %+v", batch[0])
	}
	if got := storedSummaries(t, s); len(got) != 0 {
		t.Errorf("summaries kept from a refused batch: %+v", got)
	}
	batch = batch[:2]
	if err := s.CreateActions(batch); err != nil {
		t.Fatal(err)
	}
	if batch[0].ID == 0 || batch[1].ID == batch[0].ID {
		t.Errorf("ids not written back: %+v", batch)
	}
	assertSummariesInStep(t, s)
}

// Listing reads summaries, not actions: with every action's value
// unreadable, ActionSummaries still lists them all, right.
func TestActionSummariesReadNoAction(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "api")
	for _, n := range []string{"b", "a", "c"} {
		a := newAction(n, c.ID)
		if err := s.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
	}
	want, err := s.ActionSummaries()
	if err != nil || len(want) != 3 || want[0].Name != "a" || want[2].Name != "c" {
		t.Fatalf("ActionSummaries: %+v, %v", want, err)
	}
	damageAll(t, s, bucketActions)
	got, err := s.ActionSummaries()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("with the actions damaged: %+v, %v; want %+v", got, err, want)
	}
}

// damageAll overwrites every value of bucket with bytes that are not JSON.
func damageAll(t *testing.T, s *Store, bucket []byte) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		var keys [][]byte
		_ = b.ForEach(func(k, _ []byte) error { keys = append(keys, append([]byte(nil), k...)); return nil })
		for _, k := range keys {
			if err := b.Put(k, []byte("\x00garbage{")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A summary that is missing, garbage, cut short or of a format this
// patchbay does not know does not break the list: that row is summarized
// from the action itself. Only when the action is damaged too is listing an
// error, which names it.
func TestDamagedSummaryFallsBackToTheAction(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "api")
	var ids []uint64
	for _, n := range []string{"gone", "garbage", "short", "newer", "fine"} {
		a := newAction(n, c.ID)
		if err := s.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	want, err := s.ActionSummaries()
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		sums := tx.Bucket(bucketActionSummaries)
		if err := sums.Delete(itob(ids[0])); err != nil {
			return err
		}
		if err := sums.Put(itob(ids[1]), []byte("{not json")); err != nil {
			return err
		}
		short := encodeSummary(want[0])
		if err := sums.Put(itob(ids[2]), short[:3]); err != nil {
			return err
		}
		return sums.Put(itob(ids[3]), append([]byte{summaryV1 + 1}, short[1:]...))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ActionSummaries()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("with damaged summaries: %+v, %v; want %+v", got, err, want)
	}

	// The action behind a missing summary damaged too: an error naming it.
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketActions).Put(itob(ids[0]), []byte("{")) })
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ActionSummaries()
	if err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Errorf("summary and action both damaged: %v, want an error saying which action is damaged", err)
	}
}

// Migration 5 on a schema 4 file (actions but no summaries): Open backs the
// file up as PATH.bak-schema4, then summarizes every action; an action that
// does not decode gets no summary and the migration goes on.
func TestUpgradeSummariesFromSchema4(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := createConnection(t, s, "api")
	var ids []uint64
	for _, n := range []string{"Zeta", "alpha", "Mid"} {
		a := newAction(n, c.ID)
		a.Sample = &connection.Response{Status: 200, Body: []byte("sample")}
		if err := s.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	want, err := s.ActionSummaries()
	if err != nil {
		t.Fatal(err)
	}
	// Make it the file a schema 4 patchbay left: no summaries bucket, and
	// an extra action value that is damaged.
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketActionSummaries); err != nil {
			return err
		}
		if err := tx.Bucket(bucketActions).Put(itob(99), []byte("{damaged")); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, itob(4))
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path)
	defer s.Close()
	assertSchema(t, s.db, currentSchema())
	if _, err := os.Stat(path + ".bak-schema4"); err != nil {
		t.Errorf("no backup before the upgrade: %v", err)
	}
	got, err := s.ActionSummaries()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after migration 5: %+v, %v; want %+v", got, err, want)
	}
	stored := storedSummaries(t, s)
	if len(stored) != 3 {
		t.Errorf("migration 5 stored %d summaries, want 3 (none for the damaged value): %+v", len(stored), stored)
	}
	for _, id := range ids {
		if _, ok := stored[id]; !ok {
			t.Errorf("no summary for action %d", id)
		}
	}
	// Writes go on keeping them in step.
	a, err := s.Action(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	a.Name = "Omega"
	if err := s.UpdateAction(&a); err != nil {
		t.Fatal(err)
	}
	if got := storedSummaries(t, s)[a.ID].Name; got != "Omega" {
		t.Errorf("after an update on the upgraded file the summary says %q", got)
	}
}
