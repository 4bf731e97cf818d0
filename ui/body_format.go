package ui

import (
	"bytes"
	"fmt"
	"mime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
)

// Making a response's body into documents (bodyDoc), off the UI goroutine
// when it is big. set keeps the response and, for a body up to syncLimit,
// formats it at once; a bigger one gets a quick first screenful from its
// start (prefixLimit bytes at most) and a tea.Cmd that formats the whole
// body and comes back as a bodyFormattedMsg. Messages carry a sequence
// number from one counter for every pane: a result for an older response,
// or for another pane (every screen on the stack gets every message), is
// dropped.

const (
	// syncLimit is the biggest body formatted inside Update: two
	// milliseconds of work or so.
	syncLimit = 256 << 10
	// prefixLimit is how much of a big body the first screenful reads.
	prefixLimit = 1 << 20
	// prefixMargin: the first screenful stops this far before the end of
	// the masked prefix, so a secret cut in two by the prefix's end (and so
	// not masked) is never on screen. (prefixLines lines of at most maxLine
	// bytes stop short of it anyway; this holds if those change.)
	prefixMargin = 64 << 10
	// prefixLines is how many lines the first screenful formats.
	prefixLines = 400
)

// bodySeq numbers the work a response pane hands to tea.Cmds.
var bodySeq atomic.Uint64

// bodyFormattedMsg brings the documents of a body formatted in a Cmd.
type bodyFormattedMsg struct {
	seq  uint64
	docs bodyDocs
}

// bodyDocs are what the pane shows of a body.
type bodyDocs struct {
	body   *bodyDoc // the Body tab: pretty JSON, text, or what a binary body is
	raw    *bodyDoc // the Raw tab (text) or, for a binary body, Hex
	shown  []byte   // the body as shown: masked unless revealed
	binary bool
	json   bool   // body is pretty-printed JSON
	note   string // why a body said to be JSON is shown as text
	masked bool   // masking changed the body
}

// formatInput is what formatting needs, copied out of the pane.
type formatInput struct {
	resp   connection.Response // Body shared, never written
	conn   *connection.Connection
	reveal bool
	kind   bodyKind
	extra  []string // the request's own secrets, masked too
}

// formatBody makes the documents of the whole body.
func formatBody(in formatInput) bodyDocs {
	body := in.resp.Body
	var docs bodyDocs
	docs.shown, docs.masked = maskBody(in, body)
	ctype := in.resp.Header("Content-Type")
	if docs.binary = isBinary(in.kind, ctype, docs.shown, in.resp.Truncated); docs.binary {
		docs.raw = hexDoc(docs.shown, hexWidth)
		docs.body = binaryDoc(ctype, len(docs.shown))
		return docs
	}
	docs.raw = indexText(docs.shown, 0)
	docs.body = docs.raw
	if in.kind == bodyText {
		return docs
	}
	pretty, err := prettyJSON(docs.shown, 0)
	switch {
	case err == nil:
		docs.body, docs.json = pretty, true
	case strings.Contains(ctype, "json") && len(bytes.TrimSpace(docs.shown)) > 0:
		docs.note = notJSON(ctype, docs.shown, err)
	}
	return docs
}

// formatPrefix makes the first screenful of a big body, from its first
// prefixLimit bytes; every document is partial.
func formatPrefix(in formatInput) bodyDocs {
	prefix := in.resp.Body[:min(len(in.resp.Body), prefixLimit)]
	var docs bodyDocs
	docs.shown, docs.masked = maskBody(in, prefix)
	if len(docs.shown) > prefixMargin {
		docs.shown = docs.shown[:len(docs.shown)-prefixMargin]
	}
	ctype := in.resp.Header("Content-Type")
	if docs.binary = isBinary(in.kind, ctype, docs.shown, true); docs.binary {
		docs.raw = hexDoc(docs.shown[:min(len(docs.shown), prefixLines*hexWidth)], hexWidth)
		docs.raw.partial = true
		docs.body = binaryDoc(ctype, len(in.resp.Body))
		return docs
	}
	docs.raw = indexText(docs.shown, prefixLines)
	docs.raw.partial = true
	docs.body = docs.raw
	if in.kind != bodyText {
		if pretty, err := prettyJSONPrefix(docs.shown, prefixLines); err == nil {
			docs.body, docs.json = pretty, true
		}
	}
	return docs
}

// maskBody hides what the server echoed of the connection's secrets,
// unless they are revealed. It copies body only when something was hidden.
func maskBody(in formatInput, body []byte) ([]byte, bool) {
	if in.conn == nil || in.reveal || len(body) == 0 {
		return body, false
	}
	r := in.resp
	r.Body, r.Headers, r.Request = body, nil, connection.SentRequest{}
	shown := in.conn.RedactEchoes(r, in.extra...).Body
	if bytes.Equal(shown, body) {
		return body, false // drop the copy
	}
	return shown, true
}

// isBinary reports whether a body must not be shown as text: the action
// says it is binary, its type is one of media or archives, or it holds a
// NUL byte or bytes that are not UTF-8 (a body cut short may end inside a
// character).
func isBinary(kind bodyKind, contentType string, body []byte, cut bool) bool {
	if kind == bodyBinary {
		return true
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		major, minor, _ := strings.Cut(mt, "/")
		switch {
		case major == "image" && !strings.HasSuffix(minor, "+xml"),
			major == "audio", major == "video", major == "font",
			mt == "application/octet-stream", mt == "application/pdf", mt == "application/zip",
			mt == "application/gzip", mt == "application/x-protobuf", mt == "application/wasm":
			return true
		}
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return true
	}
	if cut {
		// Drop a character cut at the end, if that is what ends it.
		for k := 1; k < utf8.UTFMax && k <= len(body); k++ {
			if utf8.RuneStart(body[len(body)-k]) {
				if !utf8.FullRune(body[len(body)-k:]) {
					body = body[:len(body)-k]
				}
				break
			}
		}
	}
	return !utf8.Valid(body)
}

// binaryDoc is the Body tab of a binary body: what it is, and where to
// see it.
func binaryDoc(contentType string, size int) *bodyDoc {
	what := formatSize(int64(size))
	if contentType != "" {
		what = contentType + ", " + what
	}
	return metaDoc([]metaLine{
		{roleWarning, "This is a binary body (" + what + "): it is never shown as text."},
		{rolePlain, ""},
		{roleFaint, "] shows it as hex (the Hex tab); s saves it to a file."},
	})
}

// notJSON says that a body the server called JSON is not.
func notJSON(contentType string, body []byte, err error) string {
	why := err.Error()
	if je, ok := err.(*jsonError); ok {
		why = "invalid JSON at " + je.at(body) + ": " + why
	}
	return fmt.Sprintf("The server said %s but the body is not JSON (%s); shown as text.", contentType, why)
}

// formatCmd formats the whole body in a Cmd.
func formatCmd(seq uint64, in formatInput) tea.Cmd {
	return func() tea.Msg {
		docs := formatBody(in)
		if len(in.resp.Body) >= releaseAfter {
			// Reading and formatting a big body leaves as much garbage as
			// the heap holds, and the runtime keeps the pages it touched:
			// give them back now, so the process stays near what the
			// documents need.
			debug.FreeOSMemory()
		}
		return bodyFormattedMsg{seq: seq, docs: docs}
	}
}

// releaseAfter is the body size past which formatting returns memory to
// the system.
const releaseAfter = 8 << 20
