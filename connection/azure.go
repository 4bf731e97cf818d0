package connection

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"
)

// Azure auth types: OAuth2 against the Microsoft identity platform (Entra
// ID). They are OAuth2 connections whose endpoints are derived from a
// tenant, an endpoint version and an authority host, so the OAuth2
// transport, the token lifecycle and Authorize serve them unchanged.
const (
	AuthAzureCode   AuthType = "azure-code"   // authorization code with PKCE
	AuthAzureClient AuthType = "azure-client" // client credentials
)

// DefaultAzureAuthority is the authority host of Azure's public cloud.
// Sovereign clouds have their own (https://login.microsoftonline.us,
// https://login.chinacloudapi.cn), and tests point it at a local server.
const DefaultAzureAuthority = "https://login.microsoftonline.com"

// Azure endpoint versions. The 2.0 endpoint takes scopes; the 1.0 endpoint
// takes the resource (the API's App ID URI) instead.
const (
	AzureV2 = "2.0"
	AzureV1 = "1.0"
)

// AzureTenantCommon is the tenant of a sign-in with any work, school or
// personal account; the code flow uses it when no tenant is given.
const AzureTenantCommon = "common"

// azureMultiTenant are the tenants that name no tenant: they serve
// sign-ins, never client credentials.
var azureMultiTenant = []string{"common", "organizations", "consumers"}

// AzureScopeExample is the usual scope of the 2.0 endpoint, for a form's
// placeholder: the Microsoft Graph API with the permissions granted to the
// application.
const AzureScopeExample = "https://graph.microsoft.com/.default"

// IsAzure reports whether t is one of the Azure auth types.
func (t AuthType) IsAzure() bool {
	return t == AuthAzureCode || t == AuthAzureClient
}

// IsClientCredentials reports whether t gets its tokens with the client
// credentials grant (oauth2-client, azure-client): nobody signs in, a
// token is simply fetched again.
func (t AuthType) IsClientCredentials() bool {
	return t == AuthOAuth2Client || t == AuthAzureClient
}

// IsAuthorizationCode reports whether t gets its tokens with the
// authorization code flow (oauth2-code, azure-code): a user signs in with
// Authorize, and the token is refreshed.
func (t AuthType) IsAuthorizationCode() bool {
	return t == AuthOAuth2Code || t == AuthAzureCode
}

// AzureEndpoints returns the authorize and token URLs of the Microsoft
// identity platform at authority (DefaultAzureAuthority when empty) for
// tenant (AzureTenantCommon when empty) and version (AzureV2 when empty):
//
//	2.0: AUTHORITY/TENANT/oauth2/v2.0/authorize and …/oauth2/v2.0/token
//	1.0: AUTHORITY/TENANT/oauth2/authorize and …/oauth2/token
func AzureEndpoints(authority, tenant, version string) (authorizeURL, tokenURL string) {
	authority = strings.TrimRight(strings.TrimSpace(authority), "/")
	if authority == "" {
		authority = DefaultAzureAuthority
	}
	tenant = strings.TrimSpace(tenant)
	if tenant == "" {
		tenant = AzureTenantCommon
	}
	base := authority + "/" + url.PathEscape(tenant) + "/oauth2"
	if strings.TrimSpace(version) != AzureV1 {
		base += "/v2.0"
	}
	return base + "/authorize", base + "/token"
}

// EffectiveOAuth2 returns the OAuth2 settings of the connection as its
// token requests use them. For the Azure types:
//   - an empty authorize or token URL is derived by AzureEndpoints;
//   - version 1.0: an empty resource is the base URL's scheme://host; for
//     azure-code it is added to the authorize parameters (unless one is
//     there already);
//   - version 2.0: empty scopes are the base URL's scheme://host + "/.default"
//     (all the permissions granted to the application on that API, e.g.
//     https://graph.microsoft.com/.default), and for azure-code also
//     offline_access, without which Azure issues no refresh token.
//
// Other types get their block as it is. A missing block is an empty one.
// The result shares nothing with c.
func (c Connection) EffectiveOAuth2() OAuth2 {
	var o OAuth2
	if c.Auth.OAuth2 != nil {
		o = *c.Clone().Auth.OAuth2
	}
	if !c.Auth.Type.IsAzure() {
		return o
	}
	authorize, token := AzureEndpoints(o.AuthorityHost, o.Tenant, o.AzureVersion)
	if strings.TrimSpace(o.AuthorizeURL) == "" {
		o.AuthorizeURL = authorize
	}
	if strings.TrimSpace(o.TokenURL) == "" {
		o.TokenURL = token
	}
	origin := baseOrigin(c.BaseURL)
	if strings.TrimSpace(o.AzureVersion) == AzureV1 {
		if strings.TrimSpace(o.Resource) == "" {
			o.Resource = origin
		}
		o.Resource = strings.TrimSpace(o.Resource)
		if c.Auth.Type == AuthAzureCode && o.Resource != "" && !slices.ContainsFunc(o.AuthorizeParams, func(kv KV) bool { return kv.Key == "resource" }) {
			o.AuthorizeParams = append(o.AuthorizeParams, KV{Key: "resource", Value: o.Resource})
		}
		return o
	}
	o.Resource = "" // the 2.0 endpoint has no resource parameter
	if strings.TrimSpace(o.Scopes) == "" && origin != "" {
		o.Scopes = origin + "/.default"
		if c.Auth.Type == AuthAzureCode {
			o.Scopes += " offline_access"
		}
	}
	return o
}

