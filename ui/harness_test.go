package ui

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/mccutchen/go-httpbin/v2/httpbin"
	"github.com/muesli/termenv"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// fixture is a fresh store and a real httpbin on loopback.
type fixture struct {
	t   *testing.T
	st  *store.Store
	srv *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	// An in-memory key: screens under test never touch a keyring or key file.
	st, err := store.OpenWith(t.TempDir()+"/test.db", store.Options{Keys: store.EphemeralKeys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(httpbin.New())
	t.Cleanup(srv.Close)
	return &fixture{t: t, st: st, srv: srv}
}

// basicConn saves a Basic connection to the fixture's httpbin.
func (f *fixture) basicConn(name, user, pass string) connection.Connection {
	f.t.Helper()
	c := connection.Connection{Name: name, BaseURL: f.srv.URL,
		Auth: connection.Auth{Type: connection.AuthBasic, Username: user, Password: pass}}
	if err := f.st.CreateConnection(&c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// model builds the root model with sending pinned: every response takes
// 42ms and has no Date header, so screens are the same on every run.
func (f *fixture) model() Model {
	m := New(f.st, Options{})
	m.env.send = func(ctx context.Context, c connection.Connection, r connection.Request) (connection.Response, error) {
		resp, err := connection.Send(ctx, c, r)
		return pin(resp), err
	}
	m.env.replay = func(ctx context.Context, c connection.Connection, a wizard.Action, vars map[string]string, rec wizard.Recorder) (connection.Response, error) {
		resp, err := wizard.Replay(ctx, c, a, vars, rec)
		return pin(resp), err
	}
	return m
}

func pin(r connection.Response) connection.Response {
	r.Duration = 42 * time.Millisecond
	var hs []connection.KV
	for _, h := range r.Headers {
		if h.Key != "Date" {
			hs = append(hs, h)
		}
	}
	r.Headers = hs
	return r
}

// normalize replaces the httpbin port (random) with nines of the same length,
// so columns stay where they were.
func (f *fixture) normalize(s string) string {
	u, _ := url.Parse(f.srv.URL)
	port := u.Port()
	return strings.ReplaceAll(s, "127.0.0.1:"+port, "127.0.0.1:"+strings.Repeat("9", len(port)))
}

// driver feeds messages to a model by hand and runs the commands they return,
// synchronously, the way the Bubble Tea runtime would.
type driver struct {
	t *testing.T
	f *fixture
	m tea.Model
}

func (f *fixture) drive(w, h int) *driver {
	d := &driver{t: f.t, f: f, m: f.model()}
	d.run(d.m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

func (d *driver) send(msgs ...tea.Msg) *driver {
	d.t.Helper()
	for _, msg := range msgs {
		var cmd tea.Cmd
		d.m, cmd = d.m.Update(msg)
		d.run(cmd)
	}
	return d
}

var cmdSlice = reflect.TypeOf([]tea.Cmd{})

// run executes cmd and feeds its message back. Batches and sequences run in
// order. Spinner ticks are dropped: they only animate, and feeding them back
// would schedule timers.
func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil, spinner.TickMsg:
		return
	case tea.QuitMsg:
		d.send(msg)
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().ConvertibleTo(cmdSlice) {
		for _, c := range v.Convert(cmdSlice).Interface().([]tea.Cmd) {
			d.run(c)
		}
		return
	}
	d.send(msg)
}

// keys sends each argument as one key: named keys ("tab", "ctrl+s", "esc",
// "enter", "up", ...) or a rune string typed into the focused input.
func (d *driver) keys(ks ...string) *driver {
	d.t.Helper()
	for _, k := range ks {
		d.send(keyMsg(k))
	}
	return d
}

func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "enter": tea.KeyEnter, "esc": tea.KeyEsc,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"ctrl+s": tea.KeyCtrlS, "ctrl+n": tea.KeyCtrlN, "ctrl+b": tea.KeyCtrlB, "ctrl+c": tea.KeyCtrlC,
		"ctrl+a": tea.KeyCtrlA, "ctrl+r": tea.KeyCtrlR, "space": tea.KeySpace, "backspace": tea.KeyBackspace,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "f1": tea.KeyF1,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// view is the screen as plain text, port normalised.
func (d *driver) view() string { return d.f.normalize(ansi.Strip(d.m.View())) }

func (d *driver) root() Model { return d.m.(Model) }

func (d *driver) top() screen { return d.root().top() }

// golden compares the screen with testdata/<test name>.golden.
func (d *driver) golden(t *testing.T) {
	t.Helper()
	golden.RequireEqual(t, []byte(d.view()))
}

// contains fails unless the screen shows every text.
func (d *driver) contains(texts ...string) {
	d.t.Helper()
	v := d.view()
	for _, s := range texts {
		if !strings.Contains(v, s) {
			d.t.Fatalf("screen lacks %q:\n%s", s, v)
		}
	}
}

// lacks fails if the screen shows any of texts.
func (d *driver) lacks(texts ...string) {
	d.t.Helper()
	v := d.view()
	for _, s := range texts {
		if strings.Contains(v, s) {
			d.t.Fatalf("screen shows %q:\n%s", s, v)
		}
	}
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

func hasPrefixTrim(line, prefix string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " "), prefix)
}

// waitAll consumes the program's output until every text has appeared in
// it. teatest.WaitFor eats what it reads, so texts drawn in one frame must
// be waited for together.
func waitAll(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}
