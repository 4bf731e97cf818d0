package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/store"
	"patchbay/wizard"
)

// openStore opens db for the test to look at, closed when fn returns (a
// command cannot open the database while the test holds it).
func openStore(t *testing.T, db string, fn func(st *store.Store)) {
	t.Helper()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}

func actionNamed(t *testing.T, st *store.Store, name string) wizard.Action {
	t.Helper()
	a, err := st.ActionByName(name)
	if err != nil {
		t.Fatalf("action %q: %v", name, err)
	}
	return a
}

func runsOf(t *testing.T, st *store.Store, id uint64) []wizard.Run {
	t.Helper()
	runs, err := st.Runs(id)
	if err != nil {
		t.Fatalf("runs of action %d: %v", id, err)
	}
	return runs
}

// sameBut reports whether a and b are equal in everything but their id,
// name and timestamps.
func sameBut(a, b wizard.Action) bool {
	for _, x := range []*wizard.Action{&a, &b} {
		x.ID, x.Name, x.CreatedAt, x.UpdatedAt = 0, "", time.Time{}, time.Time{}
	}
	return reflect.DeepEqual(a, b)
}

// jsonOf shows v in failure messages, pointers followed.
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

func actionNames(t *testing.T, st *store.Store) []string {
	t.Helper()
	entries, err := st.ActionNames()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name)
	}
	return names
}

func TestActionRenameKeepsIdAndHistory(t *testing.T) {
	db, _ := runFixture(t)
	must(t, db, "run", "echo", "--var", "id=1", "--var", "name=x")
	var before wizard.Action
	var history []wizard.Run
	openStore(t, db, func(st *store.Store) {
		before = actionNamed(t, st, "echo")
		if history = runsOf(t, st, before.ID); len(history) != 1 {
			t.Fatalf("the run was not recorded: %+v", history)
		}
	})

	if r := must(t, db, "action", "rename", "ECHO", "Echo by id"); r.stdout != "Renamed 'echo' to 'Echo by id'\n" {
		t.Errorf("rename printed %q", r.stdout)
	}
	openStore(t, db, func(st *store.Store) {
		if _, err := st.ActionByName("echo"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the old name still finds an action (%v)", err)
		}
		after := actionNamed(t, st, "echo by id")
		if after.ID != before.ID || after.Name != "Echo by id" {
			t.Errorf("renamed to id %d %q, want id %d 'Echo by id'", after.ID, after.Name, before.ID)
		}
		if !sameBut(before, after) {
			t.Errorf("rename changed more than the name:\nbefore %s\nafter  %s", jsonOf(before), jsonOf(after))
		}
		if !after.CreatedAt.Equal(before.CreatedAt) {
			t.Errorf("created at %v, was %v", after.CreatedAt, before.CreatedAt)
		}
		if runs := runsOf(t, st, after.ID); !reflect.DeepEqual(runs, history) {
			t.Errorf("history after the rename:\n%s\nwant\n%s", jsonOf(runs), jsonOf(history))
		}
		if names := actionNames(t, st); slices.Contains(names, "echo") || !slices.Contains(names, "Echo by id") {
			t.Errorf("listed names %q", names)
		}
	})

	// A change of case only is a rename of the action to itself, which the
	// store allows.
	if r := must(t, db, "action", "rename", "echo by id", "ECHO BY ID"); r.stdout != "Renamed 'Echo by id' to 'ECHO BY ID'\n" {
		t.Errorf("rename printed %q", r.stdout)
	}
	// The renamed action runs, and its runs go on the same history.
	must(t, db, "run", "ECHO BY ID", "--var", "id=2", "--var", "name=y")
	openStore(t, db, func(st *store.Store) {
		a := actionNamed(t, st, "echo by id")
		if a.ID != before.ID || a.Name != "ECHO BY ID" {
			t.Errorf("after a change of case: id %d %q", a.ID, a.Name)
		}
		if runs := runsOf(t, st, a.ID); len(runs) != 2 {
			t.Errorf("history has %d runs, want 2", len(runs))
		}
	})
}

