package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"unicode/utf8"

	"patchbay/connection"
	"patchbay/wizard"
)

const listenUsage = `Usage: patchbay listen [--port N] [--status CODE] [--json]

Receives webhooks: listens on 127.0.0.1 (never on another interface) and
prints each request as it arrives — time, method, path and query, headers
and body — until Ctrl+C. Point the sender at the URL printed on stderr; a
sender elsewhere reaches it through a tunnel you run (ssh -R, ngrok...).

Flags:
  --port N       the port to listen on (default 0: any free port)
  --status CODE  the status every request is answered with (default 200)
  --json         one JSON object per request and line: time, method, target
                 (path and query as received), proto, remote_addr, headers,
                 size, truncated, error, and body — as text when it is valid
                 UTF-8, else base64 with "body_encoding": "base64"

Each body is kept up to 1 MiB (its whole size is counted). On a terminal,
control characters are shown escaped and binary bodies as a hex preview;
through a pipe they are written as received. In the TUI, L on a connection
with no authentication opens the same listener, and s saves a request as an
action.

Exit codes: 0 stopped with Ctrl+C · 2 bad usage · 3 the port cannot be used.

Examples:
  patchbay listen --port 8787
  patchbay listen --json | jq .body
  patchbay listen --status 204        # answer every request with 204 No Content
`

// listen receives webhooks on 127.0.0.1 and prints them as they arrive.
func (e *env) listen(args []string) int {
	fs := e.flagSet("listen")
	var port, status int
	var asJSON bool
	fs.IntVar(&port, "port", 0, "")
	fs.IntVar(&status, "status", 200, "")
	fs.BoolVar(&asJSON, "json", false, "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, listenUsage)
		return exitOK
	case err != nil:
		return e.usageError("listen", "%v", err)
	case len(pos) > 0:
		return e.usageError("listen", "listen takes no arguments; got %s", strings.Join(pos, " "))
	case port < 0 || port > 65535:
		return e.usageError("listen", "--port %d is not a port: use 1 to 65535, or 0 for any free one", port)
	case status < 100 || status > 999:
		return e.usageError("listen", "--status %d is not an HTTP status: use 100 to 999", status)
	}

	// Registered before the listener says it is ready, so a Ctrl+C from
	// then on always stops it cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := connection.Listen(connection.ListenOptions{Port: port, Status: status})
	if err != nil {
		return e.fail(exitNetwork, "%v", err)
	}
	defer l.Close()
	fmt.Fprintf(e.stderr, "Listening on %s — Ctrl+C to stop\n", l.URL())
	for {
		select {
		case <-ctx.Done():
			l.Close()
			// What arrived before Ctrl+C is still printed.
			for c := range l.Requests() {
				e.printCapture(c, asJSON)
			}
			if n := l.Dropped(); n > 0 {
				e.fail(exitOK, "%d requests arrived faster than they could be printed and were left out", n)
			}
			return exitOK
		case c, ok := <-l.Requests():
			if !ok {
				return exitOK
			}
			if err := e.printCapture(c, asJSON); err != nil {
				return e.fail(exitLocal, "cannot write the request: %v", err)
			}
		}
	}
}

func (e *env) printCapture(c connection.Capture, asJSON bool) error {
	if asJSON {
		return writeJSON(e.stdout, captureJSON(c))
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s  %s %s  %s  from %s\n", c.Time.Format("15:04:05.000"), c.Method, c.Target,
		wizard.FormatSize(c.Size), c.RemoteAddr)
	for _, h := range c.Headers {
		fmt.Fprintf(&head, "%s: %s\n", h.Key, h.Value)
	}
	head.WriteString("\n")
	terminal := isTerminal(e.stdout)
	text := head.String()
	if terminal {
		text = connection.CleanText(text)
	}
	if _, err := fmt.Fprint(e.stdout, text); err != nil {
		return err
	}
	if err := e.printCaptureBody(c, terminal); err != nil {
		return err
	}
	switch {
	case c.Err != "":
		fmt.Fprintf(e.stdout, "(%s)\n", c.Err)
	case c.Truncated:
		fmt.Fprintf(e.stdout, "(the body is cut: the first %s of %s kept)\n",
			wizard.FormatSize(int64(len(c.Body))), wizard.FormatSize(c.Size))
	}
	_, err := fmt.Fprintln(e.stdout)
	return err
}

// printCaptureBody writes the body: as received through a pipe; on a
// terminal cleaned, or as a hex preview when it is not text.
func (e *env) printCaptureBody(c connection.Capture, terminal bool) error {
	if len(c.Body) == 0 {
		return nil
	}
	body := string(c.Body)
	switch {
	case !terminal:
	case isBinary(c.Body):
		shown := c.Body[:min(len(c.Body), hexPreviewBytes)]
		body = hex.Dump(shown) + fmt.Sprintf("(binary data: %s", wizard.FormatSize(c.Size))
		if len(shown) < len(c.Body) {
			body += fmt.Sprintf(", the first %d bytes shown", len(shown))
		}
		body += ")"
	default:
		body = connection.CleanText(body)
	}
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	_, err := fmt.Fprint(e.stdout, body)
	return err
}

// captureOutput is one line of `patchbay listen --json`.
type captureOutput struct {
	Time         string              `json:"time"`
	Method       string              `json:"method"`
	Target       string              `json:"target"`
	Proto        string              `json:"proto"`
	RemoteAddr   string              `json:"remote_addr"`
	Headers      map[string][]string `json:"headers"`
	Size         int64               `json:"size"`
	Truncated    bool                `json:"truncated"`
	Error        string              `json:"error,omitempty"`
	Body         string              `json:"body"`
	BodyEncoding string              `json:"body_encoding,omitempty"`
}

func captureJSON(c connection.Capture) captureOutput {
	out := captureOutput{
		Time:       c.Time.Format("2006-01-02T15:04:05.000Z07:00"),
		Method:     c.Method,
		Target:     c.Target,
		Proto:      c.Proto,
		RemoteAddr: c.RemoteAddr,
		Headers:    headerMap(c.Headers),
		Size:       c.Size,
		Truncated:  c.Truncated,
		Error:      c.Err,
		Body:       string(c.Body),
	}
	if !utf8.Valid(c.Body) {
		out.Body = base64.StdEncoding.EncodeToString(c.Body)
		out.BodyEncoding = "base64"
	}
	return out
}
