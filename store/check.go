package store

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt maps the whole file and trusts its meta pages: a file cut short of
// the pages its meta page counts makes the first read past the end fault
// with SIGBUS, which kills the process before recover can act. checkFile
// reads the two meta pages with plain reads first, the way bbolt will, and
// refuses a file bbolt could not map safely.
//
// The layout, from go.etcd.io/bbolt internal/common (page.go, meta.go; format
// version 2): a page starts with a 16-byte header (id u64, flags u16, count
// u16, overflow u32); on pages 0 and 1 the header is followed by
//
//	magic u32 · version u32 · pageSize u32 · flags u32 ·
//	root bucket {root pgid u64, sequence u64} · freelist pgid u64 ·
//	pgid (high-water mark) u64 · txid u64 · checksum u64
//
// in the machine's byte order, the checksum being FNV-64a of the 56 bytes
// before it. Page 1 starts at pageSize.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	pageHeaderSize  = 16
	metaSize        = 64
	metaSumOffset   = 56
	boltNoFreelist  = ^uint64(0)
	minPageSize     = 1024    // bbolt looks for page 1 from 1 KiB up …
	maxPageSize     = 1 << 24 // … to 16 MiB
	metaPageReadLen = pageHeaderSize + metaSize
)

// boltMeta is a decoded meta page.
type boltMeta struct {
	magic, version, pageSize uint32
	root, freelist, pgid     uint64
	txid, checksum           uint64
	sum                      uint64 // the checksum computed over the bytes read
}

// metaState says what was found where a meta page should be.
type metaState int

const (
	metaMissing     metaState = iota // the file ends before it
	metaNoMagic                      // not a bbolt meta page at all
	metaCut                          // bbolt's magic, then the file ends
	metaBadChecksum                  // bbolt's magic, but damaged
	metaBadVersion                   // bbolt's magic and checksum, another format version
	metaValid
)

func decodeMeta(b []byte) boltMeta {
	e := binary.NativeEndian
	h := fnv.New64a()
	h.Write(b[:metaSumOffset])
	return boltMeta{
		magic:    e.Uint32(b[0:]),
		version:  e.Uint32(b[4:]),
		pageSize: e.Uint32(b[8:]),
		root:     e.Uint64(b[16:]),
		freelist: e.Uint64(b[32:]),
		pgid:     e.Uint64(b[40:]),
		txid:     e.Uint64(b[48:]),
		checksum: e.Uint64(b[metaSumOffset:]),
		sum:      h.Sum64(),
	}
}

// readMeta reads the meta page that starts at offset off.
func readMeta(f io.ReaderAt, off, size int64) (boltMeta, metaState, error) {
	n := min(size-off, metaPageReadLen)
	if n < pageHeaderSize+4 {
		return boltMeta{}, metaMissing, nil
	}
	buf := make([]byte, metaPageReadLen)
	if _, err := f.ReadAt(buf[:n], off); err != nil {
		return boltMeta{}, metaMissing, err
	}
	m := decodeMeta(buf[pageHeaderSize:])
	switch {
	case m.magic != boltMagic:
		return m, metaNoMagic, nil
	case n < metaPageReadLen:
		return m, metaCut, nil
	case m.checksum != m.sum:
		return m, metaBadChecksum, nil
	case m.version != boltVersion:
		return m, metaBadVersion, nil
	}
	return m, metaValid, nil
}

// checkFile checks, with plain reads and without writing, that the non-empty
// file at path has the shape of a bbolt file that bbolt can map: at least one
// meta page with a good checksum, and the file as long as the newest such
// page says. It gives ErrNotDatabase when nothing in the file looks like
// bbolt's (text, zeros, random bytes) and ErrDamaged when it does but cannot
// be opened safely.
func checkFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open database: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot open database: %w", err)
	}
	size := info.Size()

	var (
		valid     []boltMeta
		magicSeen bool
		otherVer  uint32
	)
	note := func(m boltMeta, st metaState) {
		switch st {
		case metaValid:
			valid = append(valid, m)
		case metaBadChecksum, metaCut:
			magicSeen = true
		case metaBadVersion:
			magicSeen = true
			otherVer = m.version
		}
	}

	m0, st0, err := readMeta(f, 0, size)
	if err != nil {
		return fmt.Errorf("cannot read database %s: %w", path, err)
	}
	note(m0, st0)
	// Page 1 starts one page in. With a good page 0 the page size is known;
	// otherwise look where bbolt looks: this machine's page size, then every
	// power of two from 1 KiB to 16 MiB.
	offsets := []int64{int64(m0.pageSize)}
	if st0 != metaValid {
		offsets = []int64{int64(os.Getpagesize()), 4096}
		for ps := int64(minPageSize); ps <= maxPageSize; ps <<= 1 {
			offsets = append(offsets, ps)
		}
	}
	tried := map[int64]bool{0: true}
	for _, off := range offsets {
		if tried[off] {
			continue
		}
		tried[off] = true
		m1, st1, err := readMeta(f, off, size)
		if err != nil {
			return fmt.Errorf("cannot read database %s: %w", path, err)
		}
		if st1 == metaNoMagic || st1 == metaMissing {
			continue
		}
		note(m1, st1)
		if st1 == metaValid && m1.pageSize == uint32(off) {
			break
		}
	}

	if len(valid) == 0 {
		switch {
		case !magicSeen:
			return newError(path+" is not a patchbay database", ErrNotDatabase)
		case otherVer != 0:
			return newError(fmt.Sprintf("%s is not a patchbay database (bbolt format version %d)", path, otherVer), ErrNotDatabase)
		case size < metaPageReadLen:
			return damaged(path, fmt.Sprintf("only %d bytes long", size))
		}
		return damaged(path, "both meta pages fail their checksums")
	}

	// bbolt uses the valid meta page with the higher transaction id.
	m := valid[0]
	for _, v := range valid[1:] {
		if v.txid > m.txid {
			m = v
		}
	}
	ps := uint64(m.pageSize)
	switch {
	case ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0:
		return damaged(path, fmt.Sprintf("page size %d is impossible", ps))
	case m.pgid < 2 || m.root >= m.pgid || (m.freelist != boltNoFreelist && m.freelist >= m.pgid):
		return damaged(path, "its meta page points past its own end")
	case m.pgid > uint64(size)/ps:
		return damaged(path, fmt.Sprintf("cut short: %d bytes of at least %d", size, m.pgid*ps))
	}
	return nil
}

// damaged is ErrDamaged with the plain-words reason and what to do.
func damaged(path, reason string) error {
	return newError(fmt.Sprintf("%s is damaged (%s); restore it from a backup (`patchbay backup` makes one) or move it aside",
		path, reason), ErrDamaged)
}
