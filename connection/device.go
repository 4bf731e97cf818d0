package connection

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// defaultDeviceExpiry bounds the wait of a device login whose server did
// not say how long its code lives (expires_in is required by RFC 8628, but
// without it x/oauth2 would poll until canceled).
const defaultDeviceExpiry = 15 * time.Minute

// HasDeviceFlow reports whether c is a code-flow connection with a device
// authorization URL, so that it can log in with DeviceAuthorize.
func (c Connection) HasDeviceFlow() bool {
	return c.Auth.Type == AuthOAuth2Code && c.Auth.OAuth2 != nil && strings.TrimSpace(c.Auth.OAuth2.DeviceURL) != ""
}

// DeviceAuthorize runs the device authorization grant (RFC 8628) for an
// oauth2-code connection with a DeviceURL: it asks the device endpoint for
// a code, calls show with the user code and the verification URL (the
// complete one, with the code in it, when the server gives one), then polls
// the token endpoint until the user has approved the login — at the
// server's interval, 5 seconds slower after each slow_down, and no longer
// than the code lives. The token is saved in conn.Tokens and returned.
// Canceling ctx stops the wait.
//
// Both requests go through the token client (no redirects followed, the
// token headers sent); the connection's timeout bounds each of them. The
// extra authorize parameters (audience, …) go with the device request.
// Errors are *Error with a plain-words Reason, redacted: a denied login is
// KindInvalid, an expired code KindTimeout.
func DeviceAuthorize(ctx context.Context, conn Connection, show func(userCode, verificationURL string)) (Token, error) {
	if conn.Auth.Type != AuthOAuth2Code {
		return Token{}, invalid("connection '%s' does not use the OAuth2 authorization code flow", conn.Name)
	}
	if !conn.HasDeviceFlow() {
		return Token{}, invalid("connection '%s' has no device authorization URL (device_url)", conn.Name)
	}
	conn, err := conn.readyForTokens()
	if err != nil {
		return Token{}, err
	}
	o := conn.Auth.OAuth2
	cfg := o.config("", false)
	cfg.Endpoint.DeviceAuthURL = strings.TrimSpace(o.DeviceURL)
	var params []oauth2.AuthCodeOption
	for _, kv := range o.AuthorizeParams {
		if kv.Key != "" && !reservedAuthorizeParams[kv.Key] && kv.Key != "response_type" {
			params = append(params, oauth2.SetAuthURLParam(kv.Key, kv.Value))
		}
	}

	actx, cancel := context.WithTimeoutCause(ctx, conn.timeoutOrDefault(), errTimedOut)
	da, err := cfg.DeviceAuth(conn.tokenContext(actx), params...)
	cancel()
	if err != nil {
		return Token{}, conn.deviceAuthError(conn.redactor(), err, ctx, actx)
	}
	RememberSecrets(da.DeviceCode)
	redact := newRedactor(append(conn.Secrets(), da.DeviceCode))
	redact.params = conn.credentialParams()
	verifyURL := strings.TrimSpace(da.VerificationURIComplete)
	if verifyURL == "" {
		verifyURL = strings.TrimSpace(da.VerificationURI)
	}
	if da.DeviceCode == "" || da.UserCode == "" || verifyURL == "" {
		return Token{}, &Error{Kind: KindProtocol, Reason: fmt.Sprintf(
			"the device authorization endpoint of connection '%s' answered without a device code, user code or verification URL", conn.Name)}
	}
	if da.Expiry.IsZero() {
		da.Expiry = time.Now().Add(defaultDeviceExpiry)
	}
	if show != nil {
		show(redact.outside(da.UserCode), redact.outside(verifyURL))
	}

	// Each poll is bounded by the connection's timeout; the wait as a
	// whole by the code's expiry (x/oauth2 sets that deadline) and ctx.
	client := conn.tokenClient()
	client.Timeout = conn.timeoutOrDefault()
	ot, err := cfg.DeviceAccessToken(context.WithValue(ctx, oauth2.HTTPClient, client), da)
	if err != nil {
		return Token{}, conn.devicePollError(redact, err, ctx, da.Expiry)
	}
	t := fromOAuth2(ot)
	RememberSecrets(t.secrets()...)
	if conn.Tokens != nil {
		if err := conn.Tokens.SaveToken(conn.ID, t); err != nil {
			return Token{}, conn.tokenStoreError("saved", err)
		}
	}
	return t, nil
}

