package cli

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// result is what one Main call left behind.
type result struct {
	code           int
	stdout, stderr string
}

// patchbay runs Main against the database db with args, as a shell would.
func patchbay(t *testing.T, db string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(append([]string{"--db", db}, args...), strings.NewReader(""), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// ttyBuffer stands in for a terminal: isTerminal says yes to it.
type ttyBuffer struct{ bytes.Buffer }

func (*ttyBuffer) terminal() bool { return true }

// patchbayOnTerminal is patchbay with stdout on a terminal.
func patchbayOnTerminal(t *testing.T, db string, args ...string) result {
	t.Helper()
	var stdout ttyBuffer
	var stderr bytes.Buffer
	code := Main(append([]string{"--db", db}, args...), strings.NewReader(""), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// must runs patchbay and fails the test unless it exits 0.
func must(t *testing.T, db string, args ...string) result {
	t.Helper()
	r := patchbay(t, db, args...)
	if r.code != 0 {
		t.Fatalf("patchbay %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// wantExit fails the test unless patchbay exits with code and stderr
// contains every one of want.
func wantExit(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q does not contain %q", r.stderr, w)
		}
	}
}

func newDB(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "patchbay.db")
}

func newHTTPBin(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(httpbin.New())
	t.Cleanup(srv.Close)
	return srv
}

// closedURL is the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}
