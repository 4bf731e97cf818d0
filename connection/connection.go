// Package connection talks to HTTP APIs on behalf of a saved connection.
//
// A Connection is a base URL plus authentication. Auth is applied by an
// http.RoundTripper wrapped around the base transport, scoped to the
// connection's origin so that credentials never follow a redirect to another
// host or from https down to http. Every request the program sends — the
// wizard's sample, a replay, a connection test — goes through Send, which
// returns the request as sent (secrets redacted), the status, headers, a
// capped body and timings.
//
// The package knows nothing of screens or storage.
package connection

import (
	"strings"
	"time"
)

// AuthType names an authentication scheme. The string values are the words
// the command line accepts (`patchbay connection add --auth TYPE`).
type AuthType string

// The auth types this package implements.
const (
	AuthNone   AuthType = "none"
	AuthBasic  AuthType = "basic"
	AuthHeader AuthType = "header"
	AuthQuery  AuthType = "query"
	AuthCustom AuthType = "custom"
	AuthAPIKey AuthType = "apikey"
)

// AuthTypes lists the implemented auth types in the order forms show them.
var AuthTypes = []AuthType{AuthNone, AuthBasic, AuthHeader, AuthQuery, AuthCustom, AuthAPIKey, AuthOAuth2Code, AuthOAuth2Client, AuthAzureCode, AuthAzureClient, AuthAWSKey, AuthAWSRole, AuthNTLM}

// Title is the name a form shows for the auth type.
func (t AuthType) Title() string {
	switch t {
	case AuthNone:
		return "None"
	case AuthBasic:
		return "Basic"
	case AuthHeader:
		return "Header auth"
	case AuthQuery:
		return "Query params"
	case AuthCustom:
		return "Custom"
	case AuthAPIKey:
		return "API key"
	case AuthOAuth2Code:
		return "OAuth2 authorization code"
	case AuthOAuth2Client:
		return "OAuth2 client credentials"
	case AuthAzureCode:
		return "Azure OAuth2 code"
	case AuthAzureClient:
		return "Azure client credentials"
	case AuthAWSKey:
		return "AWS access key (SigV4)"
	case AuthAWSRole:
		return "AWS IAM role (SigV4)"
	case AuthNTLM:
		return "NTLM"
	}
	return string(t)
}

// APIKeyScheme says how an API key is written into its header.
type APIKeyScheme string

// API key schemes. Bearer is the default: most APIs that take a key in the
// Authorization header want "Bearer KEY".
const (
	SchemeBearer APIKeyScheme = "bearer" // "Bearer KEY"
	SchemeBasic  APIKeyScheme = "basic"  // "Basic KEY" (the key used as given)
	SchemeRaw    APIKeyScheme = "raw"    // "KEY"
)

// DefaultKeyHeader is the header an API key goes in unless the user says otherwise.
const DefaultKeyHeader = "Authorization"

// DefaultTimeout bounds a request when the connection sets no timeout.
const DefaultTimeout = 30 * time.Second

// KV is one ordered name/value pair: a header, a query parameter, a form field.
// Order is kept because users and some servers care about it.
type KV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// HeaderValue returns the value of the first row of kvs named name, compared
// case-insensitively and ignoring spaces around the row's name.
func HeaderValue(kvs []KV, name string) (string, bool) {
	for _, kv := range kvs {
		if strings.EqualFold(strings.TrimSpace(kv.Key), name) {
			return kv.Value, true
		}
	}
	return "", false
}

// Auth holds the settings of every implemented auth type; Type says which of
// them apply. Username/Password serve Basic and Custom; Headers serve Header
// auth and Custom; Query serves Query params and Custom; Key, KeyHeader and
// Scheme serve API key.
//
// NTLM uses Username, Password and Domain, and ConnsPerHost and MaxConns
// bound its own pool of connections (ntlm.go).
//
// Password, Key and the values of Headers and Query are secrets.
type Auth struct {
	Type      AuthType     `json:"type"`
	Username  string       `json:"username,omitempty"`
	Password  string       `json:"password,omitempty"`
	Headers   []KV         `json:"headers,omitempty"`
	Query     []KV         `json:"query,omitempty"`
	Key       string       `json:"key,omitempty"`
	KeyHeader string       `json:"key_header,omitempty"`
	Scheme    APIKeyScheme `json:"scheme,omitempty"`

	// OAuth2 (oauth2-code, oauth2-client); see oauth2.go.
	OAuth2 *OAuth2 `json:"oauth2,omitempty"`

	// AWS Signature V4 (aws-key, aws-role); see aws.go.
	AWS *AWS `json:"aws,omitempty"`

	// NTLM (ntlm): the domain (or workstation) the user belongs to.
	Domain string `json:"domain,omitempty"`
	// ConnsPerHost and MaxConns size an NTLM connection's own pool: zero
	// means DefaultConnsPerHost and DefaultMaxConns.
	ConnsPerHost int `json:"conns_per_host,omitempty"`
	MaxConns     int `json:"max_conns,omitempty"`
}

