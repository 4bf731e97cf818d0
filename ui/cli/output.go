package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"patchbay/connection"
	"patchbay/wizard"
)

// bodyOutput is how `patchbay run` prints a body: the action's response
// type, and its name for hints.
type bodyOutput struct {
	action string
	as     wizard.ResponseType
}

// hexPreviewBytes is how much of a binary body a terminal is shown.
const hexPreviewBytes = 256

// writeBody prints the body. Through a pipe the bytes go out as they came,
// whatever the response type: scripts get what the server sent. On a
// terminal the response type decides: json is pretty-printed when it parses
// (else shown as text, with a note), text is shown cleaned of control
// characters, and binary data — of any type — as a hex preview, never raw.
func (e *env) writeBody(resp connection.Response, out bodyOutput) error {
	if resp.Truncated {
		defer e.fail(exitOK, "the body was cut at %d of %d bytes", len(resp.Body), resp.Size)
	}
	if !isTerminal(e.stdout) {
		_, err := e.stdout.Write(resp.Body)
		return err
	}
	switch out.as {
	case wizard.RespBinary:
		return e.writeHex(resp, out)
	case wizard.RespText:
		return e.writeText(resp, out)
	}
	// json
	body := bytes.TrimSpace(resp.Body)
	var pretty bytes.Buffer
	switch {
	case len(body) == 0 || resp.Truncated || isBinary(body):
		// Nothing to parse, or only its start; binary data is shown as such.
	case json.Indent(&pretty, body, "", "  ") == nil:
		pretty.WriteByte('\n')
		_, err := fmt.Fprint(e.stdout, connection.CleanText(pretty.String()))
		return err
	default:
		what := "it"
		if ct := resp.Header("Content-Type"); ct != "" {
			what = "its Content-Type is " + ct
		}
		e.fail(exitOK, "note: the response is not JSON (%s), so it is shown as text — "+
			"the action's response type is json; text or binary can be chosen with --response-type", what)
	}
	return e.writeText(resp, out)
}

// writeText shows the body on a terminal, cleaned; a binary body is shown
// as hex instead.
func (e *env) writeText(resp connection.Response, out bodyOutput) error {
	if isBinary(resp.Body) {
		return e.writeHex(resp, out)
	}
	text := connection.CleanText(string(resp.Body))
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	_, err := fmt.Fprint(e.stdout, text)
	return err
}

// writeHex shows a binary body on a terminal: a hex dump of its start (its
// text column holds printable ASCII only), its size and how to keep it.
func (e *env) writeHex(resp connection.Response, out bodyOutput) error {
	shown := resp.Body[:min(len(resp.Body), hexPreviewBytes)]
	if _, err := fmt.Fprint(e.stdout, hex.Dump(shown)); err != nil {
		return err
	}
	size := int64(len(resp.Body))
	if resp.Size > size {
		size = resp.Size
	}
	what := fmt.Sprintf("%d bytes", size)
	if size >= 1024 {
		what = fmt.Sprintf("%s (%d bytes)", wizard.FormatSize(size), size)
	}
	if len(shown) < len(resp.Body) {
		what += fmt.Sprintf(", the first %d shown", len(shown))
	}
	e.fail(exitOK, "the response is %s of binary data — redirect it to a file to keep it: patchbay run %s > FILE",
		what, shellQuote(out.action))
	return nil
}

// shellQuote quotes s for a shell command line when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeFull prints the status line, headers, a blank line and the body.
func (e *env) writeFull(resp connection.Response, out bodyOutput) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s\n", proto(resp), resp.StatusLine())
	for _, h := range resp.Headers {
		fmt.Fprintf(&b, "%s: %s\n", h.Key, h.Value)
	}
	b.WriteString("\n")
	head := b.String()
	if isTerminal(e.stdout) {
		head = connection.CleanText(head)
	}
	if _, err := fmt.Fprint(e.stdout, head); err != nil {
		return err
	}
	return e.writeBody(resp, out)
}

func proto(resp connection.Response) string {
	if resp.Proto != "" {
		return resp.Proto
	}
	return "HTTP/1.1"
}

func isBinary(b []byte) bool {
	return !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0
}

