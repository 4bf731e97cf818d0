package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/connection"
	"patchbay/wizard"
)

// noConflicts is a decide function for imports that must have none.
func noConflicts(t *testing.T) func(Conflict) (Resolution, error) {
	return func(c Conflict) (Resolution, error) {
		t.Fatalf("unexpected conflict %+v", c)
		return 0, nil
	}
}

// exportBytes exports s as one document.
func exportBytes(t *testing.T, s *Store) []byte {
	t.Helper()
	x, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeExport(x)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importBytes imports an encoded export into s.
func importBytes(t *testing.T, s *Store, b []byte, decide func(Conflict) (Resolution, error)) []ImportedRecord {
	t.Helper()
	x, err := DecodeExport(bytes.NewReader(b), "the export")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := s.Import(x, decide)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// assertNoSecret fails if b holds any planted secret, the environment
// variable's value, or the Basic credentials httpbin echoed.
func assertNoSecret(t *testing.T, what string, b []byte) {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte("alice:SEKRIT-basic-pw"))
	for _, s := range []string{shareSecret, shareEnvValue, basic, base64.StdEncoding.EncodeToString([]byte(shareSecret))[:6]} {
		if i := bytes.Index(b, []byte(s)); i >= 0 {
			t.Errorf("%s holds %q: …%s…", what, s, b[max(0, i-80):min(len(b), i+80)])
		}
	}
}

// TestExportHoldsNoSecret plants a secret in every place one can be and
// searches the whole export for them, in one file and as a folder.
func TestExportHoldsNoSecret(t *testing.T) {
	isolate(t, false)
	t.Setenv(shareEnv, shareEnvValue)
	s := openAt(t, filepath.Join(t.TempDir(), "src.db"))
	defer s.Close()
	fillShareFixture(t, s)

	b := exportBytes(t, s)
	assertNoSecret(t, "the export", b)
	for _, kept := range []string{`"env:` + shareEnv + `"`, `"X-Env-Key"`, `"Bearer {{token}}"`, "never-opened.bin", `"body_text"`} {
		if !bytes.Contains(b, []byte(kept)) {
			t.Errorf("the export lost %s", kept)
		}
	}
	if bytes.Contains(b, []byte(`"id":`)) || bytes.Contains(b, []byte(`"created_at"`)) || bytes.Contains(b, []byte(`"connection_id"`)) {
		t.Error("the export holds ids or timestamps")
	}

	dir := filepath.Join(t.TempDir(), "shared")
	x, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteExportDir(dir, x); err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		content, err := os.ReadFile(path)
		assertNoSecret(t, path, content)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 1+4 {
		t.Errorf("%d files in the folder, want patchbay.json and 4 actions", files)
	}
	for _, want := range []string{"connection 'basic': password", "connection 'ntlm': TLS private key",
		"connection 'oauth2 code': token request header Authorization", "action 'Echo post': default of variable token",
		"action 'get with key': value of query parameter api_key in the URL", "action 'upload': value of form part password"} {
		if !slices.Contains(x.LeftOut, want) {
			t.Errorf("LeftOut lacks %q: %q", want, x.LeftOut)
		}
	}
}

// wantSharedConnection is c as an export should carry it: every secret
// but an env: reference emptied, by hand.
func wantSharedConnection(c connection.Connection) connection.Connection {
	c = c.Clone()
	c.ID = 0
	for _, p := range c.SecretFields() {
		if !strings.HasPrefix(*p, "env:") {
			*p = ""
		}
	}
	if c.Auth.OAuth2 != nil {
		for i, h := range c.Auth.OAuth2.TokenHeaders {
			if h.Key == "Authorization" {
				c.Auth.OAuth2.TokenHeaders[i].Value = ""
			}
		}
	}
	return c
}

// wantSharedAction is a as an export should carry it, by hand for the
// fixture's actions: its credential values emptied, nothing else changed.
func wantSharedAction(a wizard.Action) wizard.Action {
	a.ID, a.ConnectionID, a.CreatedAt, a.UpdatedAt = 0, 0, time.Time{}, time.Time{}
	blank := func(rows []connection.KV, names ...string) []connection.KV {
		rows = slices.Clone(rows)
		for i := range rows {
			if slices.Contains(names, rows[i].Key) {
				rows[i].Value = ""
			}
		}
		return rows
	}
	a.Query = blank(a.Query, "api_key")
	a.Headers = blank(a.Headers, "X-Api-Key")
	a.Form = blank(a.Form, "password")
	a.Parts = slices.Clone(a.Parts)
	for i := range a.Parts {
		if a.Parts[i].Name == "password" {
			a.Parts[i].Value = ""
		}
	}
	a.URL = strings.Replace(a.URL, "api_key=SEKRIT-url-key", "api_key=", 1)
	a.Vars = slices.Clone(a.Vars)
	for i := range a.Vars {
		if a.Vars[i].Name == "token" {
			a.Vars[i].Default = nil
		}
	}
	return a
}

// TestExportImportRoundTrip: importing an export into a fresh database
// gives back every connection and action, field by field, minus ids and
// secrets; the actions point at the same connections by name; and what
// the user has to fill in is reported.
func TestExportImportRoundTrip(t *testing.T) {
	isolate(t, false)
	t.Setenv(shareEnv, shareEnvValue)
	src := openAt(t, filepath.Join(t.TempDir(), "src.db"))
	defer src.Close()
	fillShareFixture(t, src)
	b := exportBytes(t, src)

	dst := openAt(t, filepath.Join(t.TempDir(), "dst.db"))
	defer dst.Close()
	recs := importBytes(t, dst, b, noConflicts(t))

	srcConns, _ := src.Connections()
	dstConns, err := dst.Connections()
	if err != nil {
		t.Fatal(err)
	}
	if len(dstConns) != len(srcConns) || len(srcConns) != len(connection.AuthTypes) {
		t.Fatalf("%d connections imported of %d (auth types: %d)", len(dstConns), len(srcConns), len(connection.AuthTypes))
	}
	connName := map[uint64]string{}
	for i, got := range dstConns {
		connName[got.ID] = got.Name
		got.ID = 0
		if want := wantSharedConnection(srcConns[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("connection %s:\n got %+v\nwant %+v", want.Name, jsonOf(t, got), jsonOf(t, want))
		}
	}

	srcActs, _ := src.Actions()
	dstActs, err := dst.Actions()
	if err != nil {
		t.Fatal(err)
	}
	if len(dstActs) != len(srcActs) {
		t.Fatalf("%d actions imported of %d", len(dstActs), len(srcActs))
	}
	srcConnName := map[uint64]string{}
	for _, c := range srcConns {
		srcConnName[c.ID] = c.Name
	}
	for i, got := range dstActs {
		if connName[got.ConnectionID] != srcConnName[srcActs[i].ConnectionID] {
			t.Errorf("action %s uses %q, want %q", got.Name, connName[got.ConnectionID], srcConnName[srcActs[i].ConnectionID])
		}
		if got.CreatedAt.IsZero() {
			t.Errorf("action %s has no creation time", got.Name)
		}
		want := wantSharedAction(srcActs[i])
		got.ID, got.ConnectionID, got.CreatedAt, got.UpdatedAt = 0, 0, time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("action %s:\n got %s\nwant %s", want.Name, jsonOf(t, got), jsonOf(t, want))
		}
	}
	sums, err := dst.ActionSummaries()
	if err != nil || len(sums) != len(dstActs) || sums[0].Method == "" {
		t.Errorf("summaries after import: %+v, %v", sums, err)
	}

	fill := map[string][]string{}
	for _, r := range recs {
		if r.Outcome != 0 {
			t.Errorf("%s %s: outcome %v on a fresh database", r.Kind, r.Name, r.Outcome)
		}
		fill[r.Kind+" "+r.Name] = r.ToFill
		if wantFiles := r.Name == "upload"; wantFiles != (len(r.Files) == 1) ||
			wantFiles && r.Files[0] != "/nonexistent/patchbay-share/never-opened.bin" {
			t.Errorf("%s %s: files %q", r.Kind, r.Name, r.Files)
		}
	}
	for rec, want := range map[string][]string{
		"connection basic":        {"password"},
		"connection ntlm":         {"password", "TLS private key"},
		"connection header":       {"value of header X-Api-Key"},
		"connection custom":       {"value of header X-Team", "value of query parameter tenant"},
		"connection azure client": nil, // env: reference
		"connection aws role":     nil,
		"connection bin":          nil,
		"action Echo post":        {"value of query parameter api_key", "value of header X-Api-Key"},
		"action get with key":     {"value of query parameter api_key"},
		"action upload":           {"value of form part password"},
	} {
		if !slices.Equal(fill[rec], want) {
			t.Errorf("%s: to fill in %q, want %q", rec, fill[rec], want)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExportIsStable: exporting twice gives the same bytes, and so does
// exporting what an import of the export made; the folder form too.
func TestExportIsStable(t *testing.T) {
	isolate(t, false)
	t.Setenv(shareEnv, shareEnvValue)
	src := openAt(t, filepath.Join(t.TempDir(), "src.db"))
	defer src.Close()
	fillShareFixture(t, src)
	first := exportBytes(t, src)
	if again := exportBytes(t, src); !bytes.Equal(first, again) {
		t.Fatal("two exports of one database differ")
	}
	if !bytes.HasSuffix(first, []byte("}\n")) || !bytes.Contains(first, []byte("\n  \"actions\": [\n    {\n")) {
		t.Errorf("not two-space indented with a trailing newline:\n%.300s", first)
	}
	var keys []string
	dec := json.NewDecoder(bytes.NewReader(first))
	for tok, err := dec.Token(); err == nil; tok, err = dec.Token() {
		if s, ok := tok.(string); ok && dec.More() {
			keys = append(keys, s)
		}
	}
	if keys[0] != "actions" {
		t.Errorf("first key %q, want actions (sorted)", keys[0])
	}

	dst := openAt(t, filepath.Join(t.TempDir(), "dst.db"))
	defer dst.Close()
	importBytes(t, dst, first, noConflicts(t))
	if second := exportBytes(t, dst); !bytes.Equal(first, second) {
		t.Errorf("export → import → export differs:\n%s", firstDifference(first, second))
	}

	srcDir, dstDir := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, w := range []struct {
		s   *Store
		dir string
	}{{src, srcDir}, {dst, dstDir}, {dst, dstDir}} {
		x, err := w.s.Export()
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteExportDir(w.dir, x); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := readTree(t, srcDir), readTree(t, dstDir); !reflect.DeepEqual(a, b) {
		t.Errorf("folder exports differ: %v vs %v", keysOf(a), keysOf(b))
	}
	x, err := ReadExport(dstDir)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := EncodeExport(x); !bytes.Equal(b, first) {
		t.Errorf("the folder reads back as another export:\n%s", firstDifference(first, b))
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func keysOf(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return "…" + string(a[max(0, i-100):min(len(a), i+100)]) + "\n---\n…" + string(b[max(0, i-100):min(len(b), i+100)])
}
