package connection

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"patchbay/connection/oauthtest"
)

// authorizeVia runs Authorize for conn with b as the browser.
func authorizeVia(t *testing.T, conn Connection, b *browser, opts AuthorizeOptions) (Token, error) {
	t.Helper()
	opts.OpenBrowser = b.open
	return Authorize(t.Context(), conn, opts)
}

func TestAuthorizeCodeFlowWithPKCE(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	conn.Auth.OAuth2.AuthorizeParams = []KV{{"prompt", "consent"}, {"state", "mine"}, {"redirect_uri", "http://evil.example/"}}
	b := newBrowser()
	var shownAuth, shownCallback string
	tok, err := authorizeVia(t, conn, b, AuthorizeOptions{ShowURL: func(a, c string) { shownAuth, shownCallback = a, c }})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	page := <-b.done
	if page.err != nil || page.status != http.StatusOK || !strings.Contains(page.body, "is connected") {
		t.Errorf("browser got %d %q (%v), want the connected page", page.status, page.body, page.err)
	}

	au, _ := url.Parse(shownAuth)
	q := au.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43 {
		t.Errorf("authorize URL without PKCE S256: %s", shownAuth)
	}
	if len(q.Get("state")) < 20 || q.Get("state") == "mine" {
		t.Errorf("state = %q, want a fresh random one", q.Get("state"))
	}
	if q.Get("prompt") != "consent" || q.Get("redirect_uri") != shownCallback || q.Get("scope") != "read write" {
		t.Errorf("authorize parameters: %v (callback %s)", q, shownCallback)
	}
	cu, _ := url.Parse(shownCallback)
	if cu.Scheme != "http" || cu.Hostname() != "127.0.0.1" || cu.Path != "/callback" || cu.Port() == "" {
		t.Errorf("callback URL = %s, want http://127.0.0.1:PORT/callback", shownCallback)
	}
	if !strings.HasPrefix(page.finalURL, shownCallback+"?") {
		t.Errorf("the browser ended at %s, want the callback", page.finalURL)
	}

	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("token = %+v", tok)
	}
	if saved := tokens.get(conn.ID); saved != tok {
		t.Errorf("saved %+v, returned %+v", saved, tok)
	}
	if via, grants := s.seen(); len(grants) != 1 || grants[0] != "authorization_code" || via[0] != "form" {
		t.Errorf("token requests: %v via %v", grants, via)
	}

	// The token works, is not shown as sent, and is masked in echoes.
	resp := mustSend(t, conn, Request{URL: "/api"})
	if resp.Status != 200 || !strings.Contains(string(resp.Body), `"user":"user-1"`) {
		t.Fatalf("/api: %s %s", resp.StatusText, resp.Body)
	}
	if v, _ := HeaderValue(resp.Request.Headers, "Authorization"); v != Redacted {
		t.Errorf("Authorization as sent = %q, want it redacted", v)
	}
	if kept := conn.RedactEchoes(resp); strings.Contains(string(kept.Body), tok.AccessToken) {
		t.Errorf("the echoed access token survived RedactEchoes: %s", kept.Body)
	}
	if s.TokenHits() != 1 {
		t.Errorf("token requests = %d, want 1 (the stored token reused)", s.TokenHits())
	}

	// The same callback again: the listener is gone.
	if _, err := http.Get(page.finalURL); err == nil {
		t.Error("a replayed callback reached a listener after the flow ended")
	}
	if c, err := net.Dial("tcp", cu.Host); err == nil {
		c.Close()
		t.Error("the callback port still accepts connections")
	}
	if s.TokenHits() != 1 {
		t.Errorf("token requests = %d after the replay, want 1", s.TokenHits())
	}
}

