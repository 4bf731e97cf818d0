package connection

import (
	"net/http"
	"strings"

	"github.com/Azure/go-ntlmssp"
)

// AuthNTLM is Windows NTLM: a challenge–response handshake that
// authenticates one TCP connection, which is then kept alive so the
// handshake is not repeated for every request.
const AuthNTLM AuthType = "ntlm"

// Pool sizes of an NTLM connection, as in the reference connector.
const (
	DefaultConnsPerHost = 5
	DefaultMaxConns     = 10
)

// ntlmUser is the user name the handshake sends: DOMAIN\user, unless the
// user name already names its domain (DOMAIN\user or user@domain).
func (a Auth) ntlmUser() string {
	user, domain := strings.TrimSpace(a.Username), strings.TrimSpace(a.Domain)
	if domain == "" || strings.ContainsAny(user, `\@`) {
		return user
	}
	return domain + `\` + user
}

// connsPerHost and maxConns are the pool sizes with their defaults.
func (a Auth) connsPerHost() int {
	if a.ConnsPerHost > 0 {
		return a.ConnsPerHost
	}
	return DefaultConnsPerHost
}

func (a Auth) maxConns() int {
	if a.MaxConns > 0 {
		return a.MaxConns
	}
	return DefaultMaxConns
}

// validateNTLM checks the fields of an ntlm connection.
func (a Auth) validateNTLM() FieldErrors {
	var errs FieldErrors
	if strings.TrimSpace(a.Username) == "" {
		errs = append(errs, FieldError{"username", "username is required"})
	}
	if strings.ContainsAny(a.Domain, `\@/`) {
		errs = append(errs, FieldError{"domain", `domain is a name like CORP, without \ or @`})
	}
	if a.ConnsPerHost < 0 {
		errs = append(errs, FieldError{"conns_per_host", "connections per host must be a positive number"})
	}
	if a.MaxConns < 0 {
		errs = append(errs, FieldError{"max_conns", "maximum connections must be a positive number"})
	}
	return errs
}

// ntlmNegotiator turns the Basic credentials authTransport sets on a
// request into the NTLM (or Negotiate) handshake when the server asks for
// it; it never sends them as Basic.
func ntlmNegotiator(base *http.Transport) http.RoundTripper {
	return ntlmssp.Negotiator{RoundTripper: base}
}
