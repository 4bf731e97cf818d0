package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

// oauth2Connection is an OAuth2 connection with a client secret.
func oauth2Connection(name, clientSecret string) connection.Connection {
	return connection.Connection{Name: name, BaseURL: "https://api.example.test", Auth: connection.Auth{
		Type: connection.AuthOAuth2Code,
		OAuth2: &connection.OAuth2{
			AuthorizeURL: "https://login.example.test/authorize",
			TokenURL:     "https://login.example.test/token",
			ClientID:     "client-id-visible",
			ClientSecret: clientSecret,
			Scopes:       "read write",
			TokenHeaders: []connection.KV{{Key: "X-Tenant", Value: "acme"}},
		},
	}}
}

func sampleToken(access, refresh string) connection.Token {
	return connection.Token{
		AccessToken:  access,
		TokenType:    "Bearer",
		RefreshToken: refresh,
		Expiry:       time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func assertToken(t *testing.T, s *Store, id uint64, want connection.Token) {
	t.Helper()
	got, err := s.LoadToken(id)
	if err != nil {
		t.Fatalf("LoadToken(%d): %v", id, err)
	}
	if got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken ||
		got.TokenType != want.TokenType || !got.Expiry.Equal(want.Expiry) || got.NeedsReconnect != want.NeedsReconnect {
		t.Errorf("LoadToken(%d) = %+v, want %+v", id, got, want)
	}
}

// A token is saved sealed whole: neither the access nor the refresh token,
// in any encoding, nor even the JSON around them is in the file; reopened,
// it is as it was saved.
func TestTokenRoundTripSealed(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := oauth2Connection("oauth", "")
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	if got, err := s.LoadToken(c.ID); err != nil || got != (connection.Token{}) {
		t.Fatalf("LoadToken before any save = %+v, %v; want a zero token", got, err)
	}
	tok := sampleToken("access-token-Hq83Lx", "refresh-token-Vb29Kc")
	if err := s.SaveToken(c.ID, tok); err != nil {
		t.Fatal(err)
	}
	assertToken(t, s, c.ID, tok)
	// A refresh replaces it.
	tok = sampleToken("access-token-2-Pe47Ds", "refresh-token-2-Mn61Wq")
	if err := s.SaveToken(c.ID, tok); err != nil {
		t.Fatal(err)
	}
	assertToken(t, s, c.ID, tok)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	file := fileBytes(t, path)
	for _, secret := range []string{"access-token-2-Pe47Ds", "refresh-token-2-Mn61Wq", `"access_token"`, `"refresh_token"`} {
		assertAbsent(t, "the database file", file, secret)
		assertAbsent(t, "the database file (base64)", file, inBase64(secret)...)
	}
	stored := contents(t, path)["tokens/"+string(itob(c.ID))]
	if !bytes.HasPrefix([]byte(stored), []byte(sealPrefix)) {
		t.Errorf("the stored token is not sealed: %q", stored)
	}

	s = openAt(t, path)
	defer s.Close()
	assertToken(t, s, c.ID, tok)
}

// A token that says the connection needs reconnecting keeps the reason.
func TestTokenNeedsReconnect(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "oauth")
	tok := connection.Token{NeedsReconnect: "invalid_grant: the refresh token was revoked"}
	if err := s.SaveToken(c.ID, tok); err != nil {
		t.Fatal(err)
	}
	assertToken(t, s, c.ID, tok)
}

// A connection that does not exist gets no token; one that has none loads
// as a zero token.
func TestSaveTokenUnknownConnection(t *testing.T) {
	s := openTemp(t)
	if err := s.SaveToken(42, sampleToken("a-token", "")); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveToken for no connection: %v, want ErrNotFound", err)
	}
	if got, err := s.LoadToken(42); err != nil || got != (connection.Token{}) {
		t.Errorf("LoadToken for no connection = %+v, %v", got, err)
	}
}

