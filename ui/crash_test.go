package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
)

// crashSecret is remembered as a secret the process sent with and put into
// every panic value below; it must reach neither the screen, nor the error,
// nor the crash log.
const crashSecret = "sk_live_crash_0123456789"

// boomMsg makes a bomb panic in Update.
type boomMsg struct{}

// bomb is a screen that panics with value where `at` says: "init",
// "update" (on a boomMsg) or "view". Its Init returns cmd otherwise.
type bomb struct {
	at    string
	value any
	cmd   tea.Cmd
}

func (b *bomb) Init() tea.Cmd {
	if b.at == "init" {
		panic(b.value)
	}
	return b.cmd
}

func (b *bomb) Update(msg tea.Msg) (screen, tea.Cmd) {
	if _, ok := msg.(boomMsg); ok && b.at == "update" {
		panic(b.value)
	}
	return b, nil
}

func (b *bomb) View() string {
	if b.at == "view" {
		panic(b.value)
	}
	return "bomb"
}

func (b *bomb) SetSize(int, int)    {}
func (b *bomb) Title() string       { return "Bomb" }
func (b *bomb) Keys() []key.Binding { return nil }
func (b *bomb) Capturing() bool     { return false }

func boom() tea.Msg    { return boomMsg{} }
func noop() tea.Msg    { return nil }
func explode() tea.Msg { panic(crashValue()) }

func crashValue() error {
	return fmt.Errorf("token %s rejected by the server\nsecond line of the panic", crashSecret)
}

// safeBuffer is the program's output, written by the renderer's goroutine.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runWithBomb runs the real program (the root model with b pushed on top)
// the way Run does, without a terminal, and returns what Run would return
// and what the program drew. The crash log goes to a fresh XDG_STATE_HOME.
func runWithBomb(t *testing.T, b *bomb) (error, string) {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	connection.RememberSecrets(crashSecret)
	f := newFixture(t)
	m := f.model()
	m.stack = append(m.stack, b) // the root's Init is the top screen's
	var out safeBuffer
	done := make(chan error, 1)
	go func() {
		done <- runGuarded(m, "test", tea.WithInput(nil), tea.WithOutput(&out), tea.WithoutSignalHandler())
	}()
	select {
	case err := <-done:
		return err, out.String()
	case <-time.After(10 * time.Second):
		t.Fatal("the program did not quit after the panic")
		return nil, ""
	}
}

var crashLogName = regexp.MustCompile(`^crash-\d{8}-\d{6}\.log$`)

// checkCrash checks the error Run returned, the crash log it names and the
// program's output after a panic with crashValue.
func checkCrash(t *testing.T, err error, out string) {
	t.Helper()
	var ce *CrashError
	if !errors.As(err, &ce) {
		t.Fatalf("Run returned %v (%T), want a *CrashError", err, err)
	}
	msg := err.Error()
	wantSummary := "token " + connection.Redacted + " rejected by the server"
	if want := "patchbay crashed: " + wantSummary + " — details in " + ce.Log; msg != want {
		t.Errorf("error text\n got %q\nwant %q", msg, want)
	}
	if strings.Contains(msg, crashSecret) || strings.Contains(msg, "\n") {
		t.Errorf("error text is not one redacted line: %q", msg)
	}

	dir := filepath.Join(os.Getenv("XDG_STATE_HOME"), "patchbay")
	if filepath.Dir(ce.Log) != dir || !crashLogName.MatchString(filepath.Base(ce.Log)) {
		t.Errorf("crash log at %s, want %s/crash-YYYYMMDD-HHMMSS.log", ce.Log, dir)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, ce.Log: 0o600} {
		if fi, err := os.Stat(path); err != nil {
			t.Fatal(err)
		} else if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	log, rerr := os.ReadFile(ce.Log)
	if rerr != nil {
		t.Fatal(rerr)
	}
	for _, want := range []string{
		"time:", "version:",
		"panic:   (*errors.errorString) " + wantSummary + "\nsecond line of the panic",
		"goroutine ", "ui/crash_test.go:", // the stack, down to the panicking line
	} {
		if !bytes.Contains(log, []byte(want)) {
			t.Errorf("crash log lacks %q:\n%s", want, log)
		}
	}
	if bytes.Contains(log, []byte(crashSecret)) {
		t.Errorf("crash log holds the secret:\n%s", log)
	}
	for _, bad := range []string{crashSecret, "goroutine ", "Caught panic", "second line"} {
		if strings.Contains(out, bad) {
			t.Errorf("the program printed %q:\n%s", bad, out)
		}
	}
}

// A panic in the root model's Init, Update or View, or in a command it
// returns (on its own, inside a batch or a sequence, or nested), quits the
// program through its normal shutdown and leaves a redacted crash log.
func TestPanicInTheTUIQuitsWithACrashLog(t *testing.T) {
	value := crashValue()
	cases := map[string]*bomb{
		"Init":                      {at: "init", value: value},
		"Update":                    {at: "update", value: value, cmd: boom},
		"View":                      {at: "view", value: value},
		"command":                   {cmd: explode},
		"command in a batch":        {cmd: tea.Batch(noop, explode)},
		"command in a sequence":     {cmd: tea.Sequence(noop, explode)},
		"batch inside a sequence":   {cmd: tea.Sequence(noop, tea.Batch(noop, explode))},
		"command returning a batch": {cmd: func() tea.Msg { return tea.BatchMsg{noop, explode} }},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			err, out := runWithBomb(t, b)
			checkCrash(t, err, out)
		})
	}
}

