package connection

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// credentialedConnections has one connection of each auth type that carries
// credentials, all with distinctive secrets.
func credentialedConnections(baseURL string) []Connection {
	return []Connection{
		{Name: "basic", BaseURL: baseURL, Auth: Auth{Type: AuthBasic, Username: "u", Password: "pw-basic-secret"}},
		{Name: "header", BaseURL: baseURL, Auth: Auth{Type: AuthHeader, Headers: []KV{{"X-Api-Key", "hdr-secret"}}}},
		{Name: "query", BaseURL: baseURL, Auth: Auth{Type: AuthQuery, Query: []KV{{"api_key", "qry-secret"}}}},
		{Name: "apikey", BaseURL: baseURL, Auth: Auth{Type: AuthAPIKey, Key: "key-secret", KeyHeader: "X-Token"}},
		{Name: "custom", BaseURL: baseURL, Auth: Auth{Type: AuthCustom, Username: "u", Password: "pw-custom-secret",
			Headers: []KV{{"X-Client-Secret", "cst-secret"}}, Query: []KV{{"sig", "sig-secret"}}}},
	}
}

// typedCredentials are credentials a user typed into the request itself;
// they must not leave the origin either.
func typedCredentials(conn Connection) []KV {
	kvs := []KV{{"Authorization", "Bearer typed-secret"}, {"Cookie", "session=cookie-secret"}}
	for _, name := range conn.credentialHeaders()[4:] {
		kvs = append(kvs, KV{name, "typed-secret"})
	}
	return kvs
}

// assertNoCredentials fails if r carries any credential of conn.
func assertNoCredentials(t *testing.T, conn Connection, r *http.Request) {
	t.Helper()
	for _, name := range append(conn.credentialHeaders(), "Authorization", "Cookie") {
		if v := r.Header.Get(name); v != "" {
			t.Errorf("%s: the other host received %s: %s", conn.Name, name, v)
		}
	}
	for name := range conn.credentialParams() {
		if r.URL.Query().Has(name) {
			t.Errorf("%s: the other host received query parameter %s", conn.Name, name)
		}
	}
	all := r.URL.String()
	for name, vs := range r.Header {
		all += "\n" + name + ": " + strings.Join(vs, ", ")
	}
	for _, secret := range append(conn.Secrets(), "typed-secret", "cookie-secret") {
		if strings.Contains(all, secret) {
			t.Errorf("%s: the other host received the secret %q in\n%s", conn.Name, secret, all)
		}
	}
}

func TestRedirectToOtherHostDropsCredentials(t *testing.T) {
	a := newHTTPBin(t)
	rec, b := newRecorder(t, false)
	for _, conn := range credentialedConnections(a.URL) {
		before := len(rec.requests())
		resp := mustSend(t, conn, Request{
			URL:     "/redirect-to?url=" + url.QueryEscape(b.URL+"/anything"),
			Headers: typedCredentials(conn),
		})
		seen := rec.requests()
		if resp.Status != http.StatusOK || len(seen) != before+1 {
			t.Fatalf("%s: the redirect was not followed to the other host (status %d)", conn.Name, resp.Status)
		}
		assertNoCredentials(t, conn, seen[len(seen)-1])
	}
}

func TestRedirectWithinOriginKeepsCredentials(t *testing.T) {
	srv := newHTTPBin(t)
	for _, conn := range credentialedConnections(srv.URL) {
		for _, path := range []string{"/redirect-to?url=/anything", "/redirect/1"} {
			resp := mustSend(t, conn, Request{URL: path})
			e := parseEcho(t, resp)
			got := e.header("Authorization") + e.header("X-Api-Key") + e.header("X-Token") +
				e.header("X-Client-Secret") + e.arg("api_key") + e.arg("sig")
			if got == "" {
				t.Errorf("%s %s: no credentials arrived after a same-origin redirect: %s", conn.Name, path, resp.Body)
			}
		}
	}
}

func TestRedirectHTTPSToHTTPDropsCredentials(t *testing.T) {
	a := newTLSHTTPBin(t)
	rec, b := newRecorder(t, false)
	routeExampleCom(t, a, b)
	for _, conn := range credentialedConnections("https://example.com") {
		resp := mustSend(t, conn, Request{
			URL:     "/redirect-to?url=" + url.QueryEscape("http://example.com/anything"),
			Headers: typedCredentials(conn),
		})
		seen := rec.requests()
		if resp.Status != http.StatusOK || len(seen) == 0 {
			t.Fatalf("%s: the redirect to http was not followed (status %d)", conn.Name, resp.Status)
		}
		assertNoCredentials(t, conn, seen[len(seen)-1])
	}
}

func TestRedirectHTTPToHTTPSKeepsCredentials(t *testing.T) {
	rec, tlsPeer := newRecorder(t, true)
	plain := newHTTPBin(t)
	routeExampleCom(t, tlsPeer, plain)
	conn := Connection{Name: "upgrade", BaseURL: "http://example.com", Auth: Auth{Type: AuthAPIKey, Key: "key-secret"}}
	mustSend(t, conn, Request{URL: "/redirect-to?url=" + url.QueryEscape("https://example.com/anything")})
	seen := rec.requests()
	if len(seen) != 1 {
		t.Fatalf("the https peer saw %d requests, want 1", len(seen))
	}
	if got := seen[0].Header.Get("Authorization"); got != "Bearer key-secret" {
		t.Errorf("after an upgrade to https on the same host, Authorization = %q, want the key", got)
	}
}

