package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"patchbay/connection"
)

// patchbay connection connect: the OAuth2 login of a connection — in a
// browser with a local callback, by a pasted redirect URL over SSH, by the
// device flow, or by client credentials.

const connectUsage = `Usage: patchbay connection connect NAME [--no-browser] [--device]

Logs in to an OAuth2 connection and keeps its token.

  oauth2-code    opens the provider's login page in the system browser and
                 waits up to 5 minutes for it to come back to a callback on
                 127.0.0.1 (register the callback URL it prints with the
                 provider). The URL is printed too; on a machine without a
                 browser (SSH), open it anywhere and paste the address the
                 browser ends up on — even an error page — here.
                 With a device_url and --device or --no-browser, it prints a
                 URL and a code instead: enter the code there, on any device,
                 and patchbay waits until the login is approved (or the code
                 expires).
  oauth2-client  fetches a new token with the client credentials, then sends
                 the connection's test request with it.

Flags:
  --no-browser   do not open a browser; only print the URL (or, with a
                 device_url, the URL and code of the device login)
  --device       log in with the device login (needs a device_url)

Exit codes: 0 connected · 1 the provider answered in a way patchbay could not
use · 2 not an OAuth2 connection, one that must be fixed first, or a login the
provider refused · 3 a network error, the wait timed out, or Ctrl+C · 4 the
database could not be opened.
`

