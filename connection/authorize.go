package connection

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"html"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultAuthorizeTimeout bounds the wait for the sign-in when
// AuthorizeOptions.Timeout is zero.
const DefaultAuthorizeTimeout = 5 * time.Minute

// CallbackPath is the path of the loopback redirect URI:
// http://127.0.0.1:PORT/callback.
const CallbackPath = "/callback"

// reservedAuthorizeParams are the authorize parameters patchbay sets
// itself; the same names in AuthorizeParams (say, kept from a pasted
// authorize URL) are left out rather than let them replace the fresh state
// or the PKCE challenge.
var reservedAuthorizeParams = map[string]bool{
	"client_id": true, "redirect_uri": true, "state": true,
	"code_challenge": true, "code_challenge_method": true,
}

// Authorize runs the authorization code flow with PKCE S256 and a fresh
// state for conn: it listens on 127.0.0.1 (CallbackPort or a free port),
// shows and opens the authorize URL, waits for one callback (or a pasted
// URL) whose state matches, exchanges the code with a client that refuses
// redirects, saves the token in conn.Tokens and returns it. The listener is
// closed after one callback or the timeout.
//
// A callback or pasted URL without this attempt's state is refused (the
// browser is told so, opts.Rejected hears it) and the wait goes on; it is
// never exchanged. When the response carries an iss parameter (RFC 9207)
// it must name the authorize URL's server: patchbay has no discovery
// document to know the issuer exactly, so it requires the authorize URL's
// scheme, host and port, and a path the authorize URL's path starts with
// (https://id.example.com/realms/x for .../realms/x/protocol/openid-connect/auth);
// a mismatch ends the attempt. Extra authorize parameters named client_id,
// redirect_uri, state, code_challenge or code_challenge_method are left out.
//
// Errors are *Error with a plain-words Reason, redacted.
func Authorize(ctx context.Context, conn Connection, opts AuthorizeOptions) (Token, error) {
	if !conn.Auth.Type.IsAuthorizationCode() {
		return Token{}, invalid("connection '%s' does not use the OAuth2 authorization code flow", conn.Name)
	}
	conn, err := conn.readyForTokens()
	if err != nil {
		return Token{}, err
	}
	redact := conn.redactor()
	conn = conn.withEffectiveOAuth2() // Azure: the derived endpoints and resource
	o := conn.Auth.OAuth2
	authorizeURL, err := parseHTTPURL(strings.TrimSpace(o.AuthorizeURL))
	if err != nil {
		return Token{}, invalid("the authorize URL of connection '%s' is not usable: %s", conn.Name, redact.outside(err.Error()))
	}

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(o.CallbackPort)))
	if err != nil {
		return Token{}, &Error{Kind: KindInvalid, Err: err, Reason: fmt.Sprintf(
			"cannot wait for the sign-in of connection '%s': port %d of 127.0.0.1 is not free (%s)",
			conn.Name, o.CallbackPort, CleanText(unwrapOpError(err).Error()))}
	}
	defer ln.Close() // Shutdown closes it too; this covers every other path
	callbackURL := fmt.Sprintf("http://127.0.0.1:%d%s", ln.Addr().(*net.TCPAddr).Port, CallbackPath)

	state := rand.Text()
	verifier := oauth2.GenerateVerifier()
	cfg := o.config(callbackURL, false)
	// A pasted authorize URL keeps its own parameters (audience, prompt, …)
	// as options; left in the URL they would be sent beside patchbay's, and
	// a state or redirect_uri copied from the docs could win over the fresh
	// ones. response_type is x/oauth2's to set.
	fromURL := authorizeURL.Query()
	authorizeURL.RawQuery = ""
	cfg.Endpoint.AuthURL = authorizeURL.String()
	var params []oauth2.AuthCodeOption
	for _, k := range slices.Sorted(maps.Keys(fromURL)) {
		if k != "" && k != "response_type" && !reservedAuthorizeParams[k] {
			params = append(params, oauth2.SetAuthURLParam(k, fromURL.Get(k)))
		}
	}
	for _, kv := range o.AuthorizeParams {
		if kv.Key != "" && !reservedAuthorizeParams[kv.Key] {
			params = append(params, oauth2.SetAuthURLParam(kv.Key, kv.Value))
		}
	}
	params = append(params, oauth2.S256ChallengeOption(verifier))
	authURL := cfg.AuthCodeURL(state, params...)

	cs := &callbackServer{
		state:    state,
		results:  make(chan callback),
		done:     make(chan struct{}),
		rejected: opts.Rejected,
	}
	srv := &http.Server{Handler: cs, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		cs.mu.Lock()
		close(cs.done) // handlers still waiting answer "this attempt is over"
		cs.mu.Unlock()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()

	if opts.ShowURL != nil {
		opts.ShowURL(authURL, callbackURL)
	}
	if opts.OpenBrowser != nil {
		_ = opts.OpenBrowser(authURL) // the URL was shown: the user can open it
	}

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultAuthorizeTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	finish := func(q url.Values) (Token, page, error) {
		return conn.finishAuthorize(ctx, q, cfg, verifier, authorizeURL, redact)
	}
	pasted := opts.Pasted
	for {
		select {
		case cb := <-cs.results:
			t, p, err := finish(cb.query)
			cb.reply <- p
			return t, err
		case text, ok := <-pasted:
			if !ok {
				pasted = nil // no more pasting; the callback may still come
				continue
			}
			q, reason := pastedQuery(text)
			if reason == "" {
				reason = cs.check(q)
			}
			if reason != "" {
				cs.reject(reason)
				continue
			}
			t, _, err := finish(q)
			return t, err
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return Token{}, &Error{Kind: KindTimeout, Err: ctx.Err(), Reason: fmt.Sprintf("no sign-in for connection '%s' arrived before the deadline", conn.Name)}
			}
			return Token{}, &Error{Kind: KindCanceled, Err: ctx.Err(), Reason: "canceled"}
		case <-timer.C:
			return Token{}, &Error{Kind: KindTimeout, Reason: fmt.Sprintf(
				"no sign-in for connection '%s' arrived within %s, so patchbay stopped waiting — run `patchbay connection connect %s` again",
				conn.Name, ShortDuration(timeout), conn.Name)}
		}
	}
}

