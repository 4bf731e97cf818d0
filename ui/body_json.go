package ui

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// A streaming pretty-printer for JSON bodies of any size. It reads the
// body once to check it and measure what it will write, then once more to
// write the lines into one buffer of exactly that size, keeping the start
// of every indexEvery-th line and each line's depth as it goes (bodyDoc):
// the indentation is not written, only its depth. Tokens are copied as
// they are, so the output, indented again, is the input with other
// whitespace: json.Compact of both is the same.

// maxIndent caps the indentation: levels deeper than this are written at
// this depth, so 10,000 nested arrays cost 64 spaces a line, not 20,000.
const maxIndent = 32

// prettyLimit is how much bigger than the body its pretty form may be
// before the body is shown as it came: indentation multiplies a deeply
// nested list of short values.
func prettyLimit(n int) int { return max(4*n, 64<<20) }

// jsonError says where and why a body is not JSON.
type jsonError struct {
	off int // byte offset of the problem
	msg string
}

func (e *jsonError) Error() string { return e.msg }

// at is "line L, column C" of the error in src.
func (e *jsonError) at(src []byte) string {
	off := min(e.off, len(src))
	line, start := 1, 0
	for i, c := range src[:off] {
		if c == '\n' {
			line++
			start = i + 1
		}
	}
	return fmt.Sprintf("line %d, column %d", line, 1+utf8.RuneCount(src[start:off]))
}

// jsonPrinter is one pass of the pretty-printer: counting when out is
// nil, writing otherwise.
type jsonPrinter struct {
	src   []byte
	i     int
	write bool
	out   []byte
	n     int // bytes of the indented form written or counted
	// indented is how many of them are indentation, which is not written.
	indented int
	stack    []byte
	// The line index, when writing (see bodyDoc).
	lineStart int
	limit     int // the bytes of text the current line may hold
	lines     int
	index     []uint32
	depth     []uint8
	strs      []uint32
	// maxLines, when not 0, stops the printer after that many lines, and
	// the end of src is then not an error: the quick first screenful.
	maxLines int
	stopped  bool
}

// prettyJSON formats src, or says why it is not JSON. limit bounds the
// output (0: prettyLimit); an output that would be larger is an error.
func prettyJSON(src []byte, limit int) (*bodyDoc, error) {
	if limit == 0 {
		limit = prettyLimit(len(src))
	}
	count := jsonPrinter{src: src}
	if err := count.run(); err != nil {
		return nil, err
	}
	if count.n > limit || count.n > maxDocSize {
		return nil, &jsonError{off: len(src), msg: fmt.Sprintf("its indented form would take %s", formatSize(int64(count.n)))}
	}
	size := count.n - count.indented
	lines := count.lines + size/(maxLine/2) + 1 // a cut line holds most of maxLine
	p := jsonPrinter{src: src, write: true, out: make([]byte, 0, size),
		index: make([]uint32, 0, lines/indexEvery+2), depth: make([]uint8, 0, lines)}
	p.begin()
	if err := p.run(); err != nil {
		return nil, err // cannot happen: the same bytes passed above
	}
	return p.doc(), nil
}

// prettyJSONPrefix formats the start of src, which may be cut anywhere,
// up to maxLines lines: what shows while the whole body is formatted.
func prettyJSONPrefix(src []byte, maxLines int) (*bodyDoc, error) {
	p := jsonPrinter{src: src, write: true, out: make([]byte, 0, min(2*len(src), 1<<20)), maxLines: maxLines}
	p.begin()
	if err := p.run(); err != nil {
		return nil, err
	}
	d := p.doc()
	d.partial = true
	return d, nil
}

// begin starts the first line, which is not indented.
func (p *jsonPrinter) begin() {
	p.index = append(p.index, 0)
	p.depth = append(p.depth, 0)
	p.lines = 1
	p.limit = maxLine
}

// doc is the document written.
func (p *jsonPrinter) doc() *bodyDoc {
	return &bodyDoc{kind: docJSON, text: p.out, n: p.lines, index: p.index, depth: p.depth, strs: p.strs}
}

func (p *jsonPrinter) fail(msg string) error {
	if p.maxLines > 0 && p.i >= len(p.src) {
		p.stopped = true // the prefix ends here, which is not an error
		return nil
	}
	return &jsonError{off: p.i, msg: msg}
}

