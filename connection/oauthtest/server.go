// Package oauthtest runs a real OAuth2 authorization server in-process for
// tests: github.com/go-oauth2/oauth2/v4 with the authorization code grant
// (PKCE S256 forced), client credentials, and refresh with rotation. The
// user is always signed in, so /authorize redirects straight to the
// client's loopback callback. It imports nothing of patchbay, so every
// package's tests can use it, the internal tests of package connection
// included.
package oauthtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	oauth2server "github.com/go-oauth2/oauth2/v4"
	oauth2errors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
)

// The one registered client, unless Options name another.
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
	// ClientID and ClientSecret register another client in place of
	// ClientID and ClientSecret.
	ClientID, ClientSecret string
	// Prefixes mount the endpoints again: GET {prefix}/authorize and
	// POST {prefix}/token for each, which may hold ServeMux wildcards,
	// e.g. "/{tenant}/oauth2/v2.0" for the Microsoft identity platform.
	Prefixes []string
	// Echo is what /api answers of the request it let in, in a JSON
	// object: "client" and "user" (of the token), "scope" (the token's),
	// "authorization" (the header) and "bearer" (the token alone). Nil is
	// client, user and authorization.
	Echo []string
}

// TokenRequest is one request to a token endpoint that got as far as
// naming its client.
type TokenRequest struct {
	Path      string     // the URL path it was sent to
	Via       string     // how it sent the client credentials: "basic" or "form"
	ClientID  string     // the client it named
	GrantType string     // its grant_type
	Form      url.Values // its POST form as sent
}

// Server is the running authorization server. Its URL serves /authorize,
// /token, /api: a protected resource that checks the bearer token and
// echoes what Options.Echo says, and /deny, which always answers 401.
type Server struct {
	*httptest.Server
	srv       *server.Server
	mux       *http.ServeMux
	tokenHits atomic.Int32
	mu        sync.Mutex
	requests  []TokenRequest
}

// New starts a server; it stops when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	clientID, clientSecret := ClientID, ClientSecret
	if opts.ClientID != "" {
		clientID, clientSecret = opts.ClientID, opts.ClientSecret
	}
	manager := manage.NewDefaultManager()
	// Small stores of this package's own (memory.go) rather than the
	// library's store package, which brings an embedded database along.
	manager.MapTokenStorage(newTokens())
	manager.MapClientStorage(clients{clientID: &models.Client{ID: clientID, Secret: clientSecret, Domain: "http://127.0.0.1"}})
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

	s := &Server{mux: http.NewServeMux()}
	srv := server.NewServer(server.NewConfig(), manager)
	srv.Config.ForcePKCE = true
	srv.Config.AllowedCodeChallengeMethods = []oauth2server.CodeChallengeMethod{oauth2server.CodeChallengeS256}
	srv.SetUserAuthorizationHandler(func(http.ResponseWriter, *http.Request) (string, error) { return "user-1", nil })
	srv.SetClientInfoHandler(func(r *http.Request) (string, string, error) {
		if id, secret, err := server.ClientBasicHandler(r); err == nil {
			s.record("basic", id, r)
			return id, secret, nil
		}
		id, secret, err := server.ClientFormHandler(r)
		s.record("form", id, r)
		return id, secret, err
	})
	s.srv = srv

	authorize := func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleAuthorizeRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}
	token := func(w http.ResponseWriter, r *http.Request) {
		s.tokenHits.Add(1)
		srv.HandleTokenRequest(w, r)
	}
	s.mux.HandleFunc("/authorize", authorize)
	s.mux.HandleFunc("/token", token)
	for _, p := range opts.Prefixes {
		s.mux.HandleFunc("GET "+p+"/authorize", authorize)
		s.mux.HandleFunc("POST "+p+"/token", token)
	}
	echo := opts.Echo
	if echo == nil {
		echo = []string{"client", "user", "authorization"}
	}
	s.mux.HandleFunc("/api", s.Protected(func(w http.ResponseWriter, r *http.Request) {
		ti, _ := srv.ValidationBearerToken(r)
		all := map[string]string{
			"client": ti.GetClientID(), "user": ti.GetUserID(), "scope": ti.GetScope(),
			"authorization": r.Header.Get("Authorization"),
			"bearer":        strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "),
		}
		seen := map[string]string{}
		for _, k := range echo {
			seen[k] = all[k]
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(seen)
	}))
	s.mux.HandleFunc("/deny", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	})
	s.Server = httptest.NewServer(s.mux)
	t.Cleanup(s.Close)
	return s
}

// HandleFunc adds a handler to the server's mux (an http.ServeMux pattern).
func (s *Server) HandleFunc(pattern string, h http.HandlerFunc) { s.mux.HandleFunc(pattern, h) }

// Protected lets a request through to h only with a valid bearer token,
// and answers 401 otherwise, as /api does.
func (s *Server) Protected(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.srv.ValidationBearerToken(r); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

func (s *Server) record(via, clientID string, r *http.Request) {
	grant := r.FormValue("grant_type") // parses the form
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, TokenRequest{Path: r.URL.Path, Via: via, ClientID: clientID, GrantType: grant, Form: r.PostForm})
}

// TokenHits counts requests to the token endpoints.
func (s *Server) TokenHits() int { return int(s.tokenHits.Load()) }

// TokenRequests lists the token requests that named a client, in order.
func (s *Server) TokenRequests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenRequest(nil), s.requests...)
}

// ClientVia lists how each token request sent the client credentials:
// "basic" or "form".
func (s *Server) ClientVia() []string {
	var via []string
	for _, r := range s.TokenRequests() {
		via = append(via, r.Via)
	}
	return via
}

// Grants lists the grant_type of each token request.
func (s *Server) Grants() []string {
	var grants []string
	for _, r := range s.TokenRequests() {
		grants = append(grants, r.GrantType)
	}
	return grants
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
