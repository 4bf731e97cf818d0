//go:build !race

// The race detector multiplies memory and time; these bodies are 50 MB.

package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A 50 MB body on one line — a single string, and an array written without
// a newline — is pretty-printed without trouble: valid JSON out, the same
// value, no line past maxLine, an index that agrees with the text.
func TestPrettyJSON50MBSingleLine(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB bodies")
	}
	const size = 50 << 20
	chunk := `ab\"c\\d\u00e9 zürich 東京 \n/`
	var s bytes.Buffer
	s.Grow(size + 64)
	s.WriteByte('"')
	for s.Len() < size {
		s.WriteString(chunk)
	}
	s.WriteByte('"')
	var a bytes.Buffer
	a.Grow(size + 64)
	a.WriteByte('[')
	for i := 0; a.Len() < size; i++ {
		if i > 0 {
			a.WriteByte(',')
		}
		a.WriteString(`{"id":12345,"name":"` + strings.Repeat("x", 20) + `","ok":true}`)
	}
	a.WriteByte(']')
	for name, src := range map[string][]byte{"string": s.Bytes(), "array": a.Bytes()} {
		t.Run(name, func(t *testing.T) {
			d, err := prettyJSON(src, 0)
			if err != nil {
				t.Fatalf("prettyJSON: %v", err)
			}
			text := indented(d)
			if !json.Valid(text) {
				t.Fatal("the output is not JSON")
			}
			var want, got bytes.Buffer
			if err := json.Compact(&want, src); err != nil {
				t.Fatal(err)
			}
			if err := json.Compact(&got, text); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want.Bytes(), got.Bytes()) {
				t.Fatal("the output is not the same value")
			}
			checkLines(t, d)
		})
	}
}
