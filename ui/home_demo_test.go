package ui

import "testing"

// On an empty database d offers the demo: it ends this TUI asking for it
// (the command line runs the demo, then this TUI again). Anywhere else d
// is delete, and inside the demo it is not offered.
func TestEmptyDatabaseOffersTheDemo(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	d.contains("n new connection · d try the demo · ? keys")
	d.keys("d")
	if !d.root().env.demoWanted {
		t.Fatal("d on an empty database did not ask for the demo")
	}

	inDemo := newFixture(t).drive(120, 40)
	inDemo.root().env.opts.Demo = true
	inDemo.keys("d")
	if inDemo.root().env.demoWanted {
		t.Error("d inside the demo asked for the demo again")
	}

	g := newFixture(t)
	g.basicConn("api", "u", "p")
	withConn := g.drive(120, 40)
	withConn.lacks("try the demo")
	withConn.keys("d")
	withConn.contains("Delete connection 'api'")
	if withConn.root().env.demoWanted {
		t.Error("d on a connection asked for the demo")
	}
}
