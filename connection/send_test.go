package connection

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSendEchoesMethodBodyAndHeaders(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	body := []byte(`{"a":1}`)
	resp := mustSend(t, conn, Request{Method: "POST", URL: "/post", Body: body,
		Headers: []KV{{"Content-Type", "application/json"}, {"X-Multi", "1"}, {"X-Multi", "2"}}})
	e := parseEcho(t, resp)
	if e.Data != string(body) || e.Method != "POST" || len(e.Headers["X-Multi"]) != 2 {
		t.Errorf("server saw %s %q headers %v", e.Method, e.Data, e.Headers)
	}
	if resp.Status != 200 || resp.StatusText != "200 OK" || resp.Proto == "" || resp.Duration <= 0 {
		t.Errorf("status %d %q proto %q duration %v", resp.Status, resp.StatusText, resp.Proto, resp.Duration)
	}
	if resp.Header("content-type") != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", resp.Header("content-type"))
	}
	sent := resp.Request
	if sent.Method != "POST" || sent.URL != srv.URL+"/post" || !bytes.Equal(sent.Body, body) {
		t.Errorf("sent %s %s %q", sent.Method, sent.URL, sent.Body)
	}
	if got := headerValues(sent.Headers, "User-Agent"); len(got) != 1 || got[0] != userAgent {
		t.Errorf("sent User-Agent %q, want %q", got, userAgent)
	}
}

func TestResponseHeadersSortedWithRepeats(t *testing.T) {
	srv := newHTTPBin(t)
	resp := mustSend(t, Connection{Name: "bin", BaseURL: srv.URL}, Request{URL: "/response-headers?X-B=2&X-A=1&X-B=3"})
	var names []string
	for _, h := range resp.Headers {
		names = append(names, h.Key)
	}
	if !sortedStrings(names) {
		t.Errorf("headers not sorted by name: %v", names)
	}
	if got := headerValues(resp.Headers, "X-B"); len(got) != 2 {
		t.Errorf("X-B values %q, want two entries", got)
	}
}

func TestSentRequestIsRedacted(t *testing.T) {
	srv := newHTTPBin(t)
	for _, conn := range credentialedConnections(srv.URL) {
		resp := mustSend(t, conn, Request{URL: "/anything?page=1", Headers: typedCredentials(conn)})
		sent := resp.Request
		text := sent.URL
		for _, h := range sent.Headers {
			text += "\n" + h.Key + ": " + h.Value
		}
		secrets := append(conn.Secrets(), "typed-secret", "cookie-secret")
		if conn.Auth.Username != "" {
			secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(conn.Auth.Username+":"+conn.Auth.Password)))
		}
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s: the sent request shows the secret %q:\n%s", conn.Name, secret, text)
			}
		}
		// What the auth transport added is shown, as Redacted.
		for _, name := range conn.credentialHeaders() {
			for _, v := range headerValues(sent.Headers, name) {
				if v != Redacted {
					t.Errorf("%s: header %s shown as %q", conn.Name, name, v)
				}
			}
		}
		u, err := url.Parse(sent.URL)
		if err != nil {
			t.Fatal(err)
		}
		for name := range conn.credentialParams() {
			if got := u.Query().Get(name); got != Redacted {
				t.Errorf("%s: query %s shown as %q, want Redacted", conn.Name, name, got)
			}
		}
		if u.Query().Get("page") != "1" {
			t.Errorf("%s: the request's own query was lost: %s", conn.Name, sent.URL)
		}
		switch conn.Auth.Type {
		case AuthBasic, AuthCustom, AuthAPIKey:
			if len(headerValues(sent.Headers, conn.Auth.KeyHeaderOrDefault())) == 0 && len(headerValues(sent.Headers, "Authorization")) == 0 {
				t.Errorf("%s: the auth header the transport added is missing from the sent request", conn.Name)
			}
		}
	}
}

func TestBodyCap(t *testing.T) {
	capped := Options{BodyCap: 1000}
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	for _, tc := range []struct {
		path          string
		wantLen       int
		wantSize      int64
		wantTruncated bool
	}{
		{"/bytes/5000", 1000, 5000, true},
		{"/stream-bytes/5000?chunk_size=512", 1000, 5000, true},
		{"/bytes/1000", 1000, 1000, false},
		{"/bytes/10", 10, 10, false},
	} {
		resp := mustSend(t, conn, Request{URL: tc.path, Options: capped})
		if len(resp.Body) != tc.wantLen || resp.Size != tc.wantSize || resp.Truncated != tc.wantTruncated {
			t.Errorf("%s: body %d bytes, size %d, truncated %v; want %d, %d, %v",
				tc.path, len(resp.Body), resp.Size, resp.Truncated, tc.wantLen, tc.wantSize, tc.wantTruncated)
		}
	}
	big := bytes.Repeat([]byte("x"), 3000)
	resp := mustSend(t, conn, Request{Method: "POST", URL: "/post", Body: big, Options: capped})
	if len(resp.Request.Body) != 1000 {
		t.Errorf("the sent body kept %d bytes, want the cap of 1000", len(resp.Request.Body))
	}
}

