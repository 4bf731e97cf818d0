package connection

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// go-oauth2/oauth2 v4.5.4, the test authorization server of the other
// flows, has no device authorization grant (its grant types are
// authorization_code, password, client_credentials, refresh_token and
// implicit), and no server that has one can run here. deviceServer
// replays the RFC 8628 exchange instead: /device answers the device
// authorization request, /token answers the polls from a script
// (authorization_pending, slow_down, access_denied, expired_token), then
// with a token.

const (
	deviceCode = "dev-code-Xq81Lm0Pz"
	userCode   = "WDJB-MJHT"
)

// devicePoll is one token request the server received.
type devicePoll struct {
	at   time.Time
	form url.Values
	hdr  http.Header
}

type deviceServer struct {
	*httptest.Server
	// auth is the device authorization response; script the answers to
	// the polls, in order (an error code, or "" for the token).
	auth   map[string]any
	script []string
	desc   string // error_description of the scripted errors

	mu         sync.Mutex
	deviceReqs []devicePoll
	polls      []devicePoll
}

func newDeviceServer(t *testing.T, auth map[string]any, script ...string) *deviceServer {
	t.Helper()
	s := &deviceServer{auth: auth, script: script}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		s.mu.Lock()
		s.deviceReqs = append(s.deviceReqs, devicePoll{time.Now(), r.PostForm, r.Header.Clone()})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.auth)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		s.mu.Lock()
		n := len(s.polls)
		s.polls = append(s.polls, devicePoll{time.Now(), r.PostForm, r.Header.Clone()})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" || r.PostForm.Get("device_code") != deviceCode {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		if n < len(s.script) && s.script[n] != "" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": s.script[n], "error_description": s.desc})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": "device-access-token-1", "token_type": "Bearer",
			"refresh_token": "device-refresh-token-1", "expires_in": 3600,
		})
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// deviceAuthResponse is a device authorization response of s.
func (s *deviceServer) deviceAuthResponse(interval, expiresIn int, complete bool) map[string]any {
	m := map[string]any{
		"device_code": deviceCode, "user_code": userCode,
		"verification_uri": s.URL + "/activate", "expires_in": expiresIn,
	}
	if interval > 0 {
		m["interval"] = interval
	}
	if complete {
		m["verification_uri_complete"] = s.URL + "/activate?user_code=" + userCode
	}
	return m
}

func (s *deviceServer) conn(tokens TokenStore) Connection {
	return Connection{
		ID: nextConnID(), Name: "Jira", BaseURL: s.URL, Tokens: tokens,
		Auth: Auth{Type: AuthOAuth2Code, OAuth2: &OAuth2{
			AuthorizeURL: s.URL + "/authorize", TokenURL: s.URL + "/token", DeviceURL: s.URL + "/device",
			ClientID: testClientID, ClientSecret: testClientSecret, Scopes: "read write",
			TokenHeaders:    []KV{{Key: "X-Tenant", Value: "acme"}},
			AuthorizeParams: []KV{{Key: "audience", Value: "api://jira"}, {Key: "response_type", Value: "code"}},
		}},
	}
}

func (s *deviceServer) seen() (device, polls []devicePoll) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]devicePoll(nil), s.deviceReqs...), append([]devicePoll(nil), s.polls...)
}

// shown records what DeviceAuthorize showed the user.
type shown struct {
	mu            sync.Mutex
	code, url     string
	calls         int
	afterShowHook func()
}

func (s *shown) show(code, u string) {
	s.mu.Lock()
	s.code, s.url = code, u
	s.calls++
	s.mu.Unlock()
	if s.afterShowHook != nil {
		s.afterShowHook()
	}
}

