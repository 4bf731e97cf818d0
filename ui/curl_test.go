package ui

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"patchbay/connection"
	"patchbay/wizard"
)

// pasted is a curl command as the terminal delivers a bracketed paste:
// one message, line breaks and all.
func pasted(text string) tea.KeyMsg {
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text), Paste: true}
}

// TestCurlImportFlow pastes a curl command from API docs into the URL
// field of step 1: the method, the URL relative to the connection, and in
// step 2 the query, headers and JSON body are filled; the connection's own
// credentials (-u) are left out, and what was not imported is listed
// under the field. The golden files are the two steps' screens.
func TestCurlImportFlow(t *testing.T) {
	for _, stop := range []string{"step1", "step2"} {
		t.Run(stop, func(t *testing.T) {
			f := newFixture(t)
			f.basicConn("httpbin", "ann", "pw")
			tm := teatest.NewTestModel(t, f.model(), teatest.WithInitialTermSize(120, 40))
			waitAll(t, tm, "httpbin")
			tm.Send(keyMsg("enter"))
			waitAll(t, tm, "1 Method & URL")
			for _, k := range []string{"Imported", "tab", "tab"} {
				tm.Send(keyMsg(k))
			}
			tm.Send(pasted(`$ curl -X PUT "` + f.srv.URL + `/anything/items?limit=5&q=a%20b" \
  -u ann:pw \
  -H 'Accept: application/json' \
  -H "X-Trace: $TRACE" \
  --json '{"name": "widget", "count": 2}' \
  --proxy http://proxy.internal:3128 -o saved.json`))
			waitAll(t, tm, "Imported from curl", "Not imported")
			if stop == "step2" {
				tm.Send(keyMsg("ctrl+n"))
				waitAll(t, tm, "Nothing sent yet")
			}
			tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
			golden.RequireEqual(t, []byte(f.normalize(ansi.Strip(final.View()))))
		})
	}
}

// A curl command pasted where the wizard opens, in the name field, is
// imported all the same (the name stays empty), and the focus goes to the
// URL it filled.
func TestCurlPastedIntoTheName(t *testing.T) {
	f := newFixture(t)
	f.basicConn("httpbin", "ann", "pw")
	d := f.drive(120, 40)
	d.keys("enter")
	d.send(pasted("curl -X DELETE " + f.srv.URL + "/anything/7 -H 'X-Why: test'"))
	d.contains("Imported from curl")
	w := d.top().(*wizardScreen)
	if w.w.Method != "DELETE" || w.w.URL != "/anything/7" || w.step1.field("name").value() != "" || w.step1.focusedKey() != "url" {
		t.Fatalf("pasted into the name: %s %s, name %q, focus %s", w.w.Method, w.w.URL, w.step1.field("name").value(), w.step1.focusedKey())
	}
}

// TestCurlTypedImport imports a curl command typed into the URL field when
// enter is pressed; one that cannot be read says why under the field and
// keeps what was typed.
func TestCurlTypedImport(t *testing.T) {
	f := newFixture(t)
	f.basicConn("httpbin", "ann", "pw")
	d := f.drive(120, 40)
	d.keys("enter", "tab", "tab", "curl -G "+f.srv.URL+"/get -d x=1 'unclosed", "enter")
	d.contains("The curl command was not imported", "single quote (') is not closed")
	w := d.top().(*wizardScreen)
	if got := w.step1.field("url").input.Value(); !strings.HasPrefix(got, "curl -G") {
		t.Fatalf("the URL field lost what was typed: %q", got)
	}
	for range len("'unclosed") {
		d.keys("backspace")
	}
	d.keys("enter")
	d.contains("Imported from curl")
	if w.w.Method != "GET" || w.w.URL != "/get" || len(w.w.Query) != 1 || w.w.Query[0].Value != "1" {
		t.Fatalf("typed import: %s %s %v", w.w.Method, w.w.URL, w.w.Query)
	}
	d.keys("x")
	d.lacks("Imported from curl") // the notes go once the URL is edited
}

// TestExportKey opens an action as a command with X on the Actions tab:
// curl first, tab for HTTPie, the connection's password never shown; y
// copies through OSC 52 only when turned on; esc goes back.
func TestExportKey(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("httpbin", "ann", "s3cret-pw")
	a := wizard.Action{Name: "Create", ConnectionID: c.ID, Method: "POST", URL: "/anything/{{id}}",
		Headers: []connection.KV{{Key: "Content-Type", Value: "application/json"}}, BodyType: wizard.BodyJSON, Body: `{"n": 1}`}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("2", "?") // the footer has no room for X at 120 columns: "… more" points to help
	d.contains("X", "curl")
	d.keys("?")
	d.keys("X")
	d.contains("[curl]", `-u "ann:$PATCHBAY_PASSWORD"`, "/anything/$id", "PATCHBAY_PASSWORD: the password of connection 'httpbin'")
	d.lacks("s3cret-pw")
	d.golden(t)

	ev := d.top().(*exportView)
	d.keys("y")
	d.contains("copy needs PATCHBAY_OSC52=1")
	var clip bytes.Buffer
	ev.osc52, ev.clipboard = true, &clip
	d.keys("tab", "y")
	d.contains("[HTTPie]", `http -a "ann:$PATCHBAY_PASSWORD" --follow`, "Copied the HTTPie command")
	seq := clip.String()
	decoded, _ := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(seq, "\x1b]52;c;"), "\x07"))
	if !strings.HasPrefix(string(decoded), "http -a ") || strings.Contains(string(decoded), "s3cret") {
		t.Fatalf("the clipboard got %q", decoded)
	}
	d.keys("esc")
	if _, ok := d.top().(*home); !ok {
		t.Fatalf("esc left %T on top", d.top())
	}
}

// TestExportKeyOnRun exports a run from the history with the values it
// ran with.
func TestExportKeyOnRun(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	f.sampledAction(c)
	d := f.drive(120, 40)
	d.runIDAction("41")
	d.keys("3", "enter")
	if _, ok := d.top().(*historyRun); !ok {
		t.Fatalf("enter on a history row opened %T", d.top())
	}
	d.contains("X curl")
	d.keys("X")
	d.contains("Run of 'Item'", "as a command", "/anything/41")
	d.lacks("$id")
}
