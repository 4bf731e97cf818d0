package connection

import (
	"strings"
	"testing"
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
		{"refused", Connection{Name: "dead", BaseURL: "http://" + closedAddr(t)}, false, "connection refused — nothing is listening on "},
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
