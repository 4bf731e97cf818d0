package ui

import "testing"

// What starting leaves behind is given back once the first lists are on
// screen, and what reading the history leaves the first time it opens;
// not at every load (each is a full collection).
func TestHomeGivesBackStartMemoryOnce(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	d := f.drive(120, 40)
	h := d.top().(*home)
	if !d.root().env.startFreed || d.root().env.runsFreed {
		t.Fatalf("after start: startFreed %v, runsFreed %v", d.root().env.startFreed, d.root().env.runsFreed)
	}
	if cmd := h.handleActionsLoaded(actionsLoadedMsg{gen: h.loadGen}); cmd != nil {
		t.Error("a second load of the actions frees memory again")
	}
	d.keys("3")
	if !d.root().env.runsFreed {
		t.Error("opening the history did not give back what reading it left")
	}
}
