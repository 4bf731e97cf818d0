package connection

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"patchbay/connection/oauthtest"
)

// The test authorization server is oauthtest's: go-oauth2 in-process, with
// /api, the protected resource, and /deny, which always answers 401.
const (
	testClientID     = oauthtest.ClientID
	testClientSecret = oauthtest.ClientSecret
)

// oauthServer is an oauthtest.Server with helpers for the tests here.
type oauthServer struct{ *oauthtest.Server }

func newOAuthServer(t *testing.T, opts oauthtest.Options) oauthServer {
	t.Helper()
	return oauthServer{oauthtest.New(t, opts)}
}

// seen is how each token request sent the client credentials, and its
// grant_type.
func (s oauthServer) seen() (via, grants []string) { return s.ClientVia(), s.Grants() }

// The redirect path the test server accepts is the one connection uses.
func TestCallbackPathIsOAuthTests(t *testing.T) {
	if CallbackPath != oauthtest.CallbackPath {
		t.Errorf("CallbackPath = %q, oauthtest accepts %q", CallbackPath, oauthtest.CallbackPath)
	}
}

// codeConn is an oauth2-code connection to s whose API is s's /api.
func (s oauthServer) codeConn(tokens TokenStore) Connection {
	return Connection{
		ID: nextConnID(), Name: "Jira", BaseURL: s.URL, TestPath: "/api", Tokens: tokens,
		Auth: Auth{Type: AuthOAuth2Code, OAuth2: &OAuth2{
			AuthorizeURL: s.URL + "/authorize", TokenURL: s.URL + "/token",
			ClientID: testClientID, ClientSecret: testClientSecret, Scopes: "read write",
		}},
	}
}

// clientConn is an oauth2-client connection to s.
func (s oauthServer) clientConn(tokens TokenStore, style TokenAuth) Connection {
	return Connection{
		ID: nextConnID(), Name: "Billing", BaseURL: s.URL, TestPath: "/api", Tokens: tokens,
		Auth: Auth{Type: AuthOAuth2Client, OAuth2: &OAuth2{
			TokenURL: s.URL + "/token", ClientID: testClientID, ClientSecret: testClientSecret, TokenAuth: style,
		}},
	}
}

// Connection IDs differ between tests, so that the process-wide token
// locks of one test never make another wait.
var connIDs atomic.Uint64

func nextConnID() uint64 { return connIDs.Add(1) + 1000 }

// memTokens is a TokenStore in memory that counts saves.
type memTokens struct {
	mu    sync.Mutex
	m     map[uint64]Token
	saves int
}

func newMemTokens() *memTokens { return &memTokens{m: map[uint64]Token{}} }

func (s *memTokens) LoadToken(id uint64) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[id], nil
}

func (s *memTokens) SaveToken(id uint64, t Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = t
	s.saves++
	return nil
}

func (s *memTokens) get(id uint64) Token {
	t, _ := s.LoadToken(id)
	return t
}

// expire makes the stored token of id expired.
func (s *memTokens) expire(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.m[id]
	t.Expiry = time.Now().Add(-time.Minute)
	s.m[id] = t
}

// browser is the user's browser: an HTTP client that follows the
// authorize URL's redirect to the loopback callback.
type browser struct {
	done chan browsed
}

type browsed struct {
	finalURL string
	status   int
	body     string
	err      error
}

func newBrowser() *browser { return &browser{done: make(chan browsed, 1)} }

func (b *browser) open(u string) error {
	go func() {
		resp, err := http.Get(u)
		if err != nil {
			b.done <- browsed{err: err}
			return
		}
		defer resp.Body.Close()
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		b.done <- browsed{finalURL: resp.Request.URL.String(), status: resp.StatusCode, body: body.String()}
	}()
	return nil
}

// authorizeRedirect fetches the authorize URL without following the
// redirect and returns where the server sends the browser (the callback
// URL with code and state).
func authorizeRedirect(t *testing.T, authURL string) *url.URL {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Errorf("authorize: %v", err)
		return nil
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Errorf("authorize answered %s without a redirect", resp.Status)
		return nil
	}
	return loc
}

func mustErrorAs(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error is %T, want *Error: %v", err, err)
	}
	return e
}
