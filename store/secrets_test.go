package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
	"github.com/zalando/go-keyring"
	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

// TestMain keeps the keys the package's tests make away from the user's
// keyring and config directory, whichever test makes them.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "patchbay-store-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Unsetenv(PassphraseEnv)
	keyring.MockInitWithError(errors.New("no OS keyring in tests"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// errNoKeyring is what a keyring without D-Bus says.
var errNoKeyring = errors.New("dbus: no session bus")

// isolate gives the test its own home and config directory, no passphrase,
// and a keyring that fails (headless Linux) unless it asks for one. It
// returns the keys directory.
func isolate(t *testing.T, withKeyring bool) (keyDir string) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv(PassphraseEnv, "")
	if withKeyring {
		keyring.MockInit()
	} else {
		keyring.MockInitWithError(errNoKeyring)
	}
	t.Cleanup(func() { keyring.MockInitWithError(errors.New("no OS keyring in tests")) })
	return filepath.Join(home, "config", "patchbay", "keys")
}

func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertAbsent fails for each secret that occurs in b.
func assertAbsent(t *testing.T, what string, b []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s holds the secret %q", what, s)
		}
	}
}

func keyFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// contents is every key and value of the database at path, by bucket, read
// without writing.
//
// The refused Opens below are compared by contents, not bytes: Open's
// initialize runs an Update even when there is nothing to migrate, and
// every bbolt commit rewrites a meta page and the freelist.
func contents(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all := map[string]string{}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				all[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// inBase64 returns, for each of the three alignments a string can have in
// base64-encoded data, the run of base64 characters that encode only its
// bytes: stored response bodies are []byte, which JSON writes as base64, so
// a secret echoed in a body would reach the file in one of these forms.
func inBase64(secret string) []string {
	var forms []string
	for pad := 0; pad < 3; pad++ {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, pad), secret...))
		first := (8*pad + 5) / 6              // the first character whose bits all come from secret
		last := (8*(pad+len(secret)) - 6) / 6 // the last one
		if last >= first {
			forms = append(forms, enc[first:last+1])
		}
	}
	return forms
}

