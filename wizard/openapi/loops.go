package openapi

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

const schemaRefPrefix = "#/components/schemas/"

// requiredLoops finds the component schemas that require themselves: a
// required, non-nullable property (or an allOf part) leads back to the
// schema it is in, so no finite value has that shape. Each loop is one
// warning such as "Node -> Child -> Node"; samples stop where it loops.
func requiredLoops(doc *openapi3.T) []string {
	if doc.Components == nil || len(doc.Components.Schemas) == 0 {
		return nil
	}
	schemas := doc.Components.Schemas
	names := slices.Sorted(maps.Keys(schemas))
	const (
		unseen = iota
		open
		finished
	)
	state := map[string]int{}
	var stack, warnings []string
	reported := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		state[name] = open
		stack = append(stack, name)
		for _, next := range requires(schemas[name]) {
			switch state[next] {
			case open:
				loop := append(slices.Clone(stack[slices.Index(stack, next):]), next)
				key := strings.Join(slices.Sorted(slices.Values(loop[1:])), "\x00")
				if !reported[key] && len(warnings) < maxRefWarnings {
					reported[key] = true
					warnings = append(warnings, "a schema requires itself without end: "+strings.Join(loop, " -> ")+" (samples stop where it loops)")
				}
			case unseen:
				if _, ok := schemas[next]; ok {
					visit(next)
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = finished
	}
	for _, name := range names {
		if state[name] == unseen {
			visit(name)
		}
	}
	return warnings
}

// requires lists the component schemas a value of r must contain: those
// its required, non-nullable properties and allOf parts refer to, looking
// through inline schemas.
func requires(r *openapi3.SchemaRef) []string {
	var out []string
	var follow func(r *openapi3.SchemaRef, depth int)
	follow = func(r *openapi3.SchemaRef, depth int) {
		if r == nil || depth > 16 {
			return
		}
		if name, ok := strings.CutPrefix(r.Ref, schemaRefPrefix); ok && depth > 0 {
			if !strings.Contains(name, "/") && !slices.Contains(out, name) {
				out = append(out, name)
			}
			return
		}
		s := r.Value
		if s == nil {
			return
		}
		for _, part := range s.AllOf {
			follow(part, depth+1)
		}
		for _, name := range s.Required {
			if p := s.Properties[name]; p != nil && (p.Value == nil || !nullable(p.Value)) {
				follow(p, depth+1)
			}
		}
	}
	follow(r, 0)
	return out
}

// nullable: null is a value of the schema (3.0's nullable, or "null"
// among 3.1's types).
func nullable(s *openapi3.Schema) bool {
	_, null := types(s)
	return null
}
