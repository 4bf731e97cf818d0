package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay/connection"
	"patchbay/connection/oauthtest"
	"patchbay/store"
)

// The test authorization server is oauthtest's (go-oauth2 in-process),
// with a client of its own and, besides /api, the protected /probe.
const (
	oauthClientID     = "patchbay-cli"
	oauthClientSecret = "client-s3cret-Hn48Qa"
)

type oauthServer struct {
	*oauthtest.Server
	// probe, when set, runs inside the protected /probe endpoint.
	probe func() string
}

func newOAuthServer(t *testing.T) *oauthServer {
	t.Helper()
	s := &oauthServer{Server: oauthtest.New(t, oauthtest.Options{
		ClientID: oauthClientID, ClientSecret: oauthClientSecret, Echo: []string{"client", "user"},
	})}
	s.HandleFunc("/probe", s.Protected(func(w http.ResponseWriter, r *http.Request) {
		if s.probe != nil {
			io.WriteString(w, s.probe())
		}
	}))
	return s
}

// addCode adds an oauth2-code connection NAME to s, its API at s's /api.
func (s *oauthServer) addCode(t *testing.T, db, name string, fields ...string) {
	t.Helper()
	args := []string{"connection", "add", name, "--auth", "oauth2-code", "--base-url", s.URL,
		"--field", "authorize_url=" + s.URL + "/authorize", "--field", "token_url=" + s.URL + "/token",
		"--field", "client_id=" + oauthClientID, "--field", "scopes=read write", "--field", "test_path=/api"}
	for _, f := range fields {
		args = append(args, "--field", f)
	}
	must(t, db, args...)
}

// addClient adds an oauth2-client connection NAME to s.
func (s *oauthServer) addClient(t *testing.T, db, name string, fields ...string) {
	t.Helper()
	args := []string{"connection", "add", name, "--auth", "oauth2-client", "--base-url", s.URL,
		"--field", "token_url=" + s.URL + "/token", "--field", "client_id=" + oauthClientID, "--field", "test_path=/api"}
	for _, f := range fields {
		args = append(args, "--field", f)
	}
	must(t, db, args...)
}

// withStore opens db for fn and closes it.
func withStore(t *testing.T, db string, fn func(*store.Store)) {
	t.Helper()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}

func tokenOf(t *testing.T, db, name string) connection.Token {
	t.Helper()
	var tok connection.Token
	withStore(t, db, func(st *store.Store) {
		c, err := st.ConnectionByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if tok, err = st.LoadToken(c.ID); err != nil {
			t.Fatal(err)
		}
	})
	return tok
}

// assertNotInFile fails for each secret found in the database file's bytes.
func assertNotInFile(t *testing.T, db string, secrets ...string) {
	t.Helper()
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s != "" && bytes.Contains(b, []byte(s)) {
			t.Errorf("the database file holds the secret %q", s)
		}
	}
}

func statusOf(t *testing.T, db, name string) string {
	t.Helper()
	for _, row := range decode[[]map[string]any](t, must(t, db, "list", "connections", "--json").stdout) {
		if row["name"] == name {
			s, _ := row["status"].(string)
			return s
		}
	}
	t.Fatalf("connection %s not listed", name)
	return ""
}