// deviceAuthError describes a failed device authorization request in plain
// words, redacted with r; ctx is the request's, bounded by the timeout.
func (c Connection) deviceAuthError(r redactor, err error, callerCtx, ctx context.Context) *Error {
	endpoint := "the device authorization endpoint of connection '" + c.Name + "'"
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		cause := &redactedError{text: retrieveErrorText(r, re), err: re}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		detail := r.outside(re.ErrorCode)
		if detail != "" && re.ErrorDescription != "" {
			detail += " — " + r.outside(re.ErrorDescription)
		}
		switch {
		case status >= 300 && status < 400:
			where := ""
			if loc, lerr := re.Response.Location(); lerr == nil {
				where = " to " + r.outside(loc.Host)
			}
			return &Error{Kind: KindProtocol, Err: cause, Reason: fmt.Sprintf(
				"%s answered with a redirect (%s)%s, which token requests never follow — set the device URL to the final address",
				endpoint, statusText(re.Response), where)}
		case re.ErrorCode == "invalid_client":
			return &Error{Kind: KindInvalid, Err: cause, Reason: fmt.Sprintf("%s rejected its client ID (%s)", endpoint, detail)}
		case detail != "" && status >= 400 && status < 500:
			return &Error{Kind: KindInvalid, Err: cause, Reason: fmt.Sprintf("%s refused: %s", endpoint, detail)}
		case detail != "":
			return &Error{Kind: KindProtocol, Err: cause, Reason: fmt.Sprintf("%s failed: %s", endpoint, detail)}
		case re.Response != nil:
			return &Error{Kind: KindProtocol, Err: cause, Reason: fmt.Sprintf("%s answered %s without a device code", endpoint, statusText(re.Response))}
		}
		return &Error{Kind: KindProtocol, Err: cause, Reason: endpoint + " gave no device code"}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) || ctx.Err() != nil {
		u, _ := url.Parse(strings.TrimSpace(c.Auth.OAuth2.DeviceURL))
		e := describe(r, err, callerCtx, ctx, c.timeoutOrDefault(), u)
		e.Reason = fmt.Sprintf("could not start the device login of connection '%s': %s", c.Name, e.Reason)
		return e
	}
	// x/oauth2's own words: an answer that is not JSON.
	return &Error{Kind: KindProtocol, Err: &redactedError{text: r.text(err.Error()), err: err},
		Reason: fmt.Sprintf("%s gave no usable answer: %s", endpoint, r.outside(strings.TrimPrefix(err.Error(), "oauth2: ")))}
}

// devicePollError describes how the wait for a device login ended without
// a token: canceled, the code expired (the server said expired_token, or
// its lifetime ran out), the user denied it, or a failed token request.
func (c Connection) devicePollError(r redactor, err error, ctx context.Context, expiry time.Time) *Error {
	again := fmt.Sprintf(" — run `patchbay connection connect %s` again", c.Name)
	var re *oauth2.RetrieveError
	errors.As(err, &re)
	detail := func() string {
		s := r.outside(re.ErrorCode)
		if re.ErrorDescription != "" {
			s += " — " + r.outside(re.ErrorDescription)
		}
		return s
	}
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return &Error{Kind: KindCanceled, Err: ctx.Err(), Reason: "canceled"}
	case ctx.Err() != nil:
		return &Error{Kind: KindTimeout, Err: ctx.Err(), Reason: fmt.Sprintf("the login of connection '%s' was not approved before the deadline", c.Name)}
	case re != nil && re.ErrorCode == "access_denied":
		return &Error{Kind: KindInvalid, Err: &redactedError{text: retrieveErrorText(r, re), err: re}, Reason: fmt.Sprintf(
			"the login of connection '%s' was denied at the provider (%s)", c.Name, detail())}
	case re != nil && re.ErrorCode == "expired_token":
		return &Error{Kind: KindTimeout, Err: &redactedError{text: retrieveErrorText(r, re), err: re}, Reason: fmt.Sprintf(
			"the code for connection '%s' expired before the login was approved (%s)%s", c.Name, detail(), again)}
	case re == nil && !time.Now().Before(expiry):
		return &Error{Kind: KindTimeout, Err: &redactedError{text: r.text(err.Error()), err: err}, Reason: fmt.Sprintf(
			"the code for connection '%s' expired before the login was approved%s", c.Name, again)}
	}
	return c.tokenError(r, err, ctx, ctx)
}
