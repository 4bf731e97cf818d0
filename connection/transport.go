package connection

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
)

// A connection that needs nothing special shares baseTransport. One with its
// own TLS settings, with case-sensitive header names (which need HTTP/1.1:
// HTTP/2 lowercases every name) or with NTLM (which authenticates a TCP
// connection, so no other connection's requests may ride on it) gets a
// transport of its own, kept between sends so that its connections stay
// alive, and replaced when its settings change.

// ownTransport is a connection's own transport and what it was built from.
type ownTransport struct {
	fingerprint string
	transport   *http.Transport
	rt          http.RoundTripper // transport, or NTLM around it
}

// closeIdle closes the kept-alive connections of every lane of the
// transport (an NTLM pool has several).
func (o *ownTransport) closeIdle() {
	if c, ok := o.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
		return
	}
	o.transport.CloseIdleConnections()
}

// ownKey is what a transport is kept under: the connection, and whether an
// action narrowed its TLS settings (Options.VerifyTLS), so that a connection
// that ignores TLS errors keeps both its transports rather than replacing
// one with the other on every send.
type ownKey struct {
	id       uint64
	narrowed bool
	token    bool // the transport of its OAuth2 token requests
}

var (
	ownMu         sync.Mutex
	ownTransports = map[ownKey]*ownTransport{}
)

// maxOwnTransports bounds the cache; past it, the idle ones are dropped.
const maxOwnTransports = 64

// transportFor returns the transport conn's requests go out on, under the
// auth transport. Bad TLS settings are a KindInvalid error naming the field.
// With verifyTLS the server's certificate is verified even when the
// connection ignores TLS errors; it never turns verification off.
func transportFor(conn Connection, verifyTLS bool) (http.RoundTripper, error) {
	key := ownKey{id: conn.ID}
	if verifyTLS && conn.TLS.Insecure {
		conn.TLS.Insecure = false
		key.narrowed = true
	}
	return ownTransportFor(conn, key)
}

// tokenTransport is the transport of c's OAuth2 token requests. The
// connection's TLS settings hold for its authorization server too: a
// company's login server is signed by the same private CA as its API, one
// that binds tokens to a certificate (RFC 8705) asks for the client
// certificate, and tls_insecure is for a test setup of both. HTTP/1.1 only
// and NTLM are the API's, not the login server's.
func tokenTransport(c Connection) (http.RoundTripper, error) {
	return ownTransportFor(Connection{ID: c.ID, Name: c.Name, TLS: c.TLS}, ownKey{id: c.ID, token: true})
}

// ownTransportFor is transportFor's transport for conn, kept under key.
func ownTransportFor(conn Connection, key ownKey) (http.RoundTripper, error) {
	cfg, tlsPrint, errs := conn.TLS.load()
	if len(errs) > 0 {
		return nil, invalid("connection '%s' has TLS settings that cannot be used: %s", conn.Name, errs[0].Msg)
	}
	ntlm := conn.Auth.Type == AuthNTLM
	if cfg == nil && !conn.CaseSensitiveHeaders && !ntlm {
		return baseTransport, nil
	}
	h := sha256.New()
	fmt.Fprintf(h, "tls=%s\ncase=%t\nntlm=%t\n", tlsPrint, conn.CaseSensitiveHeaders, ntlm)
	if ntlm {
		// The identity is part of what a kept-alive NTLM connection is.
		fmt.Fprintf(h, "user=%s\npassword=%s\nconns=%d/%d\n", conn.Auth.ntlmUser(), conn.Auth.Password, conn.Auth.connsPerHost(), conn.Auth.maxConns())
	}
	print := hex.EncodeToString(h.Sum(nil))

	ownMu.Lock()
	defer ownMu.Unlock()
	if own := ownTransports[key]; own != nil {
		if own.fingerprint == print {
			return own.rt, nil
		}
		own.closeIdle()
		delete(ownTransports, key)
	}
	if len(ownTransports) >= maxOwnTransports {
		for id, own := range ownTransports {
			own.closeIdle()
			delete(ownTransports, id)
		}
	}
	t := newBaseTransport()
	if cfg != nil {
		t.TLSClientConfig = cfg
	}
	if conn.CaseSensitiveHeaders || ntlm {
		// HTTP/1.1 only: an empty, non-nil TLSNextProto turns HTTP/2 off.
		t.ForceAttemptHTTP2 = false
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	var rt http.RoundTripper = t
	if ntlm {
		t.MaxConnsPerHost = min(conn.Auth.connsPerHost(), conn.Auth.maxConns())
		t.MaxIdleConnsPerHost = t.MaxConnsPerHost
		t.MaxIdleConns = conn.Auth.maxConns()
		rt = ntlmNegotiator(t)
	}
	ownTransports[key] = &ownTransport{fingerprint: print, transport: t, rt: rt}
	return rt, nil
}

// Forget drops what patchbay keeps in memory for the connection with id
// between sends — its kept-alive connections (an NTLM handshake, a TLS
// session) and cached AWS role credentials — so that the next request
// starts over: what reconnecting means for those auth types.
func Forget(id uint64) {
	ownMu.Lock()
	for _, key := range []ownKey{{id: id}, {id: id, narrowed: true}, {id: id, token: true}} {
		if own := ownTransports[key]; own != nil {
			own.closeIdle()
			delete(ownTransports, key)
		}
	}
	ownMu.Unlock()
	forgetAWS(id)
}
