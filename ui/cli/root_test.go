package cli

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/store"
)

func TestHelpListsCommandsAndExitCodes(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := must(t, newDB(t), args...)
		for _, want := range []string{
			"demo", "run NAME", "--var", "--connection", "--full", "--json", "list [connections|actions]",
			"connection add", "connection test", "connection connect", "connection rm",
			"action add", "--body-type", "action rm", "version", "--db PATH",
			"0  success", "1  run: a 4xx", "2  bad usage", "3  a network", "4  the database could not be opened",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: usage lacks %q", args, want)
			}
		}
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	r := patchbay(t, newDB(t), "frobnicate")
	wantExit(t, r, exitUsage, "unknown command", "patchbay help")
	wantExit(t, patchbay(t, newDB(t), "--nope"), exitUsage, "-nope")
}

func TestVersion(t *testing.T) {
	db := filepath.Join(t.TempDir(), "fresh.db")
	r := must(t, db, "version")
	if !strings.HasPrefix(r.stdout, "patchbay ") || !strings.Contains(r.stdout, "secrets: no database yet at "+db) {
		t.Errorf("version printed %q", r.stdout)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("version created the database")
	}
	must(t, db, "connection", "add", "api", "--auth", "basic", "--base-url", "https://api.example.com",
		"--field", "username=u", "--field", "password=p4ssw0rd")
	r = must(t, db, "version")
	// TestMain has no OS keyring, so the key falls back to a key file.
	if !strings.Contains(r.stdout, "secrets: key file ") || !strings.Contains(r.stdout, db) {
		t.Errorf("version after a secret was saved printed %q", r.stdout)
	}
}

func TestSubcommandHelp(t *testing.T) {
	db := newDB(t)
	for _, args := range [][]string{
		{"run", "--help"}, {"list", "-h"}, {"connection", "add", "--help"}, {"connection", "test", "-h"},
		{"connection", "rm", "-h"}, {"action", "add", "--help"}, {"demo", "--help"}, {"help", "run"},
	} {
		r := must(t, db, args...)
		if !strings.HasPrefix(r.stdout, "Usage") {
			t.Errorf("%v printed %q", args, r.stdout)
		}
	}
	r := must(t, db, "connection", "add", "--help")
	for _, want := range []string{"basic          username, password", "apikey         key, key_header, scheme", "oauth2-code    authorize_url, token_url", "oauth2-client  token_url, client_id, client_secret", "token_header.NAME", "authorize_param.NAME", "header.NAME", "query.NAME", "timeout", "case_sensitive_headers", "test_path"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("connection add --help lacks %q", want)
		}
	}
}

func TestLockedDatabaseExits4Quickly(t *testing.T) {
	db := newDB(t)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	r := patchbay(t, db, "list")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to give up on a locked database", d)
	}
	wantExit(t, r, exitLocal, "another patchbay")
	if n := strings.Count(r.stderr, "\n"); n != 1 {
		t.Errorf("want one line on stderr, got %d: %q", n, r.stderr)
	}
}

func TestParseInterleavesFlagsAndArguments(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		pos      []string
		vars     []string
		asJSON   bool
		wantHelp bool
	}{
		{args: []string{"a"}, pos: []string{"a"}},
		{args: []string{"--json", "a", "--var", "x=1"}, pos: []string{"a"}, vars: []string{"x=1"}, asJSON: true},
		{args: []string{"a", "--var=x=1", "b", "--var", "y=2", "--json"}, pos: []string{"a", "b"}, vars: []string{"x=1", "y=2"}, asJSON: true},
		{args: []string{"a", "--", "--json"}, pos: []string{"a", "--json"}},
		{args: []string{"a", "-h"}, wantHelp: true},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var vars listFlag
		var asJSON bool
		fs.Var(&vars, "var", "")
		fs.BoolVar(&asJSON, "json", false, "")
		pos, help, err := parse(fs, tc.args)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if help != tc.wantHelp || !slices.Equal(pos, tc.pos) || !slices.Equal(vars, tc.vars) || asJSON != tc.asJSON {
			t.Errorf("%v: got pos %q vars %q json %v help %v", tc.args, pos, vars, asJSON, help)
		}
	}
}
