package connection

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"time"
)

// ErrorKind classifies why a request failed, so callers can pick words and
// exit codes.
type ErrorKind int

// Kinds of failure.
const (
	KindInvalid     ErrorKind = iota + 1 // the request or connection is wrong: bad URL, other host
	KindUnreachable                      // DNS failure, connection refused, network down
	KindTLS                              // handshake or certificate failure
	KindTimeout                          // the connection's timeout or a deadline passed
	KindCanceled                         // the caller canceled (esc)
	KindProtocol                         // the server broke HTTP, too many redirects
)

// String names the kind in a word or two.
func (k ErrorKind) String() string {
	switch k {
	case KindInvalid:
		return "invalid request"
	case KindUnreachable:
		return "unreachable"
	case KindTLS:
		return "TLS failure"
	case KindTimeout:
		return "timeout"
	case KindCanceled:
		return "canceled"
	case KindProtocol:
		return "protocol error"
	}
	return "error"
}

// Error is a failed request: a Kind, a Reason in plain words for the user
// ("connection refused — nothing is listening on 127.0.0.1:9"), and the
// cause, whose text has been redacted. Unwrap gives the cause.
//
// A Reason is redacted as it is built, piece by piece: what came from outside
// (URLs, hosts, library and server error text) has the connection's secrets
// replaced; patchbay's own words and the connection's name are left alone, so
// that a password which happens to be a word of them does not rewrite them.
type Error struct {
	Kind   ErrorKind
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Reason }
func (e *Error) Unwrap() error { return e.Err }

// invalid is a KindInvalid error: something the user can fix in the request
// or the connection.
func invalid(format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Reason: fmt.Sprintf(format, args...)}
}

// errTooManyRedirects is what CheckRedirect returns past maxRedirects.
var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", maxRedirects)

// errTimedOut is the cause of a Send's own deadline, to tell it apart from a
// deadline the caller set.
var errTimedOut = errors.New("connection timeout")

// describe turns a failed exchange into an *Error. sendCtx is the context
// Send derived with its timeout; callerCtx is the one Send was given; u is
// the URL of the request that failed when the error does not say. The
// hosts and error texts in the Reason are redacted with r.
func describe(r redactor, err error, callerCtx, sendCtx context.Context, timeout time.Duration, u *url.URL) *Error {
	cause := err
	host, hostPort := hostOf(u)
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if fu, perr := url.Parse(urlErr.URL); perr == nil && fu.Host != "" {
			host, hostPort = hostOf(fu)
		}
		err = urlErr.Err
	}
	host, hostPort = r.outside(host), r.outside(hostPort)
	fail := func(kind ErrorKind, format string, args ...any) *Error {
		return &Error{Kind: kind, Reason: fmt.Sprintf(format, args...), Err: cause}
	}

	// The contexts first: a canceled request fails in whichever way the
	// transport happened to notice, which says nothing useful.
	switch {
	case errors.Is(err, errTooManyRedirects):
		return fail(KindProtocol, "%s", errTooManyRedirects)
	case context.Cause(sendCtx) == errTimedOut:
		return fail(KindTimeout, "no response within %s", shortDuration(timeout))
	case errors.Is(callerCtx.Err(), context.Canceled):
		return fail(KindCanceled, "canceled")
	case errors.Is(callerCtx.Err(), context.DeadlineExceeded):
		return fail(KindTimeout, "no response before the deadline")
	}

	var (
		dnsErr     *net.DNSError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		certErr    x509.CertificateInvalidError
		rootsErr   x509.SystemRootsError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		verifyErr  *tls.CertificateVerificationError
		netErr     net.Error
		opErr      *net.OpError
		tlsFailure = "TLS handshake with " + host + " failed: "
	)
	switch {
	case errors.As(err, &dnsErr):
		return fail(KindUnreachable, "could not find host %s (DNS lookup failed)", r.outside(dnsErr.Name))
	case errors.Is(err, syscall.ECONNREFUSED):
		return fail(KindUnreachable, "connection refused — nothing is listening on %s", hostPort)
	case errors.Is(err, syscall.ECONNRESET):
		return fail(KindUnreachable, "the connection to %s was reset", hostPort)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return fail(KindUnreachable, "%s is unreachable (no route to it)", hostPort)
	case errors.As(err, &unknownCA):
		return fail(KindTLS, "%scertificate signed by unknown authority", tlsFailure)
	case errors.As(err, &hostErr):
		return fail(KindTLS, "%s%s", tlsFailure, r.x509Detail(hostErr))
	case errors.As(err, &certErr):
		return fail(KindTLS, "%s%s", tlsFailure, r.x509Detail(certErr))
	case errors.As(err, &rootsErr):
		return fail(KindTLS, "%s%s", tlsFailure, r.x509Detail(rootsErr))
	case errors.As(err, &verifyErr):
		return fail(KindTLS, "%s%s", tlsFailure, r.x509Detail(verifyErr.Err))
	case errors.As(err, &recordErr):
		return fail(KindTLS, "%sthe server did not answer in TLS (is it an http:// URL?)", tlsFailure)
	case errors.As(err, &alertErr), strings.Contains(err.Error(), "tls: "):
		return fail(KindTLS, "%s%s", tlsFailure, r.outside(strings.TrimPrefix(err.Error(), "remote error: ")))
	case errors.As(err, &netErr) && netErr.Timeout():
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			return fail(KindTimeout, "%s did not accept a connection in time", hostPort)
		}
		return fail(KindTimeout, "%s did not answer in time: %s", host, r.outside(err.Error()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fail(KindProtocol, "the server at %s closed the connection without a complete response", hostPort)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fail(KindTLS, "%sthe server did not answer in TLS (is it an http:// URL?)", tlsFailure)
	case strings.Contains(err.Error(), "malformed HTTP"):
		return fail(KindProtocol, "the server at %s did not answer with valid HTTP: %s", hostPort, r.outside(err.Error()))
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return fail(KindUnreachable, "could not connect to %s: %s", hostPort, r.outside(err.Error()))
	}
	return fail(KindUnreachable, "request to %s failed: %s", host, r.outside(err.Error()))
}

