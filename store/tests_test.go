package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
)

// The last test of a connection survives a reopen, a newer one replaces it,
// and deleting the connection deletes it.
func TestLastTests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	a, _ := twoConnections(t, s)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if err := s.SaveLastTest(a.ID, LastTest{OK: false, Reason: "401 Unauthorized", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLastTest(a.ID, LastTest{OK: true, Reason: "connected — 200 OK", At: at.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLastTest(999, LastTest{OK: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveLastTest of a missing connection: %v, want ErrNotFound", err)
	}
	s.Close()

	s = openAt(t, path)
	defer s.Close()
	got, err := s.LastTests()
	if err != nil {
		t.Fatal(err)
	}
	want := LastTest{OK: true, Reason: "connected — 200 OK", At: at.Add(time.Minute)}
	if len(got) != 1 || !got[a.ID].At.Equal(want.At) || got[a.ID].Reason != want.Reason || !got[a.ID].OK {
		t.Fatalf("LastTests after reopen = %+v, want only %d: %+v", got, a.ID, want)
	}
	if err := s.DeleteConnection(a.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LastTests(); len(got) != 0 {
		t.Errorf("the test of a deleted connection is still there: %+v", got)
	}
}

// Migration 3 adds the tests bucket, and running it twice is harmless.
func TestMigration3TestsBucket(t *testing.T) {
	db := rawDB(t)
	if m := migrations[2]; m.version != 3 || m.name != "connection tests bucket" {
		t.Fatalf("migrations[2] is %d %q", m.version, m.name)
	}
	for range 2 {
		if err := db.Update(migrations[2].apply); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("tests")) == nil {
			t.Error("bucket tests missing")
		}
		return nil
	})
}

// twoConnections saves the connections "a" and "b".
func twoConnections(t *testing.T, s *Store) (a, b connection.Connection) {
	t.Helper()
	a = connection.Connection{Name: "a", BaseURL: "https://a.example.test"}
	b = connection.Connection{Name: "b", BaseURL: "https://b.example.test"}
	for _, c := range []*connection.Connection{&a, &b} {
		if err := s.CreateConnection(c); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}
