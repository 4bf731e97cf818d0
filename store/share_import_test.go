package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"patchbay/connection"
	"patchbay/wizard"
)

// conflictTarget is a database that already holds what the export of the
// share fixture holds, imported from it, then made its own: the connection
// "header" has its secret filled in, the action "Echo post" was edited and
// run, and a connection "bin (2)" exists.
func conflictTarget(t *testing.T, export []byte) *Store {
	t.Helper()
	s := openAt(t, filepath.Join(t.TempDir(), "dst.db"))
	t.Cleanup(func() { s.Close() })
	importBytes(t, s, export, noConflicts(t))
	h, err := s.ConnectionByName("header")
	if err != nil {
		t.Fatal(err)
	}
	h.Auth.Headers[0].Value = "my-own-key"
	if err := s.UpdateConnection(h); err != nil {
		t.Fatal(err)
	}
	a, err := s.ActionByName("Echo post")
	if err != nil {
		t.Fatal(err)
	}
	a.URL, a.Headers[0].Value = "/edited-here", "my-own-header-key"
	if err := s.UpdateAction(&a); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRun(wizard.Run{ActionID: a.ID, ConnectionID: a.ConnectionID, Err: "offline"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateConnection(&connection.Connection{Name: "bin (2)", Auth: connection.Auth{Type: connection.AuthNone}}); err != nil {
		t.Fatal(err)
	}
	return s
}

func always(r Resolution) func(Conflict) (Resolution, error) {
	return func(Conflict) (Resolution, error) { return r, nil }
}

func TestImportConflicts(t *testing.T) {
	isolate(t, false)
	t.Setenv(shareEnv, shareEnvValue)
	src := openAt(t, filepath.Join(t.TempDir(), "src.db"))
	defer src.Close()
	fillShareFixture(t, src)
	export := exportBytes(t, src)
	x, err := DecodeExport(bytes.NewReader(export), "the export")
	if err != nil {
		t.Fatal(err)
	}
	nConns, nActs := len(x.Connections), len(x.Actions)

	t.Run("listed", func(t *testing.T) {
		s := conflictTarget(t, export)
		conflicts, err := s.ImportConflicts(x)
		if err != nil {
			t.Fatal(err)
		}
		if len(conflicts) != nConns+nActs {
			t.Fatalf("%d conflicts, want %d", len(conflicts), nConns+nActs)
		}
		if c := conflicts[1]; c.Kind != "connection" || c.Name != "aws key" || c.RenameTo != "aws key (2)" {
			t.Errorf("second conflict %+v", c)
		}
	})

	t.Run("skip", func(t *testing.T) {
		s := conflictTarget(t, export)
		before := exportBytes(t, s)
		recs, err := s.Import(x, always(Skip))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Outcome != Skip || r.ToFill != nil {
				t.Errorf("%+v, want skipped", r)
			}
		}
		if after := exportBytes(t, s); !bytes.Equal(before, after) {
			t.Errorf("skipping everything changed the database:\n%s", firstDifference(before, after))
		}
	})

	t.Run("rename", func(t *testing.T) {
		s := conflictTarget(t, export)
		recs, err := s.Import(x, always(Rename))
		if err != nil {
			t.Fatal(err)
		}
		if r := recs[slices.IndexFunc(recs, func(r ImportedRecord) bool { return r.Name == "bin" })]; r.NewName != "bin (3)" {
			t.Errorf("bin renamed %q, want bin (3): bin (2) is taken", r.NewName)
		}
		names, _ := s.ConnectionNames()
		if len(names) != 2*nConns+1 {
			t.Errorf("%d connections, want %d", len(names), 2*nConns+1)
		}
		a, err := s.ActionByName("Echo post (2)")
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Connection(a.ConnectionID)
		if err != nil || c.Name != "bin (3)" {
			t.Errorf("renamed action uses %q (%v), want the renamed connection bin (3)", c.Name, err)
		}
		if mine, _ := s.ActionByName("Echo post"); mine.URL != "/edited-here" {
			t.Errorf("the database's own action changed: %s", mine.URL)
		}
	})

	t.Run("replace", func(t *testing.T) {
		s := conflictTarget(t, export)
		was, _ := s.ActionByName("Echo post")
		wasConn, _ := s.ConnectionByName("header")
		recs, err := s.Import(x, always(Replace))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Outcome != Replace {
				t.Errorf("%+v, want replaced", r)
			}
		}
		a, err := s.ActionByName("Echo post")
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != was.ID || a.URL != "/anything/{{id}}" || !a.CreatedAt.Equal(was.CreatedAt) {
			t.Errorf("replaced action: id %d (was %d), url %s, created %v (was %v)", a.ID, was.ID, a.URL, a.CreatedAt, was.CreatedAt)
		}
		if a.Headers[0].Value != "my-own-header-key" {
			t.Errorf("the replaced action's own X-Api-Key was lost: %q", a.Headers[0].Value)
		}
		if runs, _ := s.ActionHistory(a.ID, 10); len(runs) != 1 {
			t.Errorf("the replaced action has %d runs, want its 1", len(runs))
		}
		c, _ := s.ConnectionByName("header")
		if c.ID != wasConn.ID || c.Auth.Headers[0].Value != "my-own-key" {
			t.Errorf("replaced connection: id %d (was %d), secret %q, want the one filled in kept", c.ID, wasConn.ID, c.Auth.Headers[0].Value)
		}
		sums, _ := s.ActionSummaries()
		for _, sum := range sums {
			if sum.Name == "Echo post" && sum.URL != "/anything/{{id}}" {
				t.Errorf("the summary was not updated: %s", sum.URL)
			}
		}
		names, _ := s.ConnectionNames()
		if len(names) != nConns+1 {
			t.Errorf("%d connections, want %d", len(names), nConns+1)
		}
	})

	t.Run("stopped", func(t *testing.T) {
		s := conflictTarget(t, export)
		before := exportBytes(t, s)
		stop := errors.New("stopped by the user")
		n := 0
		_, err := s.Import(x, func(Conflict) (Resolution, error) {
			if n++; n == 3 {
				return 0, stop
			}
			return Replace, nil
		})
		if !errors.Is(err, stop) {
			t.Fatalf("err %v, want the decide function's", err)
		}
		if after := exportBytes(t, s); !bytes.Equal(before, after) {
			t.Error("a stopped import changed the database")
		}
	})
}

