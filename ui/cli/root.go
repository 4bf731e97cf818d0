// Package cli is patchbay's command line: the global --db flag, dispatch to
// the subcommands (run, list, history, connection, action, demo, backup,
// compact, version, help) and
// their exit codes. main.go only calls Main.
//
// Every command writes its result to stdout and its errors, one plain line
// each, to stderr prefixed "patchbay: ". Exit codes are part of the
// interface scripts rely on (see usage).
package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"
	"github.com/mattn/go-isatty"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/ui"
)

// Exit codes.
const (
	exitOK       = 0 // success; run: a 2xx or 3xx response
	exitResponse = 1 // run: a 4xx or 5xx response; connection test: the server said no
	exitUsage    = 2 // bad usage, unknown action, connection or variable, invalid input
	exitNetwork  = 3 // network, TLS, timeout, canceled
	exitLocal    = 4 // the database could not be opened, read or written
	// exitSoftware (EX_SOFTWARE in sysexits.h): patchbay itself failed; a
	// crash log was written.
	exitSoftware = 70
)

// Version is what `patchbay version` prints; main sets it from -ldflags.
var Version = "dev"

// env is what every command gets: the streams and the global flags.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	db     string
	// noMouse (--no-mouse) leaves the mouse to the terminal in the TUI.
	noMouse bool
}

// Main runs patchbay with args (without the program name) and returns the
// exit code. A panic in a command ends it with a crash log and one short
// line on stderr (the TUI recovers its own; see ui.Run).
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintln(stderr, ui.ReportCrash(v, debug.Stack(), version()))
			code = exitSoftware
		}
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	fs := e.flagSet("patchbay")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		return e.usageError("", "%v", err)
	}
	args = fs.Args()
	if len(args) == 0 {
		return e.tui(ui.Options{})
	}
	name, rest := args[0], args[1:]
	switch name {
	case "run":
		return e.run(rest)
	case "list", "ls":
		return e.list(rest)
	case "history":
		return e.history(rest)
	case "connection", "connections", "conn":
		return e.connection(rest)
	case "action", "actions":
		return e.action(rest)
	case "demo":
		return e.demo(rest)
	case "backup":
		return e.backup(rest)
	case "export":
		return e.export(rest)
	case "import":
		return e.importCmd(rest)
	case "listen":
		return e.listen(rest)
	case "compact":
		return e.compact(rest)
	case "completion":
		return e.completion(rest)
	case "__complete":
		return e.complete(rest)
	case "version", "--version":
		return e.version()
	case "help":
		return e.help(rest)
	}
	return e.usageError("", "unknown command %q", name)
}

func version() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}

// version prints the version and how the database's secrets are kept; it
// never creates a database to find out.
func (e *env) version() int {
	fmt.Fprintf(e.stdout, "patchbay %s\n", version())
	path, err := store.Path(e.db)
	if err != nil {
		fmt.Fprintf(e.stdout, "secrets: unknown (%v)\n", err)
		return exitOK
	}
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(e.stdout, "secrets: no database yet at %s\n", path)
		return exitOK
	}
	st, err := store.Open(path)
	if err != nil {
		fmt.Fprintf(e.stdout, "secrets: unknown (%v)\n", err)
		return exitOK
	}
	defer st.Close()
	fmt.Fprintf(e.stdout, "secrets: %s (database %s)\n", st.SecretMode(), path)
	return exitOK
}

// tui opens the store and runs the TUI on it.
func (e *env) tui(opts ui.Options) int {
	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	return e.runTUI(st, opts)
}

func (e *env) runTUI(st *store.Store, opts ui.Options) int {
	opts.Version = version()
	opts.NoMouse = e.noMouse || os.Getenv("PATCHBAY_NO_MOUSE") != ""
	err := ui.Run(st, opts)
	var crash *ui.CrashError
	switch {
	case errors.Is(err, ui.ErrDemoWanted):
		// d on an empty database: the demo, then this database again.
		if code := e.demo(nil); code != exitOK {
			return code
		}
		return e.runTUI(st, opts)
	case errors.As(err, &crash):
		// Already one short line naming the crash log; no prefix.
		fmt.Fprintln(e.stderr, err)
		return exitSoftware
	case err != nil:
		return e.fail(exitLocal, "%v", err)
	}
	return exitOK
}

// open opens the database named by --db, $PATCHBAY_DB or the default. On
// failure it prints one line and returns a nil store and the exit code.
func (e *env) open() (*store.Store, int) {
	path, err := store.Path(e.db)
	if err != nil {
		return nil, e.fail(exitLocal, "cannot find a place for the database: %v", err)
	}
	st, err := store.Open(path)
	if errors.Is(err, store.ErrNeedPassphrase) {
		// Secrets sealed with a passphrase and none in the environment: a
		// person at a terminal is asked; a script gets the error.
		if p, ok := e.askPassphrase(fmt.Sprintf("Passphrase for %s: ", path)); ok && p != "" {
			os.Setenv(store.PassphraseEnv, p) // read by the store's key chain
			st, err = store.Open(path)
		}
	}
	if err != nil {
		if strings.Contains(err.Error(), path) {
			return nil, e.fail(exitLocal, "%v", err)
		}
		return nil, e.fail(exitLocal, "cannot open %s: %v", path, err)
	}
	return st, exitOK
}