func TestClearToken(t *testing.T) {
	s := openTemp(t)
	a, b := createConnection(t, s, "a"), createConnection(t, s, "b")
	ta, tb := sampleToken("token-of-a", "r-a"), sampleToken("token-of-b", "r-b")
	for id, tok := range map[uint64]connection.Token{a.ID: ta, b.ID: tb} {
		if err := s.SaveToken(id, tok); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ClearToken(a.ID); err != nil {
		t.Fatal(err)
	}
	assertToken(t, s, a.ID, connection.Token{})
	assertToken(t, s, b.ID, tb)
	if err := s.ClearToken(a.ID); err != nil {
		t.Errorf("clearing again: %v", err)
	}
	if err := s.ClearToken(999); err != nil {
		t.Errorf("clearing the token of no connection: %v", err)
	}
}

// Deleting a connection deletes its token; a delete refused because actions
// use the connection keeps it.
func TestDeleteConnectionDeletesToken(t *testing.T) {
	s := openTemp(t)
	used, free := createConnection(t, s, "used"), createConnection(t, s, "free")
	for _, id := range []uint64{used.ID, free.ID} {
		if err := s.SaveToken(id, sampleToken(fmt.Sprint("token-", id), "")); err != nil {
			t.Fatal(err)
		}
	}
	a := newAction("uses it", used.ID)
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConnection(used.ID); !errors.Is(err, ErrInUse) {
		t.Fatalf("DeleteConnection of a used connection: %v", err)
	}
	assertToken(t, s, used.ID, sampleToken(fmt.Sprint("token-", used.ID), ""))

	if err := s.DeleteConnection(free.ID); err != nil {
		t.Fatal(err)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketTokens).Get(itob(free.ID)); v != nil {
			t.Errorf("the deleted connection's token is still stored: %q", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Saves from many goroutines each land whole: the last one is what loads.
func TestSaveTokenConcurrent(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "oauth")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := s.SaveToken(c.ID, sampleToken(fmt.Sprint("token-", i), "")); err != nil {
				t.Error(err)
			}
			if _, err := s.LoadToken(c.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.LoadToken(c.ID)
	if err != nil || len(got.AccessToken) < len("token-0") {
		t.Errorf("after concurrent saves: %+v, %v", got, err)
	}
}

// A token does not open in another database: it is sealed under this one's
// key.
func TestTokenOfAnotherDatabase(t *testing.T) {
	isolate(t, false)
	dir := t.TempDir()
	src := openAt(t, filepath.Join(dir, "a.db"))
	c := createConnection(t, src, "oauth")
	if err := src.SaveToken(c.ID, sampleToken("token-from-a", "")); err != nil {
		t.Fatal(err)
	}
	var sealed []byte
	_ = src.db.View(func(tx *bolt.Tx) error {
		sealed = slices.Clone(tx.Bucket(bucketTokens).Get(itob(c.ID)))
		return nil
	})
	src.Close()

	dst := openAt(t, filepath.Join(dir, "b.db"))
	defer dst.Close()
	d := oauth2Connection("oauth", "client-secret-b")
	if err := dst.CreateConnection(&d); err != nil { // gives b a key of its own
		t.Fatal(err)
	}
	if err := dst.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTokens).Put(itob(d.ID), sealed) }); err != nil {
		t.Fatal(err)
	}
	if got, err := dst.LoadToken(d.ID); err == nil {
		t.Errorf("a token sealed in another database opened: %+v", got)
	}
}

// Migration 2 adds the tokens bucket, and running it twice is harmless.
func TestMigration2TokensBucket(t *testing.T) {
	db := rawDB(t)
	if err := db.Update(migrations[0].apply); err != nil {
		t.Fatal(err)
	}
	if m := migrations[1]; m.version != 2 || m.name != "tokens bucket" {
		t.Fatalf("migrations[1] is %d %q", m.version, m.name)
	}
	for range 2 {
		if err := db.Update(migrations[1].apply); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("tokens")) == nil {
			t.Error("bucket tokens missing")
		}
		return nil
	})
}

