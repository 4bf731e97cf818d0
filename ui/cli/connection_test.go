package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secrets used in connections; none may ever be listed.
var secrets = []string{"pw-s3cret", "hdr-s3cret", "qry-s3cret", "key-s3cret", "custom-s3cret",
	"ntlm-s3cret", "aws-s3cret", "aws-session-s3cret"}

func TestConnectionAddEachTypeAndListWithoutSecrets(t *testing.T) {
	db := newDB(t)
	certFile, keyPEM := clientCert(t)
	// Pasted on one line, as a shell variable without quotes would give it.
	keyLine := strings.Join(strings.Fields(keyPEM), " ")
	keyBody := strings.Fields(keyPEM)[3] // a piece of the base64 between the markers
	base := "https://api.example.com/v1"
	adds := []struct {
		name, auth string
		fields     []string
	}{
		{"plain", "none", nil},
		{"basic", "basic", []string{"username=me", "password=pw-s3cret"}},
		{"headers", "header", []string{"header.X-API-Key=hdr-s3cret", "header.X-Tenant=acme"}},
		{"params", "query", []string{"query.api_key=qry-s3cret"}},
		{"custom", "custom", []string{"username=me", "password=custom-s3cret", "header.X-A=1", "query.b=2"}},
		{"key", "APIKEY", []string{"key=key-s3cret", "key_header=X-Key", "scheme=raw", "timeout=5s", "case_sensitive_headers=true", "test_path=/me"}},
		{"windows", "ntlm", []string{"domain=CORP", "username=alice", "password=ntlm-s3cret", "conns_per_host=2", "max_conns=4"}},
		{"aws", "aws-key", []string{"aws_service=execute-api", "aws_region=eu-west-1", "access_key_id=AKIDEXAMPLE",
			"secret_access_key=aws-s3cret", "session_token=aws-session-s3cret"}},
		{"role", "aws-role", []string{"aws_service=execute-api", "aws_region=eu-west-1", "role_arn=arn:aws:iam::123456789012:role/pb",
			"external_id=ext-1", "aws_profile=work"}},
		{"mtls", "none", []string{"tls_cert=" + certFile, "tls_key=" + keyLine, "tls_insecure=true"}},
	}
	for _, a := range adds {
		args := []string{"connection", "add", a.name, "--auth", a.auth, "--base-url", base}
		for _, f := range a.fields {
			args = append(args, "--field", f)
		}
		r := must(t, db, args...)
		want := "Added connection '" + a.name + "' (" + strings.ToLower(a.auth) + ", " + base + ")\n"
		if r.stdout != want {
			t.Errorf("stdout %q, want %q", r.stdout, want)
		}
	}

	r := must(t, db, "list", "connections", "--json")
	rows := decode[[]map[string]any](t, r.stdout)
	if len(rows) != len(adds) {
		t.Fatalf("listed %d connections, want %d: %s", len(rows), len(adds), r.stdout)
	}
	byName := map[string]map[string]any{}
	for _, row := range rows {
		byName[row["name"].(string)] = row
		want := 3
		if row["name"] == "mtls" {
			want = 4 // and tls_insecure
		}
		if len(row) != want {
			t.Errorf("want only name, auth and base_url, got %v", row)
		}
	}
	for _, a := range adds {
		row := byName[a.name]
		if row == nil || row["auth"] != strings.ToLower(a.auth) || row["base_url"] != base {
			t.Errorf("connection %s listed as %v", a.name, row)
		}
	}
	all := must(t, db, "list", "--json").stdout + must(t, db, "list").stdout + r.stdout
	for _, s := range append(secrets, keyBody) {
		if strings.Contains(all, s) {
			t.Errorf("a listing shows the secret %q", s)
		}
	}
	table := must(t, db, "list", "connections").stdout
	for _, want := range []string{"NAME", "AUTH", "BASE URL", "custom", "apikey", "ntlm", "aws-key", "aws-role", base} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if row := byName["mtls"]; row["tls_insecure"] != true {
		t.Errorf("mtls listed as %v, want tls_insecure", row)
	}
	for _, l := range strings.Split(table, "\n") {
		if strings.Contains(l, "TLS NOT VERIFIED") != strings.HasPrefix(l, "mtls") {
			t.Errorf("the TLS warning is not (only) on mtls: %q", l)
		}
	}
}

