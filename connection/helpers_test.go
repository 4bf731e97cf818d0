package connection

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// newHTTPBin serves a real httpbin on loopback for the length of the test.
func newHTTPBin(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(httpbin.New())
	t.Cleanup(srv.Close)
	return srv
}

// newTLSHTTPBin serves httpbin over TLS with httptest's certificate.
func newTLSHTTPBin(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(httpbin.New())
	t.Cleanup(srv.Close)
	return srv
}

// echo is what httpbin's /anything, /get and /headers say they received.
type echo struct {
	Args    map[string][]string `json:"args"`
	Headers map[string][]string `json:"headers"`
	Data    string              `json:"data"`
	Method  string              `json:"method"`
}

func (e echo) header(name string) string {
	if vs := e.Headers[http.CanonicalHeaderKey(name)]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (e echo) arg(name string) string {
	if vs := e.Args[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func parseEcho(t *testing.T, resp Response) echo {
	t.Helper()
	var e echo
	if err := json.Unmarshal(resp.Body, &e); err != nil {
		t.Fatalf("response of %s is not an httpbin echo: %v\n%s", resp.Request.URL, err, resp.Body)
	}
	return e
}

// mustSend sends and fails the test on a transport error.
func mustSend(t *testing.T, conn Connection, req Request) Response {
	t.Helper()
	resp, err := Send(context.Background(), conn, req)
	if err != nil {
		t.Fatalf("Send(%s %s): %v", req.Method, req.URL, err)
	}
	return resp
}

// sendError sends, expects an *Error and returns it.
func sendError(t *testing.T, ctx context.Context, conn Connection, req Request) *Error {
	t.Helper()
	resp, err := Send(ctx, conn, req)
	if err == nil {
		t.Fatalf("Send(%s) = %s, want an error", req.URL, resp.StatusText)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Send(%s) error is %T, want *Error: %v", req.URL, err, err)
	}
	return e
}

// recorder is a peer that keeps every request it receives.
type recorder struct {
	mu   sync.Mutex
	seen []*http.Request
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.seen = append(rec.seen, r.Clone(context.Background()))
	rec.mu.Unlock()
	w.Write([]byte("recorded"))
}

func (rec *recorder) requests() []*http.Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]*http.Request(nil), rec.seen...)
}

func newRecorder(t *testing.T, tlsServer bool) (*recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewUnstartedServer(rec)
	if tlsServer {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return rec, srv
}

// useTransport makes Send use rt for the rest of the test. Tests that call
// it must not be parallel.
func useTransport(t *testing.T, rt http.RoundTripper) {
	t.Helper()
	old := baseTransport
	baseTransport = rt
	t.Cleanup(func() {
		baseTransport = old
		if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	})
}

// routeExampleCom makes Send reach httpsSrv as https://example.com and
// httpSrv as http://example.com, trusting httptest's certificate (which is
// valid for example.com). Origins on the default ports are what the
// http→https upgrade rule is about, and loopback servers cannot have them.
func routeExampleCom(t *testing.T, httpsSrv, httpSrv *httptest.Server) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(httpsSrv.Certificate())
	routes := map[string]string{
		"example.com:443": httpsSrv.Listener.Addr().String(),
		"example.com:80":  httpSrv.Listener.Addr().String(),
	}
	var dialer net.Dialer
	useTransport(t, &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			to, ok := routes[addr]
			if !ok {
				return nil, errors.New("test transport has no route to " + addr)
			}
			return dialer.DialContext(ctx, network, to)
		},
	})
}
