package connection

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestVerdicts(t *testing.T) {
	srv := newHTTPBin(t)
	basic := func(password, path string) Connection {
		return Connection{Name: "Jira", BaseURL: srv.URL, TestPath: path, Auth: Auth{Type: AuthBasic, Username: "u", Password: password}}
	}
	for _, tc := range []struct {
		name   string
		conn   Connection
		ok     bool
		reason string
	}{
		{"200", basic("p", "/basic-auth/u/p"), true, "connected — 200 OK from GET " + srv.URL + "/basic-auth/u/p"},
		{"base URL itself", Connection{Name: "bin", BaseURL: srv.URL + "/get"}, true, "connected — 200 OK from GET " + srv.URL + "/get"},
		{"redirected", Connection{Name: "bin", BaseURL: srv.URL, TestPath: "/redirect/1"}, true, "connected — 200 OK from GET " + srv.URL + "/redirect/1"},
		{"401", basic("wrong", "/basic-auth/u/p"), false, "401 Unauthorized — the server rejected the credentials of connection 'Jira'"},
		{"401 without auth", Connection{Name: "anon", BaseURL: srv.URL, TestPath: "/basic-auth/u/p"}, false, "401 Unauthorized — the server wants credentials, but connection 'anon' has none"},
		{"403", basic("p", "/status/403"), false, "403 Forbidden — the credentials of connection 'Jira' were accepted but have no permission for " + srv.URL + "/status/403"},
		{"404", basic("p", "/no/such/path"), false, "404 Not Found — the server answered, but " + srv.URL + "/no/such/path does not exist; check the base URL or the test path"},
		{"500", basic("p", "/status/500"), false, "the server failed (500 Internal Server Error)"},
		{"405", Connection{Name: "bin", BaseURL: srv.URL, TestPath: "/post"}, false, "405 Method Not Allowed — the server refused GET " + srv.URL + "/post"},
		{"refused", Connection{Name: "dead", BaseURL: "http://" + refusingAddr(t)}, false, "connection refused — nothing is listening on "},
		{"invalid", Connection{Name: "", BaseURL: srv.URL}, false, "connection '' is not complete: name is required"},
		{"credentials without base URL", Connection{Name: "Jira", TestPath: srv.URL + "/get", Auth: Auth{Type: AuthBasic, Username: "u", Password: "p"}},
			false, "connection 'Jira' is not complete: base URL is required: credentials are only sent to it"},
		{"no base URL", Connection{Name: "bare"}, false,
			"connection 'bare' has no base URL, so there is nothing to test — set a base URL, or a test path that is a full http:// or https:// URL"},
		{"no base URL, relative test path", Connection{Name: "bare", TestPath: "/get"}, false,
			"connection 'bare' is not complete: the URL must start with http:// or https:// because connection 'bare' has no base URL"},
		{"no base URL, absolute test path", Connection{Name: "bare", TestPath: srv.URL + "/get"}, true, "connected — 200 OK from GET " + srv.URL + "/get"},
	} {
		v := Test(t.Context(), tc.conn)
		if v.OK != tc.ok || !strings.HasPrefix(v.Reason, tc.reason) {
			t.Errorf("%s: OK %v %q; want %v %q", tc.name, v.OK, v.Reason, tc.ok, tc.reason)
		}
		// Kind says why nothing came back; a connection to fix is KindInvalid.
		var want ErrorKind
		switch tc.name {
		case "refused":
			want = KindUnreachable
		case "invalid", "credentials without base URL", "no base URL", "no base URL, relative test path":
			want = KindInvalid
		}
		if v.Kind != want || (want == 0) != (v.Response != nil) {
			t.Errorf("%s: Kind %v, response %v; want Kind %v", tc.name, v.Kind, v.Response != nil, want)
		}
		if strings.Contains(v.Reason, "wrong") {
			t.Errorf("%s: the password shows in the verdict: %q", tc.name, v.Reason)
		}
	}
}

