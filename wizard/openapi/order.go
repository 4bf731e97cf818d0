package openapi

import (
	"cmp"
	"maps"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// kin-openapi holds a document's maps (paths, properties, media types,
// responses, examples) as Go maps, which forget the order they were written
// in. The order matters to a reader: a sample's properties, the operations
// list, "documented: 200, 400, 404". The loader records where each entry
// was (Loader.IncludeOrigin), and these helpers sort by that position.

// inOrder lists m's keys in the document's order: by the position origin
// gives each entry; entries without one (a JSON document with duplicate
// keys loads without positions) come last, by name.
func inOrder[V any](m map[string]V, origin func(V) *openapi3.Origin) []string {
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(a, b string) int {
		return comparePositions(origin(m[a]), origin(m[b]))
	})
	return keys
}

// comparePositions orders two origins by line and column, a missing one
// after a known one.
func comparePositions(a, b *openapi3.Origin) int {
	aok := a != nil && a.Key != nil
	bok := b != nil && b.Key != nil
	switch {
	case aok && bok:
		return cmp.Or(cmp.Compare(a.Key.Line, b.Key.Line), cmp.Compare(a.Key.Column, b.Key.Column))
	case aok:
		return -1
	case bok:
		return 1
	}
	return 0
}

func schemaOrigin(r *openapi3.SchemaRef) *openapi3.Origin {
	if r == nil {
		return nil
	}
	return r.Origin
}

func mediaOrigin(mt *openapi3.MediaType) *openapi3.Origin {
	if mt == nil {
		return nil
	}
	return mt.Origin
}

func responseOrigin(r *openapi3.ResponseRef) *openapi3.Origin {
	if r == nil {
		return nil
	}
	return r.Origin
}

func exampleOrigin(e *openapi3.ExampleRef) *openapi3.Origin {
	if e == nil {
		return nil
	}
	return e.Origin
}

// exampleValues are the values of examples, in the document's order.
func exampleValues(examples openapi3.Examples) []any {
	var out []any
	for _, name := range inOrder(examples, exampleOrigin) {
		if e := examples[name]; e != nil && e.Value != nil {
			if v, ok := plainValue(e.Value.Value); ok {
				out = append(out, v)
			}
		}
	}
	return out
}
