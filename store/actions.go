package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/wizard"
)

// now is the clock for timestamps; tests may replace it.
var now = func() time.Time { return time.Now().UTC() }

var actions = collection[wizard.Action]{
	noun: "action", a: "an action", values: bucketActions, names: bucketActionNames,
	id:         func(a *wizard.Action) *uint64 { return &a.ID },
	name:       func(a *wizard.Action) *string { return &a.Name },
	beforeSave: prepareAction,
	// An action's history goes with it.
	beforeDelete: func(tx *bolt.Tx, id uint64, _ []byte) error { return deleteRuns(tx, id) },
}

// CreateAction saves a new action, setting a.ID and the timestamps. Its
// connection must exist (ErrNotFound); names are unique case-insensitively
// (ErrDuplicateName).
func (s *Store) CreateAction(a *wizard.Action) error { return actions.create(s, a) }

// createAction gives a an id and timestamps and saves it; a.Name is already
// clean.
func createAction(tx *bolt.Tx, a *wizard.Action) error { return actions.insert(tx, nil, a) }

// UpdateAction replaces the action with a.ID, keeping CreatedAt and setting
// UpdatedAt (both are written back to a).
func (s *Store) UpdateAction(a *wizard.Action) error { return actions.update(s, a) }

// prepareAction stamps a (CreatedAt from the stored action old, if any) and
// checks that its connection exists.
func prepareAction(tx *bolt.Tx, a *wizard.Action, old []byte) error {
	if old == nil {
		a.CreatedAt = now()
		a.UpdatedAt = a.CreatedAt
	} else {
		var was struct {
			CreatedAt time.Time `json:"created_at"`
		}
		if err := json.Unmarshal(old, &was); err != nil {
			return fmt.Errorf("action %d is damaged: %w", a.ID, err)
		}
		a.CreatedAt = was.CreatedAt
		a.UpdatedAt = now()
	}
	if tx.Bucket(bucketConnections).Get(itob(a.ConnectionID)) == nil {
		return newError(fmt.Sprintf("action '%s' uses connection %d, which does not exist", a.Name, a.ConnectionID), ErrNotFound)
	}
	return nil
}

// Action returns the action with id.
func (s *Store) Action(id uint64) (wizard.Action, error) { return actions.one(s, id) }

// ActionByName returns the action with name (case-insensitive).
func (s *Store) ActionByName(name string) (wizard.Action, error) {
	return actions.byName(s, name)
}

// Actions returns every action, sorted by name.
func (s *Store) Actions() ([]wizard.Action, error) { return actions.all(s) }

// ActionNames lists actions from the names index, sorted by name.
func (s *Store) ActionNames() ([]Entry, error) { return actions.listNames(s.db) }

// DeleteAction removes the action with id and its run history.
func (s *Store) DeleteAction(id uint64) error { return actions.delete(s.db, id) }
