package wizard

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// VarType is the type of a variable's value. The zero value is VarString.
type VarType string

// Variable types. A value is always text; its type says which text is
// accepted: a number is a JSON number (-1.5e3), a boolean is true or false,
// json is any one JSON value, and a string is anything.
const (
	VarString  VarType = "string"
	VarNumber  VarType = "number"
	VarBoolean VarType = "boolean"
	VarJSON    VarType = "json"
)

// VarTypes lists the variable types in the order a form offers them.
var VarTypes = []VarType{VarString, VarNumber, VarBoolean, VarJSON}

// ParseVarType reads a type as typed (case-insensitive, "" is string,
// "bool" is boolean). An unknown type is an error listing the known ones.
func ParseVarType(s string) (VarType, error) {
	switch t := VarType(strings.ToLower(strings.TrimSpace(s))); t {
	case "", VarString:
		return VarString, nil
	case VarNumber, VarBoolean, VarJSON:
		return t, nil
	case "bool":
		return VarBoolean, nil
	}
	return "", fmt.Errorf("unknown variable type '%s' — choose string, number, boolean or json", s)
}

// OrDefault returns t, or VarString for the zero value.
func (t VarType) OrDefault() VarType {
	if t == "" {
		return VarString
	}
	return t
}

func (t VarType) String() string { return string(t.OrDefault()) }

// Accepts reports whether value is a value of type t. An unknown type
// accepts nothing, so a damaged action fails loudly rather than sending.
func (t VarType) Accepts(value string) bool {
	switch t.OrDefault() {
	case VarString:
		return true
	case VarNumber:
		return jsonNumber.MatchString(value)
	case VarBoolean:
		return value == "true" || value == "false"
	case VarJSON:
		return json.Valid([]byte(value))
	}
	return false
}

// expected says in words what a value of type t looks like: "a number".
func (t VarType) expected() string {
	switch t.OrDefault() {
	case VarNumber:
		return "a number"
	case VarBoolean:
		return "true or false"
	case VarJSON:
		return "JSON"
	case VarString:
		return "a string"
	}
	return "of the unknown type '" + string(t) + "'"
}

// jsonNumber is the number grammar of RFC 8259, no spaces around it.
var jsonNumber = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)

// Variable describes one {{name}} variable of an action. An action's
// variables that Action.Vars does not describe are strings, required, with
// no default — as every variable was before Vars existed.
type Variable struct {
	Name string  `json:"name"`
	Type VarType `json:"type,omitempty"` // "" is VarString
	// Default is the value used when none is given; nil means no default
	// (a pointer, so that an empty default differs from none).
	Default *string `json:"default,omitempty"`
	// Required: a value must be given (or come from Default). An optional
	// variable with no default and no value is the empty string.
	Required bool `json:"required,omitempty"`
	// Sample is the value the wizard's sample request was sent with: the
	// wizard's fields are templates, and the sample a working request with
	// real values in them. "" is no sample value (Default, then "" for an
	// optional variable, stand in). An action keeps it so that editing can
	// send the same sample again; the sample of a variable whose name looks
	// like a credential (IsSecret) is never saved.
	Sample string `json:"sample,omitempty"`
}

// Check reports a value (given or the default) that is not of v's type, as
// a *VariableError naming the variable; action names the action.
func (v Variable) Check(action, value string) error {
	if v.Type.Accepts(value) {
		return nil
	}
	e := &VariableError{Action: action, Name: v.Name, WrongType: true, Type: v.Type.OrDefault()}
	if !IsSecret(v.Name) {
		e.Value = shorten(value, 40)
	}
	return e
}

// shorten cuts s to at most n bytes, on a rune boundary, marking the cut
// with "…".
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Variable returns the description of the variable name: its entry in
// Vars, or, for a variable Vars does not describe, a required string with
// no default.
func (a Action) Variable(name string) Variable { return describe(a.Vars, name) }

// describe is the description of the variable name in vars, or, for one
// vars does not describe, a required string with no default.
func describe(vars []Variable, name string) Variable {
	for _, v := range vars {
		if v.Name == name {
			v.Type = v.Type.OrDefault()
			return v
		}
	}
	return Variable{Name: name, Type: VarString, Required: true}
}

// VariableList describes every variable the action uses, in the order of
// Variables, each as Variable describes it. Entries of Vars for variables
// the action no longer uses are left out.
func (a Action) VariableList() []Variable {
	names := a.Variables()
	out := make([]Variable, 0, len(names))
	for _, n := range names {
		out = append(out, a.Variable(n))
	}
	return out
}

// Resolve checks the values given for a replay against the action's
// variables and returns the values to render with: the given ones, the
// default of each variable not given, and "" for an optional variable with
// neither. Every value, defaults included, must be of its variable's type.
//
// The problems are *VariableError: values for variables the action does
// not use (Unknown, all the names in Names), required variables without a
// value (all in Names) and one error per value of the wrong type
// (WrongType). When there are several kinds, they come joined
// (errors.Join) in that order, so errors.As finds the first.
func (a Action) Resolve(given map[string]string) (map[string]string, error) {
	used := a.Variables()
	var errs []error
	var unknown []string
	for name := range given {
		if !slices.Contains(used, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		errs = append(errs, &VariableError{Action: a.Name, Name: unknown[0], Names: unknown, Unknown: true})
	}
	out := make(map[string]string, len(used))
	var missing []string
	var wrong []error
	for _, name := range used {
		v := a.Variable(name)
		value, ok := given[name]
		switch {
		case ok:
		case v.Default != nil:
			value = *v.Default
		case v.Required:
			missing = append(missing, name)
			continue
		default:
			out[name] = ""
			continue
		}
		if err := v.Check(a.Name, value); err != nil {
			wrong = append(wrong, err)
			continue
		}
		out[name] = value
	}
	if len(missing) > 0 {
		errs = append(errs, &VariableError{Action: a.Name, Name: missing[0], Names: missing})
	}
	errs = append(errs, wrong...)
	switch len(errs) {
	case 0:
		return out, nil
	case 1:
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}

// quoteNames quotes and joins names: 'a', 'b'.
func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

// wrongTypeMessage is the message of a WrongType *VariableError.
func (e *VariableError) wrongTypeMessage() string {
	msg := fmt.Sprintf("variable '%s' must be %s", e.Name, e.Type.expected())
	if !IsSecret(e.Name) {
		msg += ", not " + strconv.Quote(e.Value)
	}
	return msg
}

// cloneVars copies vars, defaults included, so an edited copy shares
// nothing with the original.
func cloneVars(vars []Variable) []Variable {
	out := slices.Clone(vars)
	for i, v := range out {
		if v.Default != nil {
			d := *v.Default
			out[i].Default = &d
		}
	}
	return out
}

// usedVars keeps the descriptions of the variables in used, nil if none.
func usedVars(vars []Variable, used []string) []Variable {
	vars = slices.DeleteFunc(vars, func(v Variable) bool { return !slices.Contains(used, v.Name) })
	if len(vars) == 0 {
		return nil
	}
	return vars
}
