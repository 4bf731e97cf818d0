package wizard

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/connection"
)

func mustParse(t *testing.T, cmd string) CurlRequest {
	t.Helper()
	r, err := ParseCurl(cmd)
	if err != nil {
		t.Fatalf("ParseCurl(%q): %v", cmd, err)
	}
	return r
}

func kvs(pairs ...string) []connection.KV {
	var out []connection.KV
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, connection.KV{Key: pairs[i], Value: pairs[i+1]})
	}
	return out
}

// TestShellWords splits command lines as a POSIX shell would, without
// expanding anything.
func TestShellWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`a 'b c' "d e"`, []string{"a", "b c", "d e"}},
		{`a\ b c\"d`, []string{"a b", `c"d`}},
		{"a \\\n  b", []string{"a", "b"}},
		{"a \\  \n b", []string{"a", "b"}}, // spaces after the backslash: still a continuation
		{"a\\\r\nb", []string{"ab"}},
		{"a \\\r  b\r", []string{"a", "b", "\n"}}, // a terminal pastes line breaks as CR
		{`'it'\''s'`, []string{"it's"}},
		{`"a \"q\" \$x \\ \n"`, []string{`a "q" $x \ \n`}},
		{`$'a\nb\tc\x41\u00e9\'\\'`, []string{"a\nb\tcAé'\\"}},
		{`$"x"`, []string{"x"}},
		{`"$HOME/x" ${TOKEN} '$NOT'`, []string{"{{HOME}}/x", "{{TOKEN}}", "$NOT"}},
		{`"$(date +%s)" ` + "`id -u`", []string{"$(date +%s)", "`id -u`"}},
		{`${A:-b} $1 $ x`, []string{"${A:-b}", "$1", "$", "x"}},
		{`a # comment 'not closed`, []string{"a"}},
		{`a#b`, []string{"a#b"}},
		{`https://x/?a=1&b=2`, []string{"https://x/?a=1&b=2"}},
		{`-u <YOUR_KEY>: x`, []string{"-u", "<YOUR_KEY>:", "x"}},
		{`a | b; c && d > e 2> f`, []string{"a", "|", "b", ";", "c", "&&", "d", ">", "e", "2>", "f"}},
	}
	for _, tt := range tests {
		words, err := shellWords(tt.in)
		if err != nil {
			t.Errorf("shellWords(%q): %v", tt.in, err)
			continue
		}
		var got []string
		for _, w := range words {
			got = append(got, w.text)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("shellWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{`'open`, `"open`, `$'open`, "`open", `$(open`, `${open`} {
		if _, err := shellWords(bad); err == nil {
			t.Errorf("shellWords(%q) accepted an unclosed quote", bad)
		}
	}
}

// TestHeredoc gives -d @- the here-document that follows the command,
// its line breaks dropped as curl -d drops them; --data-binary keeps them.
func TestHeredoc(t *testing.T) {
	r := mustParse(t, "curl https://x/y -H 'Content-Type: application/json' -d @- <<EOF\n{\n  \"a\": 1\n}\nEOF\necho done")
	if r.BodyType != BodyJSON || r.Body != `{  "a": 1}` {
		t.Errorf("body = %s %q", r.BodyType, r.Body)
	}
	r = mustParse(t, "curl https://x/y -H 'Content-Type: text/plain' --data-binary @- <<-'END'\n\tline 1\n\tline 2\n\tEND")
	if r.Body != "line 1\nline 2\n" {
		t.Errorf("<<- body = %q", r.Body)
	}
	r = mustParse(t, `curl https://x/y -H 'Content-Type: text/plain' --data-binary @- <<< 'hello'`)
	if r.Body != "hello\n" {
		t.Errorf("<<< body = %q", r.Body)
	}
}

// TestParseCurlCommandLine finds the curl command behind a prompt, sudo
// or assignments, and says what around it was left out.
func TestParseCurlCommandLine(t *testing.T) {
	for _, cmd := range []string{
		"$ curl https://x/y",
		"sudo -E curl https://x/y",
		"TOKEN=abc curl https://x/y",
		"/usr/bin/curl https://x/y",
		"export A=1\n# a comment\ncurl https://x/y",
	} {
		if r := mustParse(t, cmd); r.URL != "https://x/y" || r.Method != "GET" {
			t.Errorf("%q: %s %s", cmd, r.Method, r.URL)
		}
	}
	for _, cmd := range []string{"", "wget https://x", "echo curl", "curlx https://x"} {
		if _, err := ParseCurl(cmd); !errors.Is(err, ErrNotCurl) {
			t.Errorf("ParseCurl(%q) = %v, want ErrNotCurl", cmd, err)
		}
	}
	if _, err := ParseCurl("curl -s"); err == nil || !strings.Contains(err.Error(), "no URL") {
		t.Errorf("a command without a URL: %v", err)
	}
	if _, err := ParseCurl("curl https://x -d a=1 -F b=2"); err == nil {
		t.Error("-d with -F was accepted")
	}
	r := mustParse(t, "curl https://x/y | jq . > out.json")
	if !hasNote(r.Notes, "piped") {
		t.Errorf("notes %q do not mention the pipe", r.Notes)
	}
	r = mustParse(t, "curl https://x/y > out.json 2>&1")
	if !hasNote(r.Notes, "> out.json was ignored") {
		t.Errorf("notes %q do not mention the redirection", r.Notes)
	}
	// A line break without a backslash, before a line of flags.
	r = mustParse(t, "curl https://x/y\n  -H 'A: b'\n  -X PUT")
	if r.Method != "PUT" || !reflect.DeepEqual(r.Headers, kvs("A", "b")) {
		t.Errorf("continued lines: %s %q", r.Method, r.Headers)
	}
	if !IsCurlCommand("  $ curl x") || !IsCurlCommand("sudo curl\\\n x") || IsCurlCommand("curly") || IsCurlCommand("/users") {
		t.Error("IsCurlCommand")
	}
}

func hasNote(notes []string, part string) bool {
	return slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, part) })
}

