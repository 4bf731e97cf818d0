package wizard

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"patchbay/connection"
)

// The wizard's fields are templates: {{name}} may sit in them as in an
// action. The sample request is the template rendered with each
// variable's sample value — the user sends a working request with real
// values, and the action keeps the placeholders. This file holds the
// sample values: which variables there are, what each is sent with, and
// what is wrong with them.

// VariableList describes every variable the fields use (those the body
// type sends), in order of first use: by its entry in Vars, or, when Vars
// does not describe it, as a required string with no default or sample.
// Step 2's sample values and their errors (vars.N) follow this order.
func (w *Wizard) VariableList() []Variable {
	names := variables(w.spec())
	out := make([]Variable, 0, len(names))
	for _, n := range names {
		out = append(out, describe(w.Vars, n))
	}
	return out
}

// SetSampleValue sets the value the sample request sends for the variable
// name. A variable Vars does not describe gets an entry, a required string
// as it was until now; an empty value for such a variable changes nothing,
// so a form may push every row back without adding entries.
func (w *Wizard) SetSampleValue(name, value string) {
	for i := range w.Vars {
		if w.Vars[i].Name == name {
			w.Vars[i].Sample = value
			return
		}
	}
	if value != "" {
		w.Vars = append(w.Vars, Variable{Name: name, Type: VarString, Required: true, Sample: value})
	}
}

// sampleValue is what the sample request fills v with: its Sample, else
// its Default, else "" for an optional variable — what a replay without a
// value would send. ok is false for a required variable with neither.
func sampleValue(v Variable) (value string, ok bool) {
	switch {
	case v.Sample != "":
		return v.Sample, true
	case v.Default != nil:
		return *v.Default, true
	}
	return "", !v.Required
}

// sampleValues returns the value of every variable the fields use, for the
// sample request, and the names of those that have none, in order.
func (w *Wizard) sampleValues() (map[string]string, []string) {
	vals := map[string]string{}
	var missing []string
	for _, v := range w.VariableList() {
		if value, ok := sampleValue(v); ok {
			vals[v.Name] = value
		} else {
			missing = append(missing, v.Name)
		}
	}
	return vals, missing
}

// varErrors checks the sample values, under vars.N (N the variable's index
// in VariableList): a sample value or a default not of the variable's
// type, a value that cannot go where its variable sits (a line break in a
// header, text outside quotes in a JSON body — the renderer says), and,
// when requireValues, a variable with no value to send the sample with.
// Secret-looking variables' values are not quoted.
func (w *Wizard) varErrors(requireValues bool) connection.FieldErrors {
	var errs connection.FieldErrors
	list := w.VariableList()
	index := map[string]int{}
	add := func(name, msg string) {
		errs = append(errs, connection.FieldError{Field: fmt.Sprintf("vars.%d", index[name]), Msg: msg})
	}
	missing := false
	for i, v := range list {
		index[v.Name] = i
		bad := false
		if v.Sample != "" && !v.Type.Accepts(v.Sample) {
			add(v.Name, notOfType("", v, v.Sample))
			bad = true
		}
		if v.Default != nil && !v.Type.Accepts(*v.Default) {
			add(v.Name, notOfType("the default ", v, *v.Default))
			bad = true
		}
		if _, ok := sampleValue(v); !ok && !bad {
			missing = true
			if requireValues {
				add(v.Name, fmt.Sprintf("give {{%s}} a sample value to send the sample request with", v.Name))
			}
		}
	}
	if len(errs) > 0 || missing {
		return errs
	}
	vals, _ := w.sampleValues()
	if _, err := w.spec().fill(w.Name, vals); err != nil {
		var ve *VariableError
		var fe *FileError
		switch {
		case errors.As(err, &ve):
			add(ve.Name, ve.Error())
		case errors.As(err, &fe):
			at := slices.IndexFunc(w.Parts, func(p Part) bool { return strings.TrimSpace(p.Name) == fe.Part })
			errs = append(errs, connection.FieldError{Field: fmt.Sprintf("part.%d", max(at, 0)), Msg: fe.Error()})
		}
		// Anything else is typed text at fault, which the field checks
		// already report.
	}
	return errs
}

// notOfType says that value (of v, a sample value unless what says
// otherwise) is not of v's type: "'abc' is not a number". A secret-looking
// variable's value is not quoted.
func notOfType(what string, v Variable, value string) string {
	if IsSecret(v.Name) {
		if what == "" {
			what = "the sample value "
		}
		return fmt.Sprintf("%sis not %s", what, v.Type.expected())
	}
	return fmt.Sprintf("%s'%s' is not %s", what, shorten(value, 40), v.Type.expected())
}

// savedInput is the input an edited action was loaded with, kept when its
// request cannot be rendered because some variable has no sample value (a
// secret one, whose sample is never saved, or an action saved before
// samples existed). The saved sample answers that input, so it is not
// stale, and need not be sent again, until the input differs.
type savedInput struct {
	s       spec
	vals    map[string]string
	missing []string
}

func (w *Wizard) input() *savedInput {
	vals, missing := w.sampleValues()
	return &savedInput{s: w.spec(), vals: vals, missing: missing}
}

func (in *savedInput) same(o *savedInput) bool {
	a, b := in.s, o.s
	return a.Method == b.Method && a.URL == b.URL && slices.Equal(a.Query, b.Query) &&
		slices.Equal(a.Headers, b.Headers) && a.BodyType == b.BodyType && a.Body == b.Body &&
		slices.Equal(a.Form, b.Form) && slices.Equal(a.Parts, b.Parts) && sameOptions(a.Options, b.Options) &&
		maps.Equal(in.vals, o.vals) && slices.Equal(in.missing, o.missing)
}

// savedSampleFits reports whether the sample is the edited action's own
// and the input is still what the action was loaded with, though that
// input cannot be sent as it is (see savedInput).
func (w *Wizard) savedSampleFits() bool {
	return w.sampleSaved && w.saved != nil && w.saved.same(w.input())
}

// savedVars is vars as an action keeps them: the sample values of secret
// variables (SecretVariable) are left out — the wizard keeps them in memory
// for as long as it lives, the store never sees them.
func (w *Wizard) savedVars(vars []Variable) []Variable {
	secret := w.secretVariables()
	for i := range vars {
		if secret[vars[i].Name] {
			vars[i].Sample = ""
		}
	}
	return vars
}

// secretSamples lists the sample values of the secret-looking variables the
// fields use, so that what the server echoed of them is not kept in the
// saved sample: a {{password}} in a URL is as secret as one in a header.
func (w *Wizard) secretSamples() []string {
	var out []string
	secret := w.secretVariables()
	for _, v := range w.VariableList() {
		if secret[v.Name] && v.Sample != "" {
			out = append(out, v.Sample)
		}
	}
	return out
}
