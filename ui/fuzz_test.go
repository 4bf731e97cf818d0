package ui

import (
	"testing"
	"unicode/utf8"
)

// FuzzRenderBody pretty-prints hostile response bodies at any width. It
// must not panic, and what it returns for the terminal must be valid UTF-8
// without an escape, a C0 or C1 control (but newline and tab) or a bidi
// control: the body is the server's, the terminal is the user's. (TestMain
// sets the ASCII profile, so styles add no escapes of their own.)
func FuzzRenderBody(f *testing.F) {
	for _, body := range []string{
		`{"a": [1, 2, {"b": "c"}]}`, `{"a": "\u001b[31mred\u009b2J\u202e"}`, "\x1b]52;c;cm0=\x07", "plain\r\ntext\b",
		"\x00binary\xff", "\xc3", `{"unterminated": "`, "\u2066isolate\u2069 \u0085", "[" + string(rune(0x10ffff)) + "]",
	} {
		f.Add([]byte(body), "application/json", 40)
	}
	f.Add([]byte("{}"), "text/plain\x1b[2J", 0)
	f.Add([]byte(" "), "application/json", 40) // blank "JSON" once panicked: ValidateJSON returns nil for blank text
	f.Add([]byte(`{"a":1`), "application/json\u202e", 1)
	st := NewStyles()
	f.Fuzz(func(t *testing.T, body []byte, contentType string, width int) {
		width %= 300
		out := renderBody(body, contentType, width, &st)
		if !utf8.ValidString(out) {
			t.Fatalf("renderBody(%q, %q, %d) = %q is not valid UTF-8", body, contentType, width, out)
		}
		for _, r := range out {
			if r < ' ' && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f ||
				r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
				t.Fatalf("renderBody(%q, %q, %d) = %q holds %U", body, contentType, width, out, r)
			}
		}
	})
}
