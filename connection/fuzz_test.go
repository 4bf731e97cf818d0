package connection

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzResolveURL joins hostile refs and query values to a fixed base URL.
// Whatever the ref, ResolveURL must not panic, and a URL it returns must
// parse, hold nothing a request line cannot carry, and point at the base
// URL's origin — the credentials of the connection go there.
func FuzzResolveURL(f *testing.F) {
	for _, ref := range []string{
		"", "users", "/users?a=1", "//users/", "?page=2", "/search?q=a b", "/users:search#frag",
		"https://API.example.com:443/v3/me", "https://other.example.com/me", "http://api.example.com/me",
		"/%zz", "../../admin", "//evil.example", "https:evil.example", `\\evil.example`, "/@evil.example",
		"https://api.example.com@evil.example/", `https://api.example.com\@evil.example`,
		"https://evil.example#@api.example.com", "/a%2Fb?x=%zz&y", "\x00/\r\n?\x7f", "/ü?ü=ü",
	} {
		f.Add(ref, "q", "v")
	}
	f.Add("/x", "a&b=c", "d#e f")
	conn := Connection{Name: "fuzz", BaseURL: "https://api.example.com/base/?lang=en"}
	f.Fuzz(func(t *testing.T, ref, key, value string) {
		got, err := conn.ResolveURL(ref, []KV{{Key: key, Value: value}})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("ResolveURL(%q) error %T, want *Error", ref, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("ResolveURL(%q) = %q, which does not parse: %v", ref, got, err)
		}
		if !strings.EqualFold(u.Scheme, "https") || !strings.EqualFold(u.Hostname(), "api.example.com") ||
			u.Port() != "" && u.Port() != "443" {
			t.Fatalf("ResolveURL(%q) = %q leaves the base URL's origin", ref, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c <= ' ' || c >= 0x7f {
				t.Fatalf("ResolveURL(%q) = %q holds byte %#x, which a request line cannot carry", ref, got, c)
			}
		}
	})
}