func TestAuthorizeRejectsWrongStateAndWaits(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	var mu sync.Mutex
	var rejected []string
	type answer struct {
		status int
		err    error
	}
	answers := make(chan answer, 3)
	opts := AuthorizeOptions{
		Rejected: func(r string) { mu.Lock(); rejected = append(rejected, r); mu.Unlock() },
		OpenBrowser: func(u string) error {
			go func() {
				loc := authorizeRedirect(t, u)
				if loc == nil {
					return
				}
				for _, state := range []string{"forged", ""} {
					bad := *loc
					q := bad.Query()
					q.Set("state", state)
					if state == "" {
						q.Del("state")
					}
					bad.RawQuery = q.Encode()
					resp, err := http.Get(bad.String())
					if err == nil {
						resp.Body.Close()
						answers <- answer{resp.StatusCode, nil}
					} else {
						answers <- answer{0, err}
					}
					if n := s.TokenHits(); n != 0 {
						t.Errorf("a callback with state %q made %d token requests", state, n)
					}
				}
				resp, err := http.Get(loc.String())
				if err == nil {
					resp.Body.Close()
					answers <- answer{resp.StatusCode, nil}
				} else {
					answers <- answer{0, err}
				}
			}()
			return nil
		},
	}
	tok, err := Authorize(t.Context(), conn, opts)
	if err != nil {
		t.Fatalf("Authorize after two bad callbacks: %v", err)
	}
	for i, want := range []int{400, 400, 200} {
		if a := <-answers; a.err != nil || a.status != want {
			t.Errorf("callback %d: %d %v, want %d", i, a.status, a.err, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(rejected) != 2 || !strings.Contains(rejected[0], "state does not match") || !strings.Contains(rejected[1], "no state") {
		t.Errorf("rejections = %q", rejected)
	}
	if tok.AccessToken == "" || s.TokenHits() != 1 {
		t.Errorf("token %+v after %d token requests, want one exchange", tok, s.TokenHits())
	}
}

func TestAuthorizePastedURL(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	pasted := make(chan string)
	rejected := make(chan string, 4)
	done := make(chan struct{})
	defer close(done)
	opts := AuthorizeOptions{
		Pasted:   pasted,
		Rejected: func(r string) { rejected <- r },
		ShowURL: func(authURL, _ string) {
			// The user's browser is on another machine: it cannot reach
			// the loopback callback, so the user pastes where it ended.
			go func() {
				loc := authorizeRedirect(t, authURL)
				if loc == nil {
					close(pasted)
					return
				}
				q := loc.Query()
				q.Set("state", "from-an-older-attempt")
				old := *loc
				old.RawQuery = q.Encode()
				for _, text := range []string{"  " + old.String() + "\n", "hello", loc.String()} {
					select {
					case pasted <- text:
					case <-done:
						return // Authorize took something it should not have
					}
				}
			}()
		},
	}
	tok, err := Authorize(t.Context(), conn, opts)
	if err != nil {
		t.Fatalf("Authorize with a pasted URL: %v", err)
	}
	close(rejected)
	var got []string
	for r := range rejected {
		got = append(got, r)
	}
	if len(got) != 2 || !strings.Contains(got[0], "state does not match") || !strings.Contains(got[1], "not the redirected URL") {
		t.Errorf("rejections = %q", got)
	}
	if tok.AccessToken == "" || tokens.get(conn.ID).AccessToken != tok.AccessToken || s.TokenHits() != 1 {
		t.Errorf("token %+v, %d token requests", tok, s.TokenHits())
	}
}

func TestAuthorizeTimeoutClosesTheLoopbackListener(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	conn := s.codeConn(nil)
	var callback string
	opts := AuthorizeOptions{
		Timeout: 50 * time.Millisecond,
		ShowURL: func(_, c string) {
			callback = c
			u, _ := url.Parse(c)
			// Bound to 127.0.0.1 only: this machine's other addresses
			// do not answer on the port.
			if ip := otherLocalIPv4(); ip != "" {
				if c, err := net.DialTimeout("tcp", net.JoinHostPort(ip, u.Port()), time.Second); err == nil {
					c.Close()
					t.Errorf("the callback port answers on %s", ip)
				}
			}
			if c, err := net.Dial("tcp", u.Host); err != nil {
				t.Errorf("the callback listener is not up while waiting: %v", err)
			} else {
				c.Close()
			}
		},
	}
	_, err := Authorize(t.Context(), conn, opts)
	e := mustErrorAs(t, err)
	if e.Kind != KindTimeout || !strings.Contains(e.Reason, "no sign-in for connection 'Jira' arrived within 50ms") {
		t.Errorf("timeout error = %v %q", e.Kind, e.Reason)
	}
	u, _ := url.Parse(callback)
	if c, err := net.Dial("tcp", u.Host); err == nil {
		c.Close()
		t.Error("the callback listener is still open after the timeout")
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = Authorize(ctx, conn, AuthorizeOptions{})
	if e := mustErrorAs(t, err); e.Kind != KindCanceled {
		t.Errorf("canceled: %v %q", e.Kind, e.Reason)
	}
}

// otherLocalIPv4 is a non-loopback IPv4 address of this machine, or "".
func otherLocalIPv4() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	return ""
}

func TestAuthorizeErrorAndIssuer(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	conn := s.codeConn(newMemTokens())
	run := func(extra url.Values) (browsed, error) {
		got := make(chan browsed, 1)
		_, err := Authorize(t.Context(), conn, AuthorizeOptions{OpenBrowser: func(u string) error {
			go func() {
				loc := authorizeRedirect(t, u)
				if loc == nil {
					got <- browsed{err: errors.New("no redirect")}
					return
				}
				q := loc.Query()
				for k, v := range extra {
					q[k] = v
				}
				if extra.Has("error") {
					q.Del("code")
				}
				loc.RawQuery = q.Encode()
				resp, err := http.Get(loc.String())
				if err != nil {
					got <- browsed{err: err}
					return
				}
				defer resp.Body.Close()
				var b strings.Builder
				buf := make([]byte, 4096)
				n, _ := resp.Body.Read(buf)
				b.Write(buf[:n])
				got <- browsed{status: resp.StatusCode, body: b.String()}
			}()
			return nil
		}})
		return <-got, err
	}

	page, err := run(url.Values{"error": {"access_denied"}, "error_description": {"The user said \x1b[31mno " + testClientSecret}})
	e := mustErrorAs(t, err)
	if !strings.Contains(e.Reason, "access_denied — The user said ␛[31mno "+Redacted) || strings.Contains(e.Reason, "\x1b") {
		t.Errorf("error callback: %q", e.Reason)
	}
	if page.status != 400 || !strings.Contains(page.body, "was not connected") || strings.Contains(page.body, testClientSecret) {
		t.Errorf("error page: %d %q", page.status, page.body)
	}

	if _, err := run(url.Values{"iss": {s.URL}}); err != nil {
		t.Errorf("iss of the authorize URL's server: %v", err)
	}
	_, err = run(url.Values{"iss": {"https://other.example.com"}})
	if e := mustErrorAs(t, err); !strings.Contains(e.Reason, "issuer https://other.example.com") {
		t.Errorf("wrong iss: %v", err)
	}
}

func TestIssuerMatches(t *testing.T) {
	authorize, _ := url.Parse("https://id.example.com/realms/x/protocol/openid-connect/auth")
	for iss, want := range map[string]bool{
		"https://id.example.com":               true,
		"https://id.example.com/":              true,
		"https://id.example.com/realms/x":      true,
		"https://ID.example.com:443/realms/x/": true,
		"https://id.example.com/realms/y":      false,
		"https://id.example.com/realms/xy":     false,
		"http://id.example.com":                false,
		"https://evil.example.com":             false,
		"id.example.com":                       false,
	} {
		if got := issuerMatches(iss, authorize); got != want {
			t.Errorf("issuerMatches(%q) = %v, want %v", iss, got, want)
		}
	}
}

func TestClientCredentialsBothAuthStyles(t *testing.T) {
	for _, tc := range []struct {
		style TokenAuth
		via   string
	}{{TokenAuthBody, "form"}, {"", "form"}, {TokenAuthHeader, "basic"}} {
		s := newOAuthServer(t, oauthtest.Options{})
		tokens := newMemTokens()
		conn := s.clientConn(tokens, tc.style)
		conn.Auth.OAuth2.TokenHeaders = []KV{{"X-Tenant", "acme"}}
		v := Test(t.Context(), conn)
		if !v.OK || !strings.HasPrefix(v.Reason, "connected — 200 OK from GET "+s.URL+"/api (token expires in 1h59m)") {
			t.Errorf("%q: verdict %v %q", tc.style, v.OK, v.Reason)
		}
		resp := mustSend(t, conn, Request{URL: "/api"})
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"client":"`+testClientID+`"`) {
			t.Errorf("%q: /api %s %s", tc.style, resp.StatusText, resp.Body)
		}
		via, grants := s.seen()
		if len(via) != 1 || via[0] != tc.via || grants[0] != "client_credentials" {
			t.Errorf("%q: token requests %v via %v, want one client_credentials via %s", tc.style, grants, via, tc.via)
		}
		// Expired: fetched again, no refresh token involved.
		tokens.expire(conn.ID)
		mustSend(t, conn, Request{URL: "/api"})
		if _, grants := s.seen(); len(grants) != 2 || grants[1] != "client_credentials" {
			t.Errorf("%q: after expiry, token requests %v", tc.style, grants)
		}
	}
}

func TestTokenHeadersAndNoStore(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	var mu sync.Mutex
	var tenants []string
	front := http.NewServeMux()
	front.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tenants = append(tenants, r.Header.Get("X-Tenant"))
		mu.Unlock()
		s.Config.Handler.ServeHTTP(w, r)
	})
	_, fs := newRecorder(t, false)
	fs.Config.Handler = front
	conn := s.clientConn(nil, TokenAuthBody)
	conn.Auth.OAuth2.TokenURL = fs.URL + "/token"
	conn.Auth.OAuth2.TokenHeaders = []KV{{"X-Tenant", "acme"}}
	// Without a TokenStore the token lasts one Send.
	for range 2 {
		if resp := mustSend(t, conn, Request{URL: "/api"}); resp.Status != 200 {
			t.Fatalf("/api: %s", resp.StatusText)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tenants) != 2 || tenants[0] != "acme" {
		t.Errorf("token requests carried X-Tenant %q, want acme twice", tenants)
	}
}

func TestRefreshRotatesAndPersists(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	first, err := authorizeVia(t, conn, newBrowser(), AuthorizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tokens.expire(conn.ID)
	resp := mustSend(t, conn, Request{URL: "/api"})
	if resp.Status != 200 {
		t.Fatalf("/api after refresh: %s %s", resp.StatusText, resp.Body)
	}
	second := tokens.get(conn.ID)
	if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken || second.RefreshToken == "" {
		t.Fatalf("after refresh: %+v (was %+v), want a new access and a rotated refresh token", second, first)
	}
	if _, grants := s.seen(); len(grants) != 2 || grants[1] != "refresh_token" {
		t.Errorf("token requests %v", grants)
	}

	// A restart: a new store holding what was persisted.
	raw, _ := json.Marshal(second)
	var loaded Token
	if err := json.Unmarshal(raw, &loaded); err != nil {
		t.Fatal(err)
	}
	restarted := newMemTokens()
	restarted.m[conn.ID] = loaded
	restarted.expire(conn.ID)
	conn.Tokens = restarted
	if resp := mustSend(t, conn, Request{URL: "/api"}); resp.Status != 200 {
		t.Fatalf("/api after a restart: %s %s", resp.StatusText, resp.Body)
	}
	third := restarted.get(conn.ID)
	if third.RefreshToken == second.RefreshToken || third.NeedsReconnect != "" {
		t.Errorf("refresh after restart: %+v", third)
	}

	// The first refresh token was rotated away: using it is invalid_grant.
	stale := newMemTokens()
	stale.m[conn.ID] = Token{AccessToken: "old", RefreshToken: first.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	conn.Tokens = stale
	if _, err := Send(t.Context(), conn, Request{URL: "/api"}); !errors.Is(err, ErrNeedsReconnect) {
		t.Errorf("a rotated-away refresh token: %v, want ErrNeedsReconnect", err)
	}
}

func TestInvalidGrantNeedsReconnect(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	tokens.m[conn.ID] = Token{AccessToken: "expired-access", RefreshToken: "not-a-refresh-token", Expiry: time.Now().Add(-time.Hour)}

	_, err := Send(t.Context(), conn, Request{URL: "/api"})
	if !errors.Is(err, ErrNeedsReconnect) {
		t.Fatalf("Send = %v, want ErrNeedsReconnect", err)
	}
	e := mustErrorAs(t, err)
	if e.Kind != KindInvalid || !strings.HasPrefix(e.Reason, "connection 'Jira' needs to be reconnected: ") ||
		!strings.HasSuffix(e.Reason, " — run `patchbay connection connect Jira`") {
		t.Errorf("reason = %q", e.Reason)
	}
	saved := tokens.get(conn.ID)
	if saved.NeedsReconnect == "" || !strings.Contains(e.Reason, saved.NeedsReconnect) {
		t.Errorf("saved %+v; reason %q", saved, e.Reason)
	}
	// The marked token is not used, nor refreshed again.
	hits := s.TokenHits()
	v := Test(t.Context(), conn)
	if v.OK || v.Kind != KindInvalid || !strings.Contains(v.Reason, "needs to be reconnected") || s.TokenHits() != hits {
		t.Errorf("verdict %v %q after %d more token requests", v.Kind, v.Reason, s.TokenHits()-hits)
	}
	if got := TokenStatus(saved, time.Now()); !strings.HasPrefix(got, "needs reconnect: ") {
		t.Errorf("TokenStatus = %q", got)
	}

	// Expired without a refresh token: nothing to refresh with.
	tokens.m[conn.ID] = Token{AccessToken: "a", Expiry: time.Now().Add(-time.Hour)}
	_, err = Send(t.Context(), conn, Request{URL: "/api"})
	if !errors.Is(err, ErrNeedsReconnect) || !strings.Contains(tokens.get(conn.ID).NeedsReconnect, "no refresh token") {
		t.Errorf("no refresh token: %v, saved %+v", err, tokens.get(conn.ID))
	}
	// Never connected.
	delete(tokens.m, conn.ID)
	_, err = Send(t.Context(), conn, Request{URL: "/api"})
	if !errors.Is(err, ErrNeedsReconnect) || !strings.Contains(err.Error(), "is not connected yet") {
		t.Errorf("no token: %v", err)
	}
}

func TestConcurrentSendsRefreshOnce(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	if _, err := authorizeVia(t, conn, newBrowser(), AuthorizeOptions{}); err != nil {
		t.Fatal(err)
	}
	tokens.expire(conn.ID)
	before := s.TokenHits()
	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for range 20 {
		wg.Go(func() {
			resp, err := Send(t.Context(), conn, Request{URL: "/api"})
			if err != nil {
				t.Errorf("Send: %v", err)
				return
			}
			statuses <- resp.Status
		})
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != 200 {
			t.Errorf("a concurrent Send got %d", st)
		}
	}
	if n := s.TokenHits() - before; n != 1 {
		t.Errorf("20 concurrent Sends on an expired token made %d token requests, want 1", n)
	}
}

func TestTokenEndpointRedirectIsNotFollowed(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	rec, other := newRecorder(t, false)
	redirector := http.NewServeMux()
	redirector.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	})
	_, rs := newRecorder(t, false)
	rs.Config.Handler = redirector

	// The code exchange.
	conn := s.codeConn(newMemTokens())
	conn.Auth.OAuth2.TokenURL = rs.URL + "/token"
	_, err := authorizeVia(t, conn, newBrowser(), AuthorizeOptions{})
	e := mustErrorAs(t, err)
	if e.Kind != KindProtocol || !strings.Contains(e.Reason, "answered with a redirect (307 Temporary Redirect) to "+other.Listener.Addr().String()) {
		t.Errorf("exchange through a 307: %v %q", e.Kind, e.Reason)
	}
	// Client credentials.
	cc := s.clientConn(nil, TokenAuthBody)
	cc.Auth.OAuth2.TokenURL = rs.URL + "/token"
	if _, err := Send(t.Context(), cc, Request{URL: "/api"}); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("client credentials through a 307: %v", err)
	}
	if got := rec.requests(); len(got) != 0 {
		t.Errorf("the redirect target received %d requests (%s %s)", len(got), got[0].Method, got[0].URL)
	}
}

func TestTokenErrorsAreSanitizedAndRedacted(t *testing.T) {
	secret := testClientSecret
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{
			"error":             "invalid_scope",
			"error_description": "scope \x1b]0;pwned\x07x is not for client with secret " + secret,
			"debug":             "body echo: " + secret,
		})
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("<p>crash; client_secret=" + secret + "</p>"))
	})
	mux.HandleFunc("/unauthorized", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client","error_description":"bad secret ` + secret + `"}`))
	})
	_, ts := newRecorder(t, false)
	ts.Config.Handler = mux
	api := newHTTPBin(t)
	for path, want := range map[string]string{
		"/json":         "the token endpoint of connection 'Billing' refused: invalid_scope — scope ␛]0;pwned\\x07x is not for client with secret " + Redacted,
		"/html":         "the token endpoint of connection 'Billing' answered 500 Internal Server Error without a token",
		"/unauthorized": "the token endpoint of connection 'Billing' rejected its client ID or secret (invalid_client — bad secret " + Redacted + ")",
	} {
		conn := Connection{Name: "Billing", BaseURL: api.URL, Auth: Auth{Type: AuthOAuth2Client, OAuth2: &OAuth2{
			TokenURL: ts.URL + path, ClientID: "id", ClientSecret: secret}}}
		_, err := Send(t.Context(), conn, Request{URL: "/get"})
		if err == nil {
			t.Fatalf("%s: no error", path)
		}
		e := mustErrorAs(t, err)
		if e.Reason != want {
			t.Errorf("%s: reason\n%q, want\n%q", path, e.Reason, want)
		}
		// What is shown: the error and its cause. The cause still unwraps
		// to x/oauth2's error, for errors.As.
		for _, text := range []string{err.Error(), e.Err.Error()} {
			if strings.Contains(text, secret) || strings.Contains(text, "\x1b") || strings.Contains(text, "debug") || strings.Contains(text, "<p>") {
				t.Errorf("%s: error text shows the body or secret: %q", path, text)
			}
		}
		if re := new(oauth2.RetrieveError); !errors.As(err, &re) {
			t.Errorf("%s: the cause does not unwrap to *oauth2.RetrieveError", path)
		}
		if v := Test(t.Context(), conn); strings.Contains(v.Reason, secret) || v.Reason != want {
			t.Errorf("%s: verdict %q", path, v.Reason)
		}
	}
}

