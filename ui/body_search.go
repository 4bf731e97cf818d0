package ui

import (
	"bytes"
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
)

// Search in the response pane: / asks for text, enter finds every match in
// the current tab's document — in a tea.Cmd when the document is big —
// and n / N move between them, wrapping. The search is smart-case: a
// query without capitals ignores case (Unicode simple folding), one with
// a capital matches it exactly. Matches are found in the lines as
// received, before sanitizing, so a match is what the server sent.

// maxMatches bounds the matches kept of one search (12 bytes each): past
// it the count says "1000000+".
const maxMatches = 1_000_000

// docMatch is a match: a line and bytes [start, end) of it.
type docMatch struct{ line, start, end uint32 }

// bodySearch is the search of a pane, once asked.
type bodySearch struct {
	query   string
	seq     uint64
	target  *bodyDoc // what it searches
	doc     *bodyDoc // what the matches are in; nil while searching
	matches []docMatch
	capped  bool
	cur     int
}

// bodySearchedMsg brings the matches of a search run in a Cmd.
type bodySearchedMsg struct {
	seq     uint64
	doc     *bodyDoc
	matches []docMatch
	capped  bool
}

// searchCmd finds query in d.
func searchCmd(seq uint64, d *bodyDoc, query string) tea.Cmd {
	return func() tea.Msg {
		ms, capped := findAll(d, query)
		return bodySearchedMsg{seq: seq, doc: d, matches: ms, capped: capped}
	}
}

// status is "3/120", "searching…" or "no match".
func (s *bodySearch) status() string {
	switch {
	case s.doc == nil:
		return "searching…"
	case len(s.matches) == 0:
		return "no match"
	case s.capped:
		return fmt.Sprintf("%d/%d+", s.cur+1, len(s.matches))
	}
	return fmt.Sprintf("%d/%d", s.cur+1, len(s.matches))
}

// marks are the matches on line i of d, for drawing.
func (s *bodySearch) marks(d *bodyDoc, i int) []lineMark {
	if s == nil || d != s.doc || len(s.matches) == 0 {
		return nil
	}
	k := sort.Search(len(s.matches), func(k int) bool { return s.matches[k].line >= uint32(i) })
	var out []lineMark
	for ; k < len(s.matches) && s.matches[k].line == uint32(i); k++ {
		m := s.matches[k]
		out = append(out, lineMark{int(m.start), int(m.end), k == s.cur})
	}
	return out
}

// from is the first match at or after line (wrapping to the first).
func (s *bodySearch) from(line int) int {
	k := sort.Search(len(s.matches), func(k int) bool { return s.matches[k].line >= uint32(line) })
	if k == len(s.matches) {
		return 0
	}
	return k
}

// findAll finds every match of query in d, in order, at most maxMatches.
func findAll(d *bodyDoc, query string) ([]docMatch, bool) {
	m := newMatcher(query)
	if m == nil || d == nil || d.n == 0 {
		return nil, false
	}
	var out []docMatch
	if d.kind == docHex {
		capped := false
		d.each(func(i int, line []byte) bool {
			m.reset()
			for from := 0; ; {
				start, end := m.next(line, from)
				if start < 0 {
					return true
				}
				if len(out) == maxMatches {
					capped = true
					return false
				}
				out = append(out, docMatch{uint32(i), uint32(start), uint32(end)})
				from = end
			}
		})
		return out, capped
	}
	return findLines(d, m, searchChunk)
}

// searchChunk is about how many bytes of lines findLines searches at once.
const searchChunk = 1 << 20