// TestImportInvalidChangesNothing: an export with a bad record last is
// refused whole, every problem named, and the database file is not written
// at all.
func TestImportInvalidChangesNothing(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "dst.db")
	s := openAt(t, path)
	createConnection(t, s, "existing")
	s.Close()
	before := fileBytes(t, path)

	x := Export{
		Connections: []connection.Connection{
			{Name: "fine", BaseURL: "https://api.example.com", Auth: connection.Auth{Type: connection.AuthBasic, Username: "u"}},
			{Name: "no url", Auth: connection.Auth{Type: connection.AuthBasic, Username: "u"}},
		},
		Actions: []SharedAction{
			{Connection: "fine", Action: wizard.Action{Name: "ok", Method: "GET", URL: "/"}},
			{Connection: "existing", Action: wizard.Action{Name: "bad method", Method: "FETCH", URL: "/"}},
			{Connection: "nowhere", Action: wizard.Action{Name: "orphan", Method: "GET", URL: "/"}},
			{Connection: "fine", Action: wizard.Action{Name: "OK ", Method: "GET", URL: "/"}},
		},
	}
	s = openAt(t, path)
	_, err := s.Import(x, noConflicts(t))
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v, want an *ImportError", err)
	}
	for _, want := range []string{"connection 'no url': base URL is required", "action 'bad method': method \"FETCH\"",
		"action 'orphan' uses connection 'nowhere', which is neither in the export nor in the database", "action 'OK' is in the export twice"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	s.Close()
	if !bytes.Equal(before, fileBytes(t, path)) {
		t.Error("a refused import wrote to the database")
	}
}

// TestImportNeverReadsTheEnvironment: env: references arrive as references,
// and the variable's value is nowhere in the database the import wrote.
func TestImportNeverReadsTheEnvironment(t *testing.T) {
	isolate(t, false)
	t.Setenv(shareEnv, shareEnvValue)
	src := openAt(t, filepath.Join(t.TempDir(), "src.db"))
	defer src.Close()
	fillShareFixture(t, src)
	export := exportBytes(t, src)

	path := filepath.Join(t.TempDir(), "dst.db")
	dst := openAt(t, path)
	importBytes(t, dst, export, noConflicts(t))
	custom, err := dst.ConnectionByName("custom")
	if err != nil || custom.Auth.Password != "env:"+shareEnv {
		t.Errorf("custom's password %q (%v), want the reference", custom.Auth.Password, err)
	}
	a, err := dst.ActionByName("Echo post")
	if err != nil || a.Headers[3].Value != "env:"+shareEnv {
		t.Errorf("Echo post's X-Env-Token %+v (%v), want the reference", a.Headers, err)
	}
	if after := exportBytes(t, dst); bytes.Contains(after, []byte(shareEnvValue)) {
		t.Error("the imported records hold the environment's value")
	}
	dst.Close()
	if raw, _ := os.ReadFile(path); bytes.Contains(raw, []byte(shareEnvValue)) {
		t.Error("the database file holds the environment's value")
	}
}

func TestDecodeExportRefuses(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{``, "it is empty"},
		{`{"connections": []}`, `no "patchbay_export" field`},
		{`{"patchbay_export": 2}`, "newer patchbay (export format 2)"},
		{`{"patchbay_export": 1, "connections": [{"name": "x", "passwrd": "p"}]}`, `connection 1 ('x'): json: unknown field "passwrd"`},
		{`{"patchbay_export": 1, "actions": [{"name": "a", "method": "GET"}]}`, `"connection" must name`},
		{`{"patchbay_export": 1, "actions": [{"name": "a", "connection": "c", "sample": {"body": "", "body_text": "x"}}]}`, "not both"},
		{`{"patchbay_export": 1} {}`, "more than one JSON document"},
	} {
		_, err := DecodeExport(strings.NewReader(tc.doc), "f.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.doc, err, tc.want)
		}
	}
}

// TestActionFileNames: file names are readable, unique, and do not move
// when another action with a like name comes or goes.
func TestActionFileNames(t *testing.T) {
	got := ActionFileNames([]string{"Get user!", "get-user", "List  users (v2)", "???"})
	if got[1] != "get-user" || got[2] != "list-users-v2" || got[3] != "action" || !strings.HasPrefix(got[0], "get-user-") {
		t.Errorf("ActionFileNames = %q", got)
	}
	again := ActionFileNames([]string{"get-user", "Get user!"})
	if again[0] != got[1] || again[1] != got[0] {
		t.Errorf("names moved when one went away: %q vs %q", again, got)
	}
	alone := ActionFileNames([]string{"Get user!"})
	if alone[0] != "get-user" {
		t.Errorf("a name alone gets %q", alone[0])
	}
}
