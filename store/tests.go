package store

// The last test of each connection, in a bucket of its own (schema 3): a
// test does not change the connection, and its result is worth keeping
// between runs so the connections list can say "✓ connected · 2 h ago".
// Reasons are built by the connection package with secrets already
// redacted, so they are stored as they are.

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// LastTest is the outcome of a connection's most recent test.
type LastTest struct {
	OK     bool      `json:"ok"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// SaveLastTest records t as the last test of the connection with id,
// replacing the one before. A connection that no longer exists (deleted
// while the test ran) gets none: ErrNotFound.
func (s *Store) SaveLastTest(id uint64, t LastTest) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode test result: %w", err)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if _, err := connections.get(tx, id); err != nil {
			return err
		}
		return tx.Bucket(bucketTests).Put(itob(id), b)
	})
}

// LastTests returns the last test of every connection that has one, by
// connection id. A damaged record is skipped: it is only a cache of what
// a new test will say again.
func (s *Store) LastTests() (map[uint64]LastTest, error) {
	out := map[uint64]LastTest{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTests).ForEach(func(k, v []byte) error {
			var t LastTest
			if len(k) == 8 && json.Unmarshal(v, &t) == nil {
				out[btoi(k)] = t
			}
			return nil
		})
	})
	return out, err
}

// deleteLastTest removes the test of a connection being deleted, in the
// delete's transaction.
func deleteLastTest(tx *bolt.Tx, id uint64) error {
	return tx.Bucket(bucketTests).Delete(itob(id))
}

// testsBucket is migration 3: connection tests get a bucket of their own.
func testsBucket(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketTests); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketTests, err)
	}
	return nil
}