func (p *jsonPrinter) unexpected(what string) error {
	if p.i >= len(p.src) {
		return p.fail("unexpected end of input — is a closing bracket, brace or quote missing?")
	}
	c := p.src[p.i]
	if c < ' ' || c >= utf8.RuneSelf {
		return p.fail(fmt.Sprintf("unexpected byte 0x%02x %s", c, what))
	}
	return p.fail(fmt.Sprintf("unexpected %q %s", c, what))
}

// run checks and prints the whole value. An iterative loop with an
// explicit stack: nesting depth costs a byte, not a goroutine stack frame.
func (p *jsonPrinter) run() error {
	const (
		wantValue = iota
		afterValue
		wantKey
	)
	state := wantValue
	for !p.stopped {
		p.skipSpace()
		switch state {
		case wantValue:
			if p.i >= len(p.src) {
				return p.unexpected("")
			}
			switch c := p.src[p.i]; {
			case c == '{' || c == '[':
				closing := byte('}')
				if c == '[' {
					closing = ']'
				}
				p.i++
				p.skipSpace()
				if p.i < len(p.src) && p.src[p.i] == closing {
					p.i++
					if c == '{' {
						p.emit(emptyObject)
					} else {
						p.emit(emptyArray)
					}
					state = afterValue
					continue
				}
				p.emitByte(c)
				p.stack = append(p.stack, c)
				if !p.newline() {
					return nil
				}
				if c == '{' {
					state = wantKey
				}
			case c == '"':
				if err := p.str(); err != nil {
					return err
				}
				state = afterValue
			case c == '-' || c >= '0' && c <= '9':
				if err := p.number(); err != nil {
					return err
				}
				state = afterValue
			case c == 't' || c == 'f' || c == 'n':
				if err := p.literal(); err != nil {
					return err
				}
				state = afterValue
			default:
				return p.unexpected("looking for the beginning of a value")
			}
		case wantKey:
			if p.i >= len(p.src) || p.src[p.i] != '"' {
				return p.unexpected("looking for the beginning of an object key")
			}
			if err := p.str(); err != nil || p.stopped {
				return err
			}
			p.skipSpace()
			if p.i >= len(p.src) || p.src[p.i] != ':' {
				return p.unexpected("after an object key")
			}
			p.i++
			p.emit(colon)
			state = wantValue
		case afterValue:
			if len(p.stack) == 0 {
				if p.i < len(p.src) {
					return p.unexpected("after the top-level value")
				}
				return nil
			}
			if p.i >= len(p.src) {
				return p.unexpected("")
			}
			top := p.stack[len(p.stack)-1]
			switch c := p.src[p.i]; {
			case c == ',':
				p.i++
				p.emitByte(',')
				if !p.newline() {
					return nil
				}
				state = wantValue
				if top == '{' {
					state = wantKey
				}
			case c == '}' && top == '{' || c == ']' && top == '[':
				p.i++
				p.stack = p.stack[:len(p.stack)-1]
				if !p.newline() {
					return nil
				}
				p.emitByte(c)
			default:
				return p.unexpected("after a value")
			}
		}
	}
	return nil
}

var (
	colon       = []byte(": ")
	emptyObject = []byte("{}")
	emptyArray  = []byte("[]")
	// spaces is the indentation of the deepest indented level.
	spaces = bytes.Repeat([]byte(" "), 2*maxIndent)
)

func (p *jsonPrinter) skipSpace() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonPrinter) emit(b []byte) {
	if p.write {
		p.out = append(p.out, b...)
		if len(p.out)-p.lineStart > p.limit {
			p.cut()
		}
	}
	p.n += len(b)
}

func (p *jsonPrinter) emitByte(c byte) {
	if p.write {
		p.out = append(p.out, c)
		if len(p.out)-p.lineStart > p.limit {
			p.cut()
		}
	}
	p.n++
}

// newline ends a line and indents the next one by the stack's depth (as a
// depth: the spaces are counted, not written). It reports false when the
// printer has written all the lines it may.
func (p *jsonPrinter) newline() bool {
	if p.maxLines > 0 && p.lines >= p.maxLines {
		p.stopped = true
		return false
	}
	depth := min(len(p.stack), maxIndent)
	if p.write {
		p.out = append(p.out, '\n')
		p.startLine(len(p.out), false, depth)
	} else {
		p.lines++
	}
	p.n += 1 + 2*depth
	p.indented += 2 * depth
	return true
}

