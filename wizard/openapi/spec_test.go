package openapi

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func loadFile(t *testing.T, name string) *Spec {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(data)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return s
}

func opByID(t *testing.T, s *Spec, id string) Operation {
	t.Helper()
	for _, op := range s.Operations() {
		if op.OperationID == id {
			return op
		}
	}
	t.Fatalf("no operation %s", id)
	return Operation{}
}

// The Petstore's operations are listed in the document's order, each with
// its method, path template, summary, operationId and tags.
func TestPetstoreOperations(t *testing.T) {
	s := loadFile(t, "petstore.yaml")
	ops := s.Operations()
	if len(ops) != 19 {
		t.Fatalf("%d operations, want the Petstore's 19", len(ops))
	}
	var lines []string
	for _, op := range ops[:6] {
		lines = append(lines, op.String()+" | "+op.Summary+" | "+op.OperationID+" | "+strings.Join(op.Tags, ","))
	}
	want := []string{
		"POST /pet | Add a new pet to the store | addPet | pet",
		"PUT /pet | Update an existing pet | updatePet | pet",
		"GET /pet/findByStatus | Finds Pets by status | findPetsByStatus | pet",
		"GET /pet/findByTags | Finds Pets by tags | findPetsByTags | pet",
		"GET /pet/{petId} | Find pet by ID | getPetById | pet",
		"POST /pet/{petId} | Updates a pet in the store with form data | updatePetWithForm | pet",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("operations:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if last := ops[len(ops)-1]; last.String() != "DELETE /user/{username}" {
		t.Errorf("last operation %s, want DELETE /user/{username}", last)
	}
	if s.Title != "Swagger Petstore - OpenAPI 3.0" || s.Version != "3.0.2" {
		t.Errorf("title %q version %q", s.Title, s.Version)
	}
	if got := s.Servers(); len(got) != 1 || got[0].URL != "/api/v3" {
		t.Errorf("servers %+v, want /api/v3", got)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings on a clean document: %q", w)
	}
}

// A JSON document and a 3.1 one load too; server variables take their
// defaults.
func TestLoadJSONAnd31(t *testing.T) {
	h := loadFile(t, "httpbin.json")
	if n := len(h.Operations()); n != 4 {
		t.Errorf("httpbin.json: %d operations, want 4", n)
	}
	s := loadFile(t, "v31.yaml")
	if s.Version != "3.1.0" {
		t.Errorf("version %q", s.Version)
	}
	if got := s.Servers(); len(got) != 1 || got[0].URL != "https://eu.trees.example/v1" || got[0].Description != "production" {
		t.Errorf("servers %+v", got)
	}
}

// Documents patchbay cannot use are refused with a sentence saying why.
func TestLoadRefuses(t *testing.T) {
	cases := map[string]struct{ doc, want string }{
		"swagger 2.0 yaml": {"swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "this is Swagger 2.0; patchbay reads OpenAPI 3.x"},
		"swagger 2.0 json": {`{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}`, "this is Swagger 2.0; patchbay reads OpenAPI 3.x"},
		"other json":       {`{"name": "not a spec"}`, "this is not an OpenAPI document"},
		"not yaml":         {"openapi: 3.0.0\n  info: [\n", "cannot read the document as JSON or YAML"},
		"empty":            {"  \n", "the document is empty"},
		"swagger 2.0 with refs": {"swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths:\n  /x:\n    get:\n" +
			"      responses: {'200': {description: ok, schema: {$ref: '#/definitions/P'}}}\ndefinitions:\n  P: {type: object}\n",
			"this is Swagger 2.0; patchbay reads OpenAPI 3.x"},
		"openapi 4":   {"openapi: '4.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "this is not an OpenAPI 3.x document (it says openapi 4.0)"},
		"a yaml list": {"- a\n- b\n", "cannot read the OpenAPI document"},
		"bad json":    {`{"openapi": "3.0.0", "paths": {`, "cannot read the document as JSON or YAML: unexpected end of JSON input"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load: %v, want an error containing %q", err, c.want)
			}
		})
	}
	if _, err := Load(make([]byte, MaxDocumentSize+1)); err == nil || !strings.Contains(err.Error(), "up to 32 MB") {
		t.Errorf("oversized document: %v", err)
	}
}

// A $ref to a schema that is not in the document, or to another file or
// URL, is a warning: the operations are still there, nothing is fetched.
func TestLoadUnresolvedRefIsAWarning(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: x, version: '1'}
paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'http://127.0.0.1:1/remote.json'
  /y:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Missing'
`
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Operations()) != 2 || len(s.Warnings()) == 0 {
		t.Fatalf("operations %v, warnings %q", s.Operations(), s.Warnings())
	}
	// Nothing to check against: the schema is missing, so no mismatch.
	if m := s.Operations()[1].Check(200, "application/json", []byte(`{"a":1}`)); len(m) != 0 {
		t.Errorf("check against a missing schema: %v", m)
	}
}

// Match finds the operation of a URL as the wizard holds it: a literal
// segment beats a template one, {{variables}} and real values fill
// templates, and a server path in front is allowed for.
func TestMatch(t *testing.T) {
	s := loadFile(t, "petstore.yaml")
	cases := []struct{ method, url, want string }{
		{"GET", "/pet/findByStatus?status=sold", "findPetsByStatus"},
		{"get", "/pet/{{petId}}", "getPetById"},
		{"GET", "/pet/7", "getPetById"},
		{"GET", "/api/v3/pet/7", "getPetById"},
		{"DELETE", "pet/7/", "deletePet"},
		{"POST", "/pet/7/uploadImage", "uploadFile"},
		{"GET", "/user/a%20b", "getUserByName"},
		{"GET", "https://petstore3.swagger.io/api/v3/store/inventory", "getInventory"},
		{"PATCH", "/pet", ""},
		{"GET", "/pets", ""},
		{"GET", "/pet//uploadImage", ""},
	}
	for _, c := range cases {
		op, ok := s.Match(c.method, c.url)
		if got := op.OperationID; got != c.want || ok != (c.want != "") {
			t.Errorf("Match(%s %s) = %q, %v; want %q", c.method, c.url, got, ok, c.want)
		}
	}
}