func TestActionRenameRefuses(t *testing.T) {
	db, _ := runFixture(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown action", []string{"nope", "x"}, []string{"patchbay: no action named 'nope' — `patchbay list actions` shows them\n"}},
		{"name taken", []string{"echo", "get json"}, []string{"cannot rename 'echo' to 'get json': an action named 'get json' already exists — pick another name"}},
		{"name taken in another case", []string{"echo", "GET JSON"}, []string{"'GET JSON'", "names ignore case, and the action 'get json' has that name"}},
		{"empty name", []string{"echo", "  "}, []string{"the new name of action 'echo' is empty"}},
		{"no new name", []string{"echo"}, []string{"expected the action's NAME and its NEW name, got 1 arguments", "patchbay action rename --help"}},
		{"too many", []string{"echo", "a", "b"}, []string{"got 3 arguments"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := patchbay(t, db, append([]string{"action", "rename"}, tc.args...)...)
			wantExit(t, r, exitUsage, tc.want...)
			if r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
		})
	}
	openStore(t, db, func(st *store.Store) {
		want := []string{"binary", "echo", "get json", "missing"}
		if names := actionNames(t, st); !slices.Equal(names, want) {
			t.Errorf("after refused renames the actions are %q, want %q", names, want)
		}
	})
}

func TestActionCopyKeepsEverythingButIdAndHistory(t *testing.T) {
	db, _ := runFixture(t)
	must(t, db, "action", "add", "typed", "--connection", "bin", "--method", "POST", "--url", "/anything/{{id}}",
		"--header", "X-Api-Key: k-s3cret", "--query", "q={{q}}", "--body", `{"n": {{n}}}`,
		"--var-type", "n=number", "--var-default", "n=3", "--var-optional", "q",
		"--retries", "2", "--max-redirects", "1", "--timeout", "1500", "--full-response")
	must(t, db, "run", "typed", "--var", "id=1")
	var orig wizard.Action
	openStore(t, db, func(st *store.Store) {
		// Give it what only the wizard sets: a sample and output fields.
		a := actionNamed(t, st, "typed")
		runs := runsOf(t, st, a.ID)
		if len(runs) != 1 || runs[0].Response == nil {
			t.Fatalf("the run was not recorded: %+v", runs)
		}
		a.Sample = runs[0].Response
		a.Outputs = []wizard.Field{{Path: "url", Type: "string", Example: "x"}}
		if err := st.UpdateAction(&a); err != nil {
			t.Fatal(err)
		}
		orig = actionNamed(t, st, "typed")
	})
	if len(orig.Vars) != 2 || orig.Options.Retries != 2 || orig.Sample == nil || len(orig.Headers) == 0 {
		t.Fatalf("the fixture lacks what the copy must keep: %+v", orig)
	}
	// "Typed Copy" takes the first default name, regardless of case.
	must(t, db, "action", "add", "Typed Copy", "--connection", "bin", "--url", "/get")

	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"copy", "TYPED"}, "typed copy 2"},
		{[]string{"duplicate", "typed"}, "typed copy 3"},
		{[]string{"copy", "typed", "Typed v2"}, "Typed v2"},
		{[]string{"rm", "typed copy"}, ""},
		{[]string{"copy", "typed"}, "typed copy"}, // free again
	} {
		r := must(t, db, append([]string{"action"}, step.args...)...)
		if step.want == "" {
			continue
		}
		if r.stdout != "Copied 'typed' to '"+step.want+"'\n" {
			t.Errorf("action %q printed %q, want a copy named %q", step.args, r.stdout, step.want)
		}
	}

	openStore(t, db, func(st *store.Store) {
		ids := map[uint64]string{orig.ID: orig.Name}
		for _, name := range []string{"typed copy", "typed copy 2", "typed copy 3", "Typed v2"} {
			c := actionNamed(t, st, name)
			if c.Name != name {
				t.Errorf("copy named %q, want %q", c.Name, name)
			}
			if other, ok := ids[c.ID]; ok {
				t.Errorf("copy %q has the id %d of %q", name, c.ID, other)
			}
			ids[c.ID] = name
			if !reflect.DeepEqual(c.Vars, orig.Vars) || !reflect.DeepEqual(c.Options, orig.Options) {
				t.Errorf("copy %q: vars %s options %s, want %s %s", name, jsonOf(c.Vars), jsonOf(c.Options), jsonOf(orig.Vars), jsonOf(orig.Options))
			}
			if !sameBut(orig, c) {
				t.Errorf("copy %q differs from the original:\n%s\nwant\n%s", name, jsonOf(c), jsonOf(orig))
			}
			if runs := runsOf(t, st, c.ID); len(runs) != 0 {
				t.Errorf("copy %q came with %d runs", name, len(runs))
			}
		}
		if a := actionNamed(t, st, "typed"); !reflect.DeepEqual(a, orig) {
			t.Errorf("copying changed the original:\n%s\nwant\n%s", jsonOf(a), jsonOf(orig))
		}
		if runs := runsOf(t, st, orig.ID); len(runs) != 1 {
			t.Errorf("the original has %d runs, want 1", len(runs))
		}
	})

	// The copy is an action of its own: it runs, with the variables' types
	// and defaults, and its run goes on its own history.
	v := decode[map[string]any](t, must(t, db, "run", "typed v2", "--var", "id=9", "--json").stdout)
	if echo, _ := v["body"].(map[string]any); echo == nil || echo["json"] == nil ||
		echo["json"].(map[string]any)["n"] != 3.0 {
		t.Errorf("the copy sent %v, want n=3 (its default, as a number)", v["body"])
	}
	openStore(t, db, func(st *store.Store) {
		if runs := runsOf(t, st, actionNamed(t, st, "typed v2").ID); len(runs) != 1 {
			t.Errorf("the copy's history has %d runs, want 1", len(runs))
		}
		if runs := runsOf(t, st, orig.ID); len(runs) != 1 {
			t.Errorf("a run of the copy went on the original's history (%d runs)", len(runs))
		}
	})
}

