package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"patchbay/connection"
)

// jsonDepth is how deeply src's arrays and objects nest.
func jsonDepth(src []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// checkPretty holds prettyJSON to its promises on src: it formats exactly
// what encoding/json accepts; the output is JSON equal to src once
// compacted, and json.Indent's output itself while the nesting is within
// maxIndent; and the document's lines are its text's lines.
func checkPretty(t *testing.T, src []byte) {
	t.Helper()
	d, err := prettyJSON(src, 0)
	if valid := json.Valid(src); valid != (err == nil) {
		t.Fatalf("prettyJSON(%q): err %v, but json.Valid says %v", src, err, valid)
	}
	if err != nil {
		docs := formatBody(formatInput{resp: connection.Response{Body: src}})
		if docs.json || !docs.binary && docs.body != docs.raw {
			t.Fatalf("invalid JSON %q is not shown as text", src)
		}
		return
	}
	var want, got bytes.Buffer
	if err := json.Compact(&want, src); err != nil {
		t.Fatal(err)
	}
	text := indented(d)
	if err := json.Compact(&got, text); err != nil {
		t.Fatalf("output is not JSON (%v): %q", err, text)
	}
	if !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Fatalf("output compacts to %q, input to %q", got.Bytes(), want.Bytes())
	}
	if jsonDepth(src) <= maxIndent {
		var indented bytes.Buffer
		if err := json.Indent(&indented, src, "", "  "); err != nil {
			t.Fatal(err)
		}
		if want := bytes.TrimRight(indented.Bytes(), " \t\r\n"); !bytes.Equal(text, want) {
			t.Fatalf("output differs from json.Indent:\n%s\nwant\n%s", text, want)
		}
	}
	checkLines(t, d)
	checkStrings(t, d)
}

// indented is d's text as drawn: each line with its indentation.
func indented(d *bodyDoc) []byte {
	var out []byte
	for i, s := 0, 0; i < d.n; i++ {
		next := d.nextStart(i, s)
		out = d.appendLine(out, i, s, next)
		s = next
	}
	return out
}

// checkLines: every newline starts a line; a line starts elsewhere only
// where a line without newline reached maxLine with its indentation (less
// a rune and a backslash); no line holds a newline or passes maxLine; a
// line that starts inside another's is not indented; the index agrees
// with a walk through the text, and random access with the walk.
func checkLines(t *testing.T, d *bodyDoc) {
	t.Helper()
	var starts []int
	for s := 0; s < len(d.text); s = d.nextStart(len(starts)-1, s) {
		starts = append(starts, s)
	}
	if d.depth != nil && len(d.text) > 0 && d.text[len(d.text)-1] == '\n' {
		// The last line of a prefix cut after a newline: its indentation.
		if len(starts) >= d.n || d.indent(len(starts)) == 0 {
			t.Fatalf("the text ends with a newline, and line %d is not indented", len(starts))
		}
		starts = append(starts, len(d.text))
	}
	if len(d.text) == 0 {
		starts = []int{0}
	}
	if len(starts) != d.n {
		t.Fatalf("document has %d lines, its text %d", d.n, len(starts))
	}
	isStart := map[int]bool{}
	for k, s := range starts {
		isStart[s] = true
		end := len(d.text)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		line := d.text[s:end]
		body := bytes.TrimSuffix(line, []byte("\n"))
		w := d.indent(k)
		if bytes.IndexByte(body, '\n') >= 0 || w+len(body) > maxLine {
			t.Fatalf("line %d is %d bytes with a newline inside: %q", k, w+len(body), body)
		}
		if len(body) == len(line) && end < len(d.text) && w+len(body) < maxLine-utf8.UTFMax-1 {
			t.Fatalf("line %d (%d bytes) ends without a newline", k, w+len(body))
		}
		if w > 0 && (s == 0 || d.text[s-1] != '\n') {
			t.Fatalf("line %d is indented but does not follow a newline", k)
		}
		if k%indexEvery == 0 && int(d.index[k/indexEvery]) != s {
			t.Fatalf("index[%d] = %d, line %d starts at %d", k/indexEvery, d.index[k/indexEvery], k, s)
		}
		if got := d.lineStart(k); got != s {
			t.Fatalf("lineStart(%d) = %d, want %d", k, got, s)
		}
	}
	for i, c := range d.text {
		if c == '\n' && i+1 < len(d.text) && !isStart[i+1] {
			t.Fatalf("no line starts after the newline at %d", i)
		}
	}
	var walked [][]byte
	d.each(func(i int, line []byte) bool {
		walked = append(walked, line)
		if !bytes.Equal(line, d.line(i, nil)) {
			t.Fatalf("line %d walked %q, read %q", i, line, d.line(i, nil))
		}
		return true
	})
	if len(walked) != d.n {
		t.Fatalf("walked %d lines of %d", len(walked), d.n)
	}
}

