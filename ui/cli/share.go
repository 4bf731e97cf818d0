package cli

// patchbay export and patchbay import: connections and actions shared
// through files (the format is store's: share_format.go).

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"

	"patchbay/connection"
	"patchbay/store"
)

const exportUsage = `Usage: patchbay export [--out PATH]

Writes every connection and action as JSON made for git and for sharing:
keys sorted, records in name order, no ids, timestamps, OAuth2 tokens or run
history, so a diff shows only what changed.

  (no --out)       one document on standard output
  --out DIR        a folder, created if missing: DIR/patchbay.json holds the
                   connections and DIR/actions/NAME.json each action; files
                   of actions no longer in the database are removed
  --out FILE.json  one document in FILE.json

Secrets are left out: passwords, API keys, client secrets, AWS secret keys,
TLS private keys, the values of credential headers, query and form fields,
and secret variables' defaults. A value written env:NAME is kept as it is.
What was left out is listed on standard error. Each action keeps its sample
response, redacted of every secret patchbay knows of.

Examples:
  patchbay export --out team-api && git -C team-api diff
  patchbay export > everything.json
`

const importUsage = `Usage: patchbay import PATH [--on-conflict skip|rename|replace]
       patchbay import curl [ARGS]

Brings the connections and actions of an export into the database. PATH is a
file or a folder written by 'patchbay export', or - for standard input.
Everything is checked first; then all of it is written at once, or nothing.

A record whose name the database already has is a conflict:
  --on-conflict skip     keep the database's record
  --on-conflict rename   import it as 'NAME (2)' (its actions follow it)
  --on-conflict replace  overwrite the database's record; it keeps its id,
                         its history, and the secrets you filled in
Without the flag you are asked about each conflict at a terminal; elsewhere
the import stops (exit 2) and lists them.

An import sends no request, reads no environment variable and opens no file
an action names. The secrets the export left out are listed to fill in.

Examples:
  patchbay import team-api
  patchbay import everything.json --on-conflict rename
  curl -s https://example.com/team-api.json | patchbay import - --on-conflict skip
`

