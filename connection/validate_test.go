package connection

import (
	"slices"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	ok := func(a Auth) Connection {
		return Connection{Name: "api", BaseURL: "https://api.example.com/v1", Auth: a}
	}
	with := func(c Connection, f func(*Connection)) Connection { f(&c); return c }
	for _, tc := range []struct {
		name string
		conn Connection
		want FieldErrors // nil: valid
	}{
		{"none", ok(Auth{Type: AuthNone}), nil},
		{"empty auth type means none", ok(Auth{}), nil},
		{"no base URL", with(ok(Auth{}), func(c *Connection) { c.BaseURL = "" }), nil},
		{"no base URL, auth none", with(ok(Auth{Type: AuthNone}), func(c *Connection) { c.BaseURL = " " }), nil},
		{"credentials need a base URL", with(ok(Auth{Type: AuthAPIKey, Key: "k"}), func(c *Connection) { c.BaseURL = "" }),
			FieldErrors{{"base_url", "base URL is required: credentials are only sent to it"}}},
		{"basic needs a base URL", with(ok(Auth{Type: AuthBasic, Username: "u"}), func(c *Connection) { c.BaseURL = "  " }),
			FieldErrors{{"base_url", "base URL is required: credentials are only sent to it"}}},
		{"name required", with(ok(Auth{}), func(c *Connection) { c.Name = "  " }), FieldErrors{{"name", "name is required"}}},
		{"name with an escape", with(ok(Auth{}), func(c *Connection) { c.Name = "evil\x1b]0;PWNED\x07" }), FieldErrors{{"name", "name cannot contain line breaks, control or formatting characters"}}},
		{"name with a bidi override", with(ok(Auth{}), func(c *Connection) { c.Name = "abc\u202edcb" }), FieldErrors{{"name", "name cannot contain line breaks, control or formatting characters"}}},
		{"base URL without scheme", with(ok(Auth{}), func(c *Connection) { c.BaseURL = "api.example.com" }),
			FieldErrors{{"base_url", "base URL must start with http:// or https://"}}},
		{"base URL ftp", with(ok(Auth{}), func(c *Connection) { c.BaseURL = "ftp://files.example.com" }),
			FieldErrors{{"base_url", "base URL must start with http:// or https://"}}},
		{"base URL without host", with(ok(Auth{}), func(c *Connection) { c.BaseURL = "https://" }),
			FieldErrors{{"base_url", "base URL has no host"}}},
		{"base URL unparsable", with(ok(Auth{}), func(c *Connection) { c.BaseURL = "https://exa mple.com" }),
			FieldErrors{{"base_url", `base URL is not valid: invalid character " " in host name`}}},
		{"unknown auth", ok(Auth{Type: "kerberos"}), FieldErrors{{"auth", `unknown auth type "kerberos"`}}},
		{"basic", ok(Auth{Type: AuthBasic, Username: "u"}), nil},
		{"basic needs username", ok(Auth{Type: AuthBasic, Password: "p"}), FieldErrors{{"username", "username is required"}}},
		{"header", ok(Auth{Type: AuthHeader, Headers: []KV{{"X-Key", "k"}, {"", ""}}}), nil},
		{"header needs a header", ok(Auth{Type: AuthHeader, Headers: []KV{{"", ""}}}),
			FieldErrors{{"header.0", "header auth needs at least one header"}}},
		{"header row needs a name", ok(Auth{Type: AuthHeader, Headers: []KV{{"X-Key", "k"}, {"", "v"}}}),
			FieldErrors{{"header.1", "header needs a name"}}},
		{"header name must be a token", ok(Auth{Type: AuthHeader, Headers: []KV{{"X Key", "k"}, {"X:Y", "k"}}}),
			FieldErrors{{"header.0", `header name "X Key" may not contain spaces`}, {"header.1", "header name \"X:Y\" may only contain letters, digits and !#$%&'*+-.^_`|~"}}},
		{"header value without line breaks", ok(Auth{Type: AuthHeader, Headers: []KV{{"X-Key", "a\r\nb"}}}),
			FieldErrors{{"header.0", "header value may not contain line breaks or control characters"}}},
		{"query", ok(Auth{Type: AuthQuery, Query: []KV{{"api_key", "k"}}}), nil},
		{"query needs a param", ok(Auth{Type: AuthQuery}), FieldErrors{{"query.0", "query auth needs at least one parameter"}}},
		{"query row needs a name", ok(Auth{Type: AuthQuery, Query: []KV{{"", "k"}}}), FieldErrors{{"query.0", "parameter needs a name"}}},
		{"custom with username", ok(Auth{Type: AuthCustom, Username: "u"}), nil},
		{"custom with header", ok(Auth{Type: AuthCustom, Headers: []KV{{"X-Key", "k"}}}), nil},
		{"custom with query", ok(Auth{Type: AuthCustom, Query: []KV{{"k", "v"}}}), nil},
		{"custom needs something", ok(Auth{Type: AuthCustom, Password: "p"}),
			FieldErrors{{"auth", "custom auth needs a username, a header or a query parameter"}}},
		{"custom rows checked", ok(Auth{Type: AuthCustom, Username: "u", Headers: []KV{{"", "v"}}}),
			FieldErrors{{"header.0", "header needs a name"}}},
		{"apikey", ok(Auth{Type: AuthAPIKey, Key: "k"}), nil},
		{"apikey every scheme", ok(Auth{Type: AuthAPIKey, Key: "k", KeyHeader: "X-Token", Scheme: SchemeRaw}), nil},
		{"apikey needs key", ok(Auth{Type: AuthAPIKey}), FieldErrors{{"key", "key is required"}}},
		{"apikey header name", ok(Auth{Type: AuthAPIKey, Key: "k", KeyHeader: "X Token"}),
			FieldErrors{{"key_header", `header name "X Token" may not contain spaces`}}},
		{"apikey scheme", ok(Auth{Type: AuthAPIKey, Key: "k", Scheme: "digest"}),
			FieldErrors{{"scheme", "scheme must be bearer, basic or raw"}}},
		{"timeout zero", with(ok(Auth{}), func(c *Connection) { c.Timeout = 0 }), nil},
		{"timeout negative", with(ok(Auth{}), func(c *Connection) { c.Timeout = -time.Second }),
			FieldErrors{{"timeout", "timeout cannot be negative"}}},
		{"test path relative", with(ok(Auth{}), func(c *Connection) { c.TestPath = "/me" }), nil},
		{"test path other host", with(ok(Auth{}), func(c *Connection) { c.TestPath = "https://evil.example.com/" }),
			FieldErrors{{"test_path", "the URL points at evil.example.com, but connection 'api' is for api.example.com — use a path relative to the base URL"}}},
		{"everything wrong", Connection{BaseURL: "x", Auth: Auth{Type: AuthBasic}, Timeout: -1},
			FieldErrors{{"name", "name is required"}, {"base_url", "base URL must start with http:// or https://"}, {"username", "username is required"}, {"timeout", "timeout cannot be negative"}}},
	} {
		got := tc.conn.Validate()
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, got, tc.want)
		}
	}
}

func TestAuthDefaultsAndSecrets(t *testing.T) {
	a := Auth{Type: AuthAPIKey, Key: "k"}
	if a.KeyHeaderOrDefault() != "Authorization" || a.SchemeOrDefault() != SchemeBearer || a.keyValue() != "Bearer k" {
		t.Errorf("defaults: %q %q %q", a.KeyHeaderOrDefault(), a.SchemeOrDefault(), a.keyValue())
	}
	c := Connection{Auth: Auth{Type: AuthBasic, Username: "u", Password: "p", Key: "k",
		Headers: []KV{{"A", "h"}, {"B", "p"}}, Query: []KV{{"q", "v"}, {"e", ""}}}}
	if got, want := c.Secrets(), []string{"p", "k", "h", "v"}; !slices.Equal(got, want) {
		t.Errorf("Secrets() = %q, want %q", got, want)
	}
}
