// Package store keeps connections, actions and the run history in one bbolt
// file.
//
// The bucket tree (schema 6):
//
//	meta/
//	  schema_version    → big-endian uint64
//	  key_id            → hex id of the data key sealing secrets (once one is saved)
//	  key_check         → a fixed text sealed with that key, to tell a wrong key
//	  key_salt          → scrypt salt, when the key comes from a passphrase
//	  sealed_v1         → present once Open has sealed plaintext an older build left
//	  runs_per_action   → big-endian uint64, once SetRunsPerAction set it: how
//	                      many runs of each action the history keeps (history.go)
//	connections/
//	  <id>              → JSON connection.Connection, secret fields sealed
//	                      as "enc:v1:…" (secrets.go)
//	connection_names/
//	  <lower(name)>     → <id> ‖ <display name>
//	actions/
//	  <id>              → JSON wizard.Action, the values of secret-named
//	                      query, header and form rows sealed (actions.go)
//	action_names/
//	  <lower(name)>     → <id> ‖ <display name>
//	action_summaries/                                     (schema 5)
//	  <action id>       → what the lists show of the action, binary:
//	                      0x01 ‖ uvarint connection id ‖ uvarint
//	                      variable count ‖ varint updated_at Unix seconds ‖
//	                      uvarint its nanoseconds ‖ uvarint len(method) ‖
//	                      method ‖ URL; written and deleted in the
//	                      transaction that writes or deletes the action
//	                      (summaries.go)
//	runs/
//	  <id>              → JSON wizard.Run, variables and echoed secrets
//	                      redacted by wizard.Replay
//	runs_by_action/                                       (schema 4)
//	  <action id>/      → a bucket per action that has runs:
//	    <run id>        → empty; only the newest runs of each action are
//	                      kept: Options.RunsPerAction, else
//	                      meta/runs_per_action, else 100 (runs.go)
//	tokens/                                               (schema 2)
//	  <connection id>   → JSON connection.Token of an OAuth2 connection,
//	                      sealed whole as "enc:v1:…" (tokens.go)
//	tests/                                                (schema 3)
//	  <connection id>   → JSON LastTest: the connection's last test (tests.go)
//	openapi_specs/                                        (schema 6)
//	  <connection id>   → the OpenAPI document attached to the connection:
//	                      uvarint len(header) ‖ JSON header (source, time)
//	                      ‖ the document's bytes (specs.go)
//
// Lists decode no whole value: ActionSummaries joins action_names and
// action_summaries (a missing or undecodable summary is made from the
// action itself); History decodes the summary fields of the newest runs.
//
// Every <id> is a big-endian uint64 from the bucket's NextSequence, so ids are
// never reused and cursors walk them oldest first: runs/ is the history of
// every action in the order it was recorded, which History reads from the
// end. A name is stored trimmed of surrounding space; its index key is
// strings.ToLower of that, which makes names unique case-insensitively and
// lets a cursor over a names bucket list them in order without reading a
// single value. The index value is the 8-byte id followed by the name as the
// user typed it.
//
// Open brings an older file up to date with the migrations in migrate.go, in
// the same transaction that checks the buckets, after copying it to
// PATH.bak-schemaN. Every write is one Update transaction. A new file is
// built beside its path and linked into place whole. Before bbolt maps an
// existing file, checkFile (check.go) reads its meta pages with plain reads,
// so a truncated or garbage file is refused instead of crashing the process.
// Backup and Compact (backup.go) copy and rewrite the file safely.
package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Errors callers check with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrDuplicateName = errors.New("name already in use")
	ErrLocked        = errors.New("database locked by another patchbay")
	ErrNotDatabase   = errors.New("not a patchbay database")
	ErrNewerSchema   = errors.New("database written by a newer patchbay")
	// ErrDamaged means the file is a bbolt database that cannot be opened
	// safely: both meta pages fail their checksums, or it is shorter than
	// its pages. The message says to restore a backup.
	ErrDamaged = errors.New("database damaged")
	// ErrInUse means a delete was refused because something still refers to
	// the record (a connection that actions use).
	ErrInUse = errors.New("still in use")
)