// The whole grant: the user code and the complete verification URL are
// shown; the client polls at the server's interval, keeps polling on
// authorization_pending, waits 5 s longer after slow_down, and saves the
// token. x/oauth2 polls at whole seconds (1 s at least) and slow_down adds
// 5 s, so this test takes about 8 s: 1 s, 1 s, then 6 s.
func TestDeviceAuthorizePendingSlowDownToken(t *testing.T) {
	t.Parallel()
	srv := newDeviceServer(t, nil, "authorization_pending", "slow_down", "")
	srv.auth = srv.deviceAuthResponse(1, 60, true)
	tokens := newMemTokens()
	conn := srv.conn(tokens)
	var sh shown
	start := time.Now()
	tok, err := DeviceAuthorize(t.Context(), conn, sh.show)
	if err != nil {
		t.Fatalf("DeviceAuthorize: %v", err)
	}
	if tok.AccessToken != "device-access-token-1" || tok.RefreshToken != "device-refresh-token-1" || !tok.Expiry.After(time.Now().Add(50*time.Minute)) {
		t.Errorf("token %+v", tok)
	}
	if got := tokens.get(conn.ID); got.AccessToken != tok.AccessToken || got.RefreshToken != tok.RefreshToken {
		t.Errorf("saved token %+v, want %+v", got, tok)
	}
	if sh.calls != 1 || sh.code != userCode || sh.url != srv.URL+"/activate?user_code="+userCode {
		t.Errorf("shown %d time(s): code %q, URL %q", sh.calls, sh.code, sh.url)
	}

	device, polls := srv.seen()
	if len(device) != 1 {
		t.Fatalf("%d device authorization requests, want 1", len(device))
	}
	d := device[0]
	if d.form.Get("client_id") != testClientID || d.form.Get("scope") != "read write" || d.form.Get("audience") != "api://jira" ||
		d.form.Has("response_type") || d.hdr.Get("X-Tenant") != "acme" {
		t.Errorf("device authorization request: form %v, X-Tenant %q", d.form, d.hdr.Get("X-Tenant"))
	}
	if len(polls) != 3 {
		t.Fatalf("%d token requests, want 3 (pending, slow_down, token)", len(polls))
	}
	for i, p := range polls {
		if p.form.Get("client_id") != testClientID || p.form.Get("client_secret") != testClientSecret || p.hdr.Get("X-Tenant") != "acme" {
			t.Errorf("poll %d: form %v, X-Tenant %q", i, p.form, p.hdr.Get("X-Tenant"))
		}
	}
	// The interval: 1 s before the first poll and after authorization_pending;
	// after slow_down, 1+5 = 6 s. x/oauth2 polls on a ticker, so a first poll
	// slowed down by a busy machine is followed by the second sooner: the
	// second is checked against the start, two intervals.
	first, second, afterSlowDown := polls[0].at.Sub(d.at), polls[1].at.Sub(d.at), polls[2].at.Sub(polls[1].at)
	if first < 900*time.Millisecond || second < 1900*time.Millisecond || second > 5*time.Second {
		t.Errorf("polled %s and %s after the device request, want about 1s and 2s", first, second)
	}
	if afterSlowDown < 5900*time.Millisecond {
		t.Errorf("polled again %s after slow_down, want at least 6s (interval + 5s)", afterSlowDown)
	}
	t.Logf("device flow took %s (polls after %s, %s, then %s)", time.Since(start).Round(time.Millisecond), first, second, afterSlowDown)
}

// The code's lifetime bounds the wait: with expires_in 1 and the default
// 5 s interval, the code expires before the first poll.
func TestDeviceAuthorizeCodeExpires(t *testing.T) {
	t.Parallel()
	srv := newDeviceServer(t, nil)
	srv.auth = srv.deviceAuthResponse(0, 1, false)
	tokens := newMemTokens()
	conn := srv.conn(tokens)
	var sh shown
	start := time.Now()
	_, err := DeviceAuthorize(t.Context(), conn, sh.show)
	e := mustErrorAs(t, err)
	want := "the code for connection 'Jira' expired before the login was approved — run `patchbay connection connect Jira` again"
	if e.Kind != KindTimeout || e.Reason != want {
		t.Errorf("error %v %q, want %v %q", e.Kind, e.Reason, KindTimeout, want)
	}
	if waited := time.Since(start); waited > 4*time.Second {
		t.Errorf("gave up after %s, want about 1s (expires_in)", waited)
	}
	if sh.url != srv.URL+"/activate" || sh.code != userCode {
		t.Errorf("shown code %q, URL %q", sh.code, sh.url)
	}
	if _, polls := srv.seen(); len(polls) != 0 {
		t.Errorf("%d token requests after the code expired", len(polls))
	}
	if got := tokens.get(conn.ID); got != (Token{}) {
		t.Errorf("saved %+v", got)
	}
}

