package connection

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var hostileTexts = []struct {
	name, in, want string
}{
	{"plain", "hello, wörld\n\tindented ✓", "hello, wörld\n\tindented ✓"},
	{"SGR colour", "\x1b[31mred\x1b[0m", "red"},
	{"CSI private mode", "a\x1b[?1049hb\x1b[2Jc", "abc"},
	{"OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"},
	{"OSC 52 clipboard, BEL", "x\x1b]52;c;cm0gLXJmIH4=\x07y", "xy"},
	{"OSC title, C1 ST", "x\x1b]0;title\u009cy", "xy"},
	{"DCS", "x\x1bPq#0;2;0;0;0\x1b\\y", "xy"},
	{"APC", "x\x1b_payload\x1b\\y", "xy"},
	{"C1 CSI", "\u009b31mred", "red"},
	{"C1 OSC", "\u009d0;title\u009cafter", "after"},
	{"C1 controls", "a\u0085b\u0090\u009cc", "abc"},
	{"charset designation", "a\x1b(Bb", "ab"},
	{"two-char escapes", "a\x1b7b\x1bcc", "abc"},
	{"lone ESC at end", "abc\x1b", "abc"},
	{"ESC before non-ASCII", "a\x1bé", "aé"},
	{"cancelled OSC", "a\x1b]0;title\x1b[31mb", "ab"},
	{"unterminated OSC", "a\x1b]0;not really a title", "a0;not really a title"},
	{"broken CSI", "a\x1b[12\nb", "a\nb"},
	{"carriage return overwrite", "safe\rEVIL", "safeEVIL"},
	{"CRLF", "line1\r\nline2", "line1\nline2"},
	{"backspace", "pass\b\b\b\bfail", "passfail"},
	{"C0 and DEL", "a\x00b\x07c\x7fd", "abcd"},
	{"RLO", "file\u202Etxt.exe", "filetxt.exe"},
	{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
	{"bidi embeddings", "\u202Aa\u202Bb\u202Cc\u202Dd", "abcd"},
	{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
	{"raw C1 byte", "\x9b31m", "\uFFFD31m"},
}

func TestCleanText(t *testing.T) {
	for _, tc := range hostileTexts {
		if got := CleanText(tc.in); got != tc.want {
			t.Errorf("%s: CleanText(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestCleanTextReturnsCleanInputAsIs(t *testing.T) {
	s := strings.Repeat("clean text, ünïcode ✓\n", 100)
	if got := CleanText(s); got != s {
		t.Fatal("clean input changed")
	}
	if n := testing.AllocsPerRun(10, func() { CleanText(s) }); n != 0 {
		t.Errorf("clean input allocated %v times, want 0", n)
	}
}

func FuzzCleanText(f *testing.F) {
	for _, tc := range hostileTexts {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := CleanText(in)
		if !utf8.ValidString(out) {
			t.Fatalf("CleanText(%q) = %q is not valid UTF-8", in, out)
		}
		for _, r := range out {
			unsafe := r < ' ' && r != '\n' && r != '\t' || r == 0x7f ||
				r >= 0x80 && r <= 0x9f ||
				r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
			if unsafe {
				t.Fatalf("CleanText(%q) = %q keeps %U", in, out, r)
			}
		}
		if again := CleanText(out); again != out {
			t.Fatalf("CleanText is not idempotent: %q → %q → %q", in, out, again)
		}
	})
}

func BenchmarkCleanText(b *testing.B) {
	clean := strings.Repeat(`{"name": "patchbay", "note": "ünïcode ✓"}`+"\n", 100_000)
	dirty := strings.Repeat("\x1b[1;31mERROR\x1b[0m request failed\r\n", 100_000)
	for _, bc := range []struct{ name, in string }{{"clean", clean}, {"dirty", dirty}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				CleanText(bc.in)
			}
		})
	}
}
