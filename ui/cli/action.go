package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

const actionUsage = `Usage:
  patchbay action add NAME --connection C --method M --url URL [--header 'K: V']...
      [--query k=v]... [--body TEXT|@FILE] [--body-type json|text|form|multipart]
      [--form 'k=v' | --form 'f=@PATH[;type=TYPE][;filename=NAME]']... [OPTIONS]
  patchbay action rename OLD NEW
  patchbay action copy NAME [NEW]          (or duplicate)
  patchbay action rm NAME

action add saves a request as the action NAME, the way the wizard's Apply does
(without a sample request). {{name}} in the URL, a query or header value, the
body, a form value or a file path declares a variable that
'patchbay run NAME --var name=...' fills in. action rename keeps the action's
run history; action copy keeps everything but the history, and names the copy
'NAME copy' (then 'NAME copy 2', ...) unless NEW is given.

Flags:
  --connection C      the connection it goes through (required)
  --method M          GET POST PUT PATCH DELETE HEAD OPTIONS (default GET)
  --url URL           relative to the connection's base URL, e.g. /users/{{id}}
  --header 'K: V'     a request header; repeat for each
  --query k=v         a query parameter; repeat for each
  --body TEXT|@FILE   the body, or @FILE to read it from a file (@- reads stdin)
  --body-type TYPE    json, text, form, multipart or none (default: json with
                      --body, multipart with --form, else none)
  --form k=v          a form field, as curl's -F; repeat for each. k=@PATH sends
                      the file at PATH (read when the action runs, streamed);
                      add ;type=TYPE or ;filename=NAME to set its content type
                      or the file name the server sees. With --body-type form
                      the fields are sent url-encoded, and files are refused.
  --form-string k=v   a form field whose value is taken as is (may start with @)

Variables (each name must be a {{name}} the action uses; repeat for each):
  --var-type k=TYPE   the type of variable k: string (default), number (a JSON
                      number), boolean (true or false) or json (one JSON value);
                      'patchbay run' refuses a value of another type
  --var-default k=V   the value of k when none is given (of k's type)
  --var-optional k    k may be left out; it is then empty (or its default)
  Variables not described are strings that must be given.

Options (stored with the action; the TUI and 'patchbay run' both honour them):
  --retries N         retry a failed attempt up to N times (default 0, at most 10);
                      5xx answers and network errors are retried
  --retry-delay MS    wait MS milliseconds before each retry (or a duration: 1.5s)
  --backoff           wait exponentially longer before each retry instead
  --retry-all-errors  also retry 429 and other 4xx and 3xx answers
  --retry-unsafe      also retry POST and PATCH (else only with an Idempotency-Key,
                      or when the connection was refused and nothing was sent)
  --timeout MS        bound each attempt (default: the connection's timeout)
  --deadline MS       bound the whole run, retries and waits included
  --max-redirects N   follow at most N redirects (default 5; 0 follows none)
  --body-cap BYTES    keep at most BYTES of the response body (default 100MiB);
                      accepts 10MiB, 100MB, 512k
  --verify-tls        verify the server's certificate even if the connection
                      ignores TLS errors
  --response-type T   how 'patchbay run' shows the body on a terminal: json
                      (default; pretty-printed), text or binary (hex)
  --full-response     'patchbay run' prints the status and headers too
  --debug             'patchbay run' prints the request as sent to stderr

Examples:
  patchbay action add 'Create item' --connection httpbin --method POST --url /anything \
      --header 'Content-Type: application/json' --body '{"name": "{{name}}"}'
  patchbay action add 'Upload' --connection httpbin --method POST --url /anything \
      --form 'title={{title}}' --form 'photo=@photo.jpg;type=image/jpeg' --retries 3
`

func (e *env) action(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, actionUsage)
		return exitUsage
	}
	switch args[0] {
	case "add":
		return e.actionAdd(args[1:])
	case "rename":
		return e.actionRename(args[1:])
	case "copy", "duplicate":
		return e.actionCopy(args[1:])
	case "export":
		return e.actionExport(args[1:])
	case "rm", "remove", "delete":
		return e.actionRemove(args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, actionUsage)
		return exitOK
	}
	return e.usageError("action", "unknown command 'action %s' — use add, rename, copy or rm", args[0])
}

// actionFlags are the values of `action add`, kept as typed so error
// messages can quote them.
type actionFlags struct {
	connection, method, url string
	headers, query          listFlag
	form                    formFlag
	body, bodyType          string
	bodySet                 bool
	options                 optionFlags
	varTypes, varDefaults   listFlag
	varOptional             listFlag
}

