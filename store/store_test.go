package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
)

// openTemp opens a fresh database in a temporary directory.
func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "patchbay.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg/data")
	got, err := DefaultPath()
	if err != nil || got != "/xdg/data/patchbay/patchbay.db" {
		t.Errorf("with XDG_DATA_HOME: got %q, %v", got, err)
	}

	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, xdg := range []string{"", "relative/dir"} {
		t.Setenv("XDG_DATA_HOME", xdg)
		got, err := DefaultPath()
		want := filepath.Join(home, ".local", "share", "patchbay", "patchbay.db")
		if err != nil || got != want {
			t.Errorf("XDG_DATA_HOME=%q: got %q, %v; want %q", xdg, got, err, want)
		}
	}
}

func TestPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg")
	t.Setenv("PATCHBAY_DB", "/env/p.db")
	if got, _ := Path("/flag/p.db"); got != "/flag/p.db" {
		t.Errorf("flag: got %q", got)
	}
	if got, _ := Path(""); got != "/env/p.db" {
		t.Errorf("env: got %q", got)
	}
	t.Setenv("PATCHBAY_DB", "")
	if got, _ := Path(""); got != "/xdg/patchbay/patchbay.db" {
		t.Errorf("default: got %q", got)
	}
}

func TestOpenCreatesFileAndDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "patchbay")
	path := filepath.Join(dir, "patchbay.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	for p, want := range map[string]os.FileMode{
		path:              0o600,
		dir:               0o700,
		filepath.Dir(dir): 0o700,
	} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := connection.Connection{Name: "Jira", BaseURL: "https://jira.example", Auth: connection.Auth{Type: connection.AuthBasic, Username: "u", Password: "p"}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	a := newAction("get issue", c.ID)
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRun(newRun(a.ID, 200)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	gotC, err := s.ConnectionByName("jira")
	if err != nil || !equalJSON(t, gotC, c) {
		t.Errorf("connection after reopen: %+v, %v; want %+v", gotC, err, c)
	}
	gotA, err := s.Action(a.ID)
	if err != nil || !equalJSON(t, gotA, a) {
		t.Errorf("action after reopen: %+v, %v; want %+v", gotA, err, a)
	}
	runs, err := s.Runs(a.ID)
	if err != nil || len(runs) != 1 {
		t.Errorf("runs after reopen: %d, %v", len(runs), err)
	}
	// New ids continue after the old ones instead of reusing them.
	c2 := connection.Connection{Name: "Other"}
	if err := s.CreateConnection(&c2); err != nil || c2.ID <= c.ID {
		t.Errorf("second connection id %d after %d (%v)", c2.ID, c.ID, err)
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	first, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()

	start := time.Now()
	second, err := Open(path)
	elapsed := time.Since(start)
	if err == nil {
		second.Close()
		t.Fatal("second Open succeeded while the first is open")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("error %v is not ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "another patchbay is using") || !strings.Contains(err.Error(), path) {
		t.Errorf("error text %q", err)
	}
	if elapsed >= 2*time.Second {
		t.Errorf("second Open took %v, want < 2s", elapsed)
	}
}

// Close releases the lock.
func TestOpenAfterClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	first, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := Open(path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	second.Close()
}

// snapshot is what must not change about a file Open refuses.
type snapshot struct {
	data    []byte
	mode    os.FileMode
	modTime time.Time
	size    int64
}

func snap(t *testing.T, path string) snapshot {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{data, info.Mode(), info.ModTime(), info.Size()}
}

func assertUnchanged(t *testing.T, path string, before snapshot) {
	t.Helper()
	after := snap(t, path)
	if !bytes.Equal(before.data, after.data) {
		t.Errorf("%s: contents changed", path)
	}
	if before.mode != after.mode || !before.modTime.Equal(after.modTime) || before.size != after.size {
		t.Errorf("%s: mode/mtime/size changed: %v %v %d → %v %v %d", path,
			before.mode, before.modTime, before.size, after.mode, after.modTime, after.size)
	}
}

func assertNotDatabase(t *testing.T, path string) {
	t.Helper()
	before := snap(t, path)
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a file that is not a patchbay database")
	}
	if !errors.Is(err, ErrNotDatabase) {
		t.Errorf("error %v is not ErrNotDatabase", err)
	}
	if want := path + " is not a patchbay database"; !strings.Contains(err.Error(), want) {
		t.Errorf("error text %q, want it to contain %q", err, want)
	}
	assertUnchanged(t, path, before)
}

func TestOpenTextFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("shopping list:\n- milk\n- bread\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	assertNotDatabase(t, path)
}

func TestOpenRandomBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "random.bin")
	data := make([]byte, 8<<10)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
	assertNotDatabase(t, path)
}

func TestOpenForeignBolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	assertNotDatabase(t, path)
}

// A bbolt file with no buckets holds nothing anyone could lose.
func TestOpenEmptyBolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open of an empty bbolt file: %v", err)
	}
	defer s.Close()
	assertSchema(t, s.db, currentSchema())
}

func TestOpenZeroByteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open of a 0-byte file: %v", err)
	}
	defer s.Close()
	c := connection.Connection{Name: "x"}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
}

func TestOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNotDatabase) {
		t.Errorf("Open(directory): %v, want ErrNotDatabase", err)
	}
}

func TestOpenNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keySchemaVersion, itob(99))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	before := snap(t, path)

	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a newer schema")
	}
	if !errors.Is(err, ErrNewerSchema) {
		t.Errorf("error %v is not ErrNewerSchema", err)
	}
	want := fmt.Sprintf("%s was written by a newer patchbay (schema 99); this one knows schema %d", path, currentSchema())
	if err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
	assertUnchanged(t, path, before)
}

func assertSchema(t *testing.T, db *bolt.DB, want uint64) {
	t.Helper()
	err := db.View(func(tx *bolt.Tx) error {
		got, ok := schemaVersion(tx)
		if !ok || got != want {
			t.Errorf("schema version %d (present %v), want %d", got, ok, want)
		}
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
