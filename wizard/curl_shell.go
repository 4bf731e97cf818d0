package wizard

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// shellText is one word of an exported command: literal text and
// $ENV placeholders (for secrets) in order. It is quoted for a POSIX shell
// as a whole (quote).
type shellText []segment

// segment is literal text, or, with env set, the shell variable $env.
type segment struct {
	text string
	env  string
}

func lit(s string) shellText { return shellText{{text: s}} }

func envText(name string) shellText { return shellText{{env: name}} }

// join concatenates words into one.
func join(parts ...shellText) shellText {
	var out shellText
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// hasEnv reports whether t holds a placeholder.
func (t shellText) hasEnv() bool {
	for _, s := range t {
		if s.env != "" {
			return true
		}
	}
	return false
}

// startsWith reports whether t's literal start is prefix.
func (t shellText) startsWith(prefix string) bool {
	return len(t) > 0 && t[0].env == "" && strings.HasPrefix(t[0].text, prefix)
}

// containsAny reports whether a literal part of t holds one of chars.
func (t shellText) containsAny(chars string) bool {
	for _, s := range t {
		if s.env == "" && strings.ContainsAny(s.text, chars) {
			return true
		}
	}
	return false
}

// quote writes t as one shell word that a POSIX shell reads back as t,
// with each placeholder expanded: bare when it is only safe characters,
// else in single quotes ('\” for a quote), or $'...' when it holds
// control characters other than a line break or a tab (so the command
// shows none raw). A word with placeholders is double-quoted, or, when a
// literal part holds a "!" (history expansion in an interactive bash) or
// a control character, single-quoted parts and "$NAME"s side by side.
func (t shellText) quote() string {
	if !t.hasEnv() {
		var s strings.Builder
		for _, seg := range t {
			s.WriteString(seg.text)
		}
		return quoteLiteral(s.String())
	}
	plainDouble := true
	for _, seg := range t {
		if seg.env == "" && (strings.Contains(seg.text, "!") || hasControl(seg.text) || !utf8.ValidString(seg.text)) {
			plainDouble = false
		}
	}
	var b strings.Builder
	if plainDouble {
		b.WriteByte('"')
		for i, seg := range t {
			if seg.env != "" {
				b.WriteString(envRef(seg.env, t, i))
				continue
			}
			b.WriteString(doubleQuoteEscaper.Replace(seg.text))
		}
		b.WriteByte('"')
		return b.String()
	}
	for i, seg := range t {
		if seg.env != "" {
			b.WriteString(`"` + envRef(seg.env, t, i) + `"`)
			continue
		}
		if seg.text != "" {
			b.WriteString(quoteLiteral(seg.text))
		}
	}
	return b.String()
}

var doubleQuoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`")

// envRef is $NAME, or ${NAME} when the text after it would run into the
// name.
func envRef(name string, t shellText, i int) string {
	if i+1 < len(t) && t[i+1].env == "" && t[i+1].text != "" && isShellNameChar(t[i+1].text[0]) {
		return "${" + name + "}"
	}
	return "$" + name
}

// quoteLiteral quotes s so that the shell reads it back as s.
func quoteLiteral(s string) string {
	if s == "" {
		return "''"
	}
	if isBareWord(s) {
		return s
	}
	if hasControl(s) || !utf8.ValidString(s) {
		return ansiCQuote(s)
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isBareWord reports whether s needs no quotes: letters, digits and
// characters no shell treats specially.
func isBareWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_-./:@%+,=", c) >= 0) {
			return false
		}
	}
	return true
}

// hasControl reports whether s holds a control character other than a
// line break or a tab, or a bidi control, which a terminal would act on.
func hasControl(s string) bool {
	for _, r := range s {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
			return true
		}
	}
	return false
}

// ansiCQuote writes s as $'...', every control character and invalid
// byte as an escape.
func ansiCQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

// commandLines writes a command: its first line, then each further line
// indented, all but the last ending in " \" (a continuation).
func commandLines(lines [][]shellText) string {
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteString(" \\\n  ")
		}
		for j, w := range line {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w.quote())
		}
	}
	return b.String()
}
