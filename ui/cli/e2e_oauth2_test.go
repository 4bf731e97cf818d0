package cli_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patchbay/ui/cli"
)

// oauthE2E is what both OAuth2 terminal tests share: the in-process
// authorization server (which also serves the protected /api), the binary,
// a home of the test's own and a fresh database.
type oauthE2E struct {
	srv           interface{ TokenHits() int }
	url           string // the server's base URL
	bin, home, db string
	env           []string
	clientID, sec string
}

func newOAuthE2E(t *testing.T) *oauthE2E {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	srv := cli.NewOAuthServer(t)
	dir := t.TempDir()
	e := &oauthE2E{srv: srv, url: srv.URL, bin: buildBinary(t, dir), home: filepath.Join(dir, "home"),
		db: filepath.Join(dir, "oauth2.db"), clientID: cli.OAuthClientID, sec: cli.OAuthClientSecret}
	if err := os.Mkdir(e.home, 0o700); err != nil {
		t.Fatal(err)
	}
	e.env = []string{"HOME=" + e.home, "TERM=xterm-256color", "PATCHBAY_DB=" + e.db,
		"XDG_DATA_HOME=" + filepath.Join(e.home, "data"), "EDITOR=false"}
	return e
}

// patchbay runs the binary on the test's database and fails the test
// unless it exits 0; it returns stdout.
func (e *oauthE2E) patchbay(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(e.bin, append([]string{"--db", e.db}, args...)...)
	cmd.Env = append(os.Environ(), e.env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("patchbay %q: %v (want exit 0)\nstdout: %s\nstderr: %s", args, err, out, stderr.String())
	}
	return string(out)
}

