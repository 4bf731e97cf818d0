package openapi

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// kin-openapi gives the document's examples, defaults, enums and consts as
// what a YAML decoder makes of them: nil, bool, float64, string, []any,
// map[string]any (its loader keeps dates as strings). Samples and checks
// work on what encoding/json decodes with UseNumber, so plainValue turns
// the float64s into json.Numbers.

// plainValue is bounded: an example is data, and although the loader
// refuses YAML aliases that multiply a document ("billion laughs"), a deep
// or wide one still only costs so much.
const (
	maxValueDepth = 64
	maxValueNodes = 100_000
)

// plainValue converts a document value; ok is false for a missing one
// (kin-openapi does not tell an absent example from an explicit null).
func plainValue(v any) (any, bool) {
	if v == nil {
		return nil, false
	}
	budget := maxValueNodes
	return convertValue(v, 0, &budget), true
}

func convertValue(v any, depth int, budget *int) any {
	*budget--
	if depth > maxValueDepth || *budget < 0 {
		return nil
	}
	switch x := v.(type) {
	case float64:
		return floatNumber(x)
	case float32:
		return floatNumber(float64(x))
	case int:
		return json.Number(strconv.Itoa(x))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case []any:
		out := make([]any, 0, len(x))
		for _, item := range x {
			out = append(out, convertValue(item, depth+1, budget))
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = convertValue(item, depth+1, budget)
		}
		return out
	}
	return v // nil, bool, string, json.Number
}

// floatNumber writes whole numbers without an exponent up to 2^53, where a
// float64 still holds every integer: 12345, not 1.2345e+04.
func floatNumber(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// decodeJSON decodes a body with numbers kept exact.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return v, nil
}

// equalValues compares two decoded values as JSON does: numbers by value,
// objects regardless of key order.
func equalValues(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		if a == bn {
			return true
		}
		fa, err1 := a.Float64()
		fb, err2 := bn.Float64()
		return err1 == nil && err2 == nil && fa == fb
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !equalValues(a[i], bs[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

// jsonType names the JSON type of a decoded value, as mismatches say it.
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if isInteger(v) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// isInteger: 3, 3.0 and 3e2 are integers in JSON Schema; 3.5 is not.
func isInteger(n json.Number) bool {
	if _, err := n.Int64(); err == nil {
		return true
	}
	f, err := n.Float64()
	return err == nil && f == math.Trunc(f) && !math.IsInf(f, 0)
}

// shortJSON is a value as JSON, cut to n bytes, for a mismatch line.
func shortJSON(v any, n int) string {
	b, err := marshal(v)
	if err != nil {
		return "?"
	}
	if len(b) <= n {
		return string(b)
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "…"
}

// object keeps the document's order of properties, which a Go map loses.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping: a sample is shown and
// sent, and "<" reads better than "\u003c".
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// indented is v as indented JSON.
func indented(v any) string {
	raw, err := marshal(v)
	if err != nil {
		return ""
	}
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}
