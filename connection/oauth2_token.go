package connection

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenEarlyExpiry is how long before its expiry a token stops being used:
// a token that would expire while a request is on its way is renewed first.
const tokenEarlyExpiry = 30 * time.Second

// tokenClock is the clock of the token lifecycle; tests may move it.
var tokenClock = time.Now

// usable reports whether t can authorize a request at when.
func (t Token) usable(when time.Time) bool {
	return t.AccessToken != "" && t.NeedsReconnect == "" &&
		(t.Expiry.IsZero() || when.Add(tokenEarlyExpiry).Before(t.Expiry))
}

// secrets are the token's secret values.
func (t Token) secrets() []string {
	var s []string
	for _, v := range []string{t.AccessToken, t.RefreshToken} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// ExpiresIn says when t expires, as a connections list shows it: "expires
// in 59m", "expires in 1h30m", "expires in 3d", "expired", or "" when t has
// no access token or no expiry. The early renewal margin is not counted.
func ExpiresIn(t Token, at time.Time) string {
	if t.AccessToken == "" || t.Expiry.IsZero() {
		return ""
	}
	left := t.Expiry.Sub(at)
	switch {
	case left <= 0:
		return "expired"
	case left < time.Minute:
		return fmt.Sprintf("expires in %ds", int(left/time.Second))
	case left < time.Hour:
		return fmt.Sprintf("expires in %dm", int(left/time.Minute))
	case left < 48*time.Hour:
		h, m := int(left/time.Hour), int(left%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("expires in %dh", h)
		}
		return fmt.Sprintf("expires in %dh%dm", h, m)
	}
	return fmt.Sprintf("expires in %dd", int(left/(24*time.Hour)))
}

// TokenStatus is a token's state in a few words, for the connections list:
// "not connected", "needs reconnect: REASON", "connected (expires in 59m)",
// "connected (token expired, renewed on next use)" or "connected".
func TokenStatus(t Token, at time.Time) string {
	switch {
	case t.NeedsReconnect != "":
		return "needs reconnect: " + t.NeedsReconnect
	case t.AccessToken == "":
		return "not connected"
	}
	switch e := ExpiresIn(t, at); e {
	case "":
		return "connected"
	case "expired":
		return "connected (token expired, renewed on next use)"
	default:
		return "connected (" + e + ")"
	}
}

// CurrentToken returns a usable token of an OAuth2 connection the way Send
// gets one: the stored token while it is good, else a new one (client
// credentials fetched again, a code-flow token refreshed), saved in
// conn.Tokens. For `patchbay connection connect` of an oauth2-client
// connection, and for showing a fresh "expires in". A code-flow connection
// without a usable token fails with ErrNeedsReconnect: Authorize is its
// way in. Errors are *Error, redacted.
func CurrentToken(ctx context.Context, conn Connection) (Token, error) {
	if !conn.Auth.Type.IsOAuth2() {
		return Token{}, invalid("connection '%s' does not use OAuth2", conn.Name)
	}
	conn, err := conn.readyForTokens()
	if err != nil {
		return Token{}, err
	}
	tctx, cancel := context.WithTimeoutCause(ctx, conn.timeoutOrDefault(), errTimedOut)
	defer cancel()
	got, err := conn.token(ctx, tctx)
	if err != nil {
		return Token{}, conn.redactor().redact(err)
	}
	RememberSecrets(got.token.secrets()...)
	return got.token, nil
}

// tokenLocks serializes getting a new token per connection ID across the
// process, so that concurrent requests with an expired token cause one
// refresh: the others wait and then find the new token in the store.
var tokenLocks struct {
	sync.Mutex
	m map[uint64]chan struct{}
}

// lockToken takes the token lock of connection id, or gives up when ctx
// is done. It returns the unlock function.
func lockToken(ctx context.Context, id uint64) (func(), error) {
	tokenLocks.Lock()
	if tokenLocks.m == nil {
		tokenLocks.m = map[uint64]chan struct{}{}
	}
	sem, ok := tokenLocks.m[id]
	if !ok {
		sem = make(chan struct{}, 1)
		tokenLocks.m[id] = sem
	}
	tokenLocks.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// gotToken is the token a Send used, and whether it was fetched or
// refreshed by this Send (a 401 then says the connection is at fault).
type gotToken struct {
	token Token
	fresh bool
}

// token returns a usable token for an OAuth2 connection whose secrets are
// resolved (no env: references): the stored one while it is good, else a
// new one — client credentials are fetched again, a code-flow token is
// refreshed with its refresh token (and a rotated refresh token saved at
// once). callerCtx is Send's caller's context, ctx the one bounded by the
// connection's timeout. Errors are *Error, redacted; one that needs the
// user to connect again wraps ErrNeedsReconnect.
func (c Connection) token(callerCtx, ctx context.Context) (gotToken, error) {
	c = c.withEffectiveOAuth2() // Azure: the derived endpoints
	if c.Tokens != nil {
		t, err := c.Tokens.LoadToken(c.ID)
		if err != nil {
			return gotToken{}, c.tokenStoreError("read", err)
		}
		if t.usable(tokenClock()) {
			return gotToken{token: t}, nil
		}
	}
	unlock, err := lockToken(ctx, c.ID)
	if err != nil {
		return gotToken{}, describe(c.redactor(), err, callerCtx, ctx, c.timeoutOrDefault(), c.tokenURL())
	}
	defer unlock()

	var t Token
	if c.Tokens != nil {
		// Whoever held the lock before may have renewed it already.
		if t, err = c.Tokens.LoadToken(c.ID); err != nil {
			return gotToken{}, c.tokenStoreError("read", err)
		}
		if t.usable(tokenClock()) {
			return gotToken{token: t}, nil
		}
	}
	redact := newRedactor(append(c.Secrets(), t.secrets()...))
	var fresh Token
	switch c.Auth.Type {
	case AuthOAuth2Client, AuthAzureClient:
		// Client credentials have nothing to reconnect: a stale mark is
		// ignored and a new token fetched.
		fresh, err = c.clientCredentialsToken(ctx)
		if err != nil {
			return gotToken{}, c.tokenError(redact, err, callerCtx, ctx)
		}
	case AuthOAuth2Code, AuthAzureCode:
		switch {
		case t.NeedsReconnect != "":
			return gotToken{}, c.needsReconnect(t.NeedsReconnect, nil)
		case t.AccessToken == "" && t.RefreshToken == "":
			return gotToken{}, c.notConnected()
		case t.RefreshToken == "":
			return gotToken{}, c.markNeedsReconnect(t, "the access token expired and the server gave no refresh token", nil)
		}
		fresh, err = c.refresh(ctx, t.RefreshToken)
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			reason := redact.outside(re.ErrorDescription)
			if reason == "" {
				reason = "the server refused the refresh token (invalid_grant)"
			}
			return gotToken{}, c.markNeedsReconnect(t, reason, &redactedError{text: retrieveErrorText(redact, re), err: re})
		}
		if err != nil {
			return gotToken{}, c.tokenError(redact, err, callerCtx, ctx)
		}
	default:
		return gotToken{}, invalid("connection '%s' does not use OAuth2", c.Name)
	}
	if c.Tokens != nil {
		if err := c.Tokens.SaveToken(c.ID, fresh); err != nil {
			RememberSecrets(fresh.secrets()...)
			return gotToken{}, c.tokenStoreError("saved", err)
		}
	}
	return gotToken{token: fresh, fresh: true}, nil
}

// tokenURL is the token endpoint as a URL, for error descriptions.
func (c Connection) tokenURL() *url.URL {
	if c.Auth.OAuth2 == nil {
		return nil
	}
	u, _ := url.Parse(c.Auth.OAuth2.TokenURL)
	return u
}

// tokenStoreError is a failure of conn.Tokens; done is "read" or "saved".
func (c Connection) tokenStoreError(done string, err error) *Error {
	return &Error{Kind: KindInvalid, Err: err, Reason: fmt.Sprintf("the token of connection '%s' could not be %s: %s",
		c.Name, done, c.redactor().outside(err.Error()))}
}

// notConnected is the error of a code-flow connection that has no token yet.
func (c Connection) notConnected() *Error {
	return &Error{Kind: KindInvalid, Err: ErrNeedsReconnect,
		Reason: fmt.Sprintf("connection '%s' is not connected yet — run `patchbay connection connect %s`", c.Name, c.Name)}
}

// needsReconnect is the error of a connection whose token cannot be used
// or refreshed, for reason (already cleaned and redacted).
func (c Connection) needsReconnect(reason string, cause error) *Error {
	err := ErrNeedsReconnect
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrNeedsReconnect, cause)
	}
	return &Error{Kind: KindInvalid, Err: err,
		Reason: fmt.Sprintf("connection '%s' needs to be reconnected: %s — run `patchbay connection connect %s`", c.Name, reason, c.Name)}
}

