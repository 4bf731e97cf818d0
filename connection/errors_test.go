package connection

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestConnectionRefused(t *testing.T) {
	addr := closedAddr(t)
	conn := Connection{Name: "dead", BaseURL: "http://" + addr, Auth: Auth{Type: AuthQuery, Query: []KV{{"api_key", "q-secret/+1"}}}}
	e := sendError(t, t.Context(), conn, Request{URL: "/x?typed=q-secret/+1"})
	if e.Kind != KindUnreachable || e.Reason != "connection refused — nothing is listening on "+addr {
		t.Errorf("got %v %q", e.Kind, e.Reason)
	}
	if !errors.Is(e, syscall.ECONNREFUSED) {
		t.Error("the cause no longer unwraps to ECONNREFUSED")
	}
	// url.Error puts the URL, query string included, into its text.
	for _, text := range []string{e.Error(), e.Err.Error(), errors.Unwrap(e).Error()} {
		if strings.Contains(text, "q-secret") || strings.Contains(text, "q-secret%2F%2B1") {
			t.Errorf("a secret leaked into the error text: %s", text)
		}
	}
	if !strings.Contains(e.Err.Error(), Redacted) {
		t.Errorf("the cause %q shows no sign of redaction; is the test still sending the key?", e.Err)
	}
}

func TestDNSFailure(t *testing.T) {
	// RFC 2606 guarantees .invalid never resolves. Without DNS in the
	// sandbox the lookup may fail or time out; either way it must end.
	conn := Connection{Name: "nowhere", BaseURL: "http://patchbay-test.invalid", Timeout: 5 * time.Second}
	e := sendError(t, t.Context(), conn, Request{})
	t.Logf("%v: %s", e.Kind, e.Reason)
	switch e.Kind {
	case KindUnreachable:
		if e.Reason != "could not find host patchbay-test.invalid (DNS lookup failed)" {
			t.Errorf("reason %q", e.Reason)
		}
	case KindTimeout:
	default:
		t.Errorf("kind %v (%s), want unreachable", e.Kind, e.Reason)
	}
}

func TestTLSFailures(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is the point
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	e := sendError(t, t.Context(), Connection{Name: "self-signed", BaseURL: tlsSrv.URL}, Request{})
	if e.Kind != KindTLS || e.Reason != "TLS handshake with 127.0.0.1 failed: the server's certificate is self-signed, so no authority vouches for it — to trust it, set tls_ca to that certificate" {
		t.Errorf("unknown authority: %v %q", e.Kind, e.Reason)
	}

	plain := newHTTPBin(t)
	e = sendError(t, t.Context(), Connection{Name: "plain", BaseURL: strings.Replace(plain.URL, "http:", "https:", 1)}, Request{})
	if e.Kind != KindTLS || !strings.Contains(e.Reason, "did not answer in TLS") {
		t.Errorf("https to a plain server: %v %q", e.Kind, e.Reason)
	}
}

func TestHostnameMismatch(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	routeExampleCom(t, tlsSrv, tlsSrv)
	// The certificate is valid for example.com and its subdomains only;
	// reach the same server under another name.
	tr := baseTransport.(*http.Transport)
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dial(ctx, network, strings.Replace(addr, "example.org", "example.com", 1))
	}
	e := sendError(t, t.Context(), Connection{Name: "wrong-name", BaseURL: "https://example.org"}, Request{})
	if e.Kind != KindTLS || !strings.Contains(e.Reason, "TLS handshake with example.org failed: the server's certificate is for example.com, *.example.com, 127.0.0.1, ::1, not example.org") {
		t.Errorf("hostname mismatch: %v %q", e.Kind, e.Reason)
	}
}

func TestTimeout(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "slow", BaseURL: srv.URL, Timeout: 200 * time.Millisecond}
	e := sendError(t, t.Context(), conn, Request{URL: "/delay/2"})
	if e.Kind != KindTimeout || e.Reason != "no response within 200ms" {
		t.Errorf("got %v %q", e.Kind, e.Reason)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	e = sendError(t, ctx, Connection{Name: "slow", BaseURL: srv.URL}, Request{URL: "/delay/2"})
	if e.Kind != KindTimeout || e.Reason != "no response before the deadline" {
		t.Errorf("caller's deadline: %v %q", e.Kind, e.Reason)
	}
}

