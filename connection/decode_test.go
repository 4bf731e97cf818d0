package connection

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// httpbinBytes is what httpbin's /bytes/n?seed=seed sends.
func httpbinBytes(n int, seed int64) []byte {
	rng := rand.New(rand.NewSource(seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Intn(256))
	}
	return b
}

func TestBytesIntact(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	for _, n := range []int{1, 1000, 65537, 1 << 20} {
		resp := mustSend(t, conn, Request{URL: "/bytes/" + strconv.Itoa(n) + "?seed=7"})
		if !bytes.Equal(resp.Body, httpbinBytes(n, 7)) {
			t.Errorf("/bytes/%d: the body differs from what httpbin sent (%d bytes)", n, len(resp.Body))
		}
		if resp.Size != int64(n) || resp.WireSize != int64(n) || resp.Truncated || resp.Encoding != "" || resp.Note != "" {
			t.Errorf("/bytes/%d: size %d, wire %d, truncated %v, encoding %q, note %q", n, resp.Size, resp.WireSize, resp.Truncated, resp.Encoding, resp.Note)
		}
	}
	resp := mustSend(t, conn, Request{URL: "/stream-bytes/70000?seed=3&chunk_size=999"})
	if !bytes.Equal(resp.Body, httpbinBytes(70000, 3)) || resp.Size != 70000 {
		t.Errorf("/stream-bytes: %d bytes, not httpbin's", len(resp.Body))
	}
}

// TestGzipAndDeflateDecoded: Send asks for gzip and deflate and decodes
// them, telling both sizes and keeping the headers as received.
func TestGzipAndDeflateDecoded(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	pad := strings.Repeat("compressible ", 100)
	for _, enc := range []string{"gzip", "deflate"} {
		resp := mustSend(t, conn, Request{URL: "/" + enc, Query: []KV{{"pad", pad}}})
		var got struct {
			Args     map[string][]string `json:"args"`
			Headers  map[string][]string `json:"headers"`
			Gzipped  bool                `json:"gzipped"`
			Deflated bool                `json:"deflated"`
		}
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			t.Fatalf("/%s: the body is not the decoded JSON: %v\n%q", enc, err, resp.Body)
		}
		if got.Args["pad"][0] != pad || !got.Gzipped && !got.Deflated {
			t.Errorf("/%s: decoded %+v", enc, got)
		}
		if ae := got.Headers["Accept-Encoding"]; len(ae) != 1 || ae[0] != "gzip, deflate" {
			t.Errorf("/%s: the server saw Accept-Encoding %q", enc, ae)
		}
		if resp.Encoding != enc || resp.Size != int64(len(resp.Body)) || resp.WireSize >= resp.Size || resp.Truncated || resp.Note != "" {
			t.Errorf("/%s: encoding %q, size %d, wire %d, truncated %v, note %q", enc, resp.Encoding, resp.Size, resp.WireSize, resp.Truncated, resp.Note)
		}
		if resp.Header("Content-Encoding") != enc || resp.Header("Content-Length") != strconv.FormatInt(resp.WireSize, 10) {
			t.Errorf("/%s: headers not as received: Content-Encoding %q, Content-Length %q", enc, resp.Header("Content-Encoding"), resp.Header("Content-Length"))
		}
	}

	// A HEAD has no body to decode.
	if resp := mustSend(t, conn, Request{Method: "HEAD", URL: "/gzip"}); resp.Status != 200 || len(resp.Body) != 0 || resp.Note != "" {
		t.Errorf("HEAD /gzip: %s, %d bytes, note %q", resp.StatusText, len(resp.Body), resp.Note)
	}
	// The request's own Accept-Encoding is sent instead.
	e := parseEcho(t, mustSend(t, conn, Request{URL: "/headers", Headers: []KV{{"accept-encoding", "identity"}}}))
	if ae := e.Headers["Accept-Encoding"]; len(ae) != 1 || ae[0] != "identity" {
		t.Errorf("a typed Accept-Encoding became %q", ae)
	}
}

// encoded serves body with the given Content-Encoding.
func encoded(t *testing.T, encoding string, body []byte) Connection {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", encoding)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return Connection{Name: "enc", BaseURL: srv.URL}
}

func compress(t *testing.T, enc string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "raw deflate":
		w, _ = flate.NewWriter(&buf, flate.BestSpeed)
	}
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestOtherEncodings(t *testing.T) {
	text := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog\n", 2000))
	gz := compress(t, "gzip", text)

	// Raw deflate (RFC 1951), which some servers send for "deflate".
	resp := mustSend(t, encoded(t, "deflate", compress(t, "raw deflate", text)), Request{})
	if !bytes.Equal(resp.Body, text) || resp.Encoding != "deflate" || resp.Note != "" {
		t.Errorf("raw deflate: %d bytes, encoding %q, note %q", len(resp.Body), resp.Encoding, resp.Note)
	}
	// Two layers, applied in the order listed.
	resp = mustSend(t, encoded(t, "gzip, gzip", compress(t, "gzip", gz)), Request{})
	if !bytes.Equal(resp.Body, text) || resp.Note != "" {
		t.Errorf("gzip, gzip: %d bytes, note %q", len(resp.Body), resp.Note)
	}
	// Encodings patchbay does not decode are kept as received.
	for _, enc := range []string{"br", "zstd"} {
		raw := []byte("\x28\xb5\x2f\xfd not really " + enc)
		resp = mustSend(t, encoded(t, enc, raw), Request{})
		if !bytes.Equal(resp.Body, raw) || resp.Encoding != enc || resp.Size != int64(len(raw)) || resp.WireSize != resp.Size ||
			resp.Note != "the body is "+enc+"-encoded, which patchbay does not decode — it is shown as received" {
			t.Errorf("%s: body %q, encoding %q, size %d/%d, note %q", enc, resp.Body, resp.Encoding, resp.Size, resp.WireSize, resp.Note)
		}
	}
	// A body marked gzip that is not is shown as it came.
	resp = mustSend(t, encoded(t, "gzip", []byte("plain text after all")), Request{})
	if string(resp.Body) != "plain text after all" || resp.Truncated || resp.Note != "the body is marked gzip but is not — it is shown as received" {
		t.Errorf("not gzip: body %q, truncated %v, note %q", resp.Body, resp.Truncated, resp.Note)
	}
}

