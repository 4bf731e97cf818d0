package ui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/wizard"
)

// varEditor is step 3's way of turning the sample's static values into
// variables ("datapills"): a list of every value the request holds — path
// segments, query, header and form values, JSON body fields, multipart
// values — and, for the one picked, a small form: name, type, default,
// required. The wizard rewrites its fields with the {{name}} placeholder and
// keeps the value as the variable's sample, so the sample stays the
// response to what the action now describes.
type varEditor struct {
	env    *env
	w      *wizard.Wizard
	cands  []wizard.Candidate
	cursor int
	// form is open while one value is being made a variable (or a
	// variable changed); at is its place and name the variable's name when
	// it already is one.
	form *form
	at   wizard.Place
	name string
	// width and height are the editor's area.
	width, height int
}

func newVarEditor(e *env, w *wizard.Wizard) *varEditor {
	v := &varEditor{env: e, w: w}
	v.reload()
	return v
}

// reload lists the candidates again, keeping the cursor on the same place
// when it is still there.
func (v *varEditor) reload() {
	var was wizard.Place
	if v.cursor < len(v.cands) {
		was = v.cands[v.cursor].At
	}
	v.cands = v.w.Candidates()
	v.cursor = min(v.cursor, max(len(v.cands)-1, 0))
	for i, c := range v.cands {
		if c.At == was {
			v.cursor = i
		}
	}
}

func (v *varEditor) capturing() bool { return v.form != nil && v.form.capturing() }

func (v *varEditor) keys() []key.Binding {
	k := v.env.keys
	if v.form != nil {
		return []key.Binding{withHelp(k.Save, "enter/ctrl+s", "make it a variable"), k.NextField,
			withHelp(k.Back, "esc", "back to the values")}
	}
	keys := []key.Binding{k.Up, k.Down, withHelp(k.Enter, "enter", "make a variable")}
	if len(v.cands) > 0 && v.cands[v.cursor].Var != "" && v.canRemove(v.cands[v.cursor].Var) {
		keys = append(keys, withHelp(k.Unvariable, "x", "back to its sample value"))
	}
	return append(keys, withHelp(k.Back, "esc", "done"))
}

// update handles a key; done reports that the editor closed.
func (v *varEditor) update(msg tea.KeyMsg) (done bool, cmd tea.Cmd) {
	k := v.env.keys
	if v.form != nil {
		switch {
		case key.Matches(msg, k.Back):
			v.form = nil
			return false, clearStatus
		case key.Matches(msg, k.Save, k.Enter):
			return false, v.save()
		}
		_, cmd := v.form.Update(msg)
		return false, cmd
	}
	switch {
	case key.Matches(msg, k.Back):
		return true, nil
	case key.Matches(msg, k.Up):
		v.cursor = max(v.cursor-1, 0)
	case key.Matches(msg, k.Down):
		v.cursor = min(v.cursor+1, max(len(v.cands)-1, 0))
	case key.Matches(msg, k.Enter) && len(v.cands) > 0:
		v.open(v.cands[v.cursor])
	case key.Matches(msg, k.Unvariable) && len(v.cands) > 0 && v.cands[v.cursor].Var != "":
		name := v.cands[v.cursor].Var
		if !v.canRemove(name) {
			return false, errStatus("{{%s}} has no sample value to put back: give it one in step 2's Variables first", name)
		}
		v.w.RemoveVariable(name)
		v.reload()
		return false, func() tea.Msg { return statusMsg{text: "{{" + name + "}} is a fixed value again."} }
	}
	return false, nil
}

// open shows the form for c: the variable it is, or the one suggested.
func (v *varEditor) open(c wizard.Candidate) {
	vr := c.Suggest
	v.name = c.Var
	if c.Var != "" {
		for _, d := range v.w.VariableList() {
			if d.Name == c.Var {
				vr = d
			}
		}
	}
	v.at = c.At
	name := textField("var_name", "Name", "letters, digits, _ . -")
	name.input.SetValue(vr.Name)
	types := make([]string, len(wizard.VarTypes))
	for i, t := range wizard.VarTypes {
		types[i] = string(t)
	}
	typ := choiceField("var_type", "Type", types, nil)
	for i, t := range wizard.VarTypes {
		if t == vr.Type.OrDefault() {
			typ.choice = i
		}
	}
	typ.hint = "What a run must give: checked before anything is sent."
	def := textField("var_default", "Default", "none — every run gives a value")
	if v.secret(c) {
		def = secretField("var_default", "Default")
	}
	if vr.Default != nil {
		def.input.SetValue(*vr.Default)
	}
	req := toggleField("var_required", "Required")
	req.on = vr.Required
	req.hint = "Off: a run may leave it out (it is then the default, or empty)."
	v.form = newForm(&v.env.styles, &v.env.keys, name, typ, def, req)
	v.form.SetWidth(min(v.width-4, 90))
}

