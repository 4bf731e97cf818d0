package connection

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// authTransport applies a connection's auth to the requests that go to the
// connection's origin and passes every other request through untouched, so
// that credentials cannot follow a redirect elsewhere. It never modifies
// the request it is given (the RoundTripper contract): with credentials to
// add, it sends a clone.
type authTransport struct {
	auth          Auth
	caseSensitive bool   // set header names as typed, not canonicalised
	scope         origin // where the credentials may go
	creds         sendCreds
	base          http.RoundTripper

	mu    sync.Mutex
	first *http.Request // the first request as it went out, for SentRequest
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
	if t.auth.Type != "" && t.auth.Type != AuthNone && t.scope.admits(req.URL) {
		out = cloneForAuth(req, t.auth.Type)
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

// cloneForAuth copies req for apply to write a's credentials into. The
// auth types that write only header fields get what oauth2's Transport
// makes: a shallow copy with a header map of its own (every value slice
// copied too). The ones that write the URL's query or sign the request get
// a deep copy.
func cloneForAuth(req *http.Request, typ AuthType) *http.Request {
	switch typ {
	case AuthBasic, AuthHeader, AuthAPIKey, AuthOAuth2Code, AuthOAuth2Client, AuthAzureCode, AuthAzureClient, AuthNTLM:
		out := req.WithContext(req.Context())
		out.Header = req.Header.Clone()
		return out
	}
	return req.Clone(req.Context())
}

// record keeps the first request that goes out. Nothing changes a request
// once it is handed to the transport below, so it is kept, not copied.
func (t *authTransport) record(r *http.Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.first == nil {
		t.first = r
	}
}

// firstHop returns the first request that went out; ok is false when
// none did.
func (t *authTransport) firstHop() (hop sentHop, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.first == nil {
		return sentHop{}, false
	}
	return sentHop{method: t.first.Method, url: t.first.URL, header: t.first.Header}, true
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
		// Signing comes last: it covers every header already set, but for
		// patchbay's own Accept-Encoding, which the AWS SDKs do not sign
		// either (net/http adds theirs after signing): a proxy may rewrite it.
		ae := r.Header["Accept-Encoding"]
		own := len(ae) == 1 && ae[0] == acceptEncoding
		if own {
			delete(r.Header, "Accept-Encoding")
		}
		err := creds.aws.sign(r)
		if own {
			r.Header["Accept-Encoding"] = ae
		}
		return err
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
	if len(c.Auth.Query) == 0 {
		return nil
	}
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
//
// It follows at most max redirects (0: none, the 3xx is the response) and
// records each one it follows in hops, its URL redacted with redact.
type redirectPolicy struct {
	scope       origin
	credentials []string // header names
	max         int
	redact      redactor
	hops        []Hop
}

func (p *redirectPolicy) check(req *http.Request, via []*http.Request) error {
	if p.max == 0 {
		return http.ErrUseLastResponse
	}
	if len(via) > p.max {
		return &tooManyRedirects{max: p.max, next: p.redact.url(req.URL.String())}
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
	hop := Hop{URL: p.redact.url(req.URL.String())}
	if req.Response != nil {
		hop.Status = req.Response.StatusCode
	}
	p.hops = append(p.hops, hop)
	return nil
}

// errTooManyRedirects is what a tooManyRedirects is, for errors.Is.
var errTooManyRedirects = errors.New("too many redirects")

// tooManyRedirects is the error of a Send that reached its redirect limit.
// next, where the redirect not followed pointed, is already redacted.
type tooManyRedirects struct {
	max  int
	next string
}

func (e *tooManyRedirects) Error() string {
	hops := "redirects"
	if e.max == 1 {
		hops = "redirect"
	}
	return fmt.Sprintf("stopped after %d %s (max redirects) — the next one pointed to %s", e.max, hops, CleanText(e.next))
}

func (e *tooManyRedirects) Is(target error) bool { return target == errTooManyRedirects }
