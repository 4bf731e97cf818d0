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

// CreateAction saves a new action, setting a.ID and the timestamps. Its
// connection must exist (ErrNotFound); names are unique case-insensitively
// (ErrDuplicateName).
func (s *Store) CreateAction(a *wizard.Action) error {
	if err := actions.checkName(a.Name); err != nil {
		return err
	}
	saved := *a
	saved.Name = cleanName(a.Name)
	saved.CreatedAt = now()
	saved.UpdatedAt = saved.CreatedAt
	err := s.db.Update(func(tx *bolt.Tx) error { return createAction(tx, &saved) })
	if err != nil {
		return err
	}
	*a = saved
	return nil
}

// createAction gives a an id and saves it; a.Name is already clean.
func createAction(tx *bolt.Tx, a *wizard.Action) error {
	if err := checkActionConnection(tx, *a); err != nil {
		return err
	}
	id, err := actions.nextID(tx)
	if err != nil {
		return err
	}
	a.ID = id
	return putAction(tx, "", *a)
}

// UpdateAction replaces the action with a.ID, keeping CreatedAt and setting
// UpdatedAt (both are written back to a).
func (s *Store) UpdateAction(a *wizard.Action) error {
	if err := actions.checkName(a.Name); err != nil {
		return err
	}
	saved := *a
	saved.Name = cleanName(a.Name)
	saved.UpdatedAt = now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		v, err := actions.get(tx, saved.ID)
		if err != nil {
			return err
		}
		var old struct {
			Name      string    `json:"name"`
			CreatedAt time.Time `json:"created_at"`
		}
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("action %d is damaged: %w", saved.ID, err)
		}
		saved.CreatedAt = old.CreatedAt
		if err := checkActionConnection(tx, saved); err != nil {
			return err
		}
		return putAction(tx, old.Name, saved)
	})
	if err != nil {
		return err
	}
	*a = saved
	return nil
}

func checkActionConnection(tx *bolt.Tx, a wizard.Action) error {
	if tx.Bucket(bucketConnections).Get(itob(a.ConnectionID)) == nil {
		return newError(fmt.Sprintf("action '%s' uses connection %d, which does not exist", a.Name, a.ConnectionID), ErrNotFound)
	}
	return nil
}

func putAction(tx *bolt.Tx, oldName string, a wizard.Action) error {
	v, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode action '%s': %w", a.Name, err)
	}
	return actions.put(tx, a.ID, oldName, a.Name, v)
}

// Action returns the action with id.
func (s *Store) Action(id uint64) (wizard.Action, error) {
	var a wizard.Action
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		a, err = getAction(tx, id)
		return err
	})
	return a, err
}

func getAction(tx *bolt.Tx, id uint64) (wizard.Action, error) {
	var a wizard.Action
	v, err := actions.get(tx, id)
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(v, &a); err != nil {
		return a, fmt.Errorf("action %d is damaged: %w", id, err)
	}
	return a, nil
}

// ActionByName returns the action with name (case-insensitive).
func (s *Store) ActionByName(name string) (wizard.Action, error) {
	var a wizard.Action
	err := s.db.View(func(tx *bolt.Tx) error {
		id, err := actions.idByName(tx, name)
		if err != nil {
			return err
		}
		a, err = getAction(tx, id)
		return err
	})
	return a, err
}

// Actions returns every action, sorted by name.
func (s *Store) Actions() ([]wizard.Action, error) {
	var list []wizard.Action
	err := s.db.View(func(tx *bolt.Tx) error {
		entries, err := actions.entries(tx)
		if err != nil {
			return err
		}
		list = make([]wizard.Action, 0, len(entries))
		for _, e := range entries {
			a, err := getAction(tx, e.ID)
			if err != nil {
				return err
			}
			list = append(list, a)
		}
		return nil
	})
	return list, err
}

// ActionNames lists actions from the names index, sorted by name.
func (s *Store) ActionNames() ([]Entry, error) {
	var list []Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		list, err = actions.entries(tx)
		return err
	})
	return list, err
}

// DeleteAction removes the action with id and its run history.
func (s *Store) DeleteAction(id uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := actions.remove(tx, id); err != nil {
			return err
		}
		return deleteRuns(tx, id)
	})
}