// TestParseCurlFlags reads each flag the import knows.
func TestParseCurlFlags(t *testing.T) {
	tests := []struct {
		name, cmd string
		check     func(r CurlRequest) bool
	}{
		{"-X", "curl -X patch https://x", func(r CurlRequest) bool { return r.Method == "PATCH" }},
		{"-XPOST", "curl -XPOST https://x", func(r CurlRequest) bool { return r.Method == "POST" }},
		{"--request", "curl --request DELETE https://x", func(r CurlRequest) bool { return r.Method == "DELETE" }},
		{"--request=", "curl --request=PUT https://x", func(r CurlRequest) bool { return r.Method == "PUT" }},
		{"-I", "curl -I https://x", func(r CurlRequest) bool { return r.Method == "HEAD" }},
		{"--url", "curl --url https://x/a", func(r CurlRequest) bool { return r.URL == "https://x/a" }},
		{"no scheme", "curl x.com/a", func(r CurlRequest) bool { return r.URL == "http://x.com/a" && hasNote(r.Notes, "no scheme") }},
		{"fragment", "curl 'https://x/a#top'", func(r CurlRequest) bool { return r.URL == "https://x/a" }},
		{"query", "curl 'https://x/a?b=1&c=d%20e&f=g+h'", func(r CurlRequest) bool {
			return r.URL == "https://x/a" && reflect.DeepEqual(r.Query, kvs("b", "1", "c", "d e", "f", "g h"))
		}},
		{"query kept", "curl 'https://x/a?flag&b=1'", func(r CurlRequest) bool { return r.URL == "https://x/a?flag&b=1" && r.Query == nil }},
		{"-H", "curl -H 'A: 1' -H 'B:2' --header 'C;' https://x", func(r CurlRequest) bool {
			return reflect.DeepEqual(r.Headers, kvs("A", "1", "B", "2", "C", ""))
		}},
		{"-H removes", "curl -H 'A: 1' -H 'A:' https://x", func(r CurlRequest) bool { return r.Headers == nil }},
		{"-H not a header", "curl -H 'nonsense' https://x", func(r CurlRequest) bool { return slices.Contains(r.Unknown, "-H nonsense") }},
		{"-d form", "curl -d a=1 -d 'b=x y' --data c=%41 https://x", func(r CurlRequest) bool {
			return r.Method == "POST" && r.BodyType == BodyForm && reflect.DeepEqual(r.Form, kvs("a", "1", "b", "x y", "c", "A"))
		}},
		{"-d text", "curl -d hello https://x", func(r CurlRequest) bool {
			return r.BodyType == BodyText && r.Body == "hello" && reflect.DeepEqual(r.Headers, kvs("Content-Type", "application/x-www-form-urlencoded"))
		}},
		{"-d JSON, no type", `curl -d '{"a":1}' https://x`, func(r CurlRequest) bool {
			return r.BodyType == BodyJSON && r.Body == `{"a":1}` && r.Headers == nil && hasNote(r.Notes, "no Content-Type")
		}},
		{"-d JSON type", `curl -H 'content-type: application/vnd.api+json' --data-raw '[1]' https://x`, func(r CurlRequest) bool {
			return r.BodyType == BodyJSON && r.Body == `[1]`
		}},
		{"-d bad JSON", `curl -H 'Content-Type: application/json' -d '{"a":}' https://x`, func(r CurlRequest) bool {
			return r.BodyType == BodyText && hasNote(r.Notes, "not valid JSON")
		}},
		{"-d text type", `curl -H 'Content-Type: text/csv' -d 'a,b' https://x`, func(r CurlRequest) bool { return r.BodyType == BodyText && r.Body == "a,b" }},
		{"--data-binary", `curl --data-binary 'a=1' https://x`, func(r CurlRequest) bool { return reflect.DeepEqual(r.Form, kvs("a", "1")) }},
		{"--data-raw @", `curl --data-raw '@x' https://x`, func(r CurlRequest) bool { return r.Body == "@x" && !r.Insecure }},
		{"--data-urlencode", `curl --data-urlencode 'q=a b&c' --data-urlencode '=x y' https://x`, func(r CurlRequest) bool {
			return r.BodyType == BodyText && r.Body == "q=a%20b%26c&x%20y"
		}},
		{"--json", `curl --json '{"a":' --json '1}' https://x`, func(r CurlRequest) bool {
			return r.BodyType == BodyJSON && r.Body == `{"a":1}` && reflect.DeepEqual(r.Headers, kvs("Content-Type", "application/json", "Accept", "application/json"))
		}},
		{"--json -H", `curl --json '1' -H 'Accept: text/plain' https://x`, func(r CurlRequest) bool {
			return reflect.DeepEqual(r.Headers, kvs("Accept", "text/plain", "Content-Type", "application/json"))
		}},
		{"-G", "curl -G -d a=1 --data-urlencode 'b=c d' 'https://x?z=0'", func(r CurlRequest) bool {
			return r.Method == "GET" && r.BodyType == BodyNone && reflect.DeepEqual(r.Query, kvs("z", "0", "a", "1", "b", "c d"))
		}},
		{"--url-query", "curl --url-query 'a=b c' https://x", func(r CurlRequest) bool { return reflect.DeepEqual(r.Query, kvs("a", "b c")) }},
		{"-F", `curl -F a=1 -F 'f=@"x;y.png";type=image/png;filename=z.png' -F 'g=<notes.txt' --form-string 'h=@literal' https://x`, func(r CurlRequest) bool {
			want := []Part{{Name: "a", Value: "1"}, {Name: "f", File: "x;y.png", ContentType: "image/png", FileName: "z.png"},
				{Name: "g", File: "notes.txt"}, {Name: "h", Value: "@literal"}}
			return r.Method == "POST" && r.BodyType == BodyMultipart && reflect.DeepEqual(r.Parts, want)
		}},
		{"-u", "curl -u 'me:p:w' https://x", func(r CurlRequest) bool { return r.HasUser && r.User == "me" && r.Password == "p:w" }},
		{"-u no password", "curl -u me https://x", func(r CurlRequest) bool { return r.HasUser && hasNote(r.Notes, "ask for it") }},
		{"user in URL", "curl https://me:s%40cret@x/a", func(r CurlRequest) bool {
			return r.URL == "https://x/a" && r.User == "me" && r.Password == "s@cret"
		}},
		{"-k", "curl -k https://x", func(r CurlRequest) bool { return r.Insecure }},
		{"--insecure --no-insecure", "curl --insecure --no-insecure https://x", func(r CurlRequest) bool { return !r.Insecure }},
		{"-A -e -b", "curl -A ua -e ref -b 'a=1' https://x", func(r CurlRequest) bool {
			return reflect.DeepEqual(r.Headers, kvs("User-Agent", "ua", "Referer", "ref", "Cookie", "a=1"))
		}},
		{"-b file", "curl -b cookies.txt https://x", func(r CurlRequest) bool { return slices.Contains(r.Unknown, "-b cookies.txt") }},
		{"--oauth2-bearer", "curl --oauth2-bearer tok https://x", func(r CurlRequest) bool {
			return reflect.DeepEqual(r.Headers, kvs("Authorization", "Bearer tok"))
		}},
		{"--aws-sigv4", "curl --aws-sigv4 aws:amz:eu-west-1:s3 https://x", func(r CurlRequest) bool { return r.AWSSigV4 == "aws:amz:eu-west-1:s3" }},
		{"options", "curl -m 2.5 --retry 3 --retry-delay 1 --retry-all-errors --max-redirs 4 https://x", func(r CurlRequest) bool {
			o := r.Options
			return o.Timeout == 2500*time.Millisecond && o.Retries == 3 && o.RetryDelay == time.Second && o.RetryAllErrors &&
				o.MaxRedirects != nil && *o.MaxRedirects == 4
		}},
		{"harmless", "curl -sSLiv --compressed --http1.1 -f --fail-with-body -# --connect-timeout 3 -w '%{http_code}' https://x", func(r CurlRequest) bool {
			return r.Unknown == nil && r.URL == "https://x"
		}},
		{"unknown", "curl --proxy-user u:p --weird -Z9 --cert c.pem https://x", func(r CurlRequest) bool {
			return slices.Equal(r.Unknown, []string{"--proxy-user " + connection.Redacted, "--weird", "-9", "--cert " + connection.Redacted})
		}},
		{"unknown flag's value", "curl --api-key abc123 --mode fast https://x", func(r CurlRequest) bool {
			return r.URL == "https://x" && slices.Equal(r.Unknown, []string{"--api-key " + connection.Redacted, "--mode fast"})
		}},
		{"proxy password", "curl --proxy http://me:pw@proxy:3128 https://x", func(r CurlRequest) bool {
			return slices.Equal(r.Unknown, []string{"--proxy http://me:" + connection.Redacted + "@proxy:3128"})
		}},
		{"-H credential without colon", "curl -H 'Authorization Bearer tok' https://x", func(r CurlRequest) bool {
			return slices.Equal(r.Unknown, []string{"-H Authorization " + connection.Redacted}) && !hasNote(r.Notes, "tok")
		}},
		{"two URLs", "curl https://x https://y", func(r CurlRequest) bool { return r.URL == "https://x" && hasNote(r.Notes, `"https://y" was left out`) }},
		{"--", "curl -- -weird-url", func(r CurlRequest) bool { return r.URL == "http://-weird-url" }},
		{"-T", "curl -T up.bin https://x", func(r CurlRequest) bool { return r.Method == "PUT" && hasNote(r.Notes, "up.bin") }},
		{"-K", "curl -K opts.txt https://x", func(r CurlRequest) bool { return hasNote(r.Notes, "config file opts.txt") }},
		{"shell vars", `curl -H "X-Key: $KEY" "https://x/$ID/z"`, func(r CurlRequest) bool {
			return r.URL == "https://x/{{ID}}/z" && reflect.DeepEqual(r.Headers, kvs("X-Key", "{{KEY}}")) && slices.Equal(r.Vars, []string{"KEY", "ID"})
		}},
		{"kept substitution", `curl -H "Authorization: Bearer $(gcloud auth print-access-token)" https://x`, func(r CurlRequest) bool {
			return hasNote(r.Notes, "$(gcloud auth print-access-token) is kept as typed")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParse(t, tt.cmd)
			if !tt.check(r) {
				t.Errorf("%s:\n%+v", tt.cmd, r)
			}
		})
	}
}

