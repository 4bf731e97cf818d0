package ui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// step sends keys, then waits until every text of wait has been drawn.
type step struct {
	keys []string
	wait []string
}

// runFlow runs the real Bubble Tea program (commands on goroutines, the
// renderer writing frames) at 120x40 through steps, quits, and compares the
// final screen with the test's golden file.
func runFlow(t *testing.T, f *fixture, steps []step) {
	t.Helper()
	tm := teatest.NewTestModel(t, f.model(), teatest.WithInitialTermSize(120, 40))
	for _, s := range steps {
		for _, k := range s.keys {
			tm.Send(keyMsg(k))
		}
		waitAll(t, tm, s.wait...)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	golden.RequireEqual(t, []byte(f.normalize(ansi.Strip(final.View()))))
}

// The flows a first-time user goes through, each stopped on one screen.
func TestFlows(t *testing.T) {
	toStep1 := []step{
		{wait: []string{"httpbin"}},
		{keys: []string{"enter"}, wait: []string{"1 Method & URL"}},
		{keys: []string{"Echo", "tab", "right", "tab", "/anything?from=tui"}, wait: []string{"anything?from=tui"}},
	}
	toStep2 := append(toStep1[:3:3],
		step{keys: []string{"ctrl+n"}, wait: []string{"Nothing sent yet"}},
		step{keys: []string{"ctrl+s"}, wait: []string{`"from": [`}},
	)
	toStep3 := append(toStep2[:5:5], step{keys: []string{"ctrl+n"}, wait: []string{"Output fields"}})
	toReplay := append(toStep3[:6:6],
		step{keys: []string{"enter"}, wait: []string{"Saved action 'Echo'"}},
		step{keys: []string{"r"}, wait: []string{"Run 'Echo'", "200 OK"}},
	)
	flows := map[string][]step{
		"home": {{wait: []string{"httpbin", "press t to test"}}},
		"connection_form": {
			{wait: []string{"httpbin"}},
			{keys: []string{"n"}, wait: []string{"New connection"}},
			{keys: []string{"Staging", "tab", "https://staging.example.com/v2", "tab", "a"}, wait: []string{"Header name"}},
			{keys: []string{"tab", "sk_live_123"}, wait: []string{"•••••••••••"}},
		},
		"wizard_step1": toStep1,
		"wizard_step2": toStep2,
		"wizard_step3": toStep3,
		"replay":       toReplay,
		// The id of a sample that worked becomes a variable in step 3,
		// and the saved action is replayed with another id.
		"variable": {
			{wait: []string{"httpbin"}},
			{keys: []string{"enter"}, wait: []string{"1 Method & URL"}},
			{keys: []string{"Item", "tab", "tab", "/anything/42"}, wait: []string{"anything/42"}},
			{keys: []string{"ctrl+n"}, wait: []string{"Nothing sent yet"}},
			{keys: []string{"ctrl+s"}, wait: []string{`/anything/42",`}},
			{keys: []string{"ctrl+n"}, wait: []string{"Output fields"}},
			{keys: []string{"v"}, wait: []string{"Pick a value", "path segment 2"}},
			{keys: []string{"down", "enter"}, wait: []string{"a variable", "Sample value"}},
			{keys: []string{"ctrl+s"}, wait: []string{"is a variable: each run asks for it"}},
			{keys: []string{"esc"}, wait: []string{"in path segment 2"}},
			{keys: []string{"enter"}, wait: []string{"Saved action 'Item'"}},
			{keys: []string{"r"}, wait: []string{"Run 'Item'"}},
			{keys: []string{"7", "ctrl+s"}, wait: []string{"200 OK", `/anything/7",`}},
		},
	}
	for name, steps := range flows {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.basicConn("httpbin", "ann", "pw")
			runFlow(t, f, steps)
		})
	}
}
