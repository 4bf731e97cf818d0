package store

import (
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
)

// connections are stored with their secrets sealed (secrets.go).
var connections = collection[connection.Connection]{
	noun: "connection", a: "a connection", values: bucketConnections, names: bucketConnectionNames,
	id:           func(c *connection.Connection) *uint64 { return &c.ID },
	name:         func(c *connection.Connection) *string { return &c.Name },
	beforeDelete: beforeDeleteConnection,
	seal: func(tx *bolt.Tx, box *secretBox, c *connection.Connection) error {
		*c = c.Clone() // the header and query rows and the OAuth2 block are the caller's
		return box.seal(tx, c.SecretFields())
	},
	open: func(box *secretBox, c *connection.Connection) error { return box.open(c.SecretFields()) },
}

// CreateConnection saves a new connection, setting c.ID. Names are unique
// case-insensitively (ErrDuplicateName); surrounding space is trimmed.
func (s *Store) CreateConnection(c *connection.Connection) error {
	return connections.create(s, c)
}

// UpdateConnection replaces the connection with c.ID.
func (s *Store) UpdateConnection(c connection.Connection) error {
	return connections.update(s, &c)
}

// Connection returns the connection with id.
func (s *Store) Connection(id uint64) (connection.Connection, error) {
	return connections.one(s, id)
}

// ConnectionByName returns the connection with name (case-insensitive).
func (s *Store) ConnectionByName(name string) (connection.Connection, error) {
	return connections.byName(s, name)
}

// Connections returns every connection, sorted by name.
func (s *Store) Connections() ([]connection.Connection, error) { return connections.all(s) }

// ConnectionNames lists connections from the names index, sorted by name.
func (s *Store) ConnectionNames() ([]Entry, error) { return connections.listNames(s.db) }

// DeleteConnection removes the connection with id, and its OAuth2 token. It
// refuses (an error naming them, ErrInUse) while actions still use it.
func (s *Store) DeleteConnection(id uint64) error { return connections.delete(s.db, id) }

// beforeDeleteConnection refuses to delete a connection that actions use,
// and otherwise deletes its token, last test and OpenAPI document with it.
func beforeDeleteConnection(tx *bolt.Tx, id uint64, v []byte) error {
	if err := refuseInUse(tx, id, v); err != nil {
		return err
	}
	if err := deleteLastTest(tx, id); err != nil {
		return err
	}
	if err := deleteOpenAPI(tx, id); err != nil {
		return err
	}
	return deleteToken(tx, id)
}

// refuseInUse keeps the connection with id, stored as v, while actions use it.
func refuseInUse(tx *bolt.Tx, id uint64, v []byte) error {
	users, err := actionsUsing(tx, id)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		return nil
	}
	name, err := storedName(v)
	if err != nil {
		name = fmt.Sprint(id)
	}
	return inUseError(name, users)
}

// actionsUsing names the actions whose ConnectionID is id, sorted. It
// reads their summaries, not the actions whole (which may hold a sample of
// a megabyte each), and an action only when its summary is missing or
// damaged.
func actionsUsing(tx *bolt.Tx, id uint64) ([]string, error) {
	entries, err := actions.entries(tx)
	if err != nil {
		return nil, err
	}
	summaries := tx.Bucket(bucketActionSummaries)
	var names []string
	for _, e := range entries {
		sum, ok := decodeSummary(summaries.Get(itob(e.ID)), e)
		if !ok {
			if sum, err = summaryFromAction(tx, e.ID); err != nil {
				return nil, err
			}
			sum.Name = e.Name
		}
		if sum.ConnectionID == id {
			names = append(names, sum.Name)
		}
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	return names, nil
}

func inUseError(conn string, users []string) error {
	noun, them := "actions", "them"
	if len(users) == 1 {
		noun, them = "action", "it"
	}
	return newError(fmt.Sprintf("connection '%s' is used by %d %s: %s — delete %s first",
		conn, len(users), noun, strings.Join(users, ", "), them), ErrInUse)
}
