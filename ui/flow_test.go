package ui

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// TestWizardFlowInTheRuntime runs the real Bubble Tea program (commands on
// goroutines, the renderer writing frames) through the wizard to a replay,
// and keeps the final screen as a golden.
func TestWizardFlowInTheRuntime(t *testing.T) {
	f := newFixture(t)
	f.basicConn("httpbin", "ann", "pw")
	tm := teatest.NewTestModel(t, f.model(), teatest.WithInitialTermSize(120, 40))
	// wait consumes output until every text has appeared in it: WaitFor eats
	// what it reads, so texts of one frame must be waited for together.
	wait := func(texts ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, text := range texts {
				if !bytes.Contains(b, []byte(text)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	key := func(k string) { tm.Send(keyMsg(k)) }

	wait("httpbin")
	key("enter")
	wait("1 Method & URL")
	for _, k := range []string{"Echo", "tab", "right", "tab", "/anything?from=tui"} {
		key(k)
	}
	wait("anything?from=tui")
	key("ctrl+n")
	wait("Nothing sent yet")
	key("ctrl+s")
	wait(`"from": [`)
	key("ctrl+n")
	wait("Output fields")
	key("enter")
	wait("Saved action 'Echo'")
	key("r")
	wait("Run 'Echo'", "200 OK")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})

	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	golden.RequireEqual(t, []byte(f.normalize(ansi.Strip(final.View()))))
}
