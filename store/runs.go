package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"patchbay/wizard"
)

// maxRuns bounds the history across all actions; a var so tests can lower it.
var maxRuns = 1000

// runAction is the part of a stored run that says whose it is, so filtering
// does not decode response bodies.
type runAction struct {
	ActionID uint64 `json:"action_id"`
}

// RecordRun keeps a run in the bounded history (the last 1000 runs); it
// satisfies wizard.Recorder. A run without a time is stamped now.
func (s *Store) RecordRun(r wizard.Run) error {
	if r.At.IsZero() {
		r.At = now()
	}
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode run: %w", err)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		runs := tx.Bucket(bucketRuns)
		id, err := runs.NextSequence()
		if err != nil {
			return err
		}
		if err := runs.Put(itob(id), v); err != nil {
			return fmt.Errorf("save run: %w", err)
		}
		return trimRuns(runs)
	})
}

// trimRuns deletes the oldest runs beyond maxRuns. Ids grow, so the oldest
// come first.
func trimRuns(runs *bolt.Bucket) error {
	n := 0
	c := runs.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	var old [][]byte
	for k, _ := c.First(); k != nil && len(old) < n-maxRuns; k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := runs.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Runs returns the runs of an action, newest first.
func (s *Store) Runs(actionID uint64) ([]wizard.Run, error) {
	var list []wizard.Run
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRuns).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var owner runAction
			if err := json.Unmarshal(v, &owner); err != nil {
				return fmt.Errorf("run %d is damaged: %w", btoi(k), err)
			}
			if owner.ActionID != actionID {
				continue
			}
			var r wizard.Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %d is damaged: %w", btoi(k), err)
			}
			list = append(list, r)
		}
		return nil
	})
	return list, err
}

// deleteRuns removes the history of an action.
func deleteRuns(tx *bolt.Tx, actionID uint64) error {
	runs := tx.Bucket(bucketRuns)
	var keys [][]byte
	err := runs.ForEach(func(k, v []byte) error {
		var owner runAction
		// A damaged run is left for trimRuns to age out.
		if json.Unmarshal(v, &owner) == nil && owner.ActionID == actionID {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := runs.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