// checkStrings: the lines the document says start inside a string are
// those the highlighter's state, carried from the first line, says.
func checkStrings(t *testing.T, d *bodyDoc) {
	t.Helper()
	in := false
	d.each(func(i int, line []byte) bool {
		if d.startsInString(i) != in {
			t.Fatalf("line %d starts in a string: %v, recorded %v (%q)", i, in, d.startsInString(i), line)
		}
		in = jsonStateAfter(line, in)
		return true
	})
}

func TestPrettyJSON(t *testing.T) {
	for _, src := range []string{
		`{"a":[1,2,{"b":"c"}],"e":{},"f":[],"g":null,"h":true,"i":false,"j":-0.5e+10}`,
		` [ ] `, `"just a string"`, `0`, `-1.5E-3`, `{"a\"b":"\\","u":"\u00e9\ud83d\ude00"}`,
		"{\"tab\":\"\t\"}", `{"":""}`, `[[[[]]]]`, `[{}, {"a": [{}]}]`,
		"\xef\xbb\xbf{}", `{"a":1,}`, `[1 2]`, `{"a"}`, `01`, `[1.]`, `[.5]`, `[+1]`, `[tru]`, `[nul`, `{"a":"` + "\x01" + `"}`,
		`"\x"`, `"\u12G4"`, ``, ` `, `{} {}`, `[1]]`, `{"a":1]`,
		`{"blob":"` + strings.Repeat("é", 3000) + `"}`,
		`["` + strings.Repeat(`\\`, 3000) + `"]`,
		`["` + strings.Repeat(`a\"`, 2000) + `"]`,
		`{"` + strings.Repeat("k", 5000) + `":"` + strings.Repeat("v", 5000) + `"}`,
		`[` + strings.Repeat("1", 5000) + `]`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40),
		strings.Repeat(`{"a":[`, 10) + "1" + strings.Repeat("]}", 10),
	} {
		checkPretty(t, []byte(src))
	}
}

// The first screenful of a cut body is the whole body's first lines.
func TestPrettyJSONPrefix(t *testing.T) {
	body := bigJSON(200)
	whole, err := prettyJSON(body, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{1, 17, 1000, 20000} {
		part, err := prettyJSONPrefix(body[:cut], 50)
		if err != nil {
			t.Fatalf("prefix of %d bytes: %v", cut, err)
		}
		if !part.partial || part.n > 50 {
			t.Fatalf("prefix of %d bytes: %d lines, partial %v", cut, part.n, part.partial)
		}
		for i := 0; i+1 < part.n; i++ {
			if got, want := part.line(i, nil), whole.line(i, nil); !bytes.Equal(got, want) {
				t.Fatalf("prefix of %d bytes, line %d: %q, want %q", cut, i, got, want)
			}
		}
	}
	if _, err := prettyJSONPrefix([]byte(`{"a":1}}`), 50); err == nil {
		t.Error("an error inside the prefix is not one")
	}
}

// A body whose indented form would be much bigger is shown as it came.
func TestPrettyJSONLimit(t *testing.T) {
	src := []byte(strings.Repeat("[", 30) + strings.Repeat("1,", 10000) + "1" + strings.Repeat("]", 30))
	if _, err := prettyJSON(src, 4*len(src)); err == nil || !strings.Contains(err.Error(), "indented form would take") {
		t.Errorf("err = %v", err)
	}
}

func FuzzPrettyJSON(f *testing.F) {
	for _, seed := range []string{
		`{"a":[1,2,{"b":"c"}],"e":{},"f":[],"g":null,"h":true}`, `[1 2]`, `{"a":"\u00e9"}`,
		"{\"a\":\"\xff\xfe\",\"b\":[\"\xc3\"]}", "[\xff]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkPretty(t, src)
		if d, err := prettyJSONPrefix(src[:len(src)/2], 20); err == nil {
			checkLines(t, d)
		}
	})
}
