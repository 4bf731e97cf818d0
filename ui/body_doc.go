package ui

import (
	"bytes"
	"unicode/utf8"
)

// A bodyDoc is what one tab of the response pane shows, as lines of text:
// the body pretty-printed or as it came, a hex dump, the headers. It is
// built once, off the UI goroutine when it is big, and never changed
// after, so a search running in a tea.Cmd reads it while the pane draws
// it. Nothing is sanitized or styled here: the pane does that for the
// lines it draws (bodyview.go), and only for those.
//
// Lines are not stored one by one (a []string of a 50 MB body would take
// more memory than the body): text holds them all, and index the start of
// every indexEvery-th line; the lines between are found by nextStart,
// which reads at most maxLine bytes a line. A line longer than maxLine is
// cut into pieces of at most maxLine bytes — a minified body or a base64
// string becomes many lines — so drawing one line costs little whatever
// the body.
//
// A JSON document's text holds its lines without their indentation, which
// would be most of a pretty-printed body: depth gives it back, a byte a
// line, when a line is read. A line is cut at maxLine bytes counting its
// indentation, as it is drawn.
type bodyDoc struct {
	kind  docKind
	text  []byte
	n     int      // lines
	index []uint32 // start of lines 0, indexEvery, 2*indexEvery, ...
	// depth is, for JSON, each line's indentation in levels of two spaces
	// (at most maxIndent), which text leaves out; nil for the others.
	depth []uint8
	// strs are, for JSON, the lines (sorted) that start inside a string: a
	// long string was cut there. The highlighter starts them as string.
	strs []uint32
	// roles are, for the headers tab, how each line is styled.
	roles []lineRole
	// partial is the first screenful of a big body, shown while the rest is
	// formatted: scrolling stops at its end.
	partial bool
	// per is how many bytes a hex dump line shows.
	per int
}

// docKind is how a document's lines are drawn.
type docKind uint8

const (
	docText docKind = iota // as they are
	docJSON                // highlighted as JSON
	docHex                 // a hex dump of text, made a line at a time
	docMeta                // styled by roles
)

func (k docKind) String() string {
	return [...]string{"text", "json", "hex", "meta"}[k]
}

const (
	// maxLine is the longest line of a document, in bytes.
	maxLine = 2048
	// indexEvery is how many lines apart the index keeps a start.
	indexEvery = 8
	// maxDocSize bounds a document's text: offsets are uint32.
	maxDocSize = 1<<31 - 1
	// hexWidth is how many bytes a hex dump line shows at most: fewer
	// (hexPerLine) in a narrow pane, so its lines do not wrap.
	hexWidth = 16
)

// cutAt is where a line longer than limit (b holds more than limit
// bytes and no newline in its first limit+1) is cut: at most limit bytes
// in, on a rune boundary, and never between a backslash and the character
// it escapes, so a JSON escape stays in one piece. (A run of backslashes
// is pairs from its start, and an earlier cut kept them so.) limit is
// maxLine less the line's indentation.
func cutAt(b []byte, limit int) int {
	at := limit
	for at > limit-utf8.UTFMax && !utf8.RuneStart(b[at]) {
		at--
	}
	run := 0
	for run < at && b[at-1-run] == '\\' {
		run++
	}
	if run%2 == 1 {
		at--
	}
	return at
}

// nextLine is where the line after the one starting at s starts; the end
// of text when it is the last one.
func nextLine(text []byte, s int) int { return nextLineWithin(text, s, maxLine) }

// nextLineWithin is nextLine for a line that may hold limit bytes of
// text: maxLine less its indentation.
func nextLineWithin(text []byte, s, limit int) int {
	end := min(len(text), s+limit+1)
	if i := bytes.IndexByte(text[s:end], '\n'); i >= 0 {
		return s + i + 1
	}
	if len(text)-s <= limit {
		return len(text)
	}
	return s + cutAt(text[s:], limit)
}

// indent is how many spaces line i starts with that text leaves out.
func (d *bodyDoc) indent(i int) int {
	if d.depth == nil {
		return 0
	}
	return 2 * int(d.depth[i])
}

// nextStart is where line i+1 starts in text, line i starting at s.
func (d *bodyDoc) nextStart(i, s int) int {
	if d.depth == nil {
		return nextLine(d.text, s)
	}
	return nextLineWithin(d.text, s, maxLine-d.indent(i))
}

// appendLine appends line i, starting at s in text and ending before
// next, as it is drawn: its indentation, then its text with the newline
// that ends it, if any.
func (d *bodyDoc) appendLine(buf []byte, i, s, next int) []byte {
	buf = append(buf, spaces[:d.indent(i)]...)
	return append(buf, d.text[s:next]...)
}

// madeInBuf reports whether line makes its lines in the buffer it is
// given (a hex dump, indented JSON), rather than returning text's bytes.
func (d *bodyDoc) madeInBuf() bool { return d.kind == docHex || d.depth != nil }

// lineEnd trims the newline (and a carriage return before it) off the
// line text[s:next].
func lineEnd(text []byte, s, next int) int {
	e := next
	if e > s && text[e-1] == '\n' {
		e--
		if e > s && text[e-1] == '\r' {
			e--
		}
	}
	return e
}

