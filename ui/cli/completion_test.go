package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// completionDB holds a connection "api" and the actions "Get current
// user" and "List users".
func completionDB(t *testing.T) string {
	t.Helper()
	db := newDB(t)
	must(t, db, "connection", "add", "api", "--auth", "none", "--base-url", "http://127.0.0.1:1")
	must(t, db, "action", "add", "Get current user", "--connection", "api", "--method", "GET", "--url", "/user")
	must(t, db, "action", "add", "List users", "--connection", "api", "--method", "GET", "--url", "/users")
	return db
}

func TestCompleteCandidates(t *testing.T) {
	db := completionDB(t)
	for _, tc := range []struct {
		words []string
		want  string // the candidates, "|" between them
	}{
		{[]string{"ru"}, "run"},
		{[]string{"c"}, "connection|compact|completion"},
		{[]string{"run", ""}, "Get current user|List users"},
		{[]string{"run", "G"}, "Get current user"},
		{[]string{"run", "'Get c"}, "Get current user"},
		{[]string{"history", "L"}, "List users"},
		{[]string{"run", "List users", "--connection", ""}, "api"},
		{[]string{"run", "List users", "--connection", "=", ""}, "api"},
		{[]string{"run", "List users", "--j"}, "--json"},
		{[]string{"run", "List users", "--var", "k=v", ""}, ""},
		{[]string{"connection", ""}, "add|test|connect|openapi|rm"},
		{[]string{"connection", "test", ""}, "api"},
		{[]string{"connection", "add", "x", "--auth", "oauth"}, "oauth2-code|oauth2-client"},
		{[]string{"action", "rm", "L"}, "List users"},
		{[]string{"action", "add", "x", "--body-type", ""}, "json|text|form|multipart"},
		{[]string{"import", "x", "--on-conflict", "re"}, "rename|replace"},
		{[]string{"list", ""}, "connections|actions"},
		{[]string{"completion", ""}, "bash|zsh|fish"},
		{[]string{"backup", ""}, ""}, // a path: the shell's file names
	} {
		r := must(t, db, append([]string{"__complete"}, tc.words...)...)
		if got := strings.ReplaceAll(strings.TrimSuffix(r.stdout, "\n"), "\n", "|"); got != tc.want {
			t.Errorf("__complete %q = %q, want %q", tc.words, got, tc.want)
		}
	}
}

// Completing reads the --db on the command line, and makes no database
// where there is none.
func TestCompleteNamesFromTheLinesDatabase(t *testing.T) {
	db := completionDB(t)
	r := patchbay(t, filepath.Join(t.TempDir(), "none.db"), "__complete", "--db", db, "action", "copy", "")
	if r.code != 0 || r.stdout != "Get current user\nList users\n" {
		t.Errorf("names from --db on the line: exit %d, %q", r.code, r.stdout)
	}
	missing := filepath.Join(t.TempDir(), "missing.db")
	if r := patchbay(t, missing, "__complete", "run", ""); r.code != 0 || r.stdout != "" {
		t.Errorf("no database: exit %d, %q", r.code, r.stdout)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("completing made a database")
	}
}

// The scripts parse in their shells (bash always; zsh and fish when
// installed).
func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := must(t, newDB(t), "completion", sh)
		if !strings.Contains(r.stdout, "__complete") {
			t.Errorf("%s script does not call __complete:\n%s", sh, r.stdout)
		}
		path, err := exec.LookPath(sh)
		if err != nil {
			if sh == "bash" {
				t.Fatal("bash is not installed")
			}
			t.Logf("%s not installed: its script is not parsed", sh)
			continue
		}
		file := filepath.Join(t.TempDir(), "patchbay."+sh)
		if err := os.WriteFile(file, []byte(r.stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(path, "-n", file).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", sh, err, out)
		}
	}
	if r := patchbay(t, newDB(t), "completion", "tcsh"); r.code != exitUsage {
		t.Errorf("completion tcsh: exit %d", r.code)
	}

}