func TestActionCopyRefuses(t *testing.T) {
	db, _ := runFixture(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown action", []string{"nope"}, []string{"patchbay: no action named 'nope' — `patchbay list actions` shows them\n"}},
		{"unknown action with a name", []string{"nope", "x"}, []string{"no action named 'nope'"}},
		{"name taken", []string{"echo", "missing"}, []string{"cannot copy 'echo' to 'missing': an action named 'missing' already exists — pick another name"}},
		{"name taken in another case", []string{"echo", "Get JSON"}, []string{"'Get JSON'", "names ignore case, and the action 'get json' has that name"}},
		{"empty name", []string{"echo", ""}, []string{"the name of the copy of action 'echo' is empty", "'echo copy'"}},
		{"no name", nil, []string{"got 0 arguments", "patchbay action copy --help"}},
		{"too many", []string{"echo", "a", "b"}, []string{"got 3 arguments"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := patchbay(t, db, append([]string{"action", "copy"}, tc.args...)...)
			wantExit(t, r, exitUsage, tc.want...)
			if r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
		})
	}
	openStore(t, db, func(st *store.Store) {
		want := []string{"binary", "echo", "get json", "missing"}
		if names := actionNames(t, st); !slices.Equal(names, want) {
			t.Errorf("after refused copies the actions are %q, want %q", names, want)
		}
	})
}

func TestActionUnknownCommandNamesRenameAndCopy(t *testing.T) {
	db := newDB(t)
	wantExit(t, patchbay(t, db, "action", "frob"), exitUsage,
		"unknown command 'action frob' — use add, rename, copy or rm")
	usage := must(t, db, "action", "--help").stdout
	for _, w := range []string{"patchbay action rename OLD NEW", "patchbay action copy NAME [NEW]"} {
		if !strings.Contains(usage, "\n  "+w) {
			t.Errorf("action --help lacks %q:\n%s", w, usage)
		}
	}
}
