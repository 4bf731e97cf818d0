package ui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"patchbay/connection"
)

// c on a connection with a device URL runs the device login: the code and
// the URL are on screen, the token is saved after authorization_pending.
func TestConnectScreenDeviceFlow(t *testing.T) {
	var mu sync.Mutex
	var polls int
	var opened []string
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"device_code": "tui-device-code-1", "user_code": "QRST-WXYZ",
			"verification_uri": srv.URL + "/activate", "expires_in": 60, "interval": 1})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		polls++
		n := polls
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n == 1 {
			w.WriteHeader(400)
			json.NewEncoder(w).Encode(map[string]string{"error": "authorization_pending"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": "tui-access-1", "token_type": "Bearer", "expires_in": 3600})
	})
	srv = httptest.NewServer(mux)
	defer srv.Close()

	f := newFixture(t)
	c := connection.Connection{Name: "tv", BaseURL: srv.URL, Auth: connection.Auth{Type: connection.AuthOAuth2Code, OAuth2: &connection.OAuth2{
		AuthorizeURL: srv.URL + "/authorize", TokenURL: srv.URL + "/token", DeviceURL: srv.URL + "/device", ClientID: "tv-app"}}}
	if err := f.st.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	m := f.model()
	m.env.openBrowser = func(u string) error { mu.Lock(); opened = append(opened, u); mu.Unlock(); return nil }
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	wait := func(texts ...string) { t.Helper(); waitAll(t, tm, texts...) }
	wait("not connected — press c")
	tm.Send(keyMsg("c"))
	wait("QRST-WXYZ", "/activate", "and enter the code")
	wait("Connected 'tv'", "token expires in")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View())
	if !strings.Contains(final, "✓ token expires in") {
		t.Errorf("home after connecting:\n%s", final)
	}
	tok, err := f.st.LoadToken(c.ID)
	if err != nil || tok.AccessToken != "tui-access-1" {
		t.Errorf("token %+v, %v", tok, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(opened) != 1 || opened[0] != srv.URL+"/activate" || polls != 2 {
		t.Errorf("opened %v, %d polls", opened, polls)
	}
}

func TestConnectScreenDeviceView(t *testing.T) {
	f := newFixture(t)
	c := connection.Connection{Name: "tv", Auth: connection.Auth{Type: connection.AuthOAuth2Code, OAuth2: &connection.OAuth2{DeviceURL: "http://x/device"}}}
	s := newConnectScreen(f.model().env, c)
	s.SetSize(80, 30)
	s.cancel = func() {}
	s.Update(deviceCodeShownMsg{"QRST-WXYZ", "https://id.example.com/activate?user_code=QRST-WXYZ"})
	t.Log("\n" + ansi.Strip(s.View()))
	_, cmd := s.Update(keyMsg("x"))
	if cmd != nil || len(s.Keys()) != 1 {
		t.Error("keys in device mode")
	}
}