// finishAuthorize turns an authorization response whose state matched into
// a token: it checks iss, reports an error= response, exchanges the code
// with the verifier through the token client and saves the token. The page
// is what the browser is told.
func (c Connection) finishAuthorize(ctx context.Context, q url.Values, cfg *oauth2.Config, verifier string, authorizeURL *url.URL, redact redactor) (Token, page, error) {
	fail := func(e *Error) (Token, page, error) {
		return Token{}, page{http.StatusBadRequest, "patchbay: connection '" + c.Name + "' was not connected — " + e.Reason}, e
	}
	if iss := q.Get("iss"); iss != "" && !issuerMatches(iss, authorizeURL) {
		return fail(invalid("the sign-in response names issuer %s, which is not the server of the authorize URL (%s); it was not used",
			redact.outside(iss), redact.outside(authorizeURL.Host)))
	}
	if code := q.Get("error"); code != "" {
		reason := redact.outside(code)
		if d := q.Get("error_description"); d != "" {
			reason += " — " + redact.outside(d)
		}
		return fail(invalid("the authorization server did not connect '%s': %s", c.Name, reason))
	}
	exCtx, cancel := context.WithTimeoutCause(ctx, c.timeoutOrDefault(), errTimedOut)
	defer cancel()
	ot, err := cfg.Exchange(c.tokenContext(exCtx), q.Get("code"), c.Auth.OAuth2.exchangeOptions(verifier)...)
	if err != nil {
		return fail(c.tokenError(redact, err, ctx, exCtx))
	}
	t := fromOAuth2(ot)
	RememberSecrets(t.secrets()...)
	if c.Tokens != nil {
		if err := c.Tokens.SaveToken(c.ID, t); err != nil {
			return fail(c.tokenStoreError("saved", err))
		}
	}
	return t, page{http.StatusOK, "patchbay: connection '" + c.Name + "' is connected — you can close this tab."}, nil
}