// Connection is a saved way to reach one API.
type Connection struct {
	ID      uint64 `json:"id"`
	Name    string `json:"name"`
	BaseURL string `json:"base_url"`
	Auth    Auth   `json:"auth"`
	// Timeout bounds one request; zero means DefaultTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// CaseSensitiveHeaders sends header names exactly as typed instead of
	// canonicalising them.
	CaseSensitiveHeaders bool `json:"case_sensitive_headers,omitempty"`
	// TestPath is what Test requests, relative to BaseURL; empty means BaseURL itself.
	TestPath string `json:"test_path,omitempty"`
	// TLS holds the connection's own TLS settings: a client certificate,
	// a CA bundle, or no verification at all; see tls.go.
	TLS TLS `json:"tls,omitzero"`

	// Tokens keeps the OAuth2 tokens of this connection between sends; the
	// store provides it. Nil for connections without OAuth2 (and then an
	// OAuth2 connection keeps its token for the one Send only).
	Tokens TokenStore `json:"-"`
}

// KeyHeaderOrDefault is the header an API key is sent in: KeyHeader, or
// DefaultKeyHeader when it is blank.
func (a Auth) KeyHeaderOrDefault() string {
	if h := strings.TrimSpace(a.KeyHeader); h != "" {
		return h
	}
	return DefaultKeyHeader
}

// SchemeOrDefault is how an API key is written: Scheme, or SchemeBearer when
// it is blank.
func (a Auth) SchemeOrDefault() APIKeyScheme {
	if a.Scheme == "" {
		return SchemeBearer
	}
	return a.Scheme
}

// keyValue is the API key as its header carries it.
func (a Auth) keyValue() string {
	switch a.SchemeOrDefault() {
	case SchemeBasic:
		return "Basic " + a.Key
	case SchemeRaw:
		return a.Key
	}
	return "Bearer " + a.Key
}

// IsOAuth2 reports whether t is one of the OAuth2 auth types (the Azure
// ones included), whose credentials are tokens kept in the connection's
// TokenStore.
func (t AuthType) IsOAuth2() bool {
	return t.IsAuthorizationCode() || t.IsClientCredentials()
}

// Secrets returns every secret value of the connection's auth (password,
// API key, the values of auth headers and auth query parameters, the OAuth2
// client secret), whatever the auth type, so that callers can redact them
// from anything they show. Empty values and duplicates are left out. OAuth2
// tokens are not part of the connection: they live in its TokenStore.
func (c Connection) Secrets() []string {
	a := c.Auth
	candidates := []string{a.Password, a.Key}
	if a.OAuth2 != nil {
		candidates = append(candidates, a.OAuth2.ClientSecret)
	}
	if a.AWS != nil {
		candidates = append(candidates, a.AWS.SecretAccessKey, a.AWS.SessionToken)
	}
	if isPEM(c.TLS.Key) {
		candidates = append(candidates, c.TLS.Key)
	}
	for _, h := range a.Headers {
		candidates = append(candidates, h.Value)
	}
	for _, q := range a.Query {
		candidates = append(candidates, q.Value)
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range candidates {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// timeoutOrDefault bounds one Send.
func (c Connection) timeoutOrDefault() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// FieldError is a problem with one field, for showing next to that field.
// Field uses the snake_case field keys of the command line (name, base_url,
// username, key_header, header.NAME, ...).
type FieldError struct {
	Field string
	Msg   string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Msg }

// FieldErrors collects every problem found by a validation, in field order.
type FieldErrors []FieldError

func (es FieldErrors) Error() string {
	s := ""
	for i, e := range es {
		if i > 0 {
			s += "; "
		}
		s += e.Error()
	}
	return s
}

// For returns the message for field, or "" when the field is fine.
func (es FieldErrors) For(field string) string {
	for _, e := range es {
		if e.Field == field {
			return e.Msg
		}
	}
	return ""
}

// Err returns nil when there are no errors, so callers can `return errs.Err()`.
func (es FieldErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// IsPEM reports whether a TLS setting holds PEM text rather than a file's
// path: forms mask the one and show the other.
func IsPEM(v string) bool { return isPEM(v) }
