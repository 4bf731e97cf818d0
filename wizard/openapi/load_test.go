package openapi

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// A $ref to a URL, to a file by path or file:// URL, or to a file next to
// the working directory is never followed: nothing is fetched or read, the
// operations load, each reference is a warning, and there is no schema to
// check against (the referenced one, read, would require "name").
func TestLoadNeverReadsOutside(t *testing.T) {
	const strict = `{"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}`
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, strict)
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "pet.json")
	if err := os.WriteFile(file, []byte(strict), 0o600); err != nil {
		t.Fatal(err)
	}
	refs := []string{
		srv.URL + "/pet.json",
		"file://" + filepath.ToSlash(file),
		file,
		"testdata/petstore.yaml#/components/schemas/Pet", // exists, relative to the test's directory
	}
	doc := "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n"
	for i, ref := range refs {
		doc += fmt.Sprintf("  /r%d:\n    get:\n      responses:\n        '200':\n          description: ok\n"+
			"          content: {application/json: {schema: {$ref: '%s'}}}\n", i, ref)
	}
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server was asked %d times", n)
	}
	if len(s.Operations()) != len(refs) {
		t.Fatalf("%d operations", len(s.Operations()))
	}
	for _, op := range s.Operations() {
		if m := op.Check(200, "application/json", []byte(`{}`)); len(m) != 0 {
			t.Errorf("%s was checked against a schema read from outside: %v", op, lines(m))
		}
	}
	warnings := strings.Join(s.Warnings(), "\n")
	for _, ref := range refs {
		if !strings.Contains(warnings, `the $ref "`+ref+`" points outside the document; patchbay never reads other files or URLs`) {
			t.Errorf("no warning for %s in:\n%s", ref, warnings)
		}
	}
}

// YAML reads "openapi: 3.0", "version: 1.0" and "tags: [1]" as numbers;
// kin-openapi wants text there and would refuse the whole document.
func TestLoadMendsNumbersWhereTextIsWanted(t *testing.T) {
	doc := "openapi: 3.0\ninfo: {title: x, version: 1.0}\npaths:\n  /x:\n    get:\n      tags: [1]\n      responses: {'200': {description: ok}}\n"
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != "3.0" || len(s.Operations()) != 1 || !slices.Equal(s.Operations()[0].Tags, []string{"1"}) {
		t.Errorf("version %q, operations %+v", s.Version, s.Operations())
	}
	if len(s.Warnings()) != 0 {
		t.Errorf("warnings %q", s.Warnings())
	}
}

// The loader keeps maps as Go maps; operations, media types and statuses
// still come in the document's order, JSON or YAML.
func TestLoadKeepsDocumentOrder(t *testing.T) {
	var got []string
	for _, op := range loadFile(t, "httpbin.json").Operations() {
		got = append(got, op.String())
	}
	want := []string{"POST /anything/{id}", "GET /json", "GET /uuid", "GET /status/{code}"}
	if !slices.Equal(got, want) {
		t.Errorf("operations %q, want %q", got, want)
	}
	getPet := opByID(t, loadFile(t, "petstore.yaml"), "getPetById")
	if got := getPet.documentedStatuses(); !slices.Equal(got, []string{"200", "400", "404"}) {
		t.Errorf("statuses %q", got)
	}
}

// Many broken references make a few warnings, then a count.
func TestLoadRefWarningsAreBounded(t *testing.T) {
	doc := "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /x:\n    get:\n      parameters:\n"
	for i := range 15 {
		doc += fmt.Sprintf("        - $ref: '#/components/parameters/P%d'\n", i)
	}
	doc += "      responses: {'200': {description: ok}}\n"
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	w := s.Warnings()
	if len(w) != maxRefWarnings+1 || w[0] != `the $ref "#/components/parameters/P0" points to nothing in the document; what it stands for is left out` ||
		w[maxRefWarnings] != "and 5 more references left out" {
		t.Errorf("warnings:\n%s", strings.Join(w, "\n"))
	}
	if r := s.Operations()[0].Recommend(); len(r.Query)+len(r.Headers)+len(r.PathVars) != 0 {
		t.Errorf("left-out parameters were recommended: %+v", r)
	}
}

// A loop through required properties and allOf is a warning; one broken by
// a nullable property, an array or an optional property is not.
func TestRequiredLoops(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: x, version: '1'}
paths: {}
components:
  schemas:
    A: {type: object, required: [b], properties: {b: {$ref: '#/components/schemas/B'}}}
    B: {allOf: [{$ref: '#/components/schemas/A'}]}
    C: {type: object, required: [c], properties: {c: {nullable: true, allOf: [{$ref: '#/components/schemas/C'}]}}}
    D: {type: object, required: [d], properties: {d: {type: array, items: {$ref: '#/components/schemas/D'}}}}
    E: {type: object, properties: {e: {$ref: '#/components/schemas/E'}}}
`
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a schema requires itself without end: A -> B -> A (samples stop where it loops)"}
	if !slices.Equal(s.Warnings(), want) {
		t.Errorf("warnings %q, want %q", s.Warnings(), want)
	}
}

// Loading and using one Spec from many goroutines is safe (run with -race).
func TestSpecConcurrentUse(t *testing.T) {
	s := loadFile(t, "petstore.yaml")
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, op := range s.Operations() {
				r := op.Recommend()
				op.CheckRequestBody(r.ContentType, []byte(r.Body))
				op.Check(200, "application/json", []byte(`{"id": "x", "tags": [{"name": 5}]}`))
			}
		}()
	}
	for range 4 {
		<-done
	}
}