// Store is an open database. Its methods are safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	box  *secretBox // seals and opens secret fields; see secrets.go
	// runsPerAction is the history's bound per action (see RecordRun and
	// SetRunsPerAction). Writes happen inside write transactions, which
	// bbolt runs one at a time; RunsPerAction reads it outside one.
	runsPerAction atomic.Int64
}

// Entry is one row of a names index: enough to list without reading values.
type Entry struct {
	ID   uint64
	Name string
}

// lockTimeout bounds how long Open waits for another process's lock.
const lockTimeout = time.Second

// DefaultPath is $XDG_DATA_HOME/patchbay/patchbay.db, falling back to
// ~/.local/share/patchbay/patchbay.db.
func DefaultPath() (string, error) {
	// The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
	if dir := os.Getenv("XDG_DATA_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "patchbay", "patchbay.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a place for the database: %w (set --db or PATCHBAY_DB)", err)
	}
	return filepath.Join(home, ".local", "share", "patchbay", "patchbay.db"), nil
}

// Path resolves the database path: flag (if non-empty), else $PATCHBAY_DB,
// else DefaultPath.
func Path(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := os.Getenv("PATCHBAY_DB"); env != "" {
		return env, nil
	}
	return DefaultPath()
}

// Open opens or creates the database at path (file 0600, parent directory
// 0700), creates missing buckets and runs migrations, all in one transaction.
// Another process holding the file gives ErrLocked within about a second
// ("another patchbay is using PATH"); a file that is not a patchbay database
// gives ErrNotDatabase and is left untouched.
func Open(path string) (*Store, error) { return OpenWith(path, Options{}) }

// Options tune OpenWith.
type Options struct {
	// Keys supplies the data key that encrypts secrets. Nil means the
	// default chain: $PATCHBAY_PASSPHRASE, else the OS keyring, else a key
	// file in the config directory.
	Keys KeySource
	// RunsPerAction bounds the history for this open store: how many runs
	// of each action are kept, the newest. 0 (or less) means the bound kept
	// in the database (SetRunsPerAction), else DefaultRunsPerAction.
	RunsPerAction int
}

// OpenWith is Open with options.
func OpenWith(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("no database path given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the database directory: %w", err)
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := create(path); err != nil {
			return nil, err
		}
		info, err = os.Stat(path)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A dangling symlink: bolt.Open creates its target.
	case err != nil:
		return nil, fmt.Errorf("cannot open database: %w", err)
	case info.IsDir():
		return nil, newError(path+" is a directory, not a patchbay database", ErrNotDatabase)
	case info.Size() > 0:
		// bolt.Open with write access may write to the file before we can
		// look inside, so a file of someone else's is first opened read-only.
		if err := inspect(path); err != nil {
			return nil, err
		}
	}
	db, err := openLocked(path)
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.initialize(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.loadRunsPerAction(opts.RunsPerAction); err != nil {
		_ = db.Close()
		return nil, err
	}
	if s.box, err = openSecretBox(db, path, opts.Keys); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// create makes a new database at path whole or not at all: it is built and
// synced under a temporary name beside path, then linked into place, so a
// process killed while creating it leaves no half-written file behind. If
// another process created path first, theirs is kept.
func create(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return nil // a dangling symlink; bolt.Open creates its target
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("cannot create the database: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot create the database: %w", err)
	}
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return fmt.Errorf("cannot create the database %s: %w", path, err)
	}
	err = (&Store{db: db, path: path}).initialize()
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("cannot create the database %s: %w", path, cerr)
	}
	if err != nil {
		return err
	}
	if err := placeNew(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("cannot create the database %s: %w", path, err)
	}
	return nil
}

