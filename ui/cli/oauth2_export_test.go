package cli

import "testing"

// The in-process OAuth2 server of oauth2_test.go, for the tests of package
// cli_test (e2e_oauth2_test.go): test files of the internal package are
// compiled into the same test binary, so exporting them here shares the
// server without copying it.
const (
	OAuthClientID     = oauthClientID
	OAuthClientSecret = oauthClientSecret
)

// NewOAuthServer is newOAuthServer: the authorization server at /authorize
// and /token, and /api, which answers 200 only with a valid bearer token.
// Its TokenHits counts the requests to /token.
func NewOAuthServer(t *testing.T) *oauthServer { return newOAuthServer(t) }
