package cli

import (
	"strings"
	"testing"

	"patchbay/connection/oauthtest"
	"patchbay/store"
)

const azureTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"

// azureServer is the test authorization server (oauthtest) serving its
// token endpoint at the Microsoft identity platform's token paths
// (/{tenant}/oauth2/v2.0/token and /{tenant}/oauth2/token), so that a
// connection whose authority_host is its URL talks to it. It records the
// path and form of each token request; /api checks the bearer token.
type azureServer struct{ *oauthtest.Server }

func newAzureServer(t *testing.T) azureServer {
	t.Helper()
	return azureServer{oauthtest.New(t, oauthtest.Options{
		ClientID: oauthClientID, ClientSecret: oauthClientSecret,
		Prefixes: []string{"/{tenant}/oauth2/v2.0", "/{tenant}/oauth2"},
		Echo:     []string{"client", "bearer"},
	})}
}

// add adds an azure-client connection NAME whose authority and API are s.
func (s azureServer) add(t *testing.T, db, name string, fields ...string) result {
	t.Helper()
	args := []string{"connection", "add", name, "--auth", "azure-client", "--base-url", s.URL,
		"--field", "tenant=" + azureTenant, "--field", "authority_host=" + s.URL + "/",
		"--field", "client_id=" + oauthClientID, "--field", "client_secret=" + oauthClientSecret, "--field", "test_path=/api"}
	for _, f := range fields {
		args = append(args, "--field", f)
	}
	return must(t, db, args...)
}

// An azure-client connection against the local server: add saves the Azure
// fields, list shows it, test and run get a token at the tenant's token
// endpoint and send it, connect gets a new one.
func TestAzureClientAddTestRun(t *testing.T) {
	srv := newAzureServer(t)
	db := newDB(t)
	r := srv.add(t, db, "graph", "azure_version=v2.0")
	if r.stdout != "Added connection 'graph' (azure-client, "+srv.URL+")\n" {
		t.Errorf("add: %q", r.stdout)
	}
	srv.add(t, db, "graph1", "azure_version=1.0", "resource=api://patchbay", "token_auth=header")
	withStore(t, db, func(st *store.Store) {
		c, err := st.ConnectionByName("graph")
		if err != nil {
			t.Fatal(err)
		}
		o := c.Auth.OAuth2
		if o == nil || o.Tenant != azureTenant || o.AzureVersion != "2.0" || o.AuthorityHost != srv.URL || o.ClientID != oauthClientID ||
			o.TokenURL != "" || o.Scopes != "" || o.Resource != "" {
			t.Errorf("saved %+v", o)
		}
	})
	assertNotInFile(t, db, oauthClientSecret)

	table := must(t, db, "list", "connections").stdout
	for _, want := range []string{"graph", "azure-client", "not connected"} {
		if !strings.Contains(table, want) {
			t.Errorf("the list lacks %q:\n%s", want, table)
		}
	}

	r = must(t, db, "connection", "test", "graph")
	if !strings.HasPrefix(r.stdout, "connected — 200 OK from GET "+srv.URL+"/api") || !strings.Contains(r.stdout, "expires in") {
		t.Errorf("connection test: %q", r.stdout)
	}
	if s := statusOf(t, db, "graph"); !strings.HasPrefix(s, "connected (expires in") {
		t.Errorf("status %q", s)
	}
	tok := tokenOf(t, db, "graph")
	assertNotInFile(t, db, tok.AccessToken)

	must(t, db, "action", "add", "me", "--connection", "graph", "--method", "GET", "--url", "/api")
	run := must(t, db, "run", "me")
	// The API saw the kept token as the bearer.
	if !strings.Contains(run.stdout, `"client":"`+oauthClientID+`"`) || !strings.Contains(run.stdout, `"bearer":"`+tok.AccessToken+`"`) {
		t.Errorf("run printed %q", run.stdout)
	}

	r = must(t, db, "connection", "connect", "graph")
	if !strings.HasPrefix(r.stdout, "Connected 'graph' (token expires in ") {
		t.Errorf("connect: %q", r.stdout)
	}
	if now := tokenOf(t, db, "graph"); now.AccessToken == tok.AccessToken {
		t.Error("connect kept the old token")
	}

	must(t, db, "connection", "test", "graph1")

	reqs := srv.TokenRequests()
	if len(reqs) != 3 {
		t.Fatalf("%d token requests, want 3 (test, connect, graph1's test): %+v", len(reqs), reqs)
	}
	for i, req := range reqs[:2] {
		if req.Path != "/"+azureTenant+"/oauth2/v2.0/token" || req.Form.Get("scope") != srv.URL+"/.default" || req.Form.Has("resource") ||
			req.Form.Get("client_secret") != oauthClientSecret {
			t.Errorf("token request %d: %s %v", i, req.Path, req.Form)
		}
	}
	if v1 := reqs[2]; v1.Path != "/"+azureTenant+"/oauth2/token" || v1.Form.Get("resource") != "api://patchbay" || v1.Form.Has("scope") || v1.Form.Has("client_secret") {
		t.Errorf("1.0 token request: %s %v", v1.Path, v1.Form)
	}
}