func basicForm(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// TestSecretsNeverInTheFile is the acceptance test: secrets of every auth
// type, saved with actions whose samples and runs come from an httpbin that
// echoes them, never reach the database file; reopened, the connections
// are as they were saved.
func TestSecretsNeverInTheFile(t *testing.T) {
	isolate(t, false)
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()

	conns := []connection.Connection{
		{Name: "basic", BaseURL: srv.URL, Auth: connection.Auth{
			Type: connection.AuthBasic, Username: "basic-user", Password: "pw-basic-Zq81xN"}},
		{Name: "header", BaseURL: srv.URL, Auth: connection.Auth{
			Type: connection.AuthHeader, Headers: []connection.KV{{Key: "X-Api-Key", Value: "hdr-secret-Kv27mB"}}}},
		{Name: "query", BaseURL: srv.URL, Auth: connection.Auth{
			Type: connection.AuthQuery, Query: []connection.KV{{Key: "api_key", Value: "qry-secret-Jd93pR"}}}},
		{Name: "custom", BaseURL: srv.URL, Auth: connection.Auth{
			Type: connection.AuthCustom, Username: "cust-user", Password: "pw-custom-Tr55qW",
			Headers: []connection.KV{{Key: "X-Custom-Token", Value: "hdr-custom-Lm44wE"}},
			Query:   []connection.KV{{Key: "token", Value: "qry-custom-Pa66eY"}}}},
		{Name: "apikey", BaseURL: srv.URL, Auth: connection.Auth{
			Type: connection.AuthAPIKey, Key: "apikey-secret-Wx12cU"}},
	}
	secrets := []string{
		"pw-basic-Zq81xN", "hdr-secret-Kv27mB", "qry-secret-Jd93pR", "pw-custom-Tr55qW",
		"hdr-custom-Lm44wE", "qry-custom-Pa66eY", "apikey-secret-Wx12cU",
		basicForm("basic-user", "pw-basic-Zq81xN"), basicForm("cust-user", "pw-custom-Tr55qW"),
	}

	// What httpbin's /anything shows of each connection's credentials.
	echoed := map[string][]string{
		"basic":  {basicForm("basic-user", "pw-basic-Zq81xN")},
		"header": {"hdr-secret-Kv27mB"},
		"query":  {"qry-secret-Jd93pR"},
		"custom": {basicForm("cust-user", "pw-custom-Tr55qW"), "hdr-custom-Lm44wE", "qry-custom-Pa66eY"},
		"apikey": {"Bearer apikey-secret-Wx12cU"},
	}

	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	ctx := context.Background()
	for i := range conns {
		c := &conns[i]
		if err := s.CreateConnection(c); err != nil {
			t.Fatal(err)
		}
		w := wizard.New(*c)
		w.Name, w.Method, w.URL = "echo "+c.Name, "GET", "/anything"
		if errs := w.Next(); errs != nil {
			t.Fatal(errs)
		}
		req, err := w.Request()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := connection.Send(ctx, *c, req)
		if err != nil || resp.Status != 200 {
			t.Fatalf("%s: sample %d, %v", c.Name, resp.Status, err)
		}
		w.AttachSample(req, &resp, nil)
		if errs := w.Next(); errs != nil {
			t.Fatal(errs)
		}
		a, err := w.Apply()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
		replayed, err := wizard.Replay(ctx, *c, a, nil, s)
		if err != nil {
			t.Fatalf("%s: replay: %v", c.Name, err)
		}
		// What the caller sees is what the server echoed, secrets and all.
		for _, secret := range echoed[c.Name] {
			if !bytes.Contains(replayed.Body, []byte(secret)) {
				t.Errorf("%s: the replay's echo lacks %q, so this test proves nothing:\n%s", c.Name, secret, replayed.Body)
			}
		}
	}
	if got := s.SecretMode(); !strings.HasPrefix(got, "key file ") {
		t.Errorf("SecretMode = %q, want the key file", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	file := fileBytes(t, path)
	assertAbsent(t, "the database file", file, secrets...)
	for _, secret := range secrets {
		assertAbsent(t, "the database file (base64)", file, inBase64(secret)...)
	}
	if !bytes.Contains(file, []byte(sealPrefix)) {
		t.Error("the database file holds no sealed value at all")
	}

	s = openAt(t, path)
	defer s.Close()
	actions, err := s.Actions()
	if err != nil || len(actions) != len(conns) {
		t.Fatalf("Actions: %d, %v", len(actions), err)
	}
	for _, a := range actions {
		runs, err := s.Runs(a.ID)
		if err != nil || len(runs) != 1 || a.Sample == nil || runs[0].Response == nil {
			t.Fatalf("%s: sample %v, runs %v, %v", a.Name, a.Sample, runs, err)
		}
		for what, resp := range map[string]*connection.Response{"sample": a.Sample, "run": runs[0].Response} {
			kept, _ := json.Marshal(struct {
				Body    string
				Resp    *connection.Response
				Outputs []wizard.Field
			}{string(resp.Body), resp, a.Outputs})
			assertAbsent(t, a.Name+"'s kept "+what, kept, secrets...)
		}
	}
	for _, want := range conns {
		got, err := s.ConnectionByName(want.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !equalJSON(t, got, want) {
			t.Errorf("reopened %s:\n got %+v\nwant %+v", want.Name, got, want)
		}
	}
	all, err := s.Connections()
	if err != nil || len(all) != len(conns) {
		t.Fatalf("Connections: %d, %v", len(all), err)
	}
}

// TestKeyringAvailable keeps the key in the OS keyring and writes no key
// file.
func TestKeyringAvailable(t *testing.T) {
	keys := isolate(t, true)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	if got := s.SecretMode(); got != modeNoKey {
		t.Errorf("SecretMode before any secret = %q, want %q", got, modeNoKey)
	}
	c := connection.Connection{Name: "k", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "u", Password: "keyring-secret-Ab12"}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	if got := s.SecretMode(); got != "OS keyring" {
		t.Errorf("SecretMode = %q, want OS keyring", got)
	}
	id := metaValue(t, s, metaKeyID)
	if v, err := keyring.Get(keyringService, keyringUser(id)); err != nil || v == "" {
		t.Errorf("keyring has no key %s: %v", id, err)
	}
	s.Close()
	if files := keyFiles(t, keys); len(files) > 0 {
		t.Errorf("key files written beside a working keyring: %v", files)
	}
	assertAbsent(t, "the database file", fileBytes(t, path), "keyring-secret-Ab12")

	s = openAt(t, path)
	defer s.Close()
	if got, err := s.Connection(c.ID); err != nil || got.Auth.Password != "keyring-secret-Ab12" {
		t.Errorf("reopened: %q, %v", got.Auth.Password, err)
	}
	if got := s.SecretMode(); got != "OS keyring" {
		t.Errorf("SecretMode after reopening = %q", got)
	}
}

func metaValue(t *testing.T, s *Store, key []byte) string {
	t.Helper()
	var v string
	if err := s.db.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketMeta).Get(key))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPassphrase derives the key from $PATCHBAY_PASSPHRASE, keeps only its
// salt, and refuses a wrong or missing passphrase without touching the file.
func TestPassphrase(t *testing.T) {
	keys := isolate(t, true)
	t.Setenv(PassphraseEnv, "correct horse battery staple")
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := connection.Connection{Name: "p", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthAPIKey, Key: "passphrase-secret-Qw90"}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	if got := s.SecretMode(); got != "passphrase" {
		t.Errorf("SecretMode = %q, want passphrase", got)
	}
	if metaValue(t, s, metaKeySalt) == "" {
		t.Error("no key_salt in meta")
	}
	if _, err := keyring.Get(keyringService, keyringUser(metaValue(t, s, metaKeyID))); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("passphrase mode put a key in the keyring (%v)", err)
	}
	s.Close()
	if files := keyFiles(t, keys); len(files) > 0 {
		t.Errorf("key files written in passphrase mode: %v", files)
	}
	file := fileBytes(t, path)
	assertAbsent(t, "the database file", file, "passphrase-secret-Qw90", "correct horse battery staple")

	s = openAt(t, path)
	if got, err := s.Connection(c.ID); err != nil || got.Auth.Key != "passphrase-secret-Qw90" {
		t.Errorf("reopened: %q, %v", got.Auth.Key, err)
	}
	s.Close()
	before := contents(t, path)

	t.Setenv(PassphraseEnv, "wrong horse")
	_, err := Open(path)
	if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), PassphraseEnv) {
		t.Errorf("wrong passphrase: %v", err)
	}
	t.Setenv(PassphraseEnv, "")
	_, err = Open(path)
	if !errors.Is(err, ErrKeyMissing) || !strings.Contains(err.Error(), PassphraseEnv) {
		t.Errorf("no passphrase: %v", err)
	}
	if !reflect.DeepEqual(contents(t, path), before) {
		t.Error("a refused Open changed the database")
	}
}