// markNeedsReconnect saves t marked as needing reconnect for reason and
// returns the error that says so.
func (c Connection) markNeedsReconnect(t Token, reason string, cause error) *Error {
	t.NeedsReconnect = reason
	if c.Tokens != nil {
		if err := c.Tokens.SaveToken(c.ID, t); err != nil {
			return c.tokenStoreError("saved", err)
		}
	}
	return c.needsReconnect(reason, cause)
}

// authStyle is how x/oauth2 sends the client id and secret.
func (o *OAuth2) authStyle() oauth2.AuthStyle {
	if o.TokenAuth == TokenAuthHeader {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

// config is the x/oauth2 configuration of the code flow; refresh makes it
// talk to the refresh URL.
func (o *OAuth2) config(redirectURL string, refresh bool) *oauth2.Config {
	tokenURL := strings.TrimSpace(o.TokenURL)
	if r := strings.TrimSpace(o.RefreshURL); refresh && r != "" {
		tokenURL = r
	}
	return &oauth2.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   strings.TrimSpace(o.AuthorizeURL),
			TokenURL:  tokenURL,
			AuthStyle: o.authStyle(),
		},
		RedirectURL: redirectURL,
		Scopes:      strings.Fields(o.Scopes),
	}
}

// tokenContext hands x/oauth2 the HTTP client of token requests.
func (c Connection) tokenContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.tokenClient())
}

