package connection

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxBody was the fixed cap on a response body.
//
// Deprecated: the cap is Options.BodyCap, by default DefaultBodyCap.
const MaxBody = DefaultBodyCap

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
// Headers are in the order and spelling they were written on the wire
// (Host, User-Agent and Content-Length first, as net/http writes them), by
// the final attempt, before any redirect. A streamed body (Request.Stream)
// is shown as its Summary.
type SentRequest struct {
	Method  string `json:"method"`
	URL     string `json:"url"`
	Headers []KV   `json:"headers"`
	Body    []byte `json:"body,omitempty"`
}

// Response is the result of one Send: what went out and what came back.
// A 4xx or 5xx status is a Response, not an error.
type Response struct {
	Request    SentRequest `json:"request"`
	Status     int         `json:"status"`
	StatusText string      `json:"status_text"` // e.g. "404 Not Found"
	Proto      string      `json:"proto,omitempty"`
	Headers    []KV        `json:"headers"` // as received, sorted by name (net/http loses the wire order), one entry per value
	Body       []byte      `json:"body,omitempty"`
	// Size is the size of the whole body, decoded, even past the cap.
	Size int64 `json:"size"`
	// Truncated says Body is not the whole body: it holds only the first
	// Options.BodyCap bytes, or the body broke off (Note says why).
	Truncated bool `json:"truncated"`
	// Duration is the time the final attempt took, from sending the
	// request to reading the body; the waits between attempts are in
	// Attempts.
	Duration time.Duration `json:"duration"`

	// Attempts lists every attempt when there was more than one.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Redirects lists the redirects followed to get here, in order.
	Redirects []Hop `json:"redirects,omitempty"`
	// Encoding is the body's Content-Encoding. gzip and deflate are
	// decoded, so Body and Size are the decoded bytes; any other (br,
	// zstd) is left as received. WireSize is the body's size as received.
	Encoding string `json:"content_encoding,omitempty"`
	WireSize int64  `json:"wire_size,omitempty"`
	// Note says in words why the response is not simply the answer to the
	// request: retrying stopped short (a Retry-After past the deadline), a
	// body could not be decoded.
	Note string `json:"note,omitempty"`

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
// auth, and honours req.Options — retries and their waits, the timeout of
// each attempt and the deadline of the whole, the redirect limit (following
// redirects without leaking credentials), the body cap, TLS narrowing. The
// body is decoded (gzip, deflate) and capped. Errors are *Error with a
// plain-words Reason and secrets redacted.
//
// A secret field holding an env: reference is read from the environment
// here, on a copy, so the value is used, remembered and redacted like any
// other secret; an unset variable is a KindInvalid error naming it.
func Send(ctx context.Context, conn Connection, req Request) (Response, error) {
	secrets := conn.Secrets()
	if hasEnvRef(conn, secrets) {
		var err error
		if conn, err = conn.ResolveEnv(); err != nil {
			return Response{}, err
		}
		secrets = conn.Secrets()
	}
	RememberSecrets(secrets...)
	redact := newRedactor(secrets)
	redact.params = conn.credentialParams()
	credentials := conn.credentialHeaders()
	resp, err := send(ctx, conn, req, redact, credentials)
	if err != nil {
		return Response{}, redact.redact(err)
	}
	resp.Request = redactSent(resp.Request, credentials, redact)
	return resp, nil
}

// hasEnvRef reports whether a secret field of conn is an env: reference,
// so that the copy ResolveEnv makes is made only when there is one to
// resolve. secrets is conn.Secrets(), which holds every secret field but a
// TLS key that is a path (or a reference) rather than PEM.
func hasEnvRef(conn Connection, secrets []string) bool {
	if _, ok := EnvRef(conn.TLS.Key); ok {
		return true
	}
	for _, s := range secrets {
		if _, ok := EnvRef(s); ok {
			return true
		}
	}
	return false
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

// userAgent is sent when the request sets none, so that the request shown
// as sent is the request that went out.
const userAgent = "patchbay"

var (
	defaultUserAgent      = []string{userAgent}
	defaultAcceptEncoding = []string{acceptEncoding}
)

// sender is one Send: what its attempts share.
type sender struct {
	callerCtx   context.Context // the caller's, to tell its cancel from a timeout
	conn        Connection
	redact      redactor
	opts        Options
	method      string
	target      *url.URL
	scope       origin
	header      http.Header // the request's own headers
	credHeaders []string    // the connection's credentialHeaders
	host        string      // from a Host header
	body        []byte
	stream      *BodySource
	timeout     time.Duration // of each attempt
	base        http.RoundTripper
	creds       sendCreds
	token       *gotToken
}

func send(ctx context.Context, conn Connection, req Request, redact redactor, credentials []string) (Response, error) {
	if errs := req.Options.Validate(); len(errs) > 0 {
		return Response{}, invalid("the options are not usable: %s", errs[0].Msg)
	}
	if errs := conn.validateAuth(); len(errs) > 0 {
		return Response{}, invalid("connection '%s' is not complete: %s", conn.Name, errs[0].Msg)
	}
	target, scope, err := resolveCached(conn, req.URL, req.Query)
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
	header, host, err := requestHeaders(req.Headers, conn.CaseSensitiveHeaders)
	if err != nil {
		return Response{}, err
	}
	base, err := transportFor(conn, req.Options.VerifyTLS)
	if err != nil {
		return Response{}, err
	}
	s := &sender{
		callerCtx: ctx, conn: conn, redact: redact, opts: req.Options,
		method: method, target: target, scope: scope, header: header, host: host,
		credHeaders: credentials, body: req.Body, stream: req.Stream,
		timeout: req.Options.attemptTimeout(conn), base: base,
	}
	if d := req.Options.Deadline; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, d, &deadlinePassed{after: d})
		defer cancel()
	}
	if err := s.credentials(ctx); err != nil {
		return Response{}, err
	}
	resp, err := s.run(ctx)
	if err == nil && s.refusedStoredToken(resp) {
		if again, ok, err := s.withNewToken(ctx); ok {
			return again, err
		}
	}
	return resp, err
}

