package ui

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tidwall/gjson"

	"patchbay/connection"
)

// The JSON path filter (f) and copy (y) of the response pane.
//
// f takes a path in gjson's syntax (items.#.id, user.name,
// items.#(age>40).name) and the Body tab then shows only what it selects,
// pretty-printed; esc shows the whole body again. y copies the body, or
// the selection, to the clipboard through OSC 52 — only when
// PATCHBAY_OSC52=1, since the terminal must allow it and any program
// writing to it could then set the clipboard.

// bodyFilter is a JSON path applied to the body.
type bodyFilter struct {
	path string
	seq  uint64
	sel  []byte // the selection, as JSON, from the body as shown
	view *bodyView
}

// bodyFilteredMsg brings what a path selected, or why nothing.
type bodyFilteredMsg struct {
	seq  uint64
	path string
	sel  []byte
	doc  *bodyDoc
	err  string
}

// filterCmd selects path in body.
func filterCmd(seq uint64, body []byte, path string) tea.Cmd {
	return func() tea.Msg { return selectPath(seq, body, path) }
}

func selectPath(seq uint64, body []byte, path string) bodyFilteredMsg {
	msg := bodyFilteredMsg{seq: seq, path: path}
	res := gjson.GetBytes(body, path)
	// items.#.nope is [] even when no item has a nope: for a path that
	// goes through a list, an empty list is no match.
	if !res.Exists() || strings.Contains(path, "#") && res.IsArray() && len(res.Array()) == 0 {
		// gjson has no syntax errors: a path it cannot read selects nothing.
		msg.err = fmt.Sprintf("nothing matches %s — a gjson path looks like items.#.id or user.name", path)
		return msg
	}
	msg.sel = []byte(res.Raw)
	doc, err := prettyJSON(msg.sel, 0)
	if err != nil {
		doc = indexText(msg.sel, 0)
	}
	msg.doc = doc
	return msg
}

// selection is what path selects in body, as JSON: what s writes.
func selection(body []byte, path string) []byte {
	return []byte(gjson.GetBytes(body, path).Raw)
}

// maxCopy bounds what y sends through the terminal: terminals and tmux
// drop bigger OSC 52 sequences.
const maxCopy = 1 << 20

// copyCmd puts text on the clipboard with OSC 52, written to out (the
// terminal). The text is the body as shown, sanitized: a paste must not
// carry the server's escape sequences into another terminal program.
func copyCmd(out io.Writer, text []byte, what string) tea.Cmd {
	return func() tea.Msg {
		clean := connection.CleanText(string(text))
		seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(clean)) + "\x07"
		if _, err := io.WriteString(out, seq); err != nil {
			return statusMsg{text: "Not copied: " + err.Error(), err: true}
		}
		return statusMsg{text: fmt.Sprintf("Copied %s (%s) to the clipboard with OSC 52.", what, formatSize(int64(len(clean))))}
	}
}

// copyOff is what y says when OSC 52 is not turned on.
const copyOff = "copy needs PATCHBAY_OSC52=1 (your terminal must allow OSC 52); s saves to a file"

// osc52On reports whether the environment turned copying on.
func osc52On(getenv func(string) string) bool {
	v := strings.TrimSpace(getenv("PATCHBAY_OSC52"))
	return v == "1" || strings.EqualFold(v, "true") || strings.EqualFold(v, "yes")
}
