package openapi

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// A sample is a value that a schema accepts, made to show the shape of a
// request: the schema's own example, default or first enum value when it
// has one that fits, else a value of its type and format. Objects get their
// required properties (all of them when the schema requires none, so that
// the sample is not an empty {}), arrays one item.

// maxSampleDepth bounds nesting: a sample is for reading and editing.
const maxSampleDepth = 8

// Values a format gets when the schema gives none.
var formatSamples = map[string]string{
	"date-time": "2024-01-02T15:04:05Z",
	"date":      "2024-01-02",
	"time":      "15:04:05Z",
	"uuid":      "3fa85f64-5717-4562-b3fc-2c963f66afa6",
	"email":     "user@example.com",
	"uri":       "https://example.com",
	"url":       "https://example.com",
	"hostname":  "example.com",
	"ipv4":      "192.0.2.1",
	"ipv6":      "2001:db8::1",
	"byte":      "c3RyaW5n",
	"binary":    "",
}

// sampler makes samples; writing: for a request (readOnly properties left
// out), else for a response (writeOnly ones left out).
type sampler struct {
	writing bool
	active  map[string]bool // $refs being expanded: a loop stops there
}

func newSampler(writing bool) *sampler { return &sampler{writing: writing, active: map[string]bool{}} }

func (g *sampler) proxy(sp *openapi3.SchemaRef, depth int) (any, bool) {
	if sp == nil {
		return nil, false
	}
	if ref := sp.Ref; ref != "" {
		if g.active[ref] {
			return nil, false
		}
		g.active[ref] = true
		defer delete(g.active, ref)
	}
	if sp.Value == nil {
		return nil, false
	}
	return g.schema(sp.Value, depth)
}

func (g *sampler) schema(s *openapi3.Schema, depth int) (any, bool) {
	if depth > maxSampleDepth {
		return nil, false
	}
	if v, ok := g.given(s); ok {
		return v, true
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(alts) > 0 && len(s.Type.Slice()) == 0 && s.Properties == nil {
			for _, alt := range alts {
				if v, ok := g.proxy(alt, depth+1); ok {
					return v, true
				}
			}
		}
	}
	if len(s.AllOf) > 0 {
		return g.allOf(s, depth)
	}
	switch kind(s) {
	case "object":
		return g.object(s, depth), true
	case "array":
		return g.array(s, depth), true
	case "integer", "number":
		return number(s), true
	case "boolean":
		return true, true
	case "null":
		return nil, true
	}
	return str(s), true
}

// given is the schema's own value for a sample: its example, first of its
// examples, default, const or first enum value — the first that the
// schema accepts, as the document's examples are not always right (the
// Petstore's User.phone is a string with the example 12345: that becomes
// "12345").
func (g *sampler) given(s *openapi3.Schema) (any, bool) {
	var candidates []any
	add := func(v any, ok bool) {
		if ok {
			candidates = append(candidates, v)
		}
	}
	add(plainValue(s.Example))
	if len(s.Examples) > 0 {
		add(plainValue(s.Examples[0]))
	}
	add(plainValue(s.Default))
	add(plainValue(s.Const))
	if len(s.Enum) > 0 {
		add(plainValue(s.Enum[0]))
	}
	list, _ := types(s)
	for _, v := range candidates {
		if slices.Contains(list, "string") {
			switch x := v.(type) {
			case json.Number:
				v = string(x)
			case bool:
				v = strconv.FormatBool(x)
			}
		}
		c := newChecker(g.writing)
		c.schema(v, s, "$", 0)
		if len(c.out) == 0 {
			return v, true
		}
	}
	return nil, false
}

// kind is the type a sample of s has: its first non-null type, else what
// its keywords imply.
func kind(s *openapi3.Schema) string {
	list, nullable := types(s)
	switch {
	case len(list) > 0:
		return list[0]
	case s.Properties != nil || s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil || len(s.Required) > 0:
		return "object"
	case s.Items != nil || len(s.PrefixItems) > 0:
		return "array"
	case nullable && len(s.Type.Slice()) > 0:
		return "null"
	}
	return "string"
}

