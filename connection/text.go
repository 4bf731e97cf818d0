package connection

import (
	"strings"
	"unicode/utf8"
)

// CleanText makes untrusted text (response bodies and headers, server error
// messages) safe to put on a terminal: it removes escape sequences (CSI, OSC,
// DCS, ...), C0 controls other than newline and tab, C1 controls
// (U+0080–U+009F, including the single-character CSI U+009B), carriage
// returns, backspaces, and Unicode bidi overrides and isolates
// (U+202A–U+202E, U+2066–U+2069), and replaces invalid UTF-8 with U+FFFD.
//
// It makes one pass and returns s itself when there is nothing to remove.
func CleanText(s string) string {
	i := firstUnsafe(s)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	kept := 0 // s[kept:i] is safe and not yet written
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII(c) {
				i++
				continue
			}
			b.WriteString(s[kept:i])
			if c == esc {
				i = skipEscape(s, i+1)
			} else {
				i++ // a C0 control or DEL
			}
			kept = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if safeRune(r, size) {
			i += size
			continue
		}
		b.WriteString(s[kept:i])
		switch {
		case size == 1: // invalid UTF-8
			b.WriteRune(utf8.RuneError)
			i++
		case r == 0x9b: // CSI
			i = skipCSI(s, i+size)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // DCS, SOS, OSC, PM, APC
			i = skipString(s, i+size)
		default: // another C1 control, or a bidi control
			i += size
		}
		kept = i
	}
	b.WriteString(s[kept:])
	return b.String()
}

const (
	esc = 0x1b
	bel = 0x07
)

// firstUnsafe returns the index of the first byte CleanText must act on,
// or len(s).
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !safeASCII(c) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !safeRune(r, size) {
			return i
		}
		i += size
	}
	return len(s)
}

func safeASCII(c byte) bool {
	return c >= ' ' && c != 0x7f || c == '\n' || c == '\t'
}

// safeRune is for runes outside ASCII: not invalid UTF-8, not C1, not bidi.
func safeRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return false
	case r >= 0x80 && r <= 0x9f:
		return false
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return false
	}
	return true
}

// skipEscape returns the index just past the escape sequence whose ESC is
// at i-1.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_': // OSC, DCS, SOS, PM, APC
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f: // intermediates, then a final byte (ESC ( B)
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e: // two-character sequences (ESC 7, ESC c)
		return i + 1
	}
	return i // a lone ESC: what follows is text, checked on its own
}

// skipCSI returns the index just past a control sequence whose parameters
// start at i. A byte that cannot be part of one ends it early.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x40 && c <= 0x7e: // final byte
			return i + 1
		case c >= 0x20 && c <= 0x3f: // parameter and intermediate bytes
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past a control string (OSC, DCS, ...)
// whose payload starts at i. BEL, ESC \ and U+009C terminate it; another ESC
// or C1 control cancels it, as terminals do. With no end in sight the string
// is not a sequence at all, so only its introducer is dropped and the
// payload is cleaned as text; since no ESC or C1 follows, that happens at
// most once and the pass stays linear.
func skipString(s string, start int) int {
	for i := start; i < len(s); {
		switch c := s[i]; {
		case c == bel:
			return i + 1
		case c == esc:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f: // a C1 control
			if s[i+1] == 0x9c { // ST
				return i + 2
			}
			return i
		default:
			i++
		}
	}
	return start
}
