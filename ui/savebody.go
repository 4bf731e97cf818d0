package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
)

// Writing a response body to a file: s (or w) in a focused response pane
// asks for a path (suggested from Content-Disposition or the URL) and
// writes the body as received — the way to keep a binary body, which the
// pane never shows as text. With a JSON path filter on, it writes what
// the path selects in the body as received, as JSON. An existing file is
// never overwritten.

// bodySavedMsg reports the outcome of writing a body.
type bodySavedMsg struct {
	path      string
	size      int
	selection bool
	truncated bool // the body was cut at the body cap
	masked    bool // secrets were masked in what was written
	err       error
}

// saveBody is the path prompt of a response pane; nil when not asking. It
// holds what it will write, taken when it opened, so a response arriving
// meanwhile is not written under the name suggested for the one before.
type saveBody struct {
	input   textinput.Model
	err     string
	resp    connection.Response // the response to write
	path    string              // the filter's path, when a selection is written
	masking formatInput         // how the pane masks secrets
}

// startSave opens the prompt, when there is a body to write.
func (p *responsePane) startSave() tea.Cmd {
	if p.resp == nil || len(p.resp.Body) == 0 {
		return errStatus("There is no body to write.")
	}
	in := newTextInput("", false)
	in.Width = max(p.inner()-lipgloss.Width(p.saveLabel()+saveHint)-1, 10)
	in.SetValue(suggestedName(*p.resp))
	in.CursorEnd()
	in.Focus()
	p.save = &saveBody{input: in, resp: *p.resp, masking: p.maskingInput()}
	if p.filter != nil {
		p.save.path = p.filter.path
	}
	p.sizeViews()
	return nil
}

// maskingInput is what masking the body needs: the pane's connection and
// whether secrets are revealed.
func (p *responsePane) maskingInput() formatInput {
	return formatInput{conn: p.conn, reveal: p.reveal, extra: p.extra}
}

const saveHint = "  enter write · esc cancel"

// saveLabel is the prompt's label: the body, or the filter's selection.
func (p *responsePane) saveLabel() string {
	if p.filter != nil {
		return "Write selection to: "
	}
	return "Write body to: "
}

// saveKey handles a key while the prompt is open.
func (p *responsePane) saveKey(msg tea.KeyMsg) tea.Cmd {
	k := p.env.keys
	switch {
	case key.Matches(msg, k.Back):
		p.save = nil
		p.sizeViews()
		return nil
	case key.Matches(msg, k.Enter):
		target := strings.TrimSpace(p.save.input.Value())
		if target == "" {
			p.save.err = "type a file name"
			return nil
		}
		in, path := p.save.masking, p.save.path
		in.resp = p.save.resp
		return func() tea.Msg {
			// What is written is what the pane shows: the server's echoes
			// of the connection's secrets masked, unless revealed.
			body, masked := maskBody(in, in.resp.Body)
			if path != "" {
				body = selection(body, path)
			}
			written, err := writeNew(target, body)
			return bodySavedMsg{path: written, size: len(body), selection: path != "", truncated: in.resp.Truncated,
				masked: masked, err: err}
		}
	}
	var cmd tea.Cmd
	p.save.input, cmd = p.save.input.Update(msg)
	p.save.err = ""
	return cmd
}

// saved takes the outcome of a write: the prompt stays open, with the
// reason, when it failed, so the name can be changed.
func (p *responsePane) saved(msg bodySavedMsg) tea.Cmd {
	if msg.err != nil {
		if p.save != nil {
			p.save.err = msg.err.Error()
		}
		return errStatus("Not written: %v", msg.err)
	}
	p.save = nil
	p.sizeViews()
	what := ""
	if msg.selection {
		what = " (the selection)"
	}
	if msg.truncated {
		what += " (the body was cut at the action's body cap)"
	}
	if msg.masked {
		what += " with secrets masked (ctrl+r reveals them, then s writes them as received)"
	}
	text := fmt.Sprintf("Wrote %s%s to %s.", formatSize(int64(msg.size)), what, connection.CleanText(msg.path))
	return func() tea.Msg { return statusMsg{text: text} }
}

// promptView is the prompt's line, for the bottom of the pane.
func (p *responsePane) promptView() string {
	st := p.env.styles
	line := truncate(st.Accent.Render(p.saveLabel())+p.save.input.View()+st.Faint.Render(saveHint), p.inner())
	if p.save.err != "" {
		line += "\n" + truncate(st.FieldError.Render("✗ "+connection.CleanText(p.save.err)), p.inner())
	}
	return line
}

// writeNew writes body to a new file at target (~ is the home directory)
// and returns the path it wrote. It never replaces an existing file.
func writeNew(target string, body []byte) (string, error) {
	target = connection.ExpandHome(target)
	// 0600: a response may hold what the user would not share.
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return target, fmt.Errorf("%s already exists — choose another name", target)
	case errors.Is(err, fs.ErrNotExist):
		return target, fmt.Errorf("the folder of %s does not exist", target)
	case err != nil:
		return target, fmt.Errorf("cannot create %s: %v", target, errors.Unwrap(err))
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		os.Remove(target)
		return target, fmt.Errorf("cannot write %s: %v", target, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(target)
		return target, fmt.Errorf("cannot write %s: %v", target, err)
	}
	return target, nil
}

// suggestedName is a file name for a body: the server's
// Content-Disposition filename, else the last segment of the URL, else
// "response", with an extension from the content type when it has none —
// reduced to a plain name (no folders, no control characters), since it
// comes from the server.
func suggestedName(r connection.Response) string {
	name := ""
	if _, params, err := mime.ParseMediaType(r.Header("Content-Disposition")); err == nil {
		name = params["filename"]
	}
	if name == "" {
		u := r.Request.URL
		if i := strings.IndexAny(u, "?#"); i >= 0 {
			u = u[:i]
		}
		if i := strings.Index(u, "://"); i >= 0 {
			u = u[i+3:]
		}
		if i := strings.Index(u, "/"); i >= 0 {
			name = path.Base(u[i:])
		}
	}
	if name != "" {
		name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	}
	// A name, not something to show: escape sequences go whole (ansi.Strip),
	// other controls go, and CleanText shows whatever else is left.
	name = connection.CleanText(strings.Map(func(c rune) rune {
		if c < ' ' || c == 0x7f || c >= 0x80 && c <= 0x9f || c == '/' || c == '\\' {
			return -1
		}
		return c
	}, ansi.Strip(name)))
	name = strings.TrimLeft(name, ".")
	if name == "" || name == "/" {
		name = "response"
	}
	if path.Ext(name) == "" {
		if ct, _, err := mime.ParseMediaType(r.Header("Content-Type")); err == nil {
			if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
				name += exts[0]
			}
		}
	}
	return name
}
