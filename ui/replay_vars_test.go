package ui

import (
	"testing"

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
