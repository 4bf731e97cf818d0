package store

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

// rawAction is the action with id as stored, a copy.
func rawAction(t *testing.T, s *Store, id uint64) []byte {
	t.Helper()
	var raw []byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		raw = append(raw, tx.Bucket(bucketActions).Get(itob(id))...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if raw == nil {
		t.Fatalf("no action %d", id)
	}
	return raw
}

// storedRows decodes the rows of an action as stored.
func storedRows(t *testing.T, raw []byte) (query, headers, form []connection.KV) {
	t.Helper()
	var a wizard.Action
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	return a.Query, a.Headers, a.Form
}

// TestActionSecretsNeverInTheFile: the values of an action's secret-named
// header, query and form rows are sealed in the file and read back as typed;
// other rows, {{variable}} templates and env: references are stored as they
// are.
func TestActionSecretsNeverInTheFile(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := createConnection(t, s, "plain") // no secrets of its own
	a := wizard.Action{
		Name: "echo", ConnectionID: c.ID, Method: "POST", URL: "/anything/{{id}}",
		Headers: []connection.KV{
			{Key: "X-Api-Key", Value: "act-secret-1"},
			{Key: "X-Trace", Value: "visible-1"},
			{Key: "Authorization", Value: "Bearer {{token}}"},
			{Key: "X-Auth-Token", Value: "env:PB_ACT_TOKEN"},
			{Key: "Cookie", Value: ""},
		},
		Query:    []connection.KV{{Key: "token", Value: "act-secret-2"}, {Key: "page", Value: "visible-2"}},
		BodyType: wizard.BodyForm,
		Form:     []connection.KV{{Key: "password", Value: "act-secret-3"}, {Key: "user", Value: "visible-3"}},
		Inputs:   []wizard.Field{{Path: "X-Api-Key", Type: "string", Source: "header"}},
	}
	headers := a.Headers
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	if headers[0].Value != "act-secret-1" || a.Query[0].Value != "act-secret-2" || a.Form[0].Value != "act-secret-3" {
		t.Errorf("the caller's rows were changed: %+v %+v %+v", headers, a.Query, a.Form)
	}
	// An update seals too.
	a.Form = append(a.Form, connection.KV{Key: "client_secret", Value: "act-secret-4"})
	if err := s.UpdateAction(&a); err != nil {
		t.Fatal(err)
	}
	if a.Form[2].Value != "act-secret-4" {
		t.Errorf("the caller's form was changed: %+v", a.Form)
	}

	query, hdrs, form := storedRows(t, rawAction(t, s, a.ID))
	for _, kv := range []connection.KV{hdrs[0], query[0], form[0], form[2]} {
		if !strings.HasPrefix(kv.Value, sealPrefix) {
			t.Errorf("%s is stored as %q, not sealed", kv.Key, kv.Value)
		}
	}
	for _, kv := range []connection.KV{hdrs[1], hdrs[2], hdrs[3], hdrs[4], query[1], form[1]} {
		if strings.HasPrefix(kv.Value, sealPrefix) {
			t.Errorf("%s = %q was sealed", kv.Key, kv.Value)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	secrets := []string{"act-secret-1", "act-secret-2", "act-secret-3", "act-secret-4"}
	file := fileBytes(t, path)
	assertAbsent(t, "the database file", file, secrets...)
	for _, secret := range secrets {
		assertAbsent(t, "the database file (base64)", file, inBase64(secret)...)
	}
	for _, kept := range []string{"visible-1", "visible-2", "visible-3", "Bearer {{token}}", "env:PB_ACT_TOKEN", sealPrefix} {
		if !bytes.Contains(file, []byte(kept)) {
			t.Errorf("the database file lacks %q", kept)
		}
	}

	s = openAt(t, path)
	defer s.Close()
	got, err := s.ActionByName("echo")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Errorf("reopened:\n got %+v\nwant %+v", got, a)
	}
	all, err := s.Actions()
	if err != nil || len(all) != 1 || !reflect.DeepEqual(all[0], a) {
		t.Errorf("Actions: %+v, %v", all, err)
	}
}

// TestActionPlaintextFromAnOlderPatchbaySealed: the secret rows of an action
// an older patchbay stored in plain text still read, and are sealed when the
// database is opened, the action otherwise as it was.
func TestActionPlaintextFromAnOlderPatchbaySealed(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := createConnection(t, s, "plain")
	stamp := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	old := wizard.Action{
		ID: 1, Name: "legacy", ConnectionID: c.ID, Method: "POST", URL: "/x",
		Query:    []connection.KV{{Key: "api_key", Value: "legacy-act-Qp11"}, {Key: "q", Value: "{{q}}"}},
		Headers:  []connection.KV{{Key: "X-Api-Key", Value: "legacy-act-Hd22"}, {Key: "Authorization", Value: "Bearer {{tok}}"}},
		BodyType: wizard.BodyForm,
		Form:     []connection.KV{{Key: "password", Value: "legacy-act-Fm33"}},
		Sample: &connection.Response{
			Request: connection.SentRequest{Method: "POST", URL: "http://h/x",
				Headers: []connection.KV{{Key: "X-Api-Key", Value: connection.Redacted}}},
			Status: 200, StatusText: "200 OK", Body: []byte(`{}`),
		},
		CreatedAt: stamp, UpdatedAt: stamp,
	}
	raw, err := json.Marshal(old) // as a patchbay without sealed actions wrote it
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.Bucket(bucketActions).NextSequence(); err != nil {
			return err
		}
		// An older patchbay never marked the database as swept.
		if err := tx.Bucket(bucketMeta).Delete(metaSealed); err != nil {
			return err
		}
		return actions.put(tx, 1, "", old.Name, raw)
	}); err != nil {
		t.Fatal(err)
	}
	if got := s.SecretMode(); got != modeNoKey {
		t.Fatalf("SecretMode = %q before the sweep", got)
	}
	s.Close()

	s = openAt(t, path)
	defer s.Close()
	stored := rawAction(t, s, 1)
	assertAbsent(t, "the stored action", stored, "legacy-act-Qp11", "legacy-act-Hd22", "legacy-act-Fm33")
	query, headers, form := storedRows(t, stored)
	if !strings.HasPrefix(query[0].Value, sealPrefix) || !strings.HasPrefix(headers[0].Value, sealPrefix) ||
		!strings.HasPrefix(form[0].Value, sealPrefix) {
		t.Errorf("not sealed: %+v %+v %+v", query, headers, form)
	}
	if query[1].Value != "{{q}}" || headers[1].Value != "Bearer {{tok}}" {
		t.Errorf("templates changed: %+v %+v", query, headers)
	}
	if got, err := s.Action(1); err != nil || !reflect.DeepEqual(got, old) {
		t.Errorf("reopened:\n got %+v, %v\nwant %+v", got, err, old)
	}
}

