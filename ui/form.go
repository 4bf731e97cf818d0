package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
)

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
		if fl.kind == kindKV && len(fl.rows) == 0 && !fl.fixedNames {
			fl.rows = []kvRow{f.newRow(fl)}
		}
	}
	f.syncFocus()
	return f
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
		r.name.CursorStart() // shown from their start until focused
		r.value.CursorStart()
		fl.rows = append(fl.rows, r)
	}
	if !fl.fixedNames {
		fl.rows = append(fl.rows, f.newRow(fl))
	}
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
				if !fl.fixedNames {
					s = append(s, stop{fl, i, 0})
				}
				s = append(s, stop{fl, i, 1})
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
	name, row := splitKey(k)
	for i, s := range f.stops() {
		if s.field.key == name && (row < 0 || s.row == row) {
			f.focus = i
			f.syncFocus()
			return
		}
	}
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
			focusInput(&fl.input, here)
		case kindArea:
			if here {
				fl.area.Focus()
			} else {
				fl.area.Blur()
			}
		case kindKV:
			for i := range fl.rows {
				r := &fl.rows[i]
				focusInput(&r.name, here && cur.row == i && cur.col == 0)
				focusInput(&r.value, here && cur.row == i && cur.col == 1)
			}
		}
	}
}

// focusInput focuses or blurs in. A value longer than its column shows
// its start while it is not being edited — a header row filled in from a
// curl command or a webhook showed "ent-Type: cation/json" — and its end,
// where typing goes on, once it is focused.
func focusInput(in *textinput.Model, focused bool) {
	switch {
	case focused && !in.Focused():
		in.Focus()
		in.CursorEnd()
	case !focused && in.Focused():
		in.Blur()
		in.CursorStart()
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
			f.echo(fl)
		}
		if fl.kind == kindKV && fl.secretValues {
			for i := range fl.rows {
				fl.rows[i].value.EchoMode = mode
			}
		}
	}
}

// echo masks a secret input unless secrets are revealed or its field masks
// only some values and this is not one of them.
func (f *form) echo(fl *field) {
	fl.input.EchoMode = textinput.EchoPassword
	if f.reveal || fl.maskIf != nil && !fl.maskIf(fl.input.Value()) {
		fl.input.EchoMode = textinput.EchoNormal
	}
}

// setErrors puts each error next to its field and clears the others.
func (f *form) setErrors(errs connection.FieldErrors) {
	for _, fl := range f.fields {
		fl.err = ""
		fl.rowErrs = nil
	}
	for _, e := range errs {
		name, row := splitKey(e.Field)
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
		case key.Matches(km, f.keys.Editor):
			return true, f.editExternally(s)
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
		if s.field.kind == kindSecret {
			f.echo(s.field)
		}
	case kindArea:
		s.field.area, cmd = s.field.area.Update(msg)
	case kindKV:
		r := &s.field.rows[s.row]
		if s.col == 0 {
			r.name, cmd = r.name.Update(msg)
		} else {
			r.value, cmd = r.value.Update(msg)
		}
		if !s.field.fixedNames && s.row == len(s.field.rows)-1 && (r.name.Value() != "" || r.value.Value() != "") {
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