func TestConnectionAddOAuth2(t *testing.T) {
	db := newDB(t)
	t.Setenv("PB_TEST_CLIENT_SECRET", "from-env-Xs03Lp")
	r := must(t, db, "connection", "add", "code", "--auth", "oauth2-code", "--base-url", "https://api.example.com",
		"--field", "authorize_url=https://login.example.com/authorize?audience=api",
		"--field", "token_url=https://login.example.com/token",
		"--field", "refresh_url=https://login.example.com/refresh",
		"--field", "client_id=my-app", "--field", "client_secret=code-s3cret-Jw61Bv",
		"--field", "scopes=  read   write ", "--field", "token_auth=HEADER", "--field", "callback_port=8765",
		"--field", "token_header.X-Tenant=acme", "--field", "authorize_param.prompt=consent",
		"--field", "authorize_param.access_type=offline")
	if r.stdout != "Added connection 'code' (oauth2-code, https://api.example.com)\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	must(t, db, "connection", "add", "client", "--auth", "oauth2-client", "--base-url", "https://api.example.com",
		"--field", "token_url=https://login.example.com/token", "--field", "client_id=my-app",
		"--field", "client_secret=env:PB_TEST_CLIENT_SECRET", "--field", "token_auth=body")

	withStore(t, db, func(st *store.Store) {
		c, err := st.ConnectionByName("code")
		if err != nil {
			t.Fatal(err)
		}
		want := connection.OAuth2{
			AuthorizeURL: "https://login.example.com/authorize?audience=api", TokenURL: "https://login.example.com/token",
			RefreshURL: "https://login.example.com/refresh", ClientID: "my-app", ClientSecret: "code-s3cret-Jw61Bv",
			Scopes: "read write", TokenAuth: connection.TokenAuthHeader, CallbackPort: 8765,
			TokenHeaders:    []connection.KV{{Key: "X-Tenant", Value: "acme"}},
			AuthorizeParams: []connection.KV{{Key: "prompt", Value: "consent"}, {Key: "access_type", Value: "offline"}},
		}
		if got, _ := json.Marshal(c.Auth.OAuth2); string(got) != string(must2(json.Marshal(want))) {
			t.Errorf("saved\n %s\nwant\n %s", got, must2(json.Marshal(want)))
		}
		c, err = st.ConnectionByName("client")
		if err != nil {
			t.Fatal(err)
		}
		if c.Auth.OAuth2 == nil || c.Auth.OAuth2.ClientSecret != "env:PB_TEST_CLIENT_SECRET" {
			t.Errorf("the env: reference was not kept: %+v", c.Auth.OAuth2)
		}
	})
	assertNotInFile(t, db, "code-s3cret-Jw61Bv", "from-env-Xs03Lp")

	rows := decode[[]map[string]any](t, must(t, db, "list", "connections", "--json").stdout)
	for _, row := range rows {
		if row["status"] != "not connected" {
			t.Errorf("%v: want status 'not connected'", row)
		}
	}
	table := must(t, db, "list").stdout
	for _, want := range []string{"STATUS", "oauth2-code", "oauth2-client", "not connected"} {
		if !strings.Contains(table, want) {
			t.Errorf("the list lacks %q:\n%s", want, table)
		}
	}
	all := table + must(t, db, "list", "--json").stdout
	for _, s := range []string{"code-s3cret-Jw61Bv", "from-env-Xs03Lp"} {
		if strings.Contains(all, s) {
			t.Errorf("a listing shows the secret %q", s)
		}
	}
}

func must2(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// Without OAuth2 connections the list has no STATUS column.
func TestListWithoutOAuth2HasNoStatus(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "plain", "--auth", "none", "--base-url", "https://example.com")
	if table := must(t, db, "list", "connections").stdout; strings.Contains(table, "STATUS") {
		t.Errorf("STATUS column without OAuth2 connections:\n%s", table)
	}
}

