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
      [--form k=v]...
  patchbay action rm NAME

action add saves a request as the action NAME, the way the wizard's Apply does
(without a sample request). {{name}} in the URL, a query or header value, the
body or a form value declares a variable that 'patchbay run NAME --var name=...'
fills in.

Flags:
  --connection C      the connection it goes through (required)
  --method M          GET POST PUT PATCH DELETE HEAD OPTIONS (default GET)
  --url URL           relative to the connection's base URL, e.g. /users/{{id}}
  --header 'K: V'     a request header; repeat for each
  --query k=v         a query parameter; repeat for each
  --body TEXT|@FILE   the body, or @FILE to read it from a file (@- reads stdin)
  --body-type TYPE    json, text, form or none (default: json with --body, form
                      with --form, else none); multipart is not supported yet
  --form k=v          a form-urlencoded field; repeat for each

Example:
  patchbay action add 'Create item' --connection httpbin --method POST --url /anything \
      --header 'Content-Type: application/json' --body '{"name": "{{name}}"}'
`

func (e *env) action(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, actionUsage)
		return exitUsage
	}
	switch args[0] {
	case "add":
		return e.actionAdd(args[1:])
	case "rm", "remove", "delete":
		return e.actionRemove(args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, actionUsage)
		return exitOK
	}
	return e.usageError("action", "unknown command 'action %s' — use add or rm", args[0])
}

// actionFlags are the values of `action add`, kept as typed so error
// messages can quote them.
type actionFlags struct {
	connection, method, url string
	headers, query, form    listFlag
	body, bodyType          string
	bodySet                 bool
}

func (e *env) actionAdd(args []string) int {
	fs := e.flagSet("action add")
	var f actionFlags
	fs.StringVar(&f.connection, "connection", "", "")
	fs.StringVar(&f.method, "method", "", "")
	fs.StringVar(&f.url, "url", "", "")
	fs.Var(&f.headers, "header", "")
	fs.Var(&f.query, "query", "")
	fs.Var(&f.form, "form", "")
	fs.StringVar(&f.body, "body", "", "")
	fs.StringVar(&f.bodyType, "body-type", "", "")
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
	headers, msg := parsePairs(f.headers, ":", "--header", "'Name: value'")
	if msg != "" {
		return e.fail(exitUsage, "%s", msg)
	}
	query, msg := parsePairs(f.query, "=", "--query", "name=value")
	if msg != "" {
		return e.fail(exitUsage, "%s", msg)
	}
	form, msg := parsePairs(f.form, "=", "--form", "name=value")
	if msg != "" {
		return e.fail(exitUsage, "%s", msg)
	}
	for i, kv := range form {
		if strings.HasPrefix(kv.Value, "@") {
			return e.fail(exitUsage, "--form %s: file fields need multipart bodies, which are not supported yet", quote(f.form[i]))
		}
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
// --body and --form was given.
func (f *actionFlags) resolveBodyType() (wizard.BodyType, string) {
	hasForm := len(f.form) > 0
	if f.bodySet && hasForm {
		return "", "--body and --form cannot be used together: a form is the body"
	}
	switch strings.ToLower(f.bodyType) {
	case "":
		switch {
		case hasForm:
			return wizard.BodyForm, ""
		case f.bodySet:
			return wizard.BodyJSON, ""
		}
		return wizard.BodyNone, ""
	case "multipart":
		return "", "--body-type: multipart bodies are not supported yet"
	case string(wizard.BodyForm):
		if f.bodySet {
			return "", "--body-type form takes its fields from --form, not --body"
		}
		return wizard.BodyForm, ""
	case string(wizard.BodyJSON), string(wizard.BodyText):
		if hasForm {
			return "", fmt.Sprintf("--form needs --body-type form, not %s", f.bodyType)
		}
		return wizard.BodyType(strings.ToLower(f.bodyType)), ""
	case string(wizard.BodyNone):
		if f.bodySet || hasForm {
			return "", "--body-type none cannot have --body or --form"
		}
		return wizard.BodyNone, ""
	}
	return "", fmt.Sprintf("--body-type: unknown body type %s — choose json, text, form or none", quote(f.bodyType))
}

// flagOf names the flag (and the value typed) behind a wizard field key:
// name, method, url, body, header.N, query.N, form.N.
func (f *actionFlags) flagOf(field, name string) string {
	key, n, indexed := strings.Cut(field, ".")
	i, err := strconv.Atoi(n)
	nth := func(l listFlag) string {
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
	case "form":
		return "--form" + nth(f.form)
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
	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	a, err := st.ActionByName(pos[0])
	if errors.Is(err, store.ErrNotFound) {
		return e.fail(exitUsage, "no action named %s — `patchbay list actions` shows them", quote(pos[0]))
	}
	if err == nil {
		err = st.DeleteAction(a.ID)
	}
	if err != nil {
		return e.fail(exitLocal, "cannot remove action %s: %v", quote(pos[0]), err)
	}
	fmt.Fprintf(e.stdout, "Removed action %s\n", quote(a.Name))
	return exitOK
}
