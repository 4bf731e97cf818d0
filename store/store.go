// Package store keeps connections and actions in one bbolt file.
//
// TODO: document the bucket tree here.
package store

import (
	"errors"

	"patchbay/connection"
	"patchbay/wizard"
)

// Errors callers check with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrDuplicateName = errors.New("name already in use")
	ErrLocked        = errors.New("database locked by another patchbay")
	ErrNotDatabase   = errors.New("not a patchbay database")
	ErrNewerSchema   = errors.New("database written by a newer patchbay")
)

// Store is an open database.
type Store struct{}

// Entry is one row of a names index: enough to list without reading values.
type Entry struct {
	ID   uint64
	Name string
}

// DefaultPath is $XDG_DATA_HOME/patchbay/patchbay.db, falling back to
// ~/.local/share/patchbay/patchbay.db.
func DefaultPath() (string, error) { panic("TODO") }

// Path resolves the database path: flag (if non-empty), else $PATCHBAY_DB,
// else DefaultPath.
func Path(flag string) (string, error) { panic("TODO") }

// Open opens or creates the database at path (file 0600, parent directory
// 0700), creates missing buckets and runs migrations, all in one transaction.
// Another process holding the file gives ErrLocked within about a second
// ("another patchbay is using PATH"); a file that is not a patchbay database
// gives ErrNotDatabase and is left untouched.
func Open(path string) (*Store, error) { panic("TODO") }

// Close closes the database.
func (s *Store) Close() error { panic("TODO") }

// Path returns the file the store was opened from.
func (s *Store) Path() string { panic("TODO") }

// CreateConnection saves a new connection, setting c.ID. Names are unique
// case-insensitively (ErrDuplicateName).
func (s *Store) CreateConnection(c *connection.Connection) error { panic("TODO") }

// UpdateConnection replaces the connection with c.ID.
func (s *Store) UpdateConnection(c connection.Connection) error { panic("TODO") }

// Connection returns the connection with id.
func (s *Store) Connection(id uint64) (connection.Connection, error) { panic("TODO") }

// ConnectionByName returns the connection with name (case-insensitive).
func (s *Store) ConnectionByName(name string) (connection.Connection, error) { panic("TODO") }

// Connections returns every connection, sorted by name.
func (s *Store) Connections() ([]connection.Connection, error) { panic("TODO") }

// ConnectionNames lists connections from the names index, sorted by name.
func (s *Store) ConnectionNames() ([]Entry, error) { panic("TODO") }

// DeleteConnection removes the connection with id. It refuses (an error naming
// them) while actions still use it.
func (s *Store) DeleteConnection(id uint64) error { panic("TODO") }

// CreateAction saves a new action, setting a.ID and the timestamps.
func (s *Store) CreateAction(a *wizard.Action) error { panic("TODO") }

// UpdateAction replaces the action with a.ID, setting UpdatedAt.
func (s *Store) UpdateAction(a *wizard.Action) error { panic("TODO") }

// Action returns the action with id.
func (s *Store) Action(id uint64) (wizard.Action, error) { panic("TODO") }

// ActionByName returns the action with name (case-insensitive).
func (s *Store) ActionByName(name string) (wizard.Action, error) { panic("TODO") }

// Actions returns every action, sorted by name.
func (s *Store) Actions() ([]wizard.Action, error) { panic("TODO") }

// ActionNames lists actions from the names index, sorted by name.
func (s *Store) ActionNames() ([]Entry, error) { panic("TODO") }

// DeleteAction removes the action with id.
func (s *Store) DeleteAction(id uint64) error { panic("TODO") }

// RecordRun keeps a run in the bounded history (the last 1000 runs); it
// satisfies wizard.Recorder.
func (s *Store) RecordRun(r wizard.Run) error { panic("TODO") }

// Runs returns the runs of an action, newest first.
func (s *Store) Runs(actionID uint64) ([]wizard.Run, error) { panic("TODO") }