// findLines finds m in d's lines as they are drawn — a JSON line with its
// indentation, which the text leaves out — as if they were one text: a
// chunk of whole lines, about size bytes, is put together at a time and
// searched. A match is taken only where it cannot run past the chunk's
// end (it is at most utf8.UTFMax bytes a byte of the query); the search
// goes on in the next chunk, which starts with the line holding where it
// stopped. A chunk is bigger than that line and two matches' worth of
// bytes, so every chunk moves the search on.
func findLines(d *bodyDoc, m *matcher, size int) ([]docMatch, bool) {
	span := utf8.UTFMax * len(m.q)
	chunk := max(size, 4*span+2*maxLine)
	buf := make([]byte, 0, chunk+maxLine+1)
	var starts []int // where the lines in buf start in it
	var out []docMatch
	first := 0      // the line starts[0] is
	line, s := 0, 0 // the next line to put in buf, and where it starts in text
	from := 0
	for {
		for len(buf) < chunk && line < d.n {
			next := d.nextStart(line, s)
			starts = append(starts, len(buf))
			buf = d.appendLine(buf, line, s, next)
			line, s = line+1, next
		}
		safe := len(buf)
		if line < d.n {
			safe -= span
		}
		m.reset()
		k := 0 // the line in buf of the last match: they are walked forward
		for {
			start, end := m.next(buf, from)
			if start < 0 || start >= safe {
				break
			}
			for k+1 < len(starts) && starts[k+1] <= start {
				k++
			}
			if len(out) == maxMatches {
				return out, true
			}
			ls, next := starts[k], len(buf)
			if k+1 < len(starts) {
				next = starts[k+1]
			}
			if le := lineEnd(buf, ls, next); start < le {
				out = append(out, docMatch{uint32(first + k), uint32(start - ls), uint32(min(end, le) - ls)})
			}
			from = end
		}
		if line >= d.n {
			return out, false
		}
		// No match starts before at: keep the lines from the one holding it.
		at := max(from, safe)
		for k+1 < len(starts) && starts[k+1] <= at {
			k++
		}
		drop := starts[k]
		buf = buf[:copy(buf, buf[drop:])]
		starts = starts[:copy(starts, starts[k:])]
		for j := range starts {
			starts[j] -= drop
		}
		first += k
		from = at - drop
	}
}

// matcher finds a query: exactly, or ignoring case.
type matcher struct {
	q    []byte
	fold bool
	// firsts are the forms the query's first rune takes under folding;
	// pos where each is next in the text searched.
	firsts [][]byte
	pos    []int
}

func newMatcher(query string) *matcher {
	if query == "" {
		return nil
	}
	m := &matcher{q: []byte(query)}
	for _, r := range query {
		if unicode.IsUpper(r) {
			return m // smart case: a capital means exactly this
		}
	}
	m.fold = true
	r, _ := utf8.DecodeRuneInString(query)
	for f := r; ; {
		m.firsts = append(m.firsts, utf8.AppendRune(nil, f))
		if f = unicode.SimpleFold(f); f == r {
			break
		}
	}
	return m
}

// reset starts searching another text: next is then called with it.
func (m *matcher) reset() {
	m.pos = m.pos[:0]
	for range m.firsts {
		m.pos = append(m.pos, -2) // not looked for yet
	}
}

// next is the first match in s at or after from, or -1. Between resets,
// s is one text and from only grows.
func (m *matcher) next(s []byte, from int) (int, int) {
	if !m.fold {
		i := bytes.Index(s[from:], m.q)
		if i < 0 {
			return -1, -1
		}
		return from + i, from + i + len(m.q)
	}
	// Candidates are where a form of the first rune is; each form's next
	// place is kept, so a frequent form does not make a rare one rescan.
	pos := m.pos
	for {
		best := -1
		for k, f := range m.firsts {
			if pos[k] != -1 && pos[k] < from {
				if i := bytes.Index(s[from:], f); i >= 0 {
					pos[k] = from + i
				} else {
					pos[k] = -1
				}
			}
			if pos[k] >= 0 && (best < 0 || pos[k] < best) {
				best = pos[k]
			}
		}
		if best < 0 {
			return -1, -1
		}
		if n, ok := prefixFold(s[best:], m.q); ok {
			return best, best + n
		}
		from = best + 1
	}
}

// prefixFold reports whether s starts with q ignoring case, and how many
// bytes of s that is.
func prefixFold(s, q []byte) (int, bool) {
	i, j := 0, 0
	for j < len(q) {
		if i >= len(s) {
			return 0, false
		}
		qc, sc := q[j], s[i]
		if qc < utf8.RuneSelf && sc < utf8.RuneSelf {
			if qc != sc && lowerASCII(qc) != lowerASCII(sc) {
				return 0, false
			}
			i, j = i+1, j+1
			continue
		}
		qr, qn := utf8.DecodeRune(q[j:])
		sr, sn := utf8.DecodeRune(s[i:])
		if !equalFold(qr, sr) {
			return 0, false
		}
		i, j = i+sn, j+qn
	}
	return i, true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func equalFold(a, b rune) bool {
	if a == b {
		return true
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}
