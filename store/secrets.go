package store

// Secrets at rest. Every secret field of a connection (connection.
// SecretFields), and the value of every query, header and form row of an
// action whose name says it is a credential (actionSecrets), is sealed with
// XChaCha20-Poly1305 under a random 32-byte data key before it is written,
// and opened when read, so callers of the store only ever see plain text and
// the file never holds it. A sealed value is "enc:v1:" + base64url(nonce ‖
// ciphertext), with the database's key id as additional data, so a value
// copied into another database does not open. Empty values and env:
// references are not secrets and are stored as they are; so are an action's
// values holding a {{variable}}.
//
// meta holds key_id (16 random bytes, hex), key_check (the seal of
// keyCheckText, to tell a wrong key from a damaged value) and, for a key
// derived from a passphrase, key_salt. They are written with the first
// secret, in that save's transaction; until then no key exists and Open
// asks no keyring. The key itself lives where keys.go says.

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/chacha20poly1305"

	"patchbay/connection"
)

// Errors of the data key, for errors.Is.
var (
	// ErrKeyMissing means the database has encrypted secrets but the key
	// that opens them is nowhere to be found. Open never makes a new one
	// over them.
	ErrKeyMissing = errors.New("the key that encrypts the secrets is missing")
	// ErrWrongKey means a key was found but does not open the database's
	// secrets: a different passphrase, or a key of another database.
	ErrWrongKey = errors.New("the key does not open the secrets")
	// ErrNeedPassphrase means the secrets are sealed with a passphrase-derived
	// key and $PATCHBAY_PASSPHRASE is not set: a terminal can ask for it. It
	// comes wrapped together with ErrKeyMissing.
	ErrNeedPassphrase = errors.New("the secrets need a passphrase")
)

// KeySource supplies the 32-byte data key that encrypts a database's
// secrets.
type KeySource interface {
	// Key returns the data key with id, creating and saving one when create
	// is set. Without create, a source that has no key with id returns a nil
	// key and no error. Mode names where the key lives, for the user
	// ("OS keyring", "key file /path", "passphrase").
	Key(id string, create bool) (key []byte, mode string, err error)
}

const (
	sealPrefix   = "enc:v1:"
	keyCheckText = "patchbay key check"
)

var (
	metaKeyID    = []byte("key_id")
	metaKeyCheck = []byte("key_check")
	metaKeySalt  = []byte("key_salt")
	// metaSealed marks a database whose plaintext sweep is done: every
	// write since goes through the seal hooks, so Open need not walk every
	// record again.
	metaSealed = []byte("sealed_v1")
)

// dataKey is an open data key.
type dataKey struct {
	id   string // additional data of every seal
	aead cipher.AEAD
	mode string
	salt []byte // set for a key derived from a passphrase
}

