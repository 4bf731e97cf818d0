package store

// OAuth2 tokens, one per connection, in their own bucket: a token changes
// on every refresh, and saving it must not rewrite the connection (nor race
// an edit of it). The whole JSON token is sealed as one value (secrets.go):
// the access and refresh tokens are secrets, and nothing else in it is
// worth reading without them.

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
)

// *Store keeps the tokens of OAuth2 connections.
var _ connection.TokenStore = (*Store)(nil)

// LoadToken returns the token of the connection with id: a zero Token and
// nil when it has none.
func (s *Store) LoadToken(id uint64) (connection.Token, error) {
	var t connection.Token
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTokens).Get(itob(id))
		if v == nil {
			return nil
		}
		sealed := string(v) // copied out of tx
		if err := s.box.open([]*string{&sealed}); err != nil {
			return fmt.Errorf("the token of connection %d: %w", id, err)
		}
		if err := json.Unmarshal([]byte(sealed), &t); err != nil {
			return fmt.Errorf("the token of connection %d is damaged: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return connection.Token{}, err
	}
	return t, nil
}

// SaveToken replaces the token of the connection with id, sealed. It is
// durable when it returns (bbolt syncs every commit), so a rotated refresh
// token is never lost. A connection that no longer exists gets no token
// (ErrNotFound).
func (s *Store) SaveToken(id uint64, t connection.Token) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode token: %w", err)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if _, err := connections.get(tx, id); err != nil {
			return err
		}
		k, err := s.box.keyForToken(tx)
		if err != nil {
			return fmt.Errorf("cannot encrypt the token: %w", err)
		}
		sealed, err := k.seal(string(b))
		if err != nil {
			return fmt.Errorf("cannot encrypt the token: %w", err)
		}
		return tx.Bucket(bucketTokens).Put(itob(id), []byte(sealed))
	})
}

// ClearToken forgets the token of the connection with id, so that it has to
// connect again. Clearing a token that is not there is not an error.
func (s *Store) ClearToken(id uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTokens).Delete(itob(id)) })
}

// keyForToken is keyFor, on a box that may be missing (a Store built by
// create, which saves nothing).
func (b *secretBox) keyForToken(tx *bolt.Tx) (*dataKey, error) {
	if b == nil {
		return nil, errors.New("the store was opened without a way to encrypt secrets")
	}
	return b.keyFor(tx)
}

// deleteToken removes the token of a connection being deleted, in the
// delete's transaction.
func deleteToken(tx *bolt.Tx, id uint64) error {
	return tx.Bucket(bucketTokens).Delete(itob(id))
}

// tokensBucket is migration 2: OAuth2 tokens get a bucket of their own.
func tokensBucket(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketTokens); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketTokens, err)
	}
	return nil
}
