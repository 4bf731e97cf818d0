package ui

import (
	"fmt"
	"strings"
	"testing"

	"patchbay/store"
	"patchbay/wizard"
)

// / filters the lists fuzzily: the letters in order, in any case, best
// match first; enter keeps the filter and the cursor is on the best match.
func TestHomeFilterIsFuzzy(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	for _, name := range []string{"List users", "Create item", "Get current user", "Delete user"} {
		a := wizard.Action{Name: name, ConnectionID: c.ID, Method: "GET", URL: "/get", BodyType: wizard.BodyNone}
		if err := f.st.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
	}
	d := f.drive(120, 40)
	d.keys("2", "/", "gcu", "enter")
	d.contains("› Get current user")
	d.lacks("Create item", "List users")
	if got := actionNames(d.top().(*home).visibleActions()); got != "Get current user" {
		t.Errorf("gcu keeps %q", got)
	}

	d.keys("/", "backspace", "backspace", "backspace", "USR", "enter")
	if got := actionNames(d.top().(*home).visibleActions()); got != "List users, Delete user, Get current user" {
		t.Errorf("USR keeps, ranked, %q", got)
	}
	d.keys("/", "backspace", "backspace", "backspace", "zq", "enter")
	if got := len(d.top().(*home).visibleActions()); got != 0 {
		t.Errorf("zq keeps %d actions", got)
	}
	d.keys("esc", "1", "/", "ap", "enter")
	if conns := d.top().(*home).visibleConns(); len(conns) != 1 || conns[0].Name != "api" {
		t.Errorf("ap keeps connections %v", conns)
	}
}

func actionNames(as []store.ActionSummary) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return strings.Join(out, ", ")
}

// One key typed in the filter over 10,000 actions: the first letter ranks
// them all; each letter typed on ranks the last letter's matches.
func BenchmarkHomeFilterKey10k(b *testing.B) {
	h := &home{env: &env{styles: NewStyles(), keys: DefaultKeyMap()}, filter: newTextInput("", false)}
	list := make([]store.ActionSummary, 10000)
	for i := range list {
		list[i] = store.ActionSummary{ID: uint64(i + 1), Name: fmt.Sprintf("Action %d: list the orders of customer %d", i, i*7)}
	}
	h.setActions(list)
	b.Run("first letter", func(b *testing.B) {
		for i := range b.N {
			h.filter.SetValue(string(rune('a' + i%26)))
			h.visibleActions()
		}
	})
	b.Run("typing on", func(b *testing.B) {
		// "c", "cu", ... "customer 7": each key after the first.
		word := "customer 7"
		for i := range b.N {
			n := 2 + i%(len(word)-1)
			if n == 2 {
				h.filter.SetValue(word[:1])
				h.visibleActions()
			}
			h.filter.SetValue(word[:n])
			h.visibleActions()
		}
	})
}
