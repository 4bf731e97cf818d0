package wizard

import (
	"fmt"
	"regexp"
	"strings"
)

// Candidate is a value of the request that can become a variable, or
// already is one.
type Candidate struct {
	At    Place
	Label string // where, in words: "path segment 2", "query page", "header X-Request-Id", "body user.id", "form name"
	// Value is the value as the server gets it, decoded (a path segment
	// unescaped, a JSON string unquoted); for a variable, its sample value.
	Value string
	// Var is the variable's name when the whole value is exactly {{name}}.
	Var string
	// Suggest is the variable to make of the value: a name from where it
	// sits, made unique against the variables already used and the other
	// suggestions; its type from the JSON value (number, boolean, json for
	// null, else string); required; the value as its sample. For a
	// variable, its description.
	Suggest Variable
}

// Candidates lists, in request order, every value of the request that can
// become a variable: each non-empty path segment, each value of a query
// parameter written in the URL, the values of query, header and form rows
// that have a name, each leaf of a JSON body (string, number, boolean or
// null), and each multipart value (not a file). A value that is exactly
// {{name}} is listed with Var set; a value that mixes text and a variable
// (abc{{x}}) is not listed, and neither is an empty one, which has no
// sample value to keep.
func (w *Wizard) Candidates() []Candidate {
	ns := names{taken: map[string]bool{}, next: map[string]int{}}
	for _, v := range w.VariableList() {
		ns.taken[v.Name] = true
	}
	var out []Candidate
	for _, sl := range w.fields().slots() {
		if sl.at.Kind == "" {
			continue
		}
		c := Candidate{At: sl.at, Label: sl.label}
		if name := sl.whole(); name != "" {
			c.Var, c.Suggest = name, describe(w.Vars, name)
			c.Value, _ = sampleValue(c.Suggest)
			out = append(out, c)
			continue
		}
		value, ok := sl.static()
		if !ok || value == "" {
			continue
		}
		name := ns.unique(sl.suggestName(value))
		c.Value = value
		c.Suggest = Variable{Name: name, Type: sl.suggestType(), Required: true, Sample: value}
		out = append(out, c)
	}
	return out
}

// suggestType is the type of the value at sl: a JSON number, boolean or
// null says so (null is json: it can be anything); everything else is text.
func (sl slot) suggestType() VarType {
	switch sl.json {
	case 'n':
		return VarNumber
	case 'b':
		return VarBoolean
	case 'z':
		return VarJSON
	}
	return VarString
}

// suggestName names the value at sl from where it sits: a row's or a
// part's name, a JSON leaf's key, and for a path segment "id" when it looks
// like one, else the previous segment's name (/users/ann: users), else
// segmentN.
func (sl slot) suggestName(value string) string {
	switch sl.at.Kind {
	case PlacePath:
		if looksLikeID(value) {
			return "id"
		}
		if name := identifier(sl.hint); name != "" && !varPattern.MatchString(sl.hint) && !looksLikeID(sl.hint) {
			return name
		}
		return fmt.Sprintf("segment%d", sl.at.Index)
	case PlaceBody:
		if name := identifier(sl.hint); name != "" {
			return name
		}
		return "value"
	}
	if name := identifier(sl.hint); name != "" {
		return name
	}
	return string(sl.at.Kind)
}

var idPattern = regexp.MustCompile(`^(?:[0-9]+|[0-9a-fA-F]{8,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)

// looksLikeID reports a path segment that is an id rather than a name:
// digits, a UUID, or 8 or more hex digits.
func looksLikeID(s string) bool { return idPattern.MatchString(s) }

// identifier makes text a lower snake_case variable name: X-Request-Id is
// request_id (a leading x_ goes), pageSize page_size. It is "" when
// nothing usable is left or the name would start with a digit.
func identifier(text string) string {
	var b strings.Builder
	sep, lowerBefore := false, false
	for _, r := range text {
		isUpper := 'A' <= r && r <= 'Z'
		if !isUpper && !('a' <= r && r <= 'z') && !('0' <= r && r <= '9') {
			sep, lowerBefore = true, false
			continue
		}
		if (sep || isUpper && lowerBefore) && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep, lowerBefore = false, !isUpper
		if isUpper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	s := b.String()
	if rest, ok := strings.CutPrefix(s, "x_"); ok {
		s = rest
	}
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return ""
	}
	return s
}

// names hands out names not taken: name, else name_2, name_3 ... the
// first free one. It remembers where each name's count got to, so listing
// thousands of "id" is not quadratic.
type names struct {
	taken map[string]bool
	next  map[string]int
}

func (ns *names) unique(name string) string {
	out := name
	for n := max(ns.next[name], 2); ns.taken[out]; n++ {
		out = fmt.Sprintf("%s_%d", name, n)
		ns.next[name] = n + 1
	}
	ns.taken[out] = true
	return out
}