func TestConnectionAddOAuth2Rejects(t *testing.T) {
	db := newDB(t)
	base := []string{"--base-url", "https://api.example.com"}
	client := append([]string{"x", "--auth", "oauth2-client"}, base...)
	code := append([]string{"x", "--auth", "oauth2-code"}, base...)
	full := func(args []string, fields ...string) []string {
		out := append([]string(nil), args...)
		for _, f := range append([]string{"token_url=https://login.example.com/token", "client_id=a"}, fields...) {
			out = append(out, "--field", f)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"authorize_url on client", full(client, "client_secret=s", "authorize_url=https://x.example/a"), []string{"--field authorize_url", "not a field of oauth2-client", "token_url"}},
		{"callback_port on client", full(client, "client_secret=s", "callback_port=80"), []string{"--field callback_port", "not a field"}},
		{"authorize_param on client", full(client, "client_secret=s", "authorize_param.a=b"), []string{"--field authorize_param.a", "not a field"}},
		{"unknown field", full(code, "authorize_url=https://x.example/a", "password=p"), []string{"--field password", "not a field of oauth2-code"}},
		{"bad token_auth", full(client, "client_secret=s", "token_auth=cookie"), []string{"--field token_auth", "body", "header"}},
		{"bad callback_port", full(code, "authorize_url=https://x.example/a", "callback_port=99999"), []string{"--field callback_port", "65535"}},
		{"token_header without name", full(client, "client_secret=s", "token_header.=1"), []string{"--field token_header.", "token_header.X-Tenant"}},
		{"no client secret", full(client), []string{"--field client_secret", "required"}},
		{"no token URL", append(append([]string(nil), client...), "--field", "client_id=a", "--field", "client_secret=s"), []string{"--field token_url", "required"}},
		{"no authorize URL", full(code), []string{"--field authorize_url", "required"}},
		{"bad env name", full(client, "client_secret=env:not a name"), []string{"client_secret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := patchbay(t, db, append([]string{"connection", "add"}, tc.args...)...)
			wantExit(t, r, exitUsage, tc.want...)
		})
	}
	if rows := decode[[]map[string]any](t, must(t, db, "list", "connections", "--json").stdout); len(rows) != 0 {
		t.Errorf("a rejected connection was saved: %v", rows)
	}
}

// cliRun is Main running in a goroutine with piped stdin and stderr.
type cliRun struct {
	stdin  *io.PipeWriter
	lines  chan string // stderr, line by line
	stdout bytes.Buffer
	stderr strings.Builder // every line read so far
	code   chan int
	mu     sync.Mutex
}

func startPatchbay(t *testing.T, db string, args ...string) *cliRun {
	t.Helper()
	inR, inW := io.Pipe()
	errR, errW := io.Pipe()
	r := &cliRun{stdin: inW, lines: make(chan string, 100), code: make(chan int, 1)}
	go func() {
		sc := bufio.NewScanner(errR)
		for sc.Scan() {
			r.mu.Lock()
			r.stderr.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	go func() {
		code := Main(append([]string{"--db", db}, args...), inR, &r.stdout, errW)
		errW.Close()
		inR.Close()
		r.code <- code
	}()
	t.Cleanup(func() { inW.Close() })
	return r
}

// authorizeURL waits for the line after "Open this URL to log in:".
func (r *cliRun) authorizeURL(t *testing.T) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	next := false
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				t.Fatalf("stderr ended before the URL:\n%s", r.stderrText())
			}
			if next {
				return strings.TrimSpace(line)
			}
			next = line == "Open this URL to log in:"
		case <-timeout:
			t.Fatalf("no URL printed:\n%s", r.stderrText())
		}
	}
}

func (r *cliRun) stderrText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

func (r *cliRun) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.code:
		for range r.lines { // the rest of stderr
		}
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("patchbay did not finish:\n%s", r.stderrText())
		return -1
	}
}