// openLocked opens path read-write, waiting up to lockTimeout for its lock.
// Compact renames a new file over the database while it holds the lock, so
// a process that was waiting for that lock gets it on a file no longer at
// path; then it closes that and opens what path names now.
func openLocked(path string) (*bolt.DB, error) {
	for attempt := 1; ; attempt++ {
		var opened *os.File
		db, err := bolt.Open(path, 0o600, &bolt.Options{
			Timeout: lockTimeout,
			OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, perm)
				opened = f
				return f, err
			},
		})
		if err != nil {
			return nil, err
		}
		same, err := samePath(opened, path)
		if err == nil && !same && attempt < 3 {
			_ = db.Close()
			continue
		}
		if err == nil && !same {
			err = errors.New("it kept being replaced while opening it")
		}
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		return db, nil
	}
}

// samePath reports whether f is the file path names now.
func samePath(f *os.File, path string) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	pi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, pi), nil
}

// inspect checks, without writing to it, that a non-empty file is a patchbay
// database of a schema this binary knows, or a bbolt file with no buckets at
// all: first its meta pages and length with plain reads (checkFile), then
// by opening it read-only.
func inspect(path string) (err error) {
	if err := checkFile(path); err != nil {
		return err
	}
	// A file with valid bbolt meta pages but corrupt data can make bbolt
	// panic, or fault on a page past the end of the mapping.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(path, fmt.Sprint(r))
		}
	}()

	// PreLoadFreelist reads the freelist here, as the read-write open will.
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: lockTimeout})
	if err != nil {
		return openError(path, err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		version, ok := schemaVersion(tx)
		if !ok {
			empty := tx.ForEach(func([]byte, *bolt.Bucket) error { return errStop }) == nil
			if empty {
				return nil
			}
			return newError(path+" is not a patchbay database", ErrNotDatabase)
		}
		return checkVersion(path, version)
	})
}

var errStop = errors.New("stop")

// initialize creates the buckets and runs pending migrations in one
// transaction, so a failing migration leaves the file as it was; a file
// that is up to date is not written at all. A file that has data of an
// older schema is first copied to PATH.bak-schemaN (N the old version).
func (s *Store) initialize() error {
	var version uint64
	var found, complete bool
	if err := s.db.View(func(tx *bolt.Tx) error {
		version, found = schemaVersion(tx)
		complete = true
		for _, name := range allBuckets {
			complete = complete && tx.Bucket(name) != nil
		}
		return nil
	}); err != nil {
		return err
	}
	if err := checkVersion(s.path, version); err != nil {
		return err
	}
	if found && version == currentSchema() && complete {
		return nil // nothing to do, and so nothing written
	}
	if found && version < currentSchema() {
		if err := backupBeforeMigration(s.db, s.path, version); err != nil {
			return err
		}
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		version, _ := schemaVersion(tx)
		if err := checkVersion(s.path, version); err != nil {
			return err
		}
		if err := migrate(tx, version); err != nil {
			return fmt.Errorf("cannot upgrade %s: %w", s.path, err)
		}
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("%s: bucket %s missing after migrations", s.path, name)
			}
		}
		return nil
	})
}

func checkVersion(path string, version uint64) error {
	if version > currentSchema() {
		return newError(fmt.Sprintf("%s was written by a newer patchbay (schema %d); this one knows schema %d",
			path, version, currentSchema()), ErrNewerSchema)
	}
	return nil
}

// openError turns a bolt.Open failure into one plain sentence.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return newError("another patchbay is using "+path, ErrLocked, err)
	case errors.Is(err, bolterrors.ErrChecksum):
		return damaged(path, "both meta pages fail their checksums")
	case errors.Is(err, bolterrors.ErrInvalid),
		errors.Is(err, bolterrors.ErrVersionMismatch):
		return newError(path+" is not a patchbay database", ErrNotDatabase, err)
	}
	return fmt.Errorf("cannot open database %s: %w", path, err)
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// storeError is a plain-words message that errors.Is matches against its
// sentinel (and the cause, when there is one).
type storeError struct {
	msg  string
	errs []error
}

func newError(msg string, errs ...error) error { return &storeError{msg: msg, errs: errs} }

func (e *storeError) Error() string   { return e.msg }
func (e *storeError) Unwrap() []error { return e.errs }
