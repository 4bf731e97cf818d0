package ui

import (
	"strings"
	"testing"
	"time"

	"patchbay/connection"
)

// fill opens the new-connection form, picks typ and types each value into
// the field with its key.
func fill(d *driver, typ connection.AuthType, values [][2]string) *connForm {
	d.t.Helper()
	d.keys("n")
	cf := d.top().(*connForm)
	choose(cf.form.field("auth"), string(typ))
	for _, kv := range values {
		cf.form.focusKey(kv[0])
		if got := cf.form.focusedKey(); got != kv[0] {
			d.t.Fatalf("cannot focus %s (focus is on %s): is it shown for %s?", kv[0], got, typ)
		}
		d.keys(kv[1])
	}
	return cf
}

// The NTLM and AWS fields of the form end up in the saved connection.
func TestConnectionFormSavesNTLMAndAWS(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	fill(d, connection.AuthNTLM, [][2]string{
		{"name", "intranet"}, {"base_url", "https://intranet.corp.example"}, {"domain", "CORP"},
		{"username", "alice"}, {"password", "pw-Secret-1"}, {"conns_per_host", "3"},
	})
	d.keys("ctrl+s")
	d.contains("Saved connection 'intranet'")

	fill(d, connection.AuthAWSRole, [][2]string{
		{"name", "lambda"}, {"base_url", "https://lambda.eu-west-1.amazonaws.com"},
		{"role_arn", "arn:aws:iam::123456789012:role/patchbay"}, {"external_id", "ext-42"},
		{"tls_insecure", " "},
	})
	d.keys("ctrl+s")
	d.contains("Saved connection 'lambda'")

	conns, err := f.st.Connections()
	if err != nil || len(conns) != 2 {
		t.Fatalf("connections: %v, %v", conns, err)
	}
	byName := map[string]connection.Connection{}
	for _, c := range conns {
		byName[c.Name] = c
	}
	n := byName["intranet"].Auth
	if n.Type != connection.AuthNTLM || n.Domain != "CORP" || n.Username != "alice" || n.Password != "pw-Secret-1" || n.ConnsPerHost != 3 || n.MaxConns != 0 {
		t.Errorf("NTLM connection saved as %+v", n)
	}
	l := byName["lambda"]
	if a := l.Auth.AWS; a == nil || a.RoleARN != "arn:aws:iam::123456789012:role/patchbay" || a.ExternalID != "ext-42" || a.Service != "" || a.Region != "" {
		t.Errorf("AWS role connection saved as %+v", l.Auth.AWS)
	}
	if !l.TLS.Insecure {
		t.Error("ignore TLS errors was not saved")
	}
	// The list warns about the connection that does not verify TLS, and
	// only about that one.
	v := d.view()
	if !strings.Contains(lineWith(v, "lambda"), "TLS unverified") || strings.Contains(lineWith(v, "intranet"), "TLS unverified") {
		t.Errorf("the TLS warning is not (only) on 'lambda':\n%s", v)
	}
}

// A bad pool size is reported next to its field and nothing is saved.
func TestConnectionFormRejectsBadPoolSize(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	fill(d, connection.AuthNTLM, [][2]string{
		{"name", "intranet"}, {"base_url", "https://intranet.corp.example"},
		{"username", "alice"}, {"max_conns", "zero"},
	})
	d.keys("ctrl+s")
	d.contains("a positive number, or empty for the default", "zero")
	if conns, _ := f.st.Connections(); len(conns) != 0 {
		t.Errorf("saved despite the error: %+v", conns)
	}
}

// The TLS key field shows a file's path but masks a pasted key.
func TestTLSKeyFieldMasksOnlyPEM(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	cf := fill(d, connection.AuthNone, [][2]string{{"tls_key", "~/certs/client-key.pem"}})
	d.contains("~/certs/client-key.pem")
	cf.form.field("tls_key").input.SetValue("")
	d.keys("-----BEGIN PRIVATE KEY----- MIIEvQIBADANBg")
	d.lacks("BEGIN PRIVATE KEY", "MIIEvQIBADANBg")
	d.contains("••••••••")
	d.keys("ctrl+r")
	d.contains("MIIEvQIBADANBg")
}

// Service and region are suggested from an *.amazonaws.com base URL.
func TestAWSFieldsSuggestFromBaseURL(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	fill(d, connection.AuthAWSKey, [][2]string{{"base_url", "https://sqs.eu-west-1.amazonaws.com"}})
	d.contains("sqs (from the base URL)", "eu-west-1 (from the base URL)")
}

// A test's verdict is kept with its time: another session shows it with
// how long ago it was taken.
func TestLastTestIsKept(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("bin", "u", "p")
	c.TestPath = "/status/403"
	if err := f.st.UpdateConnection(c); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	d := f.drive(140, 30)
	d.root().env.now = func() time.Time { return t0 }
	d.keys("t")
	d.contains("✗ just now · 403 Forbidden")

	later := f.drive(140, 30)
	later.root().env.now = func() time.Time { return t0.Add(3 * time.Hour) }
	later.send(tickMsg{}) // any message redraws
	later.contains("✗ 3h ago · 403 Forbidden")
	tests, err := f.st.LastTests()
	if err != nil || !tests[c.ID].At.Equal(t0) || tests[c.ID].OK {
		t.Errorf("stored last test = %+v, %v", tests[c.ID], err)
	}
}

// lineWith is the first line of s that contains sub.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

type tickMsg struct{}

// c on an NTLM (or AWS) connection reconnects: it starts over and tests.
func TestReconnectTests(t *testing.T) {
	f := newFixture(t)
	c := connection.Connection{Name: "intranet", BaseURL: f.srv.URL, TestPath: "/get",
		Auth: connection.Auth{Type: connection.AuthNTLM, Username: "alice", Password: "pw-1234"}}
	if err := f.st.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	d := f.drive(140, 30)
	d.contains("c reconnect")
	d.keys("c")
	d.contains("✓ just now · connected — 200 OK")
}
