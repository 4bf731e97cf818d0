package wizard

// Reading curl's arguments into a CurlRequest.

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"patchbay/connection"
)

// curlParser reads curl's arguments into a CurlRequest.
type curlParser struct {
	req      CurlRequest
	method   string // -X
	head     bool   // -I
	get      bool   // -G
	urls     []string
	data     []string // each -d (and kin) as curl sends it
	json     bool     // --json was used
	fromFile bool     // some data is in a file that is not read
	headers  []connection.KV
	implied  []connection.KV // headers -A, -e, -b, --json, --oauth2-bearer set
	removed  map[string]bool // lower-case names of -H 'Name:' (curl leaves them out)
	parts    []Part
	upload   string // -T
	// stdin is what the shell gives curl on its standard input (a
	// here-document), for -d @-.
	stdin    string
	hasStdin bool
	// urlQueries are --url-query's parameters, for the URL's query.
	urlQueries []connection.KV
	vars       map[string]bool
}

func (p *curlParser) note(format string, args ...any) {
	p.req.Notes = append(p.req.Notes, fmt.Sprintf(format, args...))
}

func (p *curlParser) unknown(s string) { p.req.Unknown = append(p.req.Unknown, s) }

// parse reads the arguments.
func (p *curlParser) parse(args []shellWord) {
	p.removed = map[string]bool{}
	p.vars = map[string]bool{}
	for _, w := range args {
		p.useVars(w)
	}
	text := make([]string, len(args))
	for i, w := range args {
		text[i] = w.text
	}
	for i := 0; i < len(text); i++ {
		a := text[i]
		switch {
		case a == "--":
			p.urls = append(p.urls, text[i+1:]...)
			i = len(text)
		case strings.HasPrefix(a, "--"):
			i = p.long(text, i)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			i = p.short(text, i)
		default:
			p.urls = append(p.urls, a)
		}
	}
}

// useVars records the shell variables and kept substitutions of w.
func (p *curlParser) useVars(w shellWord) {
	for _, v := range w.vars {
		if !p.vars[v] {
			p.vars[v] = true
			p.req.Vars = append(p.req.Vars, v)
		}
	}
	for _, k := range w.kept {
		p.note("%s is kept as typed: patchbay does not run the shell — replace it with a value or a {{variable}}", k)
	}
}

// long reads the long flag text[i] (and its value) and returns the index
// of the last argument it used.
func (p *curlParser) long(text []string, i int) int {
	name := strings.TrimPrefix(text[i], "--")
	value, hasValue := "", false
	if n, v, ok := strings.Cut(name, "="); ok {
		if f, known := curlLongFlags[n]; known && f.arg {
			name, value, hasValue = n, v, true
		}
	}
	f, known := curlLongFlags[name]
	if !known {
		if base, ok := strings.CutPrefix(name, "no-"); ok {
			if bf, bok := curlLongFlags[base]; bok && !bf.arg {
				if base == "insecure" {
					p.req.Insecure = false
				}
				return i
			}
		}
		// A word after an unknown flag that is no URL is taken for its
		// value, not for the URL: --api-key abc https://x.
		if i+1 < len(text) && !strings.HasPrefix(text[i+1], "-") && !looksLikeURL(text[i+1]) {
			i++
			p.unknown("--" + name + " " + maskIf(name, text[i]))
			return i
		}
		p.unknown("--" + name)
		return i
	}
	if f.arg && !hasValue {
		if i+1 >= len(text) {
			p.note("--%s needs a value and has none; it was ignored", name)
			return i
		}
		i++
		value = text[i]
	}
	p.apply(name, "--"+name, value)
	return i
}

// looksLikeURL reports whether a word is a URL as curl takes one: with a
// scheme, a dot or a slash, or localhost.
func looksLikeURL(s string) bool {
	return strings.Contains(s, "://") || strings.ContainsAny(s, "./") || strings.HasPrefix(s, "localhost") || strings.Contains(s, "{{")
}

// maskIf is value, or connection.Redacted when the flag's name says it
// is a credential.
func maskIf(name, value string) string {
	if IsSecret(name) || strings.Contains(strings.ToLower(name), "pass") || strings.Contains(strings.ToLower(name), "key") {
		return connection.Redacted
	}
	return value
}

