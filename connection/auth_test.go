package connection

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestBasicAuth(t *testing.T) {
	srv := newHTTPBin(t)
	for _, tc := range []struct {
		password string
		want     int
	}{
		{"p", http.StatusOK},
		{"wrong", http.StatusUnauthorized},
	} {
		conn := Connection{Name: "bin", BaseURL: srv.URL, Auth: Auth{Type: AuthBasic, Username: "u", Password: tc.password}}
		resp := mustSend(t, conn, Request{URL: "/basic-auth/u/p"})
		if resp.Status != tc.want {
			t.Errorf("password %q: status %d, want %d", tc.password, resp.Status, tc.want)
		}
	}
}

func TestHeaderAuth(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL, Auth: Auth{Type: AuthHeader, Headers: []KV{
		{"X-Api-Key", "k-123"}, {"X-Tenant", "acme"},
	}}}
	// A header of the same name typed into the request is replaced, not doubled.
	e := parseEcho(t, mustSend(t, conn, Request{URL: "/headers", Headers: []KV{{"x-api-key", "typed"}}}))
	if got := e.Headers["X-Api-Key"]; len(got) != 1 || got[0] != "k-123" {
		t.Errorf("server saw X-Api-Key %q, want [k-123]", got)
	}
	if got := e.header("X-Tenant"); got != "acme" {
		t.Errorf("server saw X-Tenant %q, want acme", got)
	}
}

func TestAPIKeyAuth(t *testing.T) {
	srv := newHTTPBin(t)
	for _, tc := range []struct {
		scheme APIKeyScheme
		header string
		want   string
	}{
		{"", "", "Bearer k-1"},
		{SchemeBearer, "", "Bearer k-1"},
		{SchemeBasic, "", "Basic k-1"},
		{SchemeRaw, "", "k-1"},
		{SchemeRaw, "X-Token", "k-1"},
	} {
		conn := Connection{Name: "bin", BaseURL: srv.URL, Auth: Auth{Type: AuthAPIKey, Key: "k-1", KeyHeader: tc.header, Scheme: tc.scheme}}
		e := parseEcho(t, mustSend(t, conn, Request{URL: "/headers"}))
		header := conn.Auth.KeyHeaderOrDefault()
		if got := e.header(header); got != tc.want {
			t.Errorf("scheme %q header %q: server saw %s: %q, want %q", tc.scheme, tc.header, header, got, tc.want)
		}
	}

	// httpbin's /bearer accepts exactly "Bearer TOKEN".
	conn := Connection{Name: "bin", BaseURL: srv.URL, Auth: Auth{Type: AuthAPIKey, Key: "tok"}}
	if resp := mustSend(t, conn, Request{URL: "/bearer"}); resp.Status != http.StatusOK {
		t.Errorf("/bearer with a default API key: status %d, want 200", resp.Status)
	}
}

func TestQueryAuth(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL, Auth: Auth{Type: AuthQuery, Query: []KV{{"api_key", "s e&cret"}}}}
	resp := mustSend(t, conn, Request{URL: "/anything?b=2&api_key=typed", Query: []KV{{"c", "3"}}})
	e := parseEcho(t, resp)
	if got := e.Args["api_key"]; len(got) != 1 || got[0] != "s e&cret" {
		t.Errorf("server saw api_key %q, want [s e&cret]", got)
	}
	if e.arg("b") != "2" || e.arg("c") != "3" {
		t.Errorf("server saw args %v, want b=2 and c=3 kept", e.Args)
	}
}

func TestCustomAuth(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL, Auth: Auth{
		Type: AuthCustom, Username: "u", Password: "p",
		Headers: []KV{{"X-Client", "c-1"}},
		Query:   []KV{{"sig", "s-1"}},
	}}
	e := parseEcho(t, mustSend(t, conn, Request{URL: "/anything"}))
	wantBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))
	if got := e.header("Authorization"); got != wantBasic {
		t.Errorf("Authorization %q, want %q", got, wantBasic)
	}
	if got := e.header("X-Client"); got != "c-1" {
		t.Errorf("X-Client %q, want c-1", got)
	}
	if got := e.arg("sig"); got != "s-1" {
		t.Errorf("sig %q, want s-1", got)
	}
}

func TestNoAuthSendsNoCredentials(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL, Auth: Auth{Type: AuthNone, Password: "unused", Headers: []KV{{"X-Key", "unused"}}}}
	e := parseEcho(t, mustSend(t, conn, Request{URL: "/headers"}))
	if e.header("Authorization") != "" || e.header("X-Key") != "" {
		t.Errorf("a None connection sent credentials: %v", e.Headers)
	}
}

// TestCaseSensitiveHeaders reads the raw request, since a Go server
// canonicalises header names before a handler sees them.
func TestCaseSensitiveHeaders(t *testing.T) {
	for _, tc := range []struct {
		caseSensitive bool
		want          string
	}{
		{true, "x-api-KEY: k\r\n"},
		{false, "X-Api-Key: k\r\n"},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		raw := make(chan string, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				raw <- ""
				return
			}
			defer c.Close()
			var head strings.Builder
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				head.WriteString(line)
				if err != nil || line == "\r\n" {
					break
				}
			}
			raw <- head.String()
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		}()
		conn := Connection{Name: "raw", BaseURL: "http://" + ln.Addr().String(), CaseSensitiveHeaders: tc.caseSensitive,
			Auth: Auth{Type: AuthHeader, Headers: []KV{{"x-api-KEY", "k"}}}}
		mustSend(t, conn, Request{URL: "/"})
		ln.Close()
		if got := <-raw; !strings.Contains(got, tc.want) {
			t.Errorf("case sensitive %v: request head\n%s\nwant it to contain %q", tc.caseSensitive, got, tc.want)
		}
	}
}

// roundTripFunc lets a unit test see what the auth transport hands on.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAuthTransportScopesAndNeverMutates(t *testing.T) {
	base, _ := url.Parse("https://api.example.com")
	var got *http.Request
	tr := &authTransport{
		auth:  Auth{Type: AuthCustom, Username: "u", Password: "p", Headers: []KV{{"X-Key", "k"}}, Query: []KV{{"key", "q"}}},
		scope: originOf(base),
		base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
		}),
	}
	for _, tc := range []struct {
		url      string
		wantAuth bool
	}{
		{"https://api.example.com/x?a=1", true},
		{"https://API.example.com:443/x?a=1", true},
		{"http://api.example.com/x?a=1", false},
		{"https://api.example.com:8443/x?a=1", false},
		{"https://evil.example.com/x?a=1", false},
	} {
		req, _ := http.NewRequest("GET", tc.url, nil)
		if _, err := tr.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if len(req.Header) != 0 || req.URL.RawQuery != "a=1" {
			t.Errorf("%s: the caller's request was modified: %v %s", tc.url, req.Header, req.URL)
		}
		hasAuth := got.Header.Get("Authorization") != "" || got.Header.Get("X-Key") != "" || got.URL.Query().Has("key")
		if hasAuth != tc.wantAuth {
			t.Errorf("%s: credentials sent = %v, want %v (%v %s)", tc.url, hasAuth, tc.wantAuth, got.Header, got.URL)
		}
	}
}

func TestAuthTransportClosesBodyOnEarlyError(t *testing.T) {
	tr := &authTransport{auth: Auth{Type: "kerberos"}, scope: origin{"https", "a", "443"}}
	body := &closeTracker{Reader: strings.NewReader("x")}
	req, _ := http.NewRequest("POST", "https://a/", body)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("unknown auth type: want an error")
	}
	if !body.closed {
		t.Error("the request body was not closed after an early error")
	}
}

type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }
