package connection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Reading a body of any size in bounded memory. Its first spoolAt bytes
// are read into memory; a body that goes on is written, as it arrives, to
// a temporary file (mode 0600, removed at once where the system allows an
// open file to be removed, else when read back), and read back at its end
// into one buffer of exactly its size. Reading straight into memory would
// grow a buffer by doubling, which holds up to 1.5× the body twice over
// while it grows and keeps up to 2× in the end.
//
// While a big body arrives, watch (when set) is told its first bytes as
// soon as there are spoolAt of them, so a screen can show its start, and
// then how much has arrived, at most every watchEvery.

const (
	// spoolAt is how much of a body is read into memory before the rest
	// goes to a file: the first screenful of a big body, and all of most.
	spoolAt = 1 << 20
	// spoolChunk is the copy buffer between the body and the file.
	spoolChunk = 64 << 10
	// watchEvery is how often watch hears of the bytes received.
	watchEvery = 100 * time.Millisecond
)

// WithReceiving returns a copy of ctx that makes a Send under it tell fn
// of a big body (past its first MiB) while it arrives: first with the
// response's status, headers and the body's first bytes, then with how
// much has arrived, every 100ms at most. fn is called from Send's
// goroutine and must not block. Like httptrace.WithClientTrace, it
// observes a request without changing it, so it travels in the context
// (through wizard.Replay, for one) rather than in the Request.
func WithReceiving(ctx context.Context, fn func(BodyProgress)) context.Context {
	return context.WithValue(ctx, receivingKey{}, fn)
}

type receivingKey struct{}

// BodyProgress is a big response body on its way (WithReceiving):
// the final response's status and headers, the body's first bytes,
// decoded, and how many decoded bytes have arrived so far.
type BodyProgress struct {
	Status     int
	StatusText string
	Headers    []KV
	// Head is the body's first bytes (a copy of its first spoolAt), in the
	// first call only; nil after.
	Head     []byte
	Received int64

	token *gotToken // the OAuth2 token the request carried, for RedactEchoes
}

// Response is what has arrived so far as a Response to show: the status,
// headers and first bytes of the body, marked Truncated, with Size what
// has arrived. It carries the request's OAuth2 token as Send's responses
// do, so that RedactEchoes masks the token where the server echoed it.
func (p BodyProgress) Response() Response {
	return Response{Status: p.Status, StatusText: p.StatusText, Headers: p.Headers, Body: p.Head,
		Size: p.Received, Truncated: true, token: p.token}
}

// bodyWatch is told of a big body's first bytes (head, in the first call
// only) and of how much of it has arrived.
type bodyWatch func(head []byte, received int64)

// readUpTo reads r to its end or to limit bytes, whichever comes first.
// hint is the Content-Length (-1: unknown), a claim rather than a
// promise, so it sizes only the first, in-memory, part. On an error it
// returns what was read before it.
func readUpTo(r io.Reader, limit, hint int64, watch bodyWatch) ([]byte, error) {
	if hint < 0 {
		hint = 511
	}
	head := make([]byte, 0, min(hint, limit, spoolAt)+1)
	head, err := readInto(r, head, min(limit, spoolAt))
	if err != nil || int64(len(head)) < min(limit, spoolAt) || int64(len(head)) == limit {
		return head, err
	}
	if watch != nil {
		watch(head, int64(len(head)))
	}
	f, ferr := os.CreateTemp("", "patchbay-body-*")
	if ferr != nil {
		return readInto(r, head, limit) // no temporary file: in memory, then
	}
	removed := os.Remove(f.Name()) == nil
	defer func() {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
	}()
	spooled, carry, err := spool(r, f, limit-int64(len(head)), int64(len(head)), watch)
	body := make([]byte, int64(len(head))+spooled, int64(len(head))+spooled+int64(len(carry)))
	copy(body, head)
	if _, rerr := f.ReadAt(body[len(head):], 0); rerr != nil && rerr != io.EOF {
		return head, fmt.Errorf("reading back the body's temporary file: %w", rerr)
	}
	if err == errSpoolFull {
		// The file took no more (a full disk): the rest is read in memory.
		return readInto(r, append(body, carry...), limit)
	}
	return body, err
}

// errSpoolFull is a temporary file that took no more.
var errSpoolFull = errors.New("the temporary file took no more")

// spool copies up to limit bytes of r to f, telling watch how much has
// arrived (already counts the bytes read before). It returns how many
// bytes f holds and r's error; or, when f fails, errSpoolFull with the
// bytes read but not surely written in carry.
func spool(r io.Reader, f *os.File, limit, already int64, watch bodyWatch) (n int64, carry []byte, err error) {
	buf := make([]byte, spoolChunk)
	last := time.Now()
	for n < limit {
		got, err := r.Read(buf[:min(int64(len(buf)), limit-n)])
		if got > 0 {
			if _, werr := f.Write(buf[:got]); werr != nil {
				return n, buf[:got], errSpoolFull
			}
			n += int64(got)
			if watch != nil && time.Since(last) >= watchEvery {
				last = time.Now()
				watch(nil, already+n)
			}
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, nil, err
		}
	}
	return n, nil, nil
}

// readInto reads r into b until it holds max bytes, r ends (no error) or
// fails; b's capacity grows by doubling as needed.
func readInto(r io.Reader, b []byte, max int64) ([]byte, error) {
	for int64(len(b)) < max {
		if len(b) == cap(b) {
			// Doubling, where append would grow a big slice by a quarter
			// at a time and allocate several times the cap in all.
			grown := make([]byte, len(b), min(2*int64(cap(b)), max))
			copy(grown, b)
			b = grown
		}
		n, err := r.Read(b[len(b):min(int64(cap(b)), max)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}
