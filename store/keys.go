package store

// Where data keys live. Open's default chain (Options.Keys nil) is: a key
// derived from $PATCHBAY_PASSPHRASE, for a database whose meta holds a
// key_salt or, when the first key is made, whenever the variable is set;
// else the OS keyring; else a key file in the config directory. A key is
// never written anywhere in plain text beside the database, and a key that
// cannot be found is reported (ErrKeyMissing), never replaced.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/scrypt"
)

// PassphraseEnv names the variable a passphrase-derived key is read from.
const PassphraseEnv = "PATCHBAY_PASSPHRASE"

// Modes as SecretMode reports them; a key file's mode is "key file PATH".
const (
	modePassphrase = "passphrase"
	modeKeyring    = "OS keyring"
	modeEphemeral  = "temporary key (demo)"
	modeNoKey      = "none saved yet"
)

// dataKeySize is the size of a data key: XChaCha20-Poly1305's key size.
const dataKeySize = 32

// keyringService is the service data keys are filed under in the OS keyring;
// the user is keyringUser(id).
const keyringService = "patchbay"

func keyringUser(id string) string { return "data-key-" + id }

// newKeyID returns a random key id: 16 bytes, hex.
func newKeyID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// validKeyID reports whether id is what newKeyID makes. A key id comes from
// the database file and becomes part of a file name, so nothing else (such
// as "../x") may pass.
func validKeyID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

func newDataKeyBytes() ([]byte, error) {
	key := make([]byte, dataKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, nil
}

// passphraseKey derives a data key from a passphrase with scrypt.
func passphraseKey(passphrase string, salt []byte) ([]byte, error) {
	return scrypt.Key([]byte(passphrase), salt, 1<<15, 8, 1, dataKeySize)
}

// storedKeys keeps data keys in the OS keyring, or in key files where the
// keyring fails (headless Linux without D-Bus, SSH sessions).
type storedKeys struct{}

// Key satisfies KeySource.
func (k storedKeys) Key(id string, create bool) ([]byte, string, error) {
	if create {
		return k.create(id)
	}
	key, mode, _, err := k.find(id)
	return key, mode, err
}

// find looks for the key with id in the keyring, then in its key file. A
// key found in neither is a nil key and no error; keyringErr then says why
// the keyring could not be asked, if it could not.
func (storedKeys) find(id string) (key []byte, mode string, keyringErr, err error) {
	if !validKeyID(id) {
		return nil, "", nil, fmt.Errorf("the key id %q is damaged", id)
	}
	value, kerr := keyring.Get(keyringService, keyringUser(id))
	switch {
	case kerr == nil:
		key, err := decodeKey(value)
		if err != nil {
			return nil, "", nil, fmt.Errorf("the key in the OS keyring (%s, %s) is damaged: %w", keyringService, keyringUser(id), err)
		}
		return key, modeKeyring, nil, nil
	case !errors.Is(kerr, keyring.ErrNotFound):
		keyringErr = kerr
	}
	path, err := keyFilePath(id)
	if err != nil {
		return nil, "", keyringErr, err
	}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", keyringErr, nil
	case err != nil:
		return nil, "", keyringErr, fmt.Errorf("cannot read the key file: %w", err)
	}
	if key, err = decodeKey(string(b)); err != nil {
		return nil, "", keyringErr, fmt.Errorf("the key file %s is damaged: %w", path, err)
	}
	return key, keyFileMode(path), keyringErr, nil
}

// create makes a key for id and keeps it in the keyring, or in a key file
// when the keyring fails.
func (storedKeys) create(id string) ([]byte, string, error) {
	if !validKeyID(id) {
		return nil, "", fmt.Errorf("bad key id %q", id)
	}
	key, err := newDataKeyBytes()
	if err != nil {
		return nil, "", err
	}
	value := base64.StdEncoding.EncodeToString(key)
	if keyring.Set(keyringService, keyringUser(id), value) == nil {
		// Read it back: a keyring that accepts a key it cannot return would
		// lose every secret at the next start.
		if got, err := keyring.Get(keyringService, keyringUser(id)); err == nil && got == value {
			return key, modeKeyring, nil
		}
		_ = keyring.Delete(keyringService, keyringUser(id))
	}
	path, err := keyFilePath(id)
	if err != nil {
		return nil, "", err
	}
	if err := writeKeyFile(path, value); err != nil {
		return nil, "", fmt.Errorf("no OS keyring, and cannot write the key file: %w", err)
	}
	return key, keyFileMode(path), nil
}

func keyFileMode(path string) string { return "key file " + path }

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("not base64")
	}
	if len(key) != dataKeySize {
		return nil, fmt.Errorf("%d bytes, not %d", len(key), dataKeySize)
	}
	return key, nil
}

// keyDir is $XDG_CONFIG_HOME/patchbay/keys, falling back to
// ~/.config/patchbay/keys.
func keyDir() (string, error) {
	// As with XDG_DATA_HOME, a relative XDG_CONFIG_HOME is to be ignored.
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "patchbay", "keys"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a place for the key file: %w (set XDG_CONFIG_HOME or %s)", err, PassphraseEnv)
	}
	return filepath.Join(home, ".config", "patchbay", "keys"), nil
}

// keyFilePath is where the key with id is kept when there is no keyring.
func keyFilePath(id string) (string, error) {
	dir, err := keyDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, id+".key"), nil
}

// writeKeyFile writes value to path, mode 0600, in directories of mode 0700,
// whatever the umask, and makes it durable before the database that
// will name it commits: a key written after the commit could be lost with
// power, and the secrets with it.
func writeKeyFile(path, value string) error {
	dir := filepath.Dir(path)
	if err := mkdirPrivate(dir); err != nil {
		return err
	}
	// The keys directory is patchbay's alone; narrow it if it was made wider.
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(value + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Not every system can sync a directory (Windows cannot); where one
	// cannot, the rename is as durable as it gets.
	_ = syncDir(dir)
	return nil
}

// mkdirPrivate creates dir and any missing parents with mode 0700, set
// explicitly after each is made so that no umask widens or narrows them.
// Directories that exist are left as they are.
func mkdirPrivate(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case err == nil && info.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("%s is not a directory", dir)
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirPrivate(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return os.Chmod(dir, 0o700)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// EphemeralKeys returns a KeySource that keeps its keys in memory only, for
// databases that die with the process (`patchbay demo`): nothing goes to
// the keyring or the disk, and the database's secrets cannot be read once
// the process ends.
func EphemeralKeys() KeySource { return &ephemeralKeys{keys: map[string][]byte{}} }

type ephemeralKeys struct {
	mu   sync.Mutex
	keys map[string][]byte
}

func (e *ephemeralKeys) Key(id string, create bool) ([]byte, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if key, ok := e.keys[id]; ok || !create {
		return key, modeEphemeral, nil
	}
	key, err := newDataKeyBytes()
	if err != nil {
		return nil, "", err
	}
	e.keys[id] = key
	return key, modeEphemeral, nil
}