func TestCancel(t *testing.T) {
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel()
	}()
	e := sendError(t, ctx, Connection{Name: "hang", BaseURL: srv.URL}, Request{})
	if e.Kind != KindCanceled || e.Reason != "canceled" {
		t.Errorf("got %v %q", e.Kind, e.Reason)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:        "30s",
		90 * time.Second:        "1m30s",
		2 * time.Minute:         "2m",
		time.Hour:               "1h",
		200 * time.Millisecond:  "200ms",
		time.Hour + time.Minute: "1h1m",
	} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRedactorCoversEncodedForms(t *testing.T) {
	r := newRedactor([]string{"a b/c", "short", "shorter-secret"})
	in := "raw a b/c, query a+b%2Fc, path a%20b%2Fc, shorter-secret"
	got := r.text(in)
	for _, leak := range []string{"a b/c", "a+b%2Fc", "a%20b%2Fc", "short"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q still contains %q", got, leak)
		}
	}
}

// TestRedactionKeepsPatchbaysOwnWords: a secret is redacted in what came
// from outside (URLs, hosts, error text), never in the words patchbay writes
// itself — the connection's name above all, which may well contain the
// password ("httpbin (demo)" with Basic demo/demo).
func TestRedactionKeepsPatchbaysOwnWords(t *testing.T) {
	srv := newHTTPBin(t)
	demo := Connection{Name: "httpbin (demo)", BaseURL: srv.URL, Auth: Auth{Type: AuthBasic, Username: "demo", Password: "demo"}}
	base := strings.TrimPrefix(srv.URL, "http://")
	wrongHost := "the URL points at " + Redacted + ".example.com, but connection 'httpbin (demo)' is for " + base +
		" — use a path relative to the base URL"

	if e := sendError(t, t.Context(), demo, Request{URL: "http://demo.example.com/x"}); e.Kind != KindInvalid || e.Reason != wrongHost {
		t.Errorf("Send to another host: %v %q\nwant %q", e.Kind, e.Reason, wrongHost)
	}
	if _, err := demo.ResolveURL("http://demo.example.com/x", nil); err == nil || err.Error() != wrongHost {
		t.Errorf("ResolveURL to another host: %v\nwant %q", err, wrongHost)
	}
	withTestPath := demo
	withTestPath.TestPath = "http://demo.example.com/x"
	if got := withTestPath.Validate().For("test_path"); got != wrongHost {
		t.Errorf("Validate: test_path %q\nwant %q", got, wrongHost)
	}
	withTestPath.TestPath = "/basic-auth/demo/other"
	if v := Test(t.Context(), withTestPath); v.Reason != "401 Unauthorized — the server rejected the credentials of connection 'httpbin (demo)'" {
		t.Errorf("verdict %q", v.Reason)
	}
	badBase := demo
	badBase.BaseURL = "http://demo.example.com:port"
	if _, err := badBase.ResolveURL("/x", nil); err == nil || !strings.HasPrefix(err.Error(), "the base URL of connection 'httpbin (demo)' is not usable") {
		t.Errorf("unusable base URL: %v", err)
	}

	// A password that is one of patchbay's own words leaves them alone.
	addr := closedAddr(t)
	for _, password := range []string{"connection", "nothing", "listening"} {
		conn := Connection{Name: "n", BaseURL: "http://" + addr, Auth: Auth{Type: AuthBasic, Username: "u", Password: password}}
		e := sendError(t, t.Context(), conn, Request{URL: "http://other.example.com/"})
		if want := "the URL points at other.example.com, but connection 'n' is for " + addr; !strings.HasPrefix(e.Reason, want) {
			t.Errorf("password %q: %q\nwant it to start %q", password, e.Reason, want)
		}
		e = sendError(t, t.Context(), conn, Request{URL: "/x"})
		if want := "connection refused — nothing is listening on " + addr; e.Reason != want {
			t.Errorf("password %q: %q\nwant %q", password, e.Reason, want)
		}
	}
	// The address is the server's, so a secret in it is still redacted.
	_, port, _ := net.SplitHostPort(addr)
	conn := Connection{Name: "n", BaseURL: "http://" + addr, Auth: Auth{Type: AuthBasic, Username: "u", Password: port}}
	if e, want := sendError(t, t.Context(), conn, Request{URL: "/x"}), "connection refused — nothing is listening on 127.0.0.1:"+Redacted; e.Reason != want {
		t.Errorf("password %q: %q\nwant %q", port, e.Reason, want)
	}
}
