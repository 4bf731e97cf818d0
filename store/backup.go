package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// compactTxSize bounds each transaction Compact writes into the new file.
const compactTxSize = 64 << 20

// Backup writes a consistent copy of the database, as of one read
// transaction, to dst (mode 0600). Saves may go on meanwhile. It refuses,
// with an error matching fs.ErrExist, to replace anything already at dst.
// The copy is written under a temporary name beside dst and synced before
// it takes dst's name, so dst is never a partial copy.
func (s *Store) Backup(dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return newError(dst+" already exists; give the backup a new name", fs.ErrExist)
	}
	return s.db.View(func(tx *bolt.Tx) error {
		if err := writeSnapshot(tx, dst, false); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return newError(dst+" already exists; give the backup a new name", fs.ErrExist)
			}
			return fmt.Errorf("cannot back up %s to %s: %w", s.path, dst, err)
		}
		return nil
	})
}

// backupBeforeMigration copies the database at path, of schema version
// from, to PATH.bak-schemaN (replacing an older copy of that name) before
// migrations change it.
func backupBeforeMigration(db *bolt.DB, path string, from uint64) error {
	dst := fmt.Sprintf("%s.bak-schema%d", path, from)
	err := db.View(func(tx *bolt.Tx) error { return writeSnapshot(tx, dst, true) })
	if err != nil {
		return fmt.Errorf("cannot back up %s to %s before upgrading it: %w", path, dst, err)
	}
	return nil
}

// writeSnapshot writes what tx sees to dst through a synced temporary file
// beside it (mode 0600). With replace unset it never replaces a file at dst
// and fails with fs.ErrExist instead.
func writeSnapshot(tx *bolt.Tx, dst string, replace bool) error {
	f, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a rename or link there is nothing left to remove but the link
	if _, err := tx.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if replace {
		if err := os.Rename(tmp, dst); err != nil {
			return err
		}
		flushDir(filepath.Dir(dst))
		return nil
	}
	return placeNew(tmp, dst)
}

// placeNew gives the complete file tmp the name dst, which must not exist
// (fs.ErrExist). A hard link cannot replace anything; where links are not
// supported it falls back to checking first and renaming.
func placeNew(tmp, dst string) error {
	err := os.Link(tmp, dst)
	switch {
	case err == nil:
		_ = os.Remove(tmp)
	case errors.Is(err, fs.ErrExist):
		return err
	default:
		if _, err := os.Lstat(dst); err == nil {
			return &fs.PathError{Op: "create", Path: dst, Err: fs.ErrExist}
		}
		if err := os.Rename(tmp, dst); err != nil {
			return err
		}
	}
	flushDir(filepath.Dir(dst))
	return nil
}

// flushDir makes a rename or link in dir durable. Some file systems cannot
// sync a directory; the file itself is synced already, so that is no
// reason to fail.
func flushDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// Compact rewrites the database into a new file without its free pages and
// puts that in its place; before and after are the file sizes. The new file
// is written and synced beside the database, checked, and renamed over it
// while this process still holds the old file's lock and already holds the
// new one's, so no other patchbay can slip in between; a process killed at
// any point leaves either the old file or the whole new one. The store stays
// open on the new file. Compact must not run at the same time as other calls
// on s.
func (s *Store) Compact() (before, after int64, err error) {
	info, err := os.Stat(s.path)
	if err != nil {
		return 0, 0, fmt.Errorf("cannot compact %s: %w", s.path, err)
	}
	before = info.Size()
	fail := func(err error) (int64, int64, error) {
		return before, 0, fmt.Errorf("cannot compact %s: %w", s.path, err)
	}

	// Only the holder of the database's lock compacts it, so a file left
	// at this name by a process killed mid-compaction is nobody's.
	tmp := s.path + ".compact"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return fail(err)
	}
	swapped := false
	defer func() {
		if !swapped {
			_ = dst.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := bolt.Compact(dst, s.db, compactTxSize); err != nil {
		return fail(err)
	}
	if err := dst.Sync(); err != nil {
		return fail(err)
	}
	if err := dst.View(checkTx); err != nil {
		return fail(fmt.Errorf("the compacted copy fails its check: %w", err))
	}
	if info, err = os.Stat(tmp); err != nil {
		return fail(err)
	}
	after = info.Size()
	if err := os.Rename(tmp, s.path); err != nil {
		return fail(err)
	}
	swapped = true
	flushDir(filepath.Dir(s.path))
	old := s.db
	s.db = dst // bbolt still calls it by its temporary name; nothing reads that
	_ = old.Close()
	return before, after, nil
}

// checkTx runs bbolt's consistency check and returns its first complaint.
// It reads every complaint: the check runs in a goroutine that must finish
// before tx ends.
func checkTx(tx *bolt.Tx) error {
	var first error
	for err := range tx.Check() {
		if first == nil {
			first = err
		}
	}
	return first
}