func (e *env) connectionConnect(args []string) int {
	fs := e.flagSet("connection connect")
	var noBrowser, device bool
	fs.BoolVar(&noBrowser, "no-browser", false, "")
	fs.BoolVar(&device, "device", false, "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, connectUsage)
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
	conn, code := e.connectionByName(st, pos[0])
	if code == exitOK && !conn.Auth.Type.IsOAuth2() {
		code = e.fail(exitUsage, "connection %s uses %s auth; only OAuth2 connections need `connect` — `patchbay connection test %s` checks this one", quote(conn.Name), authName(conn.Auth.Type), conn.Name)
	}
	if code == exitOK && conn.Auth.Type.IsClientCredentials() {
		// Connecting means getting a new token, not reusing the one kept.
		if err := st.ClearToken(conn.ID); err != nil {
			code = e.fail(exitLocal, "cannot clear the token of connection %s: %v", quote(conn.Name), err)
		}
	}
	var tokens *tokenFile
	if code == exitOK {
		tokens, code = e.attachTokens(st, &conn)
	}
	// The database is not held during the login, which may wait minutes
	// for a browser: the token is saved by opening it again (tokens.go).
	st.Close()
	if code != exitOK {
		return code
	}
	if errs := conn.Validate(); len(errs) > 0 {
		return e.fail(exitUsage, "connection %s is not complete: %s", quote(conn.Name), errs[0])
	}
	if device && !conn.HasDeviceFlow() {
		return e.fail(exitUsage, "connection %s has no device login: --device needs an oauth2-code connection with a device_url", quote(conn.Name))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if conn.Auth.Type.IsClientCredentials() {
		return e.connectClient(ctx, conn, tokens)
	}
	if conn.HasDeviceFlow() && (device || noBrowser) {
		return e.connectDevice(ctx, conn)
	}
	return e.connectCode(ctx, conn, noBrowser)
}

// connectDevice runs the device authorization grant of conn: it prints
// the verification URL and the user code, and waits for the approval.
func (e *env) connectDevice(ctx context.Context, conn connection.Connection) int {
	t, err := connection.DeviceAuthorize(ctx, conn, func(userCode, verificationURL string) {
		fmt.Fprintf(e.stderr, "Go to %s and enter the code: %s\nWaiting for the login to be approved…\n",
			connection.CleanText(verificationURL), connection.CleanText(userCode))
	})
	if err != nil {
		return e.fail(loginExitCode(ctx, err), "%s", connectError(conn, err))
	}
	fmt.Fprintln(e.stdout, connectedLine(conn, t))
	return exitOK
}

// connectCode runs the authorization code flow of conn.
func (e *env) connectCode(ctx context.Context, conn connection.Connection, noBrowser bool) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Rejected may report from another goroutine.
	e = &env{stdin: e.stdin, stdout: e.stdout, stderr: &lockedWriter{w: e.stderr}, db: e.db}
	opts := connection.AuthorizeOptions{
		ShowURL: func(authorizeURL, callbackURL string) {
			fmt.Fprintf(e.stderr, "Open this URL to log in:\n  %s\nCallback: %s (register it with the provider)\nWaiting up to 5 minutes… (or paste the redirected URL here)\n",
				connection.CleanText(authorizeURL), connection.CleanText(callbackURL))
		},
		Pasted: pastedURLs(ctx, e.stdin),
		Rejected: func(reason string) {
			e.fail(exitOK, "not used: %s — still waiting", reason)
		},
	}
	if !noBrowser {
		opts.OpenBrowser = openBrowser
	}
	t, err := connection.Authorize(ctx, conn, opts)
	if err != nil {
		return e.fail(loginExitCode(ctx, err), "%s", connectError(conn, err))
	}
	fmt.Fprintln(e.stdout, connectedLine(conn, t))
	return exitOK
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// connectClient fetches a new client-credentials token for conn by sending
// its test request, and reports the token and the test.
func (e *env) connectClient(ctx context.Context, conn connection.Connection, tokens *tokenFile) int {
	v := connection.Test(ctx, conn)
	t, ok := tokens.savedToken(conn.ID)
	if !ok || t.AccessToken == "" {
		return e.fail(verdictCode(v), "%s", v.Reason)
	}
	fmt.Fprintln(e.stdout, connectedLine(conn, t))
	if !v.OK {
		e.fail(exitOK, "warning: the token works, but the test request did not: %s", v.Reason)
	}
	return exitOK
}

// connectedLine reports a new token.
func connectedLine(conn connection.Connection, t connection.Token) string {
	if exp := connection.ExpiresIn(t, time.Now()); exp != "" {
		return fmt.Sprintf("Connected %s (token %s)", quote(connection.CleanText(conn.Name)), exp)
	}
	return fmt.Sprintf("Connected %s", quote(connection.CleanText(conn.Name)))
}

// loginExitCode is the exit code of a failed login: 2 the connection must
// be fixed or the provider refused, 3 nothing came back in time (or
// Ctrl+C), 1 the provider's answer was not usable.
func loginExitCode(ctx context.Context, err error) int {
	var ce *connection.Error
	switch {
	case ctx.Err() != nil:
		return exitNetwork
	case errors.As(err, &ce):
		switch ce.Kind {
		case connection.KindInvalid:
			return exitUsage
		case connection.KindUnreachable, connection.KindTLS, connection.KindTimeout, connection.KindCanceled:
			return exitNetwork
		}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return exitNetwork
	}
	return exitResponse
}

// connectError says why the login failed.
func connectError(conn connection.Connection, err error) string {
	var ce *connection.Error
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return fmt.Sprintf("could not connect %s: %v", quote(conn.Name), err)
}

// pastedURLs delivers the lines of r that look like URLs — the address a
// browser was sent back to, pasted by the user — until ctx ends. Reading r
// may outlive ctx (a terminal read cannot be interrupted); what it reads
// then is dropped.
func pastedURLs(ctx context.Context, r io.Reader) <-chan string {
	if r == nil {
		return nil
	}
	out := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), 64<<10)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if !looksLikeURL(line) {
				continue
			}
			select {
			case out <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func looksLikeURL(s string) bool {
	lower := strings.ToLower(s)
	return (strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")) && !strings.ContainsAny(s, " \t")
}

// openBrowser opens url in the system browser, without waiting for it.
// Where no graphical session is found it reports an error instead, rather
// than let xdg-open start a text browser in this terminal.
func openBrowser(url string) error {
	var name string
	var args []string
	switch runtime.GOOS {
	case "darwin":
		name, args = "open", []string{url}
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler", url}
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no graphical session")
		}
		name, args = "xdg-open", []string{url}
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() //nolint:errcheck // reaped; its outcome is not ours to report
	return nil
}
