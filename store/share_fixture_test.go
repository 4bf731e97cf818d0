package store

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
	"patchbay/wizard"
)

// Every secret planted by shareFixture holds shareSecret, so that one search
// of an export's bytes finds any of them.
const shareSecret = "SEKRIT"

// shareEnv is the variable the fixture's env: references name, and
// shareEnvValue what the tests set it to: it must reach no database.
const (
	shareEnv      = "PB_SHARE_ENV"
	shareEnvValue = "SEKRIT-from-the-environment"
)

const testPEMKey = "-----BEGIN PRIVATE KEY-----\nSEKRIT-pem-key-body\n-----END PRIVATE KEY-----\n"

// shareConnections is one connection of every auth type, each with all its
// settings and secrets, some of them env: references.
func shareConnections(binURL string) []connection.Connection {
	return []connection.Connection{
		{Name: "bin", BaseURL: binURL, Auth: connection.Auth{Type: connection.AuthNone},
			Timeout: 5 * time.Second, CaseSensitiveHeaders: true, TestPath: "/get"},
		{Name: "basic", BaseURL: binURL, Auth: connection.Auth{Type: connection.AuthBasic, Username: "alice", Password: "SEKRIT-basic-pw"}},
		{Name: "header", BaseURL: binURL, Auth: connection.Auth{Type: connection.AuthHeader, Headers: []connection.KV{
			{Key: "X-Api-Key", Value: "SEKRIT-header-val"}, {Key: "X-Env-Key", Value: "env:" + shareEnv}}}},
		{Name: "query", BaseURL: "https://api.example.com/v1", Auth: connection.Auth{Type: connection.AuthQuery, Query: []connection.KV{
			{Key: "api_key", Value: "SEKRIT-query-val"}}}},
		{Name: "custom", BaseURL: "https://api.example.com", Auth: connection.Auth{Type: connection.AuthCustom,
			Username: "carol", Password: "env:" + shareEnv,
			Headers: []connection.KV{{Key: "X-Team", Value: "SEKRIT-custom-hdr"}},
			Query:   []connection.KV{{Key: "tenant", Value: "SEKRIT-custom-q"}}}},
		{Name: "apikey", BaseURL: "https://api.example.com", Auth: connection.Auth{Type: connection.AuthAPIKey,
			Key: "SEKRIT-apikey", KeyHeader: "X-Key", Scheme: connection.SchemeRaw}, TLS: connection.TLS{Insecure: true}},
		{Name: "oauth2 code", BaseURL: "https://api.example.com", Auth: connection.Auth{Type: connection.AuthOAuth2Code, OAuth2: &connection.OAuth2{
			AuthorizeURL: "https://id.example.com/authorize", TokenURL: "https://id.example.com/token",
			RefreshURL: "https://id.example.com/refresh", ClientID: "code-client", ClientSecret: "SEKRIT-client-secret-code",
			Scopes: "read write", TokenAuth: connection.TokenAuthHeader, CallbackPort: 8765,
			DeviceURL:       "https://id.example.com/device",
			TokenHeaders:    []connection.KV{{Key: "X-Tenant", Value: "t1"}, {Key: "Authorization", Value: "Basic SEKRIT-token-header"}},
			AuthorizeParams: []connection.KV{{Key: "audience", Value: "https://api.example.com"}}}}},
		{Name: "oauth2 client", BaseURL: "https://api.example.com", Auth: connection.Auth{Type: connection.AuthOAuth2Client, OAuth2: &connection.OAuth2{
			TokenURL: "https://id.example.com/token", ClientID: "cc-client", ClientSecret: "SEKRIT-client-secret-cc", Scopes: "svc"}}},
		{Name: "azure code", BaseURL: "https://graph.microsoft.com", Auth: connection.Auth{Type: connection.AuthAzureCode, OAuth2: &connection.OAuth2{
			Tenant: "common", ClientID: "az-code-client", ClientSecret: "SEKRIT-azure-code", Scopes: "User.Read"}}},
		{Name: "azure client", BaseURL: "https://graph.microsoft.com", Auth: connection.Auth{Type: connection.AuthAzureClient, OAuth2: &connection.OAuth2{
			Tenant: "contoso.onmicrosoft.com", AzureVersion: "1.0", ClientID: "az-cc-client", ClientSecret: "env:" + shareEnv}}},
		{Name: "aws key", BaseURL: "https://abc.execute-api.us-east-1.amazonaws.com", Auth: connection.Auth{Type: connection.AuthAWSKey, AWS: &connection.AWS{
			Service: "execute-api", Region: "us-east-1", AccessKeyID: "AKIAIOSFODNN7EXAMPLE",
			SecretAccessKey: "SEKRIT-aws-secret", SessionToken: "SEKRIT-aws-session"}}},
		{Name: "aws role", BaseURL: "https://abc.execute-api.eu-west-1.amazonaws.com", Auth: connection.Auth{Type: connection.AuthAWSRole, AWS: &connection.AWS{
			Service: "execute-api", Region: "eu-west-1", RoleARN: "arn:aws:iam::123456789012:role/demo",
			ExternalID: "ext-1", Profile: "dev", STSEndpoint: "https://sts.eu-west-1.amazonaws.com"}}},
		{Name: "ntlm", BaseURL: "https://intranet.example.com", Auth: connection.Auth{Type: connection.AuthNTLM,
			Username: "bob", Password: "SEKRIT-ntlm-pw", Domain: "CORP", ConnsPerHost: 2, MaxConns: 4},
			TLS: connection.TLS{Cert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", Key: testPEMKey, CA: "/etc/ssl/team-ca.pem"}},
	}
}

// fillShareFixture saves shareConnections, an OAuth2 token, and actions
// whose samples came from a real httpbin: a JSON body with variables and
// options, a form with a password, a URL carrying a key, and a multipart
// upload naming a file that does not exist (nothing may open it).
func fillShareFixture(t *testing.T, s *Store) {
	t.Helper()
	srv := httptest.NewServer(httpbin.New())
	t.Cleanup(srv.Close)
	conns := map[string]connection.Connection{}
	for _, c := range shareConnections(srv.URL) {
		if err := s.CreateConnection(&c); err != nil {
			t.Fatal(err)
		}
		conns[c.Name] = c
	}
	if err := s.SaveToken(conns["oauth2 code"].ID, connection.Token{AccessToken: "SEKRIT-access-token", RefreshToken: "SEKRIT-refresh-token"}); err != nil {
		t.Fatal(err)
	}

	seven, secretDefault := "7", "SEKRIT-var-default"
	retries, redirects := 2, 3
	echo := sampled(t, conns["bin"], func(w *wizard.Wizard) {
		w.Name, w.Method, w.URL = "Echo post", "POST", "/anything/{{id}}"
		w.Query = []connection.KV{{Key: "page", Value: "2"}, {Key: "api_key", Value: "SEKRIT-act-query"}}
		w.Headers = []connection.KV{{Key: "X-Api-Key", Value: "SEKRIT-act-header"}, {Key: "X-Trace", Value: "t-1"},
			{Key: "Authorization", Value: "Bearer {{token}}"}, {Key: "X-Env-Token", Value: "env:" + shareEnv}}
		w.BodyType, w.Body = wizard.BodyJSON, `{"name": "{{name}}", "n": 1, "tags": ["a", "b"]}`
		w.Options = wizard.ActionOptions{Options: connection.Options{Retries: retries, RetryDelay: time.Second, Backoff: true,
			Timeout: 5 * time.Second, MaxRedirects: &redirects}, ResponseType: wizard.RespJSON, FullResponse: true, Debug: true}
		w.Vars = []wizard.Variable{
			{Name: "id", Type: wizard.VarNumber, Default: &seven},
			{Name: "token", Default: &secretDefault, Required: true},
			{Name: "name", Required: true, Sample: "Ada"},
		}
	})
	form := sampled(t, conns["basic"], func(w *wizard.Wizard) {
		w.Name, w.Method, w.URL = "form login", "POST", "/anything/login"
		w.BodyType = wizard.BodyForm
		w.Form = []connection.KV{{Key: "username", Value: "alice"}, {Key: "password", Value: "SEKRIT-form-pw"}}
	})
	keyed := sampled(t, conns["header"], func(w *wizard.Wizard) {
		w.Name, w.URL = "get with key", "/get?api_key=SEKRIT-url-key&x=1"
	})
	upload := wizard.Action{Name: "upload", ConnectionID: conns["bin"].ID, Method: "POST", URL: "/anything/upload",
		BodyType: wizard.BodyMultipart, Parts: []wizard.Part{
			{Name: "file", File: "/nonexistent/patchbay-share/never-opened.bin", ContentType: "application/octet-stream"},
			{Name: "password", Value: "SEKRIT-part-pw"}, {Name: "note", Value: "hello"}}}
	for _, a := range []wizard.Action{echo, form, keyed, upload} {
		if err := s.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
	}
}

// sampled walks the wizard on conn as set up by fill, sends the sample
// request for real and returns the applied action.
func sampled(t *testing.T, conn connection.Connection, fill func(*wizard.Wizard)) wizard.Action {
	t.Helper()
	w := wizard.New(conn)
	fill(w)
	if errs := w.Next(); errs != nil {
		t.Fatalf("%s: step 1: %v", w.Name, errs)
	}
	req, err := w.Request()
	if err != nil {
		t.Fatalf("%s: %v", w.Name, err)
	}
	resp, err := connection.Send(context.Background(), conn, req)
	if err != nil {
		t.Fatalf("%s: send: %v", w.Name, err)
	}
	w.AttachSample(req, &resp, nil)
	if errs := w.Next(); errs != nil {
		t.Fatalf("%s: step 2: %v", w.Name, errs)
	}
	a, err := w.Apply()
	if err != nil {
		t.Fatalf("%s: apply: %v", w.Name, err)
	}
	if a.Sample == nil || a.Sample.Status != 200 {
		t.Fatalf("%s: no sample: %+v", w.Name, a.Sample)
	}
	return a
}
