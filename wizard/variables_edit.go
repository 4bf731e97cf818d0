package wizard

import (
	"fmt"
	"slices"
	"strings"

	"patchbay/connection"
)

// MakeVariable turns the static value at `at` (a Candidate's At) into the
// variable v: the value is replaced by {{v.Name}} in the wizard's fields
// and v is recorded in Vars, with the value replaced as its Sample unless
// v.Sample is set, so the sample request still sends that value.
//
// Only the value's own text changes (the URL is written back without the
// surrounding spaces it is never sent with). In a JSON body that is exactly the
// token's bytes, the rest of the body keeps the user's formatting; a string
// becomes "{{name}}" (the value goes in as string content), anything else a
// bare {{name}}, whose values must then be JSON — so a string type is
// refused there. A name already used by another place adds this place to
// that variable (one value goes in both), whose description and sample
// stay as they are; it must have the same type.
//
// The sample stays fresh (Sample reports it not stale) when the rendered
// request is byte for byte the one sent: so for digits, words, UUIDs, any
// value of a query, header, form or multipart row, and JSON strings
// written the way encoding/json writes them. A value written with an
// unusual encoding renders in the renderer's own and makes the sample
// stale, to be sent again: a path segment or URL query value typed a,b or
// a@b (sent as a%2Cb, a%40b), a JSON string written with \/ or \u00e9.
//
// The errors are FieldErrors: var_name for a name that is not a variable
// name or is another variable's of another type, var_type for an unknown
// type or a sample value not of the type, var_default for a default not of
// it, and var when the place is gone or no longer holds a static value.
func (w *Wizard) MakeVariable(at Place, v Variable) connection.FieldErrors {
	var sl slot
	found := false
	for _, s := range w.fields().slots() {
		if s.at.Kind != "" && s.at == at {
			sl, found = s, true
			break
		}
	}
	value, static := sl.static()
	if !found || !static {
		return connection.FieldErrors{{Field: "var", Msg: "that value is no longer in the request as a fixed value — pick it again from the list"}}
	}
	v.Type = v.Type.OrDefault()
	if v.Sample == "" {
		v.Sample = value
	}
	if errs := w.checkVariable(v, "", at.Kind == PlaceBody && sl.json != 's'); len(errs) > 0 {
		return errs
	}
	used := slices.ContainsFunc(w.VariableList(), func(u Variable) bool { return u.Name == v.Name })
	ph := "{{" + v.Name + "}}"
	switch at.Kind {
	case PlacePath, PlaceURLQuery:
		u := strings.TrimSpace(w.URL)
		w.URL = u[:sl.start] + ph + u[sl.end:]
	case PlaceQuery:
		w.Query[at.Index].Value = ph
	case PlaceHeader:
		w.Headers[at.Index].Value = ph
	case PlaceForm:
		w.Form[at.Index].Value = ph
	case PlacePart:
		w.Parts[at.Index].Value = ph
	case PlaceBody:
		if sl.json == 's' {
			ph = `"` + ph + `"`
		}
		w.Body = w.Body[:sl.start] + ph + w.Body[sl.end:]
	}
	if !used {
		w.Vars = slices.DeleteFunc(w.Vars, func(x Variable) bool { return x.Name == v.Name })
		w.Vars = append(w.Vars, v)
	} else if _, ok := sampleValue(describe(w.Vars, v.Name)); !ok {
		// The variable was typed without a sample value: now it has one.
		w.SetSampleValue(v.Name, v.Sample)
	}
	return nil
}

// UpdateVariable changes the variable name to v: its name (every
// {{name}} in the fields becomes {{v.Name}}, however it was spaced inside
// the braces), type, default, required and sample value — v.Sample ""
// keeps the sample value it had, as a form that does not show it would
// pass. Renaming to another variable's name merges the two, which must
// have the same type. The checks and error keys are MakeVariable's; var
// when the wizard has no variable name.
func (w *Wizard) UpdateVariable(name string, v Variable) connection.FieldErrors {
	used := slices.ContainsFunc(w.VariableList(), func(u Variable) bool { return u.Name == name })
	if !used && !slices.ContainsFunc(w.Vars, func(x Variable) bool { return x.Name == name }) {
		return connection.FieldErrors{{Field: "var", Msg: fmt.Sprintf("there is no variable {{%s}} any more", name)}}
	}
	v.Type = v.Type.OrDefault()
	if v.Sample == "" {
		v.Sample = describe(w.Vars, name).Sample
	}
	bare := w.bareInJSON(name) || v.Name != name && w.bareInJSON(v.Name)
	if errs := w.checkVariable(v, name, bare); len(errs) > 0 {
		return errs
	}
	if v.Name != name {
		w.replacePlaceholders(name, func(func(string) string) string { return "{{" + v.Name + "}}" })
	}
	i := slices.IndexFunc(w.Vars, func(x Variable) bool { return x.Name == name })
	if i < 0 {
		w.Vars = append(w.Vars, v)
		i = len(w.Vars) - 1
	}
	w.Vars[i] = v
	var out []Variable
	for j, x := range w.Vars {
		if j == i || x.Name != name && x.Name != v.Name {
			out = append(out, x)
		}
	}
	w.Vars = out
	return nil
}

