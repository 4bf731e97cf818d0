package connection

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
)

// TestEnvReferenceSent: a password of env:NAME sends $NAME's value, which
// is then redacted and remembered like any secret.
func TestEnvReferenceSent(t *testing.T) {
	srv := newHTTPBin(t)
	const value = "env-secret-Hy71kP"
	t.Setenv("PB_TEST_PW", value)
	conn := Connection{Name: "env", BaseURL: srv.URL, Auth: Auth{Type: AuthBasic, Username: "envuser", Password: "env:PB_TEST_PW"}}
	if errs := conn.Validate(); len(errs) > 0 {
		t.Fatalf("Validate: %v", errs)
	}
	resp, err := Send(context.Background(), conn, Request{URL: "/basic-auth/envuser/" + value})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 {
		t.Fatalf("httpbin did not get the variable's value as the password: %s", resp.StatusText)
	}
	if got, _ := HeaderValue(resp.Request.Headers, "Authorization"); got != Redacted {
		t.Errorf("Authorization as sent = %q, want it redacted", got)
	}
	if strings.Contains(resp.Request.URL, value) {
		t.Errorf("the URL as sent holds the resolved secret: %s", resp.Request.URL)
	}
	if got := RedactRemembered("crash: " + value); strings.Contains(got, value) {
		t.Errorf("the resolved value was not remembered for crash logs: %q", got)
	}
	if conn.Auth.Password != "env:PB_TEST_PW" {
		t.Errorf("Send changed the caller's connection: %q", conn.Auth.Password)
	}
}

// TestEnvReferenceErrorsRedactResolvedValue: error text is redacted with
// the value the reference resolved to, not the reference.
func TestEnvReferenceErrorsRedactResolvedValue(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	const value = "env-token-Bz38qL"
	t.Setenv("PB_TEST_TOKEN", value)
	conn := Connection{Name: "env", BaseURL: "http://" + addr, Auth: Auth{
		Type: AuthHeader, Headers: []KV{{Key: "X-Token", Value: "env:PB_TEST_TOKEN"}}}}
	_, err = Send(context.Background(), conn, Request{URL: "/users/" + value})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUnreachable {
		t.Fatalf("err = %v, want unreachable", err)
	}
	for _, text := range []string{e.Reason, err.Error(), errors.Unwrap(err).Error()} {
		if strings.Contains(text, value) {
			t.Errorf("error text holds the resolved secret: %q", text)
		}
	}
}

func TestEnvReferenceUnset(t *testing.T) {
	t.Setenv("PB_TEST_PW", "")
	os.Unsetenv("PB_TEST_PW")
	t.Setenv("PB_TEST_EMPTY", "")
	for _, tc := range []struct {
		auth Auth
		want string
	}{
		{Auth{Type: AuthBasic, Username: "u", Password: "env:PB_TEST_PW"},
			"connection 'ci' takes its password from $PB_TEST_PW, which is not set"},
		{Auth{Type: AuthAPIKey, Key: "env:PB_TEST_EMPTY"},
			"connection 'ci' takes its API key from $PB_TEST_EMPTY, which is empty"},
		{Auth{Type: AuthHeader, Headers: []KV{{Key: "X-Api-Key", Value: "env:PB_TEST_PW"}}},
			"connection 'ci' takes the value of its header X-Api-Key from $PB_TEST_PW, which is not set"},
		{Auth{Type: AuthQuery, Query: []KV{{Key: "api_key", Value: "env:PB_TEST_PW"}}},
			"connection 'ci' takes the value of its query parameter api_key from $PB_TEST_PW, which is not set"},
		{Auth{Type: AuthBasic, Username: "u", Password: "env:1BAD"},
			"connection 'ci' takes its password from an environment variable, but \"1BAD\" is not an environment variable name"},
	} {
		// Nothing is sent, so the base URL need not answer.
		conn := Connection{Name: "ci", BaseURL: "http://127.0.0.1:9", Auth: tc.auth}
		_, err := Send(context.Background(), conn, Request{URL: "/"})
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindInvalid || !strings.HasPrefix(e.Reason, tc.want) {
			t.Errorf("%s: err = %v, want KindInvalid %q", tc.auth.Type, err, tc.want)
		}
	}
}

func TestValidEnvName(t *testing.T) {
	for _, name := range []string{"A", "_", "PB_TEST_PW", "a1", "_9"} {
		if !ValidEnvName(name) {
			t.Errorf("ValidEnvName(%q) = false", name)
		}
	}
	for _, name := range []string{"", "1A", "A-B", "A B", "A.B", "Ä", "$A"} {
		if ValidEnvName(name) {
			t.Errorf("ValidEnvName(%q) = true", name)
		}
	}
	c := Connection{Auth: Auth{Password: "env:OK_NAME", Key: "env:", Headers: []KV{{Key: "X", Value: "env:9x"}}}}
	errs := c.validateEnvRefs()
	if len(errs) != 2 || errs.For("key") == "" || errs.For("header.0") == "" || errs.For("password") != "" {
		t.Errorf("validateEnvRefs = %v", errs)
	}
}