func (g *sampler) allOf(s *openapi3.Schema, depth int) (any, bool) {
	merged := &object{vals: map[string]any{}}
	var other any
	isObject := kind(s) == "object"
	if isObject {
		merged = g.object(s, depth)
	}
	for _, part := range s.AllOf {
		v, ok := g.proxy(part, depth+1)
		if !ok {
			continue
		}
		if o, ok := v.(*object); ok {
			isObject = true
			for _, k := range o.keys {
				merged.set(k, o.vals[k])
			}
		} else if other == nil {
			other = v
		}
	}
	if isObject {
		return merged, true
	}
	if other != nil {
		return other, true
	}
	return str(s), true
}

func (g *sampler) object(s *openapi3.Schema, depth int) *object {
	o := &object{vals: map[string]any{}}
	if s.Properties == nil {
		if extra := s.AdditionalProperties.Schema; extra != nil && s.MinProps > 0 {
			if v, ok := g.proxy(extra, depth+1); ok {
				o.set("key", v)
			}
		}
		return o
	}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	for _, name := range inOrder(s.Properties, schemaOrigin) {
		sp := s.Properties[name]
		if sp == nil || sp.Value == nil || g.leftOut(sp.Value) {
			continue
		}
		if len(required) > 0 && !required[name] {
			continue
		}
		v, ok := g.proxy(sp, depth+1)
		if !ok {
			if !required[name] {
				continue
			}
			v = empty(sp.Value)
		}
		o.set(name, v)
	}
	return o
}

// leftOut: readOnly properties are not sent, writeOnly ones not received,
// and one whose schema is false is never there.
func (g *sampler) leftOut(s *openapi3.Schema) bool {
	if s.Always != nil && !*s.Always {
		return true
	}
	if g.writing {
		return s.ReadOnly
	}
	return s.WriteOnly
}

// empty stands in for a required property whose schema loops back on
// itself: the smallest value of its type.
func empty(s *openapi3.Schema) any {
	switch kind(s) {
	case "object":
		return &object{vals: map[string]any{}}
	case "array":
		return []any{}
	case "integer", "number":
		return number(s)
	case "boolean":
		return false
	case "null":
		return nil
	}
	return ""
}

func (g *sampler) array(s *openapi3.Schema, depth int) []any {
	out := []any{}
	if s.MaxItems != nil && *s.MaxItems == 0 {
		return out
	}
	for _, p := range s.PrefixItems {
		v, ok := g.proxy(p, depth+1)
		if !ok {
			return out
		}
		out = append(out, v)
	}
	if len(out) > 0 || s.Items == nil {
		return out
	}
	v, ok := g.proxy(s.Items, depth+1)
	if !ok {
		return out
	}
	n := uint64(1)
	if s.MinItems > 1 {
		n = min(s.MinItems, 10)
	}
	for range n {
		out = append(out, v)
	}
	return out
}

// number is 0 moved into the schema's range (and onto its multipleOf).
func number(s *openapi3.Schema) json.Number {
	v := 0.0
	integer := kind(s) == "integer"
	step := 1.0
	if !integer {
		step = 0.5
	}
	if s.Min != nil && v < *s.Min {
		v = *s.Min
	}
	switch e := s.ExclusiveMin; {
	case e.Value != nil && v <= *e.Value:
		v = *e.Value + step
	case e.IsTrue() && s.Min != nil && v == *s.Min:
		v += step
	}
	if s.Max != nil && v > *s.Max {
		v = *s.Max
	}
	switch e := s.ExclusiveMax; {
	case e.Value != nil && v >= *e.Value:
		v = *e.Value - step
	case e.IsTrue() && s.Max != nil && v == *s.Max:
		v -= step
	}
	if m := s.MultipleOf; m != nil && *m > 0 {
		v = math.Ceil(v / *m) * *m
	}
	if integer {
		v = math.Ceil(v)
	}
	return json.Number(strconv.FormatFloat(v, 'f', -1, 64))
}

// str is a string of the schema's format, at least minLength long and at
// most maxLength.
func str(s *openapi3.Schema) string {
	v, ok := formatSamples[s.Format]
	if !ok {
		v = "string"
	}
	if uint64(len(v)) < s.MinLength {
		v += strings.Repeat("x", int(min(s.MinLength, 4096))-len(v))
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}