// short reads a cluster of short flags (-sSL, -XPOST, -H 'A: b') and
// returns the index of the last argument it used.
func (p *curlParser) short(text []string, i int) int {
	a := text[i]
	for j := 1; j < len(a); j++ {
		name, known := curlShortFlags[a[j]]
		if !known {
			p.unknown("-" + string(a[j]))
			continue
		}
		if !curlLongFlags[name].arg {
			p.apply(name, "-"+string(a[j]), "")
			continue
		}
		value := a[j+1:]
		if value == "" {
			if i+1 >= len(text) {
				p.note("-%c needs a value and has none; it was ignored", a[j])
				return i
			}
			i++
			value = text[i]
		}
		p.apply(name, "-"+string(a[j]), value)
		return i
	}
	return i
}

// finish turns what was read into the request: the URL and its query,
// the method, the headers and the body.
func (p *curlParser) finish() error {
	if len(p.urls) == 0 {
		return errors.New("the curl command has no URL")
	}
	if len(p.parts) > 0 && (len(p.data) > 0 || p.json) {
		return errors.New("the command uses both -F and -d (or --json); curl refuses that too — keep one of them")
	}
	for _, extra := range p.urls[1:] {
		p.note("only the first URL was imported; %q was left out (a second URL, or the value of an unknown flag)", extra)
	}
	raw, _, _ := strings.Cut(strings.TrimSpace(p.urls[0]), "#") // curl never sends a fragment
	raw = strings.TrimSpace(raw)
	if !hasScheme(raw) {
		raw = "http://" + raw
		p.note("the URL has no scheme; curl would use http://, and so does the import")
	}
	raw = p.userInURL(raw)
	p.req.URL = raw
	if base, q, ok := strings.Cut(raw, "?"); ok {
		if rows, clean := splitPairs(q); clean {
			p.req.URL, p.req.Query = base, rows
		}
	}
	if len(p.urlQueries) > 0 {
		if strings.Contains(p.req.URL, "?") {
			p.req.URL = appendQuery(p.req.URL, connection.EncodeQuery(p.urlQueries))
		} else {
			p.req.Query = append(p.req.Query, p.urlQueries...)
		}
	}

	p.req.Method = strings.ToUpper(p.method)
	if p.req.Method == "" {
		switch {
		case p.head:
			p.req.Method = "HEAD"
		case p.get:
			p.req.Method = "GET"
		case len(p.data) > 0 || p.json || len(p.parts) > 0 || p.fromFile:
			p.req.Method = "POST"
		case p.upload != "":
			p.req.Method = "PUT"
		default:
			p.req.Method = "GET"
		}
	}
	if p.req.Method != "" && !slices.Contains(Methods, p.req.Method) {
		p.note("the method %s is not one an action can use (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)", p.req.Method)
	}

	if p.get && len(p.data) > 0 {
		q := strings.Join(p.data, "&")
		if rows, clean := splitPairs(q); clean && (len(p.req.Query) > 0 || !strings.Contains(p.req.URL, "?")) {
			p.req.Query = append(p.req.Query, rows...)
		} else {
			p.req.URL = appendQuery(p.urlWithQuery(), q)
			p.req.Query = nil
		}
		p.data = nil
	}
	p.body()
	p.req.Headers = append(p.headers, p.missingImplied()...)
	return nil
}

// hasScheme reports whether raw starts with a scheme and "://".
func hasScheme(raw string) bool {
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" || !isShellNameStart(scheme[0]) || scheme[0] == '_' {
		return false
	}
	return strings.IndexFunc(scheme, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')
	}) < 0
}

// userInURL takes user:password@ out of raw's host into -u's place
// (unless -u was given): curl sends them as Basic credentials, and an
// action's URL cannot hold them.
func (p *curlParser) userInURL(raw string) string {
	scheme, rest, _ := strings.Cut(raw, "://")
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	if !p.req.HasUser {
		user, pass, _ := strings.Cut(rest[:at], ":")
		p.req.HasUser = true
		p.req.User, p.req.Password = unescapeOr(user), unescapeOr(pass)
	}
	return scheme + "://" + rest[at+1:]
}

// unescapeOr is s with its %-escapes decoded, or s when they do not decode.
func unescapeOr(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// urlWithQuery is the URL with the query rows written back into it.
func (p *curlParser) urlWithQuery() string {
	if len(p.req.Query) == 0 {
		return p.req.URL
	}
	return p.req.URL + "?" + connection.EncodeQuery(p.req.Query)
}

func appendQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

// missingImplied are the headers that flags such as -A and --json set and
// no -H replaced or removed.
func (p *curlParser) missingImplied() []connection.KV {
	var out []connection.KV
	for _, kv := range p.implied {
		if _, set := connection.HeaderValue(p.headers, kv.Key); set || p.removed[strings.ToLower(kv.Key)] {
			continue
		}
		if _, dup := connection.HeaderValue(out, kv.Key); dup {
			continue
		}
		out = append(out, kv)
	}
	return out
}
