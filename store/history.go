package store

// Reading the run history back: one run by id, the newest runs of every
// action or of one, and the bound on how many each action keeps.

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/wizard"
)

// keyRunsPerAction is meta/runs_per_action: the bound SetRunsPerAction
// keeps. A file without it keeps DefaultRunsPerAction; an older patchbay
// ignores it, so it needs no schema version of its own.
var keyRunsPerAction = []byte("runs_per_action")

// RunSummary is a run as a list shows it: its id and everything but the
// request and the response body, which a listing does not decode (Run
// reads a whole run).
type RunSummary struct {
	ID           uint64
	ActionID     uint64
	ConnectionID uint64
	At           time.Time
	// Vars are the values it ran with, secret-named ones
	// connection.Redacted.
	Vars map[string]string
	// Status is 0 when no response came back; Err then says why.
	Status     int
	StatusText string
	Duration   time.Duration
	Err        string
}

// storedSummary decodes the fields of a stored wizard.Run that a
// RunSummary holds; encoding/json skips the rest without keeping it.
type storedSummary struct {
	ActionID     uint64            `json:"action_id"`
	ConnectionID uint64            `json:"connection_id"`
	At           time.Time         `json:"at"`
	Vars         map[string]string `json:"vars"`
	Err          string            `json:"error"`
	Response     *struct {
		Status     int           `json:"status"`
		StatusText string        `json:"status_text"`
		Duration   time.Duration `json:"duration"`
	} `json:"response"`
}

func summarize(id uint64, v []byte) (RunSummary, error) {
	var r storedSummary
	if err := json.Unmarshal(v, &r); err != nil {
		return RunSummary{}, fmt.Errorf("run %d is damaged: %w", id, err)
	}
	sum := RunSummary{ID: id, ActionID: r.ActionID, ConnectionID: r.ConnectionID, At: r.At, Vars: r.Vars, Err: r.Err}
	if r.Response != nil {
		sum.Status, sum.StatusText, sum.Duration = r.Response.Status, r.Response.StatusText, r.Response.Duration
	}
	return sum, nil
}

// Run returns the kept run with id, whole; ErrNotFound when there is none
// (it was pruned, or its action deleted).
func (s *Store) Run(id uint64) (wizard.Run, error) {
	var r wizard.Run
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRuns).Get(itob(id))
		if v == nil {
			return newError(fmt.Sprintf("no run with id %d in the history", id), ErrNotFound)
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("run %d is damaged: %w", id, err)
		}
		return nil
	})
	return r, err
}

// History returns the newest runs of every action, newest first: at most
// limit of them, or every kept run when limit is 0 or less. The runs of a
// deleted action went with it.
func (s *Store) History(limit int) ([]RunSummary, error) {
	var list []RunSummary
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRuns).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(list) < limit); k, v = c.Prev() {
			sum, err := summarize(btoi(k), v)
			if err != nil {
				return err
			}
			list = append(list, sum)
		}
		return nil
	})
	return list, err
}

// ActionHistory is History for one action, read through its
// runs_by_action index.
func (s *Store) ActionHistory(actionID uint64, limit int) ([]RunSummary, error) {
	var list []RunSummary
	err := s.actionRuns(actionID, limit, func(id uint64, v []byte) error {
		sum, err := summarize(id, v)
		if err != nil {
			return err
		}
		list = append(list, sum)
		return nil
	})
	return list, err
}

// RunCount is how many runs the history holds, of every action.
func (s *Store) RunCount() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketRuns).Stats().KeyN
		return nil
	})
	return n, err
}

// RunsPerAction is how many runs of each action this open store keeps:
// Options.RunsPerAction when it was set, else the bound kept in the
// database, else DefaultRunsPerAction.
func (s *Store) RunsPerAction() int { return int(s.runsPerAction.Load()) }

// SetRunsPerAction keeps n as the history's bound in the database, for
// every patchbay that opens it from now on, and for this store even if it
// was opened with Options.RunsPerAction. Each action's runs beyond the
// newest n are deleted in the same transaction. n must be at least 1.
func (s *Store) SetRunsPerAction(n int) error {
	if n < 1 {
		return fmt.Errorf("the history keeps at least 1 run of each action, not %d", n)
	}
	was := s.runsPerAction.Load()
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(keyRunsPerAction, itob(uint64(n))); err != nil {
			return fmt.Errorf("save the history's bound: %w", err)
		}
		runs, byAction := tx.Bucket(bucketRuns), tx.Bucket(bucketRunsByAction)
		err := byAction.ForEachBucket(func(action []byte) error {
			return pruneRuns(runs, byAction.Bucket(action), n)
		})
		if err != nil {
			return fmt.Errorf("prune the history: %w", err)
		}
		// Set here, inside the write transaction, so that no RecordRun
		// (each in a write transaction of its own) runs between the
		// commit and the new bound.
		s.runsPerAction.Store(int64(n))
		return nil
	})
	if err != nil {
		s.runsPerAction.Store(was)
	}
	return err
}

// loadRunsPerAction sets the store's bound at Open: override when it is
// positive, else the stored bound, else the default.
func (s *Store) loadRunsPerAction(override int) error {
	if override > 0 {
		s.runsPerAction.Store(int64(override))
		return nil
	}
	n := int64(DefaultRunsPerAction)
	err := s.db.View(func(tx *bolt.Tx) error {
		if stored := storedRunsPerAction(tx); stored > 0 {
			n = stored
		}
		return nil
	})
	s.runsPerAction.Store(n)
	return err
}

// storedRunsPerAction reads meta/runs_per_action: 0 when it is not set, or
// not 8 bytes (then the default applies rather than a refusal to open: a
// bound is not worth losing the database over).
func storedRunsPerAction(tx *bolt.Tx) int64 {
	v := tx.Bucket(bucketMeta).Get(keyRunsPerAction)
	if len(v) != 8 {
		return 0
	}
	return int64(min(btoi(v), math.MaxInt32))
}
