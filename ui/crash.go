package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
)

// A panic must not kill the process from inside the TUI: the terminal would
// stay in raw mode and the alternate screen, and Go would print the panic
// value, which may hold a secret. Bubble Tea's own catcher restores the
// terminal but prints the value and the whole stack. So the program runs
// with tea.WithoutCatchPanics and the root model inside a guard that
// recovers every panic in Init, Update, View and the commands they return,
// records it, and quits through the normal shutdown; Run then writes a
// crash log and returns a CrashError.

// crash is the first panic recovered in one program. The guard's copies and
// the commands' goroutines share it.
type crash struct {
	once  sync.Once
	done  chan struct{} // closed when the panic is recorded
	value any
	stack []byte
}

func newCrash() *crash { return &crash{done: make(chan struct{})} }

// record keeps the first panic; later ones are fallout of the first.
func (c *crash) record(value any, stack []byte) {
	c.once.Do(func() {
		c.value, c.stack = value, stack
		close(c.done)
	})
}

// happened reports whether a panic has been recorded.
func (c *crash) happened() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// caught records a panic in progress, v being recover()'s result in a deferred
// function. It reports whether there was one.
func (c *crash) caught(v any) bool {
	if v == nil {
		return false
	}
	c.record(v, debug.Stack())
	return true
}

// crashedMsg comes back from a command that panicked.
type crashedMsg struct{}

// guard is a tea.Model that runs model with every panic recovered into
// crash. After a panic it quits and draws nothing.
type guard struct {
	model tea.Model
	crash *crash
}

func (g guard) Init() (cmd tea.Cmd) {
	defer func() {
		if g.crash.caught(recover()) {
			cmd = tea.Quit
		}
	}()
	return g.crash.guardCmd(g.model.Init())
}

func (g guard) Update(msg tea.Msg) (next tea.Model, cmd tea.Cmd) {
	if g.crash.happened() {
		return g, tea.Quit
	}
	defer func() {
		if g.crash.caught(recover()) {
			next, cmd = g, tea.Quit
		}
	}()
	g.model, cmd = g.model.Update(msg)
	return g, g.crash.guardCmd(cmd)
}

func (g guard) View() (view string) {
	if g.crash.happened() {
		return ""
	}
	defer func() {
		if g.crash.caught(recover()) {
			view = "" // the program is quit from outside; see runGuarded
		}
	}()
	return g.model.View()
}

// guardCmd wraps cmd so that a panic in it is recorded and comes back as a
// crashedMsg.
func (c *crash) guardCmd(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if c.caught(recover()) {
				msg = crashedMsg{}
			}
		}()
		return c.guardCmds(cmd())
	}
}

var cmdType = reflect.TypeFor[tea.Cmd]()

// guardCmds wraps the commands inside a tea.BatchMsg or Bubble Tea's
// unexported sequenceMsg (both []tea.Cmd underneath), which the runtime
// runs on its own goroutines without passing them through Update. Other
// messages are returned as they are.
func (c *crash) guardCmds(msg tea.Msg) tea.Msg {
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != cmdType {
		return msg
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for i := range v.Len() {
		inner, _ := v.Index(i).Interface().(tea.Cmd)
		out.Index(i).Set(reflect.ValueOf(c.guardCmd(inner)))
	}
	return out.Interface()
}

// runGuarded runs m as a program with opts, guarded as described at the top
// of this file. After a panic it returns a *CrashError.
func runGuarded(m tea.Model, version string, opts ...tea.ProgramOption) error {
	c := newCrash()
	p := tea.NewProgram(guard{model: m, crash: c}, append(opts, tea.WithoutCatchPanics())...)
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		// A panic in View has no command to return; quit from here.
		select {
		case <-c.done:
			p.Quit()
		case <-finished:
		}
	}()
	_, err := p.Run()
	if c.happened() {
		return ReportCrash(c.value, c.stack, version)
	}
	return err
}

