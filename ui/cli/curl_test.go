package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// patchbayStdin is patchbay with stdin.
func patchbayStdin(t *testing.T, db, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(append([]string{"--db", db}, args...), strings.NewReader(stdin), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// curlFixture is a database with a Basic connection "bin" to a real
// httpbin.
func curlFixture(t *testing.T) (db, base string) {
	t.Helper()
	db, base = newDB(t), newHTTPBin(t).URL
	must(t, db, "connection", "add", "bin", "--auth", "basic", "--base-url", base,
		"--field", "username=me", "--field", "password=s3cret-pw")
	return db, base
}

// TestImportCurl imports a pasted command, lists on stderr what it could
// not carry, saves the action — which then runs against httpbin with the
// connection's credentials and the variable the shell variable became.
func TestImportCurl(t *testing.T) {
	db, base := curlFixture(t)
	cmd := `$ curl -X POST "` + base + `/anything/items?x=1" \
    -u me:s3cret-pw \
    -H "X-Trace: $TRACE" \
    --json '{"a": 1}' \
    --proxy http://proxy:3128 -o out.json`
	r := patchbayStdin(t, db, cmd, "import", "curl", "--connection", "bin", "--name", "Create item")
	wantExit(t, r, 0, "not imported", "--proxy http://proxy:3128", "-o out.json", "nothing is written to a file",
		"credentials of -u were left out", "$TRACE → {{TRACE}}")
	if !strings.Contains(r.stdout, "Imported action 'Create item' (POST /anything/items on 'bin')") {
		t.Fatalf("stdout: %s", r.stdout)
	}

	r = must(t, db, "run", "Create item", "--var", "TRACE=t-1", "--json")
	var out struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	var echo struct {
		Args    map[string][]string `json:"args"`
		Headers map[string][]string `json:"headers"`
		JSON    map[string]any      `json:"json"`
	}
	if err := json.Unmarshal(out.Body, &echo); err != nil {
		t.Fatalf("%v: %s", err, out.Body)
	}
	if echo.Args["x"][0] != "1" || echo.Headers["X-Trace"][0] != "t-1" || echo.JSON["a"] != 1.0 ||
		!strings.HasPrefix(echo.Headers["Authorization"][0], "Basic ") || echo.Headers["Content-Type"][0] != "application/json" {
		t.Errorf("httpbin got %+v", echo)
	}
}

// TestImportCurlDryRun prints the action as JSON, secrets masked, and
// saves nothing.
func TestImportCurlDryRun(t *testing.T) {
	db, base := curlFixture(t)
	r := patchbayStdin(t, db, "curl "+base+"/anything -H 'X-Api-Key: abcdef123' -d a=1", "import", "curl", "--connection", "bin", "--name", "x", "--dry-run")
	wantExit(t, r, 0, "X-Api-Key carries a credential")
	var got curlDryRun
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if got.Method != "POST" || got.URL != "/anything" || got.BodyType != "form" || got.Headers[0].Value != "••••••" || got.Connection != "bin" {
		t.Errorf("dry run printed %+v", got)
	}
	if strings.Contains(r.stdout, "abcdef123") {
		t.Errorf("the dry run shows the secret: %s", r.stdout)
	}
	wantExit(t, patchbay(t, db, "run", "x"), 2, "no action named 'x'")
}

// TestImportCurlRefuses says why a command cannot be imported, with exit
// code 2, and saves nothing.
func TestImportCurlRefuses(t *testing.T) {
	db, base := curlFixture(t)
	tests := []struct {
		stdin string
		args  []string
		want  string
	}{
		{"curl " + base, []string{"--name", "x"}, "--connection is required"},
		{"curl " + base, []string{"--connection", "bin"}, "--name is required"},
		{"", []string{"--connection", "bin", "--name", "x"}, "paste a curl command"},
		{"wget " + base, []string{"--connection", "bin", "--name", "x"}, "not a curl command"},
		{"curl 'unclosed", []string{"--connection", "bin", "--name", "x"}, "single quote (') is not closed"},
		{"curl " + base, []string{"--connection", "nope", "--name", "x"}, "no connection named 'nope'"},
		{"curl https://elsewhere.example/x", []string{"--connection", "bin", "--name", "x"}, "url: the URL points at elsewhere.example"},
		{"curl -X FETCH " + base, []string{"--connection", "bin", "--name", "x"}, "method: unknown method 'FETCH'"},
	}
	for _, tt := range tests {
		r := patchbayStdin(t, db, tt.stdin, append([]string{"import", "curl"}, tt.args...)...)
		wantExit(t, r, 2, tt.want)
	}
	must(t, db, "action", "add", "taken", "--connection", "bin", "--url", "/get")
	wantExit(t, patchbayStdin(t, db, "curl "+base+"/get", "import", "curl", "--connection", "bin", "--name", "Taken"), 2, "'Taken' already exists")
	if r := must(t, db, "list", "actions"); strings.Count(r.stdout, "\n") > 2 {
		t.Errorf("a refused import saved something:\n%s", r.stdout)
	}
}

// TestActionExport prints an action as curl or HTTPie, secrets as
// placeholders unless asked for, with the values given or of a run.
func TestActionExport(t *testing.T) {
	db, base := curlFixture(t)
	must(t, db, "action", "add", "trace", "--connection", "bin", "--url", "/anything/{{id}}", "--header", "X-Trace: {{trace}}")

	r := must(t, db, "action", "export", "trace")
	want := "curl \"" + base + "/anything/$id\" \\\n  -u \"me:$PATCHBAY_PASSWORD\" \\\n  -H \"X-Trace: $trace\" \\\n  -L\n"
	if r.stdout != want {
		t.Errorf("export:\n%s\nwant:\n%s", r.stdout, want)
	}
	wantExit(t, r, 0, "reads $PATCHBAY_PASSWORD: the password of connection 'bin'", "reads $id", "reads $trace")

	r = must(t, db, "action", "export", "trace", "--with-secrets", "--var", "id=7", "--var", "trace=a b")
	if !strings.Contains(r.stdout, "-u me:s3cret-pw") || !strings.Contains(r.stdout, "/anything/7") || !strings.Contains(r.stdout, "'X-Trace: a b'") {
		t.Errorf("export with secrets and values:\n%s", r.stdout)
	}
	r = must(t, db, "action", "export", "trace", "--as", "httpie")
	if !strings.HasPrefix(r.stdout, `http -a "me:$PATCHBAY_PASSWORD" --follow`) || !strings.Contains(r.stdout, `"X-Trace:$trace"`) {
		t.Errorf("httpie:\n%s", r.stdout)
	}

	wantExit(t, patchbay(t, db, "action", "export", "trace", "--var", "nope=1"), 2, "has no variable 'nope'")
	wantExit(t, patchbay(t, db, "action", "export", "trace", "--as", "wget"), 2, "--as must be curl or httpie")
	wantExit(t, patchbay(t, db, "action", "export", "missing"), 2, "no action named 'missing'")
	wantExit(t, patchbay(t, db, "action", "export", "trace", "--run", "1"), 2, "has 0 runs in its history")

	must(t, db, "run", "trace", "--var", "id=41", "--var", "trace=first")
	must(t, db, "run", "trace", "--var", "id=42", "--var", "trace=second")
	r = must(t, db, "action", "export", "trace", "--run", "2")
	if !strings.Contains(r.stdout, "/anything/41") || !strings.Contains(r.stdout, "X-Trace: first") {
		t.Errorf("export of the second newest run:\n%s", r.stdout)
	}
	if r := must(t, db, "help", "action", "export"); !strings.Contains(r.stdout, "--with-secrets") {
		t.Errorf("help action export: %s", r.stdout)
	}
	if r := must(t, db, "import", "curl", "--help"); !strings.Contains(r.stdout, "--dry-run") {
		t.Errorf("import curl --help: %s", r.stdout)
	}
}