// tokenClient is the HTTP client of token requests: it refuses every
// redirect (x/oauth2 would follow a 307 and send the code, the verifier,
// the refresh token and the client secret again, to wherever it points),
// adds the connection's token headers, and goes out with the connection's
// TLS settings (tokenTransport).
func (c Connection) tokenClient() *http.Client {
	var headers []KV
	if c.Auth.OAuth2 != nil {
		headers = c.Auth.OAuth2.TokenHeaders
	}
	base, err := tokenTransport(c)
	if err != nil {
		base = failedTransport{err}
	}
	return &http.Client{
		Transport: &tokenHeaderTransport{headers: headers, base: base},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // the 3xx becomes a RetrieveError
		},
	}
}

// failedTransport fails every request with why the connection's transport
// could not be made (TLS settings that cannot be used).
type failedTransport struct{ err error }

func (t failedTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, t.err }

// tokenHeaderTransport adds the token headers to every token request.
type tokenHeaderTransport struct {
	headers []KV
	base    http.RoundTripper
}

func (t *tokenHeaderTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	setHeaders(out.Header, t.headers, false)
	if !hasHeader(out.Header, "User-Agent") {
		out.Header.Set("User-Agent", userAgent)
	}
	return t.base.RoundTrip(out)
}

// clientCredentialsToken fetches a token with the client credentials grant.
func (c Connection) clientCredentialsToken(ctx context.Context) (Token, error) {
	o := c.Auth.OAuth2
	cc := clientcredentials.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		TokenURL:     strings.TrimSpace(o.TokenURL),
		Scopes:       strings.Fields(o.Scopes),
		AuthStyle:    o.authStyle(),
		// resource, for Azure's 1.0 endpoint
		EndpointParams: o.tokenParams(),
	}
	t, err := cc.Token(c.tokenContext(ctx))
	if err != nil {
		return Token{}, err
	}
	return fromOAuth2(t), nil
}

