package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
)

// bodyView draws a window of one bodyDoc: only the lines on screen are
// sanitized (connection.CleanText), highlighted and wrapped to the width,
// and kept in a small cache keyed by line number until the document, the
// width or the search marks change. Long lines wrap; the position is a
// line and a row within it, so a body of any size scrolls in constant
// time.
type bodyView struct {
	doc    *bodyDoc
	width  int
	height int
	top    bodyPos
	paints *paints
	// marks, when set, are the search matches to draw on a line.
	marks func(d *bodyDoc, line int) []lineMark
	cache map[int]rendered
	buf   []byte
	spans []span
	over  []span
}

// bodyPos is a line of a document and a row of that line once wrapped.
type bodyPos struct{ line, row int }

// rendered is one line as drawn: its rows, each at most the view's width.
type rendered []renderedRow

// renderedRow is a row, and where in the line (bytes) it starts.
type renderedRow struct {
	text string
	from int
}

// lineMark is a search match on one line, [start, end) in bytes.
type lineMark struct {
	start, end int
	current    bool
}

// paint is a style as the text written before and after a run, so runs
// are styled by concatenation: lipgloss.Style.Render per token is too slow
// for a screen of highlighted JSON.
type paint struct{ pre, post string }

type paints [numTokenClasses]paint

// newPaints takes the styles apart once. Under the ASCII profile (NO_COLOR,
// tests) styles write nothing; search matches are then drawn in reverse
// video, which is not colour, so they can still be seen.
func newPaints(st *Styles) *paints {
	var p paints
	set := func(c tokenClass, s lipgloss.Style, fallback string) {
		pre, post, _ := strings.Cut(s.Render("x"), "x")
		if pre == "" && fallback != "" {
			pre, post = fallback, "\x1b[0m"
		}
		p[c] = paint{pre, post}
	}
	set(tokKey, st.JSONKey, "")
	set(tokString, st.JSONString, "")
	set(tokNumber, st.JSONNumber, "")
	set(tokLiteral, st.JSONLiteral, "")
	set(tokPunct, st.JSONPunct, "")
	set(tokMatch, st.SearchMatch, "\x1b[7m")
	set(tokCurrent, st.SearchCurrent, "\x1b[1;4;7m")
	set(tokField, st.Accent, "")
	set(tokTitle, st.SectionTitle, "")
	set(tokFaint, st.Faint, "")
	set(tokWarning, st.Warning, "")
	set(tokError, st.Error, "")
	return &p
}

func newBodyView(d *bodyDoc, p *paints) *bodyView {
	return &bodyView{doc: d, paints: p, cache: map[int]rendered{}}
}

// setDoc shows another document (the whole body after its first
// screenful): the position stays where it can.
func (v *bodyView) setDoc(d *bodyDoc) {
	v.doc = d
	v.invalidate()
	if d == nil || d.n == 0 {
		v.top = bodyPos{}
		return
	}
	v.top.line = min(v.top.line, d.n-1)
	v.clamp()
}

func (v *bodyView) setSize(w, h int) {
	if w != v.width {
		v.invalidate()
		v.top.row = 0
	}
	v.width, v.height = max(w, 1), max(h, 1)
}

// invalidate forgets every drawn line: the marks changed.
func (v *bodyView) invalidate() { clear(v.cache) }

// line draws line i, or takes it from the cache.
func (v *bodyView) line(i int) rendered {
	if r, ok := v.cache[i]; ok {
		return r
	}
	if len(v.cache) > 4*v.height+64 {
		clear(v.cache)
	}
	d := v.doc
	text := d.line(i, v.buf)
	if d.madeInBuf() {
		v.buf = text
	}
	v.spans = v.spans[:0]
	switch d.kind {
	case docJSON:
		v.spans = jsonSpans(text, d.startsInString(i), v.spans)
	case docMeta:
		v.spans = metaSpans(text, d.roles[i], v.spans)
	default:
		v.spans = append(v.spans, span{0, len(text), tokPlain})
	}
	spans := v.spans
	if v.marks != nil {
		if ms := v.marks(d, i); len(ms) > 0 {
			v.over = overlay(v.spans, ms, v.over[:0])
			spans = v.over
		}
	}
	r := wrapSpans(text, spans, v.width, v.paints)
	v.cache[i] = r
	return r
}

// overlay splits spans where search marks start and end, the marks taking
// the mark's class.
func overlay(spans []span, marks []lineMark, out []span) []span {
	for _, s := range spans {
		pos := s.start
		for _, m := range marks {
			if m.end <= pos || m.start >= s.end {
				continue
			}
			if m.start > pos {
				out = append(out, span{pos, m.start, s.class})
			}
			end := min(m.end, s.end)
			class := tokMatch
			if m.current {
				class = tokCurrent
			}
			out = append(out, span{max(m.start, pos), end, class})
			pos = end
		}
		if pos < s.end {
			out = append(out, span{pos, s.end, s.class})
		}
	}
	return out
}

// tabSpaces is what a tab is drawn as: lipgloss draws one as four spaces,
// and a width counted with it as zero would overflow the pane.
const tabSpaces = "    "

