package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
)

// Drawing the response pane: the title, the status line, the tab bar, the
// note, the rows of the tab shown (body_view.go) and the prompt or search
// line at its foot.

func (p *responsePane) View() string {
	st := p.env.styles
	pane := st.BlurredPane
	if p.focused {
		pane = st.FocusedPane
	}
	w := p.inner()
	name := "Response"
	if p.title != "" {
		name = p.title
	}
	title := st.SectionTitle.Render(name)
	if p.sending {
		doing := " sending… esc cancels"
		if a := p.attempt.Load(); a != nil && a.N > 1 {
			doing = fmt.Sprintf(" attempt %d of %d after %s… esc cancels", a.N, a.Of, connection.CleanText(a.Why))
		}
		if p.incomplete {
			doing = fmt.Sprintf(" receiving… %s so far, esc cancels", formatSize(p.received.Load()))
		}
		title += "  " + p.spin.View() + st.Faint.Render(doing)
	}
	if p.masked {
		title += st.Faint.Render(" · secrets masked (ctrl+r)")
	}
	var b strings.Builder
	room := max(p.height-pane.GetVerticalFrameSize()-2, 1)
	switch {
	case p.err != nil:
		b.WriteString(clipLines(st.Error.Render(ansi.Wrap("✗ "+connection.CleanText(p.err.Error()), w, " ")), room))
	case p.resp == nil:
		b.WriteString(clipLines(st.Faint.Render(ansi.Wrap(p.empty, w, " ")), room))
	default:
		p.sizeViews()
		v := p.view()
		title += st.Faint.Render(p.position(v))
		b.WriteString(truncate(p.statusLine(), w) + "\n")
		b.WriteString(truncate(p.tabBar(), w) + "\n")
		for _, l := range p.noteLines() {
			b.WriteString(l + "\n")
		}
		rows := v.rows()
		if len(rows) == 0 {
			rows = []string{st.Faint.Render("(empty)")}
		}
		b.WriteString(strings.Join(rows, "\n"))
		if bottom := p.bottomLines(); len(bottom) > 0 {
			for range v.height - len(rows) {
				b.WriteString("\n")
			}
			b.WriteString("\n" + strings.Join(bottom, "\n"))
		}
	}
	// One line, whatever it holds: a wrapped title would push the pane's
	// bottom border off the screen.
	inner := truncate(title, w) + "\n\n" + b.String()
	return pane.Width(p.width - pane.GetHorizontalBorderSize()).Height(p.height - pane.GetVerticalBorderSize()).Render(inner)
}

// clipLines keeps the first n lines of s: an error message longer than
// the pane must not push its bottom border off the screen.
func clipLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:min(len(lines), n)], "\n")
}

// position is " · lines 120–150/4,000", with "+" and "formatting…" while
// only the first screenful is there.
func (p *responsePane) position(v *bodyView) string {
	d := v.doc
	if d == nil || d.n == 0 {
		return ""
	}
	more := ""
	switch {
	case p.incomplete:
		more = "+" // the title says the rest is arriving
	case d.partial:
		more = "+ · formatting…"
	}
	if !d.partial && v.top == (bodyPos{}) && v.bottom() == (bodyPos{}) {
		return "" // all of it is on screen
	}
	first, last := v.top.line+1, v.lastLine()+1
	return fmt.Sprintf(" · lines %d–%d/%d%s", first, last, d.n, more)
}

// statusLine is "200 OK  42ms · 465 B", with the encoding and a cut body.
func (p *responsePane) statusLine() string {
	st := p.env.styles
	r := p.resp
	line := st.status(r.Status).Render(connection.CleanText(p.status))
	if p.incomplete {
		return line + st.Faint.Render(fmt.Sprintf("  %s so far", formatSize(p.received.Load())))
	}
	line += st.Faint.Render(fmt.Sprintf("  %s · %s", formatDuration(r.Duration), formatSize(r.Size)))
	if r.Encoding != "" {
		line += st.Faint.Render(fmt.Sprintf(" (%s, %s on the wire)", connection.CleanText(r.Encoding), formatSize(r.WireSize)))
	}
	if r.Truncated {
		line += st.Warning.Render(fmt.Sprintf("  (showing the first %s)", formatSize(int64(len(r.Body)))))
	}
	return line
}

// tabBar is "[Body]  Headers (4)   Raw ": the brackets mark the tab shown
// even without colour.
func (p *responsePane) tabBar() string {
	st := p.env.styles
	var b strings.Builder
	for t := range numTabs {
		label := t.String()
		switch {
		case t == tabHeaders:
			label = fmt.Sprintf("Headers (%d)", len(p.resp.Headers))
		case t == tabRaw && p.docs.binary:
			label = "Hex"
		}
		if t == p.tab {
			b.WriteString(st.TabActive.Render("[" + label + "]"))
		} else {
			b.WriteString(st.TabInactive.Render(" " + label + " "))
		}
		b.WriteString(" ")
	}
	return b.String()
}

// noteLines say, on the Body tab, why a body said to be JSON is shown as text.
func (p *responsePane) noteLines() []string {
	if p.tab != tabBody || p.docs.note == "" || p.filter != nil {
		return nil
	}
	st := p.env.styles
	return strings.Split(st.Warning.Render(ansi.Wrap(connection.CleanText(p.docs.note), p.inner(), " ")), "\n")
}

// bottomLines are the prompt, or what the search and filter are, at the
// foot of the pane.
func (p *responsePane) bottomLines() []string {
	switch {
	case p.save != nil:
		return strings.Split(p.promptView(), "\n")
	case p.prompt != nil:
		return p.prompt.lines(&p.env.styles, p.inner())
	case p.search == nil && p.filter == nil:
		return nil
	}
	st := p.env.styles
	var parts []string
	if f := p.filter; f != nil {
		parts = append(parts, st.Accent.Render("filter ")+connection.CleanText(f.path))
	}
	if s := p.search; s != nil {
		parts = append(parts, st.Accent.Render("/")+connection.CleanText(s.query)+"  "+st.Bold.Render(s.status()))
	}
	line := strings.Join(parts, st.Faint.Render(" · ")) + st.Faint.Render("  esc clears")
	return []string{truncate(line, p.inner())}
}
