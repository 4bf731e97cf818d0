package connection

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// maxRedirects is how many redirects Send follows before giving up.
const maxRedirects = 5

// authTransport applies a connection's auth to the requests that go to the
// connection's origin and passes every other request through untouched, so
// that credentials cannot follow a redirect elsewhere. It never modifies
// the request it is given (the RoundTripper contract); it sends a clone.
type authTransport struct {
	auth          Auth
	caseSensitive bool   // set header names as typed, not canonicalised
	scope         origin // where the credentials may go
	creds         sendCreds
	base          http.RoundTripper

	mu    sync.Mutex
	first *sentHop // the first request as it went out, for SentRequest
}

// sentHop is a request as the transport sent it, before redaction.
type sentHop struct {
	method string
	url    *url.URL
	header http.Header
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	out := req
	if t.scope.admits(req.URL) {
		out = req.Clone(req.Context())
		if err := t.auth.apply(out, t.caseSensitive, t.creds); err != nil {
			// RoundTrip must close the body even when it fails early.
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
	}
	if t.auth.Type == AuthNTLM {
		// The Basic credentials on out are for the NTLM transport below,
		// which never sends them: the request as sent is req, plus
		// whatever handshake the server asks for.
		t.record(req)
	} else {
		t.record(out)
	}
	return base.RoundTrip(out)
}

func (t *authTransport) record(r *http.Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.first == nil {
		u := *r.URL
		t.first = &sentHop{method: r.Method, url: &u, header: r.Header.Clone()}
	}
}

// firstHop returns the first request that went out, or nil.
func (t *authTransport) firstHop() *sentHop {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.first
}

// sendCreds are the credentials of one Send that are not in the Auth
// itself: the OAuth2 access token, the AWS signer.
type sendCreds struct {
	bearer string
	aws    *awsSigner
}

// apply writes a's credentials into r, which must be a request of its own.
func (a Auth) apply(r *http.Request, caseSensitive bool, creds sendCreds) error {
	switch a.Type {
	case "", AuthNone:
	case AuthBasic:
		r.SetBasicAuth(a.Username, a.Password)
	case AuthHeader:
		setHeaders(r.Header, a.Headers, caseSensitive)
	case AuthQuery:
		r.URL.RawQuery = withQueryParams(r.URL.RawQuery, a.Query)
	case AuthCustom:
		if a.Username != "" {
			r.SetBasicAuth(a.Username, a.Password)
		}
		setHeaders(r.Header, a.Headers, caseSensitive)
		r.URL.RawQuery = withQueryParams(r.URL.RawQuery, a.Query)
	case AuthAPIKey:
		setHeaders(r.Header, []KV{{Key: a.KeyHeaderOrDefault(), Value: a.keyValue()}}, caseSensitive)
	case AuthOAuth2Code, AuthOAuth2Client, AuthAzureCode, AuthAzureClient:
		if creds.bearer == "" {
			return fmt.Errorf("connection has no OAuth2 token")
		}
		deleteHeader(r.Header, "Authorization")
		r.Header.Set("Authorization", "Bearer "+creds.bearer)
	case AuthAWSKey, AuthAWSRole:
		if creds.aws == nil {
			return fmt.Errorf("connection has no AWS credentials")
		}
		// Signing comes last: it covers every header already set.
		return creds.aws.sign(r)
	case AuthNTLM:
		// The NTLM transport below turns these into the handshake; they
		// are never sent as Basic.
		deleteHeader(r.Header, "Authorization")
		r.SetBasicAuth(a.ntlmUser(), a.Password)
	default:
		return fmt.Errorf("auth type %q is not supported", a.Type)
	}
	return nil
}

// setHeaders replaces any header of the same name (in any case) with kvs,
// keeping repeated names as repeated values. With caseSensitive the names
// go into the map as typed: net/http writes map keys verbatim, and some
// servers compare header names byte for byte.
func setHeaders(h http.Header, kvs []KV, caseSensitive bool) {
	for _, kv := range kvs {
		if kv.Key != "" {
			deleteHeader(h, kv.Key)
		}
	}
	for _, kv := range kvs {
		if kv.Key == "" {
			continue
		}
		if caseSensitive {
			h[kv.Key] = append(h[kv.Key], kv.Value)
		} else {
			h.Add(kv.Key, kv.Value)
		}
	}
}

// deleteHeader removes name in every spelling, canonical or not.
func deleteHeader(h http.Header, name string) {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}

// credentialHeaders names the headers whose values are credentials: the
// standard ones plus every header the connection's auth may set, whatever
// its type, because a user may type them in a request too.
func (c Connection) credentialHeaders() []string {
	names := []string{"Authorization", "Proxy-Authorization", "Cookie", "Cookie2", c.Auth.KeyHeaderOrDefault()}
	for _, h := range c.Auth.Headers {
		if h.Key != "" {
			names = append(names, h.Key)
		}
	}
	return names
}

// credentialParams names the query parameters whose values are credentials.
func (c Connection) credentialParams() map[string]bool {
	names := map[string]bool{}
	for _, q := range c.Auth.Query {
		if q.Key != "" {
			names[q.Key] = true
		}
	}
	return names
}

// redirectPolicy is Send's CheckRedirect. net/http strips only
// Authorization and Cookie, only when the host changes, and keeps them on
// an https→http downgrade; custom auth headers always follow, and so does a
// Referer holding the previous URL with its query. So every hop that leaves
// the connection's origin loses the connection's credential headers, every
// header whose name looks secret (credentials the user typed into the
// request: X-Api-Key, X-Auth-Token, ...) and the Referer, which would carry
// typed query credentials (?access_token=...) to the other origin.
// (Auth the transport adds is scoped by authTransport itself.)
type redirectPolicy struct {
	scope       origin
	credentials []string // header names
}

func (p redirectPolicy) check(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return errTooManyRedirects
	}
	if !p.scope.admits(req.URL) {
		// req.Header is this hop's own map (its value slices are shared with
		// the first request's), so deleting keys is safe.
		for _, name := range p.credentials {
			deleteHeader(req.Header, name)
		}
		deleteHeader(req.Header, "Referer")
		for name := range req.Header {
			if IsSecretName(name) {
				delete(req.Header, name)
			}
		}
	}
	return nil
}
