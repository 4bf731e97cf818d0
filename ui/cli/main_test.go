package cli

import (
	"errors"
	"os"
	"testing"

	"github.com/zalando/go-keyring"

	"patchbay/store"
)

// TestMain keeps the keys the commands make away from the user's keyring
// and config directory: every test here opens stores with the default key
// chain, as the command line does.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "patchbay-cli-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Setenv("XDG_STATE_HOME", dir)
	os.Unsetenv(store.PassphraseEnv)
	keyring.MockInitWithError(errors.New("no OS keyring in tests"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
