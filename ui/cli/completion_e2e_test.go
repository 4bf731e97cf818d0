package cli_test

import (
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// bash completes for real: the script sourced, its function called as
// bash calls it, with the binary reading names from the --db on the line;
// a name with spaces comes back quoted.
func TestBashCompletesNames(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := dir + "/patchbay.db"
	for _, args := range [][]string{
		{"connection", "add", "api", "--auth", "none", "--base-url", "http://127.0.0.1:1"},
		{"action", "add", "Get current user", "--connection", "api", "--method", "GET", "--url", "/user"},
	} {
		if out, err := exec.Command(bin, append([]string{"--db", db}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	script, err := exec.Command(bin, "completion", "bash").Output()
	if err != nil {
		t.Fatal(err)
	}
	test := string(script) + `
COMP_WORDS=("$PB" --db "$DB" run Get); COMP_CWORD=4; _patchbay; printf '%s\n' "${COMPREPLY[@]}"
COMP_WORDS=("$PB" --db "$DB" conn); COMP_CWORD=3; _patchbay; printf '%s\n' "${COMPREPLY[@]}"
`
	cmd := exec.Command("bash", "-c", test)
	cmd.Env = append(os.Environ(), "PB="+bin, "DB="+db)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if got, want := strings.Split(strings.TrimSpace(string(out)), "\n"), []string{`Get\ current\ user`, "connection"}; !reflect.DeepEqual(got, want) {
		t.Errorf("bash completed %q, want %q", got, want)
	}
}
