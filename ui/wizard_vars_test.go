package ui

import (
	"testing"

	"patchbay/connection"
	"patchbay/wizard"
)

// Editing an action with secret variables: the review masks a default,
// and x does not wipe one without a default (its sample value was never
// saved, so there is nothing to put back).
func TestSecretVariableInReview(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	def := "SEKRIT-DEF"
	a := wizard.Action{Name: "Keyed", ConnectionID: c.ID, Method: "GET", URL: "/anything",
		Headers: []connection.KV{{Key: "X-Api-Key", Value: "{{api_key}}"}, {Key: "X-Token", Value: "{{token}}"}},
		Vars:    []wizard.Variable{{Name: "api_key", Default: &def}},
		Sample:  &connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(`{}`)}}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.keys("2", "e", "ctrl+n")
	d.contains("3 Review", "{{api_key}}", "default "+connection.Redacted)
	d.lacks(def)
	d.keys("v")
	d.contains("header X-Api-Key")
	d.lacks(def)
	for d.top().(*wizardScreen).vars.cands[d.top().(*wizardScreen).vars.cursor].Var != "token" {
		d.keys("down")
	}
	d.keys("x")
	d.contains("has no sample value to put back")
	w := d.top().(*wizardScreen).w
	if got := w.Headers[1].Value; got != "{{token}}" {
		t.Fatalf("x left the header %q", got)
	}
	d.keys("up")
	// The default field of a secret variable is masked too.
	d.keys("enter")
	d.lacks(def)
}

// x puts a variable's sample value back where it was.
func TestUnvariable(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	d := f.drive(120, 40)
	d.keys("enter", "Item", "tab", "tab", "/anything/42", "ctrl+n", "ctrl+s", "ctrl+n", "v", "down", "enter", "ctrl+s")
	w := d.top().(*wizardScreen).w
	if w.URL != "/anything/{{id}}" {
		t.Fatalf("URL = %q after making the id a variable", w.URL)
	}
	d.keys("x")
	if w.URL != "/anything/42" {
		t.Fatalf("URL = %q after x, want the sample value back", w.URL)
	}
	d.keys("esc")
	d.contains("Variables       (none)")
}
