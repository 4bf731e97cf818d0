package connection

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"patchbay/connection/oauthtest"
)

func TestAzureEndpoints(t *testing.T) {
	const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	for _, tc := range []struct {
		authority, tenant, version string
		authorize, token           string
	}{
		{"", "", "", "https://login.microsoftonline.com/common/oauth2/v2.0/authorize", "https://login.microsoftonline.com/common/oauth2/v2.0/token"},
		{"", "common", "2.0", "https://login.microsoftonline.com/common/oauth2/v2.0/authorize", "https://login.microsoftonline.com/common/oauth2/v2.0/token"},
		{"", "", "1.0", "https://login.microsoftonline.com/common/oauth2/authorize", "https://login.microsoftonline.com/common/oauth2/token"},
		{"", tenant, "2.0", "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/authorize", "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token"},
		{"", tenant, "1.0", "https://login.microsoftonline.com/" + tenant + "/oauth2/authorize", "https://login.microsoftonline.com/" + tenant + "/oauth2/token"},
		{"https://login.microsoftonline.us", "common", "", "https://login.microsoftonline.us/common/oauth2/v2.0/authorize", "https://login.microsoftonline.us/common/oauth2/v2.0/token"},
		{"https://login.microsoftonline.us/", "", "1.0", "https://login.microsoftonline.us/common/oauth2/authorize", "https://login.microsoftonline.us/common/oauth2/token"},
		{"https://login.chinacloudapi.cn", "contoso.onmicrosoft.com", "2.0", "https://login.chinacloudapi.cn/contoso.onmicrosoft.com/oauth2/v2.0/authorize", "https://login.chinacloudapi.cn/contoso.onmicrosoft.com/oauth2/v2.0/token"},
		{"http://127.0.0.1:8080/", tenant, "1.0", "http://127.0.0.1:8080/" + tenant + "/oauth2/authorize", "http://127.0.0.1:8080/" + tenant + "/oauth2/token"},
	} {
		a, tok := AzureEndpoints(tc.authority, tc.tenant, tc.version)
		if a != tc.authorize || tok != tc.token {
			t.Errorf("AzureEndpoints(%q, %q, %q) =\n %s\n %s\nwant\n %s\n %s", tc.authority, tc.tenant, tc.version, a, tok, tc.authorize, tc.token)
		}
	}
}

