package connection

import (
	"fmt"
	"slices"
	"strings"
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
	if strings.TrimSpace(c.Name) == "" {
		errs = append(errs, FieldError{"name", "name is required"})
	}
	if msg := baseURLProblem(c.BaseURL); msg != "" {
		errs = append(errs, FieldError{"base_url", msg})
	} else if strings.TrimSpace(c.BaseURL) == "" && c.hasCredentials() {
		errs = append(errs, FieldError{"base_url", "base URL is required: credentials are only sent to it"})
	}
	errs = append(errs, c.validateAuth()...)
	errs = append(errs, c.validateEnvRefs()...)
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
	default:
		errs = append(errs, FieldError{"auth", fmt.Sprintf("unknown auth type %q", a.Type)})
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
