package cli

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// pipeBody holds every byte value and issue 8's hostile strings: what a
// terminal would obey, and bytes that are not UTF-8.
func pipeBody() []byte {
	var b bytes.Buffer
	for c := range 256 {
		b.WriteByte(byte(c))
	}
	for _, s := range []string{
		"a\x1b]52;c;ZXZpbA==\x07b", "\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\", "\x1b]0;PWNED\x07\x1b[21t\x1b[6n",
		"\x1bP$qm\x1b\\", "good\rbad\b\b\bXY", "a\u009b31m", "abc\u202edcb", "line\r\n", "safe\x1b]52;c;rest",
	} {
		b.WriteString(s)
	}
	return b.Bytes()
}

// patchbayToPipe runs patchbay with stdout a real pipe, which is not a
// terminal, and returns what came out of the pipe.
func patchbayToPipe(t *testing.T, db string, args ...string) result {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		got <- b
	}()
	var stderr bytes.Buffer
	code := Main(append([]string{"--db", db}, args...), strings.NewReader(""), w, &stderr)
	w.Close()
	return result{code, string(<-got), stderr.String()}
}

// `patchbay run` to a pipe writes the body exactly as received — decoded
// from its content encoding, otherwise untouched — whatever the action's
// response type and whatever the server says it is.
func TestRunToAPipeWritesTheExactBytesReceived(t *testing.T) {
	body := pipeBody()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(body)
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	db := newDB(t)
	must(t, db, "connection", "add", "raw", "--auth", "none", "--base-url", srv.URL)
	for _, tc := range []struct{ action, url, as string }{
		{"json", "/json", "json"},
		{"text", "/text", "text"},
		{"binary", "/text", "binary"},
		{"gzip json", "/gzip", "json"},
		{"gzip text", "/gzip", "text"},
	} {
		must(t, db, "action", "add", tc.action, "--connection", "raw", "--url", tc.url, "--response-type", tc.as)
		r := patchbayToPipe(t, db, "run", tc.action)
		if r.code != 0 {
			t.Errorf("run %s: exit %d, stderr %q", tc.action, r.code, r.stderr)
		}
		if !bytes.Equal([]byte(r.stdout), body) {
			t.Errorf("run %s wrote %d bytes to the pipe, not the %d received:\n got %q\nwant %q",
				tc.action, len(r.stdout), len(body), r.stdout, body)
		}
	}

	// On a terminal the same body is not written raw (it is not UTF-8, so
	// it is a hex preview): the pipe is told apart from a terminal.
	r := patchbayOnTerminal(t, db, "run", "text")
	if strings.ContainsAny(r.stdout, "\x1b\r\b\x07\u009b\u202e") {
		t.Errorf("run on a terminal wrote raw control characters: %q", r.stdout)
	}
}