func TestEffectiveOAuth2(t *testing.T) {
	conn := func(typ AuthType, o OAuth2) Connection {
		return Connection{Name: "graph", BaseURL: "https://graph.microsoft.com/v1.0", Auth: Auth{Type: typ, OAuth2: &o}}
	}
	for _, tc := range []struct {
		name string
		conn Connection
		want OAuth2
	}{
		{"client v2: scopes from the base URL", conn(AuthAzureClient, OAuth2{Tenant: "t1", ClientID: "c"}), OAuth2{
			Tenant: "t1", ClientID: "c", Scopes: "https://graph.microsoft.com/.default",
			AuthorizeURL: "https://login.microsoftonline.com/t1/oauth2/v2.0/authorize",
			TokenURL:     "https://login.microsoftonline.com/t1/oauth2/v2.0/token",
		}},
		{"code v2: offline_access too", conn(AuthAzureCode, OAuth2{ClientID: "c"}), OAuth2{
			ClientID: "c", Scopes: "https://graph.microsoft.com/.default offline_access",
			AuthorizeURL: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
			TokenURL:     "https://login.microsoftonline.com/common/oauth2/v2.0/token",
		}},
		{"v2: scopes given, resource dropped", conn(AuthAzureClient, OAuth2{Tenant: "t1", Scopes: "api://x/.default", Resource: "api://x"}), OAuth2{
			Tenant: "t1", Scopes: "api://x/.default",
			AuthorizeURL: "https://login.microsoftonline.com/t1/oauth2/v2.0/authorize",
			TokenURL:     "https://login.microsoftonline.com/t1/oauth2/v2.0/token",
		}},
		{"code v1: resource from the base URL, in the authorize parameters", conn(AuthAzureCode, OAuth2{AzureVersion: "1.0", AuthorizeParams: []KV{{"prompt", "login"}}}), OAuth2{
			AzureVersion: "1.0", Resource: "https://graph.microsoft.com",
			AuthorizeURL:    "https://login.microsoftonline.com/common/oauth2/authorize",
			TokenURL:        "https://login.microsoftonline.com/common/oauth2/token",
			AuthorizeParams: []KV{{"prompt", "login"}, {"resource", "https://graph.microsoft.com"}},
		}},
		{"client v1: resource given, URLs given", conn(AuthAzureClient, OAuth2{AzureVersion: "1.0", Resource: " api://x ", AuthorityHost: "https://login.microsoftonline.us", TokenURL: "https://proxy.example/token"}), OAuth2{
			AzureVersion: "1.0", Resource: "api://x", AuthorityHost: "https://login.microsoftonline.us",
			AuthorizeURL: "https://login.microsoftonline.us/common/oauth2/authorize",
			TokenURL:     "https://proxy.example/token",
		}},
		{"not Azure: unchanged", conn(AuthOAuth2Client, OAuth2{TokenURL: "https://x.example/token", Resource: "r"}), OAuth2{TokenURL: "https://x.example/token", Resource: "r"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := json.Marshal(tc.conn)
			got := tc.conn.EffectiveOAuth2()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if after, _ := json.Marshal(tc.conn); string(after) != string(before) {
				t.Errorf("EffectiveOAuth2 changed the connection:\n%s\n%s", before, after)
			}
		})
	}
}

