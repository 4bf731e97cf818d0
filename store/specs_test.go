package store

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
)

// An attached document comes back byte for byte after a reopen, a new one
// replaces it, detaching removes it, and deleting the connection deletes
// its document.
func TestOpenAPIDocs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	a, b := twoConnections(t, s)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	// Bytes no JSON string holds as they are: the document is kept raw.
	data := append([]byte("openapi: 3.0.3\n# \xff\x00\n"), bytes.Repeat([]byte("x"), 1<<20)...)
	if err := s.AttachOpenAPI(a.ID, OpenAPIDoc{Source: "old.yaml", AttachedAt: at, Data: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachOpenAPI(a.ID, OpenAPIDoc{Source: "petstore.yaml", AttachedAt: at, Data: data}); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachOpenAPI(b.ID, OpenAPIDoc{Source: "b.json", AttachedAt: at, Data: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachOpenAPI(999, OpenAPIDoc{Data: data}); !errors.Is(err, ErrNotFound) {
		t.Errorf("AttachOpenAPI to a missing connection: %v, want ErrNotFound", err)
	}
	s.Close()

	s = openAt(t, path)
	defer s.Close()
	got, err := s.OpenAPI(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != "petstore.yaml" || !got.AttachedAt.Equal(at) || !bytes.Equal(got.Data, data) {
		t.Fatalf("OpenAPI = %q at %v, %d bytes; want petstore.yaml at %v, %d bytes", got.Source, got.AttachedAt, len(got.Data), at, len(data))
	}
	if err := s.DetachOpenAPI(b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenAPI(b.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenAPI after detaching: %v, want ErrNotFound", err)
	}
	if err := s.DetachOpenAPI(b.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("detaching twice: %v, want ErrNotFound", err)
	}
	if err := s.DeleteConnection(a.ID); err != nil {
		t.Fatal(err)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketOpenAPI).Get(itob(a.ID)); v != nil {
			t.Errorf("the document of a deleted connection is still stored (%d bytes)", len(v))
		}
		return nil
	})
}

// A damaged record is an error that says what to do, not a panic.
func TestOpenAPIDocDamaged(t *testing.T) {
	s := openTemp(t)
	c := connection.Connection{Name: "a", BaseURL: "https://a.example.test"}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	for _, v := range [][]byte{{0xff}, {0x7f, '{'}, {0x02, 'x', 'y'}} {
		if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOpenAPI).Put(itob(c.ID), v) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenAPI(c.ID); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("damaged %q: %v", v, err)
		}
	}
}

// Migration 6 adds the bucket, running it twice is harmless, and a schema 5
// file is upgraded with its connections kept.
func TestMigration6OpenAPIBucket(t *testing.T) {
	db := rawDB(t)
	if m := migrations[5]; m.version != 6 || m.name != "OpenAPI documents bucket" {
		t.Fatalf("migrations[5] is %d %q", m.version, m.name)
	}
	for range 2 {
		if err := db.Update(migrations[5].apply); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("openapi_specs")) == nil {
			t.Error("bucket openapi_specs missing")
		}
		return nil
	})

	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	restore := atSchema(t, 5)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := connection.Connection{Name: "old", BaseURL: "https://example.test"}
	err = s.CreateConnection(&c)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	restore()
	s = openAt(t, path)
	defer s.Close()
	assertSchema(t, s.db, currentSchema())
	if err := s.AttachOpenAPI(c.ID, OpenAPIDoc{Source: "a.yaml", Data: []byte("openapi: 3.1.0")}); err != nil {
		t.Fatalf("attaching after the upgrade: %v", err)
	}
}
