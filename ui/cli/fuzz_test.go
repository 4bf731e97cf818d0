package cli

import (
	"fmt"
	"strings"
	"testing"

	"patchbay/connection"
	"patchbay/wizard"
)

// FuzzHeaderParsing feeds hostile --header values through the path of
// `action add`: the 'K: V' parser, then the wizard's validation. Neither
// may panic. The parser either names the bad value or returns one header
// per value, split at the first colon, name non-empty, both sides trimmed;
// a header the wizard then accepts is one net/http would send: a token for
// a name, and no control byte but tab in the value.
func FuzzHeaderParsing(f *testing.F) {
	for _, v := range []string{
		"Accept: application/json", "X-Empty:", "X-Spaces :  a b  ", "no colon", ": no name", " : ",
		"Authorization: Bearer a:b:c", "X\r\nInjected: yes", "X-A: b\r\nInjected: yes", "\x00:\x00",
		"Ünï: ✓", "a:\u00a0b\u00a0", "X-Tab:\tv\t", "X-Del: a\x7fb", "X-C1: a\u0085b", "X-Bad: \xff",
	} {
		f.Add(v, "Accept: */*")
	}
	conn := connection.Connection{ID: 1, Name: "fuzz", BaseURL: "https://api.example.com"}
	f.Fuzz(func(t *testing.T, first, second string) {
		values := []string{first, second}
		kvs, msg := parsePairs(values, ":", "--header", "'Name: value'")
		if msg != "" {
			if kvs != nil || !strings.HasPrefix(msg, "--header ") {
				t.Fatalf("parsePairs(%q) = %v, %q", values, kvs, msg)
			}
			return
		}
		if len(kvs) != len(values) {
			t.Fatalf("parsePairs(%q) = %v: %d headers for %d values", values, kvs, len(kvs), len(values))
		}
		for i, kv := range kvs {
			name, value, ok := strings.Cut(values[i], ":")
			if !ok || kv.Key == "" || kv.Key != strings.TrimSpace(name) || kv.Value != strings.TrimSpace(value) {
				t.Fatalf("parsePairs(%q) = %q, want it split at its first colon and trimmed", values[i], kv)
			}
		}

		w := wizard.New(conn)
		w.Name, w.URL, w.Headers = "fuzz", "/x", kvs
		a, errs := w.Draft()
		if len(errs) > 0 {
			return
		}
		for _, h := range a.Headers {
			if problem := wireProblem(h); problem != "" {
				t.Fatalf("the wizard accepted header %q: %s", h, problem)
			}
		}
	})
}

// wireProblem is why net/http would refuse to send h (RFC 9110 §5.1, §5.5).
func wireProblem(h connection.KV) string {
	if h.Key == "" {
		return "empty name"
	}
	for i := 0; i < len(h.Key); i++ {
		c := h.Key[i]
		token := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !token {
			return fmt.Sprintf("name byte %#x", c)
		}
	}
	for i := 0; i < len(h.Value); i++ {
		if c := h.Value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Sprintf("value byte %#x", c)
		}
	}
	return ""
}
