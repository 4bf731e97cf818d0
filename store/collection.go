package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// collection is one kind of named record stored as JSON: a values bucket
// keyed by id and a names index beside it (index.go). Connections and actions
// are the two; connections.go and actions.go are typed wrappers that add only
// what is theirs through the hooks.
type collection[T any] struct {
	noun   string // "connection", for messages
	a      string // the noun with its article: "a connection", "an action"
	values []byte
	names  []byte
	id     func(*T) *uint64
	name   func(*T) *string

	// beforeSave, when set, runs in the write transaction just before v is
	// saved; old is the stored value v replaces, nil for a new record (which
	// has no id yet).
	beforeSave func(tx *bolt.Tx, v *T, old []byte) error
	// beforeDelete, when set, runs in the delete transaction once the record,
	// stored as v, is known to exist; an error keeps it.
	beforeDelete func(tx *bolt.Tx, id uint64, v []byte) error
	// afterSave, when set, runs in the write transaction once v, as stored
	// (secrets sealed), is saved: for what is kept beside it.
	afterSave func(tx *bolt.Tx, v *T) error

	// seal, when set, encrypts the secrets of v, a copy about to be encoded
	// in tx (it must not change what v shares with the caller's value);
	// open, when set, decrypts them in a value just decoded. See secrets.go.
	seal func(tx *bolt.Tx, box *secretBox, v *T) error
	open func(box *secretBox, v *T) error
}

// cleaned checks v's name and returns a copy of v with the name as stored.
func (c collection[T]) cleaned(v *T) (T, error) {
	if err := c.checkName(*c.name(v)); err != nil {
		var zero T
		return zero, err
	}
	saved := *v
	*c.name(&saved) = cleanName(*c.name(v))
	return saved, nil
}

// create saves v as a new record, writing its id (and whatever beforeSave
// set) back to v only on success.
func (c collection[T]) create(s *Store, v *T) error {
	saved, err := c.cleaned(v)
	if err != nil {
		return err
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return c.insert(tx, s.box, &saved) }); err != nil {
		return err
	}
	*v = saved
	return nil
}

// insert gives v an id and saves it; v's name is already clean. box may be
// nil for a collection without secrets.
func (c collection[T]) insert(tx *bolt.Tx, box *secretBox, v *T) error {
	if c.beforeSave != nil {
		if err := c.beforeSave(tx, v, nil); err != nil {
			return err
		}
	}
	id, err := c.nextID(tx)
	if err != nil {
		return err
	}
	*c.id(v) = id
	return c.save(tx, box, "", *v)
}

// update replaces the record with v's id, writing the saved value back to v
// only on success.
func (c collection[T]) update(s *Store, v *T) error {
	saved, err := c.cleaned(v)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		id := *c.id(&saved)
		old, err := c.get(tx, id)
		if err != nil {
			return err
		}
		oldName, err := storedName(old)
		if err != nil {
			return fmt.Errorf("%s %d is damaged: %w", c.noun, id, err)
		}
		if c.beforeSave != nil {
			if err := c.beforeSave(tx, &saved, old); err != nil {
				return err
			}
		}
		return c.save(tx, s.box, oldName, saved)
	})
	if err != nil {
		return err
	}
	*v = saved
	return nil
}

// save encodes v, its secrets sealed, and writes it with its index entry,
// replacing the entry of oldName (empty for a new record).
func (c collection[T]) save(tx *bolt.Tx, box *secretBox, oldName string, v T) error {
	name := *c.name(&v)
	if c.seal != nil {
		if err := c.seal(tx, box, &v); err != nil {
			return fmt.Errorf("cannot encrypt the secrets of %s '%s': %w", c.noun, name, err)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s '%s': %w", c.noun, name, err)
	}
	if err := c.put(tx, *c.id(&v), oldName, name, b); err != nil {
		return err
	}
	if c.afterSave != nil {
		return c.afterSave(tx, &v)
	}
	return nil
}

// load decodes the record with id, its secrets opened; the result holds no
// bytes of tx.
func (c collection[T]) load(tx *bolt.Tx, box *secretBox, id uint64) (T, error) {
	var v T
	b, err := c.get(tx, id)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("%s %d is damaged: %w", c.noun, id, err)
	}
	if c.open != nil {
		if err := c.open(box, &v); err != nil {
			var zero T
			return zero, fmt.Errorf("%s '%s': %w", c.noun, *c.name(&v), err)
		}
	}
	return v, nil
}

// one returns the record with id.
func (c collection[T]) one(s *Store, id uint64) (T, error) {
	var v T
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		v, err = c.load(tx, s.box, id)
		return err
	})
	return v, err
}

// byName returns the record with name (case-insensitive).
func (c collection[T]) byName(s *Store, name string) (T, error) {
	var v T
	err := s.db.View(func(tx *bolt.Tx) error {
		id, err := c.idByName(tx, name)
		if err != nil {
			return err
		}
		v, err = c.load(tx, s.box, id)
		return err
	})
	return v, err
}

// all returns every record, sorted by name.
func (c collection[T]) all(s *Store) ([]T, error) {
	var list []T
	err := s.db.View(func(tx *bolt.Tx) error {
		entries, err := c.entries(tx)
		if err != nil {
			return err
		}
		list = make([]T, 0, len(entries))
		for _, e := range entries {
			v, err := c.load(tx, s.box, e.ID)
			if err != nil {
				return err
			}
			list = append(list, v)
		}
		return nil
	})
	return list, err
}

// listNames lists the records from the names index, sorted by name, without
// reading a value.
func (c collection[T]) listNames(db *bolt.DB) ([]Entry, error) {
	var list []Entry
	err := db.View(func(tx *bolt.Tx) error {
		var err error
		list, err = c.entries(tx)
		return err
	})
	return list, err
}

// delete removes the record with id and its index entry.
func (c collection[T]) delete(db *bolt.DB, id uint64) error {
	return db.Update(func(tx *bolt.Tx) error {
		v, err := c.get(tx, id)
		if err != nil {
			return err
		}
		if c.beforeDelete != nil {
			if err := c.beforeDelete(tx, id, v); err != nil {
				return err
			}
		}
		return c.remove(tx, id, v)
	})
}
