package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"patchbay/connection"
)

// commonFields apply to every auth type.
var commonFields = []string{"timeout", "case_sensitive_headers", "test_path", "tls_cert", "tls_key", "tls_ca", "tls_insecure"}

// authFields are the --field keys of each auth type, in the order forms show
// them. header.NAME, query.NAME, token_header.NAME and authorize_param.NAME
// stand for any header or parameter name.
var authFields = map[connection.AuthType][]string{
	connection.AuthNone:   nil,
	connection.AuthBasic:  {"username", "password"},
	connection.AuthHeader: {"header.NAME"},
	connection.AuthQuery:  {"query.NAME"},
	connection.AuthCustom: {"username", "password", "header.NAME", "query.NAME"},
	connection.AuthAPIKey: {"key", "key_header", "scheme"},
	connection.AuthOAuth2Code: {"authorize_url", "token_url", "refresh_url", "client_id", "client_secret",
		"scopes", "token_auth", "callback_port", "device_url", "token_header.NAME", "authorize_param.NAME"},
	connection.AuthOAuth2Client: {"token_url", "client_id", "client_secret", "scopes", "token_auth", "token_header.NAME"},
	connection.AuthAzureCode: {"tenant", "azure_version", "client_id", "client_secret", "scopes", "resource",
		"token_auth", "callback_port", "authority_host", "authorize_param.NAME"},
	connection.AuthAzureClient: {"tenant", "azure_version", "client_id", "client_secret", "scopes", "resource",
		"token_auth", "authority_host"},
	connection.AuthAWSKey:  {"aws_service", "aws_region", "access_key_id", "secret_access_key", "session_token"},
	connection.AuthAWSRole: {"aws_service", "aws_region", "role_arn", "external_id", "aws_profile", "sts_endpoint"},
	connection.AuthNTLM:    {"domain", "username", "password", "conns_per_host", "max_conns"},
}

// rowPrefixes are the field keys that take a name after a dot and may be
// repeated: PREFIX.NAME=value adds one row.
var rowPrefixes = []string{"header", "query", "token_header", "authorize_param"}

