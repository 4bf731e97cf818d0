package store

// The names index of a collection: <lower(name)> → <id> ‖ <display name>,
// beside the values bucket. These methods work on raw values and leave
// decoding to collection.go.

import (
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// cleanName is the name as stored: trimmed of surrounding space.
func cleanName(name string) string { return strings.TrimSpace(name) }

// nameKey is the names-index key: unique case-insensitively.
func nameKey(name string) []byte { return []byte(strings.ToLower(cleanName(name))) }

func indexValue(id uint64, name string) []byte { return append(itob(id), name...) }

// entry decodes an index value, copying the name out of the transaction.
func entry(v []byte) (Entry, bool) {
	if len(v) < 8 {
		return Entry{}, false
	}
	return Entry{ID: btoi(v[:8]), Name: string(v[8:])}, true
}

func (k collection[T]) checkName(name string) error {
	if cleanName(name) == "" {
		return fmt.Errorf("%s needs a name", k.a)
	}
	return nil
}

// get returns the raw value of id; it is valid only inside tx.
func (k collection[T]) get(tx *bolt.Tx, id uint64) ([]byte, error) {
	v := tx.Bucket(k.values).Get(itob(id))
	if v == nil {
		return nil, newError(fmt.Sprintf("no %s with id %d", k.noun, id), ErrNotFound)
	}
	return v, nil
}

// idByName looks name up in the index.
func (k collection[T]) idByName(tx *bolt.Tx, name string) (uint64, error) {
	e, ok := entry(tx.Bucket(k.names).Get(nameKey(name)))
	if !ok {
		return 0, newError(fmt.Sprintf("no %s named '%s'", k.noun, cleanName(name)), ErrNotFound)
	}
	return e.ID, nil
}

// entries walks the names index in order; it reads no values.
func (k collection[T]) entries(tx *bolt.Tx) ([]Entry, error) {
	b := tx.Bucket(k.names)
	var list []Entry
	err := b.ForEach(func(key, v []byte) error {
		e, ok := entry(v)
		if !ok {
			return fmt.Errorf("%s names index: bad entry for %q", k.noun, key)
		}
		list = append(list, e)
		return nil
	})
	return list, err
}

// storedName reads just the name out of a stored value.
func storedName(v []byte) (string, error) {
	var named struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(v, &named); err != nil {
		return "", err
	}
	return named.Name, nil
}

// put writes value under id and points the index at it, replacing the index
// entry of oldName (empty for a new record). It refuses a name another
// record holds.
func (k collection[T]) put(tx *bolt.Tx, id uint64, oldName, name string, value []byte) error {
	names := tx.Bucket(k.names)
	key := nameKey(name)
	if e, ok := entry(names.Get(key)); ok && e.ID != id {
		return newError(fmt.Sprintf("%s named '%s' already exists", k.a, e.Name), ErrDuplicateName)
	}
	if oldName != "" {
		if err := k.unindex(tx, id, oldName); err != nil {
			return err
		}
	}
	if err := names.Put(key, indexValue(id, cleanName(name))); err != nil {
		return fmt.Errorf("index %s '%s': %w", k.noun, cleanName(name), err)
	}
	if err := tx.Bucket(k.values).Put(itob(id), value); err != nil {
		return fmt.Errorf("save %s '%s': %w", k.noun, cleanName(name), err)
	}
	return nil
}

// unindex removes name from the index if it still points at id.
func (k collection[T]) unindex(tx *bolt.Tx, id uint64, name string) error {
	names := tx.Bucket(k.names)
	key := nameKey(name)
	if e, ok := entry(names.Get(key)); ok && e.ID == id {
		return names.Delete(key)
	}
	return nil
}

// remove deletes id, whose stored value is v, and its index entry.
func (k collection[T]) remove(tx *bolt.Tx, id uint64, v []byte) error {
	var err error
	if name, nameErr := storedName(v); nameErr == nil {
		err = k.unindex(tx, id, name)
	} else {
		// A damaged value can still be deleted: find its entry by id.
		err = k.unindexID(tx, id)
	}
	if err != nil {
		return err
	}
	return tx.Bucket(k.values).Delete(itob(id))
}

// unindexID removes every index entry that points at id.
func (k collection[T]) unindexID(tx *bolt.Tx, id uint64) error {
	names := tx.Bucket(k.names)
	var keys [][]byte
	err := names.ForEach(func(key, v []byte) error {
		if e, ok := entry(v); ok && e.ID == id {
			keys = append(keys, append([]byte(nil), key...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range keys {
		if err := names.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// nextID takes the next id of the values bucket.
func (k collection[T]) nextID(tx *bolt.Tx) (uint64, error) {
	return tx.Bucket(k.values).NextSequence()
}