// runJSONStatus is the status `patchbay run ACTION --json` reports.
func (e *oauthE2E) runJSONStatus(t *testing.T, action string) (int, string) {
	t.Helper()
	out := e.patchbay(t, "run", action, "--json")
	var got struct {
		Status int `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("patchbay run --json printed no JSON object (%v):\n%s", err, out)
	}
	return got.Status, out
}

// joined is the pane as text with wrapped lines joined (capture-pane -J),
// so that a long URL or a secret split by the pane's width is one string.
func (term *terminal) joined() string {
	out, err := term.tmux.cmd("capture-pane", "-p", "-J", "-t", "pb").Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// styled is the pane with its colours and attributes (capture-pane -e),
// where the inputs' cursor shows.
func (term *terminal) styled() string {
	out, _ := term.tmux.cmd("capture-pane", "-p", "-e", "-t", "pb").Output()
	return string(out)
}

// watchForSecret captures the pane until the test ends and fails it the
// first time the pane shows secret. It complements the checks made on the
// screens the test waits for: it also sees the screens in between.
func watchForSecret(t *testing.T, term *terminal, secret string) {
	t.Helper()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(25 * time.Millisecond) // a poll interval
		defer tick.Stop()
		for {
			if s := term.joined(); strings.Contains(s, secret) {
				t.Errorf("the screen shows the client secret:\n%s", s)
				return
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// The TUI with an oauth2-client connection: created in the form, tested
// with t (a token fetched, "expires in" shown), an action built with the
// wizard and replayed through it, then run from the shell with the token
// the TUI kept.
func TestOAuth2ClientInTmux(t *testing.T) {
	const (
		connName = "billing api"
		action   = "Who am I"
		path     = "/api"
		scopes   = "read write"
	)
	e := newOAuthE2E(t)
	term := startTerminal(t, e.home, e.env, e.bin+" --db "+e.db)
	watchForSecret(t, term, e.sec)

	term.waitFor("1 Connections", "2 Actions", "No connections yet.")
	term.press("n", "New connection", "Base URL", "Authentication")
	term.waitFocus("Name")
	term.typeText(connName, connName)
	term.press("Tab")
	term.waitFocus("Base URL")
	term.typeText(e.url, e.url)
	term.press("Tab")
	term.waitFocus("Authentication")
	// 'o' picks the first OAuth2 type (code, which asks for an authorize
	// URL), 'o' again the next one (client credentials, which does not).
	term.press("o", "Authorize URL", "Token URL")
	term.send(false, "o")
	term.waitUntil("the OAuth2 client fields", func(s string) bool {
		return strings.Contains(s, "Token URL") && strings.Contains(s, "Send client credentials") && !strings.Contains(s, "Authorize URL")
	})
	term.press("Tab")
	term.waitFocus("Token URL")
	term.typeText(e.url+"/token", e.url+"/token")
	term.press("Tab")
	term.waitFocus("Client ID")
	term.typeText(e.clientID, e.clientID)
	term.press("Tab")
	term.waitFocus("Client secret")
	term.typeText(e.sec, strings.Repeat("•", len(e.sec)))
	term.press("Tab")
	term.waitFocus("Scopes")
	term.typeText(scopes, scopes)
	term.press("Tab")
	term.waitFocus("Send client credentials")
	term.press("Right")
	term.press("Tab")
	// Once focus has moved on, the choice is shown in brackets.
	screen := term.waitUntil("focus past Send client credentials", func(s string) bool {
		f := focused(s)
		return f != "" && !strings.Contains(f, "Send client credentials")
	})
	if !strings.Contains(screen, "[as a Basic header]") {
		t.Errorf("→ did not choose the Basic header:\n%s", screen)
	}
	// On to the test path (the base URL itself is not protected, /api
	// is): past the token request headers' name and value inputs (one row,
	// so Tab between them does not move the › marker) and the timeout.
	// Control keys arrive as separate keys even when sent together.
	term.send(false, "Tab", "Tab", "Tab")
	term.waitFocus("Test path")
	term.typeText(path, path)
	term.press("C-s", "Saved connection '"+connName+"'", e.url)

	// t tests it: a token is fetched and the test request sent with it.
	term.waitFocus(connName)
	screen = term.press("t", "connected — 200 OK from GET "+e.url+path, "expires in")
	if !strings.Contains(screen, "token expires in") {
		t.Errorf("the test result does not say when the token expires:\n%s", screen)
	}
	if n := e.srv.TokenHits(); n != 1 {
		t.Errorf("testing made %d token requests, want 1", n)
	}

	// The wizard sends with the token.
	term.press("Enter", "1 Method & URL", "2 Sample request", "3 Review")
	term.waitFocus("Action name")
	term.typeText(action, action)
	term.press("Tab")
	term.waitFocus("Method")
	term.press("Tab")
	term.waitFocus("URL")
	term.typeText(path, path, "Full URL", e.url+path)
	term.press("C-n", "Request", "Response", "Nothing sent yet")
	term.press("C-s", "200 OK", `"client": "`+e.clientID+`"`)
	term.press("C-n", "Output fields", "Apply")
	term.press("Enter", "Saved action '"+action+"'")
	term.waitFocus(action)

	// Replay from the list.
	screen = term.press("r", "Run '"+action+"'", "200 OK", `"client": "`+e.clientID+`"`)
	if !strings.Contains(screen, "Authorization: ••••••") {
		t.Errorf("the replay screen does not show the Authorization header masked:\n%s", screen)
	}
	term.press("Escape", "1 Connections", "2 Actions", action)
	term.send(false, "q")
	term.waitExit()

	// From the shell, with the token the TUI kept.
	if status, out := e.runJSONStatus(t, action); status != 200 {
		t.Errorf("patchbay run --json: status %d, want 200\n%s", status, out)
	}
	if n := e.srv.TokenHits(); n != 1 {
		t.Errorf("%d token requests in all, want the first token reused by the wizard, the replay and run", n)
	}

	// Started again, the list shows the kept token's expiry.
	term = startTerminal(t, e.home, e.env, e.bin+" --db "+e.db)
	watchForSecret(t, term, e.sec)
	term.waitUntil("the connection's row to show its token's expiry", func(s string) bool {
		for _, line := range strings.Split(s, "\n") {
			if strings.Contains(line, connName) && strings.Contains(line, "expires in") {
				return true
			}
		}
		return false
	})
	term.send(false, "q")
	term.waitExit()
}

// `patchbay connection connect NAME --no-browser` in a terminal: it prints
// the authorize URL; another process (this test, as the browser) follows it
// to the loopback callback; the command says Connected and exits 0; an
// action then runs with the token.
func TestConnectNoBrowserInTmux(t *testing.T) {
	e := newOAuthE2E(t)
	e.patchbay(t, "connection", "add", "jira", "--auth", "oauth2-code", "--base-url", e.url,
		"--field", "authorize_url="+e.url+"/authorize", "--field", "token_url="+e.url+"/token",
		"--field", "client_id="+e.clientID, "--field", "client_secret="+e.sec,
		"--field", "scopes=read write", "--field", "test_path=/api")
	e.patchbay(t, "action", "add", "me", "--connection", "jira", "--method", "GET", "--url", "/api")

	// The pane's shell prints the exit status itself: tmux learns it only
	// when it reaps the process, which a tmux server started with SIGCHLD
	// blocked (as under some CI runners) never does.
	term := startTerminal(t, e.home, e.env, e.bin+" --db "+e.db+` connection connect jira --no-browser; echo "patchbay exited $?"`)
	// Keep the pane when patchbay exits, for its last screen and exit
	// status. It waits for the browser, so this is set before it can exit.
	if out, err := term.tmux.cmd("set-option", "-w", "-t", "pb", "remain-on-exit", "on").CombinedOutput(); err != nil {
		t.Fatalf("tmux set-option remain-on-exit: %v\n%s", err, out)
	}
	watchForSecret(t, term, e.sec)
	term.waitFor("Open this URL to log in:", "Waiting up to 5 minutes")

	// The URL is longer than the pane is wide: read it with wrapped lines
	// joined.
	var authURL string
	lines := strings.Split(term.joined(), "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) == "Open this URL to log in:" && i+1 < len(lines) {
			authURL = strings.TrimSpace(lines[i+1])
		}
	}
	u, err := url.Parse(authURL)
	if err != nil || !strings.HasPrefix(authURL, e.url+"/authorize?") {
		t.Fatalf("authorize URL %q (%v); screen:\n%s", authURL, err, term.last)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || q.Get("client_id") != e.clientID ||
		!strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Errorf("the authorize URL lacks PKCE, state, the client or the loopback callback: %s", authURL)
	}

	// The browser: the server's /authorize redirects to the callback.
	client := &http.Client{Timeout: screenDeadline}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatalf("following the authorize URL: %v", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "connected") {
		t.Errorf("the browser ended on %s %s: %s", resp.Request.URL, resp.Status, page)
	}

	// patchbay says so and exits 0.
	screen := term.waitFor("Connected 'jira' (token expires in", "patchbay exited ")
	if !strings.Contains(screen, "patchbay exited 0") {
		t.Errorf("patchbay connection connect did not exit 0; screen:\n%s", screen)
	}

	if code, out := e.runJSONStatus(t, "me"); code != 200 {
		t.Errorf("patchbay run --json: status %d, want 200\n%s", code, out)
	}
	if n := e.srv.TokenHits(); n != 1 {
		t.Errorf("%d token requests in all, want the code exchange only", n)
	}
}
