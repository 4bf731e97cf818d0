package oauthtest

import (
	"context"
	"errors"
	"sync"

	oauth2server "github.com/go-oauth2/oauth2/v4"
)

// clients is the server's one-client registry.
type clients map[string]oauth2server.ClientInfo

func (c clients) GetByID(_ context.Context, id string) (oauth2server.ClientInfo, error) {
	if info, ok := c[id]; ok {
		return info, nil
	}
	return nil, errors.New("unknown client")
}

// tokens keeps issued codes and tokens in memory. The library's manager
// checks expiry itself, so nothing here expires; a removed (rotated)
// refresh token is simply gone, which is what makes it invalid_grant.
// Lookups of unknown handles answer nil, nil, as the library's stores do.
type tokens struct {
	mu                     sync.Mutex
	codes, access, refresh map[string]oauth2server.TokenInfo
}

func newTokens() *tokens {
	return &tokens{codes: map[string]oauth2server.TokenInfo{},
		access: map[string]oauth2server.TokenInfo{}, refresh: map[string]oauth2server.TokenInfo{}}
}

func (t *tokens) Create(_ context.Context, info oauth2server.TokenInfo) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if code := info.GetCode(); code != "" {
		t.codes[code] = info
		return nil
	}
	t.access[info.GetAccess()] = info
	if r := info.GetRefresh(); r != "" {
		t.refresh[r] = info
	}
	return nil
}

func (t *tokens) remove(m map[string]oauth2server.TokenInfo, key string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(m, key)
	return nil
}

func (t *tokens) get(m map[string]oauth2server.TokenInfo, key string) (oauth2server.TokenInfo, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return m[key], nil
}

func (t *tokens) RemoveByCode(_ context.Context, code string) error { return t.remove(t.codes, code) }
func (t *tokens) RemoveByAccess(_ context.Context, a string) error  { return t.remove(t.access, a) }
func (t *tokens) RemoveByRefresh(_ context.Context, r string) error { return t.remove(t.refresh, r) }

func (t *tokens) GetByCode(_ context.Context, code string) (oauth2server.TokenInfo, error) {
	return t.get(t.codes, code)
}

func (t *tokens) GetByAccess(_ context.Context, a string) (oauth2server.TokenInfo, error) {
	return t.get(t.access, a)
}

func (t *tokens) GetByRefresh(_ context.Context, r string) (oauth2server.TokenInfo, error) {
	return t.get(t.refresh, r)
}