// A program that ends normally returns nil and writes no crash log.
func TestNoCrashNoLog(t *testing.T) {
	err, _ := runWithBomb(t, &bomb{cmd: tea.Sequence(noop, tea.Batch(noop, noop), tea.Quit)})
	if err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_STATE_HOME"), "patchbay")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a crash log directory exists after a normal exit (%v)", err)
	}
}

// Driven by hand: after a panic in Update the guard quits, draws nothing and
// ignores what still arrives.
func TestGuardAfterAPanic(t *testing.T) {
	f := newFixture(t)
	m := f.model()
	m.stack = append(m.stack, &bomb{at: "update", value: "boom"})
	c := newCrash()
	var g tea.Model = guard{model: m, crash: c}
	if g.View() == "" {
		t.Fatal("no view before the panic")
	}
	g, cmd := g.Update(boomMsg{})
	if cmd == nil || cmd() != tea.Quit() {
		t.Errorf("Update after a panic returned %v, want tea.Quit", cmd)
	}
	if !c.happened() || c.value != "boom" || !bytes.Contains(c.stack, []byte("(*bomb).Update")) {
		t.Errorf("crash recorded %v with stack\n%s", c.value, c.stack)
	}
	if v := g.View(); v != "" {
		t.Errorf("View after a panic = %q, want nothing", v)
	}
	if _, cmd := g.Update(tea.KeyMsg{Type: tea.KeyEnter}); cmd == nil || cmd() != tea.Quit() {
		t.Error("a message after the panic did not quit")
	}
}

func TestCrashSummaryIsShort(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	long := strings.Repeat("é", 300)
	var ce *CrashError
	if err := ReportCrash(long, nil, "1.2.3"); !errors.As(err, &ce) {
		t.Fatalf("ReportCrash = %v", err)
	}
	if n := len([]rune(ce.Summary)); n != summaryRunes || !strings.HasSuffix(ce.Summary, "…") {
		t.Errorf("summary of %d runes: %q", n, ce.Summary)
	}
	if err := ReportCrash("\n \t \n", nil, ""); !errors.As(err, &ce) || ce.Summary != "panic with string" {
		t.Errorf("summary of a blank panic value: %q", ce.Summary)
	}
	if err := ReportCrash("boom \x1b[31mred", nil, ""); !errors.As(err, &ce) || ce.Summary != "boom ␛[31mred" {
		t.Errorf("summary of a panic value with an escape: %q", ce.Summary)
	}
	log, err := os.ReadFile(ce.Log)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(log, []byte("\x1b")) {
		t.Errorf("crash log holds an escape sequence: %q", log)
	}
}
