package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

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

	area textarea.Model

	choices []string // values
	titles  []string // what the user sees
	choice  int

	on bool

	rows         []kvRow
	secretValues bool
	namePrompt   string

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

// stop is one place the focus can rest: a field, and for kindKV a row and
// column (0 name, 1 value).
type stop struct {
	field    *field
	row, col int
}

// form is an ordered list of fields with one focus. It is a component, not a
// screen: screens embed it and pass keys to it.
type form struct {
	fields []*field
	labelW int // width of the label column, marker included
	focus  int
	reveal bool
	width  int
	st     *Styles
	keys   *KeyMap
}

// defaultLabelWidth fits the longest label of most forms.
const defaultLabelWidth = 22

func newForm(st *Styles, keys *KeyMap, fields ...*field) *form {
	f := &form{fields: fields, labelW: defaultLabelWidth, st: st, keys: keys}
	for _, fl := range fields {
		if fl.kind == kindKV && len(fl.rows) == 0 {
			fl.rows = []kvRow{f.newRow(fl)}
		}
	}
	f.syncFocus()
	return f
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

func (f *form) newRow(fl *field) kvRow {
	r := kvRow{name: newTextInput(fl.namePrompt, false), value: newTextInput("value", fl.secretValues)}
	nw, vw := f.kvWidths()
	r.name.Width, r.value.Width = nw-1, vw-1
	if f.reveal {
		r.value.EchoMode = textinput.EchoNormal
	}
	return r
}

// setRows replaces a kindKV field's rows, keeping one blank row at the end.
func (f *form) setRows(fl *field, kvs []connection.KV) {
	fl.rows = nil
	for _, kv := range kvs {
		r := f.newRow(fl)
		r.name.SetValue(kv.Key)
		r.value.SetValue(kv.Value)
		fl.rows = append(fl.rows, r)
	}
	fl.rows = append(fl.rows, f.newRow(fl))
	f.syncFocus()
}

func (f *form) field(key string) *field {
	for _, fl := range f.fields {
		if fl.key == key {
			return fl
		}
	}
	return nil
}

func (f *form) stops() []stop {
	var s []stop
	for _, fl := range f.fields {
		if !fl.visible() {
			continue
		}
		if fl.kind == kindKV {
			for i := range fl.rows {
				s = append(s, stop{fl, i, 0}, stop{fl, i, 1})
			}
			continue
		}
		s = append(s, stop{field: fl})
	}
	return s
}

func (f *form) current() (stop, bool) {
	s := f.stops()
	if len(s) == 0 {
		return stop{}, false
	}
	if f.focus >= len(s) {
		f.focus = len(s) - 1
	}
	return s[f.focus], true
}

// focusKey moves the focus to the first stop of the field with key (for
// kindKV keys like header.2, to that row).
func (f *form) focusKey(k string) {
	name, row := k, -1
	if i := strings.LastIndexByte(k, '.'); i > 0 {
		if n, ok := atoi(k[i+1:]); ok {
			name, row = k[:i], n
		}
	}
	for i, s := range f.stops() {
		if s.field.key == name && (row < 0 || s.row == row) {
			f.focus = i
			f.syncFocus()
			return
		}
	}
}

func atoi(s string) (int, bool) {
	n := 0
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// focusedKey is the key of the focused field, "" when none.
func (f *form) focusedKey() string {
	if s, ok := f.current(); ok {
		return s.field.key
	}
	return ""
}

// syncFocus focuses the input under the focus and blurs every other one.
func (f *form) syncFocus() {
	cur, ok := f.current()
	for _, fl := range f.fields {
		here := ok && cur.field == fl
		switch fl.kind {
		case kindText, kindSecret:
			if here {
				fl.input.Focus()
			} else {
				fl.input.Blur()
			}
		case kindArea:
			if here {
				fl.area.Focus()
			} else {
				fl.area.Blur()
			}
		case kindKV:
			for i := range fl.rows {
				r := &fl.rows[i]
				r.name.Blur()
				r.value.Blur()
				if here && cur.row == i {
					if cur.col == 0 {
						r.name.Focus()
					} else {
						r.value.Focus()
					}
				}
			}
		}
	}
}

// capturing reports whether the focus is in a text input, where letters are
// text rather than commands.
func (f *form) capturing() bool {
	s, ok := f.current()
	if !ok {
		return false
	}
	switch s.field.kind {
	case kindText, kindSecret, kindKV, kindArea:
		return true
	}
	return false
}

// move shifts the focus by delta stops; it reports false when the focus
// would leave the form, so a screen can move it to another pane.
func (f *form) move(delta int) bool {
	n := len(f.stops())
	next := f.focus + delta
	if next < 0 || next >= n {
		return false
	}
	f.focus = next
	f.syncFocus()
	return true
}

func (f *form) focusFirst() { f.focus = 0; f.syncFocus() }
func (f *form) focusLast()  { f.focus = len(f.stops()) - 1; f.syncFocus() }

// blur takes the focus off every input (the form is not the focused pane).
func (f *form) blur() {
	for _, fl := range f.fields {
		fl.input.Blur()
		if fl.kind == kindArea {
			fl.area.Blur()
		}
		for i := range fl.rows {
			fl.rows[i].name.Blur()
			fl.rows[i].value.Blur()
		}
	}
}

// setReveal shows or masks every secret input.
func (f *form) setReveal(on bool) {
	f.reveal = on
	mode := textinput.EchoPassword
	if on {
		mode = textinput.EchoNormal
	}
	for _, fl := range f.fields {
		if fl.kind == kindSecret {
			fl.input.EchoMode = mode
		}
		if fl.kind == kindKV && fl.secretValues {
			for i := range fl.rows {
				fl.rows[i].value.EchoMode = mode
			}
		}
	}
}

// setErrors puts each error next to its field and clears the others.
func (f *form) setErrors(errs connection.FieldErrors) {
	for _, fl := range f.fields {
		fl.err = ""
		fl.rowErrs = nil
	}
	for _, e := range errs {
		name, row := e.Field, -1
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			if n, ok := atoi(name[i+1:]); ok {
				name, row = name[:i], n
			}
		}
		fl := f.field(name)
		if fl == nil {
			continue
		}
		if row >= 0 && fl.kind == kindKV {
			_, from := fl.pairs()
			if row < len(from) {
				row = from[row]
			}
			if fl.rowErrs == nil {
				fl.rowErrs = map[int]string{}
			}
			fl.rowErrs[row] = e.Msg
			continue
		}
		fl.err = e.Msg
	}
}

// Update handles a key or a cursor message for the focused input. It reports
// whether the key was used, so the screen can handle it otherwise.
func (f *form) Update(msg tea.Msg) (bool, tea.Cmd) {
	s, ok := f.current()
	if !ok {
		return false, nil
	}
	if km, isKey := msg.(tea.KeyMsg); isKey {
		inArea := s.field.kind == kindArea
		switch {
		case key.Matches(km, f.keys.NextField):
			return f.move(1), nil
		case key.Matches(km, f.keys.PrevField):
			return f.move(-1), nil
		case !inArea && key.Matches(km, f.keys.ArrowDown):
			return f.move(1), nil
		case !inArea && key.Matches(km, f.keys.ArrowUp):
			return f.move(-1), nil
		case !inArea && key.Matches(km, f.keys.Enter) && s.field.kind != kindToggle:
			return f.move(1), nil
		case key.Matches(km, f.keys.Reveal):
			f.setReveal(!f.reveal)
			return true, nil
		}
		switch s.field.kind {
		case kindChoice:
			switch {
			case key.Matches(km, f.keys.Left):
				s.field.choice = (s.field.choice + len(s.field.choices) - 1) % len(s.field.choices)
				return true, nil
			case key.Matches(km, f.keys.Right), key.Matches(km, f.keys.Toggle):
				s.field.choice = (s.field.choice + 1) % len(s.field.choices)
				return true, nil
			case km.Type == tea.KeyRunes:
				// Typing a letter picks the next choice starting with it.
				return f.pickByLetter(s.field, km.Runes), nil
			}
			return false, nil
		case kindToggle:
			if key.Matches(km, f.keys.Toggle, f.keys.Left, f.keys.Right, f.keys.Enter) {
				s.field.on = !s.field.on
				return true, nil
			}
			return false, nil
		}
	}
	var cmd tea.Cmd
	switch s.field.kind {
	case kindText, kindSecret:
		s.field.input, cmd = s.field.input.Update(msg)
	case kindArea:
		s.field.area, cmd = s.field.area.Update(msg)
	case kindKV:
		r := &s.field.rows[s.row]
		if s.col == 0 {
			r.name, cmd = r.name.Update(msg)
		} else {
			r.value, cmd = r.value.Update(msg)
		}
		if s.row == len(s.field.rows)-1 && (r.name.Value() != "" || r.value.Value() != "") {
			s.field.rows = append(s.field.rows, f.newRow(s.field))
		}
	}
	_, isKey := msg.(tea.KeyMsg)
	return isKey, cmd
}

func (f *form) pickByLetter(fl *field, runes []rune) bool {
	if len(runes) != 1 {
		return false
	}
	want := strings.ToLower(string(runes))
	for i := 1; i <= len(fl.choices); i++ {
		j := (fl.choice + i) % len(fl.choices)
		if strings.HasPrefix(strings.ToLower(fl.titles[j]), want) {
			fl.choice = j
			return true
		}
	}
	return false
}

// SetWidth sizes every input to the form's width.
func (f *form) SetWidth(w int) {
	f.width = w
	iw := max(w-f.labelW-2, 10)
	for _, fl := range f.fields {
		fl.input.Width = iw - 1
		if fl.kind == kindArea {
			fl.area.SetWidth(iw)
		}
		nw, vw := f.kvWidths()
		for i := range fl.rows {
			fl.rows[i].name.Width = nw - 1
			fl.rows[i].value.Width = vw - 1
		}
	}
}

// View renders the visible fields, each error under its field.
func (f *form) View() string {
	cur, _ := f.current()
	var b strings.Builder
	for _, fl := range f.fields {
		if !fl.visible() {
			continue
		}
		focused := cur.field == fl
		label := f.st.Label
		marker := "  "
		if focused {
			label = f.st.LabelFocused
			marker = f.st.Cursor.Render("› ")
		}
		head := marker + label.Width(f.labelW-2).Render(fl.label)
		indent := strings.Repeat(" ", f.labelW)
		switch fl.kind {
		case kindKV:
			for i, r := range fl.rows {
				prefix := indent
				if i == 0 {
					prefix = head
				}
				nw, vw := f.kvWidths()
				b.WriteString(prefix + cell(r.name.View(), nw) + f.st.Faint.Render(" : ") + cell(r.value.View(), vw) + "\n")
				if msg := fl.rowErrs[i]; msg != "" {
					b.WriteString(f.note(f.st.FieldError, "✗ "+msg))
				}
			}
		case kindArea:
			lines := strings.Split(fl.area.View(), "\n")
			for i, l := range lines {
				prefix := indent
				if i == 0 {
					prefix = head
				}
				b.WriteString(prefix + l + "\n")
			}
		default:
			b.WriteString(head + f.fieldView(fl, focused) + "\n")
		}
		if fl.err != "" {
			b.WriteString(f.note(f.st.FieldError, "✗ "+fl.err))
		} else if focused && fl.hint != "" {
			b.WriteString(f.note(f.st.FieldHelp, fl.hint))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// kvWidths splits the input column between a row's name and value.
func (f *form) kvWidths() (name, value int) {
	iw := max(f.width-f.labelW-2, 10)
	name = max(iw*2/5, 8)
	return name, max(iw-name-3, 6)
}

// cell pads or cuts s (which may hold styles) to exactly width cells, so
// columns line up whatever an input renders.
func cell(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "")
}

// note renders an error or hint under a field, wrapped to the input column.
func (f *form) note(style lipgloss.Style, text string) string {
	indent := strings.Repeat(" ", f.labelW)
	width := max(f.width-f.labelW, 20)
	var b strings.Builder
	for _, l := range strings.Split(ansi.Wrap(text, width, " "), "\n") {
		b.WriteString(indent + style.Render(l) + "\n")
	}
	return b.String()
}

func (f *form) fieldView(fl *field, focused bool) string {
	switch fl.kind {
	case kindChoice:
		parts := make([]string, len(fl.titles))
		for i, t := range fl.titles {
			switch {
			case i == fl.choice && focused:
				parts[i] = f.st.ButtonFocused.Render("[" + t + "]")
			case i == fl.choice:
				parts[i] = f.st.Selected.Render("[" + t + "]")
			default:
				parts[i] = f.st.Faint.Render(" " + t + " ")
			}
		}
		return lipgloss.JoinHorizontal(lipgloss.Top, parts...)
	case kindToggle:
		if fl.on {
			return f.st.Selected.Render("[x] yes")
		}
		return f.st.Faint.Render("[ ] no")
	}
	return fl.input.View()
}
