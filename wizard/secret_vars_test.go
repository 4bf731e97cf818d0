package wizard

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
)

// A variable stands for a credential when its name looks like one or when
// it sits in a value whose key does: renaming the Authorization header's
// variable "bearer", or the suggestions key_2 for a second "key", must not
// put the credential in the saved action or in the history in plain text.
func TestSecretByPlace(t *testing.T) {
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	conn := connection.Connection{ID: 3, Name: "bin", BaseURL: srv.URL}
	const (
		k1   = "SEKRIT-K1-value"
		k2   = "SEKRIT-K2-value"
		auth = "Bearer SEKRIT-A1-value"
	)
	w := New(conn)
	w.Name, w.URL = "Secrets", "/anything/7"
	w.Query = []connection.KV{kv("key", k1)}
	w.Headers = []connection.KV{kv("Key", k2), kv("Authorization", auth), kv("Accept", "application/json")}
	w.Next()
	req, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := connection.Send(context.Background(), conn, req)
	if err != nil {
		t.Fatal(err)
	}
	w.AttachSample(req, &resp, nil)
	w.Next()
	// Every suggestion accepted, as a user pressing enter would.
	for _, c := range w.Candidates() {
		if c.Var == "" && c.At.Kind != PlacePath {
			if errs := w.MakeVariable(c.At, c.Suggest); errs != nil {
				t.Fatalf("MakeVariable(%s): %v", c.Label, errs)
			}
		}
	}
	names := map[string]bool{}
	for _, v := range w.VariableList() {
		names[v.Name] = w.SecretVariable(v.Name)
	}
	if len(names) != 4 {
		t.Fatalf("variables %v, want four", names)
	}
	for name, secret := range names {
		if want := name != "accept"; secret != want {
			t.Errorf("SecretVariable(%q) = %v, want %v", name, secret, want)
		}
	}
	var authVar string
	for _, c := range w.Candidates() {
		if c.Label == "header Authorization" {
			authVar = c.Var
		}
	}
	if errs := w.UpdateVariable(authVar, Variable{Name: "bearer", Type: VarString, Required: true}); errs != nil {
		t.Fatal(errs)
	}
	if !w.SecretVariable("bearer") {
		t.Error("the Authorization header's variable is not secret once renamed bearer")
	}
	if _, _, stale := w.Sample(); stale {
		t.Fatal("the sample went stale")
	}
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := json.Marshal(a)
	for _, secret := range []string{k1, k2, "SEKRIT-A1-value"} {
		if bytes.Contains(saved, []byte(secret)) {
			t.Errorf("the saved action holds %s:\n%s", secret, saved)
		}
	}
	if !a.SecretVariable("bearer") || a.SecretVariable("accept") {
		t.Error("Action.SecretVariable disagrees with the wizard's")
	}

	var rec runs
	vals := map[string]string{"bearer": "Bearer SEKRIT-H-value", "accept": "text/plain"}
	for name := range names {
		if name != "accept" && name != authVar {
			vals[name] = "SEKRIT-H2-" + name
		}
	}
	if _, err := Replay(context.Background(), conn, a, vals, &rec); err != nil {
		t.Fatal(err)
	}
	kept, _ := json.Marshal(rec.runs)
	if bytes.Contains(kept, []byte("SEKRIT-H")) {
		t.Errorf("history holds a secret variable's value:\n%s", kept)
	}
	if !bytes.Contains(kept, []byte("text/plain")) {
		t.Errorf("history lost the plain variable's value:\n%s", kept)
	}
}

// The URL preview of steps 1 and 2 fills in sample values, but not a
// secret variable's.
func TestFullURLHidesSecretSamples(t *testing.T) {
	w := New(connection.Connection{Name: "c", BaseURL: "https://api.example.com"})
	w.URL = "/users/{{id}}/{{api_token}}"
	w.Query = []connection.KV{kv("password", "{{pw}}"), kv("page", "{{page}}")}
	w.SetSampleValue("id", "42")
	w.SetSampleValue("api_token", "SEKRIT-T")
	w.SetSampleValue("pw", "SEKRIT-P")
	w.SetSampleValue("page", "2")
	got := w.FullURL()
	if want := "https://api.example.com/users/42/{{api_token}}?password={{pw}}&page=2"; got != want {
		t.Errorf("FullURL = %q, want %q", got, want)
	}
}

// Secrets lists what a screen must mask besides the connection's secrets:
// secret-named rows and secret variables' values, not the others.
func TestActionSecrets(t *testing.T) {
	a := Action{Name: "s", Method: "GET", URL: "/x/{{id}}",
		Query:   []connection.KV{kv("api_key", "q-secret"), kv("page", "2")},
		Headers: []connection.KV{kv("X-Session", "{{session}}"), kv("Accept", "{{accept}}")}}
	got := a.Secrets(map[string]string{"id": "7", "session": "v-secret", "accept": "text/plain"})
	has := func(s string) bool { return slices.Contains(got, s) }
	if !has("q-secret") || !has("v-secret") || has("7") || has("2") || has("text/plain") {
		t.Errorf("Secrets = %q", got)
	}
	w := Edit(connection.Connection{BaseURL: "http://h"}, a)
	w.SetSampleValue("id", "7")
	w.SetSampleValue("session", "s-sample")
	w.SetSampleValue("accept", "text/plain")
	got = w.Secrets()
	if !has("q-secret") || !has("s-sample") || has("text/plain") {
		t.Errorf("Wizard.Secrets = %q", got)
	}
}