// CrashError is a recovered panic as the user sees it: one short line,
// with the details in a crash log.
type CrashError struct {
	// Summary is the first line of the panic value, redacted and cut short.
	Summary string
	// Log is the crash log's path, or "" when none could be written.
	Log string
	// LogErr is why no crash log could be written.
	LogErr error
}

func (e *CrashError) Error() string {
	if e.Log == "" {
		return fmt.Sprintf("patchbay crashed: %s — no crash log could be written: %v", e.Summary, e.LogErr)
	}
	return fmt.Sprintf("patchbay crashed: %s — details in %s", e.Summary, e.Log)
}

// summaryRunes bounds CrashError.Summary.
const summaryRunes = 100

// ReportCrash writes a crash log for a recovered panic (its value and the
// stack taken where it was recovered) and returns the *CrashError to show.
// Every secret this process has handled (connection.RedactRemembered) is
// redacted from the log and the summary. version may be "", in which case
// the build's own version is used.
func ReportCrash(value any, stack []byte, version string) error {
	now := time.Now()
	text := fmt.Sprint(value) // fmt survives a String or Error method that panics
	e := &CrashError{Summary: summarize(text, fmt.Sprintf("%T", value))}

	var b strings.Builder
	fmt.Fprintf(&b, "patchbay crash log\n\n")
	fmt.Fprintf(&b, "time:    %s\n", now.Format(time.RFC3339))
	fmt.Fprintf(&b, "version: %s\n", buildVersion(version))
	fmt.Fprintf(&b, "go:      %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "panic:   (%T) %s\n\n", value, text)
	b.Write(stack)
	e.Log, e.LogErr = writeCrashLog(now, redact(b.String()))
	return e
}

// redact removes the process's secrets from s and anything a terminal would
// act on, since the log is meant to be read with cat.
func redact(s string) string {
	return connection.CleanText(connection.RedactRemembered(s))
}

// summarize is the first non-blank line of the panic text, redacted and cut
// to summaryRunes; the panic value's type when there is none.
func summarize(text, typ string) string {
	line := ""
	for l := range strings.SplitSeq(redact(text), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			line = l
			break
		}
	}
	if line == "" {
		return "panic with " + typ
	}
	if r := []rune(line); len(r) > summaryRunes {
		line = string(r[:summaryRunes-1]) + "…"
	}
	return line
}

// buildVersion is version, else the module version and VCS revision the
// binary was built from.
func buildVersion(version string) string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += " (modified)"
			}
		}
	}
	return strings.TrimSpace(v)
}

// writeCrashLog writes text to a new file crash-YYYYMMDD-HHMMSS.log (mode
// 0600) in the state directory (mode 0700), or, when that fails, to a new
// file in the temporary directory. It returns the file's path.
func writeCrashLog(now time.Time, text string) (string, error) {
	dir, err := crashDir()
	if err == nil {
		var path string
		if path, err = createLog(dir, "crash-"+now.Format("20060102-150405"), text); err == nil {
			return path, nil
		}
	}
	f, tmpErr := os.CreateTemp("", "patchbay-crash-*.log") // 0600
	if tmpErr != nil {
		return "", errors.Join(err, tmpErr)
	}
	_, werr := f.WriteString(text)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(f.Name())
		return "", errors.Join(err, werr)
	}
	return f.Name(), nil
}

// crashDir is $XDG_STATE_HOME/patchbay, by default ~/.local/state/patchbay,
// created 0700.
func crashDir() (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(base) { // the XDG spec: relative paths are invalid
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, ".local", "state")
	}
	dir := filepath.Join(base, "patchbay")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// MkdirAll leaves an existing directory's mode alone.
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// createLog writes text to dir/name.log, or name-2.log and so on when a
// crash in the same second already took the name. The file is never
// opened if it exists, so a planted symlink is not followed.
func createLog(dir, name, text string) (string, error) {
	for i := 1; ; i++ {
		path := filepath.Join(dir, name+".log")
		if i > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d.log", name, i))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.WriteString(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", err
		}
		return path, nil
	}
}
