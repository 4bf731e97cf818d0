package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"patchbay/connection"
	"patchbay/store"
)

const connectionUsage = `Usage:
  patchbay connection add NAME --auth TYPE [--base-url URL] [--field key=value]...
  patchbay connection test NAME [--json]
  patchbay connection connect NAME [--no-browser]
  patchbay connection rm NAME

Run 'patchbay connection add --help' for the fields of each auth type.
`

func connectionAddUsage() string {
	var b strings.Builder
	b.WriteString(`Usage: patchbay connection add NAME --auth TYPE [--base-url URL] [--field key=value]...

Saves a connection: a base URL that action URLs are relative to, and the
credentials sent with them (only ever to that base URL's host).

Flags:
  --auth TYPE        `)
	b.WriteString(authTypeList())
	b.WriteString(`
  --base-url URL     e.g. https://api.example.com/v2
  --field key=value  one setting of the auth type; repeat for each

Fields by auth type:
`)
	for _, t := range connection.AuthTypes {
		fields := authFields[t]
		if len(fields) == 0 {
			fmt.Fprintf(&b, "  %-8s (no credentials)\n", t)
			continue
		}
		fmt.Fprintf(&b, "  %-8s %s\n", t, strings.Join(fields, ", "))
	}
	b.WriteString(`  any      timeout, case_sensitive_headers, test_path

  username, password      Basic credentials (the password is a secret)
  header.NAME=value       a header sent with every request, e.g. header.X-API-Key=abc
  query.NAME=value        a query parameter added to every request, e.g. query.api_key=abc
  key                     the API key (a secret)
  key_header              the header it goes in (default Authorization)
  scheme                  bearer ("Bearer KEY", the default), basic ("Basic KEY") or raw ("KEY")
  timeout                 how long one request may take, e.g. 10s (default 30s)
  case_sensitive_headers  true to send header names exactly as typed
  test_path               what 'connection test' requests, relative to the base URL

Not supported yet: ` + strings.Join(plannedAuth, ", ") + `.

Examples:
  patchbay connection add github --auth apikey --base-url https://api.github.com --field key=ghp_xxx
  patchbay connection add local --auth basic --base-url http://127.0.0.1:8080 \
      --field username=me --field password=secret
`)
	return b.String()
}

func authTypeList() string {
	names := make([]string, len(connection.AuthTypes))
	for i, t := range connection.AuthTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func (e *env) connection(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, connectionUsage)
		return exitUsage
	}
	switch args[0] {
	case "add":
		return e.connectionAdd(args[1:])
	case "test":
		return e.connectionTest(args[1:])
	case "rm", "remove", "delete":
		return e.connectionRemove(args[1:])
	case "connect":
		return e.connectionConnect(args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, connectionUsage)
		return exitOK
	}
	return e.usageError("connection", "unknown command 'connection %s' — use add, test, connect or rm", args[0])
}

func (e *env) connectionAdd(args []string) int {
	fs := e.flagSet("connection add")
	var auth, baseURL string
	var fields listFlag
	fs.StringVar(&auth, "auth", "", "")
	fs.StringVar(&baseURL, "base-url", "", "")
	fs.Var(&fields, "field", "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, connectionAddUsage())
		return exitOK
	case err != nil:
		return e.usageError("connection add", "%v", err)
	case len(pos) != 1:
		return e.usageError("connection add", "expected one connection NAME, got %d arguments", len(pos))
	case auth == "":
		return e.usageError("connection add", "--auth is required: one of %s", authTypeList())
	}
	t := connection.AuthType(strings.ToLower(auth))
	if _, ok := authFields[t]; !ok {
		if slices.Contains(plannedAuth, string(t)) {
			return e.fail(exitUsage, "auth type %s is not supported yet", quote(auth))
		}
		return e.fail(exitUsage, "--auth: unknown auth type %s — choose one of %s", quote(auth), authTypeList())
	}

	conn := connection.Connection{Name: pos[0], BaseURL: strings.TrimSpace(baseURL), Auth: connection.Auth{Type: t}}
	rows, problems := setFields(&conn, fields)
	if len(problems) > 0 {
		for _, p := range problems {
			e.fail(exitUsage, "%s", p)
		}
		return exitUsage
	}
	if errs := conn.Validate(); len(errs) > 0 {
		for _, fe := range errs {
			e.fail(exitUsage, "%s: %s", connectionFlag(fe.Field, t, rows), fe.Msg)
		}
		return exitUsage
	}

	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	if err := st.CreateConnection(&conn); err != nil {
		if errors.Is(err, store.ErrDuplicateName) {
			return e.fail(exitUsage, "a connection named %s already exists — pick another name, or remove it with `patchbay connection rm`", quote(conn.Name))
		}
		return e.fail(exitLocal, "cannot save connection %s: %v", quote(conn.Name), err)
	}
	where := conn.BaseURL
	if where == "" {
		where = "no base URL"
	}
	fmt.Fprintf(e.stdout, "Added connection %s (%s, %s)\n", quote(conn.Name), t, where)
	return exitOK
}

