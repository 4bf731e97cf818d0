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
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
)

// Writing a response body to a file: w in a focused response pane asks for
// a path (suggested from Content-Disposition or the URL) and writes the
// body as received — the way to keep a binary body, which the pane only
// previews. An existing file is never overwritten.

// bodySavedMsg reports the outcome of writing a body.
type bodySavedMsg struct {
	path string
	err  error
}

// saveBody is the path prompt of a response pane; nil when not asking.
type saveBody struct {
	input textinput.Model
	err   string
}

// prompting reports whether the pane is asking for a path, when every key
// is the prompt's.
func (p *responsePane) prompting() bool { return p.save != nil }

// startSave opens the prompt, when there is a body to write.
func (p *responsePane) startSave() tea.Cmd {
	if p.resp == nil || len(p.resp.Body) == 0 {
		return errStatus("There is no body to write.")
	}
	in := newTextInput("", false)
	in.SetValue(suggestedName(*p.resp))
	in.CursorEnd()
	in.Focus()
	p.save = &saveBody{input: in}
	return nil
}

// saveKey handles a key while the prompt is open.
func (p *responsePane) saveKey(msg tea.KeyMsg) tea.Cmd {
	k := p.env.keys
	switch {
	case key.Matches(msg, k.Back):
		p.save = nil
		return nil
	case key.Matches(msg, k.Enter):
		target := strings.TrimSpace(p.save.input.Value())
		if target == "" {
			p.save.err = "type a file name"
			return nil
		}
		body := p.resp.Body
		return func() tea.Msg {
			written, err := writeNew(target, body)
			return bodySavedMsg{path: written, err: err}
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
	truncated := ""
	if p.resp != nil && p.resp.Truncated {
		truncated = " (the body was cut at the action's body cap)"
	}
	return func() tea.Msg {
		return statusMsg{text: fmt.Sprintf("Wrote %s to %s%s.", formatSize(int64(len(p.resp.Body))), msg.path, truncated)}
	}
}

// promptView is the prompt's line, for the bottom of the pane.
func (p *responsePane) promptView() string {
	st := p.env.styles
	line := st.Accent.Render("Write body to: ") + p.save.input.View() + st.Faint.Render("  enter write · esc cancel")
	if p.save.err != "" {
		line += "\n" + st.FieldError.Render("✗ "+p.save.err)
	}
	return line
}

// writeNew writes body to a new file at target (~ is the home directory)
// and returns the path it wrote. It never replaces an existing file.
func writeNew(target string, body []byte) (string, error) {
	target = connection.ExpandHome(target)
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
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
