package connection

import (
	"crypto/tls"
	"strings"
	"testing"

	"patchbay/connection/oauthtest"
)

// Token requests go out with the connection's TLS settings: a login
// server signed by the private CA of tls_ca and asking for the client
// certificate (mutual TLS, as RFC 8705's certificate-bound tokens do)
// gives a token, where the system's roots and no certificate would fail.
func TestTokenRequestsUseTheConnectionsTLS(t *testing.T) {
	p := newPKI(t)
	s := newOAuthServer(t, oauthtest.Options{})
	login := newTLSServer(t, s.Config.Handler, &tls.Config{
		Certificates: []tls.Certificate{p.server.tlsCert(t)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.ca.pool(),
	})
	conn := s.clientConn(newMemTokens(), "")
	conn.Auth.OAuth2.TokenURL = login.URL + "/token"
	conn.TLS = TLS{
		CA:   writeFile(t, "ca.pem", p.ca.pem),
		Cert: writeFile(t, "client.pem", p.client.certPEM),
		Key:  writeFile(t, "client.key", p.client.keyPEM),
	}
	if v := Test(t.Context(), conn); !v.OK {
		t.Fatalf("with the connection's CA and client certificate: %s", v.Reason)
	}
	if _, grants := s.seen(); len(grants) != 1 || grants[0] != "client_credentials" {
		t.Errorf("token requests %v", grants)
	}
	// Reconnecting starts the login server's connections over too.
	tokenKey := ownKey{id: conn.ID, token: true}
	ownMu.Lock()
	kept := ownTransports[tokenKey] != nil
	ownMu.Unlock()
	Forget(conn.ID)
	ownMu.Lock()
	after := ownTransports[tokenKey] != nil
	ownMu.Unlock()
	if !kept || after {
		t.Errorf("the token transport: kept %v, after Forget %v", kept, after)
	}

	bare := s.clientConn(newMemTokens(), "")
	bare.Auth.OAuth2.TokenURL = login.URL + "/token"
	if v := Test(t.Context(), bare); v.OK || !strings.Contains(v.Reason, "patchbay test CA") {
		t.Errorf("without the connection's TLS settings: %v %q", v.OK, v.Reason)
	}
}
