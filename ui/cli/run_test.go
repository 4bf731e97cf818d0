package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"patchbay/store"
)

// runFixture is a database with a connection "bin" to an httpbin and a few
// actions on it.
func runFixture(t *testing.T) (db string, srv string) {
	t.Helper()
	db = newDB(t)
	srv = newHTTPBin(t).URL
	must(t, db, "connection", "add", "bin", "--auth", "basic", "--base-url", srv,
		"--field", "username=u", "--field", "password=pw-s3cret")
	must(t, db, "action", "add", "get json", "--connection", "bin", "--method", "GET", "--url", "/json")
	must(t, db, "action", "add", "echo", "--connection", "bin", "--method", "post", "--url", "/anything/{{id}}",
		"--header", "Content-Type: application/json", "--query", "q={{id}}", "--body", `{"name": "{{name}}"}`)
	must(t, db, "action", "add", "missing", "--connection", "bin", "--url", "/status/404")
	must(t, db, "action", "add", "binary", "--connection", "bin", "--url", "/bytes/64?seed=7")
	return db, srv
}

func TestRunPrintsBody(t *testing.T) {
	db, _ := runFixture(t)
	for _, args := range [][]string{{"run", "get json"}, {"run", "GET JSON"}} {
		r := must(t, db, args...)
		body := decode[map[string]any](t, r.stdout)
		if body["slideshow"] == nil {
			t.Errorf("%v printed %s", args, r.stdout)
		}
	}
}

func TestRunIsKeptInHistory(t *testing.T) {
	db, _ := runFixture(t)
	must(t, db, "run", "echo", "--var", "id=1", "--var", "name=x")
	wantExit(t, patchbay(t, db, "run", "missing"), exitResponse)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, status := range map[string]int{"echo": 200, "missing": 404} {
		a, err := st.ActionByName(name)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := st.Runs(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].Response == nil || runs[0].Response.Status != status {
			t.Errorf("history of %s: %+v", name, runs)
		}
	}
}

func TestRunWritesExactBytesToAPipe(t *testing.T) {
	db, srv := runFixture(t)
	resp, err := http.Get(srv + "/bytes/64?seed=7")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := must(t, db, "run", "binary")
	if !bytes.Equal([]byte(r.stdout), want) {
		t.Errorf("run wrote %q, httpbin sent %q", r.stdout, want)
	}
	v := decode[map[string]any](t, must(t, db, "run", "binary", "--json").stdout)
	got, _ := base64.StdEncoding.DecodeString(v["body"].(string))
	if v["body_encoding"] != "base64" || !bytes.Equal(got, want) {
		t.Errorf("--json body %v (%v)", v["body"], v["body_encoding"])
	}
}

func TestRunFull(t *testing.T) {
	db, _ := runFixture(t)
	r := must(t, db, "run", "--full", "get json")
	head, body, ok := strings.Cut(r.stdout, "\n\n")
	if !ok {
		t.Fatalf("no blank line after the headers:\n%s", r.stdout)
	}
	lines := strings.Split(head, "\n")
	if lines[0] != "HTTP/1.1 200 OK" {
		t.Errorf("status line %q", lines[0])
	}
	if !strings.Contains(head, "\nContent-Type: application/json") {
		t.Errorf("headers lack Content-Type:\n%s", head)
	}
	if !strings.Contains(body, "slideshow") {
		t.Errorf("body %q", body)
	}
}

func TestRunJSON(t *testing.T) {
	db, srv := runFixture(t)
	r := must(t, db, "run", "echo", "--var", "id=42", "--json", "--var", "name=widget")
	if strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("--json is not one line:\n%s", r.stdout)
	}
	v := decode[map[string]any](t, r.stdout)
	if v["action"] != "echo" || v["connection"] != "bin" || v["status"] != 200.0 || v["status_text"] != "200 OK" {
		t.Errorf("--json gave %v", v)
	}
	for _, k := range []string{"duration_ms", "size", "truncated", "headers", "request"} {
		if _, ok := v[k]; !ok {
			t.Errorf("--json lacks %q", k)
		}
	}
	echo, ok := v["body"].(map[string]any)
	if !ok {
		t.Fatalf("body is not a JSON object: %#v", v["body"])
	}
	if sent, _ := echo["json"].(map[string]any); sent["name"] != "widget" {
		t.Errorf("httpbin saw the body %v", echo["json"])
	}
	req := v["request"].(map[string]any)
	if req["method"] != "POST" || !strings.HasPrefix(req["url"].(string), srv+"/anything/42") || !strings.Contains(req["url"].(string), "q=42") {
		t.Errorf("request %v", req)
	}
	// httpbin echoes the credentials in the body; the request as patchbay
	// reports it must not show them.
	sent, _ := json.Marshal(req)
	if strings.Contains(string(sent), "pw-s3cret") || strings.Contains(string(sent), base64.StdEncoding.EncodeToString([]byte("u:pw-s3cret"))) {
		t.Errorf("--json shows the password in the request: %s", sent)
	}
}

func TestRunExitCodes(t *testing.T) {
	db, _ := runFixture(t)
	must(t, db, "connection", "add", "down", "--auth", "none", "--base-url", closedURL(t))
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"4xx", []string{"missing"}, exitResponse, nil},
		{"unknown action", []string{"nope"}, exitUsage, []string{"no action named 'nope'", "patchbay list actions"}},
		{"unknown connection", []string{"get json", "--connection", "nope"}, exitUsage, []string{"no connection named 'nope'"}},
		{"variable the action lacks", []string{"get json", "--var", "id=1"}, exitUsage, []string{"id"}},
		{"missing variable", []string{"echo", "--var", "id=1"}, exitUsage, []string{"name"}},
		{"malformed --var", []string{"echo", "--var", "id"}, exitUsage, []string{"--var 'id'"}},
		{"no name", nil, exitUsage, []string{"which action"}},
		{"two names", []string{"echo", "missing"}, exitUsage, nil},
		{"--full and --json", []string{"echo", "--full", "--json"}, exitUsage, nil},
		{"refused", []string{"get json", "--connection", "down"}, exitNetwork, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := patchbay(t, db, append([]string{"run"}, tc.args...)...)
			wantExit(t, r, tc.code, tc.want...)
			if tc.code >= exitUsage && r.stderr == "" {
				t.Error("no message on stderr")
			}
		})
	}
}

func TestRunConnectionOverride(t *testing.T) {
	db, srv := runFixture(t)
	other := newHTTPBin(t).URL
	must(t, db, "connection", "add", "other", "--auth", "none", "--base-url", other)
	v := decode[map[string]any](t, must(t, db, "run", "get json", "--json").stdout)
	if url := v["request"].(map[string]any)["url"].(string); !strings.HasPrefix(url, srv+"/") {
		t.Errorf("ran against %s, want %s", url, srv)
	}
	v = decode[map[string]any](t, must(t, db, "run", "--connection", "OTHER", "get json", "--json").stdout)
	if url := v["request"].(map[string]any)["url"].(string); !strings.HasPrefix(url, other+"/") {
		t.Errorf("--connection other ran against %s, want %s", url, other)
	}
	if v["connection"] != "other" {
		t.Errorf("connection %v", v["connection"])
	}
}
