package ui

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"patchbay/connection"
	"patchbay/wizard"
)

// focusStep2 puts the focus of step 2 on the field with key.
func focusStep2(d *driver, key string) {
	d.t.Helper()
	w := d.top().(*wizardScreen)
	w.focusPane(paneRequest)
	w.step2.focusKey(key)
	if got := w.step2.focusedKey(); got != key {
		d.t.Fatalf("cannot focus %s (focus on %s)", key, got)
	}
}

// The options are behind one toggle, checked when the sample is sent,
// shown in the review and saved with the action.
func TestWizardOptions(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	d := f.drive(120, 60)
	d.keys("enter", "Retry me", "tab", "tab", "/anything", "ctrl+n")
	d.lacks("Retries")
	focusStep2(d, "options")
	d.keys("space")
	d.contains("Retries", "Timeout ms", "Max redirects", "Response type", "Debug request?")
	d.lacks("Verify TLS anyway?") // the connection verifies TLS already

	focusStep2(d, "retries")
	d.keys("two")
	d.keys("ctrl+s")
	d.contains("retries must be a whole number, 0 or more", "two")

	d.top().(*wizardScreen).step2.field("retries").input.SetValue("")
	focusStep2(d, "retries")
	d.keys("2")
	focusStep2(d, "timeout")
	d.keys("1500")
	focusStep2(d, "body_cap")
	d.keys("2048")
	focusStep2(d, "debug")
	d.keys("space")
	d.keys("ctrl+s")
	d.contains("200 OK", "Request as sent")
	d.keys("ctrl+n")
	d.contains("2 retries", "timeout 1500ms per attempt", "body cap 2.0 KB", "debug request")
	d.keys("enter")

	as, err := f.st.Actions()
	if err != nil || len(as) != 1 {
		t.Fatalf("actions: %v, %v", as, err)
	}
	o := as[0].Options
	if o.Retries != 2 || o.Timeout != 1500*time.Millisecond || !o.Debug || o.MaxRedirects != nil || o.Backoff || o.BodyCap != 2048 {
		t.Errorf("saved options %+v", o)
	}

	// Editing it reopens at step 2, with the options as they are set.
	d.keys("2", "e")
	w := d.top().(*wizardScreen)
	if w.w.Step() != wizard.StepSample {
		t.Fatalf("edit opened at step %v, want the sample step", w.w.Step())
	}
	d.contains("Retries", "Timeout ms")
	if w.step2.field("retries").value() != "2" || w.step2.field("timeout").value() != "1500" || !w.step2.field("debug").on {
		t.Errorf("edit shows retries %q, timeout %q, debug %v", w.step2.field("retries").value(), w.step2.field("timeout").value(), w.step2.field("debug").on)
	}
}

// A multipart body takes values and @files; the file goes up as it is.
func TestWizardMultipartParts(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	path := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(path, []byte("hello from a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 60)
	d.keys("enter", "Upload", "tab", "p", "tab", "/anything", "ctrl+n")
	w := d.top().(*wizardScreen)
	choose(w.step2.field("body_type"), string(wizard.BodyMultipart))
	focusStep2(d, "part")
	d.keys("title", "tab", "A note", "tab", "doc", "tab", "@"+path+";type=text/plain")
	d.keys("ctrl+s")
	d.contains("200 OK", "hello from a file", "A note")
	d.keys("ctrl+n")
	d.contains("Body (multipart)", "doc = @"+path+";type=text/plain")
	d.keys("enter")
	as, _ := f.st.Actions()
	if len(as) != 1 || len(as[0].Parts) != 2 || as[0].Parts[1].File != path || as[0].Parts[1].ContentType != "text/plain" || as[0].Parts[0].Value != "A note" {
		t.Fatalf("saved parts %+v", as)
	}
	if strings.Contains(string(as[0].Sample.Request.Body), "hello from a file") {
		t.Errorf("the sample keeps the file's bytes instead of a summary")
	}
}

// esc cancels a sample at once, even while it waits to retry: the real
// program, a server that always answers 503, and a minute between tries.
func TestEscCancelsMidRetry(t *testing.T) {
	f := newFixture(t)
	hits := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits <- struct{}{}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	c := connection.Connection{Name: "flaky", BaseURL: srv.URL}
	if err := f.st.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, f.model(), teatest.WithInitialTermSize(120, 40))
	waitAll(t, tm, "flaky")
	tm.Send(keyMsg("enter"))
	waitAll(t, tm, "1 Method & URL")
	for _, k := range []string{"Flaky", "tab", "tab", "/x", "ctrl+n"} {
		tm.Send(keyMsg(k))
	}
	waitAll(t, tm, "Nothing sent yet")
	// query name, query value, header name, header value, body type, more options
	for _, k := range []string{"tab", "tab", "tab", "tab", "tab", "space", "tab", "3", "tab", "60000", "ctrl+s"} {
		tm.Send(keyMsg(k))
	}
	select {
	case <-hits:
	case <-time.After(10 * time.Second):
		t.Fatal("the sample never reached the server")
	}
	// The first attempt got its 503; the send now waits a minute to retry.
	tm.Send(keyMsg("esc"))
	waitAll(t, tm, "Request canceled.")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	w := final.top().(*wizardScreen)
	if w.cancel != nil || w.resp.sending {
		t.Error("the wizard still thinks the sample is being sent")
	}
	if len(hits) != 0 {
		t.Errorf("%d more attempts reached the server after esc", len(hits))
	}
	if got := w.step2.field("retry_delay").value(); got != "60000" {
		t.Errorf("retry delay field = %q, want what was typed", got)
	}
}

// On a connection that ignores TLS errors the review says so, and an
// action can verify anyway; elsewhere the choice is not offered.
func TestWizardSaysWhichTLSApplies(t *testing.T) {
	f := newFixture(t)
	c := connection.Connection{Name: "lax", BaseURL: f.srv.URL, TLS: connection.TLS{Insecure: true}}
	if err := f.st.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 60)
	d.keys("enter", "Get", "tab", "tab", "/get", "ctrl+n", "ctrl+s", "ctrl+n")
	d.contains("⚠ TLS errors ignored")
	d.keys("ctrl+b")
	focusStep2(d, "options")
	d.keys("space")
	focusStep2(d, "verify_tls")
	d.keys("space", "ctrl+s", "ctrl+n")
	d.contains("TLS verified")
	d.lacks("TLS errors ignored")
}