// TestLostKeyFile reports a missing key file by path and neither writes the
// database nor makes a new key.
func TestLostKeyFile(t *testing.T) {
	keys := isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := connection.Connection{Name: "lost", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "u", Password: "lost-secret-Ty67"}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	s.Close()
	files := keyFiles(t, keys)
	if len(files) != 1 {
		t.Fatalf("key files: %v", files)
	}
	keyFile := filepath.Join(keys, files[0])
	saved := fileBytes(t, keyFile)
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	before := contents(t, path)

	_, err := Open(path)
	if !errors.Is(err, ErrKeyMissing) || !strings.Contains(err.Error(), keyFile) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open without its key file: %v", err)
	}
	if !reflect.DeepEqual(contents(t, path), before) {
		t.Error("Open without the key changed the database")
	}
	if files := keyFiles(t, keys); len(files) != 0 {
		t.Errorf("Open made a new key: %v", files)
	}

	// Restored, the file opens the secrets again.
	if err := os.WriteFile(keyFile, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path)
	defer s.Close()
	if got, err := s.Connection(c.ID); err != nil || got.Auth.Password != "lost-secret-Ty67" {
		t.Errorf("after restoring the key: %q, %v", got.Auth.Password, err)
	}
}

// TestKeyOfAnotherDatabase: a key file that exists but belongs to another
// database is ErrWrongKey, not a garbled secret.
func TestKeyOfAnotherDatabase(t *testing.T) {
	keys := isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := connection.Connection{Name: "w", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "u", Password: "wrong-key-Gh23"}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	s.Close()
	files := keyFiles(t, keys)
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, dataKeySize))
	if err := os.WriteFile(filepath.Join(keys, files[0]), []byte(other+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), "key file") {
		t.Errorf("Open with another database's key: %v", err)
	}
}

// sameKey gives every id the same key, so that only the additional data
// tells two databases apart.
type sameKey struct{ calls int }

func (k *sameKey) Key(id string, create bool) ([]byte, string, error) {
	k.calls++
	return bytes.Repeat([]byte{1}, dataKeySize), "test key", nil
}

