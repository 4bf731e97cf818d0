//go:build unix

package store

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"patchbay/connection"
)

// TestKeyringUnavailableUsesKeyFile: without a keyring the key goes to a
// key file of mode 0600 in directories of mode 0700, even under umask 000;
// nothing is written in plain text, and an 8 KiB secret round-trips.
func TestKeyringUnavailableUsesKeyFile(t *testing.T) {
	isolate(t, false)
	home := os.Getenv("HOME")
	t.Setenv("XDG_CONFIG_HOME", "") // the default, ~/.config
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	config := filepath.Join(home, ".config")
	if _, err := os.Stat(config); !os.IsNotExist(err) {
		t.Errorf("Open made the config directory before any secret: %v", err)
	}

	big := []byte(rand.Text())
	for len(big) < 8<<10 {
		big = append(big, rand.Text()...)
	}
	secret := string(big[:8<<10])
	c := connection.Connection{Name: "big", BaseURL: "https://example.com", Auth: connection.Auth{
		Type: connection.AuthHeader, Headers: []connection.KV{{Key: "X-Api-Key", Value: secret}}}}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	id := metaValue(t, s, metaKeyID)
	keyFile := filepath.Join(config, "patchbay", "keys", id+".key")
	if got := s.SecretMode(); got != "key file "+keyFile {
		t.Errorf("SecretMode = %q, want key file %s", got, keyFile)
	}
	s.Close()

	for p, want := range map[string]os.FileMode{
		keyFile:                             0o600,
		filepath.Dir(keyFile):               0o700 | os.ModeDir,
		filepath.Dir(filepath.Dir(keyFile)): 0o700 | os.ModeDir,
		config:                              0o700 | os.ModeDir,
	} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, info.Mode(), want)
		}
	}
	assertAbsent(t, "the database file", fileBytes(t, path), secret[:64], secret[4000:4064])

	s = openAt(t, path)
	defer s.Close()
	got, err := s.Connection(c.ID)
	if err != nil || len(got.Auth.Headers) != 1 || got.Auth.Headers[0].Value != secret {
		t.Fatalf("the 8 KiB secret did not round-trip: %v", err)
	}
	if got := s.SecretMode(); got != "key file "+keyFile {
		t.Errorf("SecretMode after reopening = %q", got)
	}
}
