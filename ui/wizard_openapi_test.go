package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"patchbay/connection"
	"patchbay/store"
)

// attachSpec attaches the httpbin spec of the openapi package's tests (a
// few httpbin endpoints; POST /anything/{id} documents args as an array,
// which httpbin does not send) to the connection, or doc when given.
func (f *fixture) attachSpec(c connection.Connection, doc string) {
	f.t.Helper()
	data := []byte(doc)
	if doc == "" {
		var err error
		if data, err = os.ReadFile("../wizard/openapi/testdata/httpbin.json"); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := f.st.AttachOpenAPI(c.ID, store.OpenAPIDoc{Source: "httpbin.json", Data: data}); err != nil {
		f.t.Fatal(err)
	}
}

var ctrlO = tea.KeyMsg{Type: tea.KeyCtrlO}

func specKeyMsg(k string) tea.KeyMsg {
	if k == "ctrl+o" {
		return ctrlO
	}
	return keyMsg(k)
}

// The whole way with the real program: ctrl+o lists the spec's operations,
// typing filters them, enter fills step 1 and step 2 (path variable,
// required query and header, JSON body from the schema), the sample goes
// to a real httpbin, and step 3 lists where its response differs from the
// spec.
func TestOpenAPIFlows(t *testing.T) {
	toStep2 := []step{
		{wait: []string{"httpbin"}},
		{keys: []string{"enter"}, wait: []string{"ctrl+o picks one of its 4 operations"}},
		{keys: []string{"ctrl+o"}, wait: []string{"httpbin.json · 4 of 4", "/status/{code}"}},
		{keys: []string{"echo"}, wait: []string{"1 of 4"}},
		{keys: []string{"enter"}, wait: []string{"/anything/{{id}}", "Filled in from POST /anything/{id}"}},
		{keys: []string{"ctrl+n"}, wait: []string{"X-Request-Id", "mode", `"quantity": 1,`, "{{id}}"}},
	}
	flows := map[string][]step{
		"step2_prefilled": toStep2,
		"step3_mismatch": append(toStep2[:6:6],
			step{keys: []string{"ctrl+s"}, wait: []string{"200 OK"}},
			step{keys: []string{"ctrl+n"}, wait: []string{"1 difference from the spec", "$.args: expected array, got object"}},
		),
	}
	for name, steps := range flows {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.attachSpec(f.basicConn("httpbin", "ann", "pw"), "")
			tm := teatest.NewTestModel(t, f.model(), teatest.WithInitialTermSize(120, 40))
			for _, s := range steps {
				for _, k := range s.keys {
					tm.Send(specKeyMsg(k))
				}
				waitAll(t, tm, s.wait...)
			}
			tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
			golden.RequireEqual(t, []byte(f.normalize(ansi.Strip(final.View()))))
		})
	}
}

// Driven by hand: without a spec ctrl+o says how to attach one; esc closes
// the list and changes nothing; a second pick replaces what the first
// filled in (and the name it gave); a matching response says so; a URL no
// operation has is said to have nothing to check against.
func TestOpenAPIPicker(t *testing.T) {
	f := newFixture(t)
	f.basicConn("plain", "u", "p")
	d := f.drive(120, 40)
	d.keys("enter")
	d.lacks("OpenAPI:")
	d.send(ctrlO)
	d.contains("Connection 'plain' has no OpenAPI document — attach one with `patchbay connection openapi plain FILE`")
	d.keys("esc")

	f.attachSpec(f.basicConn("specd", "u", "p"), "")
	d = f.drive(120, 40)
	d.keys("j", "enter")
	d.contains("New action on 'specd'", "OpenAPI: httpbin.json")
	d.send(ctrlO)
	d.keys("uuid")
	d.contains("1 of 4", "A random UUID")
	d.lacks("/json")
	d.keys("esc")
	w := d.top().(*wizardScreen).w
	if w.URL != "" || w.Name != "" || d.top().(*wizardScreen).oapi.picker != nil {
		t.Fatalf("esc left %q %q, picker open %v", w.Name, w.URL, d.top().(*wizardScreen).oapi.picker != nil)
	}
	d.send(ctrlO)
	d.keys("echo", "enter")
	if w.Name != "Echo an item back" || w.URL != "/anything/{{id}}" || len(w.Query) == 0 {
		t.Fatalf("after echo: %q %q %v", w.Name, w.URL, w.Query)
	}
	d.send(ctrlO)
	d.keys("down", "down", "down", "enter") // GET /status/{code}
	if w.Name != "A response of the given status" || w.Method != "GET" || w.URL != "/status/{{code}}" {
		t.Fatalf("after a second pick: %q %s %q", w.Name, w.Method, w.URL)
	}
	if len(w.Query) != 0 || len(w.Headers) != 0 || w.Body != "" {
		t.Errorf("the first pick's rows stayed: query %v headers %v body %q", w.Query, w.Headers, w.Body)
	}
	d.keys("ctrl+n", "ctrl+s", "ctrl+n")
	d.contains("✓ the sample response matches the spec (GET /status/{code} in httpbin.json)")

	d.keys("ctrl+b", "ctrl+b", "tab", "tab")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlU}) // clear the URL field
	d.keys("/anything/x/y", "ctrl+n", "ctrl+s", "ctrl+n")
	d.contains("no operation of httpbin.json is GET /anything/x/y: nothing to check against")
}

// A spec is someone else's text: its summaries reach the screen cleaned,
// and one that cannot be read says why in step 1.
func TestOpenAPIHostileAndBroken(t *testing.T) {
	f := newFixture(t)
	f.attachSpec(f.basicConn("evil", "u", "p"), `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
	  "paths": {"/x": {"get": {"summary": "\u001b]0;pwned\u0007ok\u001b[2J", "responses": {"200": {"description": "ok"}}}}}}`)
	f.attachSpec(f.basicConn("old", "u", "p"), "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n")
	d := f.drive(120, 40)
	d.keys("enter")
	d.send(ctrlO)
	v := ansi.Strip(d.m.View())
	if strings.Contains(d.m.View(), "\x1b]0;") || strings.Contains(d.m.View(), "\x1b[2J") || !strings.Contains(v, "ok") {
		t.Errorf("the summary's escapes reached the screen:\n%q", d.m.View())
	}
	d.keys("esc", "esc")
	d.keys("j", "enter")
	d.contains("OpenAPI: httpbin.json cannot be used: this is Swagger 2.0")
	d.send(ctrlO)
	d.contains("The OpenAPI document of 'old' cannot be used")
}

// Mismatch lines quote what the server sent; what it echoed of the
// connection's credentials is masked there as in the response pane.
func TestOpenAPICheckMasksEchoedSecrets(t *testing.T) {
	f := newFixture(t)
	f.attachSpec(f.basicConn("echo", "ann", "pw-Zq81"), `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
	  "paths": {"/anything": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
	    {"type": "object", "properties": {"headers": {"type": "object", "properties": {"Authorization":
	      {"type": "array", "items": {"type": "string", "enum": ["none"]}}}}}}}}}}}}}}`)
	d := f.drive(120, 40)
	d.keys("enter", "Echo", "tab", "tab", "/anything", "ctrl+n", "ctrl+s", "ctrl+n")
	d.contains("✗ 1 difference from the spec", `$.headers.Authorization[0]: "Basic `+connection.Redacted+`" is not one of "none"`)
	d.lacks("YW5uOnB3LVpxODE", "pw-Zq81")
}
