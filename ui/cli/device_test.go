package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The device authorization grant (RFC 8628) from the shell. The test OAuth2
// server (go-oauth2/oauth2 v4.5.4) has no device grant, so a local endpoint
// replays the exchange: /device hands out a device code and user code, and
// /token answers each poll from a script (authorization_pending,
// access_denied, …), then with a token.

const (
	cliDeviceCode = "cli-device-code-7Hq2"
	cliUserCode   = "BDWP-HQPK"
)

type cliDeviceServer struct {
	*httptest.Server
	script []string // answers to the polls; "" is the token
	mu     sync.Mutex
	polls  int
}

func newCLIDeviceServer(t *testing.T, script ...string) *cliDeviceServer {
	t.Helper()
	s := &cliDeviceServer{script: script}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"device_code": cliDeviceCode, "user_code": cliUserCode,
			"verification_uri": s.URL + "/activate", "expires_in": 60, "interval": 1,
		})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		s.mu.Lock()
		n := s.polls
		s.polls++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("device_code") != cliDeviceCode {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		if n < len(s.script) && s.script[n] != "" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": s.script[n]})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": "cli-device-access-9Kd", "token_type": "Bearer",
			"refresh_token": "cli-device-refresh-3Lp", "expires_in": 3600,
		})
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *cliDeviceServer) add(t *testing.T, db, name string, device bool) {
	t.Helper()
	args := []string{"connection", "add", name, "--auth", "oauth2-code", "--base-url", s.URL,
		"--field", "authorize_url=" + s.URL + "/authorize", "--field", "token_url=" + s.URL + "/token",
		"--field", "client_id=tv-app"}
	if device {
		args = append(args, "--field", "device_url="+s.URL+"/device")
	}
	must(t, db, args...)
}

func (s *cliDeviceServer) tokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// `connect --device` prints the URL and the code, waits through
// authorization_pending, and saves the token; --no-browser takes the
// device login too when there is one.
func TestConnectDevice(t *testing.T) {
	for _, flag := range []string{"--device", "--no-browser"} {
		t.Run(flag, func(t *testing.T) {
			srv := newCLIDeviceServer(t, "authorization_pending", "")
			db := newDB(t)
			srv.add(t, db, "tv", true)
			r := patchbay(t, db, "connection", "connect", "tv", flag)
			wantExit(t, r, 0, "Go to "+srv.URL+"/activate and enter the code: "+cliUserCode+"\n")
			if !strings.HasPrefix(r.stdout, "Connected 'tv' (token expires in ") {
				t.Errorf("stdout %q", r.stdout)
			}
			if strings.Contains(r.stderr, "Open this URL") {
				t.Errorf("the code flow ran too:\n%s", r.stderr)
			}
			if n := srv.tokenRequests(); n != 2 {
				t.Errorf("%d token requests, want 2 (pending, token)", n)
			}
			tok := tokenOf(t, db, "tv")
			if tok.AccessToken != "cli-device-access-9Kd" || tok.RefreshToken != "cli-device-refresh-3Lp" {
				t.Fatalf("saved token %+v", tok)
			}
			assertNotInFile(t, db, tok.AccessToken, tok.RefreshToken)
			if s := statusOf(t, db, "tv"); !strings.HasPrefix(s, "connected (expires in ") {
				t.Errorf("status %q", s)
			}
		})
	}
}

func TestConnectDeviceRefused(t *testing.T) {
	srv := newCLIDeviceServer(t, "authorization_pending", "access_denied")
	db := newDB(t)
	srv.add(t, db, "tv", true)
	srv.add(t, db, "web", false)

	r := patchbay(t, db, "connection", "connect", "tv", "--device")
	wantExit(t, r, exitUsage, "enter the code: "+cliUserCode,
		"the login of connection 'tv' was denied at the provider (access_denied)")
	if tok := tokenOf(t, db, "tv"); tok.AccessToken != "" {
		t.Errorf("saved token %+v after access_denied", tok)
	}

	r = patchbay(t, db, "connection", "connect", "web", "--device")
	wantExit(t, r, exitUsage, "connection 'web' has no device login: --device needs an oauth2-code connection with a device_url")

	r = patchbay(t, db, "connection", "add", "bad", "--auth", "oauth2-code", "--base-url", srv.URL,
		"--field", "authorize_url="+srv.URL+"/authorize", "--field", "token_url="+srv.URL+"/token",
		"--field", "client_id=tv-app", "--field", "device_url=device.example.com/code")
	wantExit(t, r, exitUsage, "--field device_url: device authorization URL must start with http:// or https://")
}