// wrapSpans sanitizes and styles the runs of a line and cuts it into rows
// of at most width cells, counting cells as lipgloss does (ansi's grapheme
// widths), so the pane never has to wrap a row again. The line is cleaned
// whole; only when that changed it are its runs cleaned one by one (the
// runs' offsets are in the line as received).
func wrapSpans(text []byte, spans []span, width int, p *paints) rendered {
	line := string(text)
	same := connection.CleanText(line) == line
	size := len(line)
	for _, sp := range spans {
		size += len(p[sp.class].pre) + len(p[sp.class].post)
	}
	r := make(rendered, 0, 1)
	var row strings.Builder
	row.Grow(size)
	used, from := 0, 0
	flush := func(next int) {
		r = append(r, renderedRow{row.String(), from})
		row = strings.Builder{}
		row.Grow(min(size, 4*width))
		used, from = 0, next
	}
	for _, sp := range spans {
		piece := line[sp.start:sp.end]
		if !same {
			piece = connection.CleanText(piece)
		}
		if strings.IndexByte(piece, '\t') >= 0 {
			piece = strings.ReplaceAll(piece, "\t", tabSpaces)
		}
		// Where a row starts inside a run is exact when the run is drawn as
		// received, else the run's start.
		exact := len(piece) == sp.end-sp.start
		pt := p[sp.class]
		done := 0
		for done < len(piece) {
			n, w := fit(piece[done:], width-used)
			if n == 0 {
				if used > 0 {
					next := sp.start
					if exact {
						next += done
					}
					flush(next)
					continue
				}
				// One cluster wider than the row: it goes alone.
				cl, cw := ansi.FirstGraphemeCluster(piece[done:], ansi.GraphemeWidth)
				n, w = len(cl), cw
			}
			row.WriteString(pt.pre)
			row.WriteString(piece[done : done+n])
			row.WriteString(pt.post)
			used += w
			done += n
		}
	}
	r = append(r, renderedRow{row.String(), from})
	return r
}

// fit is how many bytes of s, and how many cells, fit in room cells.
func fit(s string, room int) (n, w int) {
	for n < len(s) {
		if s[n] < utf8.RuneSelf {
			if w+1 > room {
				break
			}
			n++
			w++
			continue
		}
		cl, cw := ansi.FirstGraphemeCluster(s[n:], ansi.GraphemeWidth)
		if w+cw > room {
			break
		}
		n += len(cl)
		w += cw
	}
	return n, w
}

// rows are the rows on screen, at most height of them.
func (v *bodyView) rows() []string {
	out := make([]string, 0, v.height)
	if v.doc == nil {
		return out
	}
	for i := v.top.line; i < v.doc.n && len(out) < v.height; i++ {
		rows := v.line(i)
		if i == v.top.line {
			rows = rows[min(v.top.row, len(rows)-1):]
		}
		for _, r := range rows[:min(len(rows), v.height-len(out))] {
			out = append(out, r.text)
		}
	}
	return out
}

// lastLine is the last line with a row on screen.
func (v *bodyView) lastLine() int {
	if v.doc == nil || v.doc.n == 0 {
		return 0
	}
	left := v.height
	i := v.top.line
	for ; i < v.doc.n; i++ {
		n := len(v.line(i))
		if i == v.top.line {
			n -= v.top.row
		}
		left -= n
		if left <= 0 {
			return i
		}
	}
	return v.doc.n - 1
}

// down scrolls n rows towards the end, up n rows towards the start.
func (v *bodyView) down(n int) {
	if v.doc == nil {
		return
	}
	for ; n > 0; n-- {
		switch {
		case v.top.row+1 < len(v.line(v.top.line)):
			v.top.row++
		case v.top.line+1 < v.doc.n:
			v.top = bodyPos{v.top.line + 1, 0}
		default:
			n = 0
		}
	}
	v.clamp()
}

func (v *bodyView) up(n int) {
	if v.doc == nil {
		return
	}
	for ; n > 0; n-- {
		switch {
		case v.top.row > 0:
			v.top.row--
		case v.top.line > 0:
			v.top.line--
			v.top.row = len(v.line(v.top.line)) - 1
		default:
			n = 0
		}
	}
}

func (v *bodyView) toTop() { v.top = bodyPos{} }

func (v *bodyView) toBottom() {
	if v.doc == nil || v.doc.n == 0 {
		return
	}
	v.top = v.bottom()
}

// bottom is the position that shows the last row at the foot of the view.
func (v *bodyView) bottom() bodyPos {
	left := v.height
	for i := v.doc.n - 1; i >= 0; i-- {
		n := len(v.line(i))
		if n >= left {
			return bodyPos{i, n - left}
		}
		left -= n
	}
	return bodyPos{}
}

// clamp keeps the view from scrolling past the bottom: it looks at most a
// screen ahead.
func (v *bodyView) clamp() {
	if v.doc == nil || v.doc.n == 0 {
		return
	}
	left := v.height
	for i := v.top.line; i < v.doc.n; i++ {
		n := len(v.line(i))
		if i == v.top.line {
			n -= v.top.row
		}
		left -= n
		if left <= 0 {
			return
		}
	}
	v.top = v.bottom()
}

// show scrolls so that byte col of line is on screen, with a few lines
// above it when it had to move.
func (v *bodyView) show(line, col int) {
	if v.doc == nil || line >= v.doc.n {
		return
	}
	row := 0
	for k, r := range v.line(line) {
		if r.from <= col && k > 0 {
			row = k
		}
	}
	target := bodyPos{line, row}
	if !before(target, v.top) && v.visible(target) {
		return
	}
	v.top = target
	v.up(min(3, v.height/3))
	v.clamp()
}

func before(a, b bodyPos) bool { return a.line < b.line || a.line == b.line && a.row < b.row }

// visible reports whether the row at p is on screen (p is not above the top).
func (v *bodyView) visible(p bodyPos) bool {
	left := v.height
	for i := v.top.line; i <= p.line && i < v.doc.n; i++ {
		n := len(v.line(i))
		start := 0
		if i == v.top.line {
			start = v.top.row
		}
		if i == p.line {
			return p.row-start < left
		}
		left -= n - start
		if left <= 0 {
			return false
		}
	}
	return false
}
