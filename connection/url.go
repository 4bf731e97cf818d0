package connection

import (
	"fmt"
	"net/url"
	"strings"
)

// origin is what a credential belongs to: scheme, host and port, with the
// port filled in from the scheme when the URL leaves it out.
type origin struct {
	scheme, host, port string
}

func originOf(u *url.URL) origin {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return origin{scheme: scheme, host: strings.ToLower(u.Hostname()), port: port}
}

// admits reports whether credentials scoped to o may be sent to u: only to
// the same origin, or to the same host upgraded from http to https on the
// default ports. A downgrade from https to http never qualifies, because
// the credentials would then cross the network in the clear.
func (o origin) admits(u *url.URL) bool {
	t := originOf(u)
	if t == o {
		return true
	}
	return o.scheme == "http" && o.port == "80" &&
		t.scheme == "https" && t.port == "443" && t.host == o.host
}

// ResolveURL is the URL Send would request for ref and query: ref joined to
// the base URL (one slash between them, an empty ref meaning the base
// itself), then the base URL's query, ref's query and query, in that order.
// An absolute ref must point at the base URL's origin; without a base URL
// it must be absolute. Errors are *Error of KindInvalid.
//
// The wizard uses it to preview the full URL exactly as it will be sent.
func (c Connection) ResolveURL(ref string, query []KV) (string, error) {
	u, _, err := c.resolve(ref, query)
	if err != nil {
		return "", c.redactor().redact(err)
	}
	return u.String(), nil
}

// resolve returns the URL to request and the origin the connection's
// credentials are scoped to: the base URL's, or with no base URL the
// request's own. In its errors the URLs and parse errors are redacted, the
// connection's name is not.
func (c Connection) resolve(ref string, query []KV) (*url.URL, origin, error) {
	outside := func(s string) string { return c.redactor().outside(s) }
	ref = strings.TrimSpace(ref)
	ref, _, _ = strings.Cut(ref, "#") // a fragment never goes on the wire
	var base *url.URL
	if c.BaseURL != "" {
		b, err := parseHTTPURL(strings.TrimSpace(c.BaseURL))
		if err != nil {
			return nil, origin{}, invalid("the base URL of connection '%s' is not usable: %s", c.Name, outside(err.Error()))
		}
		b.Fragment, b.RawFragment = "", ""
		base = b
	}

	var target *url.URL
	switch {
	case isAbsoluteURL(ref) || strings.HasPrefix(ref, "//"):
		if strings.HasPrefix(ref, "//") {
			if base == nil {
				return nil, origin{}, invalid("the URL must start with http:// or https://")
			}
			ref = base.Scheme + ":" + ref
		}
		u, err := parseHTTPURL(ref)
		if err != nil {
			return nil, origin{}, invalid("the URL is not usable: %s", outside(err.Error()))
		}
		if base != nil && !originOf(base).admits(u) {
			return nil, origin{}, invalid("the URL points at %s, but connection '%s' is for %s — use a path relative to the base URL",
				outside(u.Host), c.Name, outside(base.Host))
		}
		target = u
	case base == nil:
		return nil, origin{}, invalid("the URL must start with http:// or https:// because connection '%s' has no base URL", c.Name)
	default:
		refPath, refQuery, _ := strings.Cut(ref, "?")
		joined := *base
		joined.RawQuery = joinQuery(base.RawQuery, refQuery)
		if refPath != "" {
			p, err := url.Parse("/" + strings.TrimLeft(refPath, "/"))
			if err != nil {
				return nil, origin{}, invalid("the URL path %q is not usable: %s", outside(refPath), outside(unwrapURLError(err).Error()))
			}
			joined.Path = strings.TrimRight(base.Path, "/") + p.Path
			joined.RawPath = ""
			if base.RawPath != "" || p.RawPath != "" {
				joined.RawPath = strings.TrimRight(base.EscapedPath(), "/") + p.EscapedPath()
			}
		}
		target = &joined
	}

	target.RawQuery = escapeQuery(joinQuery(target.RawQuery, EncodeQuery(query)))
	scope := originOf(target)
	if base != nil {
		scope = originOf(base)
	}
	return target, scope, nil
}

// parseHTTPURL parses an absolute http or https URL with a host.
func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return nil, fmt.Errorf("it must start with http:// or https://")
	}
	if u.Host == "" {
		return nil, fmt.Errorf("it has no host")
	}
	return u, nil
}

// unwrapURLError drops url.Error's "parse URL:" preamble, which repeats the
// URL (and whatever secret it carries) back at the user.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// isAbsoluteURL reports whether ref starts with a scheme followed by "://".
// "users:search" is a relative path, so a bare colon is not enough.
func isAbsoluteURL(ref string) bool {
	scheme, _, ok := strings.Cut(ref, "://")
	if !ok || scheme == "" {
		return false
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

func joinQuery(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}

// EncodeQuery encodes kvs as a query string or form body, in their order
// (url.Values.Encode would sort them), leaving out rows without a name.
func EncodeQuery(kvs []KV) string {
	var b strings.Builder
	for _, kv := range kvs {
		if kv.Key == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv.Value))
	}
	return b.String()
}

// escapeQuery percent-encodes the bytes a query may not hold raw (spaces,
// controls, quotes, non-ASCII), leaving what the user already encoded and
// the & and = that give it structure alone; url.Parse accepts such a query
// but the request line it produces would be malformed.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	escaped := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c > ' ' && c < 0x7f && !strings.ContainsRune("\"<>\\^`{|}", rune(c)) {
			if escaped {
				b.WriteByte(c)
			}
			continue
		}
		if !escaped {
			escaped = true
			b.Grow(len(q) + 8)
			b.WriteString(q[:i])
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	if !escaped {
		return q
	}
	return b.String()
}

// withQueryParams returns rawQuery with every parameter named in params
// removed and params appended in order. Other parameters keep the order and
// encoding the user gave them, which url.Values would not.
func withQueryParams(rawQuery string, params []KV) string {
	names := map[string]bool{}
	for _, p := range params {
		if p.Key != "" {
			names[p.Key] = true
		}
	}
	kept := mapQuery(rawQuery, func(name, pair string) string {
		if names[name] {
			return ""
		}
		return pair
	})
	return joinQuery(kept, EncodeQuery(params))
}

// redactQuery replaces with Redacted the values of the parameters whose
// (decoded) name secret reports.
func redactQuery(rawQuery string, secret func(name string) bool) string {
	return mapQuery(rawQuery, func(name, pair string) string {
		if secret(name) {
			return pair[:strings.IndexByte(pair+"=", '=')] + "=" + Redacted
		}
		return pair
	})
}

// mapQuery rewrites each name=value pair of rawQuery with f, which gets the
// decoded name and the raw pair; an empty result drops the pair.
func mapQuery(rawQuery string, f func(name, pair string) string) string {
	if rawQuery == "" {
		return ""
	}
	var out []string
	for pair := range strings.SplitSeq(rawQuery, "&") {
		rawName, _, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			name = rawName
		}
		if p := f(name, pair); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "&")
}
