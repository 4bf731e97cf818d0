package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// answeringStdin is a terminal on stdin where a person types answers.
type answeringStdin struct{ *strings.Reader }

func (answeringStdin) terminal() bool { return true }

// patchbayWithStdin runs Main with stdin.
func patchbayWithStdin(t *testing.T, db string, stdin interface{ Read([]byte) (int, error) }, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(append([]string{"--db", db}, args...), stdin, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// shareSource is a database made with the command line: a Basic
// connection with a password, a header connection whose key is an env:
// reference, and an action with a credential header.
func shareSource(t *testing.T) string {
	t.Helper()
	db := newDB(t)
	srv := newHTTPBin(t)
	must(t, db, "connection", "add", "api", "--auth", "basic", "--base-url", srv.URL,
		"--field", "username=u", "--field", "password=SEKRIT-cli-pw")
	must(t, db, "connection", "add", "keyed", "--auth", "header", "--base-url", srv.URL,
		"--field", "header.X-Api-Key=env:PB_CLI_SHARE_KEY")
	must(t, db, "action", "add", "get thing", "--connection", "api", "--method", "GET", "--url", "/get",
		"--header", "X-Api-Key: SEKRIT-cli-hdr", "--header", "Accept: application/json")
	must(t, db, "action", "add", "keyed get", "--connection", "keyed", "--method", "GET", "--url", "/anything/{{id}}")
	return db
}

func TestExportAndImportCommands(t *testing.T) {
	t.Setenv("PB_CLI_SHARE_KEY", "SEKRIT-from-env")
	src := shareSource(t)

	out := must(t, src, "export")
	if strings.Contains(out.stdout, "SEKRIT") || !strings.Contains(out.stdout, `"patchbay_export": 1`) ||
		!strings.Contains(out.stdout, "env:PB_CLI_SHARE_KEY") {
		t.Errorf("export:\n%s", out.stdout)
	}
	for _, want := range []string{"connection 'api': password", "action 'get thing': value of header X-Api-Key"} {
		if !strings.Contains(out.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, out.stderr)
		}
	}

	dir := filepath.Join(t.TempDir(), "team-api")
	r := must(t, src, "export", "--out", dir)
	if !strings.Contains(r.stdout, "Exported 2 connections and 2 actions to "+dir) {
		t.Errorf("export --out: %s", r.stdout)
	}
	for _, f := range []string{"patchbay.json", "actions/get-thing.json", "actions/keyed-get.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || bytes.Contains(b, []byte("SEKRIT")) {
			t.Errorf("%s: %v, %s", f, err, b)
		}
	}
	file := filepath.Join(t.TempDir(), "team.json")
	must(t, src, "export", "--out", file)
	if b, _ := os.ReadFile(file); string(b) != out.stdout {
		t.Error("--out FILE.json differs from standard output")
	}

	dst := newDB(t)
	r = must(t, dst, "import", dir)
	for _, want := range []string{"created   connection 'api'", "created   action 'keyed get'", "Imported: 4 created, 0 replaced, 0 renamed, 0 skipped.",
		"connection 'api': password to be filled in", "action 'get thing': value of header X-Api-Key to be filled in"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("import report does not say %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "connection 'keyed'") && strings.Contains(r.stdout, "'keyed': value") {
		t.Errorf("an env: reference is reported as missing:\n%s", r.stdout)
	}
	if again := must(t, dst, "export"); again.stdout != out.stdout {
		t.Error("export → import → export differs")
	}

	// A script without --on-conflict: exit 2, every conflict named.
	r = patchbay(t, dst, "import", file)
	wantExit(t, r, exitUsage, "4 names are already in the database", "connection 'api'", "action 'keyed get'", "--on-conflict rename")

	r = must(t, dst, "import", file, "--on-conflict", "rename")
	if !strings.Contains(r.stdout, "renamed   connection 'api' → 'api (2)'") || !strings.Contains(r.stdout, "0 created, 0 replaced, 4 renamed") {
		t.Errorf("rename:\n%s", r.stdout)
	}
	list := decode[[]map[string]any](t, must(t, dst, "list", "actions", "--json").stdout)
	if len(list) != 4 {
		t.Errorf("%d actions after rename, want 4", len(list))
	}

	r = patchbay(t, dst, "import", file, "--on-conflict", "merge")
	wantExit(t, r, exitUsage, "--on-conflict must be skip, rename or replace")
}

// TestImportAsksAtATerminal: a person answers each conflict; q stops the
// import before anything is written.
func TestImportAsksAtATerminal(t *testing.T) {
	src := shareSource(t)
	file := filepath.Join(t.TempDir(), "team.json")
	must(t, src, "export", "--out", file)
	dst := newDB(t)
	must(t, dst, "import", file)

	// Conflicts come connections first, then actions, each by name:
	// api, keyed, get thing, keyed get.
	r := patchbayWithStdin(t, dst, answeringStdin{strings.NewReader("s\nwhat\nR\nrename\nq\n")}, "import", file)
	wantExit(t, r, exitUsage, "connection 'api' is already in the database: [s]kip, [r]ename to 'api (2)', [R]eplace, or [q]uit?",
		"Answer s, r, R or q.", "import stopped: nothing was imported")
	if n := len(decode[[]map[string]any](t, must(t, dst, "list", "connections", "--json").stdout)); n != 2 {
		t.Errorf("%d connections after quitting, want 2", n)
	}

	r = patchbayWithStdin(t, dst, answeringStdin{strings.NewReader("s\nR\nrename\nskip\n")}, "import", file)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"skipped   connection 'api'", "replaced  connection 'keyed'", "renamed   action 'get thing' → 'get thing (2)'",
		"skipped   action 'keyed get'", "Imported: 0 created, 1 replaced, 1 renamed, 2 skipped."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report does not say %q:\n%s", want, r.stdout)
		}
	}
}

// TestImportRefusesABadExportWhole: a file whose last action names a
// connection that exists nowhere imports nothing, and says why.
func TestImportRefusesABadExportWhole(t *testing.T) {
	src := shareSource(t)
	out := must(t, src, "export").stdout
	bad := strings.Replace(out, `"connection": "keyed"`, `"connection": "gone"`, 1)
	if bad == out {
		t.Fatal("the export has no action on 'keyed'")
	}
	dst := newDB(t)
	r := patchbayWithStdin(t, dst, strings.NewReader(bad), "import", "-")
	wantExit(t, r, exitUsage, "nothing was imported", "action 'keyed get' uses connection 'gone', which is neither in the export nor in the database")
	if list := must(t, dst, "list", "--json").stdout; strings.Contains(list, "api") {
		t.Errorf("something was imported: %s", list)
	}

	r = patchbayWithStdin(t, dst, strings.NewReader(`{"connections": []}`), "import", "-")
	wantExit(t, r, exitUsage, `standard input is not a patchbay export: it has no "patchbay_export" field`)
	wantExit(t, patchbay(t, dst, "import", filepath.Join(t.TempDir(), "missing.json")), exitUsage, "cannot read", "no such file")

	notExport := t.TempDir()
	os.WriteFile(filepath.Join(notExport, "notes.txt"), []byte("mine"), 0o600)
	wantExit(t, patchbay(t, src, "export", "--out", notExport), exitUsage, "is not empty and has no patchbay.json")
}
