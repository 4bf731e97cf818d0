package wizard

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestValidateJSON(t *testing.T) {
	tests := []struct {
		doc       string
		line, col int
		msg       string
	}{
		{"{\n  \"a\": 1,\n  \"b\": x\n}", 3, 8, "invalid character 'x' looking for beginning of value"},
		{"{\n  \"a\": 1,\n}", 3, 1, "invalid character '}' looking for beginning of object key string"},
		{"[\n  1,\n  2\n  3\n]", 4, 3, "invalid character '3' after array element"},
		{"{\"a\": [1, 2]\n\n", 1, 13, "unexpected end of input — is a closing bracket, brace or quote missing?"},
		{"{\"é\": \"ü\" x}", 1, 11, "invalid character 'x' after object key:value pair"},
		{"{} {}", 1, 4, "invalid character '{' after top-level value"},
		{"\t\"abc", 1, 6, "unexpected end of input — is a closing bracket, brace or quote missing?"},
	}
	for _, tt := range tests {
		err := ValidateJSON(tt.doc)
		var je *JSONError
		if !errors.As(err, &je) {
			t.Errorf("%q: got %v, want a *JSONError", tt.doc, err)
			continue
		}
		if je.Line != tt.line || je.Column != tt.col || je.Msg != tt.msg {
			t.Errorf("%q: got line %d column %d %q, want %d %d %q", tt.doc, je.Line, je.Column, je.Msg, tt.line, tt.col, tt.msg)
		}
		if want := "invalid JSON at line " + itoa(tt.line) + ", column " + itoa(tt.col) + ": " + tt.msg; err.Error() != want {
			t.Errorf("Error() = %q, want %q", err.Error(), want)
		}
	}
	for _, ok := range []string{"", "  \n", `{"a": [1, {"b": null}]}`, "42", `"x"`} {
		if err := ValidateJSON(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestInferFields(t *testing.T) {
	long := strings.Repeat("é", 50)
	tests := []struct {
		name string
		doc  string
		want []Field
	}{
		{"nested objects keep document order", `{"zeta": 1, "alpha": {"yes": true, "nothing": null, "b": {"c": "d"}}, "mid": 2.50}`, []Field{
			{Path: "zeta", Type: "number", Example: "1"},
			{Path: "alpha", Type: "object"},
			{Path: "alpha.yes", Type: "boolean", Example: "true"},
			{Path: "alpha.nothing", Type: "null"},
			{Path: "alpha.b", Type: "object"},
			{Path: "alpha.b.c", Type: "string", Example: "d"},
			{Path: "mid", Type: "number", Example: "2.50"},
		}},
		{"arrays described by their first element", `{"items": [{"id": 1, "tags": ["x"], "owner": {"login": "ann"}}, {"id": 2, "extra": 1}], "total": 2, "grid": [[{"v": 1}]], "empty": []}`, []Field{
			{Path: "items", Type: "array"},
			{Path: "items[].id", Type: "number", Example: "1"},
			{Path: "items[].tags", Type: "array"},
			{Path: "items[].owner", Type: "object"},
			{Path: "items[].owner.login", Type: "string", Example: "ann"},
			{Path: "total", Type: "number", Example: "2"},
			{Path: "grid", Type: "array"},
			{Path: "grid[]", Type: "array"},
			{Path: "grid[][].v", Type: "number", Example: "1"},
			{Path: "empty", Type: "array"},
		}},
		{"top-level array", `[{"id": 7, "name": "a"}, {"id": 8}]`, []Field{
			{Path: "[]", Type: "array"},
			{Path: "[].id", Type: "number", Example: "7"},
			{Path: "[].name", Type: "string", Example: "a"},
		}},
		{"long and multi-line strings shortened", `{"s": "` + long + `", "m": "a\nb"}`, []Field{
			{Path: "s", Type: "string", Example: strings.Repeat("é", 39) + "…"},
			{Path: "m", Type: "string", Example: "a b"},
		}},
		{"duplicate keys once", `{"a": 1, "a": "x"}`, []Field{{Path: "a", Type: "number", Example: "1"}}},
		{"big numbers kept exactly", `{"n": 12345678901234567890}`, []Field{{Path: "n", Type: "number", Example: "12345678901234567890"}}},
		{"top-level scalar", `"just a string"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InferFields([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "<html>", `{"a": 1`, `{"a": 1} {"b": 2}`} {
		if fs, err := InferFields([]byte(bad)); err == nil {
			t.Errorf("%q: no error, fields %v", bad, fs)
		}
	}
}
