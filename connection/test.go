package connection

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Verdict is the outcome of testing a connection, in plain words.
type Verdict struct {
	OK       bool
	Reason   string    // "connected — 200 OK from GET https://api.example.com/me", "401 Unauthorized — the server rejected the credentials of connection 'Jira'"
	Response *Response // nil when nothing came back
	// Kind says why nothing came back (Response is nil): KindInvalid when
	// the connection itself must be fixed first, else the failure's kind.
	// It is zero when a response came back.
	Kind ErrorKind
}

// Test sends GET to the connection's TestPath (default: the base URL) and
// judges the result: 2xx and 3xx pass; 401 is bad credentials, 403 no
// permission, 404 a wrong test path or base URL, 5xx a server failure, and
// nginx's 400 pages about client certificates and plain HTTP say so;
// transport errors are unreachable, TLS or timeout. A connection that is
// not valid, or has neither a base URL nor an absolute test path, is not
// sent at all: its verdict is of KindInvalid.
func Test(ctx context.Context, conn Connection) Verdict {
	if errs := conn.Validate(); len(errs) > 0 {
		return Verdict{Kind: KindInvalid, Reason: fmt.Sprintf("connection '%s' is not complete: %s", conn.Name, errs[0].Msg)}
	}
	if strings.TrimSpace(conn.BaseURL) == "" && !isAbsoluteURL(strings.TrimSpace(conn.TestPath)) {
		return Verdict{Kind: KindInvalid, Reason: fmt.Sprintf("connection '%s' has no base URL, so there is nothing to test — set a base URL, or a test path that is a full http:// or https:// URL", conn.Name)}
	}
	resp, err := Send(ctx, conn, Request{Method: http.MethodGet, URL: conn.TestPath})
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return Verdict{Kind: e.Kind, Reason: e.Reason}
		}
		return Verdict{Kind: KindUnreachable, Reason: CleanText(err.Error())}
	}
	return Verdict{OK: resp.Status < 400, Reason: judge(conn, resp), Response: &resp}
}

// judge says in a sentence what a test response means for the connection.
func judge(conn Connection, resp Response) string {
	u := resp.Request.URL
	if p := AuthProblem(conn, resp); p != "" {
		return p
	}
	switch s := resp.Status; {
	case s < 400:
		if resp.token != nil {
			if e := ExpiresIn(resp.token.token, tokenClock()); e != "" {
				return fmt.Sprintf("connected — %s from GET %s (token %s)", resp.StatusText, u, e)
			}
		}
		return fmt.Sprintf("connected — %s from GET %s", resp.StatusText, u)
	case s == http.StatusUnauthorized && (conn.Auth.Type == "" || conn.Auth.Type == AuthNone):
		return fmt.Sprintf("%s — the server wants credentials, but connection '%s' has none", resp.StatusText, conn.Name)
	case s == http.StatusUnauthorized:
		return fmt.Sprintf("%s — the server rejected the credentials of connection '%s'", resp.StatusText, conn.Name)
	case s == http.StatusForbidden:
		return fmt.Sprintf("%s — the credentials of connection '%s' were accepted but have no permission for %s", resp.StatusText, conn.Name, u)
	case s == http.StatusBadRequest && bytes.Contains(resp.Body, []byte(nginxNoCert)):
		return fmt.Sprintf("%s — the server requires a client certificate and none was sent — %s", resp.StatusText, setClientCert)
	case s == http.StatusBadRequest && bytes.Contains(resp.Body, []byte(nginxBadCert)):
		return fmt.Sprintf("%s — the server refused the client certificate — check that tls_cert and tls_key are the certificate the server expects and its key", resp.StatusText)
	case s == http.StatusBadRequest && bytes.Contains(resp.Body, []byte(nginxPlainHTTP)):
		return fmt.Sprintf("%s — the server speaks HTTPS on this port — change the base URL to https://", resp.StatusText)
	case s == http.StatusNotFound:
		return fmt.Sprintf("%s — the server answered, but %s does not exist; check the base URL or the test path", resp.StatusText, u)
	case s >= 500:
		return fmt.Sprintf("the server failed (%s)", resp.StatusText)
	}
	return fmt.Sprintf("%s — the server refused GET %s", resp.StatusText, u)
}

// What nginx answers, with a 400, when mutual TLS fails after a handshake
// it completed anyway (ssl_verify_client), or when plain HTTP reaches its
// HTTPS port: the titles of its pages for codes 496, 495 and 497.
const (
	nginxNoCert    = "No required SSL certificate was sent"
	nginxBadCert   = "The SSL certificate error"
	nginxPlainHTTP = "The plain HTTP request was sent to HTTPS port"
)

// AuthProblem says in a sentence when a response is the fault of an OAuth2
// connection rather than of the request: a 401 to a request that carried
// its token. A token renewed for this very request and still refused means
// the connection must be reconnected (code flow) or its client fixed
// (client credentials). It is "" for any other response.
func AuthProblem(conn Connection, resp Response) string {
	if resp.Status != http.StatusUnauthorized || resp.token == nil {
		return ""
	}
	name := conn.Name
	switch {
	case conn.Auth.Type.IsClientCredentials():
		return fmt.Sprintf("%s — the server rejected the token connection '%s' got with its client credentials; check the client's scopes and permissions", resp.StatusLine(), name)
	case resp.token.fresh:
		return fmt.Sprintf("%s — the server rejected the token of connection '%s' right after it was refreshed — reconnect '%s' (patchbay connection connect %s)", resp.StatusLine(), name, name, name)
	}
	return fmt.Sprintf("%s — the server rejected the token of connection '%s' (revoked?) — reconnect '%s' (patchbay connection connect %s)", resp.StatusLine(), name, name, name)
}
