package connection

import (
	"net/url"
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
	// The key is built in a buffer on the stack for a usual URL, and
	// looked up without making a string of it (the compiler's m[string(b)]).
	var buf [256]byte
	key := append(buf[:0], conn.BaseURL...)
	key = append(key, 0)
	key = append(key, ref...)
	for _, kv := range query {
		key = append(key, 0)
		key = append(key, kv.Key...)
		key = append(key, 0)
		key = append(key, kv.Value...)
	}
	resolved.Lock()
	r, ok := resolved.m[string(key)]
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
	resolved.m[string(key)] = resolvedURL{target: target, scope: scope}
	resolved.Unlock()
	return target, scope, nil
}
