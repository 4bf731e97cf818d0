package connection

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Validate checks everything a connection needs before it can be saved and
// used, and returns one FieldError per problem, keyed by the command line's
// field names. Rows of header and query auth are keyed by their position:
// header.0 is the first header row, query.2 the third parameter. A list
// that needs a row but has none reports on row 0. A connection with
// credentials needs a base URL: they are scoped to its origin, and without
// one they would go to whatever absolute URL an action names.
func (c Connection) Validate() FieldErrors {
	var errs FieldErrors
	switch {
	case strings.TrimSpace(c.Name) == "":
		errs = append(errs, FieldError{"name", "name is required"})
	case HasControl(c.Name):
		// A name is shown on terminals: an escape sequence in it would act.
		errs = append(errs, FieldError{"name", "name cannot contain line breaks, control or formatting characters"})
	}
	if msg := baseURLProblem(c.BaseURL); msg != "" {
		errs = append(errs, FieldError{"base_url", msg})
	} else if strings.TrimSpace(c.BaseURL) == "" && c.hasCredentials() {
		errs = append(errs, FieldError{"base_url", "base URL is required: credentials are only sent to it"})
	}
	errs = append(errs, c.validateAuth()...)
	errs = append(errs, c.validateEnvRefs()...)
	if _, isEnv := EnvRef(c.TLS.Key); !isEnv {
		errs = append(errs, c.TLS.problems()...)
	}
	if c.Timeout < 0 {
		errs = append(errs, FieldError{"timeout", "timeout cannot be negative"})
	}
	if c.TestPath != "" && baseURLProblem(c.BaseURL) == "" {
		if _, _, err := c.resolve(c.TestPath, nil); err != nil {
			errs = append(errs, FieldError{"test_path", err.(*Error).Reason})
		}
	}
	return errs
}

// hasCredentials reports whether the connection's auth type sends any.
func (c Connection) hasCredentials() bool {
	return c.Auth.Type != "" && c.Auth.Type != AuthNone
}

// baseURLProblem says what is wrong with a base URL, or "" when it is fine.
// An empty base URL is fine here (Validate asks for one when the connection
// has credentials): requests then carry absolute URLs.
func baseURLProblem(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !isAbsoluteURL(s) {
		return "base URL must start with http:// or https://"
	}
	if _, err := parseHTTPURL(s); err != nil {
		if strings.HasPrefix(err.Error(), "it ") {
			return "base URL " + strings.TrimPrefix(err.Error(), "it ")
		}
		return "base URL is not valid: " + err.Error()
	}
	return ""
}

// validateAuth checks the fields of the connection's auth type, which Send
// needs to be right before it can apply them.
func (c Connection) validateAuth() FieldErrors {
	a := c.Auth
	var errs FieldErrors
	switch a.Type {
	case "", AuthNone:
	case AuthBasic:
		if a.Username == "" {
			errs = append(errs, FieldError{"username", "username is required"})
		}
	case AuthHeader:
		errs = append(errs, validateRows("header", a.Headers, true)...)
	case AuthQuery:
		errs = append(errs, validateRows("query", a.Query, true)...)
	case AuthCustom:
		if a.Username == "" && !hasNamedRow(a.Headers) && !hasNamedRow(a.Query) {
			errs = append(errs, FieldError{"auth", "custom auth needs a username, a header or a query parameter"})
		}
		errs = append(errs, validateRows("header", a.Headers, false)...)
		errs = append(errs, validateRows("query", a.Query, false)...)
	case AuthAPIKey:
		if a.Key == "" {
			errs = append(errs, FieldError{"key", "key is required"})
		} else if !validHeaderValue(a.Key) {
			errs = append(errs, FieldError{"key", "key may not contain line breaks or control characters"})
		}
		if h := strings.TrimSpace(a.KeyHeader); h != "" && !isToken(h) {
			errs = append(errs, FieldError{"key_header", headerNameProblem(h)})
		}
		switch a.Scheme {
		case "", SchemeBearer, SchemeBasic, SchemeRaw:
		default:
			errs = append(errs, FieldError{"scheme", fmt.Sprintf("scheme must be %s, %s or %s", SchemeBearer, SchemeBasic, SchemeRaw)})
		}
	case AuthOAuth2Code, AuthOAuth2Client:
		errs = append(errs, validateOAuth2(a.Type, a.OAuth2)...)
	case AuthAzureCode, AuthAzureClient:
		errs = append(errs, c.validateAzure()...)
	case AuthAWSKey, AuthAWSRole:
		errs = append(errs, c.validateAWS()...)
	case AuthNTLM:
		errs = append(errs, a.validateNTLM()...)
	default:
		errs = append(errs, FieldError{"auth", fmt.Sprintf("unknown auth type %q", a.Type)})
	}
	return errs
}

