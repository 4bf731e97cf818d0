package connection

import "strings"

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
	n := strings.ToLower(strings.TrimSpace(name))
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
