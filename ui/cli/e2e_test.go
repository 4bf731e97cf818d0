package cli_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// screenDeadline is how long one expected screen may take to appear. The
// flow as a whole stays well under it on a quiet machine; the margin is for
// -race and a busy CI runner.
const screenDeadline = 10 * time.Second

// buildBinary builds patchbay into dir with the go on PATH, from the module
// root this package belongs to, and returns the binary's path.
func buildBinary(tb testing.TB, dir string) string {
	tb.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		tb.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(dir, "patchbay")
	cmd := exec.Command("go", "build", "-o", bin, "patchbay")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build patchbay: %v\n%s", err, out)
	}
	return bin
}

// tmuxServer is a private tmux server: its socket (-L name) lives in a
// directory of the test's own (TMUX_TMPDIR), so it neither touches the
// user's tmux nor leaves a socket file behind, and its environment keeps the
// user's configuration and data out of the test.
type tmuxServer struct {
	dir, home string
}

func (srv tmuxServer) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command("tmux", append([]string{"-L", "patchbay", "-f", "/dev/null"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TMUX=") { // not nested in the tmux the test runs in
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TMUX_TMPDIR="+srv.dir, "HOME="+srv.home, "TERM=xterm-256color",
		"XDG_DATA_HOME="+filepath.Join(srv.home, "data"))
	return cmd
}

// newTmuxServer returns a server that is killed when the test ends.
func newTmuxServer(tb testing.TB, home string) tmuxServer {
	tb.Helper()
	srv := tmuxServer{dir: tb.TempDir(), home: home}
	tb.Cleanup(func() { _ = srv.cmd("kill-server").Run() })
	return srv
}

// terminal is one patchbay running in the tmux session "pb".
type terminal struct {
	tb   testing.TB
	tmux tmuxServer
	last string // the most recent capture, for failure messages
}

// startTerminal starts command in a 120x40 tmux session named "pb" with env
// set for it.
func startTerminal(t *testing.T, home string, env []string, command string) *terminal {
	t.Helper()
	term := &terminal{tb: t, tmux: newTmuxServer(t, home)}
	args := []string{"new-session", "-d", "-x", "120", "-y", "40", "-s", "pb"}
	for _, kv := range env {
		args = append(args, "-e", kv)
	}
	args = append(args, command)
	if out, err := term.tmux.cmd(args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	return term
}

// capture returns the visible screen as plain text.
func (term *terminal) capture() (string, error) {
	out, err := term.tmux.cmd("capture-pane", "-p", "-t", "pb").Output()
	if err == nil {
		term.last = string(out)
	}
	return string(out), err
}

// waitFor polls the screen until it contains every one of want and returns
// that screen; it fails the test with the last screen seen when deadline
// passes first.
func (term *terminal) waitFor(want ...string) string {
	term.tb.Helper()
	return term.waitUntil(strings.Join(want, " and "), func(s string) bool {
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

// waitUntil polls the screen until ok accepts it.
func (term *terminal) waitUntil(what string, ok func(screen string) bool) string {
	term.tb.Helper()
	return term.waitUntilIn(term.capture, what, ok)
}

// scrollback returns the pane's history and screen as plain text, wrapped
// lines joined (capture-pane -J -S -): what a shell session printed, a long
// line whole, even once it has scrolled off the screen.
func (term *terminal) scrollback() (string, error) {
	out, err := term.tmux.cmd("capture-pane", "-p", "-J", "-S", "-", "-t", "pb").Output()
	if err == nil {
		term.last = string(out)
	}
	return string(out), err
}

// waitUntilIn polls capture until ok accepts what it returns.
func (term *terminal) waitUntilIn(capture func() (string, error), what string, ok func(screen string) bool) string {
	term.tb.Helper()
	deadline := time.Now().Add(screenDeadline)
	for {
		s, err := capture()
		if err == nil && ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			term.tb.Fatalf("timed out after %v waiting for %s; last screen:\n%s", screenDeadline, what, term.last)
		}
		// A poll interval, not a wait for the app: the loop ends as soon
		// as the screen shows what we want.
		time.Sleep(20 * time.Millisecond)
	}
}

// waitExit waits for the session to end, which happens when its only
// command, patchbay, exits. On timeout it reports what the pane is running
// along with the last screen.
func (term *terminal) waitExit() {
	term.tb.Helper()
	deadline := time.Now().Add(screenDeadline)
	for term.tmux.cmd("has-session", "-t", "pb").Run() == nil {
		if time.Now().After(deadline) {
			panes, _ := term.tmux.cmd("list-panes", "-t", "pb",
				"-F", "pane_dead=#{pane_dead} pid=#{pane_pid} command=#{pane_current_command}").CombinedOutput()
			term.capture()
			term.tb.Fatalf("patchbay did not exit within %v (%s); last screen:\n%s", screenDeadline, strings.TrimSpace(string(panes)), term.last)
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// send sends named keys (Tab, Enter, C-s) or, with literal, text typed as is.
func (term *terminal) send(literal bool, keys ...string) {
	term.tb.Helper()
	args := []string{"send-keys", "-t", "pb"}
	if literal {
		args = append(args, "-l")
	}
	args = append(args, keys...)
	if out, err := term.tmux.cmd(args...).CombinedOutput(); err != nil {
		term.tb.Fatalf("tmux send-keys %q: %v\n%s", keys, err, out)
	}
}

// press sends one key and waits for the screen to show want. Keys that the
// app must see as separate messages are sent this way: Bubble Tea reads bytes
// that arrive together as one message, so "jr" sent at once would be a single
// KeyRunes "jr" that matches no binding.
func (term *terminal) press(key string, want ...string) string {
	term.tb.Helper()
	term.send(false, key)
	return term.waitFor(want...)
}

// typeText types text into the focused input and waits until it is shown.
func (term *terminal) typeText(text string, want ...string) string {
	term.tb.Helper()
	term.send(true, text)
	return term.waitFor(want...)
}

// focused returns the line of screen that carries the focus marker "›" at
// its start (after a box border, if any).
func focused(screen string) string {
	for _, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " │"), "› ") {
			return line
		}
	}
	return ""
}

// waitFocus waits until the focused line contains label.
func (term *terminal) waitFocus(label string) string {
	term.tb.Helper()
	return term.waitUntil("focus on "+label, func(s string) bool {
		return strings.Contains(focused(s), label)
	})
}

func TestEndToEndInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	const (
		user     = "alice"
		pass     = "s3cret-pass"
		connName = "httpbin local"
		action   = "Check login"
		path     = "/basic-auth/" + user + "/" + pass
	)
	srv := httptest.NewServer(httpbin.New())
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	bin := buildBinary(t, dir)
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "e2e.db")
	env := []string{"HOME=" + home, "TERM=xterm-256color", "PATCHBAY_DB=" + db,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"), "EDITOR=false"}

	term := startTerminal(t, home, env, bin+" --db "+db)

	// Home on a fresh database: d tries the demo, q comes back.
	term.waitFor("1 Connections", "2 Actions", "No connections yet.", "d try the demo")
	term.press("d", "DEMO", "httpbin (demo)", "nothing here is kept")
	term.press("q", "No connections yet.")

	// A Basic connection to the local httpbin.
	term.press("n", "New connection", "Base URL", "Authentication")
	term.waitFocus("Name")
	term.typeText(connName, connName)
	term.press("Tab")
	term.waitFocus("Base URL")
	term.typeText(srv.URL, srv.URL)
	term.press("Tab")
	term.waitFocus("Authentication")
	term.press("b", "Username", "Password")
	term.press("Tab")
	term.waitFocus("Username")
	term.typeText(user, user)
	term.press("Tab")
	term.waitFocus("Password")
	screen := term.typeText(pass, strings.Repeat("•", len(pass)))
	if strings.Contains(screen, pass) {
		t.Fatalf("the connection form shows the password in clear:\n%s", screen)
	}
	screen = term.press("C-s", "Saved connection '"+connName+"'", "Basic", srv.URL)
	if strings.Contains(screen, pass) {
		t.Errorf("the connections list shows the password:\n%s", screen)
	}

	// The wizard, step 1: name, method and URL.
	term.press("Enter", "1 Method & URL", "2 Sample request", "3 Review")
	term.waitFocus("Action name")
	term.typeText(action, action)
	term.press("Tab")
	term.waitFocus("Method")
	term.press("Tab")
	// The focused choice row marks its value by colour only; once focus
	// has moved on it is shown in brackets.
	screen = term.waitFocus("URL")
	if !strings.Contains(screen, "[GET]") {
		t.Errorf("the method does not default to GET:\n%s", screen)
	}
	term.typeText(path, path, "Full URL", srv.URL+path)

	// Step 2: the sample request, really sent.
	term.press("C-n", "Request", "Response", "Nothing sent yet")
	screen = term.press("C-s", "200 OK", `"authenticated": true`)
	if !strings.Contains(screen, `"user": "`+user+`"`) {
		t.Errorf("the response pane does not show the user httpbin saw:\n%s", screen)
	}

	// The window resized mid-flow: narrower than 100 columns the panes
	// stack; smaller than 80x24 the screen asks for more; back to 120x40
	// the panes stand side by side again, nothing lost.
	resize := func(w, h int) {
		t.Helper()
		if out, err := term.tmux.cmd("resize-window", "-t", "pb", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)).CombinedOutput(); err != nil {
			t.Fatalf("tmux resize-window: %v\n%s", err, out)
		}
	}
	resize(90, 30)
	term.waitUntil("the panes stacked at 90x30", func(s string) bool {
		lines := strings.Split(s, "\n")
		req, resp := lineWith(lines, "│ Request"), lineWith(lines, "│ Response")
		return req >= 0 && resp > req && !strings.Contains(lines[req], "Response") && strings.Contains(s, "200 OK")
	})
	resize(70, 20)
	term.waitFor("Make the terminal at least 80×24", "(it is 70×20")
	resize(120, 40)
	term.waitUntil("the panes side by side at 120x40", func(s string) bool {
		lines := strings.Split(s, "\n")
		i := lineWith(lines, "│ Request")
		return i >= 0 && strings.Contains(lines[i], "│ Response") && strings.Contains(s, `"authenticated": true`)
	})

	// Step 3: review, then Apply.
	term.press("C-n", "Output fields", "Apply")
	// Apply goes home and reloads the list before it selects the new
	// action; wait for the selection rather than for the status line.
	term.press("Enter", "Saved action '"+action+"'")
	screen = term.waitFocus(action)
	if !strings.Contains(screen, "NAME") || strings.Contains(screen, "No actions yet") {
		t.Errorf("after Apply the Actions tab does not list the new action:\n%s", screen)
	}

	// Replay from the list.
	screen = term.press("r", "Run '"+action+"'", "200 OK", `"authenticated": true`)
	if !strings.Contains(screen, "Authorization: ••••••") {
		t.Errorf("the replay screen does not show the Authorization header masked:\n%s", screen)
	}
	if strings.Contains(screen, "Basic YWxp") { // base64("ali...
		t.Errorf("the replay screen shows the Basic credentials:\n%s", screen)
	}
	term.press("Escape", "1 Connections", "2 Actions", action)

	// q quits: the session's only command is the binary, so the session
	// ends when it exits.
	term.send(false, "q")
	term.waitExit()

	// The same action from the shell.
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--db", db, "run", action}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("patchbay run %q %v: %v (want exit 0)\nstdout: %s\nstderr: %s", action, args, err, out, stderr.String())
		}
		return string(out)
	}
	out := run("--json")
	var got struct {
		Status int `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("patchbay run --json printed no JSON object (%v):\n%s", err, out)
	}
	if got.Status != 200 {
		t.Errorf("patchbay run --json: status %d, want 200\n%s", got.Status, out)
	}
	if out := run(); !strings.Contains(out, `"authenticated"`) {
		t.Errorf("patchbay run printed %q, want httpbin's basic-auth body", out)
	}
}

// TestRunInShellInTmux types `patchbay run` at a shell prompt in a real
// terminal, as a user would: the action and its connection are made with
// `patchbay connection add` and `patchbay action add`, the JSON printed to
// the terminal carries the URL httpbin saw, with the variable filled in, and
// a run without the variable prints the exit-2 message naming it.
func TestRunInShellInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	t.Parallel()
	srv := httptest.NewServer(httpbin.New())
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	bin := buildBinary(t, dir)
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "shell.db")
	env := []string{"HOME=" + home, "TERM=xterm-256color", "PATCHBAY_DB=" + db,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"), "ENV="}
	patchbay := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("patchbay %q: %v\n%s", args, err, out)
		}
	}
	const action = "Echo by id"
	patchbay("connection", "add", "bin", "--auth", "none", "--base-url", srv.URL)
	patchbay("action", "add", action, "--connection", "bin", "--url", "/anything/{{id}}")

	// The binary's directory first on PATH, so that the shell finds
	// `patchbay` as it would an installed one. It is set on sh's command
	// line: tmux (3.3a) gives a new pane its client's PATH over one passed
	// with -e.
	term := startTerminal(t, home, env, "PATH='"+dir+"':\"$PATH\" exec sh")
	term.waitUntil("a shell prompt", func(s string) bool { return strings.TrimSpace(s) != "" })

	// With the variable: one JSON object, whose body is httpbin's echo of
	// the request it got. The exit status printed after it says the command
	// is done, so the JSON above it is whole.
	term.send(true, "patchbay run '"+action+"' --var id=7 --json; echo \"exit=$?\"")
	term.send(false, "Enter")
	var echoed struct {
		Status int `json:"status"`
		Body   struct {
			URL string `json:"url"`
		} `json:"body"`
	}
	screen := term.waitUntilIn(term.scrollback, "the run's exit status", func(s string) bool {
		return strings.Contains(s, "\nexit=")
	})
	if !strings.Contains(screen, "\nexit=0\n") {
		t.Fatalf("patchbay run --var id=7 --json did not exit 0:\n%s", screen)
	}
	found := false
	for _, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &echoed) == nil {
			found = true
			break
		}
	}
	if !found {
		t.Fatalf("patchbay run --json printed no JSON object on the terminal:\n%s", screen)
	}
	if echoed.Status != 200 || !strings.HasSuffix(echoed.Body.URL, "/anything/7") {
		t.Errorf("patchbay run --json: status %d, httpbin saw the URL %q, want 200 and one ending in /anything/7\n%s",
			echoed.Status, echoed.Body.URL, screen)
	}

	// Without it: the message naming the variable, on the terminal, and
	// exit status 2.
	term.send(true, "patchbay run '"+action+"' --json; echo \"exit=$?\"")
	term.send(false, "Enter")
	screen = term.waitUntilIn(term.scrollback, "a second exit status", func(s string) bool {
		return strings.Count(s, "\nexit=") == 2
	})
	if !strings.Contains(screen, "\npatchbay: variable 'id' has no value (use --var id=VALUE)\nexit=2\n") {
		t.Errorf("patchbay run without --var id: want the message naming id and exit=2, got:\n%s", screen)
	}
}

// lineWith is the index of the first of lines that contains s, or -1.
func lineWith(lines []string, s string) int {
	for i, l := range lines {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}