// `connection connect --no-browser` prints the URL; another client (the
// browser) follows it to the loopback callback; the token is saved sealed,
// and actions run with it.
func TestConnectNoBrowserCodeFlow(t *testing.T) {
	srv := newOAuthServer(t)
	db := newDB(t)
	t.Setenv("PB_TEST_CODE_SECRET", oauthClientSecret)
	srv.addCode(t, db, "jira", "client_secret=env:PB_TEST_CODE_SECRET", "token_auth=header")
	must(t, db, "action", "add", "me", "--connection", "jira", "--method", "GET", "--url", "/api")

	r := startPatchbay(t, db, "connection", "connect", "jira", "--no-browser")
	authURL := r.authorizeURL(t)
	u, err := url.Parse(authURL)
	if err != nil || u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("state") == "" {
		t.Fatalf("authorize URL %q (%v)", authURL, err)
	}
	resp, err := http.Get(authURL) // the browser, following the redirect to the callback
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "connected") {
		t.Errorf("the browser ended on %s %s: %s", resp.Request.URL, resp.Status, page)
	}
	code := r.wait(t)
	stderr := r.stderrText()
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, r.stdout.String(), stderr)
	}
	for _, want := range []string{"Callback: http://127.0.0.1:", connection.CallbackPath + " (register it with the provider)", "Waiting up to 5 minutes… (or paste the redirected URL here)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if out := r.stdout.String(); !strings.HasPrefix(out, "Connected 'jira' (token expires in 1h") {
		t.Errorf("stdout %q", out)
	}

	tok := tokenOf(t, db, "jira")
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.NeedsReconnect != "" {
		t.Fatalf("saved token %+v", tok)
	}
	assertNotInFile(t, db, tok.AccessToken, tok.RefreshToken, oauthClientSecret)
	if s := statusOf(t, db, "jira"); !strings.HasPrefix(s, "connected (expires in 1h") {
		t.Errorf("status %q", s)
	}

	// An action runs with the token, without fetching another.
	hits := srv.TokenHits()
	run := must(t, db, "run", "me")
	if !strings.Contains(run.stdout, `"user":"user-1"`) {
		t.Errorf("run printed %q", run.stdout)
	}
	if srv.TokenHits() != hits {
		t.Error("run fetched a token although the saved one was good")
	}

	// Expired, it is refreshed during the run, and the rotated refresh
	// token is saved.
	withStore(t, db, func(st *store.Store) {
		c, _ := st.ConnectionByName("jira")
		expired := tok
		expired.Expiry = time.Now().Add(-time.Minute)
		if err := st.SaveToken(c.ID, expired); err != nil {
			t.Fatal(err)
		}
	})
	run = must(t, db, "run", "me")
	if !strings.Contains(run.stdout, `"user":"user-1"`) {
		t.Errorf("run after expiry printed %q", run.stdout)
	}
	renewed := tokenOf(t, db, "jira")
	if renewed.AccessToken == tok.AccessToken || renewed.RefreshToken == tok.RefreshToken || !renewed.Expiry.After(time.Now()) {
		t.Errorf("after the refresh the store holds %+v (before %+v)", renewed, tok)
	}
	assertNotInFile(t, db, renewed.AccessToken, renewed.RefreshToken)
	r2 := must(t, db, "connection", "test", "jira")
	if !strings.Contains(r2.stdout, "connected") || !strings.Contains(r2.stdout, "expires in") {
		t.Errorf("connection test: %q", r2.stdout)
	}
}

// Without a browser that reaches the callback, the user pastes the address
// the browser was sent to.
func TestConnectPastedRedirect(t *testing.T) {
	srv := newOAuthServer(t)
	db := newDB(t)
	srv.addCode(t, db, "jira", "client_secret="+oauthClientSecret)

	r := startPatchbay(t, db, "connection", "connect", "jira", "--no-browser")
	authURL := r.authorizeURL(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize answered %s without a redirect", resp.Status)
	}
	// A stray line, a URL of another attempt, then the real one.
	forged := *loc
	q := forged.Query()
	q.Set("state", "not-this-attempt")
	forged.RawQuery = q.Encode()
	io.WriteString(r.stdin, "hello\n"+forged.String()+"\n"+loc.String()+"\n")
	code := r.wait(t)
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, r.stderrText())
	}
	if !strings.Contains(r.stderrText(), "not used:") {
		t.Errorf("the forged URL was not reported:\n%s", r.stderrText())
	}
	if out := r.stdout.String(); !strings.HasPrefix(out, "Connected 'jira'") {
		t.Errorf("stdout %q", out)
	}
	if tok := tokenOf(t, db, "jira"); tok.AccessToken == "" {
		t.Error("no token saved")
	}
}