func TestValidateAzure(t *testing.T) {
	base := func(typ AuthType, o OAuth2) Connection {
		if o.ClientID == "" {
			o.ClientID = "app"
		}
		if o.ClientSecret == "" && typ == AuthAzureClient {
			o.ClientSecret = "s"
		}
		return Connection{Name: "az", BaseURL: "https://graph.microsoft.com", Auth: Auth{Type: typ, OAuth2: &o}}
	}
	for _, tc := range []struct {
		name  string
		conn  Connection
		field string // "" when valid
		msg   string
	}{
		{"code, no tenant", base(AuthAzureCode, OAuth2{}), "", ""},
		{"code, organizations", base(AuthAzureCode, OAuth2{Tenant: "organizations", AzureVersion: "1.0"}), "", ""},
		{"client, tenant id", base(AuthAzureClient, OAuth2{Tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47"}), "", ""},
		{"client, v1 with resource", base(AuthAzureClient, OAuth2{Tenant: "contoso.onmicrosoft.com", AzureVersion: "1.0", Resource: "api://x"}), "", ""},
		{"client, authority overridden", base(AuthAzureClient, OAuth2{Tenant: "t", AuthorityHost: "http://127.0.0.1:9/"}), "", ""},
		{"client, no tenant", base(AuthAzureClient, OAuth2{}), "tenant", "tenant is required for client credentials"},
		{"client, common", base(AuthAzureClient, OAuth2{Tenant: "common"}), "tenant", `tenant "common" only serves sign-ins`},
		{"client, Consumers", base(AuthAzureClient, OAuth2{Tenant: "Consumers"}), "tenant", "client credentials need your directory's tenant ID"},
		{"tenant with a slash", base(AuthAzureCode, OAuth2{Tenant: "a/b"}), "tenant", "tenant must be a tenant ID"},
		{"version 3", base(AuthAzureCode, OAuth2{AzureVersion: "3"}), "azure_version", "azure_version must be 2.0 (the default) or 1.0"},
		{"authority not a URL", base(AuthAzureCode, OAuth2{AuthorityHost: "login.microsoftonline.us"}), "authority_host", "must start with https://"},
		{"authority with a query", base(AuthAzureCode, OAuth2{AuthorityHost: "https://login.example?x=1"}), "authority_host", "without a query"},
		{"v1 with scopes", base(AuthAzureCode, OAuth2{AzureVersion: "1.0", Scopes: "User.Read"}), "scopes", "the 1.0 endpoint takes a resource, not scopes"},
		{"v2 with resource", base(AuthAzureClient, OAuth2{Tenant: "t", Resource: "api://x"}), "resource", "resource is for azure_version 1.0"},
		{"client without secret", base(AuthAzureClient, OAuth2{Tenant: "t", ClientSecret: "env:"}), "client_secret", "env: needs the name"},
		{"no client id", base(AuthAzureCode, OAuth2{ClientID: " "}), "client_id", "client ID is required"},
		{"bad token_auth", base(AuthAzureCode, OAuth2{TokenAuth: "cookie"}), "token_auth", "token_auth must be body"},
		{"bad explicit token URL", base(AuthAzureCode, OAuth2{TokenURL: "ftp://x"}), "token_url", "token URL must start with http"},
		{"no base URL", Connection{Name: "az", Auth: Auth{Type: AuthAzureClient, OAuth2: &OAuth2{Tenant: "t", ClientID: "a", ClientSecret: "s"}}}, "base_url", "base URL is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.conn.Validate()
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("Validate: %v", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs.For(tc.field), tc.msg) {
				t.Errorf("Validate = %v, want one error on %s containing %q", errs, tc.field, tc.msg)
			}
		})
	}
	// A missing secret of a client: the OAuth2 check's message.
	c := base(AuthAzureClient, OAuth2{Tenant: "t"})
	c.Auth.OAuth2.ClientSecret = ""
	if msg := c.Validate().For("client_secret"); msg != "client secret is required for client credentials" {
		t.Errorf("no client secret: %q", msg)
	}
}

func TestAzureTypes(t *testing.T) {
	for _, tc := range []struct {
		typ          AuthType
		title        string
		code, client bool
	}{
		{AuthAzureCode, "Azure OAuth2 code", true, false},
		{AuthAzureClient, "Azure client credentials", false, true},
		{AuthOAuth2Code, "OAuth2 authorization code", true, false},
		{AuthOAuth2Client, "OAuth2 client credentials", false, true},
		{AuthAPIKey, "API key", false, false},
	} {
		if tc.typ.Title() != tc.title || tc.typ.IsAuthorizationCode() != tc.code || tc.typ.IsClientCredentials() != tc.client ||
			tc.typ.IsOAuth2() != (tc.code || tc.client) || tc.typ.IsAzure() != strings.HasPrefix(string(tc.typ), "azure-") {
			t.Errorf("%s: title %q, code %v, client %v, OAuth2 %v, Azure %v", tc.typ, tc.typ.Title(), tc.typ.IsAuthorizationCode(),
				tc.typ.IsClientCredentials(), tc.typ.IsOAuth2(), tc.typ.IsAzure())
		}
	}
	i := slices.Index(AuthTypes, AuthOAuth2Code)
	if i < 0 || i+4 > len(AuthTypes) || !slices.Equal(AuthTypes[i:i+4], []AuthType{AuthOAuth2Code, AuthOAuth2Client, AuthAzureCode, AuthAzureClient}) {
		t.Errorf("AuthTypes = %v, want the Azure types after the OAuth2 ones", AuthTypes)
	}
}

// azureServer is the test authorization server (oauthtest) mounted the
// way the Microsoft identity platform lays out its endpoints:
// /{tenant}/oauth2/v2.0/{authorize,token} and /{tenant}/oauth2/{authorize,token}.
// It records each token request's path and form; /api checks the bearer.
type azureServer struct{ *oauthtest.Server }

func newAzureServer(t *testing.T) azureServer {
	t.Helper()
	return azureServer{oauthtest.New(t, oauthtest.Options{
		Prefixes: []string{"/{tenant}/oauth2/v2.0", "/{tenant}/oauth2"},
		Echo:     []string{"client", "scope", "authorization"},
	})}
}

// conn is an Azure connection whose authority and API are az.
func (az azureServer) conn(typ AuthType, tokens TokenStore, o OAuth2) Connection {
	o.AuthorityHost = az.URL
	o.ClientID = testClientID
	o.ClientSecret = testClientSecret
	return Connection{ID: nextConnID(), Name: "Graph", BaseURL: az.URL, TestPath: "/api", Tokens: tokens, Auth: Auth{Type: typ, OAuth2: &o}}
}

func TestAzureClientCredentials(t *testing.T) {
	const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	for _, tc := range []struct {
		name      string
		o         OAuth2
		path      string
		scope     string // the token request's, "" for none
		resource  string // the token request's, "" for none
		basicAuth bool
	}{
		{"v2.0", OAuth2{Tenant: tenant}, "/" + tenant + "/oauth2/v2.0/token", "{base}/.default", "", false},
		{"v2.0 scopes given, Basic", OAuth2{Tenant: "contoso.onmicrosoft.com", Scopes: "api://patchbay/.default", TokenAuth: TokenAuthHeader},
			"/contoso.onmicrosoft.com/oauth2/v2.0/token", "api://patchbay/.default", "", true},
		{"v1.0 default resource", OAuth2{Tenant: tenant, AzureVersion: AzureV1}, "/" + tenant + "/oauth2/token", "", "{base}", false},
		{"v1.0 resource given", OAuth2{Tenant: tenant, AzureVersion: AzureV1, Resource: "api://patchbay"}, "/" + tenant + "/oauth2/token", "", "api://patchbay", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			az := newAzureServer(t)
			tokens := newMemTokens()
			conn := az.conn(AuthAzureClient, tokens, tc.o)
			if errs := conn.Validate(); len(errs) > 0 {
				t.Fatalf("Validate: %v", errs)
			}
			for range 2 {
				resp := mustSend(t, conn, Request{URL: "/api"})
				if resp.Status != http.StatusOK {
					t.Fatalf("/api: %s %s", resp.StatusText, resp.Body)
				}
				var seen map[string]string
				if err := json.Unmarshal(resp.Body, &seen); err != nil {
					t.Fatal(err)
				}
				tok := tokens.get(conn.ID)
				if seen["client"] != testClientID || tok.AccessToken == "" || seen["authorization"] != "Bearer "+tok.AccessToken {
					t.Errorf("/api saw %v; the stored token is %+v", seen, tok)
				}
				if v, _ := HeaderValue(resp.Request.Headers, "Authorization"); v != Redacted {
					t.Errorf("Authorization as sent = %q, want it redacted", v)
				}
			}

			reqs := az.TokenRequests()
			if len(reqs) != 1 {
				t.Fatalf("%d token requests, want 1 (the token reused)", len(reqs))
			}
			r := reqs[0]
			expand := func(s string) string { return strings.ReplaceAll(s, "{base}", az.URL) }
			if r.Path != tc.path || r.Form.Get("grant_type") != "client_credentials" {
				t.Errorf("token request to %s with %v, want %s", r.Path, r.Form, tc.path)
			}
			if got, ok := r.Form["scope"]; expand(tc.scope) != strings.Join(got, " ") || (tc.scope == "") == ok {
				t.Errorf("scope = %q (sent %v), want %q", got, ok, expand(tc.scope))
			}
			if got, ok := r.Form["resource"]; expand(tc.resource) != strings.Join(got, " ") || (tc.resource == "") == ok {
				t.Errorf("resource = %q (sent %v), want %q", got, ok, expand(tc.resource))
			}
			if (r.Form.Get("client_secret") == "") != tc.basicAuth {
				t.Errorf("client secret in the body: %v, want Basic %v", r.Form.Has("client_secret"), tc.basicAuth)
			}

			// Test and CurrentToken take the same way.
			if v := Test(t.Context(), conn); !v.OK {
				t.Errorf("Test: %s", v.Reason)
			}
			tokens.expire(conn.ID)
			if tok, err := CurrentToken(t.Context(), conn); err != nil || tok.AccessToken == "" {
				t.Errorf("CurrentToken after expiry: %+v, %v", tok, err)
			}
			if n := len(az.TokenRequests()); n != 2 {
				t.Errorf("%d token requests after the expiry, want 2", n)
			}
		})
	}
}

// A wrong secret is the connection's fault, in the OAuth2 words, redacted.
func TestAzureClientCredentialsWrongSecret(t *testing.T) {
	az := newAzureServer(t)
	conn := az.conn(AuthAzureClient, newMemTokens(), OAuth2{Tenant: "contoso.onmicrosoft.com"})
	conn.Auth.OAuth2.ClientSecret = "not-the-secret-Zq81"
	e := sendError(t, t.Context(), conn, Request{URL: "/api"})
	if e.Kind != KindInvalid || !strings.Contains(e.Reason, "rejected its client ID or secret") || strings.Contains(e.Error(), "not-the-secret-Zq81") {
		t.Errorf("error %v (%s)", e, e.Kind)
	}
}

// The code flow with PKCE against the tenant's endpoints; 1.0 sends the
// resource with the authorize request and the code exchange.
func TestAzureCodeFlow(t *testing.T) {
	for _, tc := range []struct {
		version, path, scope, resource string
	}{
		{AzureV2, "/organizations/oauth2/v2.0/", "{base}/.default offline_access", ""},
		{AzureV1, "/organizations/oauth2/", "", "{base}"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			az := newAzureServer(t)
			expand := func(s string) string { return strings.ReplaceAll(s, "{base}", az.URL) }
			tokens := newMemTokens()
			conn := az.conn(AuthAzureCode, tokens, OAuth2{Tenant: "organizations", AzureVersion: tc.version})
			b := newBrowser()
			var shown string
			tok, err := authorizeVia(t, conn, b, AuthorizeOptions{ShowURL: func(a, _ string) { shown = a }})
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if page := <-b.done; page.status != http.StatusOK {
				t.Errorf("browser: %d %s %v", page.status, page.body, page.err)
			}
			au, _ := url.Parse(shown)
			q := au.Query()
			if au.Path != tc.path+"authorize" || q.Get("code_challenge_method") != "S256" || q.Get("scope") != expand(tc.scope) || q.Get("resource") != expand(tc.resource) {
				t.Errorf("authorize URL %s", shown)
			}
			reqs := az.TokenRequests()
			if len(reqs) != 1 {
				t.Fatalf("%d token requests", len(reqs))
			}
			f := reqs[0].Form
			if reqs[0].Path != tc.path+"token" || f.Get("grant_type") != "authorization_code" || f.Get("code_verifier") == "" || f.Get("resource") != expand(tc.resource) {
				t.Errorf("exchange at %s with %v", reqs[0].Path, f)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" {
				t.Fatalf("token %+v", tok)
			}
			resp := mustSend(t, conn, Request{URL: "/api"})
			if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), "Bearer "+tok.AccessToken) {
				t.Errorf("/api: %s %s", resp.StatusText, resp.Body)
			}

			// Expired: refreshed at the tenant's token endpoint.
			tokens.expire(conn.ID)
			if resp := mustSend(t, conn, Request{URL: "/api"}); resp.Status != http.StatusOK {
				t.Errorf("/api after expiry: %s %s", resp.StatusText, resp.Body)
			}
			reqs = az.TokenRequests()
			if len(reqs) != 2 || reqs[1].Path != tc.path+"token" || reqs[1].Form.Get("grant_type") != "refresh_token" {
				t.Errorf("token requests %+v, want a refresh at %stoken", reqs, tc.path)
			}
		})
	}
}
