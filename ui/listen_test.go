package ui

import (
	"fmt"
	"net"
	"net/http"
	"regexp"
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

// hooksConn saves a connection with no authentication whose base URL is
// httpbin's /anything, which echoes whatever it is sent.
func (f *fixture) hooksConn() connection.Connection {
	f.t.Helper()
	c := connection.Connection{Name: "hooks", BaseURL: f.srv.URL + "/anything", Auth: connection.Auth{Type: connection.AuthNone}}
	if err := f.st.CreateConnection(&c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// listenStep sends keys, then runs do with the listener's URL, then waits
// until every text of wait has been drawn.
type listenStep struct {
	keys []string
	do   func(t *testing.T, url string)
	wait []string
}

var listenURL = regexp.MustCompile(`http://127\.0\.0\.1:(\d+)`)

// runListenFlow runs the program at 120x40 through steps — the first
// opens the Listen screen, whose URL is read off the screen — and returns
// the final screen, ports normalised.
func runListenFlow(t *testing.T, f *fixture, steps []listenStep) string {
	t.Helper()
	m := f.model()
	m.env.now = func() time.Time { return time.Date(2025, 3, 14, 9, 26, 53, 0, time.Local) }
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitAll(t, tm, "hooks")
	tm.Send(keyMsg("L"))
	var port string
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		if m := listenURL.FindSubmatch(b); m != nil && strings.Contains(string(b), "Listening on") {
			port = string(m[1])
			return true
		}
		return false
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	url := "http://127.0.0.1:" + port
	for _, s := range steps {
		for _, k := range s.keys {
			tm.Send(keyMsg(k))
		}
		if s.do != nil {
			s.do(t, url)
		}
		waitAll(t, tm, s.wait...)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	for _, s := range final.stack {
		if ls, ok := s.(*listenScreen); ok {
			ls.l.Close() // ctrl+c ended the program, not the screen
		}
	}
	view := f.normalize(ansi.Strip(final.View()))
	return strings.ReplaceAll(view, "127.0.0.1:"+port, "127.0.0.1:"+strings.Repeat("8", len(port)))
}

// postOrder is a webhook as a shop would send it.
func postOrder(t *testing.T, url string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/anything/hooks/order?src=shop&try=1",
		strings.NewReader(`{"order":{"id":42,"items":["tea","cups"]},"paid":true}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shop-Event", "order.paid")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// L on a connection with no authentication listens; a webhook posted to
// the URL it shows appears, enter shows it, s opens the wizard with it at
// step 2, and the review lists the body's fields as the action's inputs.
func TestListenFlows(t *testing.T) {
	received := []listenStep{{do: postOrder, wait: []string{"/anything/hooks/order?src=shop&try=1", "1 received"}}}
	shown := append(received[:1:1], listenStep{keys: []string{"enter"}, wait: []string{`"paid": true`, "Request received"}})
	wizardOpen := append(shown[:2:2], listenStep{keys: []string{"s"}, wait: []string{"Received request loaded"}})
	reviewed := append(wizardOpen[:3:3],
		listenStep{keys: []string{"ctrl+s"}, wait: []string{"200 OK"}},
		listenStep{keys: []string{"ctrl+n"}, wait: []string{"Input fields"}},
	)
	flows := map[string][]listenStep{
		"empty":    nil,
		"received": received,
		"shown":    shown,
		"wizard":   wizardOpen,
		"review":   reviewed,
	}
	for name, steps := range flows {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.hooksConn()
			golden.RequireEqual(t, []byte(runListenFlow(t, f, steps)))
		})
	}
}

// The request as the wizard gets it: the path relative to the base URL,
// the query and headers in order without the transport's, the body typed.
func TestRequestOfCapture(t *testing.T) {
	conn := connection.Connection{Name: "api", BaseURL: "http://localhost:3000/api/"}
	headers := []connection.KV{{Key: "Host", Value: "127.0.0.1:1"}, {Key: "Accept-Encoding", Value: "gzip"},
		{Key: "Content-Length", Value: "9"}, {Key: "Content-Type", Value: "application/x-www-form-urlencoded"},
		{Key: "X-Sig", Value: "abc"}}
	r := requestOfCapture(conn, connection.Capture{Method: "post", Target: "/api/v1/items?b=2&a=x+y&a=%2F",
		Headers: headers, Body: []byte("n=1&m=%C3%A9"), Size: 9})
	if r.method != "POST" || r.url != "/v1/items" || fmt.Sprint(r.query) != "[{b 2} {a x y} {a /}]" {
		t.Errorf("request line: %s %s %v", r.method, r.url, r.query)
	}
	if fmt.Sprint(r.headers) != "[{Content-Type application/x-www-form-urlencoded} {X-Sig abc}]" {
		t.Errorf("headers: %v", r.headers)
	}
	if r.bodyType != wizard.BodyForm || fmt.Sprint(r.form) != "[{n 1} {m é}]" || len(r.notes) != 0 {
		t.Errorf("body: %s %v %v", r.bodyType, r.form, r.notes)
	}

	for _, tc := range []struct {
		name      string
		c         connection.Capture
		wantType  wizard.BodyType
		wantBody  string
		wantNotes string
	}{
		{"json without a type", connection.Capture{Body: []byte(`{"a":[1]}`), Size: 9}, wizard.BodyJSON, `{"a":[1]}`, ""},
		{"text", connection.Capture{Body: []byte("a\r\nb"), Size: 4}, wizard.BodyText, "a\nb", ""},
		{"escapes", connection.Capture{Body: []byte("hi \x1b]0;x\x07"), Size: 9}, wizard.BodyText, `hi ␛]0;x\x07`, "control characters"},
		{"binary", connection.Capture{Body: []byte{0xff, 0}, Size: 2}, wizard.BodyNone, "", "binary data"},
		{"cut", connection.Capture{Body: []byte(`{"a":`), Size: 5 << 20, Truncated: true}, wizard.BodyText, `{"a":`, "only the first 5 B of the 5.0 MiB"},
	} {
		tc.c.Method, tc.c.Target = "POST", "/x"
		r := requestOfCapture(conn, tc.c)
		if r.bodyType != tc.wantType || r.body != tc.wantBody || !strings.Contains(strings.Join(r.notes, "; "), tc.wantNotes) ||
			tc.wantNotes == "" && len(r.notes) > 0 {
			t.Errorf("%s: %s %q, notes %v", tc.name, r.bodyType, r.body, r.notes)
		}
	}
	if got := relativeTo("http://h/api", "/api"); got != "" {
		t.Errorf("the base path itself: %q", got)
	}
	if got := relativeTo("http://h/api", "/apix/y"); got != "/apix/y" {
		t.Errorf("a path beside the base path: %q", got)
	}
}

// esc stops the listener: the Cmd waiting on it returns, the port is
// closed, nothing of the screen is left running.
func TestListenScreenStopsListenerOnEsc(t *testing.T) {
	f := newFixture(t)
	conn := f.hooksConn()
	var s screen = newListenScreen(f.model().env, conn, nil)
	ls := s.(*listenScreen)
	t.Cleanup(func() { ls.l.Close() })

	var cmd tea.Cmd
	s, cmd = s.Update(s.Init()())
	if ls.url == "" {
		t.Fatalf("not listening: %s", ls.err)
	}
	// The wait runs as the runtime would run it, on its own goroutine.
	waiting := make(chan tea.Msg, 1)
	wait := func(cmd tea.Cmd) { go func() { waiting <- cmd() }() }
	wait(cmd)
	postOrder(t, ls.url)
	s, cmd = s.Update(receive(t, waiting))
	if len(ls.caps) != 1 || ls.caps[0].Method != "POST" {
		t.Fatalf("captures: %+v", ls.caps)
	}
	wait(cmd)

	_, cmd = s.Update(keyMsg("esc"))
	popped := false
	for _, c := range cmd().(tea.BatchMsg) {
		if msg := c(); msg != nil {
			_, popped = msg.(popMsg)
		}
	}
	if !popped {
		t.Error("esc did not close the screen")
	}
	if msg, ok := receive(t, waiting).(listenerStoppedMsg); !ok || msg.l != ls.l {
		t.Errorf("the wait ended with %#v, want the listener stopped", msg)
	}
	if conn, err := net.Dial("tcp", strings.TrimPrefix(ls.url, "http://")); err == nil {
		conn.Close()
		t.Error("the port still accepts connections after esc")
	}
}

func receive(t *testing.T, ch <-chan tea.Msg) tea.Msg {
	t.Helper()
	select {
	case msg := <-ch:
		return msg
	case <-time.After(10 * time.Second):
		t.Fatal("the Cmd waiting on the listener did not return within 10s")
	}
	return nil
}

// L elsewhere says what it is for; the footer offers it only where it applies.
func TestListenOnlyForNoAuth(t *testing.T) {
	f := newFixture(t)
	f.basicConn("basic", "ann", "pw")
	d := f.drive(120, 30)
	d.lacks("L listen")
	d.keys("L")
	d.contains("Listening for webhooks is for connections with no authentication; 'basic' uses Basic.")
	if _, ok := d.top().(*home); !ok {
		t.Errorf("L opened %T", d.top())
	}
}