func TestUnauthorizedAfterRefreshIsTheConnection(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	conn.TestPath = "/deny"
	if _, err := authorizeVia(t, conn, newBrowser(), AuthorizeOptions{}); err != nil {
		t.Fatal(err)
	}
	v := Test(t.Context(), conn)
	if v.OK || !strings.Contains(v.Reason, "401 Unauthorized — the server rejected the token of connection 'Jira'") || !strings.Contains(v.Reason, "reconnect 'Jira'") {
		t.Errorf("401 with a stored token: %q", v.Reason)
	}
	tokens.expire(conn.ID)
	v = Test(t.Context(), conn)
	if want := "401 Unauthorized — the server rejected the token of connection 'Jira' right after it was refreshed — reconnect 'Jira'"; !strings.HasPrefix(v.Reason, want) {
		t.Errorf("401 after a refresh: %q, want %q", v.Reason, want)
	}
	// Not an OAuth2 problem: a 401 of another connection is judged as before.
	if p := AuthProblem(Connection{Name: "x", Auth: Auth{Type: AuthBasic}}, Response{Status: 401}); p != "" {
		t.Errorf("AuthProblem of basic auth = %q", p)
	}
}

func TestBearerNotSentAcrossOrigins(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	rec, other := newRecorder(t, false)
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			t.Error("the bearer did not reach the connection's own origin")
		}
		http.Redirect(w, r, other.URL+"/landed", http.StatusFound)
	})
	_, api := newRecorder(t, false)
	api.Config.Handler = mux
	conn := s.clientConn(newMemTokens(), TokenAuthBody)
	conn.BaseURL = api.URL
	resp := mustSend(t, conn, Request{URL: "/away"})
	if resp.Status != 200 {
		t.Fatalf("%s", resp.StatusText)
	}
	got := rec.requests()
	if len(got) != 1 || got[0].Header.Get("Authorization") != "" {
		t.Errorf("the other origin got %d requests, Authorization %q", len(got), got[0].Header.Get("Authorization"))
	}
}