// RemoveVariable makes the variable name a fixed value again: its sample
// value (else its default, else "") goes back wherever {{name}} is,
// encoded as the renderer encodes it there, so the request stays the same
// and the sample fresh; and its Vars entry goes.
func (w *Wizard) RemoveVariable(name string) {
	value, _ := sampleValue(describe(w.Vars, name))
	w.replacePlaceholders(name, func(escape func(string) string) string {
		if escape == nil {
			return value
		}
		return escape(value)
	})
	w.Vars = slices.DeleteFunc(w.Vars, func(x Variable) bool { return x.Name == name })
}

// replacePlaceholders replaces each {{name}} in every field of the wizard
// (those the body type does not send too) with what with returns, given
// the renderer's escape for where the placeholder sits (nil: the value
// goes in raw; escapeJSONString inside a JSON string).
func (w *Wizard) replacePlaceholders(name string, with func(escape func(string) string) string) {
	put := func(text string, escape func(string) string) string {
		return varPattern.ReplaceAllStringFunc(text, func(m string) string {
			if varPattern.FindStringSubmatch(m)[1] != name {
				return m
			}
			return with(escape)
		})
	}
	w.URL = put(w.URL, escapeURLValue)
	for _, kvs := range [][]connection.KV{w.Query, w.Headers, w.Form} {
		for i := range kvs {
			kvs[i].Value = put(kvs[i].Value, nil)
		}
	}
	for i := range w.Parts {
		w.Parts[i].Value = put(w.Parts[i].Value, nil)
		w.Parts[i].File = put(w.Parts[i].File, nil)
	}
	if w.BodyType != BodyJSON {
		w.Body = put(w.Body, nil)
		return
	}
	var b strings.Builder
	last := 0
	for _, p := range jsonPlaceholders(w.Body) {
		if p.name != name {
			continue
		}
		b.WriteString(w.Body[last:p.start])
		if p.inString {
			b.WriteString(with(escapeJSONString))
		} else {
			b.WriteString(with(nil))
		}
		last = p.end
	}
	b.WriteString(w.Body[last:])
	w.Body = b.String()
}

// bareInJSON reports whether {{name}} sits outside quotes in the JSON body,
// where its value must be JSON.
func (w *Wizard) bareInJSON(name string) bool {
	if w.BodyType != BodyJSON {
		return false
	}
	return slices.ContainsFunc(jsonPlaceholders(w.Body), func(p placeholder) bool { return p.name == name && !p.inString })
}

// checkVariable checks v, the new description of the variable was ("" for
// a new one); bare says a placeholder of it sits outside quotes in the JSON
// body.
func (w *Wizard) checkVariable(v Variable, was string, bare bool) connection.FieldErrors {
	var errs connection.FieldErrors
	add := func(field, msg string) { errs = append(errs, connection.FieldError{Field: field, Msg: msg}) }
	switch {
	case v.Name == "":
		add("var_name", "the variable needs a name, such as user_id")
	case !varName.MatchString(v.Name):
		add("var_name", fmt.Sprintf("'%s' is not a variable name: start with a letter or _, then letters, digits, _ . or -", v.Name))
	}
	if !slices.Contains(VarTypes, v.Type) {
		add("var_type", fmt.Sprintf("unknown type '%s' — choose string, number, boolean or json", v.Type))
		return errs
	}
	if v.Name != was {
		for _, u := range w.VariableList() {
			if u.Name == v.Name && u.Type.OrDefault() != v.Type {
				add("var_name", fmt.Sprintf("{{%s}} is already a %s variable: one name is one value, so give it the same type or pick another name", v.Name, u.Type.OrDefault()))
			}
		}
	}
	switch {
	case bare && v.Type == VarString:
		add("var_type", "the value sits outside quotes in the JSON body, so it must be JSON: choose number, boolean or json")
	case v.Sample != "" && !v.Type.Accepts(v.Sample):
		add("var_type", notOfType("", v, v.Sample))
	}
	if v.Default != nil && !v.Type.Accepts(*v.Default) {
		add("var_default", notOfType("the default ", v, *v.Default))
	}
	return errs
}
