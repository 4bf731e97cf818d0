package connection

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
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

// errTimedOut is the cause of a Send's own deadline, to tell it apart from a
// deadline the caller set.
var errTimedOut = errors.New("connection timeout")

// deadlinePassed is the cause of the deadline Options.Deadline puts on a
// whole Send, retries and waits included.
type deadlinePassed struct{ after time.Duration }

func (e *deadlinePassed) Error() string {
	return "the deadline of " + ShortDuration(e.after) + " passed"
}

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
	tooMany, isTooMany := errors.AsType[*tooManyRedirects](err)
	deadline, isDeadline := errors.AsType[*deadlinePassed](context.Cause(sendCtx))
	switch {
	case isTooMany:
		return fail(KindProtocol, "%s", tooMany)
	case context.Cause(sendCtx) == errTimedOut:
		return fail(KindTimeout, "no response within %s", ShortDuration(timeout))
	case isDeadline && !errors.Is(callerCtx.Err(), context.Canceled):
		return fail(KindTimeout, "no response before %s", deadline)
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
		verifyErr  *tls.CertificateVerificationError
		netErr     net.Error
		opErr      *net.OpError
		tlsFailure = "TLS handshake with " + host + " failed: "
	)
	alert, remoteAlert := alertOf(err)
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
		return fail(KindTLS, "%s%s", tlsFailure, r.unknownAuthority(unknownCA))
	case errors.As(err, &hostErr):
		return fail(KindTLS, "%s%s", tlsFailure, r.wrongHost(hostErr))
	case errors.As(err, &certErr):
		return fail(KindTLS, "%s%s", tlsFailure, r.invalidCert(certErr, time.Now()))
	case errors.As(err, &rootsErr):
		return fail(KindTLS, "%s%s", tlsFailure, r.x509Detail(rootsErr))
	case errors.As(err, &verifyErr):
		return fail(KindTLS, "%s%s", tlsFailure, r.x509Detail(verifyErr.Err))
	case errors.As(err, &recordErr):
		return fail(KindTLS, "%sthe server did not answer in TLS (is it an http:// URL?)", tlsFailure)
	case remoteAlert:
		return fail(KindTLS, "%s%s", tlsFailure, r.remoteAlert(alert, host))
	case oldVersion.MatchString(err.Error()):
		return fail(KindTLS, "%s%s", tlsFailure, tooOld(oldVersion.FindStringSubmatch(err.Error())[1]))
	case strings.Contains(err.Error(), "tls: "):
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

// alertOf finds the TLS alert the server ended the connection with. A
// server's alert reaches crypto/tls's client as a *net.OpError whose Op is
// "remote error" and whose Err is the alert, of an unexported type whose
// text is that of the same tls.AlertError. (An error that wraps a
// tls.AlertError itself is about an alert this side sent, over QUIC.)
//
// With TLS 1.3 the server judges the client certificate after the client
// has finished its side of the handshake, so a missing or refused
// certificate shows up only at the first read of the response, wrapped by
// net/http ("readLoopPeekFailLocked: remote error: ..."): errors.As still
// finds it.
func alertOf(err error) (tls.AlertError, bool) {
	opErr, ok := errors.AsType[*net.OpError](err)
	if !ok || opErr.Op != "remote error" || opErr.Err == nil {
		return 0, false
	}
	text := opErr.Err.Error()
	for a := range 256 {
		if tls.AlertError(a).Error() == text {
			return tls.AlertError(a), true
		}
	}
	return 0, false
}

// The TLS alerts remoteAlert has words for (RFC 8446 section 6).
const (
	alertHandshakeFailure       tls.AlertError = 40
	alertBadCertificate         tls.AlertError = 42
	alertUnsupportedCertificate tls.AlertError = 43
	alertCertificateRevoked     tls.AlertError = 44
	alertCertificateExpired     tls.AlertError = 45
	alertCertificateUnknown     tls.AlertError = 46
	alertUnknownCA              tls.AlertError = 48
	alertAccessDenied           tls.AlertError = 49
	alertProtocolVersion        tls.AlertError = 70
	alertInsufficientSecurity   tls.AlertError = 71
	alertUnrecognizedName       tls.AlertError = 112
	alertCertificateRequired    tls.AlertError = 116
	alertNoApplicationProtocol  tls.AlertError = 120
)

// setClientCert is how a user gives a connection its client certificate.
const setClientCert = "set tls_cert and tls_key to a certificate the server trusts and its private key"