func TestOAuth2EnvClientSecret(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	conn := s.clientConn(nil, TokenAuthHeader)
	conn.Auth.OAuth2.ClientSecret = "env:PATCHBAY_TEST_CLIENT_SECRET"
	if errs := conn.Validate(); len(errs) > 0 {
		t.Fatalf("Validate: %v", errs)
	}
	_, err := Send(t.Context(), conn, Request{URL: "/api"})
	if err == nil || !strings.Contains(err.Error(), "takes its OAuth2 client secret from $PATCHBAY_TEST_CLIENT_SECRET, which is not set") {
		t.Errorf("unset variable: %v", err)
	}
	t.Setenv("PATCHBAY_TEST_CLIENT_SECRET", testClientSecret)
	if resp := mustSend(t, conn, Request{URL: "/api"}); resp.Status != 200 {
		t.Errorf("/api: %s", resp.StatusText)
	}
	forms := conn.SecretForms()
	if !strings.Contains(strings.Join(forms, "\n"), testClientSecret) {
		t.Errorf("SecretForms without the env: client secret: %q", forms)
	}
}

func TestOAuth2Validate(t *testing.T) {
	good := func(typ AuthType) Connection {
		return Connection{Name: "n", BaseURL: "https://api.example.com", Auth: Auth{Type: typ, OAuth2: &OAuth2{
			AuthorizeURL: "https://id.example.com/authorize", TokenURL: "https://id.example.com/token",
			ClientID: "id", ClientSecret: "secret"}}}
	}
	for _, typ := range []AuthType{AuthOAuth2Code, AuthOAuth2Client} {
		if errs := good(typ).Validate(); len(errs) > 0 {
			t.Errorf("%s: %v", typ, errs)
		}
	}
	public := good(AuthOAuth2Code)
	public.Auth.OAuth2.ClientSecret = ""
	if errs := public.Validate(); len(errs) > 0 {
		t.Errorf("a public client (code flow without a secret): %v", errs)
	}
	for _, tc := range []struct {
		typ   AuthType
		edit  func(o *OAuth2)
		field string
		msg   string
	}{
		{AuthOAuth2Code, func(o *OAuth2) { o.AuthorizeURL = "" }, "authorize_url", "authorize URL is required"},
		{AuthOAuth2Code, func(o *OAuth2) { o.AuthorizeURL = "id.example.com/a" }, "authorize_url", "authorize URL must start with http:// or https://"},
		{AuthOAuth2Code, func(o *OAuth2) { o.RefreshURL = "ftp://x/y" }, "refresh_url", "refresh URL must start with http:// or https://"},
		{AuthOAuth2Code, func(o *OAuth2) { o.CallbackPort = 70000 }, "callback_port", "callback port must be between 1 and 65535, or 0 for any free port"},
		{AuthOAuth2Code, func(o *OAuth2) { o.AuthorizeParams = []KV{{"", "x"}} }, "authorize_param.0", "parameter needs a name"},
		{AuthOAuth2Client, func(o *OAuth2) { o.TokenURL = "" }, "token_url", "token URL is required"},
		{AuthOAuth2Client, func(o *OAuth2) { o.TokenURL = "https://" }, "token_url", "token URL has no host"},
		{AuthOAuth2Client, func(o *OAuth2) { o.ClientID = " " }, "client_id", "client ID is required"},
		{AuthOAuth2Client, func(o *OAuth2) { o.ClientSecret = "" }, "client_secret", "client secret is required for client credentials"},
		{AuthOAuth2Client, func(o *OAuth2) { o.ClientSecret = "env:1X" }, "client_secret", `"1X" is not an environment variable name: use letters, digits and _, not starting with a digit`},
		{AuthOAuth2Client, func(o *OAuth2) { o.TokenAuth = "jwt" }, "token_auth", "token_auth must be body (client id and secret in the request body) or header (a Basic header)"},
		{AuthOAuth2Client, func(o *OAuth2) { o.TokenHeaders = []KV{{"Bad Name", "v"}} }, "token_header.0", `header name "Bad Name" may not contain spaces`},
		{AuthOAuth2Client, func(o *OAuth2) { o.Scopes = "a\nb" }, "scopes", "scopes may not contain line breaks or control characters"},
	} {
		c := good(tc.typ)
		tc.edit(c.Auth.OAuth2)
		if got := c.Validate().For(tc.field); got != tc.msg {
			t.Errorf("%s %s: %q, want %q (all: %v)", tc.typ, tc.field, got, tc.msg, c.Validate())
		}
	}
	missing := Connection{Name: "n", BaseURL: "https://api.example.com", Auth: Auth{Type: AuthOAuth2Client}}
	if errs := missing.Validate(); errs.For("token_url") == "" || errs.For("client_id") == "" {
		t.Errorf("no OAuth2 block: %v", errs)
	}
	noBase := good(AuthOAuth2Client)
	noBase.BaseURL = ""
	if noBase.Validate().For("base_url") == "" {
		t.Error("an OAuth2 connection without a base URL passed: its bearer would go anywhere")
	}
}