// x509Detail is a certificate error without its "x509: " prefix, redacted.
func (r redactor) x509Detail(err error) string {
	return r.outside(strings.TrimPrefix(err.Error(), "x509: "))
}

// hostOf returns u's host and its host:port with the port the scheme implies.
func hostOf(u *url.URL) (host, hostPort string) {
	if u == nil {
		return "the server", "the server"
	}
	o := originOf(u)
	return u.Hostname(), net.JoinHostPort(o.host, o.port)
}

// shortDuration writes 30s, 1m30s, 2m rather than time.Duration's 2m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// minRedactLen is the shortest secret redacted wherever it appears. Shorter
// ones would turn every "p" of a URL into Redacted; they are still redacted
// where they are known to be, by header or parameter name.
const minRedactLen = 4

// redactor removes a connection's secrets from text meant for people:
// error messages carry URLs with query-string API keys, and servers echo
// what they were sent.
type redactor struct {
	secrets []string        // longest first, so a secret containing another goes whole
	params  map[string]bool // auth query parameters, redacted by name in URLs
}

func (c Connection) redactor() redactor {
	r := newRedactor(c.Secrets())
	r.params = c.credentialParams()
	return r
}

func newRedactor(secrets []string) redactor {
	seen := map[string]bool{}
	var all []string
	for _, s := range secrets {
		if len(s) < minRedactLen {
			continue
		}
		// The forms a secret takes inside a URL too.
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if form != "" && !seen[form] {
				seen[form] = true
				all = append(all, form)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	return redactor{secrets: all}
}

func (r redactor) text(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	return s
}

// outside prepares text that came from outside patchbay (a host, a library's
// or a server's error text) for a Reason: secrets redacted, then cleaned for
// the terminal.
func (r redactor) outside(s string) string {
	return CleanText(r.text(s))
}

// redact returns err as an *Error whose cause text holds no secret. The
// Reason of an *Error was redacted when it was built and is kept as it is;
// any other error's text is all from outside and is redacted whole. The
// cause still unwraps to the original error, for errors.Is and As.
func (r redactor) redact(err error) *Error {
	e, ok := err.(*Error)
	if !ok {
		e = &Error{Kind: KindUnreachable, Reason: r.outside(err.Error()), Err: err}
	}
	out := &Error{Kind: e.Kind, Reason: e.Reason}
	if e.Err != nil {
		text := e.Err.Error()
		var urlErr *url.Error
		if errors.As(e.Err, &urlErr) {
			// Rebuild url.Error's text around a URL whose auth parameters
			// are redacted by name, however short their values.
			text = (&url.Error{Op: urlErr.Op, URL: r.url(urlErr.URL), Err: urlErr.Err}).Error()
		}
		out.Err = &redactedError{text: r.text(text), err: e.Err}
	}
	return out
}

// url redacts, in a URL, the values of the auth query parameters and of
// every parameter whose name looks secret (access_token=...), any password,
// and the connection's secrets wherever else they appear.
func (r redactor) url(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return r.text(s)
	}
	u.RawQuery = redactQuery(u.RawQuery, func(name string) bool { return r.params[name] || IsSecretName(name) })
	return r.text(u.Redacted())
}

// redactedError shows a redacted text but unwraps to the original error.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }
