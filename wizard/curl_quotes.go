package wizard

// The less common parts of shell syntax: $'...' strings, $(...), <NAME>
// placeholders from docs and here-documents.

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ansiC reads $'...' (r.i at the quote), with the escapes bash knows.
func (r *wordReader) ansiC() error {
	r.open, r.word.quoted = true, true
	r.i++
	for r.i < len(r.s) {
		c := r.s[r.i]
		if c == '\'' {
			r.i++
			return nil
		}
		if c != '\\' || r.i+1 >= len(r.s) {
			r.cur.WriteByte(c)
			r.i++
			continue
		}
		r.i += 2
		switch e := r.s[r.i-1]; e {
		case 'n':
			r.cur.WriteByte('\n')
		case 't':
			r.cur.WriteByte('\t')
		case 'r':
			r.cur.WriteByte('\r')
		case 'a':
			r.cur.WriteByte('\a')
		case 'b':
			r.cur.WriteByte('\b')
		case 'e', 'E':
			r.cur.WriteByte(0x1b)
		case 'f':
			r.cur.WriteByte('\f')
		case 'v':
			r.cur.WriteByte('\v')
		case 'x':
			r.cur.WriteString(r.ansiNumber(16, 2, "\\x"))
		case 'u':
			r.cur.WriteString(r.ansiNumber(16, 4, "\\u"))
		case 'U':
			r.cur.WriteString(r.ansiNumber(16, 8, "\\U"))
		case '0', '1', '2', '3', '4', '5', '6', '7':
			r.i--
			r.cur.WriteString(r.ansiNumber(8, 3, "\\"))
		default: // \\ \' \" \? and unknown escapes, which bash keeps whole
			if strings.IndexByte(`\'"?`, e) < 0 {
				r.cur.WriteByte('\\')
			}
			r.cur.WriteByte(e)
		}
	}
	return fmt.Errorf("a $' quote is not closed")
}

// ansiNumber reads up to max digits in base at r.i and returns the byte
// (\x, octal) or the rune (\u, \U) they make; with no digits, the escape
// as typed.
func (r *wordReader) ansiNumber(base, max int, escape string) string {
	n := 0
	for n < max && r.i+n < len(r.s) && isDigitIn(r.s[r.i+n], base) {
		n++
	}
	if n == 0 {
		return escape
	}
	v, _ := strconv.ParseUint(r.s[r.i:r.i+n], base, 32) // at most 8 hex digits
	r.i += n
	if escape == "\\x" || base == 8 {
		return string([]byte{byte(v)})
	}
	if v > utf8.MaxRune {
		return string(utf8.RuneError)
	}
	return string(rune(v))
}

func isDigitIn(c byte, base int) bool {
	if base == 8 {
		return '0' <= c && c <= '7'
	}
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// docPlaceholder returns the length of a <NAME> placeholder at the start
// of s (letters, digits, _ and -), 0 if there is none.
func docPlaceholder(s string) int {
	if len(s) < 3 || s[0] != '<' || !isShellNameStart(s[1]) {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c == '>':
			return i + 1
		case !isShellNameChar(c) && c != '-':
			return 0
		}
	}
	return 0
}

// readHeredocs reads the documents of the << operators of the line just
// ended: each runs to a line holding only its delimiter (the word after
// the operator; with <<- leading tabs do not count).
func (r *wordReader) readHeredocs() {
	for _, h := range r.heredocs {
		if h+1 >= len(r.words) || r.words[h+1].op {
			continue
		}
		delim := r.words[h+1].text
		var body strings.Builder
		for r.i < len(r.s) {
			end := strings.IndexByte(r.s[r.i:], '\n')
			line := r.s[r.i:]
			if end >= 0 {
				line = r.s[r.i : r.i+end]
				r.i += end + 1
			} else {
				r.i = len(r.s)
			}
			if r.words[h].text == "<<-" {
				line = strings.TrimLeft(line, "\t")
			}
			if line == delim {
				break
			}
			body.WriteString(line + "\n")
		}
		r.words[h].body = body.String()
	}
	r.heredocs = nil
}

// closingParen returns the index of the ) that closes the ( at s[0], -1
// if there is none. Quotes inside are skipped over.
func closingParen(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		case '\'', '"':
			end := strings.IndexByte(s[i+1:], s[i])
			if end < 0 {
				return -1
			}
			i += end + 1
		case '\\':
			i++
		}
	}
	return -1
}