func TestOAuth2TypesSecretsAndClone(t *testing.T) {
	for _, typ := range []AuthType{AuthOAuth2Code, AuthOAuth2Client} {
		if !strings.Contains(strings.Join(func() []string {
			var s []string
			for _, a := range AuthTypes {
				s = append(s, string(a))
			}
			return s
		}(), " "), string(typ)) {
			t.Errorf("%s is not in AuthTypes", typ)
		}
	}
	if AuthOAuth2Code.Title() != "OAuth2 authorization code" || AuthOAuth2Client.Title() != "OAuth2 client credentials" {
		t.Errorf("titles %q %q", AuthOAuth2Code.Title(), AuthOAuth2Client.Title())
	}
	c := Connection{Auth: Auth{Type: AuthOAuth2Client, OAuth2: &OAuth2{ClientSecret: "the-client-secret",
		TokenHeaders: []KV{{"A", "1"}}, AuthorizeParams: []KV{{"p", "1"}}}}}
	if s := c.Secrets(); len(s) != 1 || s[0] != "the-client-secret" {
		t.Errorf("Secrets = %q", s)
	}
	ptrs := c.SecretFields()
	found := false
	for _, p := range ptrs {
		found = found || p == &c.Auth.OAuth2.ClientSecret
	}
	if !found {
		t.Error("SecretFields does not point at the client secret")
	}
	cl := c.Clone()
	for _, p := range cl.SecretFields() {
		*p = "changed"
	}
	cl.Auth.OAuth2.TokenHeaders[0].Value = "2"
	cl.Auth.OAuth2.AuthorizeParams[0].Value = "2"
	if o := c.Auth.OAuth2; o.ClientSecret != "the-client-secret" || o.TokenHeaders[0].Value != "1" || o.AuthorizeParams[0].Value != "1" {
		t.Errorf("Clone shares the OAuth2 block: %+v", o)
	}
	if (Connection{}).Clone().Auth.OAuth2 != nil {
		t.Error("Clone made an OAuth2 block out of nothing")
	}
}

