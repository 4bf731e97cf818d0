package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"patchbay/wizard"
)

// DefaultRunsPerAction is how many runs of each action the history keeps
// when neither Options.RunsPerAction nor SetRunsPerAction set a bound.
const DefaultRunsPerAction = 100

// runAction is the part of a stored run that says whose it is, so the
// migration that indexes old runs does not decode response bodies.
type runAction struct {
	ActionID uint64 `json:"action_id"`
}

// RecordRun keeps a run in the history; it satisfies wizard.Recorder. A
// run without a time is stamped now. The history is bounded per action
// (RunsPerAction, by default the last 100): the runs of r's action
// beyond the bound, oldest first, are deleted in the transaction that
// inserts r, so concurrent inserts never leave more than the bound.
func (s *Store) RecordRun(r wizard.Run) error { return s.RecordRuns([]wizard.Run{r}) }

// recordRun inserts the run v (encoded) of action actionID, indexes it and
// trims that action's history to keep runs.
func recordRun(tx *bolt.Tx, actionID uint64, v []byte, keep int) error {
	runs := tx.Bucket(bucketRuns)
	id, err := runs.NextSequence()
	if err != nil {
		return err
	}
	if err := runs.Put(itob(id), v); err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	idx, err := tx.Bucket(bucketRunsByAction).CreateBucketIfNotExists(itob(actionID))
	if err != nil {
		return fmt.Errorf("index run: %w", err)
	}
	if err := idx.Put(itob(id), nil); err != nil {
		return fmt.Errorf("index run: %w", err)
	}
	return pruneRuns(runs, idx, keep)
}

// pruneRuns deletes the runs of one action (idx, its runs_by_action
// bucket) beyond the newest keep. Ids grow, so the newest come last.
func pruneRuns(runs, idx *bolt.Bucket, keep int) error {
	c := idx.Cursor()
	k, _ := c.Last()
	for i := 1; k != nil && i < keep; i++ {
		k, _ = c.Prev()
	}
	if k == nil {
		return nil // keep or fewer
	}
	// k is the oldest run kept; everything before it goes. Keys are copied
	// out first: deleting under a cursor moves it.
	var old [][]byte
	for k, _ = c.Prev(); k != nil; k, _ = c.Prev() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := runs.Delete(k); err != nil {
			return err
		}
		if err := idx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Runs returns every kept run of an action, newest first.
func (s *Store) Runs(actionID uint64) ([]wizard.Run, error) { return s.RunsOf(actionID, 0) }

// RunsOf returns the newest runs of an action, newest first: at most limit
// of them, or all that are kept when limit is 0 or less. It reads only that
// action's runs, through the runs_by_action index.
func (s *Store) RunsOf(actionID uint64, limit int) ([]wizard.Run, error) {
	var list []wizard.Run
	err := s.actionRuns(actionID, limit, func(id uint64, v []byte) error {
		var r wizard.Run
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("run %d is damaged: %w", id, err)
		}
		list = append(list, r)
		return nil
	})
	return list, err
}

// actionRuns calls each with the id and stored value of the newest runs of
// an action, newest first, at most limit of them (all when limit is 0 or
// less), reading only that action's runs through the runs_by_action index.
func (s *Store) actionRuns(actionID uint64, limit int, each func(id uint64, v []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketRunsByAction).Bucket(itob(actionID))
		if idx == nil {
			return nil
		}
		runs := tx.Bucket(bucketRuns)
		c := idx.Cursor()
		n := 0
		for k, _ := c.Last(); k != nil && (limit <= 0 || n < limit); k, _ = c.Prev() {
			v := runs.Get(k)
			if v == nil {
				continue // cannot happen: a run and its index entry change together
			}
			if err := each(btoi(k), v); err != nil {
				return err
			}
			n++
		}
		return nil
	})
}

// deleteRuns removes the history of an action, in the transaction that
// deletes it.
func deleteRuns(tx *bolt.Tx, actionID uint64) error {
	byAction := tx.Bucket(bucketRunsByAction)
	idx := byAction.Bucket(itob(actionID))
	if idx == nil {
		return nil
	}
	runs := tx.Bucket(bucketRuns)
	if err := idx.ForEach(func(k, _ []byte) error { return runs.Delete(k) }); err != nil {
		return err
	}
	return byAction.DeleteBucket(itob(actionID))
}

// runsIndex is migration 4: the runs_by_action index, built from the runs
// kept so far, so that the history is bounded and listed per action. A run
// that cannot be decoded has no known action, could never be listed or
// pruned, and is dropped (Open has just backed the file up). The per-action
// bound is not applied here: an action's next run trims its history.
func runsIndex(tx *bolt.Tx) error {
	byAction, err := tx.CreateBucketIfNotExists(bucketRunsByAction)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketRunsByAction, err)
	}
	runs := tx.Bucket(bucketRuns)
	var damaged [][]byte
	err = runs.ForEach(func(k, v []byte) error {
		var owner runAction
		if len(k) != 8 || json.Unmarshal(v, &owner) != nil {
			damaged = append(damaged, append([]byte(nil), k...))
			return nil
		}
		idx, err := byAction.CreateBucketIfNotExists(itob(owner.ActionID))
		if err != nil {
			return err
		}
		return idx.Put(k, nil)
	})
	if err != nil {
		return err
	}
	for _, k := range damaged {
		if err := runs.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
