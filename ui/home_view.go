package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"patchbay/connection"
)

func (h *home) View() string {
	st := h.env.styles
	tabs := ""
	for t := range tabCount {
		label := fmt.Sprintf("%d %s", t+1, t)
		if t == h.tab {
			tabs += st.TabActive.Render(label)
		} else {
			tabs += st.TabInactive.Render(label)
		}
		tabs += "   "
	}
	lines := []string{" " + tabs, ""}
	if h.filtering || h.filter.Value() != "" {
		lines = append(lines, " "+h.filter.View(), "")
	}
	if h.confirm != "" {
		lines = append(lines, " "+st.Confirm.Render(h.confirm), "")
	}
	if r := h.rename; r != nil {
		say := st.Faint.Render("Rename '" + r.from + "': type the new name, enter saves, esc cancels.")
		if r.err != "" {
			say = st.Error.Render(r.err)
		}
		lines = append(lines, " "+say, "")
	}
	body := h.listView(h.height - len(lines) - 1)
	view := strings.Join(append(lines, body), "\n")
	if h.secretMode == "" {
		return view
	}
	// The last line of the body says how secrets are kept, so a user on a
	// fallback (a key file rather than the OS keyring) sees it.
	pad := max(h.height-lipgloss.Height(view)-1, 1)
	return view + strings.Repeat("\n", pad) + st.Faint.Render(" Secrets: "+h.secretMode)
}

func (h *home) listView(height int) string {
	st := h.env.styles
	switch {
	case h.tab == tabConnections && !h.connsLoaded,
		h.tab == tabActions && !h.actionsLoaded,
		h.tab == tabHistory && !(h.runsLoaded && h.actionsLoaded):
		return st.EmptyState.Render("Loading…")
	case h.tab == tabHistory:
		return h.historyView(height)
	case h.tab == tabConnections:
		conns := h.visibleConns()
		if len(conns) == 0 {
			if len(h.conns) > 0 {
				return st.EmptyState.Render("No connection matches the filter. esc clears it.")
			}
			return st.EmptyState.Render("No connections yet.\n\n" +
				st.HelpKey.Render("n") + " new connection · " + st.HelpKey.Render("d") + " try the demo · " + st.HelpKey.Render("?") + " keys\n\n" +
				"A connection is a base URL and how to authenticate; press enter on it\nto build your first action. The demo is a throwaway database with an\nhttpbin on 127.0.0.1; quitting it brings you back here.")
		}
		t := table{st: &st, headers: []string{"NAME", "AUTH", "BASE URL", "LAST TEST"}, cursor: h.cursor[tabConnections], width: h.width - 2, height: height}
		for _, c := range conns {
			auth := c.Auth.Type.Title()
			if c.TLS.Insecure {
				auth = st.Warning.Render(auth + " ⚠ TLS unverified")
			}
			t.rows = append(t.rows, []string{connection.CleanText(c.Name), auth, connection.CleanText(c.BaseURL), h.testCell(c.ID)})
		}
		return t.View()
	}
	actions := h.visibleActions()
	if len(actions) == 0 {
		if len(h.actions) > 0 {
			return st.EmptyState.Render("No action matches the filter. esc clears it.")
		}
		return st.EmptyState.Render("No actions yet.\n\nPress n to build one with the wizard: method and URL, a sample request, a review.")
	}
	first, last, cursor := window(len(actions), h.cursor[tabActions], height)
	t := table{st: &st, headers: []string{"NAME", "METHOD", "URL", "CONNECTION"}, cursor: cursor, width: h.width - 2, height: height}
	for _, a := range actions[first:last] {
		name := connection.CleanText(a.Name)
		if h.rename != nil && h.rename.id == a.ID {
			name = h.rename.input.View()
		}
		t.rows = append(t.rows, []string{name, a.Method, connection.CleanText(a.URL), connection.CleanText(connName(h.conns, a.ConnectionID))})
	}
	return t.View()
}

// window is the part of a list of n rows that a table of height lines
// shows with the cursor in view, as table scrolls: rows [first, last), the
// cursor at row cursor of them. Only those rows are built, so a frame of a
// list of 10,000 actions costs what one of 40 does; the columns are as
// wide as the rows shown need.
func window(n, cursor, height int) (first, last, at int) {
	visible := max(height-1, 1)
	if cursor >= visible {
		first = cursor - visible + 1
	}
	return first, min(first+visible, n), cursor - first
}

func (h *home) testCell(id uint64) string {
	st := h.env.styles
	if h.testing[id] {
		return h.spin.View() + " testing…"
	}
	v, ok := h.verdicts[id]
	if t, isToken := h.tokens[id]; isToken && (!ok || v.OK) {
		// For an OAuth2 connection the token says more than the test's
		// URL: whether it is connected and for how long.
		switch {
		case t.NeedsReconnect != "":
			return st.Error.Render("✗ needs reconnect (c): " + connection.CleanText(t.NeedsReconnect))
		case t.AccessToken == "":
			return st.Warning.Render("not connected — press c")
		}
		if ok {
			return st.Success.Render("✓ connected · token " + connection.ExpiresIn(t, h.env.now()))
		}
		return st.Success.Render("✓ token " + connection.ExpiresIn(t, h.env.now()))
	}
	switch {
	case !ok:
		return st.Faint.Render("press t to test")
	case v.OK:
		return st.Success.Render("✓ " + Ago(v.At, h.env.now()) + " · " + connection.CleanText(v.Reason))
	}
	return st.Error.Render("✗ " + Ago(v.At, h.env.now()) + " · " + connection.CleanText(v.Reason))
}