// TestCorruptGzip: a gzip body that breaks off or is damaged midway is
// kept up to the damage, marked truncated, with a note; it is not an
// error, since the status and headers still tell something.
func TestCorruptGzip(t *testing.T) {
	text := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog\n", 5000))
	gz := compress(t, "gzip", text)
	damaged := bytes.Clone(gz)
	for i := len(gz) / 2; i < len(gz)/2+16; i++ {
		damaged[i] ^= 0x5a
	}
	badSum := bytes.Clone(gz)
	badSum[len(gz)-8] ^= 0xff // the CRC-32 of the trailer
	for _, tc := range []struct {
		name   string
		body   []byte
		prefix bool // what is kept is the start of text
	}{
		{"cut short", gz[:len(gz)/2], true},
		{"damaged", damaged, false},
		{"bad checksum", badSum, true},
	} {
		resp := mustSend(t, encoded(t, "gzip", tc.body), Request{})
		if !resp.Truncated || !strings.HasPrefix(resp.Note, "the gzip body is corrupt after ") || !strings.HasSuffix(resp.Note, " — it is cut there") {
			t.Errorf("%s: truncated %v, note %q", tc.name, resp.Truncated, resp.Note)
		}
		if tc.prefix && (len(resp.Body) == 0 || !bytes.HasPrefix(text, resp.Body)) {
			t.Errorf("%s: kept %d bytes, which are not the start of the text", tc.name, len(resp.Body))
		}
		if resp.WireSize != int64(len(tc.body)) || resp.Size != int64(len(resp.Body)) {
			t.Errorf("%s: wire size %d, size %d; want %d, %d", tc.name, resp.WireSize, resp.Size, len(tc.body), len(resp.Body))
		}
	}
}

// TestBodyCapAfterDecoding: the cap applies to the decoded body, and Size
// counts all of it.
func TestBodyCapAfterDecoding(t *testing.T) {
	text := []byte(strings.Repeat("0123456789", 10000))
	resp := mustSend(t, encoded(t, "gzip", compress(t, "gzip", text)), Request{Options: Options{BodyCap: 4096}})
	if !bytes.Equal(resp.Body, text[:4096]) || !resp.Truncated || resp.Size != int64(len(text)) || resp.WireSize >= 4096 {
		t.Errorf("kept %d bytes, truncated %v, size %d, wire %d", len(resp.Body), resp.Truncated, resp.Size, resp.WireSize)
	}
	srv := newHTTPBin(t)
	resp = mustSend(t, Connection{Name: "bin", BaseURL: srv.URL}, Request{URL: "/stream-bytes/100000?seed=5&chunk_size=4096", Options: Options{BodyCap: 10000}})
	if !bytes.Equal(resp.Body, httpbinBytes(100000, 5)[:10000]) || !resp.Truncated || resp.Size != 100000 {
		t.Errorf("/stream-bytes over the cap: kept %d bytes, truncated %v, size %d", len(resp.Body), resp.Truncated, resp.Size)
	}
}

// TestBodyCapBoundsMemory: reading 50 MiB with a 1 MiB cap, plain or
// gzip-decoded, allocates nowhere near 50 MiB. The server writes from one
// buffer, so what is allocated is the client's.
func TestBodyCapBoundsMemory(t *testing.T) {
	const total, capped = 50 << 20, 1 << 20
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	for range total / len(chunk) {
		zw.Write(chunk)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gzip" {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gz.Bytes())
			return
		}
		for range total / len(chunk) { // chunked, no Content-Length
			w.Write(chunk)
		}
	}))
	t.Cleanup(srv.Close)
	conn := Connection{Name: "big", BaseURL: srv.URL}
	mustSend(t, conn, Request{URL: "/warm-up", Options: Options{BodyCap: 10}})

	for _, path := range []string{"/plain", "/gzip"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		resp := mustSend(t, conn, Request{URL: path, Options: Options{BodyCap: capped}})
		runtime.ReadMemStats(&after)
		if len(resp.Body) != capped || !resp.Truncated || resp.Size != total || !bytes.Equal(resp.Body[:len(chunk)], chunk) {
			t.Errorf("%s: kept %d bytes, truncated %v, size %d", path, len(resp.Body), resp.Truncated, resp.Size)
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %.1f MiB allocated", path, float64(alloc)/(1<<20))
		if alloc > 8<<20 {
			t.Errorf("%s: reading 50 MiB with a 1 MiB cap allocated %d MiB", path, alloc>>20)
		}
	}
}