func TestConnectionAddRejectsBadInput(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "taken", "--auth", "none", "--base-url", "https://example.com")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"ftp base URL", []string{"x", "--auth", "none", "--base-url", "ftp://example.com"}, []string{"--base-url"}},
		{"unknown auth", []string{"x", "--auth", "magic", "--base-url", "https://example.com"}, []string{"--auth", "magic", "basic"}},
		{"ntlm without user", []string{"x", "--auth", "ntlm", "--base-url", "https://example.com"}, []string{"--field username: username is required"}},
		{"bad pool size", []string{"x", "--auth", "ntlm", "--base-url", "https://example.com", "--field", "username=u", "--field", "max_conns=0"}, []string{"--field max_conns", "positive"}},
		{"aws field on ntlm", []string{"x", "--auth", "ntlm", "--base-url", "https://example.com", "--field", "role_arn=arn"}, []string{"--field role_arn", "not a field of ntlm"}},
		{"missing TLS file", []string{"x", "--auth", "none", "--base-url", "https://example.com", "--field", "tls_ca=/nonexistent/ca.pem"}, []string{"--field tls_ca", "/nonexistent/ca.pem"}},
		{"cert without key", []string{"x", "--auth", "none", "--base-url", "https://example.com", "--field", "tls_cert=/nonexistent/c.pem"}, []string{"--field tls_key"}},
		{"no auth", []string{"x", "--base-url", "https://example.com"}, []string{"--auth is required"}},
		{"unknown field", []string{"x", "--auth", "basic", "--base-url", "https://example.com", "--field", "key=abc"}, []string{"--field key", "username, password"}},
		{"header on basic", []string{"x", "--auth", "basic", "--base-url", "https://example.com", "--field", "header.X=1"}, []string{"--field header.X"}},
		{"field without =", []string{"x", "--auth", "basic", "--base-url", "https://example.com", "--field", "username"}, []string{"--field 'username'", "key=value"}},
		{"bad timeout", []string{"x", "--auth", "none", "--base-url", "https://example.com", "--field", "timeout=10"}, []string{"--field timeout", "10s"}},
		{"bad bool", []string{"x", "--auth", "none", "--base-url", "https://example.com", "--field", "case_sensitive_headers=maybe"}, []string{"--field case_sensitive_headers"}},
		{"duplicate name", []string{"TAKEN", "--auth", "none", "--base-url", "https://example.com"}, []string{"'TAKEN' already exists"}},
		{"no name", []string{"--auth", "none"}, []string{"NAME"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := patchbay(t, db, append([]string{"connection", "add"}, tc.args...)...)
			wantExit(t, r, exitUsage, tc.want...)
		})
	}
	rows := decode[[]map[string]any](t, must(t, db, "list", "connections", "--json").stdout)
	if len(rows) != 1 {
		t.Errorf("a rejected connection was saved: %v", rows)
	}
}