// indexText indexes text's lines as they are, at most maxLines of them
// when maxLines > 0 (the document is then partial if there are more).
func indexText(text []byte, maxLines int) *bodyDoc {
	if len(text) > maxDocSize {
		text = text[:maxDocSize]
	}
	d := &bodyDoc{kind: docText, text: text}
	d.index = make([]uint32, 0, len(text)/(40*indexEvery)+1)
	for s := 0; s < len(text); d.n++ {
		if maxLines > 0 && d.n == maxLines {
			d.partial = true
			break
		}
		if d.n%indexEvery == 0 {
			d.index = append(d.index, uint32(s))
		}
		s = nextLine(text, s)
	}
	return d
}

// hexDoc shows b as a hex dump, per bytes a line.
func hexDoc(b []byte, per int) *bodyDoc {
	return &bodyDoc{kind: docHex, text: b, n: (len(b) + per - 1) / per, per: per}
}

// hexPerLine is how many bytes a hex dump line shows in width cells: 16,
// 8 or 4 (a line of n bytes is 4n+14 cells wide).
func hexPerLine(width int) int {
	for per := hexWidth; per > 4; per /= 2 {
		if 4*per+14 <= width {
			return per
		}
	}
	return 4
}

// lineStart is where line i starts in text.
func (d *bodyDoc) lineStart(i int) int {
	if d.kind == docHex {
		return i * d.per
	}
	k := i - i%indexEvery
	s := int(d.index[k/indexEvery])
	for ; k < i; k++ {
		s = d.nextStart(k, s)
	}
	return s
}

// line is line i, without its newline; a hex line, and a JSON line with
// its indentation, is made in buf.
func (d *bodyDoc) line(i int, buf []byte) []byte {
	if i < 0 || i >= d.n {
		return nil
	}
	if d.kind == docHex {
		return hexLine(buf[:0], d.text, i, d.per)
	}
	s := d.lineStart(i)
	e := lineEnd(d.text, s, d.nextStart(i, s))
	if d.depth != nil {
		return d.appendLine(buf[:0], i, s, e)
	}
	return d.text[s:e]
}

// startsInString reports whether JSON line i starts inside a string.
func (d *bodyDoc) startsInString(i int) bool {
	lo, hi := 0, len(d.strs)
	for lo < hi {
		m := (lo + hi) / 2
		if d.strs[m] < uint32(i) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(d.strs) && d.strs[lo] == uint32(i)
}

// each calls fn with every line from the first, in order, until it
// returns false. Lines are read in sequence, not through the index.
func (d *bodyDoc) each(fn func(i int, line []byte) bool) {
	if d.kind == docHex {
		var buf []byte
		for i := range d.n {
			buf = hexLine(buf[:0], d.text, i, d.per)
			if !fn(i, buf) {
				return
			}
		}
		return
	}
	var buf []byte
	s := 0
	for i := range d.n {
		next := d.nextStart(i, s)
		e := lineEnd(d.text, s, next)
		line := d.text[s:e]
		if d.depth != nil {
			buf = d.appendLine(buf[:0], i, s, e)
			line = buf
		}
		if !fn(i, line) {
			return
		}
		s = next
	}
}

// lineAt is the line holding byte off of text (not for hex), and where
// that line starts: a binary search of the index, then a short scan.
func (d *bodyDoc) lineAt(off int) (line, start int) {
	lo, hi := 0, len(d.index)
	for lo < hi {
		m := (lo + hi) / 2
		if int(d.index[m]) <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	k := max(lo-1, 0)
	line, start = k*indexEvery, int(d.index[k])
	for line+1 < d.n {
		next := d.nextStart(line, start)
		if next > off {
			break
		}
		line, start = line+1, next
	}
	return line, start
}

const hexDigits = "0123456789abcdef"

// hexLine appends line i of the hex dump of b, per bytes a line, in the
// layout of encoding/hex.Dump: offset, the bytes in groups of eight, and
// those that are printable ASCII.
func hexLine(buf, b []byte, i, per int) []byte {
	off := i * per
	row := b[off:min(off+per, len(b))]
	for shift := 28; shift >= 0; shift -= 4 {
		buf = append(buf, hexDigits[off>>shift&0xf])
	}
	buf = append(buf, ' ', ' ')
	for k := range per {
		if k < len(row) {
			buf = append(buf, hexDigits[row[k]>>4], hexDigits[row[k]&0xf], ' ')
		} else {
			buf = append(buf, ' ', ' ', ' ')
		}
		if k%8 == 7 && k+1 < per {
			buf = append(buf, ' ')
		}
	}
	buf = append(buf, ' ', '|')
	for _, c := range row {
		if c < ' ' || c > '~' {
			c = '.'
		}
		buf = append(buf, c)
	}
	return append(buf, '|')
}

// lineRole is how a line of the headers tab is drawn.
type lineRole uint8

const (
	rolePlain   lineRole = iota
	roleTitle            // a section title
	roleField            // "Name: value", the name accented
	roleFaint            // said in passing
	roleWarning          // a note
	roleError            // what went wrong
	roleMore             // the rest of a line cut at maxLine: plain
)

// metaLine is one line of the headers tab before it is a document.
type metaLine struct {
	role lineRole
	text string
}

// metaDoc makes the headers tab's document. A newline inside a line's
// text (an error message) becomes a space: each metaLine is one line.
func metaDoc(lines []metaLine) *bodyDoc {
	var b []byte
	var roles []lineRole
	for _, l := range lines {
		start := len(b)
		b = append(b, bytes.ReplaceAll([]byte(l.text), []byte("\n"), []byte(" "))...)
		b = append(b, '\n')
		role := l.role
		for s := start; s < len(b); s = nextLine(b, s) {
			roles = append(roles, role)
			role = roleMore
		}
	}
	d := indexText(b, 0)
	d.kind = docMeta
	d.roles = roles
	return d
}