func newDataKey(id string, key []byte, mode string) (*dataKey, error) {
	if len(key) != dataKeySize {
		return nil, fmt.Errorf("a data key must be %d bytes, not %d", dataKeySize, len(key))
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	return &dataKey{id: id, aead: aead, mode: mode}, nil
}

func (k *dataKey) seal(plain string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := k.aead.Seal(nonce, nonce, []byte(plain), []byte(k.id))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (k *dataKey) open(value string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(value, sealPrefix))
	if err != nil || len(b) < k.aead.NonceSize() {
		return "", errors.New("not a sealed value")
	}
	nonce, sealed := b[:k.aead.NonceSize()], b[k.aead.NonceSize():]
	plain, err := k.aead.Open(nil, nonce, sealed, []byte(k.id))
	if err != nil {
		return "", errors.New("it does not open with this database's key")
	}
	return string(plain), nil
}

// secretBox seals secret fields before they are written and opens them
// when read. It is safe for concurrent use.
type secretBox struct {
	path string
	keys KeySource // nil: the default chain (keys.go)

	mu sync.Mutex
	// active is the database's key; nil until one exists.
	active *dataKey
	// pending is a key made for a save whose transaction has not committed
	// yet. It becomes active when one does; a rolled-back save leaves it for
	// the next, so that failed saves do not litter keys.
	pending *dataKey
}

// openSecretBox loads the key of the database's secrets, if it has any: a
// database without secrets asks no keyring. A key that cannot be found is
// ErrKeyMissing and a key that does not open key_check ErrWrongKey; the
// file is not written either way. Secrets an older patchbay stored in plain
// text are then sealed.
func openSecretBox(db *bolt.DB, path string, keys KeySource) (*secretBox, error) {
	b := &secretBox{path: path, keys: keys}
	var id, check string
	var salt []byte
	err := db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		id, check = string(meta.Get(metaKeyID)), string(meta.Get(metaKeyCheck))
		salt = append([]byte(nil), meta.Get(metaKeySalt)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if id != "" {
		k, err := b.existingKey(id, salt)
		if err != nil {
			return nil, err
		}
		if plain, err := k.open(check); err != nil || plain != keyCheckText {
			return nil, b.wrongKey(k)
		}
		b.active = k
	}
	if err := sealPlaintext(db, b); err != nil {
		return nil, fmt.Errorf("cannot encrypt the secrets of %s: %w", path, err)
	}
	return b, nil
}

// existingKey finds the key with id.
func (b *secretBox) existingKey(id string, salt []byte) (*dataKey, error) {
	if b.keys != nil {
		key, mode, err := b.keys.Key(id, false)
		if err != nil {
			return nil, fmt.Errorf("cannot read the key that encrypts %s's secrets: %w", b.path, err)
		}
		if key == nil {
			where := ""
			if mode != "" {
				where = " (key source: " + mode + ")"
			}
			return nil, newError(fmt.Sprintf("the key that encrypts %s's secrets is missing%s", b.path, where), ErrKeyMissing)
		}
		return newDataKey(id, key, mode)
	}
	if len(salt) > 0 {
		passphrase := os.Getenv(PassphraseEnv)
		if passphrase == "" {
			return nil, newError(fmt.Sprintf("%s's secrets are encrypted with a passphrase — set %s to it", b.path, PassphraseEnv), ErrKeyMissing, ErrNeedPassphrase)
		}
		return passphraseDataKey(id, passphrase, salt)
	}
	key, mode, keyringErr, err := storedKeys{}.find(id)
	if err != nil {
		return nil, fmt.Errorf("cannot read the key that encrypts %s's secrets: %w", b.path, err)
	}
	if key == nil {
		file, err := keyFilePath(id)
		if err != nil {
			file = "no key file (" + err.Error() + ")"
		}
		where := "the OS keyring and " + file
		if keyringErr != nil {
			where = fmt.Sprintf("%s; the OS keyring could not be asked: %v", file, keyringErr)
		}
		return nil, newError(fmt.Sprintf("the key that encrypts %s's secrets is missing (looked in %s) — restore that file, or set %s if you chose a passphrase",
			b.path, where, PassphraseEnv), ErrKeyMissing)
	}
	return newDataKey(id, key, mode)
}

func (b *secretBox) wrongKey(k *dataKey) error {
	if k.mode == modePassphrase {
		return newError(fmt.Sprintf("%s is not the passphrase that encrypts %s's secrets", PassphraseEnv, b.path), ErrWrongKey)
	}
	return newError(fmt.Sprintf("the key in the %s does not open %s's secrets — it belongs to another database, or the database was replaced", k.mode, b.path), ErrWrongKey)
}

// newKey makes the database's first key: from $PATCHBAY_PASSPHRASE when it
// is set and the default chain is in use, else from the key source.
func (b *secretBox) newKey() (*dataKey, error) {
	id, err := newKeyID()
	if err != nil {
		return nil, err
	}
	if b.keys == nil {
		if passphrase := os.Getenv(PassphraseEnv); passphrase != "" {
			salt := make([]byte, 16)
			if _, err := rand.Read(salt); err != nil {
				return nil, err
			}
			return passphraseDataKey(id, passphrase, salt)
		}
	}
	var keys KeySource = storedKeys{}
	if b.keys != nil {
		keys = b.keys
	}
	key, mode, err := keys.Key(id, true)
	if err != nil {
		return nil, fmt.Errorf("cannot keep a key to encrypt secrets with: %w", err)
	}
	return newDataKey(id, key, mode)
}

// keyFor returns the key to seal with in tx, making the database's first
// key if it has none and recording it in meta within tx.
func (b *secretBox) keyFor(tx *bolt.Tx) (*dataKey, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.active != nil {
		return b.active, nil
	}
	if b.pending == nil {
		k, err := b.newKey()
		if err != nil {
			return nil, err
		}
		b.pending = k
	}
	k := b.pending
	meta := tx.Bucket(bucketMeta)
	switch id := string(meta.Get(metaKeyID)); id {
	case k.id:
		return k, nil // recorded earlier in this transaction
	case "":
	default:
		return nil, fmt.Errorf("%s gained a key (%s) this process did not open", b.path, id)
	}
	check, err := k.seal(keyCheckText)
	if err != nil {
		return nil, err
	}
	if err := meta.Put(metaKeyID, []byte(k.id)); err != nil {
		return nil, err
	}
	if err := meta.Put(metaKeyCheck, []byte(check)); err != nil {
		return nil, err
	}
	if k.salt != nil {
		if err := meta.Put(metaKeySalt, k.salt); err != nil {
			return nil, err
		}
	}
	tx.OnCommit(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.pending == k {
			b.active, b.pending = k, nil
		}
	})
	return k, nil
}

// isSecret reports whether a secret field's value is to be sealed.
func isSecret(value string) bool {
	if value == "" {
		return false
	}
	_, ref := connection.EnvRef(value)
	return !ref
}

// seal replaces each secret among fields with its sealed form, within tx.
func (b *secretBox) seal(tx *bolt.Tx, fields []*string) error {
	for _, p := range fields {
		if !isSecret(*p) {
			continue
		}
		if b == nil {
			return errors.New("the store was opened without a way to encrypt secrets")
		}
		k, err := b.keyFor(tx)
		if err != nil {
			return err
		}
		if *p, err = k.seal(*p); err != nil {
			return err
		}
	}
	return nil
}

// sealPlaintext seals the secrets that an older patchbay stored in plain
// text — the secret fields of connections, the values of actions' secret
// rows — all in one transaction; a database without any is not written.
// Records are saved again as they are, their timestamps untouched.
func sealPlaintext(db *bolt.DB, box *secretBox) error {
	var conns, acts []uint64
	swept := false
	err := db.View(func(tx *bolt.Tx) error {
		if swept = tx.Bucket(bucketMeta).Get(metaSealed) != nil; swept {
			return nil
		}
		var err error
		if conns, err = plaintextIDs(tx, connections, nil, (*connection.Connection).SecretFields); err != nil {
			return err
		}
		acts, err = plaintextIDs(tx, actions, actionMayHoldPlaintext, actionSecrets)
		return err
	})
	if err != nil || swept {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		if err := resave(tx, box, connections, conns); err != nil {
			return err
		}
		if err := resave(tx, box, actions, acts); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaSealed, []byte{1})
	})
}