func TestExpiresInAndTokenStatus(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tok := func(d time.Duration) Token { return Token{AccessToken: "a", Expiry: at.Add(d)} }
	for _, tc := range []struct {
		t    Token
		want string
	}{
		{Token{}, ""},
		{Token{AccessToken: "a"}, ""},
		{tok(-time.Second), "expired"},
		{tok(0), "expired"},
		{tok(45 * time.Second), "expires in 45s"},
		{tok(59*time.Minute + 59*time.Second), "expires in 59m"},
		{tok(time.Hour), "expires in 1h"},
		{tok(90 * time.Minute), "expires in 1h30m"},
		{tok(72 * time.Hour), "expires in 3d"},
	} {
		if got := ExpiresIn(tc.t, at); got != tc.want {
			t.Errorf("ExpiresIn(%v) = %q, want %q", tc.t.Expiry.Sub(at), got, tc.want)
		}
	}
	for _, tc := range []struct {
		t    Token
		want string
	}{
		{Token{}, "not connected"},
		{Token{AccessToken: "a"}, "connected"},
		{tok(time.Hour), "connected (expires in 1h)"},
		{tok(-time.Hour), "connected (token expired, renewed on next use)"},
		{Token{AccessToken: "a", NeedsReconnect: "revoked"}, "needs reconnect: revoked"},
	} {
		if got := TokenStatus(tc.t, at); got != tc.want {
			t.Errorf("TokenStatus = %q, want %q", got, tc.want)
		}
	}
}

