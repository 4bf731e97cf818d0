package connection

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/Azure/go-ntlmssp"
)

// AuthNTLM is Windows NTLM: a challenge–response handshake that
// authenticates one TCP connection, which is then kept alive so the
// handshake is not repeated for every request.
const AuthNTLM AuthType = "ntlm"

// Pool sizes of an NTLM connection, as in the reference connector.
const (
	DefaultConnsPerHost = 5
	DefaultMaxConns     = 10
)

// ntlmUser is the user name the handshake sends: DOMAIN\user, unless the
// user name already names its domain (DOMAIN\user or user@domain).
func (a Auth) ntlmUser() string {
	user, domain := strings.TrimSpace(a.Username), strings.TrimSpace(a.Domain)
	if domain == "" || strings.ContainsAny(user, `\@`) {
		return user
	}
	return domain + `\` + user
}

// connsPerHost and maxConns are the pool sizes with their defaults.
func (a Auth) connsPerHost() int {
	if a.ConnsPerHost > 0 {
		return a.ConnsPerHost
	}
	return DefaultConnsPerHost
}

func (a Auth) maxConns() int {
	if a.MaxConns > 0 {
		return a.MaxConns
	}
	return DefaultMaxConns
}

// validateNTLM checks the fields of an ntlm connection.
func (a Auth) validateNTLM() FieldErrors {
	var errs FieldErrors
	if strings.TrimSpace(a.Username) == "" {
		errs = append(errs, FieldError{"username", "username is required"})
	}
	if strings.ContainsAny(a.Domain, `\@/`) {
		errs = append(errs, FieldError{"domain", `domain is a name like CORP, without \ or @`})
	}
	if a.ConnsPerHost < 0 {
		errs = append(errs, FieldError{"conns_per_host", "connections per host must be a positive number"})
	}
	if a.MaxConns < 0 {
		errs = append(errs, FieldError{"max_conns", "maximum connections must be a positive number"})
	}
	return errs
}

// ntlmNegotiator returns the round tripper of an NTLM connection, with
// base's settings and a pool of base.MaxConnsPerHost connections: the
// Negotiator turns the Basic credentials authTransport sets on a request
// into the NTLM (or Negotiate) handshake when the server asks for it, and
// never sends them as Basic.
func ntlmNegotiator(base *http.Transport) http.RoundTripper {
	size := base.MaxConnsPerHost
	if size <= 0 {
		size = DefaultConnsPerHost
	}
	// Further lanes are cut from a copy taken before base carries requests.
	p := &ntlmPool{template: base.Clone(), slots: make(chan struct{}, size)}
	// base is the first lane, so that base.CloseIdleConnections (Forget)
	// ends what sequential sends, which only ever use the first lane, have
	// kept alive.
	p.free = []*ntlmLane{p.newLane(base)}
	return p
}

// ntlmPool gives every request a lane of its own, for the whole of its
// handshake and until its response body is read or closed. A lane is a
// transport with at most one TCP connection per host, wrapped in its own
// Negotiator.
//
// An NTLM handshake is three requests that must go out on one TCP
// connection with nothing in between: the server keeps its challenge on
// the connection, and it authenticates the connection, not the requests.
// One http.Transport shared by concurrent requests gives no such affinity:
// between the CHALLENGE_MESSAGE and the AUTHENTICATE_MESSAGE another
// request takes the connection (and its NEGOTIATE_MESSAGE replaces the
// challenge), or the AUTHENTICATE_MESSAGE goes out on another connection,
// and the server refuses it.
//
// The free lane used last is taken first, so that a request rides an
// already authenticated connection when there is one; there are never more
// lanes than slots, so never more connections to the server.
type ntlmPool struct {
	template *http.Transport // the settings of every lane
	slots    chan struct{}   // one per lane in use

	mu    sync.Mutex
	free  []*ntlmLane // most recently used last
	lanes []*ntlmLane
}

type ntlmLane struct {
	transport *http.Transport
	rt        http.RoundTripper
}

func (p *ntlmPool) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case p.slots <- struct{}{}:
	case <-req.Context().Done():
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, req.Context().Err()
	}
	lane := p.take()
	resp, err := lane.rt.RoundTrip(req)
	if err != nil {
		p.put(lane)
		return nil, err
	}
	resp.Body = &laneBody{ReadCloser: resp.Body, release: func() { p.put(lane) }}
	return resp, nil
}

// take returns the free lane used last, or a new one; the caller holds a
// slot, so there are never more lanes than slots.
func (p *ntlmPool) take() *ntlmLane {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		lane := p.free[n-1]
		p.free = p.free[:n-1]
		return lane
	}
	return p.newLane(p.template.Clone())
}

// newLane makes t a lane of p: one connection per host, and a Negotiator.
func (p *ntlmPool) newLane(t *http.Transport) *ntlmLane {
	t.MaxConnsPerHost = 1
	t.MaxIdleConnsPerHost = 1
	lane := &ntlmLane{transport: t, rt: ntlmssp.Negotiator{RoundTripper: challengeReader{t}}}
	p.lanes = append(p.lanes, lane)
	return lane
}

// put gives a lane back and frees its slot.
func (p *ntlmPool) put(lane *ntlmLane) {
	p.mu.Lock()
	p.free = append(p.free, lane)
	p.mu.Unlock()
	<-p.slots
}

// CloseIdleConnections closes the idle connections of every lane, ending
// the authentication they carry. (Closing base's idle connections closes
// the first lane's only.)
func (p *ntlmPool) CloseIdleConnections() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, lane := range p.lanes {
		lane.transport.CloseIdleConnections()
	}
}

// laneBody gives its lane back once the body is read to its end or closed.
type laneBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *laneBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.once.Do(b.release)
	}
	return n, err
}

func (b *laneBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// maxChallengeBody bounds how much of a 401's body challengeReader keeps;
// past it the rest is dropped. (IIS's 401 page is about 1 KiB.)
const maxChallengeBody = 1 << 20

// challengeReader reads the body of every 401 into memory, which hands its
// TCP connection back to the transport at once.
//
// ntlmssp.Negotiator first sends a request without credentials and keeps
// the server's 401 open (to return it should the handshake not work out)
// while it sends the NEGOTIATE_MESSAGE. A 401 with a body (IIS sends a
// page) holds its connection until the body is read, so the handshake
// needed a second connection — and in a lane, which has one, waited for it
// until the request timed out.
type challengeReader struct {
	base http.RoundTripper
}

func (c challengeReader) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxChallengeBody))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
