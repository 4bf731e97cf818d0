package connection

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// hostileTexts are CleanText's rules, each with its exact output. Every
// case but the first would fail against a sanitizer that strips what it
// does not like: what was sent must stay visible.
var hostileTexts = []struct {
	name, in, want string
}{
	{"plain", "hello, wörld\n\tindented ✓ 你好 🙂 👩‍💻", "hello, wörld\n\tindented ✓ 你好 🙂 👩‍💻"},

	// The hostile strings of issue 8.
	{"OSC 52 clipboard, BEL", "a\x1b]52;c;ZXZpbA==\x07b", `a␛]52;c;ZXZpbA==\x07b`},
	{"OSC 8 hyperlink", "\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\", `␛]8;;http://evil/␛\click␛]8;;␛\`},
	{"title and report requests", "\x1b]0;PWNED\x07\x1b[21t\x1b[6n", `␛]0;PWNED\x07␛[21t␛[6n`},
	{"DECRQSS", "\x1bP$qm\x1b\\", `␛P$qm␛\`},
	{"overwrite by CR and BS", "good\rbad\b\b\bXY", `good\x0dbad\x08\x08\x08XY`},
	{"C1 CSI", "a\u009b31m", `a\x9b31m`},
	{"RLO", "abc\u202edcb", "abc<U+202E>dcb"},
	{"unterminated OSC", "safe\x1b]52;c;rest", "safe␛]52;c;rest"},

	// ESC: shown, and nothing after it swallowed.
	{"SGR colour", "\x1b[31mred\x1b[0m", "␛[31mred␛[0m"},
	{"lone ESC at end", "abc\x1b", "abc␛"},
	{"ESC ESC", "\x1b\x1b[2J", "␛␛[2J"},
	{"ESC before non-ASCII", "a\x1bé", "a␛é"},
	{"cancelled OSC", "a\x1b]0;title\x1b[31mb", "a␛]0;title␛[31mb"},
	{"OSC ended by C1 ST", "x\x1b]0;title\u009cy", `x␛]0;title\x9cy`},

	// C0 and DEL.
	{"NUL BEL DEL", "a\x00b\x07c\x7fd", `a\x00b\x07c\x7fd`},
	{"every C0 but LF and TAB", "\x01\x02\x03\x04\x05\x06\x0b\x0c\x0e\x0f\x10\x1a\x1c\x1d\x1e\x1f",
		`\x01\x02\x03\x04\x05\x06\x0b\x0c\x0e\x0f\x10\x1a\x1c\x1d\x1e\x1f`},
	{"newline and tab kept", "a\nb\tc\n", "a\nb\tc\n"},
	{"CRLF is a line break", "line1\r\nline2\r\n", "line1\nline2\n"},
	{"CR before CRLF", "a\r\r\nb", `a\x0d` + "\nb"},
	{"CR at the end", "a\r", `a\x0d`},
	{"LF CR", "a\n\rb", "a\n" + `\x0db`},

	// C1, as code points.
	{"C1 range ends", "\u0080\u0085\u009f", `\x80\x85\x9f`},
	{"C1 OSC", "\u009d0;title\u009cafter", `\x9d0;title\x9cafter`},
	{"NBSP is not C1", "a\u00a0b", "a\u00a0b"},

	// Bidi controls.
	{"bidi embeddings and overrides", "\u202aa\u202bb\u202cc\u202dd\u202ee", "<U+202A>a<U+202B>b<U+202C>c<U+202D>d<U+202E>e"},
	{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "<U+2066>a<U+2067>b<U+2068>c<U+2069>"},
	{"bidi marks", "\u200ea\u200fb\u061cc", "<U+200E>a<U+200F>b<U+061C>c"},
	{"neighbours of bidi kept", "\u200d\u2029\u2065\u206a\u2030", "\u200d\u2029\u2065\u206a\u2030"},

	// Invalid UTF-8: each byte as received.
	{"invalid bytes", "a\xffb\xfe", `a\xffb\xfe`},
	{"raw C1 byte", "\x9b31m", `\x9b31m`},
	{"cut rune at the end", "ok\xe2\x9c", `ok\xe2\x9c`},
	{"cut rune before ASCII", "\xc3(", `\xc3(`},
	{"surrogate", "\xed\xa0\x80", `\xed\xa0\x80`},
	{"overlong slash", "\xc0\xaf", `\xc0\xaf`},
	{"U+FFFD as sent is kept", "a\uFFFDb", "a\uFFFDb"},

	// What escaping writes is itself clean, so it is left alone.
	{"escapes as text", `\x1b ␛ <U+202E>`, `\x1b ␛ <U+202E>`},
}

func TestCleanText(t *testing.T) {
	for _, tc := range hostileTexts {
		if got := CleanText(tc.in); got != tc.want {
			t.Errorf("%s: CleanText(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// Clean text is returned as it is — the same string, not a copy — and
// nothing is allocated.
func TestCleanTextReturnsCleanInputAsIs(t *testing.T) {
	s := strings.Repeat("clean text, ünïcode ✓ 漢字 🙂\n\t", 100)
	got := CleanText(s)
	if got != s || unsafe.StringData(got) != unsafe.StringData(s) {
		t.Fatal("clean input was copied or changed")
	}
	if n := testing.AllocsPerRun(10, func() { CleanText(s) }); n != 0 {
		t.Errorf("clean input allocated %v times, want 0", n)
	}
}

// FuzzCleanText's seeds are hostileTexts and testdata/fuzz/FuzzCleanText.
// Whatever the input, the output is safe for a terminal, hides nothing
// that was sent, and is its own CleanText.
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
			if unsafeRune(r) {
				t.Fatalf("CleanText(%q) = %q keeps %U", in, out, r)
			}
		}
		// Every printable non-ASCII rune is kept, in order, and each ESC
		// is shown: the output's non-ASCII runes are exactly those.
		var want, got []rune
		for i := 0; i < len(in); {
			r, size := utf8.DecodeRuneInString(in[i:])
			switch {
			case r == esc:
				want = append(want, '␛')
			case r >= utf8.RuneSelf && !(r == utf8.RuneError && size == 1) && !unsafeRune(r):
				want = append(want, r)
			}
			i += size
		}
		for _, r := range out {
			if r >= utf8.RuneSelf {
				got = append(got, r)
			}
		}
		if string(want) != string(got) {
			t.Fatalf("CleanText(%q) = %q: its non-ASCII runes are %q, want %q", in, out, string(got), string(want))
		}
		// Text after a sequence is still there: every run of ASCII letters
		// and digits, in order.
		rest := out
		for _, word := range asciiWords(in) {
			i := strings.Index(rest, word)
			if i < 0 {
				t.Fatalf("CleanText(%q) = %q lost %q", in, out, word)
			}
			rest = rest[i+len(word):]
		}
		if again := CleanText(out); again != out {
			t.Fatalf("CleanText is not idempotent: %q → %q → %q", in, out, again)
		}
	})
}

// unsafeRune is what must not reach a terminal: C0 but newline and tab,
// DEL, C1, and the bidi controls.
func unsafeRune(r rune) bool {
	return r < ' ' && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f ||
		r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// asciiWords are the maximal runs of ASCII letters and digits in s.
func asciiWords(s string) []string {
	isWord := func(c byte) bool { return c < utf8.RuneSelf && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))) }
	var words []string
	for i := 0; i < len(s); {
		if !isWord(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWord(s[j]) {
			j++
		}
		words = append(words, s[i:j])
		i = j
	}
	return words
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
