package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"

	"patchbay/connection"
)

// fieldKind says how a form field is edited.
type fieldKind int

const (
	kindText   fieldKind = iota // one line
	kindSecret                  // one line, masked unless revealed
	kindChoice                  // one of a few words, ←/→
	kindToggle                  // yes/no, space
	kindKV                      // rows of name/value pairs
	kindArea                    // several lines
)

// kvRow is one name/value row of a kindKV field.
type kvRow struct{ name, value textinput.Model }

// field is one labelled input of a form. Which members matter depends on kind.
type field struct {
	key   string // the validation key: name, base_url, header (rows: header.N), ...
	label string
	hint  string
	kind  fieldKind
	show  func() bool // nil means always shown

	input textinput.Model
	// maskIf, on a secret field, masks only the values it accepts: a TLS
	// key field shows a file path but masks pasted PEM.
	maskIf func(string) bool

	area textarea.Model

	choices []string // values
	titles  []string // what the user sees
	choice  int

	on bool

	rows         []kvRow
	secretValues bool
	namePrompt   string
	// fixedNames: the rows are given (names are labels, only values are
	// typed) and no blank row is added for a new one.
	fixedNames bool

	err     string
	rowErrs map[int]string
}

func (f *field) visible() bool { return f.show == nil || f.show() }

// value is the text of a text, secret or area field, or the chosen value.
func (f *field) value() string {
	switch f.kind {
	case kindArea:
		return f.area.Value()
	case kindChoice:
		return f.choices[f.choice]
	case kindToggle:
		if f.on {
			return "true"
		}
		return "false"
	}
	return f.input.Value()
}

// pairs returns the non-blank rows of a kindKV field, and for each returned
// pair the index of the row it came from, so errors about pair N can be shown
// on the right row.
func (f *field) pairs() ([]connection.KV, []int) {
	var kvs []connection.KV
	var from []int
	for i, r := range f.rows {
		k, v := r.name.Value(), r.value.Value()
		if strings.TrimSpace(k) == "" && strings.TrimSpace(v) == "" {
			continue
		}
		kvs = append(kvs, connection.KV{Key: k, Value: v})
		from = append(from, i)
	}
	return kvs, from
}

func newTextInput(placeholder string, secret bool) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = placeholder
	ti.Cursor.SetMode(cursor.CursorStatic)
	if secret {
		ti.EchoMode = textinput.EchoPassword
		ti.EchoCharacter = '•'
	}
	return ti
}

func textField(key, label, placeholder string) *field {
	return &field{key: key, label: label, kind: kindText, input: newTextInput(placeholder, false)}
}

func secretField(key, label string) *field {
	return &field{key: key, label: label, kind: kindSecret, input: newTextInput("", true)}
}

func choiceField(key, label string, values, titles []string) *field {
	if titles == nil {
		titles = values
	}
	return &field{key: key, label: label, kind: kindChoice, choices: values, titles: titles}
}

func toggleField(key, label string) *field {
	return &field{key: key, label: label, kind: kindToggle}
}

func kvField(key, label, namePrompt string, secretValues bool) *field {
	return &field{key: key, label: label, kind: kindKV, secretValues: secretValues, namePrompt: namePrompt}
}

func areaField(key, label string) *field {
	ta := textarea.New()
	ta.ShowLineNumbers = true
	ta.Prompt = ""
	ta.Cursor.SetMode(cursor.CursorStatic)
	ta.SetHeight(8)
	ta.CharLimit = 0
	ta.MaxHeight = 0
	return &field{key: key, label: label, kind: kindArea, area: ta}
}

// splitKey splits a validation key like "header.2" into the field key and
// the row; keys without a row give -1.
func splitKey(k string) (name string, row int) {
	if i := strings.LastIndexByte(k, '.'); i > 0 {
		if n, err := strconv.Atoi(k[i+1:]); err == nil && n >= 0 {
			return k[:i], n
		}
	}
	return k, -1
}
