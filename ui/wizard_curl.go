package ui

// curl import in the wizard's step 1: a curl command pasted (or typed, then
// enter) into the URL field fills the whole request.

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/wizard"
)

// curlImported is what the last curl import said. It is shown under the
// URL field while the field still holds the URL it imported.
type curlImported struct {
	url     string // the URL field after the import
	unknown []string
	notes   []string
	err     string // why the command could not be imported
}

// curlKey imports a curl command when msg brings one into the URL field of
// step 1: a paste that starts with curl, or enter or ctrl+n while the
// field holds a typed one. It reports whether it used the key.
func (s *wizardScreen) curlKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	focused := s.step1.focusedKey()
	if focused != "url" && focused != "name" {
		return nil, false
	}
	k := s.env.keys
	field := s.step1.field("url")
	switch {
	case msg.Paste && msg.Type == tea.KeyRunes && wizard.IsCurlCommand(string(msg.Runes)):
		// Pasted whole, line breaks and all: the input would have made
		// them spaces. The wizard opens on the name, where a user who
		// copied a command from the docs pastes it first: it is a
		// request, not a name, so it lands in the URL field.
		cmd := s.importCurl(string(msg.Runes))
		if focused == "name" {
			s.step1.focusKey("url")
		}
		return cmd, true
	case focused == "url" && key.Matches(msg, k.Enter, k.NextStep) && wizard.IsCurlCommand(field.input.Value()):
		return s.importCurl(field.input.Value()), true
	}
	return nil, false
}

// importCurl fills the wizard from a curl command: method, URL, query,
// headers, body and options; the name stays. What was not imported and
// the notes are shown under the URL field.
func (s *wizardScreen) importCurl(text string) tea.Cmd {
	s.pull()
	imp, err := s.w.ImportCurl(text)
	if err != nil {
		s.curl = &curlImported{url: s.step1.field("url").input.Value(), err: err.Error()}
		return errStatus("The curl command was not imported: %v", err)
	}
	s.push()
	s.step1.field("url").input.CursorEnd()
	s.curl = &curlImported{url: s.step1.field("url").input.Value(), unknown: imp.Unknown, notes: imp.Notes}
	var errs connection.FieldErrors
	for _, fe := range s.w.Validate() {
		if fe.Field == "url" || fe.Field == "method" {
			errs = append(errs, fe)
		}
	}
	s.step1.setErrors(errs)
	text = fmt.Sprintf("Imported the curl command (%s, %s", s.w.Method, howMany(len(s.w.Headers), "header"))
	if n := len(imp.Unknown); n > 0 {
		text += fmt.Sprintf(", %s not imported", howMany(n, "flag"))
	}
	return func() tea.Msg { return statusMsg{text: text + ")."} }
}

// curlView is what the last import said, while the URL field still holds
// what it imported.
func (s *wizardScreen) curlView() string {
	c := s.curl
	if c == nil || s.step1.field("url").input.Value() != c.url {
		return ""
	}
	st := s.env.styles
	width := max(min(s.width-4, 110)-4, 20)
	var b strings.Builder
	line := func(style func(...string) string, text string) {
		for _, l := range strings.Split(ansi.Wrap(connection.CleanText(text), width, " "), "\n") {
			b.WriteString("\n  " + style(l))
		}
	}
	switch {
	case c.err != "":
		line(st.FieldError.Render, "✗ "+c.err)
	default:
		line(st.Success.Render, "✓ Imported from curl — step 2 (ctrl+n) has the headers and the body.")
	}
	if len(c.unknown) > 0 {
		line(st.Warning.Render, "Not imported: "+strings.Join(c.unknown, ", "))
	}
	for _, n := range c.notes {
		line(st.Faint.Render, "• "+n)
	}
	return b.String()
}

// howMany is "1 header", "2 headers".
func howMany(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
