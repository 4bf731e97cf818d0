package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"patchbay/store"
	"patchbay/wizard"
)

// varsFixture is runFixture with an action "item" on httpbin's /anything
// whose id is a number, plus query parameters of each kind.
func varsFixture(t *testing.T) string {
	t.Helper()
	db, _ := runFixture(t)
	must(t, db, "action", "add", "item", "--connection", "bin", "--url", "/anything/{{id}}",
		"--query", "flag={{flag}}", "--query", "obj={{obj}}", "--query", "name={{name}}",
		"--var-type", "id=number", "--var-optional", "flag", "--var-optional", "obj", "--var-optional", "name")
	return db
}

// echoed is what httpbin's /anything said it got: the URL and the query.
func echoed(t *testing.T, stdout string) (url string, args map[string][]string) {
	t.Helper()
	v := decode[struct {
		URL  string              `json:"url"`
		Args map[string][]string `json:"args"`
	}](t, stdout)
	return v.URL, v.Args
}

func writeVarsFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vars.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCount is how many runs of the action name history holds.
func runCount(t *testing.T, db, name string) int {
	t.Helper()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.ActionByName(name)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := st.Runs(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(runs)
}

// TestRunNamesMissingVariables: every required variable without a value is
// named, and nothing is sent.
func TestRunNamesMissingVariables(t *testing.T) {
	db, _ := runFixture(t)
	r := patchbay(t, db, "run", "echo")
	wantExit(t, r, exitUsage, "variables 'id', 'name' have no value", "--var id=VALUE", "--var name=VALUE")
	r = patchbay(t, db, "run", "echo", "--var", "id=1")
	wantExit(t, r, exitUsage, "variable 'name' has no value")
	if strings.Contains(r.stderr, "'id'") {
		t.Errorf("names a variable that was given: %s", r.stderr)
	}
	// A misspelt name is reported with the ones the action takes, and the
	// variable it was meant for as missing.
	r = patchbay(t, db, "run", "echo", "--var", "id=1", "--var", "nmae=x")
	wantExit(t, r, exitUsage, "has no variable 'nmae'; it takes id, name", "variable 'name' has no value")
	if n := runCount(t, db, "echo"); n != 0 {
		t.Errorf("%d runs kept", n)
	}
}

// TestRunRefusesMistypedValues: a value not of its variable's type is exit
// 2 saying which variable and which type, before anything is sent.
func TestRunRefusesMistypedValues(t *testing.T) {
	db := varsFixture(t)
	r := patchbay(t, db, "run", "item", "--var", "id=abc")
	wantExit(t, r, exitUsage, `variable 'id' must be a number, not "abc"`)
	if r.stdout != "" || runCount(t, db, "item") != 0 {
		t.Errorf("sent anyway: stdout %q", r.stdout)
	}
	url, _ := echoed(t, must(t, db, "run", "item", "--var", "id=7").stdout)
	if !strings.HasSuffix(url, "/anything/7?flag=&obj=&name=") {
		t.Errorf("httpbin saw %s", url)
	}
}

// TestRunVarsFile: --vars-file fills the variables, strings as they are
// and other JSON values as their text; --var overrides it; - reads stdin.
func TestRunVarsFile(t *testing.T) {
	db := varsFixture(t)
	file := writeVarsFile(t, `{"id": 7, "flag": true, "obj": {"a": [1, 2]}, "name": "x y", "unused": null}`)
	url, args := echoed(t, must(t, db, "run", "item", "--vars-file", file).stdout)
	want := map[string][]string{"flag": {"true"}, "obj": {`{"a":[1,2]}`}, "name": {"x y"}}
	if !strings.Contains(url, "/anything/7?") || !reflect.DeepEqual(args, want) {
		t.Errorf("httpbin saw %s %v", url, args)
	}

	url, args = echoed(t, must(t, db, "run", "item", "--var", "id=8", "--vars-file", file, "--var", "name=z").stdout)
	if !strings.Contains(url, "/anything/8?") || args["name"][0] != "z" || args["flag"][0] != "true" {
		t.Errorf("--var does not override the file: %s %v", url, args)
	}

	var stdout, stderr bytes.Buffer
	code := Main([]string{"--db", db, "run", "item", "--vars-file", "-"}, strings.NewReader(`{"id": "9"}`), &stdout, &stderr)
	if url, _ := echoed(t, stdout.String()); code != exitOK || !strings.Contains(url, "/anything/9?") {
		t.Errorf("stdin: exit %d, %s, %s", code, url, stderr.String())
	}

	// The file's values are checked like any other.
	r := patchbay(t, db, "run", "item", "--vars-file", writeVarsFile(t, `{"id": "seven"}`))
	wantExit(t, r, exitUsage, `variable 'id' must be a number, not "seven"`)
	r = patchbay(t, db, "run", "echo", "--vars-file", writeVarsFile(t, `{}`))
	wantExit(t, r, exitUsage, "variables 'id', 'name' have no value")
}

func TestRunBadVarsFile(t *testing.T) {
	db := varsFixture(t)
	for _, tc := range []struct {
		name, content string
		want          string
	}{
		{"array", `[{"id": 7}]`, "does not hold a JSON object"},
		{"string", `"id=7"`, "does not hold a JSON object"},
		{"empty", ``, "does not hold a JSON object"},
		{"broken", `{"id": 7`, "is not valid JSON"},
		{"not JSON", `{id: 7}`, "is not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := patchbay(t, db, "run", "item", "--vars-file", writeVarsFile(t, tc.content))
			wantExit(t, r, exitUsage, "--vars-file", tc.want)
		})
	}
	r := patchbay(t, db, "run", "item", "--vars-file", filepath.Join(t.TempDir(), "nope.json"))
	wantExit(t, r, exitUsage, "--vars-file: cannot read", "nope.json")
	if n := runCount(t, db, "item"); n != 0 {
		t.Errorf("%d runs kept", n)
	}
}