// The server's own ending words: expired_token and access_denied, in plain
// words, redacted, still unwrapping to x/oauth2's error.
func TestDeviceAuthorizeServerEndsIt(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]struct {
		kind   ErrorKind
		reason string
	}{
		"access_denied": {KindInvalid, "the login of connection 'Jira' was denied at the provider (access_denied — the user said no to client " + Redacted + " and " + Redacted + " ␛]0;pwned\\x07x)"},
		"expired_token": {KindTimeout, "the code for connection 'Jira' expired before the login was approved (expired_token — the user said no to client " + Redacted + " and " + Redacted + " ␛]0;pwned\\x07x) — run `patchbay connection connect Jira` again"},
	} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			srv := newDeviceServer(t, nil, "authorization_pending", code)
			srv.desc = "the user said no to client " + testClientSecret + " and " + deviceCode + " \x1b]0;pwned\x07x"
			srv.auth = srv.deviceAuthResponse(1, 60, false)
			tokens := newMemTokens()
			conn := srv.conn(tokens)
			_, err := DeviceAuthorize(t.Context(), conn, nil)
			e := mustErrorAs(t, err)
			if e.Kind != want.kind || e.Reason != want.reason {
				t.Errorf("error %v %q,\nwant  %v %q", e.Kind, e.Reason, want.kind, want.reason)
			}
			for _, text := range []string{err.Error(), e.Err.Error()} {
				if strings.Contains(text, testClientSecret) || strings.Contains(text, deviceCode) || strings.Contains(text, "\x1b") {
					t.Errorf("error text shows a secret or an escape: %q", text)
				}
			}
			if re := new(oauth2.RetrieveError); !errors.As(err, &re) || re.ErrorCode != code {
				t.Errorf("the cause does not unwrap to the RetrieveError of %s", code)
			}
			if _, polls := srv.seen(); len(polls) != 2 {
				t.Errorf("%d token requests, want 2", len(polls))
			}
			if got := tokens.get(conn.ID); got != (Token{}) {
				t.Errorf("saved %+v", got)
			}
		})
	}
}

// Canceling stops the wait at once, without another poll.
func TestDeviceAuthorizeCanceled(t *testing.T) {
	t.Parallel()
	srv := newDeviceServer(t, nil)
	srv.auth = srv.deviceAuthResponse(1, 60, false)
	ctx, cancel := context.WithCancel(t.Context())
	sh := shown{afterShowHook: cancel}
	_, err := DeviceAuthorize(ctx, srv.conn(nil), sh.show)
	if e := mustErrorAs(t, err); e.Kind != KindCanceled {
		t.Errorf("error %v %q, want canceled", e.Kind, e.Reason)
	}
	if _, polls := srv.seen(); len(polls) != 0 {
		t.Errorf("%d token requests after cancel", len(polls))
	}
}

// A redirect from the device endpoint is not followed: the other host
// receives nothing.
func TestDeviceAuthorizeRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var hits int
	var mu sync.Mutex
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	t.Cleanup(other.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/device", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	srv := newDeviceServer(t, nil)
	conn := srv.conn(nil)
	conn.Auth.OAuth2.DeviceURL = redirect.URL + "/device"
	_, err := DeviceAuthorize(t.Context(), conn, func(string, string) { t.Error("a code was shown") })
	e := mustErrorAs(t, err)
	if e.Kind != KindProtocol || !strings.Contains(e.Reason, "the device authorization endpoint of connection 'Jira' answered with a redirect (307 Temporary Redirect) to 127.0.0.1:") {
		t.Errorf("error %v %q", e.Kind, e.Reason)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Errorf("the redirect's target received %d request(s)", hits)
	}
}

// Device answers that are not usable, and connections that cannot use the
// device flow.
func TestDeviceAuthorizeRefuses(t *testing.T) {
	t.Parallel()
	srv := newDeviceServer(t, map[string]any{"device_code": deviceCode, "expires_in": 60})
	_, err := DeviceAuthorize(t.Context(), srv.conn(nil), nil)
	if e := mustErrorAs(t, err); e.Kind != KindProtocol || !strings.Contains(e.Reason, "answered without a device code, user code or verification URL") {
		t.Errorf("incomplete answer: %v %q", e.Kind, e.Reason)
	}

	noDevice := srv.conn(nil)
	noDevice.Auth.OAuth2.DeviceURL = ""
	if noDevice.HasDeviceFlow() {
		t.Error("HasDeviceFlow without a device URL")
	}
	_, err = DeviceAuthorize(t.Context(), noDevice, nil)
	if e := mustErrorAs(t, err); e.Reason != "connection 'Jira' has no device authorization URL (device_url)" {
		t.Errorf("no device URL: %q", e.Reason)
	}

	bad := srv.conn(nil)
	for _, u := range []string{"ftp://id.example.com/device", "/device"} {
		bad.Auth.OAuth2.DeviceURL = u
		errs := bad.Validate()
		if len(errs) != 1 || errs[0].Field != "device_url" || !strings.HasPrefix(errs[0].Msg, "device authorization URL must start with http:// or https://") {
			t.Errorf("Validate with device_url %q = %v", u, errs)
		}
	}
	bad.Auth.OAuth2.DeviceURL = srv.URL + "/device"
	if errs := bad.Validate(); len(errs) != 0 {
		t.Errorf("Validate with a good device_url = %v", errs)
	}
}
