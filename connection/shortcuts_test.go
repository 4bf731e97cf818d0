package connection

import (
	"net/http"
	"strings"
	"testing"
)

// The short cuts Send takes to stay close to a bare client must answer as
// the long way would.

func TestHasEnvRefSeesEverySecretField(t *testing.T) {
	full := func() Connection {
		return Connection{Auth: Auth{Password: "p", Key: "k", Headers: []KV{{"X-H", "h"}}, Query: []KV{{"q", "v"}},
			OAuth2: &OAuth2{ClientSecret: "cs"}, AWS: &AWS{SecretAccessKey: "sk", SessionToken: "st"}}, TLS: TLS{Key: "/path/key.pem"}}
	}
	if c := full(); hasEnvRef(c, c.Secrets()) {
		t.Fatal("a connection without env: references has one")
	}
	probe := full()
	for i := range len(probe.SecretFields()) {
		c := full()
		*c.SecretFields()[i] = "env:PB_SOME_VAR"
		if !hasEnvRef(c, c.Secrets()) {
			t.Errorf("secret field %d holds an env: reference that hasEnvRef misses", i)
		}
	}
}

func TestSecretHeaderNameAgrees(t *testing.T) {
	for _, name := range []string{"Host", "User-Agent", "Content-Length", "Content-Type", "Accept", "Accept-Encoding",
		"Transfer-Encoding", "Connection", "X-Api-Key", "Authorization", "x-session-id", "X-Trace"} {
		if secretHeaderName(name) != IsSecretName(name) {
			t.Errorf("%s: secretHeaderName %v, IsSecretName %v", name, secretHeaderName(name), IsSecretName(name))
		}
	}
}

func TestResolveCache(t *testing.T) {
	a := Connection{Name: "a", BaseURL: "https://api.example.com/v1"}
	b := Connection{Name: "b", BaseURL: "https://api.example.com/v2"}
	for range 2 { // the second time from the cache
		for _, tc := range []struct {
			conn  Connection
			ref   string
			query []KV
			want  string
		}{
			{a, "/items", nil, "https://api.example.com/v1/items"},
			{b, "/items", nil, "https://api.example.com/v2/items"},
			{a, "/items", []KV{{"q", "x"}}, "https://api.example.com/v1/items?q=x"},
			{a, "/items", []KV{{"q", "y"}}, "https://api.example.com/v1/items?q=y"},
			{a, "/items?q", []KV{{"x", ""}}, "https://api.example.com/v1/items?q&x="},
		} {
			target, scope, err := resolveCached(tc.conn, tc.ref, tc.query)
			want, wantScope, _ := tc.conn.resolve(tc.ref, tc.query)
			if err != nil || target.String() != tc.want || target.String() != want.String() || scope != wantScope {
				t.Errorf("%s %s %v: %v %v, want %s", tc.conn.Name, tc.ref, tc.query, target, err, tc.want)
			}
		}
	}
	// Errors are not kept, and name the connection that made them.
	for _, name := range []string{"one", "two"} {
		_, _, err := resolveCached(Connection{Name: name, BaseURL: "https://api.example.com"}, "http://other.example.com/x", nil)
		if err == nil || !strings.Contains(err.Error(), "'"+name+"'") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// What Send builds its request from is a copy: the cached URL stays.
	s := &sender{method: http.MethodGet, header: http.Header{}}
	s.target, _, _ = resolveCached(a, "/items", nil)
	r, err := s.newRequest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r.URL.Path = "/changed"
	if again, _, _ := resolveCached(a, "/items", nil); again.Path != "/v1/items" {
		t.Errorf("the cached URL changed to %s", again)
	}
}
