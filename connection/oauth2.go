package connection

import (
	"errors"
	"time"
)

// OAuth2 auth types.
const (
	AuthOAuth2Code   AuthType = "oauth2-code"   // authorization code with PKCE
	AuthOAuth2Client AuthType = "oauth2-client" // client credentials
)

// TokenAuth says how the client id and secret reach the token endpoint.
type TokenAuth string

// Token request styles (x/oauth2's AuthStyleInParams / AuthStyleInHeader).
const (
	TokenAuthBody   TokenAuth = "body"   // client_id and client_secret in the form body
	TokenAuthHeader TokenAuth = "header" // HTTP Basic
)

// OAuth2 holds the settings of the OAuth2 auth types. ClientSecret is a
// secret (sealed at rest, redacted everywhere).
type OAuth2 struct {
	AuthorizeURL string `json:"authorize_url,omitempty"` // code flow only
	TokenURL     string `json:"token_url"`
	RefreshURL   string `json:"refresh_url,omitempty"` // empty: TokenURL
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
	Scopes       string `json:"scopes,omitempty"` // space separated
	// TokenHeaders are sent with every token request.
	TokenHeaders []KV      `json:"token_headers,omitempty"`
	TokenAuth    TokenAuth `json:"token_auth,omitempty"` // empty: body
	// AuthorizeParams are extra parameters of the authorize URL (audience,
	// prompt, …), e.g. kept from a pasted authorize URL.
	AuthorizeParams []KV `json:"authorize_params,omitempty"`
	// CallbackPort fixes the loopback callback's port for providers that
	// need an exact redirect URI; 0 picks a free one.
	CallbackPort int `json:"callback_port,omitempty"`
	// DeviceURL is the device authorization endpoint (RFC 8628) of a
	// code-flow connection: when set, the user can log in by entering a
	// code on another device instead (DeviceAuthorize).
	DeviceURL string `json:"device_url,omitempty"`

	// Azure (azure-code, azure-client); see azure.go. With them, an empty
	// AuthorizeURL or TokenURL is derived from AuthorityHost, Tenant and
	// AzureVersion.
	Tenant        string `json:"tenant,omitempty"`         // id, domain, or common/organizations/consumers
	AzureVersion  string `json:"azure_version,omitempty"`  // "2.0" (empty) or "1.0"
	AuthorityHost string `json:"authority_host,omitempty"` // empty: DefaultAzureAuthority
	// Resource is the App ID URI of the API that the 1.0 endpoint issues
	// tokens for; empty: the base URL's scheme://host.
	Resource string `json:"resource,omitempty"`
}

// Token is an OAuth2 token as patchbay keeps it. AccessToken and
// RefreshToken are secrets.
type Token struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitempty"`
	// NeedsReconnect, when set, is why the token can no longer be used or
	// refreshed (the server's words, sanitized): the user must reconnect.
	NeedsReconnect string `json:"needs_reconnect,omitempty"`
}

// TokenStore keeps one token per connection. The store satisfies it.
type TokenStore interface {
	// LoadToken returns the connection's token; a zero Token and nil when
	// there is none.
	LoadToken(connectionID uint64) (Token, error)
	// SaveToken replaces the connection's token; it must be durable when
	// it returns, so a rotated refresh token is never lost.
	SaveToken(connectionID uint64, t Token) error
}

// ErrNeedsReconnect is wrapped by errors of an OAuth2 connection whose token
// cannot be used or refreshed: the user has to connect again.
var ErrNeedsReconnect = errors.New("needs reconnect")

// AuthorizeOptions drive the authorization code flow.
type AuthorizeOptions struct {
	// OpenBrowser opens url in a browser; nil (or an error) means the user
	// opens it by hand.
	OpenBrowser func(url string) error
	// ShowURL tells the user the authorize URL and the callback URL, before
	// waiting.
	ShowURL func(authorizeURL, callbackURL string)
	// Pasted delivers a redirected URL the user pasted, for a terminal whose
	// browser cannot reach this machine's loopback (SSH). Nil: no pasting.
	Pasted <-chan string
	// Timeout bounds the wait for the callback; zero means 5 minutes.
	Timeout time.Duration
	// Rejected, when set, hears why a callback or a pasted URL was refused
	// while the wait goes on (its state is not this attempt's, it carries
	// no code). It may be called from another goroutine, never after
	// Authorize returns, and must not block.
	Rejected func(reason string)
}