// refresh gets a new token with refreshToken from the refresh URL (or the
// token URL). A server that does not rotate the refresh token leaves the
// old one in the result.
func (c Connection) refresh(ctx context.Context, refreshToken string) (Token, error) {
	cfg := c.Auth.OAuth2.config("", true)
	// An expired token with only the refresh token makes TokenSource refresh.
	t, err := cfg.TokenSource(c.tokenContext(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return Token{}, err
	}
	return fromOAuth2(t), nil
}

func fromOAuth2(t *oauth2.Token) Token {
	return Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
}

// retrieveErrorText is what patchbay shows of a token endpoint's error
// response: its status, error code and description, cleaned and redacted —
// never the body, which RetrieveError's own text includes.
func retrieveErrorText(r redactor, re *oauth2.RetrieveError) string {
	var parts []string
	if re.Response != nil {
		parts = append(parts, statusText(re.Response))
	}
	if re.ErrorCode != "" {
		parts = append(parts, r.outside(re.ErrorCode))
	}
	if re.ErrorDescription != "" {
		parts = append(parts, r.outside(re.ErrorDescription))
	}
	return "oauth2: " + strings.Join(parts, ": ")
}

// tokenError describes a failed token request of connection c in plain
// words, redacted with r (the connection's secrets and its tokens').
func (c Connection) tokenError(r redactor, err error, callerCtx, ctx context.Context) *Error {
	endpoint := "the token endpoint of connection '" + c.Name + "'"
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		cause := &redactedError{text: retrieveErrorText(r, re), err: re}
		status, code := 0, re.ErrorCode
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		detail := ""
		if code != "" {
			detail = r.outside(code)
			if re.ErrorDescription != "" {
				detail += " — " + r.outside(re.ErrorDescription)
			}
		}
		switch {
		case status >= 300 && status < 400:
			where := ""
			if re.Response != nil {
				if loc, lerr := re.Response.Location(); lerr == nil {
					where = " to " + r.outside(loc.Host)
				}
			}
			return &Error{Kind: KindProtocol, Err: cause, Reason: fmt.Sprintf(
				"%s answered with a redirect (%s)%s, which token requests never follow — set the token URL to the final address",
				endpoint, statusText(re.Response), where)}
		case code == "invalid_client":
			return &Error{Kind: KindInvalid, Err: cause, Reason: fmt.Sprintf(
				"%s rejected its client ID or secret (%s)", endpoint, detail)}
		case detail != "" && status >= 400 && status < 500:
			return &Error{Kind: KindInvalid, Err: cause, Reason: fmt.Sprintf("%s refused: %s", endpoint, detail)}
		case detail != "":
			return &Error{Kind: KindProtocol, Err: cause, Reason: fmt.Sprintf("%s failed: %s", endpoint, detail)}
		case re.Response != nil:
			return &Error{Kind: KindProtocol, Err: cause, Reason: fmt.Sprintf("%s answered %s without a token", endpoint, statusText(re.Response))}
		}
		return &Error{Kind: KindProtocol, Err: cause, Reason: endpoint + " gave no token"}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) || ctx.Err() != nil {
		e := describe(r, err, callerCtx, ctx, c.timeoutOrDefault(), c.tokenURL())
		e.Reason = fmt.Sprintf("could not get a token for connection '%s': %s", c.Name, e.Reason)
		return e
	}
	// x/oauth2's own words: a response without access_token, unparsable JSON.
	return &Error{Kind: KindProtocol, Err: &redactedError{text: r.text(err.Error()), err: err},
		Reason: fmt.Sprintf("%s gave no usable token: %s", endpoint, r.outside(strings.TrimPrefix(err.Error(), "oauth2: ")))}
}

// readyForTokens is c with its env: references read, checked complete
// enough to talk to its token endpoint, its secrets remembered for crash
// logs: what every token flow does first. Errors are *Error.
func (c Connection) readyForTokens() (Connection, error) {
	conn, err := c.ResolveEnv()
	if err != nil {
		return c, err
	}
	if errs := conn.validateAuth(); len(errs) > 0 {
		return conn, invalid("connection '%s' is not complete: %s", conn.Name, errs[0].Msg)
	}
	RememberSecrets(conn.Secrets()...)
	return conn, nil
}
