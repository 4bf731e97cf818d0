package wizard

import (
	"os"
	"reflect"
	"testing"

	"patchbay/connection"
)

// FuzzParseCurl reads arbitrary text as a curl command. It must not
// panic, nor create a file (the fuzzer runs in an empty directory that
// must stay empty, whatever -o, -D, -c or > the text holds). A command it
// reads is fitted onto a connection and exported as curl and HTTPie; when
// the action is one the wizard accepts, exporting it (with secrets) and
// importing the export gives the same action back.
func FuzzParseCurl(f *testing.F) {
	for _, seed := range []string{
		`curl https://api.example.com/v1/x -H 'A: b' -d a=1`,
		`curl -sSL -XPOST "https://api.example.com/v1/$ID?q=1" --json '{"a": [1, "{{v}}"]}' -o out.json`,
		"curl https://api.example.com/v1/up -F 'f=@\"a;b\";type=text/plain' --form-string 'g=<x' -D h.txt -c jar",
		"curl -d @- https://api.example.com/v1/x <<EOF\nbody\nEOF",
		`curl $'https://api.example.com/v1/\x1b[31m' -u "u:$P" -G --data-urlencode 'q=a b' > saved 2>&1`,
	} {
		f.Add(seed)
	}
	conn := connection.Connection{ID: 1, Name: "fuzz", BaseURL: "https://api.example.com/v1",
		Auth: connection.Auth{Type: connection.AuthCustom, Username: "u", Password: "p",
			Headers: []connection.KV{{Key: "X-Key", Value: "k"}}, Query: []connection.KV{{Key: "token", Value: "t"}}}}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, cmd string) {
		// In the empty directory only while reading: the fuzzer writes
		// what fails into the package's testdata.
		t.Chdir(dir)
		imp, err := ImportCurl(conn, cmd)
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Fatalf("reading %q created %s", cmd, entries[0].Name())
		}
		if err != nil {
			return
		}
		a := imp.Action
		HTTPieCommand(conn, a, ExportOptions{})
		CurlCommand(conn, a, ExportOptions{})
		w := New(conn)
		w.Name = "fuzz"
		w.Method, w.URL, w.Query, w.Headers = a.Method, a.URL, a.Query, a.Headers
		w.BodyType, w.Body, w.Form, w.Parts, w.Options = a.BodyType, a.Body, a.Form, a.Parts, a.Options
		if _, errs := w.Draft(); len(errs) > 0 {
			return
		}
		ex := CurlCommand(conn, a, ExportOptions{WithSecrets: true})
		back, err := ImportCurl(conn, ex.Command)
		if err != nil {
			t.Fatalf("%q imports as %+v\nwhose export does not import: %v\n%s", cmd, a, err, ex.Command)
		}
		if !reflect.DeepEqual(back.Action, a) {
			t.Fatalf("%q imports as\n%+v\nexported:\n%s\nimports back as\n%+v", cmd, a, ex.Command, back.Action)
		}
	})
}
