package ui

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"
)

// colourSGR matches an SGR sequence that sets a colour: 30–37, 38;…,
// 39, 40–47, 48;…, 49, 90–97 or 100–107 among its parameters.
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m`)

// colourScreens draws home, the wizard's step 2 with a response and a
// replay, raw (escape sequences kept), on a terminal that has every
// colour.
func colourScreens(t *testing.T) ([]string, *fixture) {
	t.Helper()
	was := lipgloss.ColorProfile()
	t.Cleanup(func() { lipgloss.SetColorProfile(was) })
	lipgloss.SetColorProfile(termenv.TrueColor)
	f := newFixture(t)
	f.basicConn("api", "alice", "s3cret")
	d := f.drive(120, 40)
	var screens []string
	screens = append(screens, d.m.View())
	d.keys("enter", "Who am I", "tab", "tab", "/basic-auth/alice/s3cret", "ctrl+n", "ctrl+s")
	d.contains("200 OK")
	screens = append(screens, d.m.View())
	d.keys("ctrl+n", "enter", "r")
	d.contains("Run 'Who am I'", "200 OK")
	return append(screens, d.m.View()), f
}

// With NO_COLOR set, no screen carries a colour escape sequence, on a
// terminal that would show colour; without it the same screens do (so the
// check can fail). The replay screen is kept as a golden with any ESC
// shown as ␛: under NO_COLOR lipgloss writes none at all.
func TestNoColor(t *testing.T) {
	t.Run("colour", func(t *testing.T) {
		t.Setenv("NO_COLOR", "") // restored after the test,
		os.Unsetenv("NO_COLOR")  // and unset for it
		screens, _ := colourScreens(t)
		for i, s := range screens {
			if !colourSGR.MatchString(s) {
				t.Errorf("screen %d has no colour without NO_COLOR: the check proves nothing", i)
			}
		}
	})
	t.Run("NO_COLOR", func(t *testing.T) {
		t.Setenv("NO_COLOR", "1")
		screens, f := colourScreens(t)
		for i, s := range screens {
			if m := colourSGR.FindString(s); m != "" {
				t.Errorf("screen %d under NO_COLOR has the colour sequence %q", i, m)
			}
		}
		replay := strings.ReplaceAll(screens[2], "\x1b", "␛")
		golden.RequireEqual(t, []byte(f.normalize(replay)))
	})
}