// TestParseCurlTouchesNoFile imports commands that name files to read and
// write: nothing is created, and the files to read need not exist.
func TestParseCurlTouchesNoFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	for _, cmd := range []string{
		"curl -d @/nonexistent/body.json https://x",
		"curl --data-binary @" + filepath.Join(dir, "missing") + " https://x",
		"curl -o " + out + " https://x",
		"curl -K " + filepath.Join(dir, "curlrc") + " https://x",
		"curl -D " + filepath.Join(dir, "headers") + " -c " + filepath.Join(dir, "jar") + " --trace " + filepath.Join(dir, "trace") + " https://x",
		"curl -T " + filepath.Join(dir, "upload") + " https://x",
		"curl -F f=@" + filepath.Join(dir, "photo.jpg") + " https://x",
		"curl https://x > " + out,
	} {
		if _, err := ParseCurl(cmd); err != nil {
			t.Errorf("%q: %v", cmd, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) > 0 {
		t.Fatalf("the import touched the file system: %v %v", entries, err)
	}
}

// TestCurlActionFits drops what the connection provides and keeps the
// rest.
func TestCurlActionFits(t *testing.T) {
	apikey := connection.Connection{ID: 7, Name: "api", BaseURL: "https://api.example.com/v2/",
		Auth: connection.Auth{Type: connection.AuthAPIKey, KeyHeader: "X-Api-Key", Key: "k"}}
	r := mustParse(t, `curl 'https://API.example.com:443/v2/users?limit=5' -H 'x-api-key: abc' -H 'Accept: application/json' -u a:b -k`)
	a, notes := r.Action(apikey)
	if a.ConnectionID != 7 || a.URL != "/users" || !reflect.DeepEqual(a.Query, kvs("limit", "5")) {
		t.Errorf("fitted: %+v", a)
	}
	if !reflect.DeepEqual(a.Headers, kvs("Authorization", basicAuth("a", "b"), "Accept", "application/json")) {
		t.Errorf("headers %q: the API key goes, -u (not the connection's) stays as a header", a.Headers)
	}
	if !hasNote(notes, "x-api-key was left out") || !hasNote(notes, "-k was left out") {
		t.Errorf("notes %q", notes)
	}

	query := connection.Connection{Name: "q", BaseURL: "https://api.example.com?v=1",
		Auth: connection.Auth{Type: connection.AuthQuery, Query: kvs("api_key", "s")}}
	a, _ = mustParse(t, `curl 'https://api.example.com/x?v=1&api_key=zzz&q=1'`).Action(query)
	if a.URL != "/x" || !reflect.DeepEqual(a.Query, kvs("q", "1")) {
		t.Errorf("query auth and the base URL's query: %q %q", a.URL, a.Query)
	}

	other := connection.Connection{Name: "o", BaseURL: "https://api.example.com/v2"}
	a, notes = mustParse(t, `curl https://evil.example.net/v2/x`).Action(other)
	if a.URL != "https://evil.example.net/v2/x" || !hasNote(notes, "outside connection 'o'") {
		t.Errorf("another host: %q %q", a.URL, notes)
	}
	a, notes = mustParse(t, `curl https://api.example.com/v1/x`).Action(other)
	if a.URL != "https://api.example.com/v1/x" || !hasNote(notes, "not under the base URL") {
		t.Errorf("another path: %q %q", a.URL, notes)
	}

	aws := connection.Connection{Name: "aws", BaseURL: "https://x", Auth: connection.Auth{Type: connection.AuthAWSKey, AWS: &connection.AWS{}}}
	a, notes = mustParse(t, `curl --aws-sigv4 aws:amz:r:s -u id:key -H 'X-Amz-Date: 1' https://x/a`).Action(aws)
	if a.Headers != nil || !hasNote(notes, "-u were left out") {
		t.Errorf("aws: %q %q", a.Headers, notes)
	}
	w := New(apikey)
	w.Options.Debug = true
	if _, err := w.ImportCurl("curl -X POST https://api.example.com/v2/a --json '{}' --retry 2"); err != nil {
		t.Fatal(err)
	}
	if w.Method != "POST" || w.URL != "/a" || w.BodyType != BodyJSON || w.Options.Retries != 2 || !w.Options.Debug {
		t.Errorf("wizard after import: %+v", w)
	}
}

// A flag that takes a value never gives that value to the URL: curl has
// many (found in review: --doh-url's URL, --etag-save's file name were
// imported as the request's URL).
func TestParseCurlValueFlagsAreNotTheURL(t *testing.T) {
	for _, c := range []string{
		`curl --doh-url https://dns.google/dns-query https://api.example.com/v1/items`,
		`curl --etag-save etag.txt https://api.example.com/v1/items`,
		`curl --proto =https --hsts hsts.txt https://api.example.com/v1/items`,
	} {
		r, err := ParseCurl(c)
		if err != nil || r.URL != "https://api.example.com/v1/items" {
			t.Errorf("%s: URL %q, err %v", c, r.URL, err)
		}
		if len(r.Unknown) == 0 {
			t.Errorf("%s: the flag is not listed as not imported", c)
		}
	}
}