// A schema 1 file with data is upgraded by Open: copied to PATH.bak-schema1
// first, then given the tokens bucket, its connections intact and able to
// keep tokens.
func TestUpgradeFromSchema1(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	restore := atSchema(t, 1)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := connection.Connection{Name: "old", BaseURL: "https://example.test", Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "u", Password: "schema1-secret-Ut55"}}
	err = s.CreateConnection(&c)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	restore()

	s = openAt(t, path)
	defer s.Close()
	assertSchema(t, s.db, currentSchema())
	got, err := s.Connection(c.ID)
	if err != nil || got.Auth.Password != "schema1-secret-Ut55" {
		t.Fatalf("the connection after the upgrade: %+v, %v", got, err)
	}
	if err := s.SaveToken(c.ID, sampleToken("token-after-upgrade", "")); err != nil {
		t.Fatal(err)
	}
	assertToken(t, s, c.ID, sampleToken("token-after-upgrade", ""))

	bak := path + ".bak-schema1"
	if _, err := os.Stat(bak); err != nil {
		t.Fatalf("no backup before the upgrade: %v", err)
	}
	db, err := bolt.Open(bak, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if v, ok := schemaVersion(tx); !ok || v != 1 {
			t.Errorf("backup schema %d (%v), want 1", v, ok)
		}
		if tx.Bucket(bucketTokens) != nil {
			t.Error("the backup was taken after the migration")
		}
		if tx.Bucket(bucketConnections).Get(itob(c.ID)) == nil {
			t.Error("the backup lacks the connection")
		}
		return nil
	})
}

// The secrets of an OAuth2 connection — its client secret and its tokens —
// never reach the file, and saving does not seal the caller's copy of the
// settings.
func TestOAuth2SecretsNeverInTheFile(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := oauth2Connection("oauth", "client-secret-Gf72Rt")
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	if c.Auth.OAuth2.ClientSecret != "client-secret-Gf72Rt" {
		t.Errorf("CreateConnection changed the caller's client secret to %q", c.Auth.OAuth2.ClientSecret)
	}
	c.Auth.OAuth2.Scopes = "read"
	if err := s.UpdateConnection(c); err != nil {
		t.Fatal(err)
	}
	if c.Auth.OAuth2.ClientSecret != "client-secret-Gf72Rt" {
		t.Errorf("UpdateConnection changed the caller's client secret to %q", c.Auth.OAuth2.ClientSecret)
	}
	env := oauth2Connection("from env", "env:PATCHBAY_TEST_CLIENT_SECRET")
	if err := s.CreateConnection(&env); err != nil {
		t.Fatal(err)
	}
	tok := sampleToken("access-token-Zx04Nm", "refresh-token-Yw15Ol")
	if err := s.SaveToken(c.ID, tok); err != nil {
		t.Fatal(err)
	}
	// An action through it, as the wizard saves one.
	a := wizard.Action{Name: "me", ConnectionID: c.ID, Method: "GET", URL: "/me"}
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	file := fileBytes(t, path)
	for _, secret := range []string{"client-secret-Gf72Rt", "access-token-Zx04Nm", "refresh-token-Yw15Ol"} {
		assertAbsent(t, "the database file", file, secret)
		assertAbsent(t, "the database file (base64)", file, inBase64(secret)...)
	}
	if !bytes.Contains(file, []byte("client-id-visible")) {
		t.Error("the client id, not a secret, is not stored as it is — is this the right file?")
	}
	if !bytes.Contains(file, []byte("env:PATCHBAY_TEST_CLIENT_SECRET")) {
		t.Error("an env: reference, not a secret, was sealed")
	}

	s = openAt(t, path)
	defer s.Close()
	got, err := s.Connection(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !equalJSON(t, got, c) {
		t.Errorf("reopened:\n got %+v %+v\nwant %+v %+v", got, got.Auth.OAuth2, c, c.Auth.OAuth2)
	}
	assertToken(t, s, c.ID, tok)
}