// export writes the export to stdout, a file or a folder.
func (e *env) export(args []string) int {
	fs := e.flagSet("export")
	var out string
	fs.StringVar(&out, "out", "", "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, exportUsage)
		return exitOK
	case err != nil:
		return e.usageError("export", "%v", err)
	case len(pos) > 0:
		return e.usageError("export", "export takes no arguments, not %s — use --out PATH", strings.Join(pos, " "))
	}

	st, code := e.open()
	if st == nil {
		return code
	}
	x, err := st.Export()
	st.Close()
	if err != nil {
		return e.fail(exitLocal, "cannot export: %v", err)
	}

	switch {
	case out == "":
		b, err := store.EncodeExport(x)
		if err != nil {
			return e.fail(exitLocal, "%v", err)
		}
		if isTerminal(e.stdout) {
			b = escapeForTerminal(b) // sample bodies are the servers' text
		}
		if _, err := e.stdout.Write(b); err != nil {
			return e.fail(exitLocal, "cannot write the export: %v", err)
		}
	case strings.HasSuffix(strings.ToLower(out), ".json"):
		if err := store.WriteExportFile(out, x); err != nil {
			return e.fail(exitLocal, "%v", err)
		}
	default:
		if err := store.WriteExportDir(out, x); err != nil {
			if errors.Is(err, store.ErrNotExportFolder) {
				return e.fail(exitUsage, "%v", err)
			}
			return e.fail(exitLocal, "%v", err)
		}
	}
	if out != "" {
		fmt.Fprintf(e.stdout, "Exported %s and %s to %s\n", count(len(x.Connections), "connection"), count(len(x.Actions), "action"), connection.CleanText(out))
	}
	if len(x.LeftOut) > 0 {
		fmt.Fprintln(e.stderr, "Left out of the export (secrets; env: references are kept):")
		for _, l := range x.LeftOut {
			fmt.Fprintf(e.stderr, "  %s\n", connection.CleanText(l))
		}
	}
	return exitOK
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// errImportQuit is the user answering q to a conflict.
var errImportQuit = errors.New("import stopped: nothing was imported")

// importCmd brings a shared export, or a curl command (import curl), into
// the database.
func (e *env) importCmd(args []string) int {
	if len(args) > 0 && args[0] == "curl" {
		return e.importCurl(args[1:])
	}
	fs := e.flagSet("import")
	var onConflict string
	fs.StringVar(&onConflict, "on-conflict", "", "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, importUsage)
		return exitOK
	case err != nil:
		return e.usageError("import", "%v", err)
	case len(pos) != 1 || pos[0] == "":
		return e.usageError("import", "import takes one PATH: a file or folder from 'patchbay export', or - for standard input")
	}
	var fixed store.Resolution
	if onConflict != "" {
		var ok bool
		if fixed, ok = store.ParseResolution(onConflict); !ok {
			return e.usageError("import", "--on-conflict must be skip, rename or replace, not %s", quote(onConflict))
		}
	}

	path := pos[0]
	var x store.Export
	if path == "-" {
		x, err = store.DecodeExport(e.stdin, "standard input")
	} else {
		x, err = store.ReadExport(path)
	}
	if err != nil {
		return e.fail(exitUsage, "%v", err)
	}

	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	decide := func(store.Conflict) (store.Resolution, error) { return fixed, nil }
	if fixed == 0 {
		conflicts, err := st.ImportConflicts(x)
		if code, done := e.importFailed(err); done {
			return code
		}
		if len(conflicts) > 0 && (path == "-" || !e.stdinIsTerminal()) {
			return e.listConflicts(conflicts)
		}
		decide = e.askConflict(bufio.NewReader(e.stdin))
	}
	recs, err := st.Import(x, decide)
	if code, done := e.importFailed(err); done {
		return code
	}
	e.importReport(recs)
	return exitOK
}

// importFailed maps an import's error to its exit code; done is false when
// there is none.
func (e *env) importFailed(err error) (code int, done bool) {
	var ie *store.ImportError
	switch {
	case err == nil:
		return exitOK, false
	case errors.As(err, &ie):
		fmt.Fprintln(e.stderr, "patchbay: nothing was imported:")
		for _, p := range ie.Problems {
			fmt.Fprintf(e.stderr, "  %s\n", connection.CleanText(p))
		}
		return exitUsage, true
	case errors.Is(err, errImportQuit):
		return e.fail(exitUsage, "%v", err), true
	}
	return e.fail(exitLocal, "cannot import: %v", err), true
}

// listConflicts tells a script what it must decide.
func (e *env) listConflicts(conflicts []store.Conflict) int {
	names := "1 name is"
	if len(conflicts) > 1 {
		names = fmt.Sprintf("%d names are", len(conflicts))
	}
	fmt.Fprintf(e.stderr, "patchbay: nothing was imported: %s already in the database:\n", names)
	for _, c := range conflicts {
		fmt.Fprintf(e.stderr, "  %s %s\n", c.Kind, connection.CleanText(quote(c.Name)))
	}
	fmt.Fprintln(e.stderr, "Choose with --on-conflict skip, --on-conflict rename or --on-conflict replace.")
	return exitUsage
}

// askConflict asks, on stderr, what to do with each conflict and reads the
// answer from in: s or skip, r or rename, R or replace, q or quit.
func (e *env) askConflict(in *bufio.Reader) func(store.Conflict) (store.Resolution, error) {
	return func(c store.Conflict) (store.Resolution, error) {
		for {
			fmt.Fprintf(e.stderr, "%s %s is already in the database: [s]kip, [r]ename to %s, [R]eplace, or [q]uit? ",
				c.Kind, connection.CleanText(quote(c.Name)), connection.CleanText(quote(c.RenameTo)))
			line, err := in.ReadString('\n')
			answer := strings.TrimSpace(line)
			switch {
			case answer == "s" || strings.EqualFold(answer, "skip"):
				return store.Skip, nil
			case answer == "r" || strings.EqualFold(answer, "rename"):
				return store.Rename, nil
			case answer == "R" || strings.EqualFold(answer, "replace"):
				return store.Replace, nil
			case answer == "q" || strings.EqualFold(answer, "quit"), err != nil:
				fmt.Fprintln(e.stderr)
				return 0, errImportQuit
			}
			fmt.Fprintln(e.stderr, "Answer s, r, R or q.")
		}
	}
}

// importReport prints what became of each record and what to fill in.
func (e *env) importReport(recs []store.ImportedRecord) {
	var created, replaced, renamed, skipped int
	var fill, files []string
	for _, r := range recs {
		name := quote(r.Name)
		var line string
		switch r.Outcome {
		case store.Skip:
			skipped++
			line = "skipped   " + r.Kind + " " + name + " (the database's is kept)"
		case store.Replace:
			replaced++
			line = "replaced  " + r.Kind + " " + name
		case store.Rename:
			renamed++
			line = "renamed   " + r.Kind + " " + name + " → " + quote(r.NewName)
			name = quote(r.NewName)
		default:
			created++
			line = "created   " + r.Kind + " " + name
		}
		fmt.Fprintf(e.stdout, "  %s\n", connection.CleanText(line))
		for _, what := range r.ToFill {
			fill = append(fill, fmt.Sprintf("%s %s: %s to be filled in", r.Kind, name, what))
		}
		for _, f := range r.Files {
			files = append(files, fmt.Sprintf("%s %s uploads %s", r.Kind, name, f))
		}
	}
	fmt.Fprintf(e.stdout, "Imported: %d created, %d replaced, %d renamed, %d skipped.\n", created, replaced, renamed, skipped)
	if len(fill) > 0 {
		fmt.Fprintln(e.stdout, "Left out of the export, to fill in (in the TUI: select it and press e; a secret may be env:NAME):")
		for _, f := range fill {
			fmt.Fprintf(e.stdout, "  %s\n", connection.CleanText(f))
		}
	}
	if len(files) > 0 {
		// An export may come from anyone, and may name any file.
		fmt.Fprintln(e.stdout, "Local files these actions send when they run (check them before a run):")
		for _, f := range files {
			fmt.Fprintf(e.stdout, "  %s\n", connection.CleanText(f))
		}
	}
}

// terminalReader is a stdin that says itself whether it is a terminal;
// tests pass one to stand in for a person answering prompts.
type terminalReader interface {
	io.Reader
	terminal() bool
}

// stdinIsTerminal reports whether a person can answer prompts on stdin.
func (e *env) stdinIsTerminal() bool {
	if tr, ok := e.stdin.(terminalReader); ok {
		return tr.terminal()
	}
	f, ok := e.stdin.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
