package connection

import (
	"strings"
	"testing"
	"time"

	"patchbay/connection/oauthtest"
)

// A stored token the server refuses before its expiry (revoked) is renewed
// once and the request sent again: client credentials are fetched anew, a
// code-flow token is refreshed; the response says so in its Note.
func TestRefusedStoredTokenIsRenewedOnce(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})

	tokens := newMemTokens()
	conn := s.clientConn(tokens, "")
	tokens.SaveToken(conn.ID, Token{AccessToken: "revoked-by-the-server", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)})
	resp := mustSend(t, conn, Request{URL: "/api"})
	if resp.Status != 200 || !strings.Contains(resp.Note, renewNote) {
		t.Errorf("client credentials: %s, note %q", resp.StatusText, resp.Note)
	}
	if _, grants := s.seen(); len(grants) != 1 || grants[0] != "client_credentials" {
		t.Errorf("client credentials: token requests %v, want one", grants)
	}
	if got := tokens.get(conn.ID).AccessToken; got == "revoked-by-the-server" || got == "" {
		t.Errorf("client credentials: the refused token is still stored (%q)", got)
	}

	code := newMemTokens()
	cc := s.codeConn(code)
	if _, err := authorizeVia(t, cc, newBrowser(), AuthorizeOptions{}); err != nil {
		t.Fatal(err)
	}
	good := code.get(cc.ID)
	revoked := good
	revoked.AccessToken = "revoked-by-the-server-too"
	code.SaveToken(cc.ID, revoked)
	resp = mustSend(t, cc, Request{URL: "/api"})
	if resp.Status != 200 || !strings.Contains(resp.Note, renewNote) {
		t.Errorf("code flow: %s, note %q", resp.StatusText, resp.Note)
	}
	if _, grants := s.seen(); grants[len(grants)-1] != "refresh_token" {
		t.Errorf("code flow: token requests %v, want a refresh last", grants)
	}
}

// What cannot be renewed is not: a code-flow token without a refresh
// token, refused, is the 401 it was, with no token request; and a token
// refused right after it was fetched is not fetched again.
func TestRefusedTokenNotRenewable(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	tokens.SaveToken(conn.ID, Token{AccessToken: "revoked", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)})
	resp := mustSend(t, conn, Request{URL: "/api"})
	if resp.Status != 401 || resp.Note != "" || s.TokenHits() != 0 {
		t.Errorf("no refresh token: %s, note %q, %d token requests", resp.StatusText, resp.Note, s.TokenHits())
	}
	if p := AuthProblem(conn, resp); !strings.Contains(p, "reconnect") {
		t.Errorf("AuthProblem = %q", p)
	}

	fresh := newMemTokens()
	cc := s.clientConn(fresh, "")
	resp = mustSend(t, cc, Request{URL: "/deny"}) // 401 whatever the token
	if resp.Status != 401 || strings.Contains(resp.Note, renewNote) {
		t.Errorf("fresh token refused: %s, note %q", resp.StatusText, resp.Note)
	}
	if hits := s.TokenHits(); hits != 1 {
		t.Errorf("fresh token refused: %d token requests, want 1", hits)
	}
}