// TestActionAddDescribesVariables: --var-type, --var-default and
// --var-optional are saved, listed by `list --json` and honoured by run.
func TestActionAddDescribesVariables(t *testing.T) {
	db, _ := runFixture(t)
	must(t, db, "action", "add", "page", "--connection", "bin", "--url", "/anything/{{id}}",
		"--query", "n={{n}}", "--query", "all={{all}}", "--query", "tag={{tag}}",
		"--var-type", "n=number", "--var-default", "n=5", "--var-type", "all=BOOLEAN", "--var-default", "all=false",
		"--var-optional", "tag")

	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.ActionByName("page")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	five, no := "5", "false"
	want := []wizard.Variable{
		{Name: "n", Type: wizard.VarNumber, Default: &five, Required: true},
		{Name: "all", Type: wizard.VarBoolean, Default: &no, Required: true},
		{Name: "tag", Type: wizard.VarString},
	}
	if !reflect.DeepEqual(a.Vars, want) {
		t.Errorf("saved Vars %+v", a.Vars)
	}
	rows := decode[[]actionRow](t, must(t, db, "list", "actions", "--json").stdout)
	for _, row := range rows {
		if row.Name == "page" && !reflect.DeepEqual(row.Vars, append([]wizard.Variable{{Name: "id", Type: wizard.VarString, Required: true}}, want...)) {
			t.Errorf("list --json shows %+v", row.Vars)
		}
	}

	_, args := echoed(t, must(t, db, "run", "page", "--var", "id=1").stdout)
	if got := map[string][]string{"n": {"5"}, "all": {"false"}, "tag": {""}}; !reflect.DeepEqual(args, got) {
		t.Errorf("defaults: httpbin saw %v", args)
	}
	wantExit(t, patchbay(t, db, "run", "page"), exitUsage, "variable 'id' has no value")
	wantExit(t, patchbay(t, db, "run", "page", "--var", "id=1", "--var", "all=yes", "--var", "n=x"), exitUsage,
		"variable 'all' must be true or false", "variable 'n' must be a number")
}

func TestActionAddRefusesBadVariableFlags(t *testing.T) {
	db, _ := runFixture(t)
	add := func(flags ...string) result {
		return patchbay(t, db, append([]string{"action", "add", "bad", "--connection", "bin", "--url", "/anything/{{id}}?n={{n}}"}, flags...)...)
	}
	for _, tc := range []struct {
		flags []string
		want  []string
	}{
		{[]string{"--var-type", "nope=number"}, []string{"--var-type 'nope=number'", "no variable 'nope'", "it takes id, n"}},
		{[]string{"--var-optional", "nope"}, []string{"--var-optional 'nope'", "no variable 'nope'"}},
		{[]string{"--var-default", "nope=1"}, []string{"--var-default 'nope=1'", "no variable 'nope'"}},
		{[]string{"--var-type", "n=int"}, []string{"--var-type 'n=int'", "unknown variable type 'int'", "string, number, boolean or json"}},
		{[]string{"--var-type", "n"}, []string{"--var-type 'n': expected name=TYPE"}},
		{[]string{"--var-default", "n"}, []string{"--var-default 'n': expected name=VALUE"}},
		{[]string{"--var-type", "n=number", "--var-default", "n=many"}, []string{"--var-default 'n=many'", `must be a number, not "many"`}},
		{[]string{"--var-type", "id=json", "--var-default", "id={"}, []string{"--var-default 'id={'", "must be JSON"}},
		// Every problem at once.
		{[]string{"--var-type", "x=number", "--var-type", "n=bool", "--var-default", "n=1"},
			[]string{"no variable 'x'", "variable 'n' must be true or false"}},
	} {
		r := add(tc.flags...)
		wantExit(t, r, exitUsage, tc.want...)
	}
	// Nothing was saved: the name is still free.
	must(t, db, "action", "add", "bad", "--connection", "bin", "--url", "/anything/{{id}}")
}

func TestHelpListsVariableFlags(t *testing.T) {
	db := newDB(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"run", "--help"}, []string{"--vars-file F", "--var overrides the file", "wrong type"}},
		{[]string{"help"}, []string{"[--vars-file F.json]", "[--var-type k=string|number|boolean|json]", "[--var-optional k]"}},
		{[]string{"action", "--help"}, []string{"--var-type k=TYPE", "--var-default k=V", "--var-optional k"}},
		{[]string{"list", "--help"}, []string{`"vars"`}},
	} {
		r := must(t, db, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v lacks %q:\n%s", tc.args, w, r.stdout)
			}
		}
	}
}