// A client-credentials connection: run fetches a token and keeps it, the
// database is not held while the request is out, connection test shows
// when the token expires, and connect fetches a new one.
func TestRunThroughOAuth2Client(t *testing.T) {
	srv := newOAuthServer(t)
	db := newDB(t)
	srv.addClient(t, db, "billing", "client_secret="+oauthClientSecret, "token_auth=header", "scopes=read")
	must(t, db, "action", "add", "me", "--connection", "billing", "--method", "GET", "--url", "/api")
	must(t, db, "action", "add", "probe", "--connection", "billing", "--method", "GET", "--url", "/probe")

	run := must(t, db, "run", "me")
	if !strings.Contains(run.stdout, `"client":"`+oauthClientID+`"`) {
		t.Errorf("run printed %q", run.stdout)
	}
	tok := tokenOf(t, db, "billing")
	if tok.AccessToken == "" {
		t.Fatal("no token kept")
	}
	assertNotInFile(t, db, tok.AccessToken, oauthClientSecret)
	if srv.TokenHits() != 1 {
		t.Errorf("%d token requests, want 1", srv.TokenHits())
	}

	// While the request is out, another patchbay can open the database.
	srv.probe = func() string {
		st, err := store.Open(db)
		if err != nil {
			return "locked: " + err.Error()
		}
		st.Close()
		return "open"
	}
	if r := must(t, db, "run", "probe"); r.stdout != "open" {
		t.Errorf("during the send: %q", r.stdout)
	}
	if srv.TokenHits() != 1 {
		t.Errorf("%d token requests, want the kept token reused", srv.TokenHits())
	}

	r := must(t, db, "connection", "test", "billing")
	if !strings.HasPrefix(r.stdout, "connected — 200 OK from GET "+srv.URL+"/api") || !strings.Contains(r.stdout, "expires in") {
		t.Errorf("connection test: %q", r.stdout)
	}
	if s := statusOf(t, db, "billing"); !strings.HasPrefix(s, "connected (expires in") {
		t.Errorf("status %q", s)
	}

	r = must(t, db, "connection", "connect", "billing")
	if !strings.HasPrefix(r.stdout, "Connected 'billing' (token expires in ") {
		t.Errorf("connect: %q", r.stdout)
	}
	if srv.TokenHits() != 2 {
		t.Errorf("connect made %d token requests in all, want a new token", srv.TokenHits())
	}
	if now := tokenOf(t, db, "billing"); now.AccessToken == tok.AccessToken {
		t.Error("connect kept the old token")
	}
}

// A wrong client secret: connect and test say so and exit 2.
func TestOAuth2ClientWrongSecret(t *testing.T) {
	srv := newOAuthServer(t)
	db := newDB(t)
	srv.addClient(t, db, "billing", "client_secret=wrong-secret-Pq19")
	for _, args := range [][]string{{"connection", "connect", "billing"}, {"connection", "test", "billing"}} {
		r := patchbay(t, db, args...)
		wantExit(t, r, exitUsage, "billing")
		if strings.Contains(r.stderr, "wrong-secret-Pq19") {
			t.Errorf("%v shows the secret: %s", args, r.stderr)
		}
	}
}

