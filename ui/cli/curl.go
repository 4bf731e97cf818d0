package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

const importCurlUsage = `Usage: patchbay import curl --connection C --name N [--dry-run] < command.sh

Reads a curl command on standard input — as pasted from API docs: quotes,
backslash line breaks, a leading '$ ' or sudo — and saves it as the action N
on connection C. What C provides is left out: the base URL (the action's URL
is relative to it), C's own auth header, query parameter or -u credentials.
Shell variables ($TOKEN) become the action's variables ({{TOKEN}}).

Flags curl has that patchbay cannot carry are listed on stderr, with notes on
what is left to do (a body that curl would read from a file: the import never
opens or writes a file, nor runs anything).

Flags:
  --connection C   the connection the action goes through (required)
  --name N         the action's name (required)
  --dry-run        print what would be saved, as JSON, and save nothing

Exit codes: 0 saved (or printed) · 2 bad usage, an unknown connection, a
command that is not curl, or a request the wizard refuses (each problem is
named) · 4 the database could not be opened or written.
`

const actionExportUsage = `Usage: patchbay action export NAME [--as curl|httpie] [--run N] [--with-secrets]
           [--var k=v]...

Prints the action NAME as a command that sends the same request: the full URL,
the connection's credentials, headers, body and the options the tool has.
Secrets — the connection's, the action's secret-named values and secret
variables — are $ENV placeholders ($PATCHBAY_PASSWORD ...) the shell fills,
unless --with-secrets; the variables they need are listed on stderr. A
variable with no value given is $name (or {{name}}).

Flags:
  --as curl|httpie  the tool (default curl)
  --run N           the Nth newest run from the history (1 = the last), with
                    the values it ran with (its secret values were not kept)
  --with-secrets    write secrets as they are
  --var k=v         a value for the variable {{k}}; repeat for each

Exit codes: 0 printed · 2 bad usage, an unknown action, variable or run · 4 the
database could not be opened.
`

// importCurl turns a curl command read from stdin into an action.
func (e *env) importCurl(args []string) int {
	fs := e.flagSet("import curl")
	var connName, name string
	var dryRun bool
	fs.StringVar(&connName, "connection", "", "")
	fs.StringVar(&name, "name", "", "")
	fs.BoolVar(&dryRun, "dry-run", false, "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, importCurlUsage)
		return exitOK
	case err != nil:
		return e.usageError("import curl", "%v", err)
	case len(pos) > 0:
		return e.usageError("import curl", "the command is read from standard input, not from arguments (got %s)", quote(pos[0]))
	case connName == "":
		return e.usageError("import curl", "--connection is required — `patchbay list connections` shows them")
	case strings.TrimSpace(name) == "":
		return e.usageError("import curl", "--name is required: the name of the action to save")
	}
	if f, ok := e.stdin.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		fmt.Fprintln(e.stderr, "Paste the curl command, then press ctrl+d on a line of its own.")
	}
	text, err := io.ReadAll(io.LimitReader(e.stdin, maxCurlInput+1))
	switch {
	case err != nil:
		return e.fail(exitUsage, "cannot read the curl command from standard input: %v", err)
	case len(text) > maxCurlInput:
		return e.fail(exitUsage, "the curl command on standard input is over %d MiB", maxCurlInput>>20)
	case strings.TrimSpace(string(text)) == "":
		return e.usageError("import curl", "paste a curl command on standard input, e.g. patchbay import curl ... < command.sh")
	}

	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	conn, code := e.connectionByName(st, connName)
	if code != exitOK {
		return code
	}
	w := wizard.New(conn)
	w.Name = strings.TrimSpace(name)
	w.NameTaken = func(n string) bool {
		_, err := st.ActionByName(n)
		return err == nil
	}
	imp, err := w.ImportCurl(string(text))
	if err != nil {
		return e.fail(exitUsage, "cannot import: %v", err)
	}
	if len(imp.Unknown) > 0 {
		e.fail(exitOK, "not imported (patchbay has no use for them here): %s", strings.Join(imp.Unknown, ", "))
	}
	for _, n := range imp.Notes {
		e.fail(exitOK, "note: %s", n)
	}
	e.recommend(w)
	a, errs := w.Draft()
	if len(errs) > 0 {
		for _, fe := range errs {
			e.fail(exitUsage, "%s: %s", fe.Field, fe.Msg)
		}
		return exitUsage
	}
	if dryRun {
		if err := writeJSON(e.stdout, dryRunAction(conn, a)); err != nil {
			return e.fail(exitLocal, "cannot write the action: %v", err)
		}
		return exitOK
	}
	if err := st.CreateAction(&a); err != nil {
		if errors.Is(err, store.ErrDuplicateName) {
			return e.fail(exitUsage, "an action named %s already exists — pick another --name", quote(a.Name))
		}
		return e.fail(exitLocal, "cannot save action %s: %v", quote(a.Name), err)
	}
	fmt.Fprintf(e.stdout, "Imported action %s (%s %s on %s)\n", quote(a.Name), a.Method, connection.CleanText(a.URL), quote(conn.Name))
	return exitOK
}

// maxCurlInput bounds what import curl reads from stdin.
const maxCurlInput = 4 << 20

