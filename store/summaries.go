package store

// Action summaries: what a list shows of an action, kept beside it in
// action_summaries (schema 5) and written in the transaction that writes
// the action, so that listing 10,000 actions reads a hundred bytes of each
// rather than whole actions with their sample responses (up to 1 MiB each,
// wizard.StoredBodyLimit).

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/wizard"
)

// ActionSummary is an action as a list shows it. Running, editing or
// copying an action needs it whole: Action(ID).
type ActionSummary struct {
	ID           uint64
	Name         string
	ConnectionID uint64
	Method       string
	URL          string
	// Vars is how many variables the action has.
	Vars      int
	UpdatedAt time.Time
}

// SummarizeAction is what a list shows of a.
func SummarizeAction(a wizard.Action) ActionSummary {
	return ActionSummary{ID: a.ID, Name: a.Name, ConnectionID: a.ConnectionID, Method: a.Method, URL: a.URL,
		Vars: len(a.Variables()), UpdatedAt: a.UpdatedAt}
}

// summaryV1 starts a stored summary. Summaries are binary, not JSON like
// the records: with 10,000 actions (BenchmarkActionSummaries) listing took
// 38 ms from JSON summaries, 10.5 ms from these, and 2.7 ms once the two
// buckets were joined in key order rather than each summary sought by id.
// The name is not in it: the names index has it.
//
//	0x01 ‖ uvarint connection id ‖ uvarint variable count ‖
//	varint updated_at Unix seconds ‖ uvarint its nanoseconds ‖
//	uvarint len(method) ‖ method ‖ url (the rest)
const summaryV1 = 1

// encodeSummary is the stored form of sum.
func encodeSummary(sum ActionSummary) []byte {
	b := make([]byte, 0, 1+4*binary.MaxVarintLen64+len(sum.Method)+len(sum.URL))
	b = append(b, summaryV1)
	b = binary.AppendUvarint(b, sum.ConnectionID)
	b = binary.AppendUvarint(b, uint64(sum.Vars))
	b = binary.AppendVarint(b, sum.UpdatedAt.Unix())
	b = binary.AppendUvarint(b, uint64(sum.UpdatedAt.Nanosecond()))
	b = binary.AppendUvarint(b, uint64(len(sum.Method)))
	b = append(b, sum.Method...)
	return append(b, sum.URL...)
}

// putSummary writes the summary of a, as saved, in tx.
func putSummary(tx *bolt.Tx, a *wizard.Action) error {
	if err := tx.Bucket(bucketActionSummaries).Put(itob(a.ID), encodeSummary(SummarizeAction(*a))); err != nil {
		return fmt.Errorf("save the summary of action '%s': %w", a.Name, err)
	}
	return nil
}

// ActionSummaries lists every action, sorted by name, from the names index
// and the summaries; no action is read whole. An action whose summary is
// missing or does not decode is summarized from the action itself; one that
// is damaged too is an error naming it.
func (s *Store) ActionSummaries() ([]ActionSummary, error) {
	var list []ActionSummary
	err := s.db.View(func(tx *bolt.Tx) error {
		entries, err := actions.entries(tx)
		if err != nil {
			return err
		}
		list = make([]ActionSummary, len(entries))
		found := make([]bool, len(entries))
		// Both buckets are walked in key order, the summaries by id, and
		// joined: seeking each id was half the time of listing.
		byID := make([]int, len(entries))
		for i := range byID {
			byID[i] = i
		}
		slices.SortFunc(byID, func(a, b int) int { return cmp.Compare(entries[a].ID, entries[b].ID) })
		c := tx.Bucket(bucketActionSummaries).Cursor()
		k, v := c.First()
		for _, i := range byID {
			id := itob(entries[i].ID)
			for k != nil && bytes.Compare(k, id) < 0 {
				k, v = c.Next()
			}
			if bytes.Equal(k, id) {
				list[i], found[i] = decodeSummary(v, entries[i])
			}
		}
		for i, e := range entries {
			if !found[i] {
				if list[i], err = summaryFromAction(tx, e.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return list, err
}

// decodeSummary decodes the stored summary v of the action e names; ok is
// false when there is none or it does not decode. The result holds no bytes
// of v.
func decodeSummary(v []byte, e Entry) (ActionSummary, bool) {
	if len(v) == 0 || v[0] != summaryV1 {
		return ActionSummary{}, false
	}
	d := summaryDecoder{rest: v[1:]}
	sum := ActionSummary{ID: e.ID, Name: e.Name, ConnectionID: d.uvarint(), Vars: int(d.uvarint())}
	sec, nsec := d.varint(), d.uvarint()
	n := d.uvarint()
	if d.bad || nsec >= 1e9 || sum.Vars < 0 || n > uint64(len(d.rest)) {
		return ActionSummary{}, false
	}
	sum.UpdatedAt = time.Unix(sec, int64(nsec)).UTC()
	tail := string(d.rest) // one copy, shared by method and URL
	sum.Method, sum.URL = tail[:n], tail[n:]
	return sum, true
}

// summaryDecoder reads varints off the front of rest; bad says one did not
// decode.
type summaryDecoder struct {
	rest []byte
	bad  bool
}

func (d *summaryDecoder) uvarint() uint64 {
	n, size := binary.Uvarint(d.rest)
	if size <= 0 {
		d.bad = true
		return 0
	}
	d.rest = d.rest[size:]
	return n
}

func (d *summaryDecoder) varint() int64 {
	n, size := binary.Varint(d.rest)
	if size <= 0 {
		d.bad = true
		return 0
	}
	d.rest = d.rest[size:]
	return n
}

// summaryFromAction summarizes the stored action id, read whole.
func summaryFromAction(tx *bolt.Tx, id uint64) (ActionSummary, error) {
	v, err := actions.get(tx, id)
	if err != nil {
		return ActionSummary{}, err
	}
	var a wizard.Action
	if err := json.Unmarshal(v, &a); err != nil {
		return ActionSummary{}, fmt.Errorf("action %d is damaged: %w", id, err)
	}
	return SummarizeAction(a), nil
}

// summariesBucket is migration 5: a summary of every action. An action that
// does not decode gets none; listing then reports it as damaged, as reading
// it whole always has.
func summariesBucket(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketActionSummaries); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketActionSummaries, err)
	}
	return tx.Bucket(bucketActions).ForEach(func(k, v []byte) error {
		var a wizard.Action
		if len(k) != 8 || json.Unmarshal(v, &a) != nil {
			return nil
		}
		a.ID = btoi(k)
		return putSummary(tx, &a)
	})
}