func TestCurrentToken(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.clientConn(tokens, TokenAuthHeader)
	tok, err := CurrentToken(t.Context(), conn)
	if err != nil || tok.AccessToken == "" || tokens.get(conn.ID) != tok {
		t.Fatalf("CurrentToken = %+v, %v; stored %+v", tok, err, tokens.get(conn.ID))
	}
	if v := Test(t.Context(), conn); !v.OK || s.TokenHits() != 1 {
		t.Errorf("Test after CurrentToken: %q with %d token requests, want the token reused", v.Reason, s.TokenHits())
	}
	code := s.codeConn(newMemTokens())
	if _, err := CurrentToken(t.Context(), code); !errors.Is(err, ErrNeedsReconnect) {
		t.Errorf("code flow without a token: %v, want ErrNeedsReconnect", err)
	}
	if _, err := CurrentToken(t.Context(), Connection{Name: "b", Auth: Auth{Type: AuthBasic}}); err == nil {
		t.Error("CurrentToken of a basic-auth connection: no error")
	}
}

// An authorize URL pasted from the docs keeps its own parameters, but the
// ones patchbay sets itself are sent once, fresh: a stale state or
// redirect_uri in the pasted URL must not go out beside them.
func TestAuthorizePastedAuthorizeURLParameters(t *testing.T) {
	s := newOAuthServer(t, oauthtest.Options{})
	tokens := newMemTokens()
	conn := s.codeConn(tokens)
	conn.Auth.OAuth2.AuthorizeURL += "?audience=https%3A%2F%2Fapi.example&state=from-docs&redirect_uri=http%3A%2F%2Fevil.example%2F&response_type=token"
	b := newBrowser()
	var shown string
	// A short timeout: if the stale state won, no callback would ever match.
	opts := AuthorizeOptions{ShowURL: func(a, _ string) { shown = a }, Timeout: 10 * time.Second}
	if _, err := authorizeVia(t, conn, b, opts); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	<-b.done
	q, _ := url.ParseQuery(shown[strings.IndexByte(shown, '?')+1:])
	for _, k := range []string{"state", "redirect_uri", "response_type", "audience"} {
		if len(q[k]) != 1 {
			t.Errorf("%s sent %d times in %s", k, len(q[k]), shown)
		}
	}
	if q.Get("audience") != "https://api.example" || q.Get("state") == "from-docs" ||
		strings.Contains(q.Get("redirect_uri"), "evil") || q.Get("response_type") != "code" {
		t.Errorf("authorize parameters: %v", q)
	}
}