// setFields applies --field key=value settings to conn and returns a
// message for each one that is wrong. rows holds the keys typed for the
// header and query rows, in order ("header" → ["header.X-Key", ...]), so
// that a problem with row N can name the flag it came from.
func setFields(conn *connection.Connection, fields []string) (rows map[string][]string, problems []string) {
	rows = map[string][]string{}
	bad := func(key, format string, args ...any) {
		problems = append(problems, "--field "+key+": "+fmt.Sprintf(format, args...))
	}
	allowed := append(slices.Clone(authFields[conn.Auth.Type]), commonFields...)
	// o is where the OAuth2 fields go; it is kept only for the OAuth2 types,
	// whose fields are the only ones that reach it.
	o := conn.Auth.OAuth2
	if o == nil {
		o = &connection.OAuth2{}
	}
	if conn.Auth.Type.IsOAuth2() {
		conn.Auth.OAuth2 = o
	}
	aws := conn.Auth.AWS
	if aws == nil {
		aws = &connection.AWS{}
	}
	if conn.Auth.Type.IsAWS() {
		conn.Auth.AWS = aws
	}
	seen := map[string]bool{}
	for _, f := range fields {
		key, value, ok := strings.Cut(f, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			problems = append(problems, fmt.Sprintf("--field %s: expected key=value", quote(f)))
			continue
		}
		prefix, name, isKV := strings.Cut(key, ".")
		if isKV && slices.Contains(rowPrefixes, prefix) {
			if !slices.Contains(allowed, prefix+".NAME") {
				bad(key, "not a field of %s auth — its fields are %s", conn.Auth.Type, strings.Join(allowed, ", "))
				continue
			}
			if name == "" {
				bad(key, "needs a name after %q, e.g. %s", prefix+".", rowExample[prefix])
				continue
			}
			kv := connection.KV{Key: name, Value: value}
			rows[prefix] = append(rows[prefix], key)
			switch prefix {
			case "header":
				conn.Auth.Headers = append(conn.Auth.Headers, kv)
			case "query":
				conn.Auth.Query = append(conn.Auth.Query, kv)
			case "token_header":
				o.TokenHeaders = append(o.TokenHeaders, kv)
			case "authorize_param":
				o.AuthorizeParams = append(o.AuthorizeParams, kv)
			}
			continue
		}
		if !slices.Contains(allowed, key) {
			bad(key, "not a field of %s auth — its fields are %s", conn.Auth.Type, strings.Join(allowed, ", "))
			continue
		}
		if seen[key] {
			bad(key, "given twice")
			continue
		}
		seen[key] = true
		switch key {
		case "username":
			conn.Auth.Username = value
		case "password":
			conn.Auth.Password = value
		case "key":
			conn.Auth.Key = value
		case "key_header":
			conn.Auth.KeyHeader = strings.TrimSpace(value)
		case "scheme":
			conn.Auth.Scheme = connection.APIKeyScheme(strings.ToLower(strings.TrimSpace(value)))
		case "authorize_url":
			o.AuthorizeURL = strings.TrimSpace(value)
		case "token_url":
			o.TokenURL = strings.TrimSpace(value)
		case "refresh_url":
			o.RefreshURL = strings.TrimSpace(value)
		case "device_url":
			o.DeviceURL = strings.TrimSpace(value)
		case "client_id":
			o.ClientID = strings.TrimSpace(value)
		case "client_secret":
			o.ClientSecret = value
		case "scopes":
			o.Scopes = strings.Join(strings.Fields(value), " ")
		case "token_auth":
			switch ta := connection.TokenAuth(strings.ToLower(strings.TrimSpace(value))); ta {
			case connection.TokenAuthBody, connection.TokenAuthHeader:
				o.TokenAuth = ta
			default:
				bad(key, "expected body (client id and secret in the request body) or header (HTTP Basic), not %s", quote(value))
			}
		case "tenant":
			o.Tenant = strings.TrimSpace(value)
		case "azure_version":
			o.AzureVersion = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(value)), "v")
		case "authority_host":
			o.AuthorityHost = strings.TrimRight(strings.TrimSpace(value), "/")
		case "resource":
			o.Resource = strings.TrimSpace(value)
		case "callback_port":
			port, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || port < 1 || port > 65535 {
				bad(key, "expected a port number from 1 to 65535, not %s", quote(value))
				continue
			}
			o.CallbackPort = port
		case "aws_service":
			aws.Service = strings.ToLower(strings.TrimSpace(value))
		case "aws_region":
			aws.Region = strings.ToLower(strings.TrimSpace(value))
		case "access_key_id":
			aws.AccessKeyID = strings.TrimSpace(value)
		case "secret_access_key":
			aws.SecretAccessKey = strings.TrimSpace(value)
		case "session_token":
			aws.SessionToken = strings.TrimSpace(value)
		case "role_arn":
			aws.RoleARN = strings.TrimSpace(value)
		case "external_id":
			aws.ExternalID = strings.TrimSpace(value)
		case "aws_profile":
			aws.Profile = strings.TrimSpace(value)
		case "sts_endpoint":
			aws.STSEndpoint = strings.TrimSpace(value)
		case "domain":
			conn.Auth.Domain = strings.TrimSpace(value)
		case "conns_per_host", "max_conns":
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 1 {
				bad(key, "expected a positive number, not %s", quote(value))
				continue
			}
			if key == "conns_per_host" {
				conn.Auth.ConnsPerHost = n
			} else {
				conn.Auth.MaxConns = n
			}
		case "tls_cert":
			conn.TLS.Cert = strings.TrimSpace(value)
		case "tls_key":
			conn.TLS.Key = strings.TrimSpace(value)
		case "tls_ca":
			conn.TLS.CA = strings.TrimSpace(value)
		case "tls_insecure":
			b, err := strconv.ParseBool(strings.TrimSpace(value))
			if err != nil {
				bad(key, "expected true or false, not %s", quote(value))
				continue
			}
			conn.TLS.Insecure = b
		case "test_path":
			conn.TestPath = strings.TrimSpace(value)
		case "case_sensitive_headers":
			b, err := strconv.ParseBool(strings.TrimSpace(value))
			if err != nil {
				bad(key, "expected true or false, not %s", quote(value))
				continue
			}
			conn.CaseSensitiveHeaders = b
		case "timeout":
			d, err := time.ParseDuration(strings.TrimSpace(value))
			if err != nil || d <= 0 {
				bad(key, "expected a duration like 10s or 1m30s, not %s", quote(value))
				continue
			}
			conn.Timeout = d
		}
	}
	return rows, problems
}

// rowExample shows a row field of each prefix, for messages.
var rowExample = map[string]string{
	"header":          "header.X-API-Key=VALUE",
	"query":           "query.api_key=VALUE",
	"token_header":    "token_header.X-Tenant=VALUE",
	"authorize_param": "authorize_param.audience=VALUE",
}

// connectionFlag names the flag a connection.FieldError's field came from.
// Header and query rows are keyed by position (header.0); rows maps them
// back to what was typed.
func connectionFlag(field string, t connection.AuthType, rows map[string][]string) string {
	switch field {
	case "name":
		return "connection name"
	case "base_url":
		return "--base-url"
	case "auth":
		return "--auth " + string(t)
	}
	if kind, n, ok := strings.Cut(field, "."); ok && slices.Contains(rowPrefixes, kind) {
		i, err := strconv.Atoi(n)
		if err == nil && i >= 0 && i < len(rows[kind]) {
			return "--field " + rows[kind][i]
		}
		return "--field " + kind + ".NAME"
	}
	return "--field " + field
}