// writeDebug prints to stderr the request as sent — method, URL, headers in
// the order Send reports them, the body or a stream's summary, secrets
// redacted (wizard.AsSent) — then the attempts, redirects and content
// encoding as connection reported them. Nothing is printed when nothing
// was sent.
func (e *env) writeDebug(conn connection.Connection, a wizard.Action, vars map[string]string, resp connection.Response) {
	if resp.Request.Method == "" {
		return
	}
	sent := resp.Request
	if req, err := a.Request(vars); err == nil {
		sent = wizard.AsSent(conn, req, resp)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", sent.Method, sent.URL)
	for _, h := range sent.Headers {
		fmt.Fprintf(&b, "> %s: %s\n", h.Key, h.Value)
	}
	if body := sent.Body; len(body) > 0 {
		b.WriteString(">\n")
		if isBinary(body) {
			fmt.Fprintf(&b, "> (%s of binary data)\n", wizard.FormatSize(int64(len(body))))
		} else {
			for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
				fmt.Fprintf(&b, "> %s\n", line)
			}
		}
	}
	for _, at := range resp.Attempts {
		fmt.Fprintf(&b, "* attempt %d of %d", at.N, at.Of)
		if at.Waited > 0 {
			fmt.Fprintf(&b, " after %s", at.Waited)
		}
		if at.Why != "" {
			fmt.Fprintf(&b, " (%s)", at.Why)
		}
		switch {
		case at.Err != "":
			fmt.Fprintf(&b, ": %s", at.Err)
		case at.Status != 0:
			fmt.Fprintf(&b, ": %d %s", at.Status, http.StatusText(at.Status))
		}
		b.WriteString("\n")
	}
	for _, hop := range resp.Redirects {
		fmt.Fprintf(&b, "* redirect %d → %s\n", hop.Status, hop.URL)
	}
	if resp.Encoding != "" {
		fmt.Fprintf(&b, "* body decoded from %s: %s on the wire, %s decoded\n", resp.Encoding,
			wizard.FormatSize(resp.WireSize), wizard.FormatSize(resp.Size))
	}
	fmt.Fprint(e.stderr, connection.CleanText(b.String()))
}

// runOutput is `patchbay run --json`. Its body and headers are the server's
// text; writeJSON escapes what a terminal would act on.
type runOutput struct {
	Action       string               `json:"action"`
	Connection   string               `json:"connection"`
	Status       int                  `json:"status"`
	StatusText   string               `json:"status_text"`
	DurationMS   float64              `json:"duration_ms"`
	Size         int64                `json:"size"`
	Truncated    bool                 `json:"truncated"`
	Headers      map[string][]string  `json:"headers"`
	Body         any                  `json:"body"`
	BodyEncoding string               `json:"body_encoding,omitempty"`
	Request      requestOutput        `json:"request"`
	Attempts     []connection.Attempt `json:"attempts,omitempty"`
	Redirects    []connection.Hop     `json:"redirects,omitempty"`
	// Encoding is the Content-Encoding the body was decoded from, and
	// WireSize its size before.
	Encoding string `json:"encoding,omitempty"`
	WireSize int64  `json:"wire_size,omitempty"`
	Note     string `json:"note,omitempty"`
}

type requestOutput struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers map[string][]string `json:"headers"`
}

func runJSON(action, conn string, resp connection.Response) runOutput {
	out := runOutput{
		Action:     action,
		Connection: conn,
		Status:     resp.Status,
		StatusText: resp.StatusLine(),
		DurationMS: float64(resp.Duration.Microseconds()) / 1000,
		Size:       resp.Size,
		Truncated:  resp.Truncated,
		Headers:    headerMap(resp.Headers),
		Request: requestOutput{
			Method:  resp.Request.Method,
			URL:     resp.Request.URL,
			Headers: headerMap(resp.Request.Headers),
		},
		Attempts:  resp.Attempts,
		Redirects: resp.Redirects,
		Encoding:  resp.Encoding,
		WireSize:  resp.WireSize,
		Note:      connection.CleanText(resp.Note),
	}
	var compact bytes.Buffer
	switch {
	case len(resp.Body) > 0 && json.Compact(&compact, resp.Body) == nil:
		out.Body = json.RawMessage(compact.Bytes())
	case utf8.Valid(resp.Body):
		out.Body = string(resp.Body)
	default:
		out.Body = base64.StdEncoding.EncodeToString(resp.Body)
		out.BodyEncoding = "base64"
	}
	return out
}

func headerMap(kvs []connection.KV) map[string][]string {
	m := make(map[string][]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = append(m[kv.Key], kv.Value)
	}
	return m
}
