package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// savedAction loads an action as the store keeps it.
func savedAction(t *testing.T, db, name string) wizard.Action {
	t.Helper()
	var a wizard.Action
	withStore(t, db, func(st *store.Store) {
		var err error
		if a, err = st.ActionByName(name); err != nil {
			t.Fatal(err)
		}
	})
	return a
}

func TestActionAddSavesOptions(t *testing.T) {
	db, _ := runFixture(t)
	dir := t.TempDir()
	doc := filepath.Join(dir, "report data.txt")
	if err := os.WriteFile(doc, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rel.bin"), []byte{1, 2}, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // a relative path is saved absolute
	must(t, db, "action", "add", "every", "--connection", "bin", "--method", "POST", "--url", "/anything",
		"--retries", "3", "--retry-delay", "250", "--backoff", "--retry-all-errors", "--retry-unsafe",
		"--timeout", "1500", "--deadline", "2m", "--max-redirects", "0", "--body-cap", "10MiB", "--verify-tls",
		"--response-type", "TEXT", "--full-response", "--debug",
		"--form", "title=Q3 {{who}}", "--form", `doc=@"`+doc+`";type=text/csv;filename=report.csv`,
		"--form-string", "raw=@not-a-file", "--form", "rel=@rel.bin")

	a := savedAction(t, db, "every")
	zero := 0
	want := wizard.ActionOptions{
		Options: connection.Options{
			Retries: 3, RetryDelay: 250 * time.Millisecond, Backoff: true, RetryAllErrors: true, RetryUnsafe: true,
			Timeout: 1500 * time.Millisecond, Deadline: 2 * time.Minute, MaxRedirects: &zero, BodyCap: 10 << 20, VerifyTLS: true,
		},
		ResponseType: wizard.RespText, FullResponse: true, Debug: true,
	}
	if !reflect.DeepEqual(a.Options, want) {
		t.Errorf("options\n got %+v\nwant %+v", a.Options, want)
	}
	wantParts := []wizard.Part{
		{Name: "title", Value: "Q3 {{who}}"},
		{Name: "doc", File: doc, FileName: "report.csv", ContentType: "text/csv"},
		{Name: "raw", Value: "@not-a-file"},
		{Name: "rel", File: filepath.Join(dir, "rel.bin")},
	}
	if a.BodyType != wizard.BodyMultipart || !slices.Equal(a.Parts, wantParts) || a.Form != nil {
		t.Errorf("body %s, parts %+v, form %+v", a.BodyType, a.Parts, a.Form)
	}

	// Without options nothing is stored for them; --body-type form keeps
	// --form as url-encoded fields.
	must(t, db, "action", "add", "plain", "--connection", "bin", "--method", "POST", "--url", "/anything",
		"--body-type", "form", "--form", "a=1", "--form-string", "b=@x")
	a = savedAction(t, db, "plain")
	if !reflect.DeepEqual(a.Options, wizard.ActionOptions{}) || a.BodyType != wizard.BodyForm ||
		!slices.Equal(a.Form, []connection.KV{{Key: "a", Value: "1"}, {Key: "b", Value: "@x"}}) || a.Parts != nil {
		t.Errorf("options %+v, body %s, form %+v, parts %+v", a.Options, a.BodyType, a.Form, a.Parts)
	}
}

func TestActionAddRejectsBadOptions(t *testing.T) {
	db, _ := runFixture(t)
	before := len(decode[[]map[string]any](t, must(t, db, "list", "actions", "--json").stdout))
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--retries", "abc"}, []string{"--retries 'abc'", "whole number"}},
		{[]string{"--retries", "-1"}, []string{"--retries", "cannot be negative"}},
		{[]string{"--retries", "11"}, []string{"--retries", "at most 10"}},
		{[]string{"--retry-delay", "soon"}, []string{"--retry-delay 'soon'", "milliseconds"}},
		{[]string{"--retry-delay", "-100"}, []string{"--retry-delay", "cannot be negative"}},
		{[]string{"--timeout", "-5"}, []string{"--timeout", "cannot be negative"}},
		{[]string{"--timeout", "1.5"}, []string{"--timeout '1.5'"}},
		{[]string{"--deadline", "tomorrow"}, []string{"--deadline 'tomorrow'"}},
		{[]string{"--max-redirects", "-1"}, []string{"--max-redirects", "cannot be negative"}},
		{[]string{"--max-redirects", "many"}, []string{"--max-redirects 'many'"}},
		{[]string{"--body-cap", "lots"}, []string{"--body-cap 'lots'", "10MiB"}},
		{[]string{"--body-cap", "-1"}, []string{"--body-cap", "cannot be negative"}},
		{[]string{"--response-type", "xml"}, []string{"--response-type", "unknown response type 'xml'"}},
		{[]string{"--form", "=v"}, []string{"--form '=v'", "needs a name"}},
		{[]string{"--form", "novalue"}, []string{"--form 'novalue'", "name=value"}},
		{[]string{"--form", "f=@/nonexistent/x.bin"}, []string{"--form 'f=@/nonexistent/x.bin'", "/nonexistent/x.bin does not exist"}},
		{[]string{"--form", "f=@"}, []string{"--form 'f=@'", "path"}},
		{[]string{"--form", "f=@/etc/hosts;size=1"}, []string{"unknown option 'size'"}},
		{[]string{"--form", `f=@"/etc/hosts`}, []string{"quote"}},
		{[]string{"--body-type", "form", "--form", "f=@/etc/hosts"}, []string{"--form 'f=@/etc/hosts'", "multipart"}},
		{[]string{"--body-type", "json", "--form", "a=1"}, []string{"--form needs --body-type multipart or form"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"action", "add", "bad", "--connection", "bin", "--method", "POST", "--url", "/anything"}, tc.args...)
			wantExit(t, patchbay(t, db, args...), exitUsage, tc.want...)
		})
	}
	if after := len(decode[[]map[string]any](t, must(t, db, "list", "actions", "--json").stdout)); after != before {
		t.Errorf("a rejected action was saved: %d actions, were %d", after, before)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "10MiB": 10 << 20, "100MB": 100e6, "512k": 512 << 10,
		"1.5GiB": 3 << 29, "2 kb": 2000, "7B": 7} {
		if got, ok := parseBytes(in); !ok || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "MiB", "10XB", "1e3", "ten"} {
		if _, ok := parseBytes(in); ok {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}

// TestRunTimeout: the action's --timeout bounds the request; a timeout is
// exit 3. It needs connection.Send to honour Options.Timeout.
func TestRunTimeout(t *testing.T) {
	db, _ := runFixture(t)
	must(t, db, "action", "add", "slow", "--connection", "bin", "--url", "/delay/3", "--timeout", "500")
	r := patchbay(t, db, "run", "slow")
	wantExit(t, r, exitNetwork)
	if r.stderr == "" || r.stdout != "" {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

// TestRunDebug: --debug, or the action's debug option, prints the request
// as sent to stderr, with the connection's credentials and the action's
// secret-named values redacted; stdout is still the body.
func TestRunDebug(t *testing.T) {
	db, srv := runFixture(t)
	must(t, db, "action", "add", "form", "--connection", "bin", "--method", "POST", "--url", "/anything",
		"--header", "X-Trace: t-1", "--body-type", "form", "--form", "password=form-s3cret", "--form", "note=hi")
	must(t, db, "action", "add", "upload", "--connection", "bin", "--method", "POST", "--url", "/anything",
		"--form", "note=hi", "--debug")
	secrets := []string{"pw-s3cret", base64.StdEncoding.EncodeToString([]byte("u:pw-s3cret")), "form-s3cret"}

	r := must(t, db, "run", "form", "--debug")
	for _, want := range []string{"> POST " + srv + "/anything\n", "> X-Trace: t-1\n", "> Authorization: " + connection.Redacted + "\n",
		"> Content-Type: application/x-www-form-urlencoded\n", ">\n> password=", "&note=hi\n"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--debug lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, s := range secrets {
		if strings.Contains(r.stderr, s) {
			t.Errorf("--debug shows the secret %q:\n%s", s, r.stderr)
		}
	}
	if echo := decode[map[string]any](t, r.stdout); echo["form"] == nil {
		t.Errorf("stdout is not the body: %s", r.stdout)
	}
	if r := must(t, db, "run", "form"); strings.Contains(r.stderr, "> POST") {
		t.Errorf("debug output without --debug:\n%s", r.stderr)
	}

	// The action's own debug option; a streamed body shows its summary.
	r = must(t, db, "run", "upload")
	if !strings.Contains(r.stderr, "> POST "+srv+"/anything\n") || !strings.Contains(r.stderr, `> multipart/form-data: field "note" (2 B)`) {
		t.Errorf("debug of the upload:\n%s", r.stderr)
	}
}

// TestRunResponseTypes: through a pipe the bytes as they came, whatever the
// type; on a terminal json pretty-printed (or text with a note), text
// cleaned, binary as a hex preview.
func TestRunResponseTypes(t *testing.T) {
	db, srv := runFixture(t)
	get := func(path string) []byte {
		resp, err := http.Get(srv + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	must(t, db, "action", "add", "bytes", "--connection", "bin", "--url", "/bytes/64?seed=7", "--response-type", "binary")
	must(t, db, "action", "add", "html", "--connection", "bin", "--url", "/html")
	must(t, db, "action", "add", "html text", "--connection", "bin", "--url", "/html", "--response-type", "text")
	must(t, db, "action", "add", "full", "--connection", "bin", "--url", "/json", "--full-response")
	bin, html, js := get("/bytes/64?seed=7"), get("/html"), get("/json")

	if r := must(t, db, "run", "bytes"); r.stdout != string(bin) {
		t.Errorf("binary to a pipe: %q, want %q", r.stdout, bin)
	}
	r := patchbayOnTerminal(t, db, "run", "bytes")
	wantExit(t, r, exitOK, "64 bytes of binary data", "redirect it to a file", "patchbay run bytes > FILE")
	if r.stdout != hex.Dump(bin) {
		t.Errorf("binary on a terminal:\n%s\nwant\n%s", r.stdout, hex.Dump(bin))
	}

	if r := must(t, db, "run", "html"); r.stdout != string(html) || r.stderr != "" {
		t.Errorf("html to a pipe: stdout %d bytes, stderr %q", len(r.stdout), r.stderr)
	}
	r = patchbayOnTerminal(t, db, "run", "html")
	wantExit(t, r, exitOK, "not JSON", "text/html")
	if !strings.Contains(r.stdout, "Herman Melville") {
		t.Errorf("html on a terminal: %q", r.stdout)
	}
	if r := patchbayOnTerminal(t, db, "run", "html text"); r.code != exitOK || r.stderr != "" || !strings.Contains(r.stdout, "Herman Melville") {
		t.Errorf("text type on a terminal: exit %d, stderr %q", r.code, r.stderr)
	}

	var pretty bytes.Buffer
	json.Indent(&pretty, bytes.TrimSpace(js), "", "  ")
	if r := patchbayOnTerminal(t, db, "run", "get json"); r.stdout != pretty.String()+"\n" {
		t.Errorf("json on a terminal:\n%s", r.stdout)
	}
	if r := must(t, db, "run", "get json"); r.stdout != string(js) {
		t.Errorf("json to a pipe was changed:\n%s", r.stdout)
	}

	r = must(t, db, "run", "full")
	if head, body, _ := strings.Cut(r.stdout, "\n\n"); !strings.HasPrefix(head, "HTTP/1.1 200 OK\n") || body != string(js) {
		t.Errorf("the action's full response:\n%s", r.stdout)
	}
}

// TestRunMultipartUpload: a file given as --form 'file=@PATH' reaches
// httpbin's /anything; a file gone by run time is exit 2, naming it.
func TestRunMultipartUpload(t *testing.T) {
	db, _ := runFixture(t)
	content := "name,qty\nwidget,3\n"
	file := filepath.Join(t.TempDir(), "items.csv")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	must(t, db, "action", "add", "upload", "--connection", "bin", "--method", "POST", "--url", "/anything",
		"--form", "file=@"+file, "--form", "note={{note}}")
	v := decode[map[string]any](t, must(t, db, "run", "upload", "--json", "--var", "note=hi").stdout)
	echo, _ := v["body"].(map[string]any)
	files, _ := echo["files"].(map[string]any)
	form, _ := echo["form"].(map[string]any)
	if got, _ := files["file"].([]any); len(got) != 1 || got[0] != content {
		t.Errorf("httpbin got the files %v", echo["files"])
	}
	if got, _ := form["note"].([]any); len(got) != 1 || got[0] != "hi" {
		t.Errorf("httpbin got the form %v", echo["form"])
	}

	os.Remove(file)
	wantExit(t, patchbay(t, db, "run", "upload", "--var", "note=hi"), exitUsage, "part 'file'", file, "does not exist")
}

func TestRunJSONReportsAttemptsAndRedirects(t *testing.T) {
	plain, _ := json.Marshal(runJSON("a", "c", connection.Response{Status: 200}))
	for _, key := range []string{"attempts", "redirects", `"encoding"`, "wire_size"} {
		if strings.Contains(string(plain), key) {
			t.Errorf("%s without retries or redirects: %s", key, plain)
		}
	}
	resp := connection.Response{
		Status:    200,
		Attempts:  []connection.Attempt{{N: 1, Of: 3, Status: 503}, {N: 2, Of: 3, Waited: time.Second, Why: "503 Service Unavailable", Status: 200}},
		Redirects: []connection.Hop{{Status: 302, URL: "http://x.test/b"}},
		Encoding:  "gzip", WireSize: 120, Size: 900,
		Request: connection.SentRequest{Method: "GET", URL: "http://x.test/a"},
	}
	v := decode[map[string]any](t, func() string { b, _ := json.Marshal(runJSON("a", "c", resp)); return string(b) }())
	if at, _ := v["attempts"].([]any); len(at) != 2 || v["encoding"] != "gzip" || v["wire_size"] != 120.0 {
		t.Errorf("--json gave %v", v)
	}
	if hops, _ := v["redirects"].([]any); len(hops) != 1 || hops[0].(map[string]any)["url"] != "http://x.test/b" {
		t.Errorf("redirects %v", v["redirects"])
	}

	var stderr bytes.Buffer
	e := &env{stdout: io.Discard, stderr: &stderr}
	e.writeDebug(connection.Connection{}, wizard.Action{Method: "GET"}, nil, resp)
	for _, want := range []string{"> GET http://x.test/a\n", "* attempt 1 of 3: 503 Service Unavailable\n",
		"* attempt 2 of 3 after 1s (503 Service Unavailable): 200 OK\n", "* redirect 302 → http://x.test/b\n", "* body decoded from gzip"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("debug lacks %q:\n%s", want, stderr.String())
		}
	}
}

// A Retry-After too long to wait for ends the retries with a note on
// stderr; stdout keeps the body alone.
func TestRunNoteOnStderr(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Retry-After", "31536000")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "come back next year")
	}))
	t.Cleanup(srv.Close)
	db := newDB(t)
	must(t, db, "connection", "add", "slow", "--auth", "none", "--base-url", srv.URL)
	must(t, db, "action", "add", "wait", "--connection", "slow", "--method", "GET", "--url", "/", "--retries", "3")
	r := patchbay(t, db, "run", "wait")
	wantExit(t, r, exitResponse, "note: ", "Retry-After")
	if r.stdout != "come back next year" || hits != 1 {
		t.Errorf("stdout %q after %d requests, want the body after 1", r.stdout, hits)
	}
	j := decode[map[string]any](t, patchbay(t, db, "run", "wait", "--json").stdout)
	if note, _ := j["note"].(string); !strings.Contains(note, "Retry-After") {
		t.Errorf("--json note = %v", j["note"])
	}
}
