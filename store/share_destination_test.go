package store

import (
	"path/filepath"
	"strings"
	"testing"

	"patchbay/connection"
)

// An export file from elsewhere that replaces connection "api" with one
// pointing at another host gets none of its stored secrets: they would go
// to that host on the next run. (Found by review: they were kept when only
// the auth type and row names matched.)
func TestImportReplaceToAnotherHostKeepsNoSecret(t *testing.T) {
	s := shareStore(t)
	c := connection.Connection{Name: "api", BaseURL: "https://api.good.example",
		Auth: connection.Auth{Type: connection.AuthAPIKey, Key: "real-secret-key"}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	doc := `{"patchbay_export": 1, "actions": [], "connections": [{"name": "api", "base_url": "https://evil.example", "auth": {"type": "apikey"}}]}`
	if err := importText(s, doc, Replace); err != nil {
		t.Fatal(err)
	}
	got, err := s.ConnectionByName("api")
	if err != nil {
		t.Fatal(err)
	}
	if got.Auth.Key != "" {
		t.Errorf("the key of %s was kept for base URL %s", c.BaseURL, got.BaseURL)
	}
}

// Nor its OAuth2 client secret and token, when the token URL moves; the
// same file with the same endpoints keeps both.
func TestImportReplaceToAnotherTokenURLDropsTheToken(t *testing.T) {
	s := shareStore(t)
	oauthWithToken(t, s)
	doc := `{"patchbay_export": 1, "actions": [], "connections": [{"name": "oa", "base_url": "https://evil.example",
	  "auth": {"type": "oauth2-client", "oauth2": {"token_url": "https://evil.example/token", "client_id": "id"}}}]}`
	if err := importText(s, doc, Replace); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ConnectionByName("oa")
	tok, _ := s.LoadToken(got.ID)
	if got.Auth.OAuth2.ClientSecret != "" || tok.AccessToken != "" {
		t.Errorf("token URL %s, base URL %s: client secret %q and token %q kept", got.Auth.OAuth2.TokenURL, got.BaseURL, got.Auth.OAuth2.ClientSecret, tok.AccessToken)
	}
}

func TestImportReplaceToTheSamePlaceKeepsSecretAndToken(t *testing.T) {
	s := shareStore(t)
	oauthWithToken(t, s)
	doc := `{"patchbay_export": 1, "actions": [], "connections": [{"name": "oa", "base_url": "https://API.good.example/v2",
	  "auth": {"type": "oauth2-client", "oauth2": {"token_url": "https://login.good.example/token", "client_id": "id", "scopes": "read"}}}]}`
	if err := importText(s, doc, Replace); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ConnectionByName("oa")
	tok, _ := s.LoadToken(got.ID)
	if got.Auth.OAuth2.ClientSecret != "client-secret-1" || tok.AccessToken != "access-1" || got.BaseURL != "https://API.good.example/v2" {
		t.Errorf("same origin and endpoints: secret %q, token %q, base URL %s", got.Auth.OAuth2.ClientSecret, tok.AccessToken, got.BaseURL)
	}
}

// An export whose names or URLs hold control characters is refused whole,
// each named with its characters shown escaped.
func TestImportRefusesControlCharacters(t *testing.T) {
	s := shareStore(t)
	doc := `{"patchbay_export": 1,
 "connections": [{"name": "evil\u001b]0;PWNED\u0007", "base_url": "http://127.0.0.1:1/", "auth": {"type": "none"}},
                 {"name": "ok", "base_url": "http://127.0.0.1:1/", "auth": {"type": "none"}}],
 "actions": [{"name": "act\u202ename", "connection": "ok", "method": "GET", "url": "/x", "body_type": "none"},
             {"name": "fine", "connection": "ok", "method": "GET", "url": "/x\u001b[31mred", "body_type": "none"}]}`
	err := importText(s, doc, Skip)
	if err == nil {
		t.Fatal("an export with control characters in names was imported")
	}
	for _, want := range []string{`connection 'evil␛]0;PWNED\x07': its name holds control characters`, `action 'act<U+202E>name': its name`, `action 'fine': its URL holds control characters (/x␛[31mred)`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q:\n%v", want, err)
		}
	}
	if conns, _ := s.Connections(); len(conns) != 0 {
		t.Errorf("%d connections imported", len(conns))
	}
}

// shareStore is an empty store of the test's own.
func shareStore(t *testing.T) *Store {
	t.Helper()
	isolate(t, false)
	s := openAt(t, filepath.Join(t.TempDir(), "db"))
	t.Cleanup(func() { s.Close() })
	return s
}

// importText imports the export doc, settling every conflict with r.
func importText(s *Store, doc string, r Resolution) error {
	x, err := DecodeExport(strings.NewReader(doc), "x.json")
	if err != nil {
		return err
	}
	_, err = s.Import(x, always(r))
	return err
}

// oauthWithToken saves "oa", client credentials against
// login.good.example, with a token.
func oauthWithToken(t *testing.T, s *Store) {
	t.Helper()
	c := connection.Connection{Name: "oa", BaseURL: "https://api.good.example",
		Auth: connection.Auth{Type: connection.AuthOAuth2Client, OAuth2: &connection.OAuth2{
			TokenURL: "https://login.good.example/token", ClientID: "id", ClientSecret: "client-secret-1"}}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveToken(c.ID, connection.Token{AccessToken: "access-1", RefreshToken: "refresh-1"}); err != nil {
		t.Fatal(err)
	}
}
