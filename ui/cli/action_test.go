package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestActionAdd(t *testing.T) {
	db := newDB(t)
	srv := newHTTPBin(t).URL
	must(t, db, "connection", "add", "bin", "--auth", "none", "--base-url", srv)
	r := must(t, db, "action", "add", "Create item", "--connection", "BIN", "--method", "POST", "--url", "/anything",
		"--header", "Content-Type: application/json", "--body", `{"name": "widget", "price": 9.5}`)
	if r.stdout != "Added action 'Create item' (POST /anything on 'bin')\n" {
		t.Errorf("stdout %q", r.stdout)
	}

	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("hello {{who}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	must(t, db, "action", "add", "text", "--connection", "bin", "--method", "PUT", "--url", "/anything",
		"--body", "@"+body, "--body-type", "text", "--header", "Content-Type: text/plain")
	r = must(t, db, "action", "add", "auto type", "--connection", "bin", "--method", "POST", "--url", "/anything", "--body", `{"a": 1}`)
	if !strings.Contains(r.stderr, "Content-Type: application/json") {
		t.Errorf("no word of the Content-Type added for a JSON body: %q", r.stderr)
	}
	v := decode[map[string]any](t, must(t, db, "run", "auto type", "--json").stdout)
	if echo := v["body"].(map[string]any); echo["json"] == nil {
		t.Errorf("httpbin did not see JSON: %v", echo)
	}
	must(t, db, "action", "add", "form", "--connection", "bin", "--method", "POST", "--url", "/anything",
		"--form", "a=1", "--form", "b={{b}}")

	v = decode[map[string]any](t, must(t, db, "run", "text", "--json", "--var", "who=world").stdout)
	if echo := v["body"].(map[string]any); echo["data"] != "hello world" {
		t.Errorf("text body arrived as %v", echo["data"])
	}
	v = decode[map[string]any](t, must(t, db, "run", "form", "--json", "--var", "b=2").stdout)
	form, _ := v["body"].(map[string]any)["form"].(map[string]any)
	if form["a"] == nil || form["b"] == nil {
		t.Errorf("form arrived as %v", v["body"])
	}

	rows := decode[[]map[string]any](t, must(t, db, "list", "actions", "--json").stdout)
	if len(rows) != 4 {
		t.Fatalf("listed %v", rows)
	}
	for _, row := range rows {
		if row["connection"] != "bin" || row["method"] == "" || row["url"] != "/anything" {
			t.Errorf("action listed as %v", row)
		}
	}
}

func TestActionAddRejectsBadInput(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "bin", "--auth", "none", "--base-url", "https://example.com")
	must(t, db, "action", "add", "taken", "--connection", "bin", "--url", "/x")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown connection", []string{"a", "--connection", "nope", "--url", "/x"}, []string{"no connection named 'nope'"}},
		{"no connection", []string{"a", "--url", "/x"}, []string{"--connection"}},
		{"bad method", []string{"a", "--connection", "bin", "--method", "FETCH", "--url", "/x"}, []string{"--method"}},
		{"bad header", []string{"a", "--connection", "bin", "--url", "/x", "--header", "NoColon"}, []string{"--header 'NoColon'"}},
		{"bad query", []string{"a", "--connection", "bin", "--url", "/x", "--query", "novalue"}, []string{"--query 'novalue'"}},
		{"body not JSON", []string{"a", "--connection", "bin", "--method", "POST", "--url", "/x", "--body", "{oops"}, []string{"--body", "--body-type text"}},
		{"multipart with a body", []string{"a", "--connection", "bin", "--url", "/x", "--body-type", "multipart", "--body", "x"}, []string{"--body-type multipart takes its fields from --form"}},
		{"missing form file", []string{"a", "--connection", "bin", "--url", "/x", "--form", "f=@x.png"}, []string{"--form 'f=@x.png'", "x.png does not exist"}},
		{"body and form", []string{"a", "--connection", "bin", "--url", "/x", "--body", "{}", "--form", "a=1"}, []string{"--body and --form"}},
		{"unknown body type", []string{"a", "--connection", "bin", "--url", "/x", "--body-type", "xml"}, []string{"--body-type"}},
		{"missing file", []string{"a", "--connection", "bin", "--url", "/x", "--body", "@/nonexistent/body.json"}, []string{"--body", "/nonexistent/body.json"}},
		{"duplicate name", []string{"TAKEN", "--connection", "bin", "--url", "/y"}, []string{"action name", "already exists"}},
		{"other host", []string{"a", "--connection", "bin", "--url", "https://evil.example.net/x"}, []string{"--url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := patchbay(t, db, append([]string{"action", "add"}, tc.args...)...)
			wantExit(t, r, exitUsage, tc.want...)
		})
	}
	rows := decode[[]map[string]any](t, must(t, db, "list", "actions", "--json").stdout)
	if len(rows) != 1 {
		t.Errorf("a rejected action was saved: %v", rows)
	}
}

func TestRemove(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "bin", "--auth", "none", "--base-url", "https://example.com")
	must(t, db, "action", "add", "a", "--connection", "bin", "--url", "/x")

	r := patchbay(t, db, "connection", "rm", "bin")
	wantExit(t, r, exitUsage)
	if r.stderr == "" {
		t.Error("connection rm refused without saying why")
	}
	if !strings.Contains(must(t, db, "list", "connections").stdout, "bin") {
		t.Error("connection rm removed a connection in use")
	}

	if r := must(t, db, "action", "rm", "A"); r.stdout != "Removed action 'a'\n" {
		t.Errorf("action rm printed %q", r.stdout)
	}
	wantExit(t, patchbay(t, db, "action", "rm", "a"), exitUsage, "no action named 'a'")
	if r := must(t, db, "connection", "rm", "bin"); r.stdout != "Removed connection 'bin'\n" {
		t.Errorf("connection rm printed %q", r.stdout)
	}
	wantExit(t, patchbay(t, db, "connection", "rm", "bin"), exitUsage, "no connection named 'bin'")
	v := decode[map[string][]any](t, must(t, db, "list", "--json").stdout)
	if len(v["connections"]) != 0 || len(v["actions"]) != 0 {
		t.Errorf("left behind %v", v)
	}
}
