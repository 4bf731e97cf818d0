package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"patchbay/connection"
	"patchbay/store"
)

const connectionUsage = `Usage:
  patchbay connection add NAME --auth TYPE [--base-url URL] [--field key=value]...
  patchbay connection test NAME [--json]
  patchbay connection connect NAME [--no-browser] [--device]
  patchbay connection rm NAME
  patchbay connection openapi NAME FILE|--list [QUERY]|--remove

Run 'patchbay connection add --help' for the fields of each auth type.

Examples:
  patchbay connection add httpbin --auth none --base-url https://httpbin.org
  patchbay connection test httpbin --json
  patchbay connection connect github --no-browser      # over SSH
  patchbay connection rm httpbin
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
		fields, ok := authFields[t]
		switch {
		case !ok:
			continue // not on the command line yet
		case len(fields) == 0:
			fmt.Fprintf(&b, "  %-14s (no credentials)\n", t)
		default:
			fmt.Fprintf(&b, "  %-14s %s\n", t, wrapList(fields, 17, 78))
		}
	}
	fmt.Fprintf(&b, "  %-14s %s\n", "any", wrapList(commonFields, 17, 78))
	b.WriteString(`
  username, password      Basic credentials (the password is a secret)
  header.NAME=value       a header sent with every request, e.g. header.X-API-Key=abc
  query.NAME=value        a query parameter added to every request, e.g. query.api_key=abc
  key                     the API key (a secret)
  key_header              the header it goes in (default Authorization)
  scheme                  bearer ("Bearer KEY", the default), basic ("Basic KEY") or raw ("KEY")
  authorize_url           OAuth2: the provider's login page (its query, e.g. audience=…, is kept)
  token_url               OAuth2: where tokens are fetched
  refresh_url             OAuth2: where tokens are refreshed (default: the token URL)
  client_id               OAuth2: the client (application) id
  client_secret           OAuth2: its secret (required for oauth2-client and azure-client; may be env:NAME)
  scopes                  OAuth2: space separated, e.g. scopes='read write'
  token_auth              OAuth2: how the client id and secret are sent: body (default) or
                          header (HTTP Basic)
  callback_port           OAuth2: a fixed port for the 127.0.0.1 callback, for providers
                          that want an exact redirect URI (default: a free port)
  device_url              OAuth2 code: the device authorization endpoint (RFC 8628), for
                          logging in with a code on another device (connect --device)
  token_header.NAME=value OAuth2: a header sent with every token request
  authorize_param.NAME=value
                          OAuth2: a parameter added to the login URL, e.g. authorize_param.prompt=consent
  tenant                  Azure: the directory's tenant ID or domain (e.g. contoso.onmicrosoft.com),
                          or common, organizations or consumers (azure-code only; default common)
  azure_version           Azure: the endpoint version, 2.0 (default) or 1.0
  scopes (Azure 2.0)      default: the base URL's scheme://host + /.default, e.g.
                          https://graph.microsoft.com/.default (azure-code adds offline_access)
  resource                Azure 1.0: the API's App ID URI, sent instead of scopes
                          (default: the base URL's scheme://host)
  authority_host          Azure: the login host (default https://login.microsoftonline.com;
                          e.g. https://login.microsoftonline.us for a sovereign cloud)
  aws_service, aws_region AWS: the signing name (iam, s3, execute-api, ...) and region;
                          both may be left out when the base URL names them
                          (https://s3.eu-west-1.amazonaws.com)
  access_key_id           aws-key: the access key id (AKIA...)
  secret_access_key       aws-key: its secret (may be env:NAME)
  session_token           aws-key: for temporary credentials (may be env:NAME)
  role_arn                aws-role: the role to assume, arn:aws:iam::123456789012:role/NAME
  external_id             aws-role: the external id the role's trust policy requires
  aws_profile             aws-role: the profile of ~/.aws/config whose credentials assume
                          the role (default: the environment, then the default profile)
  sts_endpoint            aws-role: an STS endpoint other than the region's
  domain                  NTLM: the user's domain (or write the user as DOMAIN\user)
  conns_per_host          NTLM: connections kept to the host (default 5)
  max_conns               NTLM: connections kept in all (default 10)
  timeout                 how long one request may take, e.g. 10s (default 30s)
  case_sensitive_headers  true to send header names exactly as typed (over HTTP/1.1)
  test_path               what 'connection test' requests, relative to the base URL
  tls_cert, tls_key       a client certificate and its unencrypted private key, for mutual
                          TLS: PEM file paths or the PEM itself (the key may be env:NAME)
  tls_ca                  a CA bundle (PEM) to trust instead of the system's
  tls_insecure            true to skip verifying the server's certificate — only for a
                          test server you control

Examples:
  patchbay connection add github --auth apikey --base-url https://api.github.com --field key=ghp_xxx
  patchbay connection add local --auth basic --base-url http://127.0.0.1:8080 \
      --field username=me --field password=secret
  patchbay connection add api --auth oauth2-client --base-url https://api.example.com \
      --field token_url=https://login.example.com/oauth/token --field client_id=abc \
      --field client_secret=env:API_CLIENT_SECRET --field scopes='read write'
  patchbay connection add gh --auth oauth2-code --base-url https://api.github.com \
      --field authorize_url=https://github.com/login/oauth/authorize \
      --field token_url=https://github.com/login/oauth/access_token \
      --field client_id=Iv1.xxx --field client_secret=env:GH_CLIENT_SECRET
  then: patchbay connection connect gh
  patchbay connection add graph --auth azure-client --base-url https://graph.microsoft.com/v1.0 \
      --field tenant=contoso.onmicrosoft.com --field client_id=00000000-0000-0000-0000-000000000000 \
      --field client_secret=env:AZURE_CLIENT_SECRET
  patchbay connection add iam --auth aws-key --base-url https://iam.amazonaws.com \
      --field access_key_id=AKIAXXXX --field secret_access_key=env:AWS_SECRET_ACCESS_KEY
  patchbay connection add intranet --auth ntlm --base-url https://intranet.corp.example \
      --field domain=CORP --field username=alice --field password=env:NTLM_PASSWORD
  patchbay connection add mtls --auth none --base-url https://api.internal.example \
      --field tls_cert=~/certs/me.pem --field tls_key=~/certs/me-key.pem --field tls_ca=~/certs/ca.pem
`)
	return b.String()
}

// wrapList joins items with ", ", breaking lines before width and
// indenting the next ones by indent.
func wrapList(items []string, indent, width int) string {
	var b strings.Builder
	col := indent
	for i, it := range items {
		if i > 0 {
			b.WriteString(",")
			col++
			if col+1+len(it) > width {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				col = indent
			} else {
				b.WriteString(" ")
				col++
			}
		}
		b.WriteString(it)
		col += len(it)
	}
	return b.String()
}

func authTypeList() string {
	var names []string
	for _, t := range connection.AuthTypes {
		if _, ok := authFields[t]; ok {
			names = append(names, string(t))
		}
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
	case "openapi", "spec":
		return e.connectionOpenAPI(args[1:])
	case "rm", "remove", "delete":
		return e.connectionRemove(args[1:])
	case "connect":
		return e.connectionConnect(args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, connectionUsage)
		return exitOK
	}
	return e.usageError("connection", "unknown command 'connection %s' — use add, test, connect, openapi or rm", args[0])
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
		fmt.Fprint(e.stdout, "Usage: patchbay connection test NAME [--json]\n\nSends a test request (GET to the connection's test_path, default its base URL)\nand says whether it worked. Exit 0 if it did, 1 if the server answered but\nrefused, 2 if the connection must be fixed before it can be tested (no base\nURL, a missing field, an OAuth2 connection to connect first), 3 if nothing\ncame back.\n")
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
	conn, tokens, code := e.connectionWithTokens(st, pos[0])
	st.Close()
	if code != exitOK {
		return code
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	v := connection.Test(ctx, conn)
	if !v.OK && tokens.renewedByAnother(conn.ID) {
		v = connection.Test(ctx, conn) // see run
	}
	if v.Kind != connection.KindCanceled {
		e.saveLastTest(conn.ID, v)
	}
	code = verdictCode(v)
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

// saveLastTest records v as the connection's last test, which the
// connections list shows. It is a note, not data: when the database is busy
// (the TUI has it open) the note is skipped rather than waited for.
func (e *env) saveLastTest(id uint64, v connection.Verdict) {
	path, err := store.Path(e.db)
	if err != nil {
		return
	}
	st, err := store.Open(path)
	if err != nil {
		return
	}
	defer st.Close()
	_ = st.SaveLastTest(id, store.LastTest{OK: v.OK, Reason: v.Reason, At: time.Now()})
}

// verdictCode is the exit code of a test's verdict: 0 it passed, 2 the
// connection must be fixed (or connected again) first, 3 nothing came back,
// 1 the server refused.
func verdictCode(v connection.Verdict) int {
	switch {
	case v.OK:
		return exitOK
	case v.Response == nil && v.Kind == connection.KindInvalid:
		return exitUsage
	case v.Response == nil:
		return exitNetwork
	}
	return exitResponse
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

// connectionWithTokens is connectionByName with the connection's OAuth2
// token store attached (nil for other connections), read from st.
func (e *env) connectionWithTokens(st *store.Store, name string) (connection.Connection, *tokenFile, int) {
	conn, code := e.connectionByName(st, name)
	if code != exitOK {
		return conn, nil, code
	}
	tokens, code := e.attachTokens(st, &conn)
	return conn, tokens, code
}

// attachTokens reads conn's OAuth2 token now and attaches a token store
// that saves a renewed token by opening the database again just for that
// (tokens.go), so the database is not held while a request or a login
// waits. Nil for connections without OAuth2.
func (e *env) attachTokens(st *store.Store, conn *connection.Connection) (*tokenFile, int) {
	tokens, err := newTokenFile(st, *conn)
	if err != nil {
		return nil, e.fail(exitLocal, "cannot read the token of connection %s: %v", quote(conn.Name), err)
	}
	tokens.attach(conn)
	return tokens, exitOK
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