func TestConnectionTest(t *testing.T) {
	srv := newHTTPBin(t)
	db := newDB(t)
	must(t, db, "connection", "add", "good", "--auth", "basic", "--base-url", srv.URL,
		"--field", "username=u", "--field", "password=p", "--field", "test_path=/basic-auth/u/p")
	must(t, db, "connection", "add", "wrong", "--auth", "basic", "--base-url", srv.URL,
		"--field", "username=u", "--field", "password=nope", "--field", "test_path=/basic-auth/u/p")
	must(t, db, "connection", "add", "down", "--auth", "none", "--base-url", closedURL(t))

	r := must(t, db, "connection", "test", "good")
	if r.stdout == "" {
		t.Error("a passing test printed nothing")
	}
	r = patchbay(t, db, "connection", "test", "wrong")
	wantExit(t, r, exitResponse, "401")
	r = patchbay(t, db, "connection", "test", "down")
	wantExit(t, r, exitNetwork)
	if r.stderr == "" {
		t.Error("an unreachable connection gave no reason")
	}
	wantExit(t, patchbay(t, db, "connection", "test", "ghost"), exitUsage, "no connection named 'ghost'")

	r = must(t, db, "connection", "test", "--json", "good")
	v := decode[map[string]any](t, r.stdout)
	if v["ok"] != true || v["status"] != 200.0 || v["reason"] == "" {
		t.Errorf("--json gave %v", v)
	}
	r = patchbay(t, db, "connection", "test", "wrong", "--json")
	v = decode[map[string]any](t, r.stdout)
	if r.code != exitResponse || v["ok"] != false || v["status"] != 401.0 {
		t.Errorf("exit %d, --json gave %v", r.code, v)
	}
	r = patchbay(t, db, "connection", "test", "down", "--json")
	v = decode[map[string]any](t, r.stdout)
	if r.code != exitNetwork || v["ok"] != false || v["status"] != nil {
		t.Errorf("exit %d, --json gave %v", r.code, v)
	}

	// Each test is kept: the list says how the last one went, and when.
	table := must(t, db, "list", "connections").stdout
	for name, want := range map[string]string{"good": "✓ just now", "wrong": "✗ just now: 401 Unauthorized", "down": "✗ just now: connection refused"} {
		if l := lineStarting(table, name); !strings.Contains(l, want) {
			t.Errorf("the row of %s is %q, want %q in it\n%s", name, l, want, table)
		}
	}
	rows := decode[[]map[string]any](t, must(t, db, "list", "connections", "--json").stdout)
	for _, row := range rows {
		lt, _ := row["last_test"].(map[string]any)
		if lt == nil || lt["ok"] != (row["name"] == "good") || lt["reason"] == "" || lt["at"] == "" {
			t.Errorf("%s: last_test %v", row["name"], row["last_test"])
		}
	}
}

// TestConnectionTestWithoutBaseURL: a connection that cannot be tested as it
// is must be fixed, which is exit 2, not a network failure.
func TestConnectionTestWithoutBaseURL(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "bare", "--auth", "none")
	r := patchbay(t, db, "connection", "test", "bare")
	wantExit(t, r, exitUsage, "connection 'bare' has no base URL, so there is nothing to test")
	r = patchbay(t, db, "connection", "test", "bare", "--json")
	v := decode[map[string]any](t, r.stdout)
	if r.code != exitUsage || v["ok"] != false || v["status"] != nil || !strings.Contains(v["reason"].(string), "no base URL") {
		t.Errorf("exit %d, --json gave %v", r.code, v)
	}
	// Credentials are scoped to the base URL, so they need one.
	r = patchbay(t, db, "connection", "add", "keyed", "--auth", "apikey", "--field", "key=k")
	wantExit(t, r, exitUsage, "--base-url: base URL is required: credentials are only sent to it")
}

func TestConnectionConnectIsOnlyForOAuth(t *testing.T) {
	db := newDB(t)
	must(t, db, "connection", "add", "b", "--auth", "basic", "--base-url", "https://example.com", "--field", "username=u")
	wantExit(t, patchbay(t, db, "connection", "connect", "b"), exitUsage, "connection 'b' uses basic auth; only OAuth2 connections need `connect`")
}

// lineStarting is the first line of s that starts with prefix.
func lineStarting(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// clientCert writes a self-signed client certificate to a file and returns
// its path and the PEM of its private key.
func clientCert(t *testing.T) (certFile, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "patchbay test client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
}
