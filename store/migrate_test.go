package store

import (
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// rawDB opens a plain bbolt file, for setting up what an old or foreign
// program would have left.
func rawDB(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "raw.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// bucketSince is the schema that added each bucket after schema 1.
var bucketSince = map[string]int{"tokens": 2, "tests": 3, "runs_by_action": 4, "action_summaries": 5, "openapi_specs": 6}

// atSchema makes Open write files of schema n, as a patchbay of that schema
// did: only the migrations up to n run, and only their buckets must exist.
// restore (also run at cleanup) brings back the current schema.
func atSchema(t *testing.T, n int) (restore func()) {
	t.Helper()
	saved, savedBuckets := migrations, allBuckets
	restore = func() { migrations, allBuckets = saved, savedBuckets }
	t.Cleanup(restore)
	migrations = slices.Clip(saved[:n])
	allBuckets = slices.DeleteFunc(slices.Clone(allBuckets), func(b []byte) bool { return bucketSince[string(b)] > n })
	return restore
}

// Every bucket a migration after the first adds is in bucketSince, so
// atSchema leaves it out of older files.
func TestBucketSinceCoversAllBuckets(t *testing.T) {
	first := map[string]bool{"meta": true, "connections": true, "connection_names": true,
		"actions": true, "action_names": true, "runs": true}
	for _, b := range allBuckets {
		if v, ok := bucketSince[string(b)]; !first[string(b)] && (!ok || v < 2 || v > len(migrations)) {
			t.Errorf("bucket %s: no schema in bucketSince", b)
		}
	}
}

func TestMigrationsOrdered(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migrations[%d] has version %d, want %d", i, m.version, i+1)
		}
		if m.name == "" || m.apply == nil {
			t.Errorf("migration %d lacks a name or a function", m.version)
		}
	}
}

// Migration 1 creates every bucket of schema 1, and running it twice is harmless.
func TestMigration1CreateBuckets(t *testing.T) {
	db := rawDB(t)
	for range 2 {
		if err := db.Update(migrations[0].apply); err != nil {
			t.Fatal(err)
		}
	}
	err := db.View(func(tx *bolt.Tx) error {
		for _, name := range []string{"meta", "connections", "connection_names", "actions", "action_names", "runs"} {
			if tx.Bucket([]byte(name)) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// migrate from version 0 runs every migration and records the version; from
// the current version it changes nothing.
func TestMigrateRecordsVersion(t *testing.T) {
	db := rawDB(t)
	if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, 0) }); err != nil {
		t.Fatal(err)
	}
	assertSchema(t, db, currentSchema())
	if err := db.Update(func(tx *bolt.Tx) error { return migrate(tx, currentSchema()) }); err != nil {
		t.Fatal(err)
	}
	assertSchema(t, db, currentSchema())
}

// A failing migration leaves the file as it was: Open's transaction rolls back.
func TestMigrationFailureRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	saved := migrations
	migrations = append(append([]migration(nil), saved...), migration{
		version: len(saved) + 1,
		name:    "fails",
		apply: func(tx *bolt.Tx) error {
			if _, err := tx.CreateBucket([]byte("half-done")); err != nil {
				return err
			}
			return bolt.ErrTxClosed // any error
		},
	})
	t.Cleanup(func() { migrations = saved })

	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open succeeded with a failing migration")
	}
	migrations = saved
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open after the failed attempt: %v", err)
	}
	defer s.Close()
	err = s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("half-done")) != nil {
			t.Error("the failed migration's bucket was committed")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
