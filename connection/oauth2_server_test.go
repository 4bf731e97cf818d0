package connection

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	oauth2server "github.com/go-oauth2/oauth2/v4"
	oauth2errors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"
)

// The test authorization server: github.com/go-oauth2/oauth2/v4 started
// in-process, with authorization code (PKCE S256 forced), client
// credentials and refresh with rotation. The user is always signed in, so
// /authorize redirects straight to the callback.
const (
	testClientID     = "patchbay-app"
	testClientSecret = "s3cret-of-the-client"
)

type oauthServer struct {
	*httptest.Server
	srv *server.Server

	tokenHits atomic.Int32 // requests to /token
	mu        sync.Mutex
	clientVia []string // "basic" or "form", per token request
	grants    []string // grant_type, per token request
}

// oauthServerOpts tune the test server.
type oauthServerOpts struct {
	accessTokenExp time.Duration // of issued tokens (default the library's 2h)
}

func newOAuthServer(t *testing.T, opts oauthServerOpts) *oauthServer {
	t.Helper()
	manager := manage.NewDefaultManager()
	manager.MustTokenStorage(store.NewMemoryTokenStore())
	clients := store.NewClientStore()
	clients.Set(testClientID, &models.Client{ID: testClientID, Secret: testClientSecret, Domain: "http://127.0.0.1"})
	manager.MapClientStorage(clients)
	// The default check wants the redirect URI under the client's domain
	// and rejects 127.0.0.1:<port>; any loopback port is the right rule.
	manager.SetValidateURIHandler(func(_, redirectURI string) error {
		u, err := url.Parse(redirectURI)
		if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Path != CallbackPath {
			return oauth2errors.ErrInvalidRedirectURI
		}
		return nil
	})
	if opts.accessTokenExp > 0 {
		manager.SetAuthorizeCodeTokenCfg(&manage.Config{AccessTokenExp: opts.accessTokenExp, RefreshTokenExp: 24 * time.Hour, IsGenerateRefresh: true})
		manager.SetClientTokenCfg(&manage.Config{AccessTokenExp: opts.accessTokenExp})
	}
	manager.SetRefreshTokenCfg(&manage.RefreshingConfig{IsGenerateRefresh: true, IsRemoveAccess: true, IsRemoveRefreshing: true})

	s := &oauthServer{}
	srv := server.NewServer(server.NewConfig(), manager)
	srv.Config.ForcePKCE = true
	srv.Config.AllowedCodeChallengeMethods = []oauth2server.CodeChallengeMethod{oauth2server.CodeChallengeS256}
	srv.SetUserAuthorizationHandler(func(http.ResponseWriter, *http.Request) (string, error) { return "user-1", nil })
	srv.SetClientInfoHandler(func(r *http.Request) (string, string, error) {
		if id, secret, err := server.ClientBasicHandler(r); err == nil {
			s.record("basic", r)
			return id, secret, nil
		}
		s.record("form", r)
		return server.ClientFormHandler(r)
	})
	s.srv = srv

	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleAuthorizeRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		s.tokenHits.Add(1)
		srv.HandleTokenRequest(w, r)
	})
	// /api is the protected resource: it checks the bearer token and
	// echoes what it saw.
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		ti, err := srv.ValidationBearerToken(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{
			"client": ti.GetClientID(), "user": ti.GetUserID(), "authorization": r.Header.Get("Authorization"),
		})
	})
	mux.HandleFunc("/deny", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *oauthServer) record(via string, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientVia = append(s.clientVia, via)
	s.grants = append(s.grants, r.FormValue("grant_type"))
}

func (s *oauthServer) seen() (via, grants []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.clientVia...), append([]string(nil), s.grants...)
}

// codeConn is an oauth2-code connection to s whose API is s's /api.
func (s *oauthServer) codeConn(tokens TokenStore) Connection {
	return Connection{
		ID: nextConnID(), Name: "Jira", BaseURL: s.URL, TestPath: "/api", Tokens: tokens,
		Auth: Auth{Type: AuthOAuth2Code, OAuth2: &OAuth2{
			AuthorizeURL: s.URL + "/authorize", TokenURL: s.URL + "/token",
			ClientID: testClientID, ClientSecret: testClientSecret, Scopes: "read write",
		}},
	}
}

// clientConn is an oauth2-client connection to s.
func (s *oauthServer) clientConn(tokens TokenStore, style TokenAuth) Connection {
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
