package connection

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
)

// secretNameParts are fragments of header, query and form field names whose
// values are credentials, compared case-insensitively.
var secretNameParts = []string{
	"token", "secret", "password", "passwd", "apikey", "api-key", "api_key",
	"auth", "session", "signature", "credential",
}

// IsSecretName reports whether a header, query parameter or form field called
// name probably carries a credential (Authorization, Proxy-Authorization,
// Cookie, X-Api-Key, access_token, X-Auth-Token, ...), so that its value is
// masked when shown, redacted when stored and dropped on a redirect to
// another origin. Author and Authority are not credentials; Authorization is.
func IsSecretName(name string) bool {
	n := strings.TrimSpace(name)
	var buf [32]byte
	if len(n) <= len(buf) && isASCII(n) {
		// Lowered on the stack: this runs for every header shown or sent.
		b := buf[:len(n)]
		for i := range len(n) {
			c := n[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		n = string(b)
	} else {
		n = strings.ToLower(n)
	}
	switch n {
	case "authorization", "proxy-authorization", "cookie", "cookie2", "key", "x-key", "access_key":
		return true
	}
	for _, part := range secretNameParts {
		if !strings.Contains(n, part) {
			continue
		}
		if part == "auth" && strings.Contains(n, "author") && !strings.Contains(n, "authoriz") {
			continue // author, authority: names, not credentials
		}
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// secretField is one secret value of a connection with the words that name
// it ("its password") and its command-line field key ("password").
type secretField struct {
	value *string
	what  string
	field string
}

// secretFields lists the connection's secret values in form order. Later
// auth families (OAuth2 client secrets and tokens, AWS secret keys) add
// theirs here, and every user of SecretFields follows.
func (c *Connection) secretFields() []secretField {
	a := &c.Auth
	fs := []secretField{
		{&a.Password, "its password", "password"},
		{&a.Key, "its API key", "key"},
	}
	for i := range a.Headers {
		fs = append(fs, secretField{&a.Headers[i].Value, "the value of its header " + a.Headers[i].Key, fmt.Sprintf("header.%d", i)})
	}
	for i := range a.Query {
		fs = append(fs, secretField{&a.Query[i].Value, "the value of its query parameter " + a.Query[i].Key, fmt.Sprintf("query.%d", i)})
	}
	if a.OAuth2 != nil {
		fs = append(fs, secretField{&a.OAuth2.ClientSecret, "its OAuth2 client secret", "client_secret"})
	}
	if a.AWS != nil {
		fs = append(fs,
			secretField{&a.AWS.SecretAccessKey, "its AWS secret access key", "secret_access_key"},
			secretField{&a.AWS.SessionToken, "its AWS session token", "session_token"})
	}
	fs = append(fs, secretField{&c.TLS.Key, "its TLS private key", "tls_key"})
	return fs
}

// SecretFields returns pointers to every secret value of the connection,
// whatever its auth type, so that the store can seal and open them in place.
// A value may be empty, or an env: reference (see EnvRef), which is not a
// secret. The pointers alias c's header and query slices: call it on a
// Clone to change a copy.
func (c *Connection) SecretFields() []*string {
	fs := c.secretFields()
	ptrs := make([]*string, len(fs))
	for i, f := range fs {
		ptrs[i] = f.value
	}
	return ptrs
}

// Clone returns a copy of c that shares no slices (and no OAuth2 block)
// with it. Tokens, an interface to the store, is shared.
func (c Connection) Clone() Connection {
	c.Auth.Headers = slices.Clone(c.Auth.Headers)
	c.Auth.Query = slices.Clone(c.Auth.Query)
	if o := c.Auth.OAuth2; o != nil {
		cp := *o
		cp.TokenHeaders = slices.Clone(o.TokenHeaders)
		cp.AuthorizeParams = slices.Clone(o.AuthorizeParams)
		c.Auth.OAuth2 = &cp
	}
	if a := c.Auth.AWS; a != nil {
		cp := *a
		c.Auth.AWS = &cp
	}
	return c
}

// SecretForms returns every form in which the connection's secrets may come
// back from a server that echoes what it received: each secret (an env:
// reference read from the environment now) as it is, URL-escaped and
// JSON-escaped, and the base64 user:password of Basic auth. Longest first,
// so that a form containing another is replaced whole. Secrets shorter than
// four bytes are left out, as Send's redaction leaves them: replacing "ab"
// everywhere would wreck a body and hide nothing.
func (c Connection) SecretForms() []string {
	r := c.Clone()
	for _, p := range r.SecretFields() {
		if name, ok := EnvRef(*p); ok {
			*p = os.Getenv(name)
		}
	}
	forms := valueForms(r.Secrets())
	if a := r.Auth; a.Password != "" && (a.Type == AuthBasic || a.Type == AuthCustom && a.Username != "") {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(a.Username+":"+a.Password)))
	}
	slices.SortFunc(forms, func(x, y string) int { return len(y) - len(x) })
	return slices.Compact(forms)
}

// valueForms lists the ways a secret value shows up in text: as is, URL-
// and JSON-escaped.
func valueForms(values []string) []string {
	var forms []string
	for _, s := range values {
		if len(s) < minRedactLen {
			continue
		}
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s), jsonEscaped(s, true), jsonEscaped(s, false))
	}
	return forms
}

// jsonEscaped is s as it appears inside a JSON string, with or without the
// HTML escaping (<, >, & as \u003c ...) that encoding/json applies by default.
func jsonEscaped(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// RedactEchoes returns resp with every form of the connection's secrets
// (SecretForms) replaced by Redacted in its body, its headers and the
// request as sent, for keeping: a server such as httpbin's /anything echoes
// the Authorization and X-Api-Key headers it received. resp itself is not
// changed.
//
// extra are more secret values to treat the same way: those the request
// itself carried (a typed X-Api-Key header, a password form field).
//
// The OAuth2 token a Send used is redacted too, since the Response keeps it.
func (c Connection) RedactEchoes(resp Response, extra ...string) Response {
	forms := append(c.SecretForms(), valueForms(extra)...)
	if resp.token != nil {
		forms = append(forms, valueForms(resp.token.token.secrets())...)
	}
	slices.SortFunc(forms, func(x, y string) int { return len(y) - len(x) })
	if len(forms) == 0 {
		return resp
	}
	text := func(s string) string {
		for _, f := range forms {
			s = strings.ReplaceAll(s, f, Redacted)
		}
		return s
	}
	kvs := func(in []KV) []KV {
		if in == nil {
			return nil
		}
		out := make([]KV, len(in))
		for i, kv := range in {
			out[i] = KV{Key: kv.Key, Value: text(kv.Value)}
		}
		return out
	}
	resp.Body = redactBytes(forms, resp.Body)
	resp.Headers = kvs(resp.Headers)
	resp.Request.URL = text(resp.Request.URL)
	resp.Request.Headers = kvs(resp.Request.Headers)
	resp.Request.Body = redactBytes(forms, resp.Request.Body)
	return resp
}

// redactBytes replaces each of forms in b with Redacted, in a copy.
func redactBytes(forms []string, b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	for _, f := range forms {
		b = bytes.ReplaceAll(b, []byte(f), []byte(Redacted)) // always a copy
	}
	return b
}
