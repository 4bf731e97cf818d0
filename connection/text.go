package connection

import (
	"strings"
	"unicode/utf8"
)

// CleanText makes untrusted text (response bodies and headers, reason
// phrases, URLs, server error messages) safe to put on a terminal by showing
// what a terminal would act on instead of removing it, so the user sees that
// something was sent and nothing after it can be hidden:
//
//   - ESC (0x1b) becomes ␛ (U+241B). Nothing after it is swallowed: the rest
//     of an escape sequence is shown as text, "\x1b[31m" as "␛[31m", and an
//     OSC without a terminator hides nothing that follows it;
//   - every other C0 control but newline and tab, and DEL, becomes \xNN (two
//     lower-case hex digits): "\b" is shown as `\x08`, NUL as `\x00`. A
//     carriage return is one too, except right before a newline, where it
//     is dropped: "\r\n" is a line break and cannot overwrite anything;
//   - a C1 control (U+0080–U+009F) becomes \xNN of its code point: U+009B,
//     the 8-bit CSI, is shown as `\x9b`;
//   - a bidi control (Unicode's Bidi_Control: U+061C, U+200E, U+200F,
//     U+202A–U+202E, U+2066–U+2069), which would reorder the text around it,
//     becomes <U+XXXX>: U+202E is shown as `<U+202E>`;
//   - each byte that is not part of valid UTF-8 becomes \xNN of the byte, so
//     "\xff" is shown as `\xff` (not U+FFFD, which a server may send too).
//
// Everything else, newline, tab and printable Unicode included, is kept as
// it is. The output holds no control character but newline and tab and no
// bidi control, is valid UTF-8, and is its own CleanText. The escapes show
// what arrived; they are not an encoding to decode (a server can send the
// text `\x07` too). CleanText makes one pass, and returns s itself,
// without allocating, when there is nothing to escape.
func CleanText(s string) string {
	i := firstUnsafe(s)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	kept := i // s[kept:i] is safe and not yet written
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII(c) {
				i++
				continue
			}
			b.WriteString(s[kept:i])
			switch {
			case c == esc:
				b.WriteString(escShown)
			case c == '\r' && i+1 < len(s) && s[i+1] == '\n':
				// CRLF: the newline is kept on the next turn.
			default:
				writeHexByte(&b, c)
			}
			i++
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
		case size == 1: // not UTF-8: the byte as received
			writeHexByte(&b, c)
		case r <= 0x9f: // C1
			writeHexByte(&b, byte(r))
		default: // bidi
			writeCodePoint(&b, r)
		}
		i += size
		kept = i
	}
	b.WriteString(s[kept:])
	return b.String()
}

const (
	esc = 0x1b
	// escShown is how ESC is shown: U+241B SYMBOL FOR ESCAPE.
	escShown = "␛"
	hexDigit = "0123456789abcdef"
)

// writeHexByte writes \xNN.
func writeHexByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigit[c>>4])
	b.WriteByte(hexDigit[c&0xf])
}

// writeCodePoint writes <U+XXXX> (four upper-case hex digits: every rune
// it is used for is in the BMP).
func writeCodePoint(b *strings.Builder, r rune) {
	const upper = "0123456789ABCDEF"
	b.WriteString("<U+")
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(upper[r>>shift&0xf])
	}
	b.WriteByte('>')
}

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

// safeASCII is for ASCII: printable, newline or tab.
func safeASCII(c byte) bool {
	return c >= ' ' && c != 0x7f || c == '\n' || c == '\t'
}

// safeRune is for runes outside ASCII: not invalid UTF-8, not C1, not a
// bidi control.
func safeRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return false
	case r <= 0x9f: // C1 (DecodeRune only returns r >= 0x80 here)
		return false
	case r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return false
	}
	return true
}