// fail prints "patchbay: MSG" to stderr and returns code.
func (e *env) fail(code int, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(e.stderr, "patchbay: %s\n", connection.CleanText(msg))
	return code
}

// usageError prints the problem and where to read the usage of cmd, and
// returns exitUsage.
func (e *env) usageError(cmd, format string, args ...any) int {
	e.fail(exitUsage, format, args...)
	if cmd == "" {
		fmt.Fprintln(e.stderr, "Run 'patchbay help' for usage.")
	} else {
		fmt.Fprintf(e.stderr, "Run 'patchbay %s --help' for usage.\n", cmd)
	}
	return exitUsage
}

// flagSet makes a flag set that reports errors to the caller instead of
// printing or exiting, with --db accepted everywhere.
func (e *env) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.db, "db", e.db, "the database file")
	if name == "patchbay" || name == "demo" {
		fs.BoolVar(&e.noMouse, "no-mouse", e.noMouse, "leave the mouse to the terminal")
	}
	return fs
}

// parse parses args with flags and positional arguments in any order (the
// flag package alone stops at the first positional). "--" ends the flags.
// It returns the positional arguments; help is true for -h/--help.
func parse(fs *flag.FlagSet, args []string) (pos []string, help bool, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, true, nil
			}
			return nil, false, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), false, nil
		}
		if len(rest) == 0 {
			return pos, false, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// listFlag collects a repeated flag's values in order.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// terminalWriter is a writer that says itself whether it is a terminal;
// tests pass one to Main to stand in for a terminal.
type terminalWriter interface {
	io.Writer
	terminal() bool
}

// isTerminal reports whether w is a terminal, where untrusted text must be
// cleaned (plain output) or escaped (JSON) before it is written.
// passphraseReader is a stdin that can ask for a passphrase; tests provide
// one, since a real prompt needs a terminal.
type passphraseReader interface {
	readPassphrase(prompt string) (string, error)
}

// askPassphrase asks for a passphrase without echo when stdin is a
// terminal; it reports false otherwise.
func (e *env) askPassphrase(prompt string) (string, bool) {
	if r, ok := e.stdin.(passphraseReader); ok {
		p, err := r.readPassphrase(prompt)
		return p, err == nil
	}
	f, ok := e.stdin.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) {
		return "", false
	}
	fmt.Fprint(e.stderr, prompt)
	b, err := term.ReadPassword(f.Fd())
	fmt.Fprintln(e.stderr)
	return string(b), err == nil
}

func isTerminal(w io.Writer) bool {
	if tw, ok := w.(terminalWriter); ok {
		return tw.terminal()
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// writeJSON writes v as one line of JSON, without escaping <, > and &. On a
// terminal it also escapes the runes encoding/json leaves raw that a
// terminal acts on (see escapeForTerminal); the JSON means the same.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	out := b.Bytes()
	if isTerminal(w) {
		out = escapeForTerminal(out)
	}
	_, err := w.Write(out)
	return err
}

// escapeForTerminal rewrites, in encoded JSON, the runes a terminal would act
// on that encoding/json leaves raw — C1 controls (U+0080–U+009F, U+009B
// being a one-character CSI), bidi controls (U+202A–U+202E, U+2066–U+2069),
// U+2028 and U+2029 — as \uXXXX, and invalid UTF-8 as \ufffd, which is what
// a JSON decoder makes of it. Outside strings JSON holds only ASCII, so
// every such rune is inside a string, where the escape stands for it.
// encoding/json has already escaped the C0 controls.
func escapeForTerminal(js []byte) []byte {
	var b bytes.Buffer
	kept := 0 // js[kept:i] is safe and not yet written
	for i := 0; i < len(js); {
		if js[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(js[i:])
		if !actsOnTerminal(r) && !(r == utf8.RuneError && size == 1) {
			i += size
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(js) + 16)
		}
		b.Write(js[kept:i])
		fmt.Fprintf(&b, `\u%04x`, r)
		i += size
		kept = i
	}
	if kept == 0 {
		return js
	}
	b.Write(js[kept:])
	return b.Bytes()
}

// actsOnTerminal reports whether a terminal may treat r as a control rather
// than print it: a C1 control, a bidi override or isolate, or a line or
// paragraph separator.
func actsOnTerminal(r rune) bool {
	return r >= 0x80 && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e ||
		r >= 0x2066 && r <= 0x2069 ||
		r == 0x2028 || r == 0x2029
}

// quote writes a user-given name in messages.
func quote(s string) string { return "'" + s + "'" }
