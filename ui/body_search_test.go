package ui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// findInText is the search as it reads: over the lines as drawn, one text,
// each match on the line it starts on, cut at that line's end.
func findInText(text []byte, n int, query string) []docMatch {
	m := newMatcher(query)
	m.reset()
	var out []docMatch
	var starts []int
	for s := 0; len(starts) < n; s = nextLine(text, s) {
		starts = append(starts, s)
	}
	line := 0
	for from := 0; ; {
		start, end := m.next(text, from)
		if start < 0 {
			return out
		}
		for line+1 < n && starts[line+1] <= start {
			line++
		}
		next := len(text)
		if line+1 < n {
			next = starts[line+1]
		}
		if le := lineEnd(text, starts[line], next); start < le {
			out = append(out, docMatch{uint32(line), uint32(start - starts[line]), uint32(min(end, le) - starts[line])})
		}
		from = end
	}
}

// The matches in a JSON document, whose text leaves the indentation out,
// are those in its lines as drawn: at the columns drawn, in the
// indentation when the query has spaces, across a cut line; in chunks of
// any size.
func TestFindAllAsDrawn(t *testing.T) {
	docs := map[string]string{
		"records": string(bigJSON(120)),
		"long":    `{"a":[{"b":"` + strings.Repeat("zürich ", 700) + `"},"` + strings.Repeat(`\\é`, 1500) + `"]}`,
		"deep":    strings.Repeat(`{"k":[`, 40) + `"v"` + strings.Repeat("]}", 40),
		"cut":     `[[[["` + strings.Repeat("ab", 3000) + `"]]]]`,
	}
	queries := []string{"zürich", "ZÜRICH", "Zürich", `"id"`, `    "id"`, "  ", " ", "\n", "\"\n  ", "},\n    {", "ba", "\\\\", "é", "É", `"v"`, "{\n"}
	for name, src := range docs {
		d, err := prettyJSON([]byte(src), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.depth == nil {
			t.Fatalf("%s: no depths", name)
		}
		text := indented(d)
		if len(d.text) >= len(text) {
			t.Fatalf("%s: the text (%d bytes) is not smaller than the lines drawn (%d)", name, len(d.text), len(text))
		}
		for _, q := range queries {
			want := findInText(text, d.n, q)
			for _, size := range []int{0, 1, 100, searchChunk} {
				got, _ := findLines(d, newMatcher(q), size)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s, %q in chunks of %d: %d matches %v, want %d %v", name, q, size, len(got), head(got), len(want), head(want))
				}
			}
			got, _ := findAll(d, q)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, %q: findAll differs", name, q)
			}
			for _, m := range want {
				line := d.line(int(m.line), nil)
				if m.end > uint32(len(line)) {
					t.Fatalf("%s, %q: match %v past its line %q", name, q, m, line)
				}
			}
		}
	}
	if got := findInText([]byte("{\n  \"id\": 1\n}"), 3, ` "id"`); fmt.Sprint(got) != "[{1 1 6}]" {
		t.Fatalf("the reference search is wrong: %v", got)
	}
}

func head(ms []docMatch) []docMatch { return ms[:min(len(ms), 5)] }
