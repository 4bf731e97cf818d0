package connection

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxBody caps how much of a response body Send keeps in memory.
const MaxBody = 10 << 20

// Redacted replaces a secret wherever a request is shown, logged or stored.
const Redacted = "••••••"

// Request is what a caller asks Send to send. URL is relative to the
// connection's base URL; an absolute URL is accepted only when it points at
// the base URL's origin (or when the connection has no base URL).
type Request struct {
	Method  string
	URL     string
	Query   []KV // appended to any query already in URL
	Headers []KV
	Body    []byte
	// Stream, when set, is the body instead of Body.
	Stream *BodySource
	// Options are the action's retry, timeout, redirect and body settings.
	Options Options
}

// SentRequest is the request exactly as it went out, with every credential
// replaced by Redacted: auth headers, auth query parameters, cookies.
type SentRequest struct {
	Method  string `json:"method"`
	URL     string `json:"url"`
	Headers []KV   `json:"headers"`
	Body    []byte `json:"body,omitempty"`
}

// Response is the result of one Send: what went out and what came back.
// A 4xx or 5xx status is a Response, not an error.
type Response struct {
	Request    SentRequest   `json:"request"`
	Status     int           `json:"status"`
	StatusText string        `json:"status_text"` // e.g. "404 Not Found"
	Proto      string        `json:"proto,omitempty"`
	Headers    []KV          `json:"headers"` // sorted by name (net/http loses the wire order), one entry per value
	Body       []byte        `json:"body,omitempty"`
	Size       int64         `json:"size"`      // bytes of body received, even past MaxBody
	Truncated  bool          `json:"truncated"` // Body holds only the first MaxBody bytes
	Duration   time.Duration `json:"duration"`

	// Attempts lists every attempt when there was more than one.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Redirects lists the redirects followed to get here, in order.
	Redirects []Hop `json:"redirects,omitempty"`
	// Encoding is the Content-Encoding the body was decoded from (gzip,
	// deflate), and WireSize the body's size as received before that.
	Encoding string `json:"content_encoding,omitempty"`
	WireSize int64  `json:"wire_size,omitempty"`

	// token is the OAuth2 token the request carried: Test tells when it
	// expires, AuthProblem whether it was just renewed, and RedactEchoes
	// removes it from what the server echoed.
	token *gotToken
}

// Header returns the first value of the named response header (case-insensitive).
func (r Response) Header(name string) string {
	for _, h := range r.Headers {
		if http.CanonicalHeaderKey(h.Key) == http.CanonicalHeaderKey(name) {
			return h.Value
		}
	}
	return ""
}

// StatusLine is the status as people read it: StatusText ("404 Not Found"),
// or when that is empty (a response not made by Send) the code with the
// phrase net/http knows for it, or the bare code.
func (r Response) StatusLine() string {
	if r.StatusText != "" {
		return r.StatusText
	}
	if text := http.StatusText(r.Status); text != "" {
		return fmt.Sprintf("%d %s", r.Status, text)
	}
	return strconv.Itoa(r.Status)
}

// Send sends req through conn: resolves the URL against the base URL, applies
// auth, follows at most 5 redirects without leaking credentials, bounds the
// whole exchange by conn's timeout and ctx, and caps the body at MaxBody.
// Errors are *Error with a plain-words Reason and secrets redacted.
//
// A secret field holding an env: reference is read from the environment
// here, on a copy, so the value is used, remembered and redacted like any
// other secret; an unset variable is a KindInvalid error naming it.
func Send(ctx context.Context, conn Connection, req Request) (Response, error) {
	conn, err := conn.ResolveEnv()
	if err != nil {
		return Response{}, err
	}
	RememberSecrets(conn.Secrets()...)
	redact := conn.redactor()
	resp, err := send(ctx, conn, req)
	if err != nil {
		return Response{}, redact.redact(err)
	}
	resp.Request = redactSent(resp.Request, conn, redact)
	return resp, nil
}

// baseTransport carries every request. One shared transport keeps
// connections alive between sends; tests swap it to trust their own CA.
var baseTransport http.RoundTripper = newBaseTransport()

func newBaseTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return t
}

// bodyLimit is MaxBody, lowered by tests to keep them fast.
var bodyLimit int64 = MaxBody

// userAgent is sent when the request sets none, so that the request shown
// as sent is the request that went out.
const userAgent = "patchbay"

