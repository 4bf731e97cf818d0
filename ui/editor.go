package ui

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
)

// ctrl+e in a multi-line field (a body, rows of headers, query parameters
// or form fields) opens $VISUAL or $EDITOR (vi when neither is set) on a
// temporary file holding the field's text; the TUI gives the terminal to
// the editor (tea.ExecProcess) and takes the text back when it exits. An
// editor that exits with an error, like git's, leaves the field as it was.
// Rows are written one "name: value" a line. Rows whose values are secret
// are not written to a file at all.

// editorDoneMsg brings an edited text back to the field it came from.
type editorDoneMsg struct {
	apply func(text string) // sets the field; run in Update
	text  string
	err   error
}

// editorCommand is the editor the user chose, split into words ("code
// -w" is a command and a flag).
func editorCommand(getenv func(string) string) []string {
	for _, name := range []string{"VISUAL", "EDITOR"} {
		if words := strings.Fields(getenv(name)); len(words) > 0 {
			return words
		}
	}
	return []string{"vi"}
}

// editExternally opens the focused field in the editor, or says why it
// cannot be.
func (f *form) editExternally(s stop) tea.Cmd {
	fl := s.field
	var text, ext string
	var apply func(string)
	switch {
	case fl.kind == kindArea:
		text, ext = fl.area.Value(), ".txt"
		if t := strings.TrimSpace(text); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			ext = ".json"
		}
		apply = func(t string) { fl.area.SetValue(t) }
	case fl.kind == kindKV && !fl.secretValues && !fl.fixedNames:
		kvs, _ := fl.pairs()
		for _, kv := range kvs {
			if connection.IsSecretName(kv.Key) && kv.Value != "" && !strings.Contains(kv.Value, "{{") {
				return errStatus("%s hold a secret (%s), which is not written to a file for an editor: edit that row here, or make its value a {{variable}}.", fl.label, kv.Key)
			}
		}
		var b strings.Builder
		for _, kv := range kvs {
			b.WriteString(kv.Key + ": " + kv.Value + "\n")
		}
		text, ext = b.String(), ".txt"
		apply = func(t string) { f.setRows(fl, parseRows(t)) }
	case fl.kind == kindKV && fl.secretValues:
		return errStatus("%s holds secrets, which are not written to a file for an editor.", fl.label)
	default:
		return errStatus("ctrl+e opens $EDITOR in a body or in rows of headers, parameters or fields.")
	}
	file, err := os.CreateTemp("", "patchbay-edit-*"+ext)
	if err != nil {
		return errStatus("The editor cannot be opened: %v", err)
	}
	path := file.Name()
	_, err = file.WriteString(text)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return errStatus("The editor cannot be opened: %v", err)
	}
	words := editorCommand(os.Getenv)
	cmd := exec.Command(words[0], append(words[1:], path)...)
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		defer os.Remove(path)
		if err != nil {
			return editorDoneMsg{err: fmt.Errorf("%s: %w — the field is as it was", strings.Join(words, " "), err)}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return editorDoneMsg{err: fmt.Errorf("reading back what was edited: %w", err)}
		}
		return editorDoneMsg{apply: apply, text: string(b)}
	})
}

// parseRows reads "name: value" lines (or "name=value", as a query string
// is often written) back into rows; blank lines are skipped.
func parseRows(text string) []connection.KV {
	var kvs []connection.KV
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		// "name: value" is what was written; a name may hold a colon
		// (filter[a:b]), so the first ": " divides first.
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			name, value, ok = strings.Cut(line, ":")
			if eq := strings.IndexByte(line, '='); eq >= 0 && (!ok || eq < len(name)) {
				name, value = line[:eq], line[eq+1:]
			}
		}
		kvs = append(kvs, connection.KV{Key: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	return kvs
}

// editorDone puts the edited text in its field, or says what went wrong.
func editorDone(msg editorDoneMsg) tea.Cmd {
	if msg.err != nil {
		return errStatus("%v", msg.err)
	}
	// An editor adds a newline at the end of the last line; a body did
	// not have one unless it was typed.
	msg.apply(strings.TrimSuffix(msg.text, "\n"))
	return func() tea.Msg { return statusMsg{text: "Edited in $EDITOR."} }
}
