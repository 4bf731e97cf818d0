package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

const runUsage = `Usage: patchbay run NAME [--var k=v]... [--vars-file F.json] [--connection NAME]
           [--full] [--json] [--debug]

Replays the saved action NAME (case-insensitive) with its options (retries,
timeouts, redirects: see 'patchbay action --help') and prints the response body.

Flags (before or after NAME):
  --var k=v          a value for the action's variable {{k}}; repeat for each
  --vars-file F      values from the JSON object in file F (- reads stdin), e.g.
                     {"id": 7, "name": "x", "tags": ["a"]}: a string is taken as
                     is, a number, boolean, array or object as its JSON text, and
                     null as no value; --var overrides the file
  --connection NAME  send through another connection (default: the action's own)
  --full             print the status line, the headers, a blank line, then the
                     body (also when the action has --full-response)
  --json             print one JSON object: status, headers, body, timing, the
                     request as sent (secrets redacted) and any retries,
                     redirects and content encoding
  --debug            print the request as sent (secrets redacted), and any
                     retries and redirects, to stderr first (also when the
                     action has --debug)

Through a pipe the body is written byte for byte. On a terminal it is shown
by the action's response type: json (the default) pretty-printed when it
parses, else as text with a note on stderr; text cleaned of control
characters; binary — and any body that is not text — as a hex preview with
its size: redirect it to a file to keep it.

Variables are strings and required unless the action says otherwise (see
--var-type, --var-default and --var-optional in 'patchbay action --help'): a
variable with a default takes it when no value is given, an optional one with
none is empty, and a number must be a JSON number, a boolean true or false, a
json variable one JSON value.

Exit codes: 0 a 2xx or 3xx response · 1 a 4xx or 5xx response · 2 bad usage, an
unknown action, connection or variable, a required variable without a value, a
value of the wrong type (each variable is named), or an OAuth2 connection that
must be connected (again) with 'patchbay connection connect' · 3 a network, TLS
or timeout error, or Ctrl+C · 4 the database could not be opened.

Examples:
  patchbay run 'Get current user'
  patchbay run 'Get issue' --var id=42 --json | jq .body
  patchbay run 'Create item' --vars-file item.json --full
  patchbay run 'Download report' > report.pdf        # the bytes, exactly
  patchbay run 'Health' --connection staging || echo "exit $?"
`