// issuerMatches reports whether iss can be the issuer of the server at
// authorize: the same origin, and a path that authorize's path starts with.
func issuerMatches(iss string, authorize *url.URL) bool {
	u, err := url.Parse(iss)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if originOf(u) != originOf(authorize) {
		return false
	}
	p := strings.TrimSuffix(u.Path, "/")
	return p == "" || authorize.Path == p || strings.HasPrefix(authorize.Path, p+"/")
}

// pastedQuery reads the parameters of a pasted redirected URL; a bare query
// ("code=...&state=...") is accepted too. reason says why text is not one.
func pastedQuery(text string) (q url.Values, reason string) {
	text = strings.TrimSpace(text)
	raw := text
	if isAbsoluteURL(text) {
		u, err := url.Parse(text)
		if err != nil {
			return nil, "the pasted text is not a URL"
		}
		raw = u.RawQuery
	}
	q, err := url.ParseQuery(strings.TrimPrefix(raw, "?"))
	if err != nil || (q.Get("code") == "" && q.Get("error") == "") {
		return nil, "the pasted text is not the redirected URL: it has no code= or error= parameter"
	}
	return q, ""
}

// page is what the browser is told after a callback.
type page struct {
	status int
	text   string
}

// callback is one authorization response that reached the listener with
// the right state; the flow answers on reply.
type callback struct {
	query url.Values
	reply chan page
}

// callbackServer serves the loopback redirect URI.
type callbackServer struct {
	state    string
	results  chan callback
	done     chan struct{} // closed when Authorize returns
	rejected func(string)
	mu       sync.Mutex // held to call rejected, and to close done
}

func (s *callbackServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != CallbackPath {
		http.NotFound(w, r)
		return
	}
	over := page{http.StatusGone, "patchbay: this sign-in attempt is over — start it again from patchbay."}
	q := r.URL.Query()
	if reason := s.check(q); reason != "" {
		s.reject(reason)
		writePage(w, page{http.StatusBadRequest, "patchbay: " + reason + "."})
		return
	}
	cb := callback{query: q, reply: make(chan page, 1)}
	select {
	case s.results <- cb:
	case <-s.done:
		writePage(w, over)
		return
	}
	select {
	case p := <-cb.reply:
		writePage(w, p)
	case <-s.done:
		select {
		case p := <-cb.reply: // answered just before the end
			writePage(w, p)
		default:
			writePage(w, over)
		}
	}
}

// check says why q is not a response to this attempt, or "".
func (s *callbackServer) check(q url.Values) string {
	got := q.Get("state")
	switch {
	case got == "":
		return "the sign-in response has no state, so it cannot belong to this attempt; it was ignored"
	case subtle.ConstantTimeCompare([]byte(got), []byte(s.state)) != 1:
		return "the sign-in response belongs to another attempt (its state does not match); it was ignored"
	case q.Get("code") == "" && q.Get("error") == "":
		return "the sign-in response has neither a code nor an error; it was ignored"
	}
	return ""
}

// reject tells opts.Rejected why a response was refused, unless Authorize
// has returned: it is never called after that.
func (s *callbackServer) reject(reason string) {
	if s.rejected == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
	default:
		s.rejected(reason)
	}
}

// writePage answers the browser with a small page that loads nothing and
// leaks no referrer (the URL it came with holds the code).
func writePage(w http.ResponseWriter, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Connection", "close")
	w.WriteHeader(p.status)
	fmt.Fprintf(w, "<!doctype html>\n<meta charset=\"utf-8\">\n<title>patchbay</title>\n<p>%s</p>\n", html.EscapeString(p.text))
}

// unwrapOpError drops net.OpError's preamble (listen tcp 127.0.0.1:80:).
func unwrapOpError(err error) error {
	if oe, ok := err.(*net.OpError); ok && oe.Err != nil {
		return oe.Err
	}
	return err
}
