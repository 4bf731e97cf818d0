package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

// now is the clock for timestamps; tests may replace it.
var now = func() time.Time { return time.Now().UTC() }

// actions are stored with the values of their secret-named rows sealed
// (actionSecrets, secrets.go).
var actions = collection[wizard.Action]{
	noun: "action", a: "an action", values: bucketActions, names: bucketActionNames,
	id:         func(a *wizard.Action) *uint64 { return &a.ID },
	name:       func(a *wizard.Action) *string { return &a.Name },
	beforeSave: prepareAction,
	// An action's history and summary go with it.
	beforeDelete: func(tx *bolt.Tx, id uint64, _ []byte) error {
		if err := tx.Bucket(bucketActionSummaries).Delete(itob(id)); err != nil {
			return err
		}
		return deleteRuns(tx, id)
	},
	afterSave: putSummary,
	seal: func(tx *bolt.Tx, box *secretBox, a *wizard.Action) error {
		// The rows are the caller's.
		a.Query, a.Headers, a.Form, a.Parts = slices.Clone(a.Query), slices.Clone(a.Headers), slices.Clone(a.Form), slices.Clone(a.Parts)
		return box.seal(tx, actionSecrets(a))
	},
	open: openAction,
}

// actionSecrets returns pointers to the values of a's query, header and form
// rows whose names say they carry a credential (connection.IsSecretName:
// api_key, X-Api-Key, Authorization, password ...), so that the store can
// seal and open them in place. A value holding a {{variable}} is left out: it
// is a template, filled in at replay, and is kept as typed. Empty values and
// env: references among them are not sealed either (isSecret).
//
// The URL is not looked at: a secret written into its query string
// ("/x?api_key=...") is stored as typed.
func actionSecrets(a *wizard.Action) []*string {
	var ptrs []*string
	for _, rows := range [][]connection.KV{a.Query, a.Headers, a.Form} {
		for i := range rows {
			if secretRow(rows[i]) {
				ptrs = append(ptrs, &rows[i].Value)
			}
		}
	}
	for i := range a.Parts {
		if secretPart(a.Parts[i]) {
			ptrs = append(ptrs, &a.Parts[i].Value)
		}
	}
	return ptrs
}

// secretPart reports whether a multipart part's value is sealed when
// stored: a field (not a file) with a secret name and no variable.
func secretPart(p wizard.Part) bool {
	return p.File == "" && secretRow(connection.KV{Key: p.Name, Value: p.Value})
}

// secretRow reports whether kv's value is sealed when stored (if it is not
// empty nor an env: reference).
func secretRow(kv connection.KV) bool {
	return connection.IsSecretName(kv.Key) && !hasVariable(kv.Value)
}

// hasVariable reports whether s holds a {{variable}}, as the wizard reads
// one.
func hasVariable(s string) bool {
	return len(wizard.Action{URL: s}.Variables()) > 0
}

// actionMayHoldPlaintext reports whether raw, an action as stored, may have
// a row that actionSecrets picks with a value that is not sealed, so that
// Open's sweep (sealPlaintext) decodes only those of thousands of actions,
// and never the samples of the others. It reads each connection.KV as
// json.Marshal writes it, {"key":"NAME","value":"VALUE"} — the action's rows
// and its sample's headers alike — and is true for one whose NAME is secret
// and whose VALUE is not empty, sealed, an env: reference or
// connection.Redacted (a sample's header as Send kept it; the mask hides
// nothing). A name it cannot read without unescaping, or a row written in
// any other way, is true.
func actionMayHoldPlaintext(raw []byte) bool {
	const keyOpen, valueOpen = `{"key":"`, `","value":"`
	for {
		i := bytes.Index(raw, []byte(keyOpen))
		if i < 0 {
			return false
		}
		raw = raw[i+len(keyOpen):]
		end := bytes.IndexByte(raw, '"')
		if end < 0 {
			return true
		}
		name := raw[:end]
		if bytes.IndexByte(name, '\\') >= 0 {
			return true
		}
		if !connection.IsSecretName(string(name)) {
			continue
		}
		value, ok := bytes.CutPrefix(raw[end:], []byte(valueOpen))
		if !ok {
			return true
		}
		switch {
		case bytes.HasPrefix(value, []byte(`"`)),
			bytes.HasPrefix(value, []byte(sealPrefix)),
			bytes.HasPrefix(value, []byte(connection.EnvPrefix)),
			bytes.HasPrefix(value, []byte(connection.Redacted+`"`)):
			continue
		}
		return true
	}
}

// openAction opens the sealed values of a's rows. A row that actionSecrets
// does not pick by its name may still hold a value sealed by a patchbay
// whose list of secret names was longer, and it is opened too; but there a
// value that only looks sealed and does not open is the user's own text,
// and is kept.
func openAction(box *secretBox, a *wizard.Action) error {
	for _, rows := range [][]connection.KV{a.Query, a.Headers, a.Form} {
		for i := range rows {
			p := &rows[i].Value
			if !strings.HasPrefix(*p, sealPrefix) {
				continue
			}
			if err := box.open([]*string{p}); err != nil && secretRow(rows[i]) {
				return err
			}
		}
	}
	for i := range a.Parts {
		p := &a.Parts[i].Value
		if !strings.HasPrefix(*p, sealPrefix) {
			continue
		}
		if err := box.open([]*string{p}); err != nil && secretPart(a.Parts[i]) {
			return err
		}
	}
	return nil
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

// Actions returns every action, whole, sorted by name; a list needs only
// ActionSummaries.
func (s *Store) Actions() ([]wizard.Action, error) { return actions.all(s) }

// ActionNames lists actions from the names index, sorted by name.
func (s *Store) ActionNames() ([]Entry, error) { return actions.listNames(s.db) }

// DeleteAction removes the action with id and its run history.
func (s *Store) DeleteAction(id uint64) error { return actions.delete(s.db, id) }