// TestSealedValueBoundToItsDatabase: a sealed value copied into another
// database does not open there, even under the same key.
func TestSealedValueBoundToItsDatabase(t *testing.T) {
	isolate(t, false)
	keys := &sameKey{}
	open := func(name string) *Store {
		s, err := OpenWith(filepath.Join(t.TempDir(), name), Options{Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open("a.db"), open("b.db")
	ca := connection.Connection{Name: "c", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "u", Password: "bound-secret-Xc45"}}
	cb := ca
	cb.Auth.Password = "other-secret-Vb67"
	if err := a.CreateConnection(&ca); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateConnection(&cb); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	a.db.View(func(tx *bolt.Tx) error {
		raw = append(raw, tx.Bucket(bucketConnections).Get(itob(ca.ID))...)
		return nil
	})
	if err := b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketConnections).Put(itob(cb.ID), raw) }); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Connection(cb.ID); err == nil {
		t.Errorf("a value from another database opened: %q", got.Auth.Password)
	}
}

// TestNoKeyUntilASecret: opening, and saving what holds no secret (no auth,
// an env: reference), asks no key source and writes no key.
func TestNoKeyUntilASecret(t *testing.T) {
	isolate(t, false)
	keys := &sameKey{}
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s, err := OpenWith(path, Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []connection.Connection{
		{Name: "none", BaseURL: "https://example.com"},
		{Name: "env", BaseURL: "https://example.com", Auth: connection.Auth{Type: connection.AuthBasic, Username: "u", Password: "env:SOME_PASSWORD"}},
	} {
		if err := s.CreateConnection(&c); err != nil {
			t.Fatal(err)
		}
	}
	if keys.calls != 0 || metaValue(t, s, metaKeyID) != "" || s.SecretMode() != modeNoKey {
		t.Errorf("key source asked %d times, key_id %q, mode %q", keys.calls, metaValue(t, s, metaKeyID), s.SecretMode())
	}
	got, err := s.ConnectionByName("env")
	if err != nil || got.Auth.Password != "env:SOME_PASSWORD" {
		t.Errorf("env reference: %q, %v", got.Auth.Password, err)
	}
	s.Close()
	if _, err := OpenWith(path, Options{Keys: keys}); keys.calls != 0 {
		t.Errorf("reopening asked the key source (%v)", err)
	}
}

// TestFailedFirstSaveKeepsNoKey: when the save that made the first key
// fails, meta records no key, and the next save uses that same key rather
// than making another.
func TestFailedFirstSaveKeepsNoKey(t *testing.T) {
	keys := isolate(t, false)
	s := openAt(t, filepath.Join(t.TempDir(), "patchbay.db"))
	defer s.Close()
	if err := s.CreateConnection(&connection.Connection{Name: "taken", BaseURL: "https://example.com"}); err != nil {
		t.Fatal(err)
	}
	dup := connection.Connection{Name: "Taken", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "u", Password: "first-secret-Nm89"}}
	if err := s.CreateConnection(&dup); !errors.Is(err, ErrDuplicateName) {
		t.Fatalf("duplicate: %v", err)
	}
	if id := metaValue(t, s, metaKeyID); id != "" || s.SecretMode() != modeNoKey {
		t.Errorf("after a failed save: key_id %q, mode %q", id, s.SecretMode())
	}
	dup.Name = "other"
	if err := s.CreateConnection(&dup); err != nil {
		t.Fatal(err)
	}
	if files := keyFiles(t, keys); len(files) != 1 || files[0] != metaValue(t, s, metaKeyID)+".key" {
		t.Errorf("key files %v for key_id %s", files, metaValue(t, s, metaKeyID))
	}
	if dup.Auth.Password != "first-secret-Nm89" {
		t.Errorf("the caller's connection was changed: %q", dup.Auth.Password)
	}
}

// TestCallerKeepsPlaintext: saving seals a copy; the caller's rows are not
// rewritten under it.
func TestCallerKeepsPlaintext(t *testing.T) {
	isolate(t, false)
	s := openAt(t, filepath.Join(t.TempDir(), "patchbay.db"))
	defer s.Close()
	c := connection.Connection{Name: "h", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthCustom, Username: "u", Password: "pw-Keep-1234",
		Headers: []connection.KV{{Key: "X-Token", Value: "hdr-Keep-5678"}},
		Query:   []connection.KV{{Key: "k", Value: "qry-Keep-9012"}}}}
	headers, query := c.Auth.Headers, c.Auth.Query
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateConnection(c); err != nil {
		t.Fatal(err)
	}
	if c.Auth.Password != "pw-Keep-1234" || headers[0].Value != "hdr-Keep-5678" || query[0].Value != "qry-Keep-9012" {
		t.Errorf("the caller's values changed: %+v", c.Auth)
	}
}