func send(ctx context.Context, conn Connection, req Request) (Response, error) {
	if errs := conn.validateAuth(); len(errs) > 0 {
		return Response{}, invalid("connection '%s' is not complete: %s", conn.Name, errs[0].Msg)
	}
	target, scope, err := conn.resolve(req.URL, req.Query)
	if err != nil {
		return Response{}, err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	if !isToken(method) {
		return Response{}, invalid("%q is not an HTTP method", method)
	}

	timeout := conn.timeoutOrDefault()
	sendCtx, cancel := context.WithTimeoutCause(ctx, timeout, errTimedOut)
	defer cancel()

	var body io.Reader
	if len(req.Body) > 0 {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(sendCtx, method, target.String(), body)
	if err != nil {
		return Response{}, invalid("the request cannot be built: %s", conn.redactor().outside(unwrapURLError(err).Error()))
	}
	if err := setRequestHeaders(hreq, req.Headers, conn.CaseSensitiveHeaders); err != nil {
		return Response{}, err
	}

	var token *gotToken
	if conn.Auth.Type.IsOAuth2() {
		got, err := conn.token(ctx, sendCtx)
		if err != nil {
			return Response{}, err
		}
		RememberSecrets(got.token.secrets()...)
		token = &got
	}
	base, err := transportFor(conn)
	if err != nil {
		return Response{}, err
	}
	auth := &authTransport{auth: conn.Auth, caseSensitive: conn.CaseSensitiveHeaders, scope: scope, base: base}
	if token != nil {
		auth.creds.bearer = token.token.AccessToken
	}
	if conn.Auth.Type.IsAWS() {
		signer, err := conn.awsSigner(sendCtx)
		if err != nil {
			return Response{}, err
		}
		auth.creds.aws = signer
	}
	client := &http.Client{
		Transport:     auth,
		CheckRedirect: redirectPolicy{scope: scope, credentials: conn.credentialHeaders()}.check,
	}

	start := time.Now()
	hresp, err := client.Do(hreq)
	if err != nil {
		return Response{}, describe(conn.redactor(), err, ctx, sendCtx, timeout, target)
	}
	defer hresp.Body.Close()
	respBody, size, err := readCapped(hresp.Body, bodyLimit)
	if err != nil {
		return Response{}, describe(conn.redactor(), err, ctx, sendCtx, timeout, hresp.Request.URL)
	}
	elapsed := time.Since(start)

	sent := SentRequest{Method: method, URL: target.String(), Headers: sortedHeaders(hreq.Header)}
	if hop := auth.firstHop(); hop != nil {
		sent = SentRequest{Method: hop.method, URL: hop.url.String(), Headers: sortedHeaders(hop.header)}
	}
	if len(req.Body) > 0 {
		sent.Body = bytes.Clone(req.Body[:min(int64(len(req.Body)), bodyLimit)])
	}
	return Response{
		Request:    sent,
		Status:     hresp.StatusCode,
		StatusText: statusText(hresp),
		Proto:      hresp.Proto,
		Headers:    sortedHeaders(hresp.Header),
		Body:       respBody,
		Size:       size,
		Truncated:  size > int64(len(respBody)),
		Duration:   elapsed,
		token:      token,
	}, nil
}

// setRequestHeaders adds the caller's headers to r. A Host header sets the
// request's Host, since net/http ignores it in the map.
func setRequestHeaders(r *http.Request, kvs []KV, caseSensitive bool) error {
	for _, kv := range kvs {
		name := strings.TrimSpace(kv.Key)
		switch {
		case name == "":
			continue
		case !isToken(name):
			return invalid("%q is not a valid header name", name)
		case !validHeaderValue(kv.Value):
			return invalid("the value of header %s may not contain line breaks or control characters", name)
		case strings.EqualFold(name, "Host"):
			r.Host = kv.Value
		case caseSensitive:
			r.Header[name] = append(r.Header[name], kv.Value)
		default:
			r.Header.Add(name, kv.Value)
		}
	}
	if !hasHeader(r.Header, "User-Agent") {
		r.Header.Set("User-Agent", userAgent)
	}
	return nil
}

func hasHeader(h http.Header, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// readCapped reads up to limit bytes of r and counts, without keeping, the
// rest, so that Size tells how big a truncated body really was.
func readCapped(r io.Reader, limit int64) (body []byte, size int64, err error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, limit))
	if err != nil {
		return nil, n, err
	}
	rest, err := io.Copy(io.Discard, r)
	return buf.Bytes(), n + rest, err
}

// statusText is "404 Not Found". The server's own reason phrase is used
// only for codes net/http does not know, and then cleaned.
func statusText(r *http.Response) string {
	if text := http.StatusText(r.StatusCode); text != "" {
		return fmt.Sprintf("%d %s", r.StatusCode, text)
	}
	return CleanText(r.Status)
}

// sortedHeaders lists h by name, one entry per value. The wire order is
// lost in http.Header; sorting at least makes the list stable.
func sortedHeaders(h http.Header) []KV {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var kvs []KV
	for _, name := range names {
		for _, v := range h[name] {
			kvs = append(kvs, KV{Key: name, Value: v})
		}
	}
	return kvs
}

// redactSent replaces every credential in a sent request with Redacted: by
// name, the values of the connection's credential headers and auth query
// parameters and of every header and parameter whose name looks secret
// (IsSecretName: what the user typed, such as X-Api-Key or access_token);
// and any secret of the connection wherever else it appears.
func redactSent(s SentRequest, conn Connection, redact redactor) SentRequest {
	credentials := conn.credentialHeaders()
	headers := make([]KV, len(s.Headers))
	for i, h := range s.Headers {
		headers[i] = KV{Key: h.Key, Value: redact.text(h.Value)}
		if IsSecretName(h.Key) || slices.ContainsFunc(credentials, func(name string) bool { return strings.EqualFold(h.Key, name) }) {
			headers[i].Value = Redacted
		}
	}
	s.Headers = headers
	s.URL = redact.url(s.URL)
	return s
}

// isToken reports whether s is an RFC 9110 token, as methods and header
// names must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// validHeaderValue rejects control characters other than tab, which would
// end the header line early (header injection) or be refused by net/http.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
