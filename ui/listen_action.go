package ui

import (
	"cmp"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/wizard"
)

// Saving a received request as an action (s on the Listen screens): the
// wizard opens on the connection at step 2 with the request in it —
// method, path relative to the base URL, query, headers, body and its type
// — so the body's fields become the action's inputs as any body's do.

// transportHeaders are the received headers a request of the action gets
// from the transport, not from its rows.
var transportHeaders = map[string]bool{
	"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true,
	"Keep-Alive": true, "Te": true, "Trailer": true, "Upgrade": true, "Proxy-Connection": true,
	"Accept-Encoding": true,
}

// capturedRequest is a capture as the wizard's fields, with notes on what
// was changed or left out on the way.
type capturedRequest struct {
	method, url    string
	query, headers []connection.KV
	bodyType       wizard.BodyType
	body           string
	form           []connection.KV
	notes          []string
}

// saveCapture opens the wizard on conn with c in it, at step 2 (or step 1
// when the request does not pass it, showing why). width and height are the
// screen's: the form's rows are sized before they are filled, or a long
// value would show scrolled to its end.
func saveCapture(e *env, conn connection.Connection, c connection.Capture, taken map[string]uint64, width, height int) tea.Cmd {
	r := requestOfCapture(conn, c)
	s := newWizardScreen(e, conn, nil, taken)
	s.SetSize(width, height)
	w := s.w
	w.Name = freeName("Webhook "+r.method+" "+cut(cmp.Or(r.url, "/"), 60), taken)
	w.Method, w.URL, w.Query, w.Headers = r.method, r.url, r.query, r.headers
	w.BodyType, w.Body, w.Form = r.bodyType, r.body, r.form
	s.push()
	// s.start stays the empty wizard's: leaving asks before losing this.
	if errs := w.Next(); len(errs) > 0 {
		s.step1.setErrors(errs)
	}
	status := "Received request loaded: ctrl+s sends it as the sample, ctrl+n reviews it."
	if len(r.notes) > 0 {
		status = "Loaded; " + strings.Join(r.notes, "; ") + "."
	}
	return tea.Sequence(push(s), func() tea.Msg { return statusMsg{text: status} })
}

// requestOfCapture turns c into the wizard's fields. Every value passes
// through CleanText: the form fields draw what they hold as it is.
func requestOfCapture(conn connection.Connection, c connection.Capture) capturedRequest {
	r := capturedRequest{method: strings.ToUpper(c.Method), bodyType: wizard.BodyNone}
	changed := false
	clean := func(s string) string {
		out := connection.CleanText(s)
		changed = changed || out != strings.ReplaceAll(s, "\r\n", "\n")
		return out
	}
	path, rawQuery, _ := strings.Cut(c.Target, "?")
	r.url = clean(relativeTo(conn.BaseURL, path))
	for _, kv := range wizard.SplitQuery(rawQuery) {
		r.query = append(r.query, connection.KV{Key: clean(kv.Key), Value: clean(kv.Value)})
	}
	for _, h := range c.Headers {
		if !transportHeaders[h.Key] {
			r.headers = append(r.headers, connection.KV{Key: clean(h.Key), Value: clean(h.Value)})
		}
	}
	mediaType, _, _ := mime.ParseMediaType(c.Header("Content-Type"))
	body := c.Body
	switch {
	case len(body) == 0:
	case !utf8.Valid(body) || strings.ContainsRune(string(body), 0):
		r.notes = append(r.notes, "the body is binary data, so it was left out")
	case mediaType == "application/x-www-form-urlencoded" && !c.Truncated:
		r.bodyType = wizard.BodyForm
		for _, kv := range wizard.SplitQuery(string(body)) {
			r.form = append(r.form, connection.KV{Key: clean(kv.Key), Value: clean(kv.Value)})
		}
	case json.Valid(body):
		r.bodyType, r.body = wizard.BodyJSON, clean(string(body))
	default:
		r.bodyType, r.body = wizard.BodyText, clean(string(body))
	}
	if c.Truncated && len(body) > 0 {
		r.notes = append(r.notes, fmt.Sprintf("only the first %s of the %s body arrived or was kept",
			wizard.FormatSize(int64(len(body))), wizard.FormatSize(c.Size)))
	}
	if changed {
		r.notes = append(r.notes, "control characters in it are written as escapes (\\x07, ␛)")
	}
	return r
}

// relativeTo makes path relative to the base URL's path when it is under
// it: the action's URL is joined to the base URL.
func relativeTo(baseURL, path string) string {
	b, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		return path
	}
	base := strings.TrimRight(b.EscapedPath(), "/")
	switch {
	case base == "":
	case path == base:
		return ""
	case strings.HasPrefix(path, base+"/"):
		return path[len(base):]
	}
	return path
}

// cut shortens s to n runes, with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// freeName is name, or "name 2", "name 3"..., the first no action has.
func freeName(name string, taken map[string]uint64) string {
	free := name
	for i := 2; ; i++ {
		if _, ok := taken[strings.ToLower(free)]; !ok {
			return free
		}
		free = fmt.Sprintf("%s %d", name, i)
	}
}
