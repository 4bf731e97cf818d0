package ui

// A JSON tokenizer for highlighting one line of pretty-printed JSON at a
// time. It never fails: whatever it does not know is plain text. (chroma
// would do this too, with a lexer built for any language; this one knows
// only the shapes the pretty-printer writes, and the pane calls it for
// the lines on screen.)

// tokenClass is what a run of bytes in a line is.
type tokenClass uint8

const (
	tokPlain tokenClass = iota
	tokKey
	tokString
	tokNumber
	tokLiteral // true, false, null
	tokPunct   // { } [ ] , :
	tokMatch   // a search match
	tokCurrent // the current search match
	tokField   // the name of a header
	tokTitle
	tokFaint
	tokWarning
	tokError
	numTokenClasses
)

// span is a run of a line, [start, end) in bytes, and what it is.
type span struct {
	start, end int
	class      tokenClass
}

// jsonSpans appends the tokens of one line to spans. inString says the
// line starts inside a string (a long one was cut before it).
func jsonSpans(line []byte, inString bool, spans []span) []span {
	i := 0
	if inString {
		end, closed := stringEnd(line, 0)
		spans = append(spans, span{0, end, tokString})
		if !closed {
			return spans
		}
		i = end
	}
	for i < len(line) {
		c := line[i]
		start := i
		switch {
		case c == ' ' || c == '\t':
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
			spans = append(spans, span{start, i, tokPlain})
		case c == '"':
			end, _ := stringEnd(line, i+1)
			class := tokString
			if isKey(line, end) {
				class = tokKey
			}
			spans = append(spans, span{start, end, class})
			i = end
		case c == '-' || c >= '0' && c <= '9':
			for i < len(line) && isNumberByte(line[i]) {
				i++
			}
			spans = append(spans, span{start, i, tokNumber})
		case c == 't' || c == 'f' || c == 'n':
			for i < len(line) && line[i] >= 'a' && line[i] <= 'z' {
				i++
			}
			class := tokPlain
			if w := string(line[start:i]); w == "true" || w == "false" || w == "null" {
				class = tokLiteral
			}
			spans = append(spans, span{start, i, class})
		case c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':':
			i++
			spans = append(spans, span{start, i, tokPunct})
		default:
			i++
			spans = append(spans, span{start, i, tokPlain})
		}
	}
	return spans
}

// stringEnd is the end of the string whose contents start at i (just past
// its opening quote, or the line's start when the line starts inside
// one), and whether its closing quote is on this line.
func stringEnd(line []byte, i int) (int, bool) {
	for i < len(line) {
		switch line[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1, true
		default:
			i++
		}
	}
	return len(line), false
}

// isKey reports whether the string ending at end is an object key: a
// colon follows it.
func isKey(line []byte, end int) bool {
	for end < len(line) && line[end] == ' ' {
		end++
	}
	return end < len(line) && line[end] == ':'
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// jsonStateAfter reports whether a line of pretty-printed JSON that
// starts inside a string or not (inString) ends inside one.
func jsonStateAfter(line []byte, inString bool) bool {
	i := 0
	if inString {
		end, closed := stringEnd(line, 0)
		if !closed {
			return true
		}
		i = end
	}
	for i < len(line) {
		if line[i] != '"' {
			i++
			continue
		}
		end, closed := stringEnd(line, i+1)
		if !closed {
			return true
		}
		i = end
	}
	return false
}

// metaSpans are the spans of a headers-tab line of the given role.
func metaSpans(line []byte, role lineRole, spans []span) []span {
	switch role {
	case roleField:
		for i := 0; i+1 < len(line); i++ {
			if line[i] == ':' && line[i+1] == ' ' {
				return append(spans, span{0, i, tokField}, span{i, i + 1, tokFaint}, span{i + 1, len(line), tokPlain})
			}
		}
	case roleTitle:
		return append(spans, span{0, len(line), tokTitle})
	case roleFaint:
		return append(spans, span{0, len(line), tokFaint})
	case roleWarning:
		return append(spans, span{0, len(line), tokWarning})
	case roleError:
		return append(spans, span{0, len(line), tokError})
	}
	return append(spans, span{0, len(line), tokPlain})
}
