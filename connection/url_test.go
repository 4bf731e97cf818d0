package connection

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestResolveURL(t *testing.T) {
	for _, tc := range []struct {
		base, ref string
		query     []KV
		want      string // "" when an error is expected
		wantErr   string // a part of the error's reason
	}{
		{base: "https://api.x.com/v2", ref: "/users?a=1", want: "https://api.x.com/v2/users?a=1"},
		{base: "https://api.x.com/v2/", ref: "users", want: "https://api.x.com/v2/users"},
		{base: "https://api.x.com/v2/", ref: "//users/", want: "", wantErr: "points at users"},
		{base: "https://api.x.com/v2/", ref: "/users/", want: "https://api.x.com/v2/users/"},
		{base: "https://api.x.com/v2", ref: "", want: "https://api.x.com/v2"},
		{base: "https://api.x.com/v2/", ref: "", want: "https://api.x.com/v2/"},
		{base: "https://api.x.com/v2", ref: "?page=2", want: "https://api.x.com/v2?page=2"},
		{base: "https://api.x.com/v2?version=3", ref: "/users?a=1", query: []KV{{"b", "x y"}}, want: "https://api.x.com/v2/users?version=3&a=1&b=x+y"},
		{base: "https://api.x.com", ref: "/search?q=a b", want: "https://api.x.com/search?q=a%20b"},
		{base: "https://api.x.com", ref: "/users:search#frag", want: "https://api.x.com/users:search"},
		{base: "https://api.x.com", ref: "users:search", want: "https://api.x.com/users:search"},
		{base: "https://api.x.com/v2", ref: "https://API.x.com:443/v3/me", want: "https://API.x.com:443/v3/me"},
		{base: "http://api.x.com", ref: "https://api.x.com/me", want: "https://api.x.com/me"},
		{base: "https://api.x.com", ref: "http://api.x.com/me", wantErr: "points at api.x.com"},
		{base: "https://api.x.com", ref: "https://other.example.com/me", wantErr: "the URL points at other.example.com, but connection 'X' is for api.x.com — use a path relative to the base URL"},
		{base: "https://api.x.com", ref: "https://api.x.com:8443/me", wantErr: "points at api.x.com:8443"},
		{base: "https://api.x.com", ref: "ftp://api.x.com/f", wantErr: "must start with http:// or https://"},
		{base: "", ref: "https://any.example.com/a", query: []KV{{"k", "v"}, {"", "blank"}}, want: "https://any.example.com/a?k=v"},
		{base: "", ref: "/users", wantErr: "has no base URL"},
		{base: "", ref: "", wantErr: "has no base URL"},
		{base: "api.x.com", ref: "/users", wantErr: "base URL of connection 'X'"},
		{base: "https://api.x.com", ref: "/%zz", wantErr: "invalid URL escape"},
	} {
		conn := Connection{Name: "X", BaseURL: tc.base}
		got, err := conn.ResolveURL(tc.ref, tc.query)
		if tc.wantErr != "" {
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindInvalid || !strings.Contains(e.Reason, tc.wantErr) {
				t.Errorf("%q + %q: got %q, %v; want KindInvalid containing %q", tc.base, tc.ref, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q + %q = %q, %v; want %q", tc.base, tc.ref, got, err, tc.want)
		}
	}
}

func TestOriginAdmits(t *testing.T) {
	for _, tc := range []struct {
		scope, target string
		want          bool
	}{
		{"https://api.x.com", "https://api.x.com/a", true},
		{"https://api.x.com", "https://API.X.COM:443/a", true},
		{"http://api.x.com", "http://api.x.com:80/a", true},
		{"http://api.x.com", "https://api.x.com/a", true}, // upgrade on default ports
		{"http://api.x.com:8080", "https://api.x.com/a", false},
		{"http://api.x.com", "https://api.x.com:8443/a", false},
		{"https://api.x.com", "http://api.x.com/a", false}, // downgrade
		{"https://api.x.com", "https://api.x.com:8443/a", false},
		{"https://api.x.com", "https://x.com/a", false},
		{"https://api.x.com", "https://evil.api.x.com/a", false},
		{"http://127.0.0.1:8080", "http://localhost:8080/a", false},
	} {
		s, _ := url.Parse(tc.scope)
		u, _ := url.Parse(tc.target)
		if got := originOf(s).admits(u); got != tc.want {
			t.Errorf("credentials of %s sent to %s: %v, want %v", tc.scope, tc.target, got, tc.want)
		}
	}
}

func TestQueryHelpers(t *testing.T) {
	if got := withQueryParams("b=2&api_key=typed&a=1", []KV{{"api_key", "s&1"}}); got != "b=2&a=1&api_key=s%261" {
		t.Errorf("withQueryParams = %q", got)
	}
	names := map[string]bool{"api_key": true}
	if got := redactQuery("a=1&api_key=s&api%5Fkey=t&api_key", func(name string) bool { return names[name] }); got != "a=1&api_key="+Redacted+"&api%5Fkey="+Redacted+"&api_key="+Redacted {
		t.Errorf("redactQuery = %q", got)
	}
	if got := EncodeQuery([]KV{{"b", "x y"}, {"", "dropped"}, {"a&", "1=2"}}); got != "b=x+y&a%26=1%3D2" {
		t.Errorf("EncodeQuery = %q, want the named rows in order, escaped", got)
	}
}