// remoteAlert says in words why the server ended the handshake. The alerts
// about certificates that a server sends are about the client's: the
// client judges the server's certificate itself.
func (r redactor) remoteAlert(a tls.AlertError, host string) string {
	switch a {
	case alertCertificateRequired:
		return "the server requires a client certificate and got none it accepts — " + setClientCert
	case alertHandshakeFailure:
		// TLS 1.2's answer to a missing client certificate, among others.
		return "the server broke off the handshake — it may require a client certificate (" + setClientCert + "), or share no cipher suite with patchbay"
	case alertBadCertificate, alertCertificateUnknown, alertUnsupportedCertificate:
		return "the server refused the client certificate (" + strings.TrimPrefix(a.Error(), "tls: ") + ") — check that tls_cert and tls_key are the certificate the server expects and its key"
	case alertUnknownCA:
		return "the server does not trust the authority that issued the client certificate — set tls_cert to a certificate from a CA the server accepts"
	case alertCertificateExpired:
		return "the server refused the client certificate because it has expired — renew it and update tls_cert and tls_key"
	case alertCertificateRevoked:
		return "the server refused the client certificate because it has been revoked — get a new one and update tls_cert and tls_key"
	case alertAccessDenied:
		return "the server denied access during the handshake — it does not let this client certificate in"
	case alertProtocolVersion:
		return "the server does not speak TLS 1.2 or newer, which patchbay requires — it offers only an older, insecure version; the server must be upgraded"
	case alertInsufficientSecurity:
		return "the server wants stronger encryption than patchbay offered"
	case alertUnrecognizedName:
		return "the server does not answer for the host name " + host + " — check the host in the base URL"
	case alertNoApplicationProtocol:
		return "the server speaks none of the protocols patchbay offered (HTTP/1.1, HTTP/2)"
	}
	return "the server ended the handshake: " + r.outside(strings.TrimPrefix(a.Error(), "tls: "))
}

// oldVersion matches crypto/tls's refusal of a server that answered with a
// version older than the client's minimum (TLS 1.2).
var oldVersion = regexp.MustCompile(`tls: server selected unsupported protocol version ([0-9a-f]+)`)

// tooOld says that the server speaks only the TLS version hex.
func tooOld(hex string) string {
	version := "an older, insecure version"
	if v, err := strconv.ParseUint(hex, 16, 16); err == nil && v < tls.VersionTLS12 {
		version = tls.VersionName(uint16(v))
	}
	return "the server speaks only " + version + ", and patchbay requires TLS 1.2 or newer — the server must be upgraded"
}

// unknownAuthority explains a server certificate that no trusted
// authority vouches for.
func (r redactor) unknownAuthority(e x509.UnknownAuthorityError) string {
	const advice = " — if the server uses a private CA, set tls_ca to your CA bundle"
	c := e.Cert
	if c == nil {
		return "the server's certificate is not signed by an authority this computer trusts" + advice
	}
	if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
		return "the server's certificate is self-signed, so no authority vouches for it — to trust it, set tls_ca to that certificate"
	}
	if issuer := c.Issuer.CommonName; issuer != "" {
		return "the server's certificate was issued by " + r.outside(issuer) + ", an authority this computer does not trust" + advice
	}
	return "the server's certificate is not signed by an authority this computer trusts" + advice
}

// maxNames is how many names of a certificate a reason lists.
const maxNames = 4

// wrongHost explains a server certificate made out for other names.
func (r redactor) wrongHost(e x509.HostnameError) string {
	host := r.outside(e.Host)
	c := e.Certificate
	if c == nil {
		return r.x509Detail(e)
	}
	var names []string
	for _, n := range c.DNSNames {
		names = append(names, r.outside(n))
	}
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		if c.Subject.CommonName != "" {
			return "the server's certificate names no host but in its Common Name (" + r.outside(c.Subject.CommonName) + "), which is no longer accepted — it must be reissued with " + host + " as a subject alternative name"
		}
		return "the server's certificate names no host, so it is not for " + host
	}
	list := strings.Join(names[:min(len(names), maxNames)], ", ")
	if more := len(names) - maxNames; more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return "the server's certificate is for " + list + ", not " + host + " — use a name it is for in the base URL, or have the certificate reissued"
}

// invalidCert explains a server certificate that is wrong in itself: out
// of date above all.
func (r redactor) invalidCert(e x509.CertificateInvalidError, now time.Time) string {
	c := e.Cert
	whose := "the server's certificate"
	if c != nil && c.IsCA {
		whose = "the certificate of " + r.outside(certName(c)) + ", an authority in the server's certificate chain,"
	}
	switch {
	case e.Reason == x509.Expired && c != nil && now.After(c.NotAfter):
		return whose + " expired on " + day(c.NotAfter) + " — it must be renewed (or this computer's clock is wrong)"
	case e.Reason == x509.Expired && c != nil && now.Before(c.NotBefore):
		return whose + " is not valid until " + day(c.NotBefore) + " — check this computer's clock"
	case e.Reason == x509.IncompatibleUsage:
		return whose + " is not meant for a TLS server (its key usage forbids it)"
	case e.Reason == x509.NotAuthorizedToSign:
		return "the server's certificate chain is broken: " + r.outside(certName(c)) + " signed another certificate without being an authority"
	}
	return r.x509Detail(e)
}

// certName is how a reason names a certificate: its Common Name, or its
// whole subject.
func certName(c *x509.Certificate) string {
	if c == nil {
		return "a certificate"
	}
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return c.Subject.String()
}

// day writes a certificate's date the way people read it: 2 Jan 2006.
func day(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

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

// ShortDuration writes 30s, 1m30s, 2m rather than time.Duration's 2m0s.
func ShortDuration(d time.Duration) string {
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
	if len(all) > 1 {
		slices.SortStableFunc(all, func(a, b string) int { return len(b) - len(a) })
	}
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
	if !strings.ContainsAny(s, "?@") {
		return r.text(s) // no query, no password
	}
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