func (e *env) actionAdd(args []string) int {
	fs := e.flagSet("action add")
	var f actionFlags
	fs.StringVar(&f.connection, "connection", "", "")
	fs.StringVar(&f.method, "method", "", "")
	fs.StringVar(&f.url, "url", "", "")
	fs.Var(&f.headers, "header", "")
	fs.Var(&f.query, "query", "")
	fs.Var(f.form.kind(false), "form", "")
	fs.Var(f.form.kind(true), "form-string", "")
	fs.StringVar(&f.body, "body", "", "")
	fs.StringVar(&f.bodyType, "body-type", "", "")
	fs.Var(&f.varTypes, "var-type", "")
	fs.Var(&f.varDefaults, "var-default", "")
	fs.Var(&f.varOptional, "var-optional", "")
	f.options.register(fs)
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, actionUsage)
		return exitOK
	case err != nil:
		return e.usageError("action add", "%v", err)
	case len(pos) != 1:
		return e.usageError("action add", "expected one action NAME, got %d arguments", len(pos))
	case f.connection == "":
		return e.usageError("action add", "--connection is required — `patchbay list connections` shows them")
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "body" {
			f.bodySet = true
		}
	})

	bodyType, msg := f.resolveBodyType()
	if msg != "" {
		return e.fail(exitUsage, "%s", msg)
	}
	opts, problems := f.options.parse(fs)
	headers, msg := parsePairs(f.headers, ":", "--header", "'Name: value'")
	if msg != "" {
		problems = append(problems, msg)
	}
	query, msg := parsePairs(f.query, "=", "--query", "name=value")
	if msg != "" {
		problems = append(problems, msg)
	}
	var form []connection.KV
	var parts []wizard.Part
	if bodyType == wizard.BodyForm {
		form, msg = f.form.fields()
	} else {
		parts, msg = f.form.parts()
	}
	if msg != "" {
		problems = append(problems, msg)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			e.fail(exitUsage, "%s", p)
		}
		return exitUsage
	}
	body := f.body
	if strings.HasPrefix(body, "@") {
		b, err := readBodyFile(body[1:], e.stdin)
		if err != nil {
			return e.fail(exitUsage, "--body: cannot read %s: %v", body[1:], err)
		}
		body = string(b)
	}

	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	conn, code := e.connectionByName(st, f.connection)
	if code != exitOK {
		return code
	}

	w := wizard.New(conn)
	w.Name = pos[0]
	if f.method != "" {
		w.Method = strings.ToUpper(strings.TrimSpace(f.method))
	}
	w.URL = strings.TrimSpace(f.url)
	w.Query = query
	w.Headers = headers
	w.BodyType = bodyType
	w.Body = body
	w.Form = form
	w.Parts = parts
	w.Options = opts
	w.NameTaken = func(name string) bool {
		_, err := st.ActionByName(name)
		return err == nil
	}
	e.recommend(w)
	a, errs := w.Draft()
	if len(errs) > 0 {
		for _, fe := range errs {
			hint := ""
			if fe.Field == "body" && f.bodyType == "" && bodyType == wizard.BodyJSON {
				hint = " (a body that is not JSON needs --body-type text)"
			}
			e.fail(exitUsage, "%s: %s%s", f.flagOf(fe.Field, pos[0]), fe.Msg, hint)
		}
		return exitUsage
	}
	vars, problems := f.variables(a.Variables())
	if len(problems) > 0 {
		for _, p := range problems {
			e.fail(exitUsage, "%s", p)
		}
		return exitUsage
	}
	a.Vars = vars
	if a.ConnectionID == 0 {
		a.ConnectionID = conn.ID
	}
	if err := st.CreateAction(&a); err != nil {
		if errors.Is(err, store.ErrDuplicateName) {
			return e.fail(exitUsage, "an action named %s already exists — pick another name, or remove it with `patchbay action rm`", quote(a.Name))
		}
		return e.fail(exitLocal, "cannot save action %s: %v", quote(a.Name), err)
	}
	fmt.Fprintf(e.stdout, "Added action %s (%s %s on %s)\n", quote(a.Name), a.Method, a.URL, quote(conn.Name))
	return exitOK
}