func TestRedirectLimit(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	if resp := mustSend(t, conn, Request{URL: "/redirect/5"}); resp.Status != http.StatusOK {
		t.Errorf("5 redirects: status %d, want 200", resp.Status)
	}
	e := sendError(t, t.Context(), conn, Request{URL: "/redirect/6"})
	want := "stopped after 5 redirects (max redirects) — the next one pointed to " + srv.URL + "/get"
	if e.Kind != KindProtocol || e.Reason != want {
		t.Errorf("6 redirects: %v %q, want KindProtocol %q", e.Kind, e.Reason, want)
	}
}

func TestRedirectPolicy(t *testing.T) {
	scope := origin{"https", "api.example.com", "443"}
	policy := redirectPolicy{scope: scope, credentials: []string{"Authorization", "Cookie", "X-Api-Key"}, max: DefaultMaxRedirects}
	hop := func(target string) *http.Request {
		r, _ := http.NewRequest("GET", target, nil)
		r.Header = http.Header{"Authorization": {"a"}, "Cookie": {"c"}, "x-api-key": {"k"}, "Accept": {"*/*"},
			"Referer": {"https://api.example.com/?access_token=t"}, "X-Session-Id": {"s"}, "x-custom-token": {"t"}}
		return r
	}
	via := make([]*http.Request, DefaultMaxRedirects)

	same := hop("https://api.example.com/next")
	if err := policy.check(same, via); err != nil || len(same.Header) != 7 {
		t.Errorf("same origin: err %v, headers %v; want all kept", err, same.Header)
	}
	for _, target := range []string{"https://other.example.com/", "http://api.example.com/", "https://api.example.com:444/"} {
		r := hop(target)
		if err := policy.check(r, via[:1]); err != nil {
			t.Fatal(err)
		}
		if len(r.Header) != 1 || r.Header.Get("Accept") == "" {
			t.Errorf("%s: headers %v, want only Accept (no credential, secret-looking header or Referer)", target, r.Header)
		}
	}
	if err := policy.check(hop("https://api.example.com/"), append(via, via[0])); !errors.Is(err, errTooManyRedirects) {
		t.Errorf("redirect 6: err %v, want errTooManyRedirects", err)
	}
}

// TestRedirectToOtherOriginDropsTypedSecrets: credentials the user typed into
// the request itself, under names the connection does not know, stay at the
// origin — as headers and inside the Referer net/http adds on a redirect.
func TestRedirectToOtherOriginDropsTypedSecrets(t *testing.T) {
	a := newHTTPBin(t)
	rec, b := newRecorder(t, false)
	typedHeaders := []KV{{"X-Api-Key", "TYPEDHDR88"}, {"X-Auth-Token", "TYPEDHDR89"}, {"X-Trace", "visible"}}
	for _, conn := range []Connection{
		{Name: "bin", BaseURL: a.URL},
		{Name: "basic", BaseURL: a.URL, Auth: Auth{Type: AuthBasic, Username: "u", Password: "pw-basic-secret"}},
	} {
		before := len(rec.requests())
		resp := mustSend(t, conn, Request{
			URL:     "/redirect-to",
			Query:   []KV{{"url", b.URL + "/headers"}, {"access_token", "TYPEDTOKEN77"}},
			Headers: typedHeaders,
		})
		seen := rec.requests()
		if resp.Status != http.StatusOK || len(seen) != before+1 {
			t.Fatalf("%s: the redirect was not followed to the other origin (status %d)", conn.Name, resp.Status)
		}
		got := seen[len(seen)-1]
		all := got.URL.String()
		for name, vs := range got.Header {
			all += "\n" + name + ": " + strings.Join(vs, ", ")
		}
		for _, secret := range []string{"TYPEDHDR88", "TYPEDHDR89", "TYPEDTOKEN77", "pw-basic-secret"} {
			if strings.Contains(all, secret) {
				t.Errorf("%s: the other origin received %q in\n%s", conn.Name, secret, all)
			}
		}
		if ref := got.Header.Get("Referer"); ref != "" {
			t.Errorf("%s: the other origin received Referer %q", conn.Name, ref)
		}
		if got.Header.Get("X-Trace") != "visible" {
			t.Errorf("%s: a header that is no credential was dropped too: %v", conn.Name, got.Header)
		}

		// Within the origin the typed headers are the user's to send.
		e := parseEcho(t, mustSend(t, conn, Request{
			URL:     "/redirect-to",
			Query:   []KV{{"url", "/headers"}, {"access_token", "TYPEDTOKEN77"}},
			Headers: typedHeaders,
		}))
		if e.header("X-Api-Key") != "TYPEDHDR88" || e.header("X-Auth-Token") != "TYPEDHDR89" ||
			!strings.Contains(e.header("Referer"), "access_token=TYPEDTOKEN77") {
			t.Errorf("%s: a same-origin redirect lost the typed headers: %v", conn.Name, e.Headers)
		}
	}
}