// plaintextIDs lists the records of c with a secret among secrets(record)
// that is not sealed. maybe, when set, is asked first about a record's
// bytes, which are decoded only when it says they may hold one.
func plaintextIDs[T any](tx *bolt.Tx, c collection[T], maybe func([]byte) bool, secrets func(*T) []*string) ([]uint64, error) {
	var ids []uint64
	err := tx.Bucket(c.values).ForEach(func(k, v []byte) error {
		if maybe != nil && !maybe(v) {
			return nil
		}
		var r T
		if json.Unmarshal(v, &r) != nil {
			return nil // damaged: reported when it is read
		}
		for _, p := range secrets(&r) {
			if isSecret(*p) && !strings.HasPrefix(*p, sealPrefix) {
				ids = append(ids, btoi(k))
				break
			}
		}
		return nil
	})
	return ids, err
}

// resave loads each record of c with an id in ids and saves it again, in tx,
// its secrets sealed.
func resave[T any](tx *bolt.Tx, box *secretBox, c collection[T], ids []uint64) error {
	for _, id := range ids {
		v, err := c.load(tx, box, id)
		if err != nil {
			return err
		}
		if err := c.save(tx, box, *c.name(&v), v); err != nil {
			return err
		}
	}
	return nil
}

// open replaces each sealed value among fields with its plain text. A value
// that is not sealed was stored by an older patchbay and is kept as it is.
func (b *secretBox) open(fields []*string) error {
	for _, p := range fields {
		if !strings.HasPrefix(*p, sealPrefix) {
			continue
		}
		var k *dataKey
		if b != nil {
			k = b.key()
		}
		if k == nil {
			return errors.New("a secret is encrypted, but the database records no key")
		}
		plain, err := k.open(*p)
		if err != nil {
			return fmt.Errorf("a secret cannot be decrypted: %w", err)
		}
		*p = plain
	}
	return nil
}

// key is the key to open with: the active one or, in the moment between a
// first key's commit and its commit handler, the pending one.
func (b *secretBox) key() *dataKey {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.active != nil {
		return b.active
	}
	return b.pending
}

// SecretMode says where the key protecting this database's secrets lives,
// for the home screen footer ("secrets: OS keyring") and `patchbay
// version`: "OS keyring", "key file PATH", "passphrase", "temporary key
// (demo)", or "none saved yet" before the first secret is saved.
func (s *Store) SecretMode() string {
	if s.box == nil {
		return modeNoKey
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	if s.box.active == nil {
		return modeNoKey
	}
	return s.box.active.mode
}

// passphraseDataKey derives the data key id from a passphrase and salt.
func passphraseDataKey(id, passphrase string, salt []byte) (*dataKey, error) {
	key, err := passphraseKey(passphrase, salt)
	if err != nil {
		return nil, err
	}
	k, err := newDataKey(id, key, modePassphrase)
	if err != nil {
		return nil, err
	}
	k.salt = salt
	return k, nil
}
