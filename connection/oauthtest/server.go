// Package oauthtest runs a real OAuth2 authorization server in-process for
// tests: github.com/go-oauth2/oauth2/v4 with the authorization code grant
// (PKCE S256 forced), client credentials, and refresh with rotation. The
// user is always signed in, so /authorize redirects straight to the
// client's loopback callback. It imports nothing of patchbay, so every
// package's tests can use it.
package oauthtest

import (
	"encoding/json"
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

// The one registered client.
const (
	ClientID     = "patchbay-app"
	ClientSecret = "s3cret-of-the-client"
	// CallbackPath is the only redirect path accepted (on 127.0.0.1, any port).
	CallbackPath = "/callback"
)

// Options tune the server.
type Options struct {
	// AccessTokenExp is the lifetime of issued access tokens; zero keeps
	// the library's default (2 h).
	AccessTokenExp time.Duration
}

// Server is the running authorization server. Its URL serves /authorize,
// /token, and /api: a protected resource that checks the bearer token and
// echoes the client, user and Authorization header it saw.
type Server struct {
	*httptest.Server
	tokenHits atomic.Int32
	mu        sync.Mutex
	clientVia []string // "basic" or "form", per token request
}

// New starts a server; it stops when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	manager := manage.NewDefaultManager()
	manager.MustTokenStorage(store.NewMemoryTokenStore())
	clients := store.NewClientStore()
	clients.Set(ClientID, &models.Client{ID: ClientID, Secret: ClientSecret, Domain: "http://127.0.0.1"})
	manager.MapClientStorage(clients)
	// The library's check wants the redirect URI under the client's domain
	// and rejects 127.0.0.1:<port>; any loopback port is the right rule.
	manager.SetValidateURIHandler(func(_, redirectURI string) error {
		u, err := url.Parse(redirectURI)
		if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Path != CallbackPath {
			return oauth2errors.ErrInvalidRedirectURI
		}
		return nil
	})
	if opts.AccessTokenExp > 0 {
		manager.SetAuthorizeCodeTokenCfg(&manage.Config{AccessTokenExp: opts.AccessTokenExp, RefreshTokenExp: 24 * time.Hour, IsGenerateRefresh: true})
		manager.SetClientTokenCfg(&manage.Config{AccessTokenExp: opts.AccessTokenExp})
	}
	manager.SetRefreshTokenCfg(&manage.RefreshingConfig{IsGenerateRefresh: true, IsRemoveAccess: true, IsRemoveRefreshing: true})

	s := &Server{}
	srv := server.NewServer(server.NewConfig(), manager)
	srv.Config.ForcePKCE = true
	srv.Config.AllowedCodeChallengeMethods = []oauth2server.CodeChallengeMethod{oauth2server.CodeChallengeS256}
	srv.SetUserAuthorizationHandler(func(http.ResponseWriter, *http.Request) (string, error) { return "user-1", nil })
	srv.SetClientInfoHandler(func(r *http.Request) (string, string, error) {
		if id, secret, err := server.ClientBasicHandler(r); err == nil {
			s.record("basic")
			return id, secret, nil
		}
		s.record("form")
		return server.ClientFormHandler(r)
	})

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
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		ti, err := srv.ValidationBearerToken(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"client": ti.GetClientID(), "user": ti.GetUserID(), "authorization": r.Header.Get("Authorization"),
		})
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *Server) record(via string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientVia = append(s.clientVia, via)
}

// TokenHits counts requests to /token.
func (s *Server) TokenHits() int { return int(s.tokenHits.Load()) }

// ClientVia lists how each token request sent the client credentials:
// "basic" or "form".
func (s *Server) ClientVia() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.clientVia...)
}

// Browser follows an authorize URL as a signed-in user's browser would,
// through the redirect to the loopback callback, and returns the callback's
// status (0 when the request failed).
func Browser(authorizeURL string) int {
	resp, err := http.Get(authorizeURL)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
