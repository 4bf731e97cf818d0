package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"patchbay/connection"
	"patchbay/connection/oauthtest"
)

func (f *fixture) oauthConn(name string, typ connection.AuthType, srv *oauthtest.Server) connection.Connection {
	f.t.Helper()
	o := &connection.OAuth2{TokenURL: srv.URL + "/token", ClientID: oauthtest.ClientID, ClientSecret: oauthtest.ClientSecret}
	if typ == connection.AuthOAuth2Code {
		o.AuthorizeURL = srv.URL + "/authorize"
	}
	c := connection.Connection{Name: name, BaseURL: srv.URL, TestPath: "/api",
		Auth: connection.Auth{Type: typ, OAuth2: o}}
	if err := f.st.CreateConnection(&c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// c on an authorization-code connection runs the whole login in the real
// runtime: the authorize URL is "opened" (followed by an HTTP client, as a
// signed-in browser would), the callback completes, the token is saved
// sealed, and home shows it.
func TestConnectScreenRunsTheCodeFlow(t *testing.T) {
	f := newFixture(t)
	srv := oauthtest.New(t, oauthtest.Options{})
	c := f.oauthConn("login", connection.AuthOAuth2Code, srv)
	m := f.model()
	m.env.openBrowser = func(u string) error {
		go oauthtest.Browser(u)
		return nil
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	wait := func(texts ...string) { t.Helper(); waitAll(t, tm, texts...) }
	wait("not connected — press c")
	tm.Send(keyMsg("c"))
	wait("Connected 'login'", "token expires in")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View())
	if !strings.Contains(final, "✓ token expires in") {
		t.Errorf("home after connecting:\n%s", final)
	}
	tok, err := f.st.LoadToken(c.ID)
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Errorf("token after connecting = %+v, %v", tok, err)
	}
}

func TestConnectScreenShowsURLsAndCancels(t *testing.T) {
	f := newFixture(t)
	srv := oauthtest.New(t, oauthtest.Options{})
	f.oauthConn("login", connection.AuthOAuth2Code, srv)
	m := f.model()
	m.env.openBrowser = func(string) error { return nil } // nobody follows it
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("press c")) })
	tm.Send(keyMsg("c"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("/authorize?")) && bytes.Contains(b, []byte("127.0.0.1:")) &&
			bytes.Contains(b, []byte("paste the address"))
	}, teatest.WithDuration(10*time.Second))
	tm.Send(keyMsg("esc"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Connect canceled.")) })
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if n := srv.TokenHits(); n != 0 {
		t.Errorf("a canceled login made %d token requests", n)
	}
}

func TestTokenStatusInTheList(t *testing.T) {
	f := newFixture(t)
	srv := oauthtest.New(t, oauthtest.Options{})
	fresh := f.oauthConn("fresh", connection.AuthOAuth2Code, srv)
	stale := f.oauthConn("stale", connection.AuthOAuth2Code, srv)
	f.oauthConn("never", connection.AuthOAuth2Code, srv)
	if err := f.st.SaveToken(fresh.ID, connection.Token{AccessToken: "a", Expiry: time.Now().Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.SaveToken(stale.ID, connection.Token{AccessToken: "a", NeedsReconnect: "invalid_grant: refresh token revoked"}); err != nil {
		t.Fatal(err)
	}
	d := f.drive(140, 40)
	d.contains("✓ token expires in 2h", "needs reconnect (c): invalid_grant: refresh token revoked", "not connected — press c")
	// x clears a token, after asking.
	d.keys("x")
	d.contains("Clear the token of 'fresh'? It will have to connect again. y/n")
	d.keys("y")
	d.contains("Deleted the token of 'fresh'")
	if tok, _ := f.st.LoadToken(fresh.ID); tok.AccessToken != "" {
		t.Errorf("token after x, y = %+v", tok)
	}
}

func TestClientCredentialsConnectFetchesAToken(t *testing.T) {
	f := newFixture(t)
	srv := oauthtest.New(t, oauthtest.Options{})
	c := f.oauthConn("svc", connection.AuthOAuth2Client, srv)
	d := f.drive(140, 40)
	d.keys("c")
	d.contains("✓ connected · token expires in")
	d.lacks(oauthtest.ClientSecret)
	if tok, _ := f.st.LoadToken(c.ID); tok.AccessToken == "" {
		t.Error("c on a client-credentials connection saved no token")
	}
}

func TestAzureClientThroughTheForm(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	d.keys("n", "Graph", "tab", "https://graph.example.com", "tab", "a", "a", "a")
	form := d.top().(*connForm).form
	if got := form.field("auth").value(); got != string(connection.AuthAzureClient) {
		t.Fatalf("a a a picks %q, want azure-client", got)
	}
	d.contains("Tenant", "Endpoint version", "Authority host")
	d.lacks("Resource (1.0)", "Authorize URL")
	d.keys("tab", "contoso-tenant-id", "tab", "right") // 1.0 shows the resource field
	d.contains("Resource (1.0)")
	d.keys("left", "tab", "http://127.0.0.1:1") // back to 2.0; the authority host
	form.focusKey("client_id")
	d.keys("app-id", "tab", "az-secret-value")
	d.lacks("az-secret-value")
	d.keys("ctrl+s")
	d.contains("Saved connection 'Graph'")
	c, err := f.st.ConnectionByName("graph")
	if err != nil {
		t.Fatal(err)
	}
	o := c.Auth.OAuth2
	if c.Auth.Type != connection.AuthAzureClient || o == nil || o.Tenant != "contoso-tenant-id" ||
		o.AuthorityHost != "http://127.0.0.1:1" || o.ClientID != "app-id" || o.ClientSecret != "az-secret-value" ||
		o.AzureVersion != "" || o.AuthorizeURL != "" {
		t.Errorf("saved %+v %+v", c.Auth, o)
	}
}

func TestFormShowsTheRedirectURIToRegister(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	d.keys("n", "tab", "tab", "o") // OAuth2 code
	d.contains("Redirect URI: http://127.0.0.1:<free port>/callback")
	d.top().(*connForm).form.focusKey("callback_port")
	d.keys("8765")
	d.contains("Redirect URI to register with the provider: http://127.0.0.1:8765/callback")
	d.keys("shift+tab") // leave the port; the choice row is above
	d.top().(*connForm).form.focusKey("auth")
	d.keys("right") // OAuth2 client: no redirect
	d.lacks("Redirect URI")
}