// recommend applies the wizard's recommendations that add a missing header
// (Content-Type: application/json for a JSON body), as the wizard's form
// offers them, and mentions the others. Notes go to stderr so stdout stays
// one line.
func (e *env) recommend(w *wizard.Wizard) {
	for _, r := range w.Recommendations() {
		if _, ok := connection.HeaderValue(w.Headers, r.Header.Key); r.Header.Key != "" && !ok {
			w.Accept(r)
			fmt.Fprintf(e.stderr, "patchbay: added the header '%s: %s' the wizard recommends; pass --header to choose another\n", r.Header.Key, r.Header.Value)
			continue
		}
		fmt.Fprintf(e.stderr, "patchbay: note: %s\n", r.Message)
	}
}

// resolveBodyType picks the body type from --body-type, or from which of
// --body and --form was given. --form alone is multipart, as curl's -F.
func (f *actionFlags) resolveBodyType() (wizard.BodyType, string) {
	hasForm := len(f.form) > 0
	if f.bodySet && hasForm {
		return "", "--body and --form cannot be used together: a form is the body"
	}
	switch strings.ToLower(f.bodyType) {
	case "":
		switch {
		case hasForm:
			return wizard.BodyMultipart, ""
		case f.bodySet:
			return wizard.BodyJSON, ""
		}
		return wizard.BodyNone, ""
	case string(wizard.BodyForm), string(wizard.BodyMultipart):
		if f.bodySet {
			return "", fmt.Sprintf("--body-type %s takes its fields from --form, not --body", strings.ToLower(f.bodyType))
		}
		return wizard.BodyType(strings.ToLower(f.bodyType)), ""
	case string(wizard.BodyJSON), string(wizard.BodyText):
		if hasForm {
			return "", fmt.Sprintf("--form needs --body-type multipart or form, not %s", f.bodyType)
		}
		return wizard.BodyType(strings.ToLower(f.bodyType)), ""
	case string(wizard.BodyNone):
		if f.bodySet || hasForm {
			return "", "--body-type none cannot have --body or --form"
		}
		return wizard.BodyNone, ""
	}
	return "", fmt.Sprintf("--body-type: unknown body type %s — choose json, text, form, multipart or none", quote(f.bodyType))
}

// flagOf names the flag (and the value typed) behind a wizard field key:
// name, method, url, body, header.N, query.N, form.N, part.N, and the keys
// of the options.
func (f *actionFlags) flagOf(field, name string) string {
	key, n, indexed := strings.Cut(field, ".")
	i, err := strconv.Atoi(n)
	nth := func(l []string) string {
		if indexed && err == nil && i >= 0 && i < len(l) {
			return " " + quote(l[i])
		}
		return ""
	}
	switch key {
	case "name":
		return "action name"
	case "method":
		return "--method"
	case "url":
		return "--url"
	case "body":
		return "--body"
	case "header":
		return "--header" + nth(f.headers)
	case "query":
		return "--query" + nth(f.query)
	case "form", "part":
		if indexed && err == nil && i >= 0 && i < len(f.form) {
			return f.form[i].String()
		}
		return "--form"
	}
	if flag, ok := optionFlagNames[field]; ok {
		return "--" + flag
	}
	return field
}

// parsePairs splits each "K<sep>V" value; the key is trimmed, and for
// headers the value too.
func parsePairs(values []string, sep, flagName, want string) ([]connection.KV, string) {
	var kvs []connection.KV
	for _, v := range values {
		k, val, ok := strings.Cut(v, sep)
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Sprintf("%s %s: expected %s", flagName, quote(v), want)
		}
		if sep == ":" {
			val = strings.TrimSpace(val)
		}
		kvs = append(kvs, connection.KV{Key: k, Value: val})
	}
	return kvs, ""
}

func readBodyFile(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}

func (e *env) actionRemove(args []string) int {
	fs := e.flagSet("action rm")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, "Usage: patchbay action rm NAME\n\nRemoves an action.\n")
		return exitOK
	case err != nil:
		return e.usageError("action rm", "%v", err)
	case len(pos) != 1:
		return e.usageError("action rm", "expected one action NAME, got %d arguments", len(pos))
	}
	return e.withAction(pos[0], func(st *store.Store, a wizard.Action) int {
		if err := st.DeleteAction(a.ID); err != nil {
			return e.fail(exitLocal, "cannot remove action %s: %v", quote(pos[0]), err)
		}
		fmt.Fprintf(e.stdout, "Removed action %s\n", quote(a.Name))
		return exitOK
	})
}