// TestPlaintextFromAnOlderPatchbaySealed: secrets an older patchbay stored
// in plain text still read, and are sealed when the database is opened.
func TestPlaintextFromAnOlderPatchbaySealed(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	old := connection.Connection{ID: 1, Name: "old", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "u", Password: "legacy-secret-Rt34"}}
	// As the walking skeleton wrote it.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.Bucket(bucketConnections).NextSequence(); err != nil {
			return err
		}
		// An older patchbay never marked the database as swept.
		if err := tx.Bucket(bucketMeta).Delete(metaSealed); err != nil {
			return err
		}
		return connections.put(tx, 1, "", old.Name, []byte(`{"id":1,"name":"old","base_url":"https://example.com","auth":{"type":"basic","username":"u","password":"legacy-secret-Rt34"}}`))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openAt(t, path)
	defer s.Close()
	var raw []byte
	s.db.View(func(tx *bolt.Tx) error {
		raw = append(raw, tx.Bucket(bucketConnections).Get(itob(1))...)
		return nil
	})
	assertAbsent(t, "the stored connection", raw, "legacy-secret-Rt34")
	if got, err := s.Connection(1); err != nil || !equalJSON(t, got, old) {
		t.Errorf("reopened: %+v, %v", got, err)
	}
}

// TestEphemeralKeys: the demo's key lives in memory only.
func TestEphemeralKeys(t *testing.T) {
	keys := isolate(t, true)
	path := filepath.Join(t.TempDir(), "demo.db")
	src := EphemeralKeys()
	s, err := OpenWith(path, Options{Keys: src})
	if err != nil {
		t.Fatal(err)
	}
	c := connection.Connection{Name: "demo", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "demo", Password: "demo-secret-Op56"}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	if got := s.SecretMode(); got != "temporary key (demo)" {
		t.Errorf("SecretMode = %q", got)
	}
	s.Close()
	if files := keyFiles(t, keys); len(files) > 0 {
		t.Errorf("key files: %v", files)
	}
	assertAbsent(t, "the database file", fileBytes(t, path), "demo-secret-Op56")
	if s, err := OpenWith(path, Options{Keys: src}); err != nil {
		t.Errorf("reopen with the same source: %v", err)
	} else {
		s.Close()
	}
	if _, err := OpenWith(path, Options{Keys: EphemeralKeys()}); !errors.Is(err, ErrKeyMissing) {
		t.Errorf("another process's temporary key: %v", err)
	}
}

// TestEnvReferenceNeverStored: a connection whose password is env:NAME
// works through the wizard and replay, and the value never reaches the
// file; the reference is kept as it is.
func TestEnvReferenceNeverStored(t *testing.T) {
	isolate(t, false)
	const value = "env-secret-Hy71kP"
	t.Setenv("PB_TEST_PW", value)
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := connection.Connection{Name: "env", BaseURL: srv.URL, Auth: connection.Auth{
		Type: connection.AuthBasic, Username: "envuser", Password: "env:PB_TEST_PW"}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w := wizard.New(c)
	w.Name, w.Method, w.URL = "echo", "GET", "/anything"
	w.Next()
	req, _ := w.Request()
	resp, err := connection.Send(ctx, c, req)
	if err != nil {
		t.Fatal(err)
	}
	w.AttachSample(req, &resp, nil)
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	replayed, err := wizard.Replay(ctx, c, a, nil, s)
	if err != nil || !bytes.Contains(replayed.Body, []byte(basicForm("envuser", value))) {
		t.Fatalf("replay did not send $PB_TEST_PW: %v\n%s", err, replayed.Body)
	}
	if got := s.SecretMode(); got != modeNoKey {
		t.Errorf("SecretMode = %q: a reference needs no key", got)
	}
	s.Close()
	file := fileBytes(t, path)
	assertAbsent(t, "the database file", file, value, basicForm("envuser", value))
	if !bytes.Contains(file, []byte("env:PB_TEST_PW")) {
		t.Error("the reference itself was not stored")
	}
}