// curlDryRun is what import curl --dry-run prints: the action that would
// be saved, secret-named values masked.
type curlDryRun struct {
	Name       string             `json:"name"`
	Connection string             `json:"connection"`
	Method     string             `json:"method"`
	URL        string             `json:"url"`
	Query      []connection.KV    `json:"query,omitempty"`
	Headers    []connection.KV    `json:"headers,omitempty"`
	BodyType   wizard.BodyType    `json:"body_type"`
	Body       string             `json:"body,omitempty"`
	Form       []connection.KV    `json:"form,omitempty"`
	Parts      []wizard.Part      `json:"parts,omitempty"`
	Options    connection.Options `json:"options,omitzero"`
	Variables  []string           `json:"variables,omitempty"`
}

func dryRunAction(conn connection.Connection, a wizard.Action) curlDryRun {
	mask := func(kvs []connection.KV) []connection.KV {
		out := make([]connection.KV, len(kvs))
		for i, kv := range kvs {
			out[i] = kv
			if wizard.IsSecret(kv.Key) && kv.Value != "" && len(wizard.Action{URL: kv.Value}.Variables()) == 0 {
				out[i].Value = connection.Redacted
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	parts := make([]wizard.Part, len(a.Parts))
	for i, p := range a.Parts {
		parts[i] = p
		if p.File == "" && wizard.IsSecret(p.Name) && p.Value != "" {
			parts[i].Value = connection.Redacted
		}
	}
	if len(parts) == 0 {
		parts = nil
	}
	return curlDryRun{Name: a.Name, Connection: conn.Name, Method: a.Method, URL: a.URL,
		Query: mask(a.Query), Headers: mask(a.Headers), BodyType: a.BodyType, Body: a.Body,
		Form: mask(a.Form), Parts: parts, Options: a.Options.Options, Variables: a.Variables()}
}

// actionExport prints an action, or one of its runs, as a curl or HTTPie
// command.
func (e *env) actionExport(args []string) int {
	fs := e.flagSet("action export")
	var as string
	var runN int
	var withSecrets bool
	var vars listFlag
	fs.StringVar(&as, "as", "curl", "")
	fs.IntVar(&runN, "run", 0, "")
	fs.BoolVar(&withSecrets, "with-secrets", false, "")
	fs.Var(&vars, "var", "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, actionExportUsage)
		return exitOK
	case err != nil:
		return e.usageError("action export", "%v", err)
	case len(pos) != 1:
		return e.usageError("action export", "expected one action NAME, got %d arguments", len(pos))
	case as != "curl" && as != "httpie":
		return e.usageError("action export", "--as must be curl or httpie, not %s", quote(as))
	case runN < 0:
		return e.usageError("action export", "--run counts from 1 (the newest run), not %d", runN)
	}
	given, err := parseVars(vars)
	if err != nil {
		return e.usageError("action export", "%v", err)
	}
	return e.withAction(pos[0], func(st *store.Store, a wizard.Action) int {
		conn, err := st.Connection(a.ConnectionID)
		if errors.Is(err, store.ErrNotFound) {
			return e.fail(exitUsage, "action %s has no connection any more, so it has no URL to export", quote(a.Name))
		}
		if err != nil {
			return e.fail(exitLocal, "cannot read the connection of action %s: %v", quote(a.Name), err)
		}
		values := map[string]string{}
		if runN > 0 {
			run, runConn, code := e.exportRun(st, a, runN)
			if code != exitOK {
				return code
			}
			if runConn != nil {
				conn = *runConn
			}
			for k, v := range run.Vars {
				values[k] = v
			}
		}
		for k, v := range given {
			if err := a.Variable(k).Check(a.Name, v); err != nil || !hasVariable(a, k) {
				if err == nil {
					err = &wizard.VariableError{Action: a.Name, Name: k, Names: []string{k}, Unknown: true}
				}
				return e.fail(exitUsage, "%v", err)
			}
			values[k] = v
		}
		opts := wizard.ExportOptions{Vars: values, WithSecrets: withSecrets}
		ex := wizard.CurlCommand(conn, a, opts)
		if as == "httpie" {
			ex = wizard.HTTPieCommand(conn, a, opts)
		}
		for _, env := range ex.Env {
			e.fail(exitOK, "the command reads $%s", env)
		}
		if len(ex.Env) > 0 && !withSecrets {
			e.fail(exitOK, "set them before running it (--with-secrets writes the secrets into the command instead)")
		}
		for _, n := range ex.Notes {
			e.fail(exitOK, "note: %s", n)
		}
		fmt.Fprintln(e.stdout, ex.Command)
		return exitOK
	})
}

func hasVariable(a wizard.Action, name string) bool {
	for _, v := range a.Variables() {
		if v == name {
			return true
		}
	}
	return false
}

// exportRun finds the nth newest run of a, and the connection it went
// through when that is not a's own and still exists.
func (e *env) exportRun(st *store.Store, a wizard.Action, n int) (wizard.Run, *connection.Connection, int) {
	runs, err := st.RunsOf(a.ID, n)
	if err != nil {
		return wizard.Run{}, nil, e.fail(exitLocal, "cannot read the history: %v", err)
	}
	if len(runs) < n {
		return wizard.Run{}, nil, e.fail(exitUsage, "action %s has %d runs in its history, so there is no run %d — `patchbay history %s` lists them",
			quote(a.Name), len(runs), n, a.Name)
	}
	run := runs[n-1]
	if a.UpdatedAt.After(run.At) {
		e.fail(exitOK, "note: the action changed after that run; the command is the action as it is now, with the run's values")
	}
	var conn *connection.Connection
	if run.ConnectionID != a.ConnectionID {
		if c, err := st.Connection(run.ConnectionID); err == nil {
			conn = &c
		}
	}
	return run, conn, exitOK
}