// TestVerdictEveryClass: Test puts every outcome of a connection test in its
// class — connected, credentials rejected, no permission, not found, and
// each way of being unreachable, timing out or failing TLS — with the Kind
// of a transport failure and the words that tell the user what to do.
func TestVerdictEveryClass(t *testing.T) {
	t.Parallel()
	bin := newHTTPBin(t)
	basic := Auth{Type: AuthBasic, Username: "u", Password: "p-secret"}
	at := func(name, path string, auth Auth) Connection {
		return Connection{ID: nextConnID(), Name: name, BaseURL: bin.URL, TestPath: path, Auth: auth}
	}

	// A server that accepts and never answers, until the test ends.
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) }) // before hang.Close, which waits for the handler

	// nginx answers 400 with a page of its own when mutual TLS fails after
	// a handshake it completed anyway, or when plain HTTP reaches HTTPS.
	nginx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		title := map[string]string{"/496": nginxNoCert, "/495": nginxBadCert, "/497": nginxPlainHTTP}[r.URL.Path]
		fmt.Fprintf(w, "<html>\r\n<head><title>400 %s</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>%s</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", title, title)
	}))
	t.Cleanup(nginx.Close)

	p := newPKI(t)
	ca := string(p.ca.pem)
	refused := refusingAddr(t)
	// A label longer than 63 bytes is no DNS name: the resolver fails it
	// without sending a query, so this DNS failure needs no network.
	longName := strings.Repeat("x", 64) + ".patchbay.invalid"

	const tlsFailed = "TLS handshake with 127.0.0.1 failed: "
	for _, tc := range []struct {
		conn  Connection
		ok    bool
		kind  ErrorKind
		words []string
	}{
		{at("connected", "/status/200", basic), true, 0, []string{"connected — 200 OK from GET " + bin.URL + "/status/200"}},
		{at("connected, no content", "/status/204", basic), true, 0, []string{"connected — 204 No Content"}},
		{at("credentials rejected", "/status/401", basic), false, 0, []string{"401 Unauthorized", "the server rejected the credentials of connection 'credentials rejected'"}},
		{at("no credentials", "/status/401", Auth{}), false, 0, []string{"401 Unauthorized", "the server wants credentials, but connection 'no credentials' has none"}},
		{at("no permission", "/status/403", basic), false, 0, []string{"403 Forbidden", "were accepted but have no permission for " + bin.URL + "/status/403"}},
		{at("not found", "/status/404", basic), false, 0, []string{"404 Not Found", bin.URL + "/status/404 does not exist", "check the base URL or the test path"}},
		{at("server failed", "/status/503", basic), false, 0, []string{"the server failed (503 Service Unavailable)"}},
		{Connection{Name: "nginx, no client certificate", BaseURL: nginx.URL, TestPath: "/496"}, false, 0,
			[]string{"400 Bad Request", "requires a client certificate", "set tls_cert and tls_key"}},
		{Connection{Name: "nginx, refused certificate", BaseURL: nginx.URL, TestPath: "/495"}, false, 0,
			[]string{"400 Bad Request", "refused the client certificate", "tls_cert and tls_key"}},
		{Connection{Name: "nginx, plain HTTP", BaseURL: nginx.URL, TestPath: "/497"}, false, 0,
			[]string{"400 Bad Request", "change the base URL to https://"}},
		{Connection{Name: "DNS", BaseURL: "http://" + longName}, false, KindUnreachable,
			[]string{"could not find host " + longName + " (DNS lookup failed)"}},
		{Connection{Name: "refused", BaseURL: "http://" + refused}, false, KindUnreachable,
			[]string{"connection refused — nothing is listening on " + refused}},
		{Connection{Name: "timeout", BaseURL: hang.URL, Timeout: 300 * time.Millisecond}, false, KindTimeout,
			[]string{"no response within 300ms"}},
		{tlsConn("client certificate required", mtlsServer(t, p, 0).URL, TLS{CA: ca}), false, KindTLS,
			[]string{tlsFailed + "the server requires a client certificate", "set tls_cert and tls_key"}},
		{tlsConn("unknown CA", certServer(t, p.server).URL, TLS{}), false, KindTLS,
			[]string{tlsFailed + "the server's certificate was issued by patchbay test CA, an authority this computer does not trust", "set tls_ca"}},
		{tlsConn("expired", certServer(t, p.expired).URL, TLS{CA: ca}), false, KindTLS,
			[]string{tlsFailed + "the server's certificate expired on 1 Mar 2024"}},
		{tlsConn("wrong host", certServer(t, p.wrongHost).URL, TLS{CA: ca}), false, KindTLS,
			[]string{tlsFailed + "the server's certificate is for api.example.com, www.example.com, not 127.0.0.1"}},
		{tlsConn("plain HTTP server", strings.Replace(bin.URL, "http:", "https:", 1), TLS{}), false, KindTLS,
			[]string{tlsFailed + "the server did not answer in TLS"}},
		{tlsConn("mutual TLS", mtlsServer(t, p, 0).URL, TLS{CA: ca, Cert: string(p.client.certPEM), Key: string(p.client.keyPEM)}), true, 0,
			[]string{"connected — 200 OK"}},
	} {
		v := wantVerdict(t, tc.conn, tc.ok, tc.kind, tc.words...)
		if (v.Response == nil) != (tc.kind != 0) {
			t.Errorf("%s: response %v with Kind %v", tc.conn.Name, v.Response != nil, v.Kind)
		}
		if strings.Contains(v.Reason, "p-secret") {
			t.Errorf("%s: the password shows in %q", tc.conn.Name, v.Reason)
		}
	}
}

// TestVerdictDNSResolver: a name under .invalid (RFC 6761), looked up for
// real. Here the resolver answers NXDOMAIN at once; where it does not
// answer at all, the lookup would only time out, which says nothing about
// the verdict's words (TestVerdictEveryClass covers them without a query).
func TestVerdictDNSResolver(t *testing.T) {
	t.Parallel()
	conn := Connection{Name: "nowhere", BaseURL: "http://patchbay-test.invalid", Timeout: 5 * time.Second}
	v := Test(t.Context(), conn)
	if v.Kind == KindTimeout {
		t.Skipf("the resolver here does not answer: %s", v.Reason)
	}
	if v.OK || v.Kind != KindUnreachable || v.Reason != "could not find host patchbay-test.invalid (DNS lookup failed)" {
		t.Errorf("verdict OK %v, Kind %v, %q", v.OK, v.Kind, v.Reason)
	}
}

// refusingAddr is a loopback address that refuses connections for the
// length of the test: a socket bound to it and never listening holds the
// port, so that no other server (of this test run or another) can take it,
// as one may take the port closedAddr let go.
func refusingAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
