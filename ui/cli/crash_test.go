package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"patchbay/connection"
)

// panicWriter panics on every write, the way a bug in a command's output
// path would.
type panicWriter struct{ value any }

func (w panicWriter) Write([]byte) (int, error) { panic(w.value) }

// A panic in a command's code ends Main with exit 70, one short line on
// stderr and a crash log with the secret redacted; the command's deferred
// cleanup (closing the database) still runs.
func TestMainRecoversACommandsPanic(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	const secret = "sk_live_cli_crash_0123456789"
	connection.RememberSecrets(secret)
	db := newDB(t)

	var stderr bytes.Buffer
	value := errors.New("cannot print the token " + secret + "\nsecond line")
	code := Main([]string{"--db", db, "list", "--json"}, strings.NewReader(""), panicWriter{value}, &stderr)

	if code != exitSoftware {
		t.Errorf("exit %d, want %d", code, exitSoftware)
	}
	logs, _ := filepath.Glob(filepath.Join(state, "patchbay", "crash-*.log"))
	if len(logs) != 1 {
		t.Fatalf("crash logs: %v, want one", logs)
	}
	want := "patchbay crashed: cannot print the token " + connection.Redacted + " — details in " + logs[0] + "\n"
	if stderr.String() != want {
		t.Errorf("stderr\n got %q\nwant %q", stderr.String(), want)
	}
	if !regexp.MustCompile(`^crash-\d{8}-\d{6}\.log$`).MatchString(filepath.Base(logs[0])) {
		t.Errorf("crash log named %s", filepath.Base(logs[0]))
	}
	if fi, err := os.Stat(logs[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("crash log: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	log, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"version: " + version(), "second line", "goroutine ", "cli.(*env).list", "crash_test.go:"} {
		if !bytes.Contains(log, []byte(w)) {
			t.Errorf("crash log lacks %q:\n%s", w, log)
		}
	}
	if bytes.Contains(log, []byte(secret)) {
		t.Errorf("crash log holds the secret:\n%s", log)
	}

	// The database was closed on the way out: another command can open it.
	must(t, db, "list")
}

func TestHelpListsTheCrashExitCode(t *testing.T) {
	r := must(t, newDB(t), "help")
	if !strings.Contains(r.stdout, "\n  70 patchbay crashed") {
		t.Errorf("help lacks exit code 70:\n%s", r.stdout)
	}
}
