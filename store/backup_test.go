package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
)

// filled opens a store at a new path holding a connection "Jira" and n
// actions named "action NNN".
func filled(t *testing.T, n int) *Store {
	t.Helper()
	s := openTemp(t)
	c := createConnection(t, s, "Jira")
	for i := range n {
		a := newAction(fmt.Sprintf("action %03d", i), c.ID)
		a.Body = strings.Repeat("b", 2000)
		if err := s.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// names lists the action names in the database file at path, read with
// bbolt alone, after bbolt's consistency check.
func actionNamesIn(t *testing.T, path string) []string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	var names []string
	err = db.View(func(tx *bolt.Tx) error {
		if err := checkTx(tx); err != nil {
			return fmt.Errorf("check: %w", err)
		}
		es, err := actions.entries(tx)
		for _, e := range es {
			names = append(names, e.Name)
		}
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return names
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestBackup(t *testing.T) {
	s := filled(t, 20)
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(dst); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", info.Mode().Perm())
	}
	if got := actionNamesIn(t, dst); len(got) != 20 || got[0] != "action 000" {
		t.Errorf("backup holds actions %q", got)
	}
	if got := dirEntries(t, filepath.Dir(dst)); !slices.Equal(got, []string{"copy.db"}) {
		t.Errorf("backup directory holds %q, want only copy.db", got)
	}
	// The store goes on working, and the copy opens as a patchbay database.
	createConnection(t, s, "after")
	b, err := Open(dst)
	if err != nil {
		t.Fatalf("Open(backup): %v", err)
	}
	defer b.Close()
	if _, err := b.ConnectionByName("after"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a connection made after the backup is in it: %v", err)
	}
	if a, err := b.ActionByName("action 019"); err != nil || a.Body != strings.Repeat("b", 2000) {
		t.Errorf("action in the backup: %+v, %v", a, err)
	}
}

func TestBackupRefusesExistingFile(t *testing.T) {
	s := filled(t, 1)
	dir := t.TempDir()
	dst := filepath.Join(dir, "mine.txt")
	if err := os.WriteFile(dst, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snap(t, dst)
	err := s.Backup(dst)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), dst+" already exists") {
		t.Errorf("Backup over a file: %v, want fs.ErrExist naming it", err)
	}
	assertUnchanged(t, dst, before)
	// Nor over the database itself, nor a directory.
	for _, p := range []string{s.Path(), dir} {
		if err := s.Backup(p); !errors.Is(err, fs.ErrExist) {
			t.Errorf("Backup(%s): %v, want fs.ErrExist", p, err)
		}
	}
	if got := dirEntries(t, dir); !slices.Equal(got, []string{"mine.txt"}) {
		t.Errorf("directory holds %q after refusals", got)
	}
}

// placeNew, under Backup, never replaces a file that appears between the
// check and the rename.
func TestPlaceNewNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	tmp, dst := filepath.Join(dir, "tmp"), filepath.Join(dir, "dst")
	for _, p := range []string{tmp, dst} {
		if err := os.WriteFile(p, []byte(p), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := placeNew(tmp, dst); !errors.Is(err, fs.ErrExist) {
		t.Errorf("placeNew over a file: %v", err)
	}
	if got, _ := os.ReadFile(dst); string(got) != dst {
		t.Errorf("dst was replaced by %q", got)
	}
}

func TestBackupToMissingDirectory(t *testing.T) {
	s := filled(t, 1)
	dst := filepath.Join(t.TempDir(), "no", "such", "dir", "b.db")
	err := s.Backup(dst)
	if err == nil || !strings.Contains(err.Error(), "cannot back up") {
		t.Errorf("Backup into a missing directory: %v", err)
	}
}

// A backup taken while another goroutine saves is one transaction's view:
// it passes bbolt's check and its names index matches its values.
func TestBackupWhileSaving(t *testing.T) {
	s := filled(t, 0)
	c, err := s.ConnectionByName("Jira")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			a := newAction(fmt.Sprintf("busy %d", i), c.ID)
			if err := s.CreateAction(&a); err != nil {
				t.Error(err)
				return
			}
		}
	})
	dir := t.TempDir()
	for i := range 5 {
		dst := filepath.Join(dir, fmt.Sprintf("b%d.db", i))
		if err := s.Backup(dst); err != nil {
			t.Fatal(err)
		}
		names := actionNamesIn(t, dst)
		b, err := Open(dst)
		if err != nil {
			t.Fatal(err)
		}
		all, err := b.Actions()
		b.Close()
		if err != nil || len(all) != len(names) {
			t.Errorf("backup %d: %d names, %d actions (%v)", i, len(names), len(all), err)
		}
	}
	close(stop)
	wg.Wait()
}