func TestAbsoluteURLs(t *testing.T) {
	srv := newHTTPBin(t)
	rec, other := newRecorder(t, false)
	conn := Connection{Name: "bin", BaseURL: srv.URL + "/anything", Auth: Auth{Type: AuthAPIKey, Key: "k"}}

	e := sendError(t, t.Context(), conn, Request{URL: other.URL + "/steal"})
	if e.Kind != KindInvalid || !strings.Contains(e.Reason, "use a path relative to the base URL") {
		t.Errorf("absolute URL to another host: %v %q", e.Kind, e.Reason)
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("the other host received %d requests", n)
	}

	resp := mustSend(t, conn, Request{URL: srv.URL + "/headers"})
	if got := parseEcho(t, resp).header("Authorization"); got != "Bearer k" {
		t.Errorf("absolute same-origin URL: Authorization %q, want Bearer k", got)
	}

	noBase := Connection{Name: "nobase", Auth: Auth{Type: AuthAPIKey, Key: "k"}}
	resp = mustSend(t, noBase, Request{URL: srv.URL + "/headers"})
	if got := parseEcho(t, resp).header("Authorization"); got != "Bearer k" {
		t.Errorf("no base URL: Authorization %q, want Bearer k", got)
	}
}

func TestSendRejectsBadRequests(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	for name, req := range map[string]Request{
		"method with a space":    {Method: "GE T", URL: "/get"},
		"header name with colon": {URL: "/get", Headers: []KV{{"X:Y", "v"}}},
		"header value with CRLF": {URL: "/get", Headers: []KV{{"X-Y", "v\r\nX-Injected: 1"}}},
		"no base, relative URL":  {URL: "/get"},
	} {
		c := conn
		if strings.HasPrefix(name, "no base") {
			c.BaseURL = ""
		}
		if e := sendError(t, t.Context(), c, req); e.Kind != KindInvalid {
			t.Errorf("%s: kind %v (%s), want KindInvalid", name, e.Kind, e.Reason)
		}
	}
	incomplete := Connection{Name: "half", BaseURL: srv.URL, Auth: Auth{Type: AuthHeader}}
	if e := sendError(t, t.Context(), incomplete, Request{URL: "/get"}); e.Kind != KindInvalid {
		t.Errorf("header auth without headers: kind %v, want KindInvalid", e.Kind)
	}
}

func TestHostHeaderOverride(t *testing.T) {
	rec, srv := newRecorder(t, false)
	mustSend(t, Connection{Name: "rec", BaseURL: srv.URL}, Request{Headers: []KV{{"Host", "virtual.example"}}})
	if seen := rec.requests(); len(seen) != 1 || seen[0].Host != "virtual.example" {
		t.Errorf("the server did not see Host virtual.example")
	}
}

func headerValues(kvs []KV, name string) []string {
	var vs []string
	for _, kv := range kvs {
		if http.CanonicalHeaderKey(kv.Key) == http.CanonicalHeaderKey(name) {
			vs = append(vs, kv.Value)
		}
	}
	return vs
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

// TestSentRequestRedactsTypedSecrets: credentials typed into the request
// under names the connection does not know are redacted by their names.
func TestSentRequestRedactsTypedSecrets(t *testing.T) {
	srv := newHTTPBin(t)
	for _, conn := range []Connection{
		{Name: "bin", BaseURL: srv.URL},
		{Name: "basic", BaseURL: srv.URL, Auth: Auth{Type: AuthBasic, Username: "u", Password: "pw-basic-secret"}},
	} {
		resp := mustSend(t, conn, Request{
			URL:     "/anything?page=1&api%5Ftoken=TYPEDTOKEN76",
			Query:   []KV{{"access_token", "TYPEDTOKEN77"}, {"q", "visible"}},
			Headers: []KV{{"X-Api-Key", "TYPEDHDR88"}, {"x-session-id", "TYPEDHDR89"}, {"X-Trace", "visible"}},
		})
		e := parseEcho(t, resp)
		if e.header("X-Api-Key") != "TYPEDHDR88" || e.arg("access_token") != "TYPEDTOKEN77" {
			t.Fatalf("%s: the typed credentials were not sent: %s", conn.Name, resp.Body)
		}
		sent := resp.Request
		text := sent.URL
		for _, h := range sent.Headers {
			text += "\n" + h.Key + ": " + h.Value
		}
		for _, secret := range []string{"TYPEDTOKEN76", "TYPEDTOKEN77", "TYPEDHDR88", "TYPEDHDR89"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s: the sent request shows the typed secret %q:\n%s", conn.Name, secret, text)
			}
		}
		for name, want := range map[string]string{"X-Api-Key": Redacted, "X-Session-Id": Redacted, "X-Trace": "visible"} {
			if got := headerValues(sent.Headers, name); len(got) != 1 || got[0] != want {
				t.Errorf("%s: header %s shown as %q, want %q", conn.Name, name, got, want)
			}
		}
		u, err := url.Parse(sent.URL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if q.Get("access_token") != Redacted || q.Get("api_token") != Redacted || q.Get("page") != "1" || q.Get("q") != "visible" {
			t.Errorf("%s: sent URL %s; want access_token and api_token redacted, page and q kept", conn.Name, sent.URL)
		}
	}
}

func TestStatusLine(t *testing.T) {
	for _, tc := range []struct {
		resp Response
		want string
	}{
		{Response{Status: 404, StatusText: "404 Not Found"}, "404 Not Found"},
		{Response{Status: 599, StatusText: "599 Network Timeout"}, "599 Network Timeout"},
		{Response{Status: 201}, "201 Created"},
		{Response{Status: 599}, "599"},
	} {
		if got := tc.resp.StatusLine(); got != tc.want {
			t.Errorf("%+v: StatusLine %q, want %q", tc.resp, got, tc.want)
		}
	}
}
