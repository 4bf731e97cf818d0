package store

// Saving many records in one transaction: an import, or a benchmark's
// fixture of thousands of actions and runs, which one transaction (and so
// one fsync) each would take minutes to write.

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"patchbay/wizard"
)

// CreateActions saves new actions in one transaction, all or none, each as
// CreateAction does; their ids and timestamps are written back to list only
// when all are saved.
func (s *Store) CreateActions(list []wizard.Action) error {
	saved := make([]wizard.Action, len(list))
	for i := range list {
		var err error
		if saved[i], err = actions.cleaned(&list[i]); err != nil {
			return err
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i := range saved {
			if err := actions.insert(tx, s.box, &saved[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	copy(list, saved)
	return nil
}

// RecordRuns keeps runs in the history in one transaction, all or none,
// each as RecordRun does: stamped now when it has no time, its action's
// history trimmed to the bound.
func (s *Store) RecordRuns(runs []wizard.Run) error {
	values := make([][]byte, len(runs))
	for i, r := range runs {
		if r.At.IsZero() {
			r.At = now()
		}
		v, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode run: %w", err)
		}
		values[i] = v
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for i, v := range values {
			if err := recordRun(tx, runs[i].ActionID, v, int(s.runsPerAction.Load())); err != nil {
				return err
			}
		}
		return nil
	})
}
