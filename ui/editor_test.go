package ui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"patchbay/connection"
)

// editorScript writes an executable shell script that stands in for the
// user's editor: it keeps a copy of the file it was given in saw and
// replaces the file with out (or, with fail, exits 1 after writing out).
func editorScript(t *testing.T, out string, fail bool) (script, saw string) {
	t.Helper()
	dir := t.TempDir()
	saw = filepath.Join(dir, "saw")
	outFile := filepath.Join(dir, "out")
	if err := os.WriteFile(outFile, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	exit := "0"
	if fail {
		exit = "1"
	}
	script = filepath.Join(dir, "edit.sh")
	body := "#!/bin/sh\ncp \"$1\" '" + saw + "'\ncp '" + outFile + "' \"$1\"\nexit " + exit + "\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	return script, saw
}

// startStep2Body opens the wizard on the demo-like connection, at step 2
// with a JSON body typed, its body field focused.
func startStep2Body(t *testing.T, body string) *teatest.TestModel {
	t.Helper()
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	tm := teatest.NewTestModel(t, f.model(), teatest.WithInitialTermSize(120, 40))
	waitAll(t, tm, "api")
	tm.Send(keyMsg("enter"))
	waitAll(t, tm, "1 Method & URL")
	for _, k := range []string{"Edit me", "tab", "right", "tab", "/post", "ctrl+n"} {
		tm.Send(keyMsg(k))
	}
	waitAll(t, tm, "Nothing sent yet")
	// query name and value, header name and value, to the body type:
	// JSON; then the body
	for _, k := range []string{"tab", "tab", "tab", "tab", "right", "tab", body} {
		tm.Send(keyMsg(k))
	}
	waitAll(t, tm, "[JSON]")
	return tm
}

func finalWizard(t *testing.T, tm *teatest.TestModel) *wizardScreen {
	t.Helper()
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model).top().(*wizardScreen)
}

// ctrl+e in the body hands the body to $EDITOR and takes back what the
// editor wrote, in a real program (tea.ExecProcess).
func TestEditorRoundTrip(t *testing.T) {
	script, saw := editorScript(t, "{\n  \"edited\": true\n}\n", false)
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", script)
	tm := startStep2Body(t, `{"typed":1}`)
	tm.Send(keyMsg("ctrl+e"))
	waitAll(t, tm, "Edited in $EDITOR.", `"edited": true`)
	w := finalWizard(t, tm)
	if got, _ := os.ReadFile(saw); string(got) != `{"typed":1}` {
		t.Errorf("the editor was given %q, want the body typed", got)
	}
	if got := w.step2.field("body").value(); got != "{\n  \"edited\": true\n}" {
		t.Errorf("body after editing = %q", got)
	}
	if left, _ := filepath.Glob(filepath.Join(os.TempDir(), "patchbay-edit-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// An editor that fails leaves the field as it was, and says so.
func TestEditorFailureKeepsTheField(t *testing.T) {
	script, _ := editorScript(t, "lost", true)
	t.Setenv("VISUAL", script)
	tm := startStep2Body(t, `{"kept":1}`)
	tm.Send(keyMsg("ctrl+e"))
	waitAll(t, tm, "the field is as it was")
	if got := finalWizard(t, tm).step2.field("body").value(); got != `{"kept":1}` {
		t.Errorf("body after a failed edit = %q", got)
	}
}

func TestEditorCommand(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if got := editorCommand(get); !reflect.DeepEqual(got, []string{"vi"}) {
		t.Errorf("no editor set: %q", got)
	}
	env["EDITOR"] = "nano"
	env["VISUAL"] = "code -w"
	if got := editorCommand(get); !reflect.DeepEqual(got, []string{"code", "-w"}) {
		t.Errorf("VISUAL first, split into words: %q", got)
	}
}

func TestParseRows(t *testing.T) {
	got := parseRows("X-Trace: abc\r\n\nAuthorization: Bearer a=b\nq=foo:bar\nflag\nfilter[a:b]: 1\n")
	want := []connection.KV{{Key: "X-Trace", Value: "abc"}, {Key: "Authorization", Value: "Bearer a=b"}, {Key: "q", Value: "foo:bar"}, {Key: "flag"}, {Key: "filter[a:b]", Value: "1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseRows = %#v", got)
	}
}

// Rows with secret values never go to a file.
func TestEditorRefusesSecretRows(t *testing.T) {
	st, keys := NewStyles(), DefaultKeyMap()
	fl := kvField("header", "Auth headers", "name", true)
	f := newForm(&st, &keys, fl)
	msg := f.editExternally(stop{field: fl})()
	if s, ok := msg.(statusMsg); !ok || !strings.Contains(s.text, "not written to a file") {
		t.Errorf("ctrl+e on secret rows: %#v", msg)
	}
}

// Nor rows that are not marked secret but hold one under a secret name
// (the wizard's headers: Authorization, X-Api-Key), unless the value is a
// variable. Found in review: they went to the temporary file.
func TestEditorRefusesSecretNamedRows(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	st, keys := NewStyles(), DefaultKeyMap()
	fl := kvField("header", "Headers", "Header-Name", false)
	f := newForm(&st, &keys, fl)
	f.setRows(fl, []connection.KV{{Key: "Accept", Value: "*/*"}, {Key: "Authorization", Value: "Bearer sk_live_SECRET"}})
	msg := f.editExternally(stop{field: fl})()
	if s, ok := msg.(statusMsg); !ok || !strings.Contains(s.text, "Authorization") || !strings.Contains(s.text, "not written to a file") {
		t.Errorf("ctrl+e on a secret header: %#v", msg)
	}
	if left, _ := filepath.Glob(filepath.Join(os.TempDir(), "patchbay-edit-*")); len(left) > 0 {
		t.Errorf("a file was written: %v", left)
	}
	f.setRows(fl, []connection.KV{{Key: "Authorization", Value: "Bearer {{token}}"}})
	if cmd := f.editExternally(stop{field: fl}); cmd == nil {
		t.Fatal("a secret header whose value is a variable cannot be edited")
	} else if _, refused := cmd().(statusMsg); refused {
		t.Error("a secret header whose value is a variable was refused")
	}
}
