package ui

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
)

// testPane is a focused response pane of the given size.
func testPane(w, h int) *responsePane {
	e := &env{styles: NewStyles(), keys: DefaultKeyMap(), now: time.Now}
	p := newResponsePane(e, "")
	p.SetSize(w, h)
	p.focused = true
	return p
}

// renderPane shows resp in a response pane of the given kind, and returns
// each of its tabs as the screen shows it, one after the other.
func renderPane(t *testing.T, resp connection.Response, kind bodyKind, debug bool) string {
	t.Helper()
	p := testPane(100, 60)
	p.kind, p.debug = kind, debug
	p.set(&resp, nil)
	var b strings.Builder
	for range numTabs {
		b.WriteString(ansi.Strip(p.View()) + "\n")
		p.Update(keyMsg("]"))
	}
	return b.String()
}

// Retries, redirects and a compressed body are shown with the response.
func TestResponsePaneShowsAttemptsRedirectsAndSizes(t *testing.T) {
	resp := connection.Response{
		Status: 200, StatusText: "200 OK", Duration: 1500 * time.Millisecond,
		Body: []byte(`{"ok":true}`), Size: 11, Encoding: "gzip", WireSize: 31,
		Attempts: []connection.Attempt{
			{N: 1, Of: 4, Status: 503},
			{N: 2, Of: 4, Why: "503 Service Unavailable", Waited: 400 * time.Millisecond, Status: 503},
			{N: 3, Of: 4, Why: "503 Service Unavailable", Waited: 800 * time.Millisecond, Status: 200},
		},
		Redirects: []connection.Hop{{Status: 302, URL: "http://127.0.0.1/relative-redirect/1"}, {Status: 302, URL: "http://127.0.0.1/get"}},
		Note:      "not retried: waiting 1y (Retry-After) is longer than 2m",
	}
	v := renderPane(t, resp, bodyJSON, false)
	for _, want := range []string{
		"Note: not retried: waiting 1y (Retry-After) is longer than 2m",
		"11 B (gzip, 31 B on the wire)",
		"Attempts (3)",
		"1 of 4 → 503",
		"2 of 4 after 503 Service Unavailable, waited 400ms → 503",
		"3 of 4 after 503 Service Unavailable, waited 800ms → 200",
		"Redirects (2)",
		"302 → http://127.0.0.1/relative-redirect/1",
		`"ok": true`,
	} {
		if !strings.Contains(v, want) {
			t.Errorf("pane lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "Request as sent") {
		t.Errorf("the request as sent is shown without debug:\n%s", v)
	}
}

// The response type decides how the body is shown; debug adds the request
// exactly as sent, in its order, at the top of the Headers tab, where the
// pane then opens.
func TestResponsePaneKindsAndDebug(t *testing.T) {
	resp := connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(`{"a":1}`), Size: 7,
		Headers: []connection.KV{{Key: "X-Seen", Value: "yes"}},
		Request: connection.SentRequest{Method: "POST", URL: "http://127.0.0.1/anything",
			Headers: []connection.KV{{Key: "Host", Value: "127.0.0.1"}, {Key: "User-Agent", Value: "patchbay"}, {Key: "x-Lower", Value: "1"}},
			Body:    []byte("a=1")}}
	if v := renderPane(t, resp, bodyText, false); !strings.Contains(v, `{"a":1}`) || strings.Contains(v, `"a": 1`) {
		t.Errorf("text kind pretty-printed the body:\n%s", v)
	}
	if v := renderPane(t, resp, bodyBinary, false); !strings.Contains(v, "binary body (7 B)") || !strings.Contains(v, "[Hex]") ||
		!strings.Contains(v, "7b 22 61 22 3a 31 7d") {
		t.Errorf("binary kind is not a hex view:\n%s", v)
	}
	p := testPane(100, 60)
	p.debug = true
	p.set(&resp, nil)
	if p.tab != tabHeaders {
		t.Errorf("with debug the pane opens on %v, want the Headers tab", p.tab)
	}
	v := ansi.Strip(p.View())
	i, j, k := strings.Index(v, "Host: 127.0.0.1"), strings.Index(v, "User-Agent: patchbay"), strings.Index(v, "x-Lower: 1")
	if !strings.Contains(v, "Request as sent") || !strings.Contains(v, "POST http://127.0.0.1/anything") || !strings.Contains(v, "a=1") ||
		i < 0 || !(i < j && j < k) {
		t.Errorf("debug view is not the request in wire order:\n%s", v)
	}
	if strings.Index(v, "X-Seen: yes") < strings.Index(v, "a=1") {
		t.Errorf("the request as sent does not come before the response's headers:\n%s", v)
	}
	p.Update(keyMsg("["))
	if v := ansi.Strip(p.View()); strings.Contains(v, "Request as sent") || !strings.Contains(v, `"a": 1`) {
		t.Errorf("the Body tab shows the request, or not the body:\n%s", v)
	}
}

// While a retry is under way the title says which attempt it is.
func TestResponsePaneShowsAttemptInProgress(t *testing.T) {
	e := &env{styles: NewStyles(), keys: DefaultKeyMap(), now: time.Now}
	p := newResponsePane(e, "")
	p.SetSize(100, 20)
	p.start()
	p.progress(connection.Attempt{N: 2, Of: 4, Why: "503 Service Unavailable"})
	if v := ansi.Strip(p.View()); !strings.Contains(v, "attempt 2 of 4 after 503 Service Unavailable") {
		t.Errorf("title does not show the attempt:\n%s", v)
	}
}

// An error longer than the pane is cut to fit it.
func TestResponsePaneLongErrorFits(t *testing.T) {
	p := testPane(40, 10)
	p.set(nil, errors.New(strings.Repeat("the server is unhappy ", 40)))
	checkFits(t, p)
	if v := viewText(p); !strings.Contains(v, "✗ the server is unhappy") {
		t.Errorf("the error is not shown:\n%s", v)
	}
}

// A response arriving while the search prompt is open keeps the prompt and
// what was typed (the next letters stay text), and the save prompt writes
// the response it was opened on.
func TestPromptsSurviveANewResponse(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	p := newResponsePane(d.root().env, "")
	p.SetSize(60, 30)
	p.focused = true
	p.set(&connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(`{"a":1}`)}, nil)
	p.Update(keyMsg("/"))
	p.Update(keyMsg("er"))
	p.set(&connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(`{"b":2}`)}, nil)
	if p.prompt == nil || p.prompt.input.Value() != "er" {
		t.Fatalf("the search prompt did not survive the new response: %+v", p.prompt)
	}
	if !p.wantsKey(keyMsg("r")) {
		t.Error("with the prompt open, r is not text")
	}
	p.Update(keyMsg("esc"))
	p.Update(keyMsg("esc"))

	dir := t.TempDir()
	p.set(&connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(`{"first":1}`)}, nil)
	p.Update(keyMsg("s"))
	p.save.input.SetValue(dir + "/first.json")
	p.set(&connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(`{"second":2}`)}, nil)
	msg := p.Update(keyMsg("enter"))()
	p.Update(msg)
	got, err := os.ReadFile(dir + "/first.json")
	if err != nil || string(got) != `{"first":1}` {
		t.Fatalf("wrote %q, %v; want the response the prompt was opened on", got, err)
	}
	if info, err := os.Stat(dir + "/first.json"); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", info.Mode().Perm())
	}
}

// s writes the body as the pane shows it: what the server echoed of the
// connection's secret is masked unless revealed.
func TestSaveMasksEchoedSecrets(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	conn := connection.Connection{Name: "k", Auth: connection.Auth{Type: connection.AuthHeader,
		Headers: []connection.KV{{Key: "X-Api-Key", Value: "k-echo-12345"}}}}
	p := newResponsePane(d.root().env, "")
	p.conn = &conn
	p.SetSize(60, 30)
	p.focused = true
	p.set(&connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(`{"key":"k-echo-12345"}`)}, nil)
	dir := t.TempDir()
	p.Update(keyMsg("s"))
	p.save.input.SetValue(dir + "/b.json")
	p.Update(p.Update(keyMsg("enter"))())
	if got, _ := os.ReadFile(dir + "/b.json"); bytes.Contains(got, []byte("k-echo-12345")) || len(got) == 0 {
		t.Fatalf("wrote %q: the echoed secret is not masked", got)
	}
}