// A connection that must connect (again) says so and exits 2, for run and
// test alike; the list shows why.
func TestNeedsReconnect(t *testing.T) {
	srv := newOAuthServer(t)
	db := newDB(t)
	srv.addCode(t, db, "jira", "client_secret="+oauthClientSecret)
	must(t, db, "action", "add", "me", "--connection", "jira", "--method", "GET", "--url", "/api")

	for _, args := range [][]string{{"run", "me"}, {"connection", "test", "jira"}} {
		wantExit(t, patchbay(t, db, args...), exitUsage, "'jira' is not connected yet", "patchbay connection connect jira")
	}

	withStore(t, db, func(st *store.Store) {
		c, _ := st.ConnectionByName("jira")
		if err := st.SaveToken(c.ID, connection.Token{RefreshToken: "spent", NeedsReconnect: "the refresh token was revoked"}); err != nil {
			t.Fatal(err)
		}
	})
	for _, args := range [][]string{{"run", "me"}, {"connection", "test", "jira"}} {
		wantExit(t, patchbay(t, db, args...), exitUsage,
			"connection 'jira' needs to be reconnected: the refresh token was revoked — run `patchbay connection connect jira`")
	}
	if s := statusOf(t, db, "jira"); s != "needs reconnect: the refresh token was revoked" {
		t.Errorf("status %q", s)
	}

	// A refresh token the server does not know: invalid_grant marks it.
	withStore(t, db, func(st *store.Store) {
		c, _ := st.ConnectionByName("jira")
		if err := st.SaveToken(c.ID, connection.Token{AccessToken: "old", RefreshToken: "unknown-refresh", Expiry: time.Now().Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	})
	wantExit(t, patchbay(t, db, "run", "me"), exitUsage, "connection 'jira' needs to be reconnected", "patchbay connection connect jira")
	if s := statusOf(t, db, "jira"); !strings.HasPrefix(s, "needs reconnect: ") {
		t.Errorf("after invalid_grant the status is %q", s)
	}
}

func TestConnectOtherAuth(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "plain", "--auth", "none", "--base-url", "https://example.com")
	wantExit(t, patchbay(t, db, "connection", "connect", "plain"), exitUsage, "only OAuth2 connections need `connect`")
	wantExit(t, patchbay(t, db, "connection", "connect", "nope"), exitUsage, "no connection named 'nope'")
}

// Two processes renewing the same token: the one whose refresh token was
// spent by the other does not mark the connection "needs reconnect" over
// the other's new token, and knows to try again.
func TestTokenFileKeepsAnotherProcessRenewal(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "c", "--auth", "oauth2-client", "--base-url", "https://api.example.com",
		"--field", "token_url=https://login.example.com/token", "--field", "client_id=a", "--field", "client_secret=s")
	var conn connection.Connection
	old := connection.Token{AccessToken: "old", RefreshToken: "r1", Expiry: time.Now().Add(-time.Minute)}
	var mine *tokenFile
	withStore(t, db, func(st *store.Store) {
		conn, _ = st.ConnectionByName("c")
		if err := st.SaveToken(conn.ID, old); err != nil {
			t.Fatal(err)
		}
		var err error
		if mine, err = newTokenFile(st, conn); err != nil {
			t.Fatal(err)
		}
	})
	if got, err := mine.LoadToken(conn.ID); err != nil || got.AccessToken != "old" {
		t.Fatalf("LoadToken = %+v, %v", got, err)
	}
	theirs := connection.Token{AccessToken: "new", RefreshToken: "r2", Expiry: time.Now().Add(time.Hour)}
	withStore(t, db, func(st *store.Store) {
		if err := st.SaveToken(conn.ID, theirs); err != nil {
			t.Fatal(err)
		}
	})
	marked := old
	marked.NeedsReconnect = "invalid_grant"
	if err := mine.SaveToken(conn.ID, marked); err != nil {
		t.Fatal(err)
	}
	if got := tokenOf(t, db, "c"); got.AccessToken != "new" || got.NeedsReconnect != "" {
		t.Errorf("the other process's token was replaced by %+v", got)
	}
	if !mine.renewedByAnother(conn.ID) {
		t.Error("renewedByAnother is false")
	}
	if got, _ := mine.LoadToken(conn.ID); got.AccessToken != "new" {
		t.Errorf("LoadToken after = %+v", got)
	}

	// With nobody else in between, the mark is saved.
	if err := mine.SaveToken(conn.ID, connection.Token{RefreshToken: "r2", NeedsReconnect: "revoked"}); err != nil {
		t.Fatal(err)
	}
	if got := tokenOf(t, db, "c"); got.NeedsReconnect != "revoked" {
		t.Errorf("the mark was not saved: %+v", got)
	}
	if got, ok := mine.savedToken(conn.ID); !ok || got.NeedsReconnect != "revoked" {
		t.Errorf("savedToken = %+v, %v", got, ok)
	}
}

// A save waits for another patchbay that holds the database briefly.
func TestTokenFileWaitsForTheLock(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "c", "--auth", "oauth2-client", "--base-url", "https://api.example.com",
		"--field", "token_url=https://login.example.com/token", "--field", "client_id=a", "--field", "client_secret=s")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := st.ConnectionByName("c")
	f, err := newTokenFile(st, conn)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(1500 * time.Millisecond) // longer than one Open waits
		st.Close()
		close(released)
	}()
	if err := f.SaveToken(conn.ID, connection.Token{AccessToken: "after-the-wait"}); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	<-released
	if got := tokenOf(t, db, "c"); got.AccessToken != "after-the-wait" {
		t.Errorf("saved %+v", got)
	}
	if errors.Is(err, store.ErrLocked) {
		t.Error("locked")
	}
}
