package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

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
	must(t, db, "connection", "add", "bare", "--auth", "none")
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
		{"connection without base URL", []string{"get json", "--connection", "bare"}, exitUsage, []string{"no base URL"}},
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

// TestRunHidesTypedSecrets: credentials typed into an action (not the
// connection's) are redacted in the request --json reports and in history.
func TestRunHidesTypedSecrets(t *testing.T) {
	db, _ := runFixture(t)
	must(t, db, "action", "add", "typed", "--connection", "bin", "--url", "/anything",
		"--query", "access_token=TYPEDTOKEN77", "--query", "page=2", "--header", "X-Api-Key: TYPEDHDR88")
	r := must(t, db, "run", "typed", "--json")
	v := decode[map[string]any](t, r.stdout)
	if echo, _ := v["body"].(map[string]any); echo == nil || !strings.Contains(r.stdout, "TYPEDHDR88") {
		t.Fatalf("httpbin did not receive the typed header: %v", v["body"])
	}
	req, _ := json.Marshal(v["request"])
	for _, secret := range []string{"TYPEDTOKEN77", "TYPEDHDR88"} {
		if strings.Contains(string(req), secret) {
			t.Errorf("--json shows the typed secret %s in the request: %s", secret, req)
		}
	}
	if !strings.Contains(string(req), "page=2") {
		t.Errorf("the request lost its other parameters: %s", req)
	}

	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.ActionByName("typed")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := st.Runs(a.ID)
	if err != nil || len(runs) != 1 || runs[0].Response == nil {
		t.Fatalf("history: %+v, %v", runs, err)
	}
	kept, _ := json.Marshal(runs[0].Response.Request)
	for _, secret := range []string{"TYPEDTOKEN77", "TYPEDHDR88"} {
		if strings.Contains(string(kept), secret) {
			t.Errorf("history keeps the typed secret %s: %s", secret, kept)
		}
	}
}

// terminalRunes are runes a terminal acts on that encoding/json leaves raw.
const terminalRunes = "\u0085\u009b\u009d\u202a\u202e\u2066\u2069\u2028\u2029"

func hasTerminalRunes(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return strings.ContainsRune(terminalRunes, r) }) ||
		!utf8.ValidString(s)
}

// TestRunJSONOnTerminal: on a terminal `run --json` escapes what the server
// sent that a terminal would act on; the JSON still means the same. Through a
// pipe it is left alone.
func TestRunJSONOnTerminal(t *testing.T) {
	evil := "a\u202eb\u009b31mc\u2028d\u0085e\u2066f"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Evil", evil)
		if r.URL.Path == "/text" {
			w.Write([]byte(evil))
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"name": evil, evil: []string{evil}})
	}))
	t.Cleanup(srv.Close)
	db := newDB(t)
	must(t, db, "connection", "add", "evil", "--auth", "none", "--base-url", srv.URL)
	must(t, db, "action", "add", "json", "--connection", "evil", "--url", "/json")
	must(t, db, "action", "add", "text", "--connection", "evil", "--url", "/text")

	for _, action := range []string{"json", "text"} {
		piped := must(t, db, "run", action, "--json")
		if !strings.Contains(piped.stdout, "\u202e") {
			t.Errorf("%s: through a pipe the JSON was changed:\n%q", action, piped.stdout)
		}
		r := patchbayOnTerminal(t, db, "run", action, "--json")
		if r.code != exitOK {
			t.Fatalf("%s: exit %d: %s", action, r.code, r.stderr)
		}
		if hasTerminalRunes(r.stdout) {
			t.Errorf("%s: the terminal got raw control runes:\n%q", action, r.stdout)
		}
		onTerm, inPipe := decode[map[string]any](t, r.stdout), decode[map[string]any](t, piped.stdout)
		for _, k := range []string{"body", "headers", "request"} {
			if !reflect.DeepEqual(onTerm[k], inPipe[k]) {
				t.Errorf("%s: %s on a terminal decodes to %v, through a pipe to %v", action, k, onTerm[k], inPipe[k])
			}
		}
	}
}

func TestWriteJSONOnTerminal(t *testing.T) {
	v := map[string]any{
		"raw":    json.RawMessage(`{"k` + terminalRunes + `":"v` + terminalRunes + "\xff" + `"}`),
		"string": "s" + terminalRunes + "\xfe — ok: é ✓ 😀",
	}
	var piped bytes.Buffer
	var term ttyBuffer
	if err := writeJSON(&piped, v); err != nil {
		t.Fatal(err)
	}
	if err := writeJSON(&term, v); err != nil {
		t.Fatal(err)
	}
	if hasTerminalRunes(term.String()) {
		t.Errorf("raw control runes on the terminal: %q", term.String())
	}
	if !strings.Contains(term.String(), `\u202e`) || !strings.Contains(term.String(), "é ✓ 😀") || strings.Count(term.String(), "\n") != 1 {
		t.Errorf("escaped too much or too little: %q", term.String())
	}
	var a, b any
	if err := json.Unmarshal(term.Bytes(), &a); err != nil {
		t.Fatalf("not JSON on a terminal: %v\n%s", err, term.String())
	}
	if err := json.Unmarshal(piped.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("on a terminal %v, through a pipe %v", a, b)
	}
}
