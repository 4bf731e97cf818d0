package cli

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"patchbay/store"
)

// promptingStdin answers a passphrase prompt as a person at a terminal would.
type promptingStdin struct {
	answer  string
	prompts []string
}

func (p *promptingStdin) Read([]byte) (int, error) { return 0, errors.New("no input") }

func (p *promptingStdin) readPassphrase(prompt string) (string, error) {
	p.prompts = append(p.prompts, prompt)
	return p.answer, nil
}

func TestPassphraseIsAskedForAtATerminal(t *testing.T) {
	db := newDB(t)
	t.Setenv(store.PassphraseEnv, "correct horse")
	must(t, db, "connection", "add", "api", "--auth", "basic", "--base-url", "https://api.example.com",
		"--field", "username=u", "--field", "password=pp-secret-1")
	os.Unsetenv(store.PassphraseEnv) // t.Setenv restores it after the test

	// A script (no terminal) gets the error, not a hang.
	wantExit(t, patchbay(t, db, "list"), exitLocal, "encrypted with a passphrase", store.PassphraseEnv)

	in := &promptingStdin{answer: "correct horse"}
	var out, errOut bytes.Buffer
	if code := Main([]string{"--db", db, "list", "--json"}, in, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if len(in.prompts) != 1 || !strings.Contains(in.prompts[0], db) {
		t.Errorf("prompts = %q, want one naming the database", in.prompts)
	}
	if !strings.Contains(out.String(), `"name":"api"`) {
		t.Errorf("list after the prompt = %s", out.String())
	}

	os.Unsetenv(store.PassphraseEnv)
	in = &promptingStdin{answer: "wrong horse"}
	errOut.Reset()
	if code := Main([]string{"--db", db, "list"}, in, &out, &errOut); code != exitLocal ||
		!strings.Contains(errOut.String(), "is not the passphrase") {
		t.Errorf("wrong passphrase: exit %d, %s", code, errOut.String())
	}
}
