package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"patchbay/wizard"
)

func wheel(x, y int, down bool) tea.MouseMsg {
	b := tea.MouseButtonWheelUp
	if down {
		b = tea.MouseButtonWheelDown
	}
	return tea.MouseMsg{X: x, Y: y, Button: b, Action: tea.MouseActionPress}
}

func click(x, y int) tea.MouseMsg {
	return tea.MouseMsg{X: x, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress}
}

// The wheel scrolls the response under the pointer, not the request
// beside it; a click focuses the pane it lands in; on home the wheel
// moves through the list.
func TestMouseWheelAndClick(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	f.sampledActionAt(c, "/json")
	a := wizard.Action{Name: "With id", ConnectionID: c.ID, Method: "GET", URL: "/anything/{{id}}", BodyType: wizard.BodyNone}
	if err := f.st.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	d := f.drive(120, 24)
	d.keys("2")
	d.contains("› Item")
	d.send(wheel(10, 6, true))
	d.contains("› With id")
	d.send(wheel(10, 6, false))
	d.contains("› Item")

	d.keys("r")
	d.contains("Run 'Item'", "200 OK", "lines 1–")
	d.send(wheel(10, 8, true)) // over the request: nothing moves
	d.contains("lines 1–")
	d.send(wheel(90, 8, true))
	d.contains("lines 4–")
	d.send(wheel(90, 8, false))
	d.contains("lines 1–")
	d.send(wheel(90, 0, true)) // on the header: not the screen's
	d.contains("lines 1–")

	d.keys("esc", "down", "r")
	d.contains("Run 'With id'", "Variables")
	rp := d.top().(*replay)
	if rp.resp.focused {
		t.Fatal("the replay with a variable starts on the response")
	}
	d.send(click(90, 10))
	if !rp.resp.focused {
		t.Error("a click on the response did not focus it")
	}
	d.send(click(10, 10))
	if rp.resp.focused {
		t.Error("a click on the variables did not focus them")
	}
	d.keys("9")
	if got := rp.vars.field("id").value(); !strings.Contains(got, "9") {
		t.Errorf("typing after the click went elsewhere: id = %q", got)
	}
}

// In the wizard's step 2 the wheel scrolls the response and a click
// focuses the pane it lands in, side by side or stacked.
func TestMouseInTheWizard(t *testing.T) {
	for _, size := range [][2]int{{120, 24}, {90, 40}} {
		f := newFixture(t)
		f.basicConn("api", "u", "p")
		d := f.drive(size[0], size[1])
		d.keys("enter", "Json", "tab", "tab", "/json", "ctrl+n", "ctrl+s")
		d.contains("200 OK", "lines 1–")
		w := d.top().(*wizardScreen)
		// A point in the response pane: right of the middle, or in the
		// lower half when the panes stack.
		x, y := 100, 12
		if size[0] < stackBelow {
			x, y = 10, 30
		}
		d.send(wheel(x, y, true))
		d.contains("lines 4–")
		d.send(click(x, y))
		if w.pane != paneResponse || !w.resp.focused {
			t.Errorf("%v: a click on the response did not focus it", size)
		}
		d.send(click(5, bodyTop+4))
		if w.pane != paneRequest || w.resp.focused {
			t.Errorf("%v: a click on the request did not focus it", size)
		}
	}
}
