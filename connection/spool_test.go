package connection

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
)

// pattern is a reader of n deterministic bytes that are not all alike, so
// a body put back together in the wrong order is seen.
type pattern struct{ n, at int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.at >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.at)]
	for i := range b {
		x := p.at + int64(i)
		b[i] = byte(x*7 + x>>16)
	}
	p.at += int64(len(b))
	return len(b), nil
}

func patternBytes(n int64) []byte {
	b, _ := io.ReadAll(&pattern{n: n})
	return b
}

// A big body is read through a temporary file in bounded memory: what it
// allocates is the body itself, once, plus its first MiB and a copy
// buffer — not the 2× and more a buffer grown by doubling allocates —
// and the file is gone when it returns.
func TestReadUpToSpoolsInBoundedMemory(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	const size = 48 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := readUpTo(&pattern{n: size}, DefaultBodyCap, -1, nil)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != size || cap(got) != size {
		t.Fatalf("body of len %d cap %d, want both %d", len(got), cap(got), size)
	}
	if !bytes.Equal(got, patternBytes(size)) {
		t.Fatal("the body read back is not the body sent")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size+4<<20 {
		t.Errorf("reading a %d MiB body allocated %.1f MiB, want at most the body and 4 MiB", size>>20, float64(alloc)/(1<<20))
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// The cap holds through the file as in memory, and a body within the
// first MiB never touches the file system.
func TestReadUpToCaps(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, tc := range []struct{ size, limit, want int64 }{
		{5 << 20, 3 << 20, 3 << 20},
		{5 << 20, 5 << 20, 5 << 20},
		{5 << 20, 1000, 1000},
		{spoolAt, DefaultBodyCap, spoolAt},
		{spoolAt + 1, DefaultBodyCap, spoolAt + 1},
		{0, DefaultBodyCap, 0},
	} {
		got, err := readUpTo(&pattern{n: tc.size}, tc.limit, -1, nil)
		if err != nil || !bytes.Equal(got, patternBytes(tc.size)[:tc.want]) {
			t.Errorf("size %d limit %d: got %d bytes (err %v), want the first %d", tc.size, tc.limit, len(got), err, tc.want)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// Where no temporary file can be made, the body is read in memory all
// the same.
func TestReadUpToWithoutTempDir(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()+"/missing")
	got, err := readUpTo(&pattern{n: 3 << 20}, DefaultBodyCap, -1, nil)
	if err != nil || !bytes.Equal(got, patternBytes(3<<20)) {
		t.Fatalf("got %d bytes, err %v", len(got), err)
	}
}

// A temporary file that takes no more (a full disk) loses nothing: the
// bytes read but not written come back to be kept in memory.
func TestSpoolFullKeepsWhatWasRead(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "full")
	if err != nil {
		t.Fatal(err)
	}
	f.Close() // every Write now fails
	n, carry, err := spool(&pattern{n: 3 << 20}, f, 3<<20, 0, nil)
	if err != errSpoolFull || n != 0 || !bytes.Equal(carry, patternBytes(spoolChunk)) {
		t.Fatalf("spool to a closed file: n %d, carry %d bytes, err %v", n, len(carry), err)
	}
}

// gate is a reader that stops after its first part until it is opened.
type gate struct {
	first, rest io.Reader
	open        chan struct{}
}

func (g *gate) Read(b []byte) (int, error) {
	if n, err := g.first.Read(b); err != io.EOF {
		return n, err
	}
	<-g.open
	return g.rest.Read(b)
}

// Send tells WithReceiving's callback of a big body's status, headers and first
// MiB while the rest is still on its way: the server below does not send
// the rest until the test has seen the first MiB.
func TestSendTellsOfABigBodyWhileItArrives(t *testing.T) {
	body := patternBytes(6 << 20)
	open := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("X-Part", "head")
		w.WriteHeader(http.StatusCreated)
		g := &gate{first: bytes.NewReader(body[:2<<20]), rest: bytes.NewReader(body[2<<20:]), open: open}
		io.Copy(w, g)
	}))
	t.Cleanup(srv.Close)

	heads := make(chan BodyProgress, 1)
	req := Request{Method: "GET", URL: "/big"}
	ctx := WithReceiving(context.Background(), func(p BodyProgress) {
		if p.Head != nil {
			heads <- p
		}
	})
	done := make(chan Response, 1)
	go func() {
		resp, err := Send(ctx, Connection{BaseURL: srv.URL}, req)
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	p := <-heads // before the server has sent the rest
	shown := p.Response()
	if shown.Status != 201 || shown.Header("X-Part") != "head" || !shown.Truncated {
		t.Errorf("progress response: status %d, X-Part %q, truncated %v", shown.Status, shown.Header("X-Part"), shown.Truncated)
	}
	if !bytes.Equal(p.Head, body[:spoolAt]) || p.Received != spoolAt {
		t.Errorf("head of %d bytes (received %d), want the body's first %d", len(p.Head), p.Received, spoolAt)
	}
	close(open)
	resp := <-done
	if !bytes.Equal(resp.Body, body) || resp.Size != int64(len(body)) || resp.Truncated {
		t.Errorf("final body %d bytes (size %d, truncated %v), want all %d", len(resp.Body), resp.Size, resp.Truncated, len(body))
	}
}
