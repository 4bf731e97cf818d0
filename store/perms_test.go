//go:build unix

package store

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Under umask 000 every file patchbay makes is still 0600 and every
// directory 0700: the database, its directories, a backup, the copy taken
// before a migration and the compacted file.
func TestPermissionsUnderUmask000(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })

	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	path := filepath.Join(dir, "patchbay.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	createConnection(t, s, "c")
	backup := filepath.Join(root, "backup.db")
	if err := s.Backup(backup); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{
		path:              0o600,
		dir:               0o700,
		filepath.Dir(dir): 0o700,
		backup:            0o600,
	}

	// A migration's backup.
	from := currentSchema()
	withMigration(t, func(tx *bolt.Tx) error { return nil })
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	want[fmt.Sprintf("%s.bak-schema%d", path, from)] = 0o600

	bak := fmt.Sprintf("%s.bak-schema%d", path, from)
	if got := dirEntries(t, dir); !slices.Equal(got, []string{"patchbay.db", filepath.Base(bak)}) {
		t.Errorf("%s holds %q", dir, got)
	}
	for p, mode := range want {
		info, err := os.Stat(p)
		if err != nil {
			t.Error(err)
			continue
		}
		if got := info.Mode().Perm(); got != mode {
			t.Errorf("%s: mode %v, want %v", p, got, mode)
		}
	}
}