func TestSecretFields(t *testing.T) {
	c := Connection{Auth: Auth{Password: "p", Key: "k",
		Headers: []KV{{Key: "H", Value: "h"}}, Query: []KV{{Key: "Q", Value: "q"}, {Key: "R", Value: "r"}}}}
	var got []string
	for _, p := range c.SecretFields() {
		got = append(got, *p)
		*p += "!"
	}
	if strings.Join(got, ",") != "p,k,h,q,r," { // the last is the (empty) TLS key

		t.Errorf("SecretFields = %v", got)
	}
	aws := Connection{Auth: Auth{AWS: &AWS{AccessKeyID: "AKID", SecretAccessKey: "s", SessionToken: "st"}}, TLS: TLS{Key: "k.pem"}}
	got = nil
	for _, p := range aws.SecretFields() {
		got = append(got, *p)
	}
	if strings.Join(got, ",") != ",,s,st,k.pem" {
		t.Errorf("SecretFields of an AWS connection with a TLS key = %q", got)
	}
	if c.Auth.Password != "p!" || c.Auth.Headers[0].Value != "h!" || c.Auth.Query[1].Value != "r!" {
		t.Errorf("SecretFields does not point into the connection: %+v", c.Auth)
	}
	clone := c.Clone()
	for _, p := range clone.SecretFields() {
		*p = "changed"
	}
	if c.Auth.Headers[0].Value != "h!" || c.Auth.Query[0].Value != "q!" {
		t.Errorf("a clone's fields alias the original: %+v", c.Auth)
	}
}

// TestRedactEchoes: every form in which a server may echo a secret is
// redacted in a copy; the response given is left alone.
func TestRedactEchoes(t *testing.T) {
	t.Setenv("PB_TEST_KEY", "from-env-Kq27")
	conn := Connection{Auth: Auth{Type: AuthCustom, Username: "user", Password: `p<a&s"s`,
		Headers: []KV{{Key: "X-Key", Value: "env:PB_TEST_KEY"}}, Query: []KV{{Key: "t", Value: "a b/c+d"}}}}
	basic := base64.StdEncoding.EncodeToString([]byte(`user:p<a&s"s`))
	body := `{"authorization":"Basic ` + basic + `","pw":"p\u003ca\u0026s\"s","raw":"p<a&s\"s",` +
		`"key":"from-env-Kq27","url":"/x?t=a+b%2Fc%2Bd","path":"/a%20b%2Fc+d"}`
	resp := Response{
		Body:    []byte(body),
		Headers: []KV{{Key: "X-Echo", Value: "from-env-Kq27"}},
		Request: SentRequest{URL: "http://h/?t=a+b%2Fc%2Bd", Headers: []KV{{Key: "X", Value: "a b/c+d"}}},
	}
	kept := conn.RedactEchoes(resp)
	for _, secret := range []string{basic, "from-env-Kq27", `p\u003ca\u0026s\"s`, `p<a&s\"s`, "a+b%2Fc%2Bd", "a%20b%2Fc+d"} {
		if bytes.Contains(kept.Body, []byte(secret)) {
			t.Errorf("kept body holds %q:\n%s", secret, kept.Body)
		}
	}
	if kept.Headers[0].Value != Redacted || strings.Contains(kept.Request.URL, "a+b") || kept.Request.Headers[0].Value != Redacted {
		t.Errorf("headers or request not redacted: %+v", kept)
	}
	if string(resp.Body) != body || resp.Headers[0].Value != "from-env-Kq27" || resp.Request.Headers[0].Value != "a b/c+d" {
		t.Errorf("RedactEchoes changed the response it was given: %+v", resp)
	}
	if got := (Connection{Auth: Auth{Type: AuthBasic, Username: "u", Password: "ab"}}).SecretForms(); len(got) != 1 ||
		got[0] != base64.StdEncoding.EncodeToString([]byte("u:ab")) {
		t.Errorf("a short password gives forms %q, want only its Basic form", got)
	}
}

func TestValidateRejectsBadEnvNames(t *testing.T) {
	c := Connection{Name: "ci", BaseURL: "https://api.example.com",
		Auth: Auth{Type: AuthBasic, Username: "u", Password: "env:9-not-a-name"}}
	if msg := c.Validate().For("password"); msg == "" {
		t.Errorf("Validate accepts env:9-not-a-name as the password reference")
	}
	c.Auth.Password = "env:PB_OK_NAME"
	if errs := c.Validate(); errs != nil {
		t.Errorf("Validate refuses a good reference: %v", errs)
	}
}
