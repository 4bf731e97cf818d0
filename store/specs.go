package store

// The OpenAPI document attached to a connection, in a bucket of its own
// (schema 6), keyed by the connection's id: the raw bytes as the user gave
// them (JSON or YAML; the wizard parses them when it needs them), where
// they came from and when. A value is
//
//	uvarint len(header) ‖ header (JSON OpenAPIDoc without Data) ‖ document
//
// so a document of megabytes is stored as it is, not base64'd into JSON.

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OpenAPIDoc is an OpenAPI document attached to a connection.
type OpenAPIDoc struct {
	Source     string    `json:"source"`      // the file name it was read from, "stdin" for a pipe
	AttachedAt time.Time `json:"attached_at"` // when it was attached
	Data       []byte    `json:"-"`           // the document as read
}

// AttachOpenAPI attaches doc to the connection with id, replacing the one
// before. A connection that does not exist gets none: ErrNotFound.
func (s *Store) AttachOpenAPI(id uint64, doc OpenAPIDoc) error {
	header, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode OpenAPI document: %w", err)
	}
	v := binary.AppendUvarint(nil, uint64(len(header)))
	v = append(v, header...)
	v = append(v, doc.Data...)
	return s.db.Update(func(tx *bolt.Tx) error {
		if _, err := connections.get(tx, id); err != nil {
			return err
		}
		return tx.Bucket(bucketOpenAPI).Put(itob(id), v)
	})
}

// OpenAPI returns the document attached to the connection with id, or
// ErrNotFound when it has none.
func (s *Store) OpenAPI(id uint64) (OpenAPIDoc, error) {
	var doc OpenAPIDoc
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketOpenAPI).Get(itob(id))
		if v == nil {
			return ErrNotFound
		}
		n, used := binary.Uvarint(v)
		if used <= 0 || uint64(len(v)-used) < n {
			return errors.New("the stored OpenAPI document is damaged: attach it again")
		}
		if err := json.Unmarshal(v[used:used+int(n)], &doc); err != nil {
			return fmt.Errorf("the stored OpenAPI document is damaged (attach it again): %w", err)
		}
		doc.Data = append([]byte(nil), v[used+int(n):]...)
		return nil
	})
	return doc, err
}

// DetachOpenAPI removes the connection's document; ErrNotFound when it
// has none.
func (s *Store) DetachOpenAPI(id uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOpenAPI)
		if b.Get(itob(id)) == nil {
			return ErrNotFound
		}
		return b.Delete(itob(id))
	})
}

// deleteOpenAPI removes the document of a connection being deleted, in
// the delete's transaction.
func deleteOpenAPI(tx *bolt.Tx, id uint64) error {
	return tx.Bucket(bucketOpenAPI).Delete(itob(id))
}

// openAPIBucket is migration 6: attached OpenAPI documents get a bucket.
func openAPIBucket(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketOpenAPI); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketOpenAPI, err)
	}
	return nil
}