// TestActionSealedUnderAnyName: a value this database sealed opens under a
// name no longer counted as secret; a value that only looks sealed is kept
// there as typed, but under a secret name it is an error.
func TestActionSealedUnderAnyName(t *testing.T) {
	isolate(t, false)
	s := openAt(t, filepath.Join(t.TempDir(), "patchbay.db"))
	defer s.Close()
	c := createConnection(t, s, "plain")
	first := wizard.Action{Name: "first", ConnectionID: c.ID, Method: "GET", URL: "/",
		Headers: []connection.KV{{Key: "X-Api-Key", Value: "makes-a-key-1"}}}
	if err := s.CreateAction(&first); err != nil {
		t.Fatal(err)
	}
	sealed, err := s.box.key().seal("narrowed-secret")
	if err != nil {
		t.Fatal(err)
	}
	put := func(id uint64, name string, headers []connection.KV) {
		t.Helper()
		raw, _ := json.Marshal(wizard.Action{ID: id, Name: name, ConnectionID: c.ID, Method: "GET", URL: "/", Headers: headers})
		if err := s.db.Update(func(tx *bolt.Tx) error {
			if _, err := tx.Bucket(bucketActions).NextSequence(); err != nil {
				return err
			}
			return actions.put(tx, id, "", name, raw)
		}); err != nil {
			t.Fatal(err)
		}
	}
	put(2, "narrowed", []connection.KV{{Key: "X-Plain", Value: sealed}, {Key: "X-Note", Value: sealPrefix + "my own words"}})
	got, err := s.Action(2)
	if err != nil || got.Headers[0].Value != "narrowed-secret" || got.Headers[1].Value != sealPrefix+"my own words" {
		t.Errorf("narrowed: %+v, %v", got.Headers, err)
	}
	put(3, "damaged", []connection.KV{{Key: "X-Api-Key", Value: sealPrefix + "AAAA"}})
	if _, err := s.Action(3); err == nil {
		t.Error("a damaged sealed secret read without an error")
	}
}

