package ui

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/wizard"
)

// Small bodies drawn whole: a request's body beside its response (the
// request is the user's, and small); and the sizes and durations the
// screens show.

// hexPreview is the size and a hex dump of the first 256 bytes.
func hexPreview(body []byte, st *Styles) string {
	n := min(len(body), 256)
	return st.Faint.Render(fmt.Sprintf("binary body, %s — first %d bytes:", formatSize(int64(len(body))), n)) +
		"\n" + strings.TrimRight(hex.Dump(body[:n]), "\n")
}

// renderBody pretty-prints JSON, shows text as text and binary as a hex preview.
func renderBody(body []byte, contentType string, width int, st *Styles) string {
	if len(body) == 0 {
		return st.Faint.Render("(empty)")
	}
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		return hexPreview(body, st)
	}
	text := body
	note := ""
	var pretty bytes.Buffer
	switch err := json.Indent(&pretty, body, "", "  "); {
	case err == nil:
		text = pretty.Bytes()
	case strings.Contains(contentType, "json") && strings.TrimSpace(string(body)) != "":
		// The server promised JSON and broke the promise: say so, show the text.
		note = st.Warning.Render(ansi.Wrap("The server said "+connection.CleanText(contentType)+
			" but the body is not JSON ("+wizard.ValidateJSON(string(body)).Error()+"); shown as text.", width, " ")) + "\n"
	}
	return note + ansi.Hardwrap(connection.CleanText(string(text)), width, true)
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return d.Round(100 * time.Millisecond).String()
}

func formatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
