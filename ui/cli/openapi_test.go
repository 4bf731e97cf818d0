package cli

import (
	"bytes"
	"strings"
	"testing"
)

const petstoreFile = "../../wizard/openapi/testdata/petstore.yaml"

// openAPIWithStdin is patchbay with stdin holding in.
func openAPIWithStdin(t *testing.T, db, in string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(append([]string{"--db", db}, args...), strings.NewReader(in), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func TestConnectionOpenAPI(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "pets", "--auth", "none", "--base-url", "https://petstore3.swagger.io/api/v3")

	r := must(t, db, "connection", "openapi", "pets", petstoreFile)
	if want := "Attached petstore.yaml to connection 'pets': Swagger Petstore - OpenAPI 3.0 (OpenAPI 3.0.2), 19 operations\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}

	r = must(t, db, "connection", "spec", "pets", "--list", "pet", "find", "status")
	if want := "GET  /pet/findByStatus  Finds Pets by status\n"; r.stdout != want {
		t.Errorf("--list pet find status:\n%s\nwant:\n%s", r.stdout, want)
	}
	rows := decode[[]map[string]any](t, must(t, db, "connection", "openapi", "pets", "--list", "--json").stdout)
	if len(rows) != 19 || rows[0]["method"] != "POST" || rows[0]["path"] != "/pet" || rows[0]["operation_id"] != "addPet" {
		t.Errorf("--list --json: %d rows, first %v", len(rows), rows[0])
	}
	wantExit(t, patchbay(t, db, "connection", "openapi", "pets", "--list", "zzz"), exitUsage, "no operation matches 'zzz'")

	// A Swagger 2.0 document is refused and the attached one stays.
	r = openAPIWithStdin(t, db, "swagger: '2.0'\ninfo: {title: old, version: '1'}\npaths: {}\n", "connection", "openapi", "pets", "-")
	wantExit(t, r, exitUsage, "stdin: this is Swagger 2.0; patchbay reads OpenAPI 3.x")
	must(t, db, "connection", "openapi", "pets", "--list", "login")

	// stdin; the document's text reaches the terminal cleaned.
	doc := `{"openapi": "3.0.3", "info": {"title": "evil\u001b]0;pwned\u0007", "version": "1"},
	  "paths": {"/x": {"get": {"summary": "sum\u001b[2Jmary\nnext", "responses": {"200": {"description": "ok"}}}}}}`
	r = openAPIWithStdin(t, db, doc, "connection", "openapi", "pets", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Attached stdin to connection 'pets': evil") {
		t.Fatalf("attach from stdin: %+v", r)
	}
	r = must(t, db, "connection", "openapi", "pets", "--list")
	if strings.Contains(r.stdout+r.stderr, "\x1b") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("escape sequences or a line break reached the output: %q", r.stdout)
	}

	wantExit(t, patchbay(t, db, "connection", "openapi", "pets", "https://example.com/openapi.json"), exitUsage, "does not fetch")
	wantExit(t, patchbay(t, db, "connection", "openapi", "nope", petstoreFile), exitUsage, "no connection named 'nope'")
	wantExit(t, patchbay(t, db, "connection", "openapi", "pets", "missing.yaml"), exitUsage, "cannot read missing.yaml")
	wantExit(t, patchbay(t, db, "connection", "openapi", "pets"), exitUsage, "expected a connection NAME and a FILE")

	r = must(t, db, "connection", "openapi", "pets", "--remove")
	if r.stdout != "Removed the OpenAPI document of connection 'pets'\n" {
		t.Errorf("--remove: %q", r.stdout)
	}
	wantExit(t, patchbay(t, db, "connection", "openapi", "pets", "--remove"), exitUsage, "connection 'pets' has no OpenAPI document")
	wantExit(t, patchbay(t, db, "connection", "openapi", "pets", "--list"), exitUsage, "has no OpenAPI document — attach one")
}
