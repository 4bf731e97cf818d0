package store

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// realDB makes a patchbay database with a connection and enough actions to
// span many pages, closes it and returns its path and how many bytes its
// pages take (bbolt grows the file ahead of them, so the file is longer).
func realDB(t *testing.T) (path string, dataSize int64) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "patchbay.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := createConnection(t, s, "Jira")
	for i := range 200 {
		a := newAction(fmt.Sprintf("action %03d", i), c.ID)
		a.Body = strings.Repeat("x", 500)
		if err := s.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.View(func(tx *bolt.Tx) error { dataSize = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, dataSize
}

// assertDamaged opens path, wants ErrDamaged with the full message naming
// reason, and checks the file was not touched.
func assertDamaged(t *testing.T, path, reason string) {
	t.Helper()
	before := snap(t, path)
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a damaged file")
	}
	if !errors.Is(err, ErrDamaged) {
		t.Errorf("error %v is not ErrDamaged", err)
	}
	if errors.Is(err, ErrNotDatabase) {
		t.Errorf("error %v is also ErrNotDatabase", err)
	}
	want := path + " is damaged ("
	tail := "); restore it from a backup (`patchbay backup` makes one) or move it aside"
	if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, tail) || !strings.Contains(msg, reason) {
		t.Errorf("error text %q, want %q…%q…%q", msg, want, reason, tail)
	}
	assertUnchanged(t, path, before)
}

// The acceptance cases: a real database cut to half of its pages, and files
// of the same length full of zeros or random bytes. None may crash the
// process (bbolt alone would fault reading past the end of the mapping).
func TestOpenTruncatedDatabase(t *testing.T) {
	path, size := realDB(t)
	if err := os.Truncate(path, size/2); err != nil {
		t.Fatal(err)
	}
	assertDamaged(t, path, fmt.Sprintf("cut short: %d bytes of at least %d", size/2, size))
}

func TestOpenZeroFilledDatabase(t *testing.T) {
	path, _ := realDB(t)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, make([]byte, info.Size()), 0o600); err != nil {
		t.Fatal(err)
	}
	assertNotDatabase(t, path)
}

func TestOpenRandomBytesDatabase(t *testing.T) {
	path, _ := realDB(t)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, info.Size())
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	assertNotDatabase(t, path)
}

// Cut anywhere inside its pages, a database is refused as damaged — down to
// a few bytes of its first page.
func TestOpenCutAnywhere(t *testing.T) {
	path, size := realDB(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int64(os.Getpagesize())
	for _, n := range []int64{size - 1, size - ps, 3 * ps, 2 * ps, ps + 100, ps, 100, 79, 40, 20} {
		if err := os.WriteFile(path, orig[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			before := snap(t, path)
			s, err := Open(path)
			if err == nil {
				s.Close()
				t.Fatalf("Open accepted the first %d of %d bytes", n, size)
			}
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("cut to %d bytes: %v, want ErrDamaged", n, err)
			}
			assertUnchanged(t, path, before)
		})
	}
	// Before the magic number there is nothing to recognise.
	if err := os.WriteFile(path, orig[:19], 0o600); err != nil {
		t.Fatal(err)
	}
	assertNotDatabase(t, path)
}

// metaOffsets are where the two meta structs of a file with page size ps
// start.
func metaOffsets(ps int) [2]int { return [2]int{pageHeaderSize, ps + pageHeaderSize} }

// Both meta pages damaged: bbolt's magic is there but no checksum holds.
func TestOpenBothMetaPagesDamaged(t *testing.T) {
	path, _ := realDB(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range metaOffsets(os.Getpagesize()) {
		data[off+48] ^= 0xff // a byte of txid
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	assertDamaged(t, path, "both meta pages fail their checksums")
}

// One damaged meta page is what a torn write leaves; bbolt falls back to
// the other, and so does the check.
func TestOpenOneMetaPageDamaged(t *testing.T) {
	for i := range 2 {
		t.Run(fmt.Sprint("meta", i), func(t *testing.T) {
			path, _ := realDB(t)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			data[metaOffsets(os.Getpagesize())[i]+48] ^= 0xff
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := checkFile(path); err != nil {
				t.Fatalf("checkFile: %v", err)
			}
			s, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if _, err := s.ConnectionByName("Jira"); err != nil {
				t.Errorf("connection after falling back to the other meta page: %v", err)
			}
		})
	}
}

// A bbolt file of another format version is not ours, not damaged.
func TestCheckFileOtherBboltVersion(t *testing.T) {
	path, _ := realDB(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range metaOffsets(os.Getpagesize()) {
		m := data[off : off+metaSize]
		binary.NativeEndian.PutUint32(m[4:], 1)
		sum := decodeMeta(m).sum
		binary.NativeEndian.PutUint64(m[metaSumOffset:], sum)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	err = checkFile(path)
	if !errors.Is(err, ErrNotDatabase) || !strings.Contains(err.Error(), "bbolt format version 1") {
		t.Errorf("checkFile: %v, want ErrNotDatabase naming version 1", err)
	}
}

// decodeMeta reads what bbolt wrote: the transaction id, the page size and
// the high-water mark agree with what bbolt reports, for both meta pages.
func TestDecodeMetaAgreesWithBbolt(t *testing.T) {
	path, size := realDB(t)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var txid int
	if err := db.View(func(tx *bolt.Tx) error { txid = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	ps := db.Info().PageSize
	db.Close()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	var txids []uint64
	for _, off := range []int64{0, int64(ps)} {
		m, st, err := readMeta(f, off, info.Size())
		if err != nil || st != metaValid {
			t.Fatalf("meta at %d: state %d, %v", off, st, err)
		}
		if m.pageSize != uint32(ps) || m.magic != boltMagic || m.version != boltVersion {
			t.Errorf("meta at %d: page size %d magic %x version %d", off, m.pageSize, m.magic, m.version)
		}
		txids = append(txids, m.txid)
		if m.txid == uint64(txid) && int64(m.pgid)*int64(ps) != size {
			t.Errorf("newest meta: high-water mark %d pages of %d, bbolt says %d bytes", m.pgid, ps, size)
		}
	}
	if max(txids[0], txids[1]) != uint64(txid) || txids[0] == txids[1] {
		t.Errorf("meta txids %v, bbolt's newest %d", txids, txid)
	}
}

// A page size other than this machine's is found from page 0, and from
// page 1 when page 0 is damaged.
func TestCheckFileOtherPageSize(t *testing.T) {
	for _, ps := range []int{1024, 16384} {
		for _, breakMeta0 := range []bool{false, true} {
			t.Run(fmt.Sprint(ps, breakMeta0), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "p.db")
				db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: ps})
				if err != nil {
					t.Fatal(err)
				}
				if err := db.Update(createBuckets); err != nil {
					t.Fatal(err)
				}
				var size int64
				_ = db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
				db.Close()
				if breakMeta0 {
					data, _ := os.ReadFile(path)
					data[pageHeaderSize+48] ^= 0xff
					if err := os.WriteFile(path, data, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				if err := checkFile(path); err != nil {
					t.Fatalf("whole file: %v", err)
				}
				cut := size - 1
				if breakMeta0 {
					cut = int64(ps + metaPageReadLen) // page 1's meta and nothing after it
				}
				if err := os.Truncate(path, cut); err != nil {
					t.Fatal(err)
				}
				if err := checkFile(path); !errors.Is(err, ErrDamaged) {
					t.Errorf("cut to %d of %d bytes: %v, want ErrDamaged", cut, size, err)
				}
			})
		}
	}
}