// TestActionMayHoldPlaintext: the byte test that spares Open a decode of
// every action never misses an action whose secret rows need sealing.
func TestActionMayHoldPlaintext(t *testing.T) {
	sample := &connection.Response{
		Request: connection.SentRequest{Method: "GET", URL: "http://h/",
			Headers: []connection.KV{{Key: "Authorization", Value: connection.Redacted}, {Key: "Accept", Value: "*/*"}}},
		Headers: []connection.KV{{Key: "Content-Type", Value: "application/json"}},
		Body:    []byte(`{"key":"X-Api-Key","value":"in a body"}`),
	}
	cases := []struct {
		name    string
		rows    []connection.KV
		sample  *connection.Response
		mayHold bool
	}{
		{"no rows", nil, nil, false},
		{"no rows, a sample", nil, sample, false},
		{"plain rows", []connection.KV{{Key: "Accept", Value: "x"}}, sample, false},
		{"a secret", []connection.KV{{Key: "X-Api-Key", Value: "s3cret"}}, nil, true},
		{"a secret, a sample", []connection.KV{{Key: "Accept", Value: "x"}, {Key: "token", Value: "s3cret"}}, sample, true},
		{"sealed", []connection.KV{{Key: "X-Api-Key", Value: sealPrefix + "AAAA"}}, sample, false},
		{"empty", []connection.KV{{Key: "X-Api-Key", Value: ""}}, sample, false},
		{"env", []connection.KV{{Key: "X-Api-Key", Value: "env:K"}}, sample, false},
		{"escaped name", []connection.KV{{Key: "X-Api-Key<", Value: "s3cret"}}, nil, true},
		{"escaped value", []connection.KV{{Key: "X-Api-Key", Value: "<s3cret>"}}, nil, true},
		{"template", []connection.KV{{Key: "X-Api-Key", Value: "{{k}}"}}, nil, true}, // decoded, then not sealed
	}
	for _, tc := range cases {
		for _, where := range []string{"query", "headers", "form"} {
			a := wizard.Action{Name: "a", Method: "GET", URL: "/", Sample: tc.sample}
			switch where {
			case "query":
				a.Query = tc.rows
			case "headers":
				a.Headers = tc.rows
			case "form":
				a.BodyType, a.Form = wizard.BodyForm, tc.rows
			}
			raw, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			if got := actionMayHoldPlaintext(raw); got != tc.mayHold {
				t.Errorf("%s in %s: %v, want %v\n%s", tc.name, where, got, tc.mayHold, raw)
			}
			stale := false
			for _, p := range actionSecrets(&a) {
				stale = stale || isSecret(*p) && !strings.HasPrefix(*p, sealPrefix)
			}
			if stale && !actionMayHoldPlaintext(raw) {
				t.Errorf("%s in %s: missed", tc.name, where)
			}
		}
	}
}

// TestActionSecretPartsSealed: a multipart field with a secret name is
// sealed like a form field; a file part's path and other fields are not.
func TestActionSecretPartsSealed(t *testing.T) {
	isolate(t, false)
	path := filepath.Join(t.TempDir(), "patchbay.db")
	s := openAt(t, path)
	c := createConnection(t, s, "plain")
	a := wizard.Action{Name: "upload", ConnectionID: c.ID, Method: "POST", URL: "/anything", BodyType: wizard.BodyMultipart,
		Parts: []wizard.Part{
			{Name: "api_key", Value: "part-secret-1"},
			{Name: "title", Value: "visible-part"},
			{Name: "password", Value: "{{pw}}"},
			{Name: "token_file", File: "/tmp/visible-path.txt"},
		}}
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	var stored wizard.Action
	if err := json.Unmarshal(rawAction(t, s, a.ID), &stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored.Parts[0].Value, sealPrefix) {
		t.Errorf("api_key stored as %q", stored.Parts[0].Value)
	}
	for _, p := range stored.Parts[1:] {
		if strings.HasPrefix(p.Value, sealPrefix) || strings.HasPrefix(p.File, sealPrefix) {
			t.Errorf("%s was sealed: %+v", p.Name, p)
		}
	}
	s.Close()
	assertAbsent(t, "the database file", fileBytes(t, path), "part-secret-1")
	s = openAt(t, path)
	defer s.Close()
	got, err := s.ActionByName("upload")
	if err != nil || !reflect.DeepEqual(got.Parts, a.Parts) {
		t.Errorf("reopened parts %+v (%v), want %+v", got.Parts, err, a.Parts)
	}
}
