package ui

import (
	"testing"

	"patchbay/connection"
	"patchbay/wizard"
)

// Names and URLs with escape sequences, as an old database or a file
// written by hand may hold them, are drawn escaped on the home lists and
// in screen titles: found in review, where an imported name sent OSC 0
// and OSC 52 to the terminal.
func TestHostileNamesAreDrawnEscaped(t *testing.T) {
	f := newFixture(t)
	c := connection.Connection{Name: "evil\x1b]0;PWNED\x07", BaseURL: f.srv.URL}
	if err := f.st.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	a := wizard.Action{Name: "act\x1b]52;c;ZXZpbA==\x07", ConnectionID: c.ID, Method: "GET", URL: "/x\x1b[31mred", BodyType: wizard.BodyNone}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 40)
	d.terminal()
	d.contains("evil␛]0;PWNED")
	d.keys("2")
	d.terminal()
	d.contains("act␛]52;c;ZXZpbA==", "/x␛[31mred")
	d.keys("r") // the replay's title holds the action's name
	d.terminal()
}