// withEffectiveOAuth2 returns c with its OAuth2 block replaced by
// EffectiveOAuth2, for the code that sends token requests. Only the Azure
// types change.
func (c Connection) withEffectiveOAuth2() Connection {
	if !c.Auth.Type.IsAzure() {
		return c
	}
	o := c.EffectiveOAuth2()
	c.Auth.OAuth2 = &o
	return c
}

// tokenParams are the extra parameters of the block's token requests:
// resource, for Azure's 1.0 endpoint (set by EffectiveOAuth2 only).
func (o *OAuth2) tokenParams() url.Values {
	if o == nil || o.Resource == "" {
		return nil
	}
	return url.Values{"resource": {o.Resource}}
}

// exchangeOptions are the options of the code exchange: the PKCE verifier
// and the token parameters.
func (o *OAuth2) exchangeOptions(verifier string) []oauth2.AuthCodeOption {
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	for k, vs := range o.tokenParams() {
		opts = append(opts, oauth2.SetAuthURLParam(k, vs[0]))
	}
	return opts
}

// baseOrigin is scheme://host of a base URL, or "" when it has none.
func baseOrigin(base string) string {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// validateAzure checks the OAuth2 block of an azure-code or azure-client
// connection: its Azure fields (tenant, azure_version, authority_host,
// resource), then the OAuth2 fields as the matching oauth2 type checks
// them, with the derived URLs. Field keys as validateOAuth2's.
func (c Connection) validateAzure() FieldErrors {
	raw := c.Auth.OAuth2
	if raw == nil {
		raw = &OAuth2{}
	}
	client := c.Auth.Type == AuthAzureClient
	var errs FieldErrors

	tenant := strings.TrimSpace(raw.Tenant)
	switch {
	case tenant == "" && client:
		errs = append(errs, FieldError{"tenant", "tenant is required for client credentials: your directory's tenant ID (a GUID) or domain, e.g. contoso.onmicrosoft.com"})
	case client && slices.Contains(azureMultiTenant, strings.ToLower(tenant)):
		errs = append(errs, FieldError{"tenant", fmt.Sprintf("tenant %q only serves sign-ins; client credentials need your directory's tenant ID (a GUID) or domain, e.g. contoso.onmicrosoft.com", tenant)})
	case tenant != "" && !validTenant(tenant):
		errs = append(errs, FieldError{"tenant", "tenant must be a tenant ID (a GUID), a domain such as contoso.onmicrosoft.com, or common, organizations or consumers"})
	}

	v1 := false
	switch strings.TrimSpace(raw.AzureVersion) {
	case "", AzureV2:
	case AzureV1:
		v1 = true
	default:
		errs = append(errs, FieldError{"azure_version", fmt.Sprintf("azure_version must be %s (the default) or %s", AzureV2, AzureV1)})
	}

	if a := strings.TrimSpace(raw.AuthorityHost); a != "" {
		u, err := url.Parse(a)
		switch {
		case !isAbsoluteURL(a):
			errs = append(errs, FieldError{"authority_host", "authority host must start with https:// (or http://), e.g. " + DefaultAzureAuthority})
		case err != nil || u.Host == "":
			errs = append(errs, FieldError{"authority_host", "authority host is not a valid URL, e.g. " + DefaultAzureAuthority})
		case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
			errs = append(errs, FieldError{"authority_host", "authority host must be a plain URL without a query, fragment or user, e.g. " + DefaultAzureAuthority})
		}
	}

	switch {
	case v1 && strings.TrimSpace(raw.Scopes) != "":
		errs = append(errs, FieldError{"scopes", "the 1.0 endpoint takes a resource, not scopes — set resource instead, or use azure_version 2.0"})
	case !v1 && strings.TrimSpace(raw.Resource) != "":
		errs = append(errs, FieldError{"resource", "resource is for azure_version 1.0; the 2.0 endpoint takes scopes such as RESOURCE/.default (e.g. " + AzureScopeExample + ")"})
	case v1 && !validHeaderValue(raw.Resource):
		errs = append(errs, FieldError{"resource", "resource may not contain line breaks or control characters"})
	}

	// The OAuth2 fields, with the URLs as they will be used; a problem of a
	// derived URL is one of the fields above, reported there.
	typ := AuthOAuth2Code
	if client {
		typ = AuthOAuth2Client
	}
	eff := c.EffectiveOAuth2()
	derived := map[string]bool{
		"authorize_url": strings.TrimSpace(raw.AuthorizeURL) == "",
		"token_url":     strings.TrimSpace(raw.TokenURL) == "",
	}
	for _, e := range validateOAuth2(typ, &eff) {
		if !derived[e.Field] {
			errs = append(errs, e)
		}
	}
	return errs
}

// validTenant reports whether s can be a tenant in an Azure URL: a GUID, a
// domain, or one of the multi-tenant words — letters, digits, dots and
// hyphens.
func validTenant(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return s != "" && s[0] != '.' && s[len(s)-1] != '.'
}