func (e *env) run(args []string) int {
	fs := e.flagSet("run")
	var vars listFlag
	var connName, varsFile string
	var full, asJSON, debug bool
	fs.Var(&vars, "var", "")
	fs.StringVar(&varsFile, "vars-file", "", "")
	fs.StringVar(&connName, "connection", "", "")
	fs.BoolVar(&full, "full", false, "")
	fs.BoolVar(&asJSON, "json", false, "")
	fs.BoolVar(&debug, "debug", false, "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, runUsage)
		return exitOK
	case err != nil:
		return e.usageError("run", "%v", err)
	case len(pos) == 0:
		return e.usageError("run", "which action? `patchbay list actions` shows them")
	case len(pos) > 1:
		return e.usageError("run", "one action at a time; got %s", strings.Join(pos, ", "))
	case full && asJSON:
		return e.usageError("run", "--full and --json cannot be used together")
	}
	values := map[string]string{}
	if varsFile != "" {
		if values, err = readVarsFile(varsFile, e.stdin); err != nil {
			return e.fail(exitUsage, "%v", err)
		}
	}
	given, err := parseVars(vars)
	if err != nil {
		return e.usageError("run", "%v", err)
	}
	maps.Copy(values, given) // --var overrides the file

	// The database is held only to read the action and, afterwards, to
	// record the run, not while the request is out: parallel runs from a
	// script then wait for each other for milliseconds, not for the server.
	st, code := e.open()
	if st == nil {
		return code
	}
	a, conn, code := e.actionAndConnection(st, pos[0], connName)
	rec := history{path: st.Path()}
	var tokens *tokenFile
	if code == exitOK {
		tokens, code = e.attachTokens(st, &conn)
	}
	st.Close()
	if code != exitOK {
		return code
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	resp, err := wizard.Replay(ctx, conn, a, values, rec)
	if errors.Is(err, connection.ErrNeedsReconnect) && tokens.renewedByAnother(conn.ID) {
		// Another patchbay renewed the token as this one tried to; the
		// request never went out, so it is sent again with that token.
		resp, err = wizard.Replay(ctx, conn, a, values, rec)
	}
	if debug || a.Options.Debug {
		e.writeDebug(conn, a, values, resp)
	}
	var (
		ce *connection.Error
		ve *wizard.VariableError
		fe *wizard.FileError
		re *wizard.RecordError
	)
	switch {
	case err == nil:
	case errors.As(err, &re):
		// The response is what the user asked for; history is secondary.
		e.fail(exitOK, "warning: %v", err)
	case errors.Is(err, connection.ErrNeedsReconnect):
		// The user's to fix, by connecting again: bad usage, not the network.
		return e.fail(exitUsage, "%s", reconnectMessage(conn, err))
	case errors.As(err, &ve):
		return e.variableError(a, err)
	case errors.As(err, &fe):
		// A part's file that cannot be read: the user's to fix.
		return e.fail(exitUsage, "%v", fe)
	case errors.As(err, &ce) && ce.Kind == connection.KindInvalid:
		return e.fail(exitUsage, "%s", ce.Reason)
	case errors.As(err, &ce) && ce.Kind == connection.KindCanceled, ctx.Err() != nil:
		return e.fail(exitNetwork, "canceled")
	case errors.As(err, &ce):
		return e.fail(exitNetwork, "%s", ce.Reason)
	default:
		// Rendering failed some other way, e.g. a control character
		// typed into a header of the action itself.
		return e.fail(exitUsage, "%v", err)
	}

	out := bodyOutput{action: a.Name, as: a.Options.ResponseType.OrDefault()}
	switch {
	case asJSON:
		err = writeJSON(e.stdout, runJSON(a.Name, conn.Name, resp))
	case full || a.Options.FullResponse:
		err = e.writeFull(resp, out)
	default:
		err = e.writeBody(resp, out)
	}
	if err != nil {
		return e.fail(exitLocal, "cannot write the response: %v", err)
	}
	if resp.Note != "" && !asJSON {
		// Retries stopped short, a body that could not be decoded: said
		// on stderr, so the body on stdout stays the body.
		e.fail(exitOK, "note: %s", connection.CleanText(resp.Note))
	}
	if p := connection.AuthProblem(conn, resp); p != "" {
		// A 401 to a request that carried the connection's OAuth2 token:
		// the connection is at fault, not the action.
		e.fail(exitOK, "%s", p)
	}
	if resp.Status >= 400 {
		return exitResponse
	}
	return exitOK
}

// actionAndConnection finds the action by name and the connection it runs
// on: connName if given, else its own.
func (e *env) actionAndConnection(st *store.Store, name, connName string) (wizard.Action, connection.Connection, int) {
	a, err := st.ActionByName(name)
	if errors.Is(err, store.ErrNotFound) {
		return a, connection.Connection{}, e.fail(exitUsage, "no action named %s — `patchbay list actions` shows them", quote(name))
	}
	if err != nil {
		return a, connection.Connection{}, e.fail(exitLocal, "cannot read action %s: %v", quote(name), err)
	}
	var conn connection.Connection
	if connName != "" {
		conn, err = st.ConnectionByName(connName)
		if errors.Is(err, store.ErrNotFound) {
			return a, conn, e.fail(exitUsage, "no connection named %s — `patchbay list connections` shows them", quote(connName))
		}
	} else {
		conn, err = st.Connection(a.ConnectionID)
		if errors.Is(err, store.ErrNotFound) {
			return a, conn, e.fail(exitUsage, "the connection of action %s no longer exists — pick one with --connection NAME", quote(a.Name))
		}
	}
	if err != nil {
		return a, conn, e.fail(exitLocal, "cannot read the connection: %v", err)
	}
	return a, conn, exitOK
}

// reconnectMessage says that conn must be connected again, and how.
func reconnectMessage(conn connection.Connection, err error) string {
	var ce *connection.Error
	if errors.As(err, &ce) && strings.Contains(ce.Reason, "patchbay connection connect") {
		return ce.Reason // it already says so
	}
	return fmt.Sprintf("connection %s needs to be reconnected: %v — run `patchbay connection connect %s`", quote(conn.Name), err, conn.Name)
}

// history records a run by opening the database just for that.
type history struct{ path string }

func (h history) RecordRun(run wizard.Run) error {
	st, err := store.Open(h.path)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.RecordRun(run)
}

// variableError reports the variable problems in err, one line each:
// variables the action lacks (and the ones it takes), has no value for, or
// has a value of the wrong type for.
func (e *env) variableError(a wizard.Action, err error) int {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, err := range errs {
		var ve *wizard.VariableError
		if !errors.As(err, &ve) || !ve.Unknown {
			e.fail(exitUsage, "%v", err)
			continue
		}
		vs := a.Variables()
		if len(vs) == 0 {
			e.fail(exitUsage, "%v; it takes no variables", err)
			continue
		}
		e.fail(exitUsage, "%v; it takes %s", err, strings.Join(vs, ", "))
	}
	return exitUsage
}

// readVarsFile reads the values of --vars-file: a JSON object of variable
// names to values. A string is the value as is; a number, boolean, array or
// object is its JSON text (compacted); null is no value. path "-" reads r.
func readVarsFile(path string, r io.Reader) (map[string]string, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(r)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("--vars-file: cannot read %s: %v", path, err)
	}
	name := path
	if path == "-" {
		name = "stdin"
	}
	var raw map[string]json.RawMessage
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf(`--vars-file: %s does not hold a JSON object of variable names to values, like {"id": 7, "name": "x"}`, name)
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf(`--vars-file: %s is not valid JSON: %v`, name, err)
	}
	values := make(map[string]string, len(raw))
	for k, v := range raw {
		switch {
		case bytes.Equal(v, []byte("null")):
			continue
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("--vars-file: %s: the value of %s: %v", name, quote(k), err)
			}
			values[k] = s
		default:
			var b bytes.Buffer
			if err := json.Compact(&b, v); err != nil {
				return nil, fmt.Errorf("--vars-file: %s: the value of %s: %v", name, quote(k), err)
			}
			values[k] = b.String()
		}
	}
	return values, nil
}

// parseVars turns --var k=v flags into a map; a later value for the same
// name wins.
func parseVars(vars []string) (map[string]string, error) {
	m := make(map[string]string, len(vars))
	for _, v := range vars {
		k, val, ok := strings.Cut(v, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("--var %s: expected name=value", quote(v))
		}
		m[k] = val
	}
	return m, nil
}
