package openapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Mismatch is one way a value differs from its schema: where (a JSON path
// such as $.tags[0].name) and what. Both may quote the server's data: show
// them through connection.CleanText.
type Mismatch struct {
	Path    string
	Problem string
}

func (m Mismatch) String() string { return m.Path + ": " + m.Problem }

// Bounds of one check. A schema is a graph ($refs may loop), so the walk
// is bounded three ways: a $ref already being checked at the same place
// is not entered again, nesting stops at maxCheckDepth, and the whole walk
// at maxCheckSteps schema visits (a huge array of objects).
const (
	maxMismatches = 40
	maxCheckDepth = 96
	maxCheckSteps = 2_000_000
)

// checker validates one value against a schema.
type checker struct {
	// writing: the value is a request; readOnly properties need not be
	// there. Otherwise it is a response, and writeOnly ones need not.
	writing bool
	out     []Mismatch
	steps   int
	stopped bool
	active  map[string]bool // $ref + "\x00" + path being checked
}

func newChecker(writing bool) *checker {
	return &checker{writing: writing, active: map[string]bool{}}
}

// validate checks v against sp and returns the mismatches, a last line
// saying so when the walk was cut short.
func validate(v any, sp *openapi3.SchemaRef, writing bool) []Mismatch {
	c := newChecker(writing)
	c.proxy(v, sp, "$", 0)
	out := c.out
	if len(out) >= maxMismatches {
		out = append(out[:maxMismatches:maxMismatches], Mismatch{Path: "…", Problem: "more mismatches not listed"})
	}
	if c.stopped && len(out) < maxMismatches {
		out = append(out, Mismatch{Path: "$", Problem: "only part of the value was checked: it is too large"})
	}
	return out
}

func (c *checker) add(path, format string, args ...any) {
	if len(c.out) < maxMismatches {
		c.out = append(c.out, Mismatch{Path: path, Problem: fmt.Sprintf(format, args...)})
	}
}

func (c *checker) done() bool { return c.stopped || len(c.out) >= maxMismatches }

func (c *checker) proxy(v any, sp *openapi3.SchemaRef, path string, depth int) {
	if sp == nil || c.done() {
		return
	}
	if ref := sp.Ref; ref != "" {
		key := ref + "\x00" + path
		if c.active[key] {
			return // a loop of allOf/$ref with no data consumed
		}
		c.active[key] = true
		defer delete(c.active, key)
	}
	if sp.Value != nil {
		c.schema(v, sp.Value, path, depth)
	}
}

func (c *checker) schema(v any, s *openapi3.Schema, path string, depth int) {
	if c.done() {
		return
	}
	c.steps++
	if depth > maxCheckDepth || c.steps > maxCheckSteps {
		c.stopped = true
		return
	}
	if s.Always != nil {
		if !*s.Always {
			c.add(path, "not allowed here")
		}
		return
	}
	for _, sub := range s.AllOf {
		c.proxy(v, sub, path, depth+1)
	}
	if len(s.AnyOf) > 0 {
		c.alternatives(v, s.AnyOf, "anyOf", path, depth)
	}
	if len(s.OneOf) > 0 {
		// Treated as anyOf: published specs often list oneOf alternatives
		// that overlap (two object shapes without additionalProperties),
		// and "matches two of them" would be noise to the user.
		c.alternatives(v, s.OneOf, "oneOf", path, depth)
	}
	if s.Not != nil && c.passes(v, s.Not, path, depth) {
		c.add(path, "must not match the 'not' schema")
	}
	if s.If != nil {
		// 3.1: then applies to a value that matches if, else to one that
		// does not.
		if c.passes(v, s.If, path, depth) {
			c.proxy(v, s.Then, path, depth+1)
		} else {
			c.proxy(v, s.Else, path, depth+1)
		}
	}
	if !c.typeOK(v, s, path) {
		return
	}
	if len(s.Enum) > 0 {
		c.enum(v, s, path)
	}
	if want, ok := plainValue(s.Const); ok && !equalValues(v, want) {
		c.add(path, "expected %s, got %s", shortJSON(want, 40), shortJSON(v, 40))
	}
	switch v := v.(type) {
	case string:
		c.str(v, s, path)
	case json.Number:
		c.number(v, s, path)
	case []any:
		c.array(v, s, path, depth)
	case map[string]any:
		c.object(v, s, path, depth)
	}
}

// passes reports whether v matches sp, without recording mismatches.
func (c *checker) passes(v any, sp *openapi3.SchemaRef, path string, depth int) bool {
	mark := len(c.out)
	c.proxy(v, sp, path, depth+1)
	ok := len(c.out) == mark
	c.out = c.out[:mark]
	return ok
}

// alternatives needs v to match one of alts; when none does it says so and
// lists the mismatches of the closest one.
func (c *checker) alternatives(v any, alts openapi3.SchemaRefs, keyword, path string, depth int) {
	mark := len(c.out)
	var closest []Mismatch
	for i, alt := range alts {
		c.proxy(v, alt, path, depth+1)
		got := slices.Clone(c.out[mark:])
		c.out = c.out[:mark]
		if len(got) == 0 {
			return
		}
		if i == 0 || len(got) < len(closest) {
			closest = got
		}
	}
	c.add(path, "matches none of the %d %s schemas; the closest differs:", len(alts), keyword)
	for _, m := range closest {
		c.add(m.Path, "%s", m.Problem)
	}
}

// types are the schema's types without "null", and whether null is allowed
// (3.0 nullable, or "null" among 3.1's types).
func types(s *openapi3.Schema) (list []string, nullable bool) {
	nullable = s.Nullable
	for _, t := range s.Type.Slice() {
		if t == "null" {
			nullable = true
			continue
		}
		list = append(list, t)
	}
	return list, nullable
}

func (c *checker) typeOK(v any, s *openapi3.Schema, path string) bool {
	list, nullable := types(s)
	if len(list) == 0 {
		if nullable && len(s.Type.Slice()) > 0 && v != nil { // 3.1's type: "null"
			c.add(path, "expected null, got %s", readerType(v))
			return false
		}
		return true
	}
	if v == nil {
		if nullable {
			return false // nothing more to check of a null
		}
		c.add(path, "expected %s, got null", strings.Join(list, " or "))
		return false
	}
	got := jsonType(v)
	for _, t := range list {
		if t == got || t == "number" && got == "integer" {
			return true
		}
	}
	c.add(path, "expected %s, got %s", strings.Join(list, " or "), readerType(v))
	return false
}

// readerType is the JSON type of v as a mismatch says it: "expected string,
// got number" for 5, which is a number to a reader.
func readerType(v any) string {
	if t := jsonType(v); t != "integer" {
		return t
	}
	return "number"
}

func (c *checker) enum(v any, s *openapi3.Schema, path string) {
	var shown []string
	for _, n := range s.Enum {
		want, _ := plainValue(n)
		if equalValues(v, want) {
			return
		}
		if len(shown) < 6 {
			shown = append(shown, shortJSON(want, 30))
		}
	}
	if len(s.Enum) > len(shown) {
		shown = append(shown, "…")
	}
	c.add(path, "%s is not one of %s", shortJSON(v, 40), strings.Join(shown, ", "))
}

func (c *checker) array(v []any, s *openapi3.Schema, path string, depth int) {
	n := uint64(len(v))
	if n < s.MinItems {
		c.add(path, "%d items, fewer than the minimum %d", n, s.MinItems)
	}
	if s.MaxItems != nil && n > *s.MaxItems {
		c.add(path, "%d items, more than the maximum %d", n, *s.MaxItems)
	}
	if s.UniqueItems {
		c.unique(v, path)
	}
	if s.Contains != nil {
		c.contains(v, s, path, depth)
	}
	for i, item := range v {
		if c.done() {
			return
		}
		at := path + "[" + strconv.Itoa(i) + "]"
		switch {
		case i < len(s.PrefixItems):
			c.proxy(item, s.PrefixItems[i], at, depth+1)
		case s.Items == nil:
		case s.Items.Value != nil && s.Items.Value.Always != nil && !*s.Items.Value.Always:
			c.add(at, "no item allowed here")
		default:
			c.proxy(item, s.Items, at, depth+1)
		}
	}
}

// contains (3.1) needs between minContains (default 1) and maxContains
// items that match its schema.
func (c *checker) contains(v []any, s *openapi3.Schema, path string, depth int) {
	matched := uint64(0)
	for i, item := range v {
		if i >= 1000 || c.done() {
			return // not worth it on a big response
		}
		if c.passes(item, s.Contains, path+"["+strconv.Itoa(i)+"]", depth) {
			matched++
		}
	}
	least := uint64(1)
	if s.MinContains != nil {
		least = *s.MinContains
	}
	if matched < least {
		c.add(path, "%d items match the 'contains' schema, fewer than the minimum %d", matched, least)
	}
	if s.MaxContains != nil && matched > *s.MaxContains {
		c.add(path, "%d items match the 'contains' schema, more than the maximum %d", matched, *s.MaxContains)
	}
}

func (c *checker) unique(v []any, path string) {
	if len(v) > 1000 {
		return // quadratic; not worth it on a big response
	}
	for i := range v {
		for j := i + 1; j < len(v); j++ {
			if equalValues(v[i], v[j]) {
				c.add(path, "items %d and %d are equal, but items must be unique", i, j)
				return
			}
		}
	}
}

func (c *checker) object(v map[string]any, s *openapi3.Schema, path string, depth int) {
	n := uint64(len(v))
	if n < s.MinProps {
		c.add(path, "%d properties, fewer than the minimum %d", n, s.MinProps)
	}
	if s.MaxProps != nil && n > *s.MaxProps {
		c.add(path, "%d properties, more than the maximum %d", n, *s.MaxProps)
	}
	for _, name := range s.Required {
		if _, ok := v[name]; ok || c.exempt(s, name) {
			continue
		}
		c.add(child(path, name), "missing required property")
	}
	for _, name := range slices.Sorted(maps.Keys(s.DependentRequired)) {
		if _, ok := v[name]; !ok {
			continue
		}
		for _, dep := range s.DependentRequired[name] {
			if _, ok := v[dep]; !ok {
				c.add(child(path, dep), "missing property required when %s is present", name)
			}
		}
	}
	var patterns []string
	if len(s.PatternProperties) > 0 {
		patterns = slices.Sorted(maps.Keys(s.PatternProperties))
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if c.done() {
			return
		}
		at := child(path, k)
		sp, known := s.Properties[k]
		if known {
			c.proxy(v[k], sp, at, depth+1)
		}
		for _, pattern := range patterns {
			if re := compiled(pattern); re != nil && re.MatchString(k) {
				known = true
				c.proxy(v[k], s.PatternProperties[pattern], at, depth+1)
			}
		}
		extra := s.AdditionalProperties
		switch {
		case known:
		case extra.Schema != nil:
			c.proxy(v[k], extra.Schema, at, depth+1)
		case extra.Has != nil && !*extra.Has:
			c.add(at, "property not in the schema (additionalProperties is false)")
		}
	}
}

// exempt: a required property that is readOnly need not be in a request,
// nor a writeOnly one in a response.
func (c *checker) exempt(s *openapi3.Schema, name string) bool {
	sp := s.Properties[name]
	if sp == nil || sp.Value == nil {
		return false
	}
	if c.writing {
		return sp.Value.ReadOnly
	}
	return sp.Value.WriteOnly
}

var plainKey = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// child is the path of an object's property: $.a, or $["a b"].
func child(path, key string) string {
	if plainKey.MatchString(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}