// save makes the value a variable (or changes the variable), or shows
// what is wrong by its field.
func (v *varEditor) save() tea.Cmd {
	f := v.form
	vr := wizard.Variable{
		Name:     strings.TrimSpace(f.field("var_name").value()),
		Type:     wizard.VarType(f.field("var_type").value()),
		Required: f.field("var_required").on,
	}
	if d := f.field("var_default").value(); d != "" {
		vr.Default = &d
	}
	var errs connection.FieldErrors
	if v.name != "" {
		errs = v.w.UpdateVariable(v.name, vr)
	} else {
		errs = v.w.MakeVariable(v.at, vr)
	}
	if len(errs) > 0 {
		f.setErrors(errs)
		if f.field(errs[0].Field) != nil {
			f.focusKey(errs[0].Field)
		}
		return errStatus("%s", errs[0].Msg)
	}
	v.form = nil
	v.reload()
	return func() tea.Msg { return statusMsg{text: "{{" + vr.Name + "}} is a variable: each run asks for it."} }
}

func (v *varEditor) View() string {
	st := v.env.styles
	if v.form != nil {
		c := v.cands[min(v.cursor, len(v.cands)-1)]
		head := "Make " + st.Accent.Render(connection.CleanText(c.Label)) + " a variable"
		if v.name != "" {
			head = "Variable " + st.Accent.Render("{{"+v.name+"}}") + " in " + connection.CleanText(c.Label)
		}
		return " " + head + "\n " + st.Faint.Render("Sample value: ") + v.sampleShown(c) + "\n\n" + v.form.View()
	}
	if len(v.cands) == 0 {
		return " " + st.Faint.Render("The request has no values to turn into variables.")
	}
	t := table{st: &st, headers: []string{"WHERE", "VALUE", "VARIABLE"}, cursor: v.cursor,
		width: v.width - 2, height: max(v.height-3, 2)}
	for _, c := range v.cands {
		variable := ""
		if c.Var != "" {
			variable = "{{" + c.Var + "}}"
		}
		t.rows = append(t.rows, []string{connection.CleanText(c.Label), v.sampleShown(c), variable})
	}
	return " " + st.Faint.Render("Pick a value the action should ask for on every run.") + "\n\n" + t.View()
}

// secret reports whether c's value is a credential: a secret variable's
// (by its name or where it sits), or one under a secret-looking key.
func (v *varEditor) secret(c wizard.Candidate) bool {
	if c.Var != "" {
		return v.w.SecretVariable(c.Var)
	}
	_, key, _ := strings.Cut(c.Label, " ")
	return wizard.IsSecret(c.Suggest.Name) || c.At.Kind != wizard.PlacePath && wizard.IsSecret(key)
}

// sampleShown is a candidate's value as the list shows it: secrets masked,
// control characters made visible.
func (v *varEditor) sampleShown(c wizard.Candidate) string {
	if v.secret(c) {
		return connection.Redacted
	}
	return connection.CleanText(c.Value)
}

// canRemove reports whether the variable name has a value to put back in
// its place: a sample value or a default. A secret variable of a saved
// action has none (its sample is never saved), nor has a {{name}} typed in
// without one; removing it would leave its places empty.
func (v *varEditor) canRemove(name string) bool {
	for _, d := range v.w.VariableList() {
		if d.Name == name {
			return d.Sample != "" || d.Default != nil
		}
	}
	return false
}

// pullSampleValues reads the step-2 Variables rows into the wizard's
// sample values, then lists the variables the fields use now: a {{name}}
// typed into a field gets its row as soon as it is complete.
func (s *wizardScreen) pullSampleValues() {
	fl := s.step2.field("vars")
	for i, name := range s.varNames {
		if i < len(fl.rows) {
			s.w.SetSampleValue(name, fl.rows[i].value.Value())
		}
	}
	if !slices.Equal(s.varNames, s.variableNames()) {
		s.pushSampleValues()
	}
}

// pushSampleValues shows the wizard's variables and their sample values
// in the Variables rows; a row's name is the variable's, not for typing.
func (s *wizardScreen) pushSampleValues() {
	s.varNames = s.variableNames()
	var kvs []connection.KV
	for _, v := range s.w.VariableList() {
		kvs = append(kvs, connection.KV{Key: v.Name, Value: v.Sample})
	}
	fl := s.step2.field("vars")
	s.step2.setRows(fl, kvs)
	for i := range fl.rows {
		if s.w.SecretVariable(s.varNames[i]) && !s.step2.reveal {
			fl.rows[i].value.EchoMode = textinput.EchoPassword
			fl.rows[i].value.EchoCharacter = '•'
		}
	}
	s.step2.syncFocus()
}

func (s *wizardScreen) variableNames() []string {
	var names []string
	for _, v := range s.w.VariableList() {
		names = append(names, v.Name)
	}
	return names
}