func TestCompact(t *testing.T) {
	s := filled(t, 120)
	path := s.Path()
	names, err := s.ActionNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range names[10:] {
		if err := s.DeleteAction(e.ID); err != nil {
			t.Fatal(err)
		}
	}
	before, after, err := s.Compact()
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Size() != after || before <= after {
		t.Errorf("Compact: %d → %d bytes; the file is %d", before, after, info.Size())
	}
	if after > before/4 {
		t.Errorf("Compact freed little: %d → %d bytes", before, after)
	}
	if got := dirEntries(t, filepath.Dir(path)); !slices.Equal(got, []string{"patchbay.db"}) {
		t.Errorf("after Compact the directory holds %q", got)
	}

	// The store works on the new file, which holds the lock and the data.
	c := createConnection(t, s, "after compaction")
	a := newAction("new", c.ID)
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	if other, err := Open(path); !errors.Is(err, ErrLocked) {
		if err == nil {
			other.Close()
		}
		t.Errorf("Open while the compacted store is open: %v, want ErrLocked", err)
	}
	if got, err := s.ActionNames(); err != nil || len(got) != 11 {
		t.Errorf("after Compact: %d actions, %v", len(got), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got := actionNamesIn(t, path)
	if len(got) != 11 || got[0] != "action 000" || got[10] != "new" {
		t.Errorf("reopened after Compact: %q", got)
	}
	// Ids continue after the old ones: sequences survive compaction.
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c2 := connection.Connection{Name: "later"}
	if err := r.CreateConnection(&c2); err != nil || c2.ID <= c.ID {
		t.Errorf("connection id %d after %d (%v)", c2.ID, c.ID, err)
	}
}

// If Compact fails, the database is as it was and the store still usable.
func TestCompactFailureLeavesDatabase(t *testing.T) {
	s := filled(t, 5)
	path := s.Path()
	// A directory that is not empty where the temporary file goes.
	if err := os.MkdirAll(filepath.Join(path+".compact", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	before := snap(t, path)
	if _, _, err := s.Compact(); err == nil || !strings.Contains(err.Error(), "cannot compact "+path) {
		t.Fatalf("Compact: %v", err)
	}
	assertUnchanged(t, path, before)
	createConnection(t, s, "still works")
}

// Compacting an empty database, and compacting twice, are harmless.
func TestCompactTwice(t *testing.T) {
	s := openTemp(t)
	for range 2 {
		if _, _, err := s.Compact(); err != nil {
			t.Fatal(err)
		}
	}
	createConnection(t, s, "x")
}

// withMigration appends m to the migrations for the rest of the test.
func withMigration(t *testing.T, apply func(tx *bolt.Tx) error) uint64 {
	t.Helper()
	saved := migrations
	migrations = append(slices.Clip(saved), migration{version: len(saved) + 1, name: "test", apply: apply})
	t.Cleanup(func() { migrations = saved })
	return currentSchema()
}

// closedFilled is filled, closed: a database of the current schema with data.
func closedFilled(t *testing.T) string {
	t.Helper()
	s := filled(t, 3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s.Path()
}

// Before a migration changes a database with data, Open copies it to
// PATH.bak-schemaN.
func TestMigrationBacksUpFirst(t *testing.T) {
	path := closedFilled(t)
	old := currentSchema()
	oldBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := withMigration(t, func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("new in this version"))
		return err
	})
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	assertSchema(t, s.db, want)

	bak := fmt.Sprintf("%s.bak-schema%d", path, old)
	info, err := os.Stat(bak)
	if err != nil {
		t.Fatalf("no backup: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", info.Mode().Perm())
	}
	if got := actionNamesIn(t, bak); len(got) != 3 {
		t.Errorf("backup holds %q", got)
	}
	db, err := bolt.Open(bak, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if v, ok := schemaVersion(tx); !ok || v != old {
			t.Errorf("backup schema %d (%v), want %d", v, ok, old)
		}
		if tx.Bucket([]byte("new in this version")) != nil {
			t.Error("the backup was taken after the migration")
		}
		return nil
	})
	// The backup's pages are the old file's (only the meta pages differ).
	if bakBytes, _ := os.ReadFile(bak); len(bakBytes) > len(oldBytes) {
		t.Errorf("backup is %d bytes, the old file %d", len(bakBytes), len(oldBytes))
	}
	if got := dirEntries(t, filepath.Dir(path)); !slices.Equal(got, []string{"patchbay.db", filepath.Base(bak)}) {
		t.Errorf("directory holds %q", got)
	}
}

// A failing migration leaves the file byte for byte as it was (Open's one
// transaction rolls back), with the backup taken beside it.
func TestFailingMigrationLeavesFileUnchanged(t *testing.T) {
	path := closedFilled(t)
	old := currentSchema()
	before := snap(t, path)
	withMigration(t, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("half-done"))
		if err != nil {
			return err
		}
		if err := b.Put([]byte("k"), make([]byte, 100_000)); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketActions); err != nil {
			return err
		}
		return errors.New("disk on fire")
	})
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded with a failing migration")
	}
	if !strings.Contains(err.Error(), "cannot upgrade "+path) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("error %q", err)
	}
	assertUnchanged(t, path, before)
	if _, err := os.Stat(fmt.Sprintf("%s.bak-schema%d", path, old)); err != nil {
		t.Errorf("no backup beside the file: %v", err)
	}
}

// A new database, or one already at the current schema, gets no backup.
func TestNoBackupWithoutMigration(t *testing.T) {
	path := closedFilled(t)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := dirEntries(t, filepath.Dir(path)); !slices.Equal(got, []string{"patchbay.db"}) {
		t.Errorf("directory holds %q", got)
	}
}

// A file with buckets but no schema version is not ours; one of a newer
// schema is refused without a backup or a write (TestOpenNewerSchema checks
// the bytes and mtime).
func TestNewerSchemaGetsNoBackup(t *testing.T) {
	path := closedFilled(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, itob(currentSchema()+1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := snap(t, path)
	if s, err := Open(path); !errors.Is(err, ErrNewerSchema) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("Open: %v", err)
	}
	assertUnchanged(t, path, before)
	if got := dirEntries(t, filepath.Dir(path)); !slices.Equal(got, []string{"patchbay.db"}) {
		t.Errorf("directory holds %q", got)
	}
}
