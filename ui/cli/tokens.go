package cli

import (
	"errors"
	"sync"
	"time"

	"patchbay/connection"
	"patchbay/store"
)

// tokenFile is the connection.TokenStore of a command that does not hold
// the database while a request is out (run, connection test, connection
// connect): the token is read together with the connection, and a new one
// is saved by opening the database just for that. So a slow server — or a
// login waiting five minutes for a browser — keeps no other patchbay out of
// the database, and parallel runs from a script still wait for each other
// for milliseconds only.
//
// The price is that two processes may renew the same expired token at
// once. A token that is no longer fresh is therefore read again from the
// file before it is used, so a process that starts after another renewed it
// takes the new one; and marking the connection "needs reconnect" is
// skipped when another process saved a usable token since this one read
// its own (its refresh token was spent by that renewal, so invalid_grant
// says nothing about the connection).
type tokenFile struct {
	path string
	now  func() time.Time

	mu    sync.Mutex
	known map[uint64]connection.Token // as last read or saved, per connection
	saved map[uint64]connection.Token // what this process saved
	// renewedElsewhere records connections whose "needs reconnect" mark was
	// not saved because another process had saved a usable token.
	renewedElsewhere map[uint64]bool
}

// tokenFileLockWait bounds how long a save waits for another patchbay to
// let go of the database: a rotated refresh token is worth waiting for.
var tokenFileLockWait = 10 * time.Second

// freshFor is how far ahead of its expiry a known token is still used
// without reading the file again; connection renews tokens 30 seconds
// before they expire, so this is well before that.
const freshFor = time.Minute

// newTokenFile makes the token store of conn, reading its token from st
// (which the caller closes before sending). Connections without OAuth2
// need none: it returns nil.
func newTokenFile(st *store.Store, conn connection.Connection) (*tokenFile, error) {
	if !conn.Auth.Type.IsOAuth2() {
		return nil, nil
	}
	t, err := st.LoadToken(conn.ID)
	if err != nil {
		return nil, err
	}
	return &tokenFile{
		path:             st.Path(),
		now:              time.Now,
		known:            map[uint64]connection.Token{conn.ID: t},
		saved:            map[uint64]connection.Token{},
		renewedElsewhere: map[uint64]bool{},
	}, nil
}

// attach sets f as conn's token store; a nil f leaves conn without one.
func (f *tokenFile) attach(conn *connection.Connection) {
	if f != nil {
		conn.Tokens = f
	}
}

// fresh reports whether t can be used without looking at the file again.
func (f *tokenFile) fresh(t connection.Token) bool {
	return t.AccessToken != "" && t.NeedsReconnect == "" &&
		(t.Expiry.IsZero() || f.now().Add(freshFor).Before(t.Expiry))
}

// LoadToken returns the token as read with the connection while it is
// fresh, else as the file holds it now.
func (f *tokenFile) LoadToken(id uint64) (connection.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t, ok := f.known[id]; ok && f.fresh(t) {
		return t, nil
	}
	var t connection.Token
	err := f.with(func(st *store.Store) error {
		var err error
		t, err = st.LoadToken(id)
		return err
	})
	if err != nil {
		return connection.Token{}, err
	}
	f.known[id] = t
	return t, nil
}

// SaveToken opens the database and saves t, unless t marks the connection
// as needing reconnect and another process has saved a usable token since
// this one read it.
func (f *tokenFile) SaveToken(id uint64, t connection.Token) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.with(func(st *store.Store) error {
		if t.NeedsReconnect != "" {
			now, err := st.LoadToken(id)
			if err != nil {
				return err
			}
			if !sameToken(now, f.known[id]) && now.AccessToken != "" && now.NeedsReconnect == "" {
				f.known[id] = now
				f.renewedElsewhere[id] = true
				return nil
			}
		}
		if err := st.SaveToken(id, t); err != nil {
			return err
		}
		f.known[id] = t
		f.saved[id] = t
		return nil
	})
}

// savedToken returns the token this process saved for id, if any.
func (f *tokenFile) savedToken(id uint64) (connection.Token, bool) {
	if f == nil {
		return connection.Token{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.saved[id]
	return t, ok
}

// renewedByAnother reports whether a "needs reconnect" of connection id
// was not saved because another process had just renewed its token: the
// request can be tried again with that one.
func (f *tokenFile) renewedByAnother(id uint64) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.renewedElsewhere[id]
}

// with opens the database, runs fn and closes it, waiting up to
// tokenFileLockWait for another patchbay to let go of it.
func (f *tokenFile) with(fn func(*store.Store) error) error {
	deadline := time.Now().Add(tokenFileLockWait)
	for {
		st, err := store.Open(f.path) // waits about a second for the lock itself
		if errors.Is(err, store.ErrLocked) && time.Now().Before(deadline) {
			continue
		}
		if err != nil {
			return err
		}
		err = fn(st)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		return err
	}
}

// sameToken reports whether a and b are the same token, whatever the time
// zone of their expiry.
func sameToken(a, b connection.Token) bool {
	return a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken &&
		a.TokenType == b.TokenType && a.NeedsReconnect == b.NeedsReconnect && a.Expiry.Equal(b.Expiry)
}