// startLine records that a line indented depth levels starts at off.
func (p *jsonPrinter) startLine(off int, inString bool, depth int) {
	if p.lines%indexEvery == 0 {
		p.index = append(p.index, uint32(off))
	}
	if inString {
		p.strs = append(p.strs, uint32(p.lines))
	}
	p.depth = append(p.depth, uint8(depth))
	p.lineStart = off
	p.limit = maxLine - 2*depth
	p.lines++
}

// cut splits the current line where it has grown past maxLine with its
// indentation, the way bodyDoc.nextStart will find it again. The rest is
// a line of its own, not indented.
func (p *jsonPrinter) cut() {
	for len(p.out)-p.lineStart > p.limit {
		line := p.out[p.lineStart:]
		at := cutAt(line, p.limit)
		startsInString := lineStartsInString(p.strs, p.lines-1)
		inString := jsonStateAfter(line[:at], startsInString)
		p.startLine(p.lineStart+at, inString, 0)
	}
}

// lineStartsInString reports whether line was recorded in strs (the last
// entries are the newest, so look there first).
func lineStartsInString(strs []uint32, line int) bool {
	return len(strs) > 0 && strs[len(strs)-1] == uint32(line)
}

// str copies a string token, checking its escapes.
func (p *jsonPrinter) str() error {
	start := p.i
	p.i++ // the opening quote
	for {
		if p.i >= len(p.src) {
			if p.maxLines > 0 {
				p.emit(p.src[start:])
				p.stopped = true
				return nil
			}
			return p.unexpected("")
		}
		c := p.src[p.i]
		if !inStringSpecial[c] {
			p.i++
			for p.i < len(p.src) && !inStringSpecial[p.src[p.i]] {
				p.i++
			}
			continue
		}
		switch {
		case c == '"':
			p.i++
			p.emit(p.src[start:p.i])
			return nil
		case c == '\\':
			p.i++
			if p.i >= len(p.src) {
				continue // reported above
			}
			switch p.src[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				p.i++
				for k := 0; k < 4; k++ {
					if p.i >= len(p.src) {
						break
					}
					if !isHex(p.src[p.i]) {
						return p.unexpected("in a \\u escape")
					}
					p.i++
				}
			default:
				return p.unexpected("after a backslash in a string")
			}
		case c < ' ':
			return p.unexpected("in a string (a control character must be escaped)")
		default:
			p.i++
		}
	}
}

// inStringSpecial are the bytes that end a run of plain bytes in a string.
var inStringSpecial = func() (t [256]bool) {
	for c := range ' ' {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number copies a number token: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonPrinter) number() error {
	start := p.i
	digits := func() bool {
		from := p.i
		for p.i < len(p.src) && isDigit(p.src[p.i]) {
			p.i++
		}
		return p.i > from
	}
	if p.src[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.src) && p.src[p.i] == '0':
		p.i++
	case !digits():
		return p.unexpected("in a number")
	}
	if p.i < len(p.src) && p.src[p.i] == '.' {
		p.i++
		if !digits() {
			return p.unexpected("after the decimal point of a number")
		}
	}
	if p.i < len(p.src) && (p.src[p.i] == 'e' || p.src[p.i] == 'E') {
		p.i++
		if p.i < len(p.src) && (p.src[p.i] == '+' || p.src[p.i] == '-') {
			p.i++
		}
		if !digits() {
			return p.unexpected("in the exponent of a number")
		}
	}
	p.emit(p.src[start:p.i])
	return nil
}

func (p *jsonPrinter) literal() error {
	for _, lit := range []string{"true", "false", "null"} {
		if lit[0] != p.src[p.i] {
			continue
		}
		n := min(len(lit), len(p.src)-p.i)
		if string(p.src[p.i:p.i+n]) != lit[:n] {
			break
		}
		if n < len(lit) {
			p.i += n
			return p.unexpected("")
		}
		p.i += n
		p.emit(p.src[p.i-n : p.i])
		return nil
	}
	return p.unexpected("looking for true, false or null")
}