// validateOAuth2 checks the OAuth2 block of an oauth2-code or oauth2-client
// connection; a missing block is an empty one. Field keys: authorize_url,
// token_url, refresh_url, client_id, client_secret, scopes, token_auth,
// token_header.N, authorize_param.N, callback_port, device_url.
func validateOAuth2(typ AuthType, o *OAuth2) FieldErrors {
	if o == nil {
		o = &OAuth2{}
	}
	var errs FieldErrors
	oauthURL := func(field, what, value string, required bool) {
		value = strings.TrimSpace(value)
		if value == "" {
			if required {
				errs = append(errs, FieldError{field, what + " is required"})
			}
			return
		}
		if !isAbsoluteURL(value) {
			errs = append(errs, FieldError{field, what + " must start with http:// or https://"})
			return
		}
		if _, err := parseHTTPURL(value); err != nil {
			if strings.HasPrefix(err.Error(), "it ") {
				errs = append(errs, FieldError{field, what + " " + strings.TrimPrefix(err.Error(), "it ")})
			} else {
				errs = append(errs, FieldError{field, what + " is not valid: " + err.Error()})
			}
		}
	}
	if typ == AuthOAuth2Code {
		oauthURL("authorize_url", "authorize URL", o.AuthorizeURL, true)
	}
	oauthURL("token_url", "token URL", o.TokenURL, true)
	if typ == AuthOAuth2Code {
		oauthURL("refresh_url", "refresh URL", o.RefreshURL, false)
		oauthURL("device_url", "device authorization URL", o.DeviceURL, false)
	}
	switch {
	case strings.TrimSpace(o.ClientID) == "":
		errs = append(errs, FieldError{"client_id", "client ID is required"})
	case !validHeaderValue(o.ClientID):
		errs = append(errs, FieldError{"client_id", "client ID may not contain line breaks or control characters"})
	}
	switch {
	case typ == AuthOAuth2Client && o.ClientSecret == "":
		errs = append(errs, FieldError{"client_secret", "client secret is required for client credentials"})
	case !validHeaderValue(o.ClientSecret):
		errs = append(errs, FieldError{"client_secret", "client secret may not contain line breaks or control characters"})
	}
	if !validHeaderValue(o.Scopes) {
		errs = append(errs, FieldError{"scopes", "scopes may not contain line breaks or control characters"})
	}
	switch o.TokenAuth {
	case "", TokenAuthBody, TokenAuthHeader:
	default:
		errs = append(errs, FieldError{"token_auth", fmt.Sprintf("token_auth must be %s (client id and secret in the request body) or %s (a Basic header)", TokenAuthBody, TokenAuthHeader)})
	}
	for i, row := range o.TokenHeaders {
		field := fmt.Sprintf("token_header.%d", i)
		switch {
		case row.Key == "" && row.Value == "":
		case row.Key == "":
			errs = append(errs, FieldError{field, "header needs a name"})
		case !isToken(row.Key):
			errs = append(errs, FieldError{field, headerNameProblem(row.Key)})
		case !validHeaderValue(row.Value):
			errs = append(errs, FieldError{field, "header value may not contain line breaks or control characters"})
		}
	}
	if typ == AuthOAuth2Code {
		for i, row := range o.AuthorizeParams {
			if row.Key == "" && row.Value != "" {
				errs = append(errs, FieldError{fmt.Sprintf("authorize_param.%d", i), "parameter needs a name"})
			}
		}
		if o.CallbackPort < 0 || o.CallbackPort > 65535 {
			errs = append(errs, FieldError{"callback_port", "callback port must be between 1 and 65535, or 0 for any free port"})
		}
	}
	return errs
}

// validateRows checks header or query rows (kind "header" or "query").
// Entirely blank rows are what an empty form line leaves behind, so they are
// skipped rather than reported; required asks for at least one named row.
func validateRows(kind string, rows []KV, required bool) FieldErrors {
	noun := map[string]string{"header": "header", "query": "parameter"}[kind]
	var errs FieldErrors
	for i, row := range rows {
		field := fmt.Sprintf("%s.%d", kind, i)
		switch {
		case row.Key == "" && row.Value == "":
		case row.Key == "":
			errs = append(errs, FieldError{field, noun + " needs a name"})
		case kind == "header" && !isToken(row.Key):
			errs = append(errs, FieldError{field, headerNameProblem(row.Key)})
		case kind == "header" && !validHeaderValue(row.Value):
			errs = append(errs, FieldError{field, "header value may not contain line breaks or control characters"})
		}
	}
	if required && len(errs) == 0 && !hasNamedRow(rows) {
		what := map[string]string{"header": "header auth needs at least one header", "query": "query auth needs at least one parameter"}[kind]
		errs = append(errs, FieldError{kind + ".0", what})
	}
	return errs
}

func hasNamedRow(rows []KV) bool {
	return slices.ContainsFunc(rows, func(kv KV) bool { return kv.Key != "" })
}

func headerNameProblem(name string) string {
	if strings.ContainsAny(name, " \t") {
		return fmt.Sprintf("header name %q may not contain spaces", name)
	}
	return fmt.Sprintf("header name %q may only contain letters, digits and !#$%%&'*+-.^_`|~", name)
}

// HasControl reports whether s holds a control character (C0, DEL, C1) or
// a bidi or other formatting character: a name or URL shown on a terminal
// with one of those would act on it rather than be read.
func HasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0
}