func TestAzureAddRejects(t *testing.T) {
	db := newDB(t)
	add := func(typ string, fields ...string) []string {
		args := []string{"connection", "add", "x", "--auth", typ, "--base-url", "https://graph.microsoft.com"}
		for _, f := range append([]string{"client_id=a"}, fields...) {
			args = append(args, "--field", f)
		}
		return args
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"client without tenant", add("azure-client", "client_secret=s"), []string{"--field tenant: tenant is required for client credentials"}},
		{"client with common", add("azure-client", "client_secret=s", "tenant=common"), []string{"--field tenant", `"common" only serves sign-ins`}},
		{"bad version", add("azure-code", "azure_version=3"), []string{"--field azure_version", "2.0 (the default) or 1.0"}},
		{"resource with 2.0", add("azure-code", "resource=api://x"), []string{"--field resource", "azure_version 1.0"}},
		{"scopes with 1.0", add("azure-code", "azure_version=1.0", "scopes=User.Read"), []string{"--field scopes", "takes a resource"}},
		{"bad authority", add("azure-code", "authority_host=login.microsoftonline.us"), []string{"--field authority_host", "https://"}},
		{"token_url is derived", add("azure-client", "client_secret=s", "tenant=t", "token_url=https://x.example/t"), []string{"--field token_url", "not a field of azure-client", "tenant, azure_version"}},
		{"tenant on oauth2-client", []string{"connection", "add", "x", "--auth", "oauth2-client", "--base-url", "https://a.example",
			"--field", "token_url=https://a.example/t", "--field", "client_id=a", "--field", "client_secret=s", "--field", "tenant=t"}, []string{"--field tenant", "not a field of oauth2-client"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantExit(t, patchbay(t, db, tc.args...), exitUsage, tc.want...)
		})
	}
	if rows := decode[[]map[string]any](t, must(t, db, "list", "connections", "--json").stdout); len(rows) != 0 {
		t.Errorf("a rejected connection was saved: %v", rows)
	}
	// A code-flow connection needs no tenant (common) and no secret.
	must(t, db, add("azure-code", "azure_version=1.0")...)
}

func TestAzureHelp(t *testing.T) {
	out := must(t, newDB(t), "connection", "add", "--help").stdout
	for _, want := range []string{
		"azure-code, azure-client",
		"azure-code     tenant, azure_version, client_id",
		"azure-client   tenant, azure_version, client_id",
		"  tenant ", "  azure_version ", "  resource ", "  authority_host ", "https://graph.microsoft.com/.default",
		"--auth azure-client",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("connection add --help lacks %q", want)
		}
	}
	if strings.Contains(out, "not supported") || strings.Contains(out, "Not supported") {
		t.Errorf("help still calls some auth type unsupported:\n%s", out)
	}
}