// credentials gets what the connection's auth needs beyond its own fields,
// once for all attempts: an OAuth2 token, AWS credentials.
func (s *sender) credentials(ctx context.Context) error {
	oauth2, aws := s.conn.Auth.Type.IsOAuth2(), s.conn.Auth.Type.IsAWS()
	if !oauth2 && !aws {
		return nil
	}
	ctx, cancel := context.WithTimeoutCause(ctx, s.timeout, errTimedOut)
	defer cancel()
	if oauth2 {
		got, err := s.conn.token(s.callerCtx, ctx)
		if err != nil {
			return err
		}
		RememberSecrets(got.token.secrets()...)
		s.token = &got
		s.creds.bearer = got.token.AccessToken
	}
	if aws {
		signer, err := s.conn.awsSigner(ctx)
		if err != nil {
			return err
		}
		s.creds.aws = signer
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

// statusText is "404 Not Found". The server's own reason phrase is used
// only for codes net/http does not know, and then cleaned.
func statusText(r *http.Response) string {
	if c := r.StatusCode; c >= 0 && c < len(statusTexts) && statusTexts[c] != "" {
		return statusTexts[c]
	}
	if text := http.StatusText(r.StatusCode); text != "" {
		return strconv.Itoa(r.StatusCode) + " " + text
	}
	return CleanText(r.Status)
}

// statusTexts holds statusText's answer for every code net/http knows,
// made once: it is written only here, before any Send, and read after.
var statusTexts = func() (t [600]string) {
	for c := range t {
		if text := http.StatusText(c); text != "" {
			t[c] = strconv.Itoa(c) + " " + text
		}
	}
	return t
}()

// sortedHeaders lists h by name, one entry per value. The wire order is
// lost in http.Header; sorting at least makes the list stable.
func sortedHeaders(h http.Header) []KV {
	type entry struct {
		name   string
		values []string
	}
	var stack [16]entry
	entries, n := stack[:0], 0
	for name, values := range h {
		entries = append(entries, entry{name, values})
		n += len(values)
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	kvs := make([]KV, 0, n)
	for _, e := range entries {
		for _, v := range e.values {
			kvs = append(kvs, KV{Key: e.name, Value: v})
		}
	}
	return kvs
}

// redactSent replaces every credential in a sent request with Redacted: by
// name, the values of the connection's credential headers and auth query
// parameters and of every header and parameter whose name looks secret
// (IsSecretName: what the user typed, such as X-Api-Key or access_token);
// and any secret of the connection wherever else it appears. The headers
// are redacted in place: they are the attempt's own list (exchange makes a
// new one for every attempt), shared with nothing else.
func redactSent(s SentRequest, credentials []string, redact redactor) SentRequest {
	for i := range s.Headers {
		h := &s.Headers[i]
		if secretHeaderName(h.Key) || slices.ContainsFunc(credentials, func(name string) bool { return strings.EqualFold(h.Key, name) }) {
			h.Value = Redacted
		} else {
			h.Value = redact.text(h.Value)
		}
	}
	s.URL = redact.url(s.URL)
	return s
}

// secretHeaderName is IsSecretName, answered at once for the names that
// net/http and patchbay write on almost every request.
func secretHeaderName(name string) bool {
	switch name {
	case "Host", "User-Agent", "Content-Length", "Content-Type", "Accept", "Accept-Encoding", "Transfer-Encoding", "Connection":
		return false
	}
	return IsSecretName(name)
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
