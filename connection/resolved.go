package connection

import (
	"net/url"
	"strings"
	"sync"
)

// resolved keeps what resolve made of the URLs sent lately: replays send
// the same URL through the same connection again and again, and parsing
// it anew is a good part of what Send costs beyond net/http. Only
// successes are kept, and a kept URL is never changed (newRequest copies
// it).
var resolved struct {
	sync.Mutex
	m map[string]resolvedURL
}

type resolvedURL struct {
	target *url.URL
	scope  origin
}

// maxResolved bounds the cache; past it, it starts over.
const maxResolved = 512

func resolveCached(conn Connection, ref string, query []KV) (*url.URL, origin, error) {
	var key strings.Builder
	n := len(conn.BaseURL) + len(ref) + 2
	for _, kv := range query {
		n += len(kv.Key) + len(kv.Value) + 2
	}
	key.Grow(n)
	key.WriteString(conn.BaseURL)
	key.WriteByte(0)
	key.WriteString(ref)
	for _, kv := range query {
		key.WriteByte(0)
		key.WriteString(kv.Key)
		key.WriteByte(0)
		key.WriteString(kv.Value)
	}
	k := key.String()
	resolved.Lock()
	r, ok := resolved.m[k]
	resolved.Unlock()
	if ok {
		return r.target, r.scope, nil
	}
	target, scope, err := conn.resolve(ref, query)
	if err != nil {
		return nil, origin{}, err
	}
	resolved.Lock()
	if resolved.m == nil || len(resolved.m) >= maxResolved {
		resolved.m = make(map[string]resolvedURL)
	}
	resolved.m[k] = resolvedURL{target: target, scope: scope}
	resolved.Unlock()
	return target, scope, nil
}
