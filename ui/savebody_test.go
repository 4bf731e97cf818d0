package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"patchbay/connection"
)

// w in the response pane writes the body, as received, to a new file; an
// existing file is refused and the prompt stays for another name.
func TestWriteBodyToFile(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	d := f.drive(120, 40)
	d.keys("enter", "Image", "tab", "tab", "/image/png", "ctrl+n", "ctrl+s")
	d.contains("200 OK", "binary body")
	w := d.top().(*wizardScreen)
	w.focusPane(paneResponse)
	d.keys("w")
	d.contains("Write body to: png.png")

	target := filepath.Join(t.TempDir(), "out.png")
	w.resp.save.input.SetValue(target)
	d.keys("enter")
	d.contains("Wrote")
	got, err := os.ReadFile(target)
	if err != nil || !bytes.Equal(got, w.resp.resp.Body) || !bytes.HasPrefix(got, []byte("\x89PNG")) {
		t.Fatalf("file holds %d bytes (%v), want the %d-byte PNG body", len(got), err, len(w.resp.resp.Body))
	}
	d.lacks("Write body to:")

	d.keys("w")
	w.resp.save.input.SetValue(target)
	d.keys("enter")
	d.contains("already exists — choose another name", "Write body to:")
	d.keys("esc")
	d.lacks("Write body to:")
	d.contains("2 Sample request") // esc closed the prompt, not the step
}

// A suggested name comes from the server, so it is reduced to a plain
// file name.
func TestSuggestedName(t *testing.T) {
	for _, tc := range []struct {
		disposition, url, ctype, want string
	}{
		{`attachment; filename="../../etc/passwd"`, "", "", "passwd"},
		{`attachment; filename="report.pdf"`, "", "", "report.pdf"},
		{"", "http://h/files/data.csv?x=1", "", "data.csv"},
		{"", "http://h/image/png", "image/png", "png.png"},
		{"", "http://h/", "application/json", "response.json"},
		{"attachment; filename=\".hidden\x1b[31m\"", "", "", "hidden"},
		{`attachment; filename="..\\..\\boot.ini"`, "", "", "boot.ini"},
	} {
		r := connection.Response{Request: connection.SentRequest{URL: tc.url},
			Headers: []connection.KV{{Key: "Content-Disposition", Value: tc.disposition}, {Key: "Content-Type", Value: tc.ctype}}}
		if got := suggestedName(r); got != tc.want {
			t.Errorf("suggestedName(%q, %q, %q) = %q, want %q", tc.disposition, tc.url, tc.ctype, got, tc.want)
		}
	}
}
