package cli

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"patchbay/store"
)

func TestDemoSeedAndRun(t *testing.T) {
	baseURL, stop, err := StartDemoServer()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(baseURL, "http://127.0.0.1:") {
		t.Errorf("demo server at %s, want loopback", baseURL)
	}

	db := newDB(t)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := SeedDemo(st, baseURL); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	v := decode[struct {
		Connections []connectionRow
		Actions     []actionRow
	}](t, must(t, db, "list", "--json").stdout)
	if len(v.Connections) != 1 || v.Connections[0] != (connectionRow{Name: "httpbin (demo)", Auth: "basic", BaseURL: baseURL}) {
		t.Errorf("connections %+v", v.Connections)
	}
	want := []actionRow{
		{Name: "Create item", Connection: "httpbin (demo)", Method: "POST", URL: "/anything"},
		{Name: "Get slideshow", Connection: "httpbin (demo)", Method: "GET", URL: "/json"},
	}
	if !reflect.DeepEqual(v.Actions, want) {
		t.Errorf("actions %+v, want %+v", v.Actions, want)
	}
	table := must(t, db, "list").stdout
	for _, s := range []string{"Connections", "httpbin (demo)", "Actions", "Get slideshow", "Create item"} {
		if !strings.Contains(table, s) {
			t.Errorf("list lacks %q:\n%s", s, table)
		}
	}

	if r := must(t, db, "run", "Get slideshow"); !strings.Contains(r.stdout, "slideshow") {
		t.Errorf("Get slideshow printed %s", r.stdout)
	}
	r := decode[map[string]any](t, must(t, db, "run", "Create item", "--json").stdout)
	echo := r["body"].(map[string]any)
	if item, _ := echo["json"].(map[string]any); item["name"] != "widget" || item["price"] != 9.5 {
		t.Errorf("Create item sent %v", echo["json"])
	}
	if auth, _ := echo["headers"].(map[string]any)["Authorization"].([]any); len(auth) != 1 || auth[0] != "Basic "+base64.StdEncoding.EncodeToString([]byte("demo:demo-pass")) {
		t.Errorf("httpbin saw Authorization %v, want demo:demo-pass", auth)
	}
	must(t, db, "connection", "test", "httpbin (demo)")

	stop()
	wantExit(t, patchbay(t, db, "run", "Get slideshow"), exitNetwork)
}
