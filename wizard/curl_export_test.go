package wizard

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
)

// TestShellQuote quotes words so that the tokenizer — a POSIX shell's
// rules — reads them back, placeholders expanded as variables.
func TestShellQuote(t *testing.T) {
	tests := []struct {
		word shellText
		want string
	}{
		{lit("plain-word_1.2:3@x/y=z"), "plain-word_1.2:3@x/y=z"},
		{lit(""), "''"},
		{lit("it's {x}"), `'it'\''s {x}'`},
		{lit("esc\x1b[31m\nnext\x00"), `$'esc\x1b[31m\nnext\x00'`},
		{lit("bidi\u202e"), `$'bidi\u202e'`},
		{join(lit(`Bearer "a" $b `+"`c` "), envText("TOKEN")), `"Bearer \"a\" \$b \` + "`c\\` $TOKEN\""},
		{join(envText("ID"), lit("_x")), `"${ID}_x"`},
		{join(lit("hi! "), envText("K")), `'hi! '"$K"`},
	}
	for _, tt := range tests {
		if got := tt.word.quote(); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.word, got, tt.want)
		}
		words, err := shellWords(tt.word.quote())
		if err != nil || len(words) != 1 {
			t.Errorf("%s does not read back as one word: %v %v", tt.word.quote(), words, err)
			continue
		}
		want := ""
		for _, s := range tt.word {
			if s.env != "" {
				want += "{{" + s.env + "}}"
			} else {
				want += s.text
			}
		}
		if words[0].text != want {
			t.Errorf("%s reads back as %q, want %q", tt.word.quote(), words[0].text, want)
		}
	}
}

// exportAction is an action with a variable in every place it can be.
func exportAction() Action {
	return Action{
		Name: "create", Method: "POST", URL: "/things/{{id}}/items",
		Query:    kvs("q", "{{q}}", "api_key", "literal-key-1234"),
		Headers:  kvs("Content-Type", "application/json", "X-Trace", "t-{{trace}}", "X-Empty", ""),
		BodyType: BodyJSON,
		Body:     `{"name": "{{name}}", "count": {{count}}, "password": "{{password}}"}`,
		Vars:     []Variable{{Name: "count", Type: VarNumber}},
	}
}

// TestCurlCommandVariables fills the variables given, each encoded for
// its place, keeps the others as $name, and never writes a secret
// without WithSecrets.
func TestCurlCommandVariables(t *testing.T) {
	conn := connection.Connection{Name: "api", BaseURL: "https://api.example.com/v1/",
		Auth: connection.Auth{Type: connection.AuthAPIKey, Key: "the-real-key", Scheme: connection.SchemeRaw, KeyHeader: "X-Key"}}
	a := exportAction()
	vals := map[string]string{"id": "a/b c", "q": "x&y", "name": `O"Brien`, "count": "3", "password": "hunter22", "trace": connection.Redacted}
	got := CurlCommand(conn, a, ExportOptions{Vars: vals}).Command
	want := `curl "https://api.example.com/v1/things/a%2Fb%20c/items?q=x%26y&api_key=$PATCHBAY_API_KEY_2" \
  -H "X-Key: $PATCHBAY_API_KEY" \
  -H 'Content-Type: application/json' \
  -H "X-Trace: t-$trace" \
  -H 'X-Empty;' \
  --data-raw "{\"name\": \"O\\\"Brien\", \"count\": 3, \"password\": \"$password\"}" \
  -L`
	if got != want {
		t.Errorf("export:\n%s\nwant:\n%s", got, want)
	}
	for _, secret := range []string{"the-real-key", "literal-key-1234", "hunter22"} {
		if strings.Contains(got, secret) {
			t.Errorf("the export shows the secret %q", secret)
		}
	}
	with := CurlCommand(conn, a, ExportOptions{Vars: vals, WithSecrets: true})
	for _, secret := range []string{"X-Key: the-real-key", "api_key=literal-key-1234", `"password": "hunter22"`} {
		if !strings.Contains(with.Command, secret) {
			t.Errorf("the export with secrets lacks %q:\n%s", secret, with.Command)
		}
	}
	// No values: every variable is a placeholder the shell fills.
	bare := CurlCommand(conn, a, ExportOptions{WithSecrets: true}).Command
	if !strings.Contains(bare, `"https://api.example.com/v1/things/$id/items?q=$q&`) || strings.Contains(bare, "{{") {
		t.Errorf("unfilled variables:\n%s", bare)
	}
	dotted := a
	dotted.URL = "/things/{{user.id}}"
	if cmd := CurlCommand(conn, dotted, ExportOptions{}).Command; !strings.Contains(cmd, "/things/{{user.id}}") || !strings.Contains(cmd, "-g") {
		t.Errorf("a variable the shell cannot name stays {{...}} with -g:\n%s", cmd)
	}
}

// TestCurlCommandAuth writes each auth family's credentials as
// placeholders, or as the env: variable a secret names.
func TestCurlCommandAuth(t *testing.T) {
	a := Action{Method: "GET", URL: "/me"}
	tests := []struct {
		auth connection.Auth
		want []string
	}{
		{connection.Auth{Type: connection.AuthBasic, Username: "bob", Password: "pw"}, []string{`-u "bob:$PATCHBAY_PASSWORD"`}},
		{connection.Auth{Type: connection.AuthBasic, Username: "bob", Password: "env:BOB_PW"}, []string{`-u "bob:$BOB_PW"`}},
		{connection.Auth{Type: connection.AuthAPIKey, Key: "k"}, []string{`-H "Authorization: Bearer $PATCHBAY_API_KEY"`}},
		{connection.Auth{Type: connection.AuthAPIKey, Key: "k", Scheme: connection.SchemeBasic}, []string{`-H "Authorization: Basic $PATCHBAY_API_KEY"`}},
		{connection.Auth{Type: connection.AuthHeader, Headers: kvs("X-A", "1", "X-B", "2")}, []string{`-H "X-A: $PATCHBAY_X_A"`, `-H "X-B: $PATCHBAY_X_B"`}},
		{connection.Auth{Type: connection.AuthQuery, Query: kvs("key", "1")}, []string{`"https://h/me?key=$PATCHBAY_KEY"`}},
		{connection.Auth{Type: connection.AuthCustom, Username: "u", Password: "p", Headers: kvs("X-A", "1"), Query: kvs("k", "2")},
			[]string{`-u "u:$PATCHBAY_PASSWORD"`, `-H "X-A: $PATCHBAY_X_A"`, `?k=$PATCHBAY_K"`}},
		{connection.Auth{Type: connection.AuthOAuth2Client}, []string{`-H "Authorization: Bearer $PATCHBAY_TOKEN"`}},
		{connection.Auth{Type: connection.AuthNTLM, Domain: "CORP", Username: "u", Password: "p"}, []string{"--ntlm", `-u "CORP\\u:$PATCHBAY_PASSWORD"`}},
		{connection.Auth{Type: connection.AuthAWSKey, AWS: &connection.AWS{Region: "eu-west-1", Service: "s3", AccessKeyID: "AKID", SecretAccessKey: "s", SessionToken: "t"}},
			[]string{"--aws-sigv4 aws:amz:eu-west-1:s3", `-u "AKID:$PATCHBAY_AWS_SECRET_ACCESS_KEY"`, `-H "X-Amz-Security-Token: $PATCHBAY_AWS_SESSION_TOKEN"`}},
	}
	for _, tt := range tests {
		conn := connection.Connection{Name: "c", BaseURL: "https://h", Auth: tt.auth}
		ex := CurlCommand(conn, a, ExportOptions{})
		for _, w := range tt.want {
			if !strings.Contains(ex.Command, w) {
				t.Errorf("%s: export lacks %s:\n%s", tt.auth.Type, w, ex.Command)
			}
		}
		back, err := ImportCurl(conn, ex.Command)
		if err != nil || back.Action.URL != "/me" || back.Action.Headers != nil || back.Action.Query != nil {
			t.Errorf("%s: the export imports as %+v, %v", tt.auth.Type, back.Action, err)
		}
	}
}

// TestHTTPieCommand writes request items HTTPie reads: headers, query,
// form fields, files, a raw body, with separators escaped.
func TestHTTPieCommand(t *testing.T) {
	conn := connection.Connection{Name: "c", BaseURL: "https://h", TLS: connection.TLS{Insecure: true},
		Auth: connection.Auth{Type: connection.AuthBasic, Username: "u", Password: "p"}}
	two := 2
	a := Action{Method: "POST", URL: "/up", Query: kvs("a:b", "=x"), Headers: kvs("X-Eq", "=v"),
		BodyType: BodyMultipart, Parts: []Part{{Name: "t", Value: "v"}, {Name: "f", File: "/tmp/a b.png", ContentType: "image/png"}},
		Options: ActionOptions{Options: connection.Options{MaxRedirects: &two, Retries: 1}}}
	got := HTTPieCommand(conn, a, ExportOptions{})
	want := `http --multipart -a "u:$PATCHBAY_PASSWORD" --follow --max-redirects=2 --verify=no \
  POST 'https://h/up?a%3Ab=%3Dx' \
  'X-Eq:\=v' \
  t=v \
  'f@/tmp/a b.png;type=image/png'`
	if got.Command != want {
		t.Errorf("httpie:\n%s\nwant:\n%s", got.Command, want)
	}
	if !hasNote(got.Notes, "does not retry") {
		t.Errorf("notes %q", got.Notes)
	}
	form := Action{Method: "PUT", URL: "/f", BodyType: BodyForm, Form: kvs("k@1", "v")}
	if cmd := HTTPieCommand(conn, form, ExportOptions{}).Command; !strings.Contains(cmd, `--form`) || !strings.Contains(cmd, `'k\@1=v'`) {
		t.Errorf("form:\n%s", cmd)
	}
	text := Action{Method: "POST", URL: "/t", BodyType: BodyText, Body: "plain"}
	if cmd := HTTPieCommand(conn, text, ExportOptions{}).Command; !strings.Contains(cmd, "--raw plain") || !strings.Contains(cmd, "Content-Type:") {
		t.Errorf("text:\n%s", cmd)
	}
}

// TestCurlExportSendsTheSameRequest runs each exported command with the
// real curl against httpbin and compares what httpbin saw with what
// patchbay sends for the same action: method, query, headers that
// matter, body, form fields and files.
func TestCurlExportSendsTheSameRequest(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	srv := httptest.NewServer(httpbin.New())
	t.Cleanup(srv.Close)
	conn := connection.Connection{Name: "bin", BaseURL: srv.URL, Auth: connection.Auth{Type: connection.AuthBasic, Username: "me", Password: "s3cret pw"}}
	file := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(file, []byte("\x89PNG fake"), 0o600); err != nil {
		t.Fatal(err)
	}
	actions := []Action{
		{Method: "POST", URL: "/anything/{{id}}", Query: kvs("q", "a b&c", "n", "{{n}}"),
			Headers: kvs("Content-Type", "application/json", "X-Note", "it's \"quoted\" $HOME"), BodyType: BodyJSON,
			Body: `{"name": "{{name}}", "n": {{n}}}`},
		{Method: "PUT", URL: "/anything/form", BodyType: BodyForm, Form: kvs("a", "1 2", "b&c", "d=e", "emoji", "é✓")},
		{Method: "POST", URL: "/anything/up", BodyType: BodyMultipart, Parts: []Part{{Name: "title", Value: "a;b"}, {Name: "photo", File: file, ContentType: "image/png"}}},
		{Method: "PATCH", URL: "/anything/text", BodyType: BodyText, Body: "line 1\nline 'two'"},
		{Method: "DELETE", URL: "/anything/gone"},
	}
	vars := map[string]string{"id": "x/y", "n": "7", "name": `O"Brien`}
	for _, a := range actions {
		a.Name = a.URL
		used := map[string]string{}
		for _, v := range a.Variables() {
			used[v] = vars[v]
		}
		req, err := a.Request(used)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := connection.Send(context.Background(), conn, req)
		if err != nil {
			t.Fatal(err)
		}
		want := echoed(t, resp.Body)

		ex := CurlCommand(conn, a, ExportOptions{Vars: used})
		cmd := exec.Command("bash", "-c", strings.Replace(ex.Command, "curl ", "curl -sS ", 1))
		cmd.Env = append(os.Environ(), "PATCHBAY_PASSWORD=s3cret pw")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s\n%s", a.URL, err, ex.Command, out)
		}
		if got := echoed(t, out); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: curl sent\n%+v\npatchbay sent\n%+v\ncommand:\n%s", a.URL, got, want, ex.Command)
		}
	}
}

// curlEcho is what httpbin's /anything says it received, the parts that the
// sender controls.
type curlEcho struct {
	Method string              `json:"method"`
	URL    string              `json:"url"`
	Args   map[string][]string `json:"args"`
	Data   string              `json:"data"`
	Form   map[string][]string `json:"form"`
	Files  map[string][]string `json:"files"`
	JSON   any                 `json:"json"`
	Header map[string][]string `json:"headers"`
}

func echoed(t *testing.T, body []byte) curlEcho {
	t.Helper()
	var e curlEcho
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not httpbin's echo: %v\n%s", err, body)
	}
	keep := map[string][]string{}
	for k, v := range e.Header {
		switch k {
		case "Authorization", "X-Note": // not Accept: curl sends */* of its own
			keep[k] = v
		case "Content-Type":
			ct, _, _ := strings.Cut(v[0], ";") // the multipart boundary differs
			keep[k] = []string{ct}
		}
	}
	e.Header = keep
	if ct := keep["Content-Type"]; len(ct) > 0 && ct[0] == "multipart/form-data" {
		e.Data = "" // the parts are in Form and Files; the boundaries differ
	}
	return e
}
