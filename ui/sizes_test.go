package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// The screens users see most, at a small, a usual and a big terminal:
// home, the wizard's step 2 with a response, and a replay. Below 100
// columns the request and response panes stack; at every size each line
// fits the width and the screen fills the height exactly.
func TestScreensAtEverySize(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			f := newFixture(t)
			f.basicConn("api", "alice", "s3cret")
			d := f.drive(w, h)
			check := func(name string) {
				t.Helper()
				fits(t, d.view(), w, h)
				t.Run(name, d.golden)
			}
			d.contains("api")
			check("home")

			d.keys("enter", "Who am I", "tab", "tab", "/basic-auth/alice/s3cret", "ctrl+n", "ctrl+s")
			d.contains("200 OK", `"authenticated": true`)
			check("wizard_step2")

			d.keys("ctrl+n", "enter")
			d.contains("Saved action 'Who am I'")
			d.keys("r")
			d.contains("Run 'Who am I'", "200 OK")
			check("replay")
		})
	}
}

// fits fails unless view is h lines of at most w cells.
func fits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines at %dx%d, want %d", len(lines), w, h, h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w {
			t.Errorf("line %d is %d cells at width %d: %q", i+1, n, w, l)
		}
	}
}

// Below 80×24 the screen asks for a bigger terminal rather than drawing
// broken borders; keys wait (nothing acts on a screen the user cannot
// see), and making the terminal bigger brings back the screen as it was,
// with what was typed.
func TestTooSmallTerminal(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "alice", "s3cret")
	d := f.drive(120, 40)
	d.keys("enter", "Half typed")
	d.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	d.contains("Make the terminal at least 80×24", "(it is 60×20")
	d.lacks("Half typed")
	t.Run("too_small", d.golden)
	d.keys("esc", "esc", "x")
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.contains("1 Method & URL", "Half typed")
	d.lacks("Half typedx", "Make the terminal")
	fits(t, d.view(), 100, 30)
}
