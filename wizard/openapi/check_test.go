package openapi

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func lines(ms []Mismatch) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.String())
	}
	return out
}

func TestCheckPetstore(t *testing.T) {
	s := loadFile(t, "petstore.yaml")
	getPet := opByID(t, s, "getPetById")
	cases := []struct {
		name   string
		op     Operation
		status int
		ct     string
		body   string
		want   []string
	}{
		{"a pet that fits", getPet, 200, "application/json",
			`{"id": 10, "name": "doggie", "photoUrls": [], "tags": [{"id": 1, "name": "a"}], "status": "sold"}`, []string{}},
		{"wrong types", getPet, 200, "application/json; charset=utf-8",
			`{"id": "ten", "name": "doggie", "photoUrls": ["a"], "tags": [{"name": 5}]}`,
			[]string{"$.id: expected integer, got string", "$.tags[0].name: expected string, got number"}},
		{"missing required and a bad enum", getPet, 200, "application/json",
			`{"photoUrls": null, "status": "lost"}`,
			[]string{`$.name: missing required property`, `$.photoUrls: expected array, got null`,
				`$.status: "lost" is not one of "available", "pending", "sold"`}},
		{"an integer that is not one", getPet, 200, "application/json",
			`{"id": 1.5, "name": "x", "photoUrls": []}`, []string{"$.id: expected integer, got number"}},
		{"undocumented status", getPet, 500, "application/json", `{}`,
			[]string{"status: 500 is not documented for GET /pet/{petId} (documented: 200, 400, 404)"}},
		{"documented status without a body", getPet, 404, "text/html", `<h1>gone</h1>`, []string{}},
		{"another media type", getPet, 200, "text/html", `<h1>hi</h1>`,
			[]string{"content-type: text/html, but the spec documents application/xml, application/json for 200"}},
		{"xml is not checked", getPet, 200, "application/xml", `<pet/>`, []string{}},
		{"not JSON", getPet, 200, "application/json", `{"id": `,
			[]string{"$: the body is not valid JSON: unexpected EOF"}},
		{"an empty body", getPet, 200, "application/json", ``,
			[]string{"$: the body is empty, but the spec documents a JSON body"}},
		{"an array of pets", opByID(t, s, "findPetsByStatus"), 200, "application/json",
			`[{"name": "a", "photoUrls": []}, {"name": "b"}]`, []string{"$[1].photoUrls: missing required property"}},
		{"formats and int32", opByID(t, s, "placeOrder"), 200, "application/json",
			`{"id": 1, "quantity": 3000000000, "shipDate": "yesterday", "status": "placed", "complete": "yes"}`,
			[]string{
				"$.complete: expected boolean, got string",
				"$.quantity: 3000000000 is not an int32",
				`$.shipDate: "yesterday" is not a date-time (RFC 3339, e.g. 2024-01-02T15:04:05Z)`,
			}},
		{"additionalProperties with a schema", opByID(t, s, "getInventory"), 200, "application/json",
			`{"sold": 3, "pending": "two"}`, []string{"$.pending: expected integer, got string"}},
		{"the default response", opByID(t, s, "createUser"), 201, "application/json",
			`{"id": "x"}`, []string{"$.id: expected integer, got string"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := lines(c.op.Check(c.status, c.ct, []byte(c.body)))
			if !slices.Equal(got, c.want) {
				t.Errorf("Check:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestCheckHTTPBin(t *testing.T) {
	s := loadFile(t, "httpbin.json")
	uuid := opByID(t, s, "getUUID")
	got := lines(uuid.Check(200, "application/json", []byte(`{"uuid": "not-a-uuid", "extra": 1}`)))
	want := []string{`$.extra: property not in the schema (additionalProperties is false)`, `$.uuid: "not-a-uuid" is not a UUID`}
	if !slices.Equal(got, want) {
		t.Errorf("uuid: %q, want %q", got, want)
	}
	// 4XX covers 404; default covers what 200 does not.
	echo := opByID(t, s, "echoItem")
	if got := echo.Check(404, "text/plain", []byte("no")); len(got) != 0 {
		t.Errorf("404 under 4XX: %v", got)
	}
	if got := echo.Check(500, "", nil); len(got) != 1 || !strings.Contains(got[0].Problem, "(documented: 200, 4XX)") {
		t.Errorf("500: %v", got)
	}
	if got := opByID(t, s, "getStatus").Check(418, "", nil); len(got) != 0 {
		t.Errorf("418 under default: %v", got)
	}
}

// 3.1: type arrays with null, numeric exclusiveMinimum, const.
func TestCheck31(t *testing.T) {
	op := loadFile(t, "v31.yaml").Operations()[0]
	ok := `{"kind": "oak", "height": 0.5, "nickname": null, "root": {"name": "r", "children": [{"name": "c", "children": []}]}}`
	if got := op.Check(201, "application/json", []byte(ok)); len(got) != 0 {
		t.Errorf("a valid tree: %v", lines(got))
	}
	bad := `{"kind": "elm", "height": 0, "nickname": 3, "root": {"name": "r", "children": [{"children": []}]}}`
	want := []string{
		`$.height: 0 must be more than 0`,
		`$.kind: expected "oak", got "elm"`,
		`$.nickname: expected string, got number`,
		`$.root.children[0].name: missing required property`,
	}
	if got := lines(op.Check(201, "application/json", []byte(bad))); !slices.Equal(got, want) {
		t.Errorf("Check:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The rest of what 3.1 adds that the checks read: prefixItems and
// items: false, boolean schemas, type "null", numeric exclusiveMaximum, a
// $ref with sibling keywords, $defs, if/then/else, dependentRequired,
// contains, patternProperties.
func TestCheck31Keywords(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: x, version: '1'}
paths:
  /p:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                dependentRequired: {a: [ratio]}
                properties:
                  pair: {type: array, prefixItems: [{type: string}, {type: integer}], items: false}
                  ratio: {type: number, exclusiveMaximum: 1}
                  never: false
                  nul: {type: 'null'}
                  a: {$ref: '#/components/schemas/A', maxProperties: 0}
                  d: {$ref: '#/components/schemas/A/$defs/D'}
                  cond: {if: {type: string}, then: {minLength: 2}, else: {type: integer}}
                  c: {type: array, contains: {type: string}}
                  pp: {type: object, patternProperties: {'^x-': {type: string}}}
components:
  schemas:
    A:
      type: object
      $defs:
        D: {type: string}
`
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"pair": ["a", "b", 3], "never": 1, "nul": 1, "a": {"k": 1}, "d": 5, "cond": 1.5, "c": [1], "pp": {"x-a": 1}, "x": 1}`
	want := []string{
		"$.ratio: missing property required when a is present",
		"$.a: 1 properties, more than the maximum 0",
		"$.c: 0 items match the 'contains' schema, fewer than the minimum 1",
		"$.cond: expected integer, got number",
		"$.d: expected string, got number",
		"$.never: not allowed here",
		"$.nul: expected null, got number",
		"$.pair[1]: expected integer, got string",
		"$.pair[2]: no item allowed here",
		`$.pp["x-a"]: expected string, got number`,
		"$.x: property not in the schema (additionalProperties is false)",
	}
	got := lines(s.Operations()[0].Check(200, "application/json", []byte(body)))
	if !slices.Equal(got, want) {
		t.Errorf("Check:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ok := `{"pair": ["a", 1], "ratio": 0.5, "a": {}, "cond": "ab", "c": [1, "x"], "nul": null}`
	if got := s.Operations()[0].Check(200, "application/json", []byte(ok)); len(got) != 0 {
		t.Errorf("a valid body: %v", lines(got))
	}
}

// Circular schemas: data nested deeper than the walk goes is cut off with
// a note, and a schema that includes itself (allOf: [$ref itself]) with
// no data consumed does not loop.
func TestCheckCircularTerminates(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: x, version: '1'}
paths:
  /node:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Node'
components:
  schemas:
    Node:
      type: object
      allOf:
        - $ref: '#/components/schemas/Node'
      anyOf:
        - $ref: '#/components/schemas/Node'
      properties:
        child:
          $ref: '#/components/schemas/Node'
`
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat(`{"child":`, 500) + "{}" + strings.Repeat("}", 500)
	done := make(chan []Mismatch, 1)
	go func() { done <- s.Operations()[0].Check(200, "application/json", []byte(body)) }()
	select {
	case got := <-done:
		want := []string{"$: only part of the value was checked: it is too large"}
		if !slices.Equal(lines(got), want) {
			t.Errorf("Check: %q, want %q", lines(got), want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Check on a circular schema did not return")
	}
}

func TestCheckListsAtMostSoMany(t *testing.T) {
	op := opByID(t, loadFile(t, "petstore.yaml"), "findPetsByStatus")
	body := "[" + strings.TrimSuffix(strings.Repeat(`{"name": 1, "photoUrls": []},`, 100), ",") + "]"
	got := op.Check(200, "application/json", []byte(body))
	if len(got) != maxMismatches+1 || got[len(got)-1].Problem != "more mismatches not listed" {
		t.Errorf("%d mismatches, the last %v", len(got), got[len(got)-1])
	}
}
