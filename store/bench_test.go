package store

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"patchbay/wizard"
)

// populate fills a database at path with n actions of about 1 KiB each, in
// one transaction, and closes it.
func populate(b *testing.B, path string, n int) {
	b.Helper()
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := createConnection(b, s, "bench")
	body := `{"text":"` + strings.Repeat("x", 900) + `"}`
	err = s.db.Update(func(tx *bolt.Tx) error {
		for i := range n {
			a := wizard.Action{
				Name:         fmt.Sprintf("action %05d", i),
				ConnectionID: c.ID,
				Method:       "POST",
				URL:          "/things/{{id}}",
				BodyType:     wizard.BodyJSON,
				Body:         body,
			}
			if err := createAction(tx, &a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkActionNames(b *testing.B) {
	path := filepath.Join(b.TempDir(), "patchbay.db")
	populate(b, path, 10_000)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		list, err := s.ActionNames()
		if err != nil || len(list) != 10_000 {
			b.Fatalf("ActionNames: %d, %v", len(list), err)
		}
	}
}

// BenchmarkActions is BenchmarkActionNames reading every value, for comparison.
func BenchmarkActions(b *testing.B) {
	path := filepath.Join(b.TempDir(), "patchbay.db")
	populate(b, path, 10_000)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		list, err := s.Actions()
		if err != nil || len(list) != 10_000 {
			b.Fatalf("Actions: %d, %v", len(list), err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "patchbay.db")
	populate(b, path, 10_000)
	for b.Loop() {
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkActionSummaries lists what the Actions tab shows: the names index
// joined with the summaries, no action decoded.
func BenchmarkActionSummaries(b *testing.B) {
	path := filepath.Join(b.TempDir(), "patchbay.db")
	populate(b, path, 10_000)
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		list, err := s.ActionSummaries()
		if err != nil || len(list) != 10_000 {
			b.Fatalf("ActionSummaries: %d, %v", len(list), err)
		}
	}
}
