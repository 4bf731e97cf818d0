package ui

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
	"patchbay/wizard"
)

// The replay form shows each variable's default typed in and its type, and
// a wrong type is refused before anything is sent.
func TestReplayVariablesDefaultsAndTypes(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	seven := "7"
	a := wizard.Action{Name: "Item", ConnectionID: c.ID, Method: "GET", URL: "/anything/{{id}}?n={{count}}",
		Vars: []wizard.Variable{{Name: "id", Default: &seven}, {Name: "count", Type: wizard.VarNumber, Required: true}}}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("2", "r")
	d.contains("number for {{count}}")
	rp := d.top().(*replay)
	if got := rp.vars.field("id").value(); got != "7" {
		t.Fatalf("id field = %q, want its default 7", got)
	}
	rp.vars.focusKey("count")
	d.keys("many", "ctrl+s")
	d.contains("must be a number")
	d.lacks("200 OK")
	rp.vars.field("count").input.SetValue("3")
	d.keys("ctrl+s")
	d.contains("200 OK", "/anything/7?n=3")
}

// itemAction saves GET /anything/{{id}} on c.
func (f *fixture) itemAction(c connection.Connection) wizard.Action {
	f.t.Helper()
	a := wizard.Action{Name: "Item", ConnectionID: c.ID, Method: "GET", URL: "/anything/{{id}}"}
	if err := f.st.CreateAction(&a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// r fills the form with the last run's values, over the blank field.
func TestReplayPrefillsLastValues(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.itemAction(c)
	if _, err := wizard.Replay(context.Background(), c, a, map[string]string{"id": "5"}, f.st); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("2", "r")
	if got := d.top().(*replay).vars.field("id").value(); got != "5" {
		t.Fatalf("id field = %q, want the last run's 5", got)
	}
	d.lacks("/anything/5\"") // nothing sent yet: r asks first
	d.keys("ctrl+s")
	d.contains("200 OK", "/anything/5")
}

// R sends at once with the last values; without a last run it asks.
func TestRerunLast(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := f.itemAction(c)
	d := f.drive(120, 40)
	d.send(pushMsg{newRerunLast(d.root().env, c, a, nil)})
	d.contains("'id' has no value")
	d.lacks("200 OK")
	d.keys("esc")

	if _, err := wizard.Replay(context.Background(), c, a, map[string]string{"id": "9"}, f.st); err != nil {
		t.Fatal(err)
	}
	d.send(pushMsg{newRerunLast(d.root().env, c, a, nil)})
	d.contains("200 OK", "/anything/9")
}

// A history run's values are sent as they were, but a redacted one is
// asked for again rather than sent as the redaction marker.
func TestRerunWithRedactedValue(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	// The token has a default, so the values are complete without it:
	// still, what was sent was another value, which history did not keep.
	def := "default-token"
	a := wizard.Action{Name: "Auth", ConnectionID: c.ID, Method: "GET", URL: "/anything/{{id}}",
		Headers: []connection.KV{{Key: "X-Token", Value: "{{token}}"}},
		Vars:    []wizard.Variable{{Name: "token", Default: &def}}}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.send(pushMsg{newRerunWith(d.root().env, c, a, nil, map[string]string{"id": "3", "token": connection.Redacted})})
	rp := d.top().(*replay)
	if got := rp.vars.field("token").value(); got != def {
		t.Fatalf("token field = %q, want its default (history redacted the value)", got)
	}
	d.contains("does not keep the value of {{token}}")
	d.lacks("200 OK")
	if rp.vars.focusedKey() != "token" {
		t.Errorf("focus on %q, want the token's field", rp.vars.focusedKey())
	}
	rp.vars.field("token").input.SetValue("s3cret-value")
	d.keys("ctrl+s")
	d.contains("200 OK", "/anything/3")
}

// Another connection the action fits can be picked for one run; the run is
// recorded against it.
func TestReplayThroughAnotherConnection(t *testing.T) {
	f := newFixture(t)
	sandbox := f.basicConn("sandbox", "u", "p")
	prodSrv := httptest.NewServer(httpbin.New())
	t.Cleanup(prodSrv.Close)
	prod := connection.Connection{Name: "prod", BaseURL: prodSrv.URL,
		Auth: connection.Auth{Type: connection.AuthBasic, Username: "u", Password: "p"}}
	if err := f.st.CreateConnection(&prod); err != nil {
		t.Fatal(err)
	}
	a := f.itemAction(sandbox)
	d := f.drive(120, 40)
	d.keys("2", "r")
	d.contains("Connection", "sandbox")
	rp := d.top().(*replay)
	rp.vars.focusKey(connectionKey)
	d.keys("right")
	rp.vars.focusKey("id")
	d.keys("4", "ctrl+s")
	d.contains("200 OK", "via 'prod'", strings.TrimPrefix(prodSrv.URL, "http://")+"/anything/4")
	runs, err := f.st.Runs(a.ID)
	if err != nil || len(runs) != 1 || runs[0].ConnectionID != prod.ID {
		t.Fatalf("runs = %+v, %v; want one through prod (%d)", runs, err, prod.ID)
	}
}

// An absolute URL fits only connections to its host.
func TestFittingConnections(t *testing.T) {
	own := connection.Connection{ID: 1, Name: "a", BaseURL: "https://api.example.com/v1"}
	same := connection.Connection{ID: 2, Name: "b", BaseURL: "https://api.example.com/v2"}
	other := connection.Connection{ID: 3, Name: "c", BaseURL: "https://sandbox.example.net"}
	rel := wizard.Action{URL: "/items/{{id}}"}
	if got := fitting(rel, own, []connection.Connection{own, same, other}); len(got) != 3 || got[0].ID != 1 {
		t.Errorf("relative URL fits %v, want all three, own first", names(got))
	}
	abs := wizard.Action{URL: "https://api.example.com/v1/items/{{id}}"}
	if got := fitting(abs, own, []connection.Connection{own, same, other}); len(got) != 2 || got[1].ID != 2 {
		t.Errorf("absolute URL fits %v, want a and b", names(got))
	}
}

func names(cs []connection.Connection) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// A variable may be called "connection": the connection picker's field
// does not take its place.
func TestVariableNamedConnection(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	f.basicConn("other", "u", "p")
	a := wizard.Action{Name: "Conn", ConnectionID: c.ID, Method: "GET", URL: "/anything/{{connection}}"}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("2", "r")
	d.top().(*replay).vars.focusKey("connection")
	d.keys("abc", "ctrl+s")
	d.contains("200 OK", "/anything/abc")
}

// What the server echoes of the action's own secrets — a secret-named
// header row, a secret variable's value — is masked in the replay's
// response, as the connection's are.
func TestReplayMasksTheActionsSecrets(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	a := wizard.Action{Name: "Keyed", ConnectionID: c.ID, Method: "GET", URL: "/anything/{{id}}",
		Headers: []connection.KV{{Key: "X-Api-Key", Value: "act-secret-999"}, {Key: "X-Session", Value: "{{session_token}}"}}}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 60)
	d.keys("2", "r", "7")
	d.top().(*replay).vars.field("session_token").input.SetValue("var-secret-555")
	d.keys("ctrl+s")
	d.contains("200 OK", "/anything/7")
	d.lacks("act-secret-999", "var-secret-555")
}