func (e *env) connectionTest(args []string) int {
	fs := e.flagSet("connection test")
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, "Usage: patchbay connection test NAME [--json]\n\nSends a test request (GET to the connection's test_path, default its base URL)\nand says whether it worked. Exit 0 if it did, 1 if the server answered but\nrefused, 2 if the connection must be fixed before it can be tested (no base\nURL, a missing field), 3 if nothing came back.\n")
		return exitOK
	case err != nil:
		return e.usageError("connection test", "%v", err)
	case len(pos) != 1:
		return e.usageError("connection test", "expected one connection NAME, got %d arguments", len(pos))
	}
	// The store is closed before the request goes out, so a slow server
	// does not keep another patchbay out of the database.
	st, code := e.open()
	if st == nil {
		return code
	}
	conn, code := e.connectionByName(st, pos[0])
	st.Close()
	if code != exitOK {
		return code
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	v := connection.Test(ctx, conn)
	code = exitOK
	switch {
	case v.Response == nil && v.Kind == connection.KindInvalid:
		code = exitUsage
	case v.Response == nil && !v.OK:
		code = exitNetwork
	case !v.OK:
		code = exitResponse
	}
	if asJSON {
		var status *int
		if v.Response != nil {
			status = &v.Response.Status
		}
		err = writeJSON(e.stdout, struct {
			OK     bool   `json:"ok"`
			Status *int   `json:"status"`
			Reason string `json:"reason"`
		}{v.OK, status, v.Reason})
		if err != nil {
			return e.fail(exitLocal, "cannot write the result: %v", err)
		}
		return code
	}
	if v.OK {
		fmt.Fprintln(e.stdout, connection.CleanText(v.Reason))
		return code
	}
	return e.fail(code, "%s", v.Reason)
}

func (e *env) connectionRemove(args []string) int {
	fs := e.flagSet("connection rm")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, "Usage: patchbay connection rm NAME\n\nRemoves a connection. A connection that actions use is kept: remove them first.\n")
		return exitOK
	case err != nil:
		return e.usageError("connection rm", "%v", err)
	case len(pos) != 1:
		return e.usageError("connection rm", "expected one connection NAME, got %d arguments", len(pos))
	}
	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	conn, code := e.connectionByName(st, pos[0])
	if code != exitOK {
		return code
	}
	if err := st.DeleteConnection(conn.ID); err != nil {
		// The store refuses while actions use the connection; its message
		// names them. It has no sentinel for that, so every refusal is
		// reported as bad usage.
		return e.fail(exitUsage, "%v", err)
	}
	fmt.Fprintf(e.stdout, "Removed connection %s\n", quote(conn.Name))
	return exitOK
}

func (e *env) connectionConnect(args []string) int {
	fs := e.flagSet("connection connect")
	var noBrowser bool
	fs.BoolVar(&noBrowser, "no-browser", false, "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, "Usage: patchbay connection connect NAME [--no-browser]\n\nRuns the OAuth2 login of an OAuth2 connection.\n")
		return exitOK
	case err != nil:
		return e.usageError("connection connect", "%v", err)
	case len(pos) != 1:
		return e.usageError("connection connect", "expected one connection NAME, got %d arguments", len(pos))
	}
	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	conn, code := e.connectionByName(st, pos[0])
	if code != exitOK {
		return code
	}
	return e.fail(exitUsage, "connection %s uses %s auth; only OAuth2 connections need `connect`", quote(conn.Name), authName(conn.Auth.Type))
}

func (e *env) connectionByName(st *store.Store, name string) (connection.Connection, int) {
	conn, err := st.ConnectionByName(name)
	if errors.Is(err, store.ErrNotFound) {
		return conn, e.fail(exitUsage, "no connection named %s — `patchbay list connections` shows them", quote(name))
	}
	if err != nil {
		return conn, e.fail(exitLocal, "cannot read connection %s: %v", quote(name), err)
	}
	return conn, exitOK
}
