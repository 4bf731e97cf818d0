package ui

import "github.com/charmbracelet/lipgloss"

// stackBelow is the width under which a screen's two panes (the request
// and the response) stack, one above the other, rather than stand side by
// side: at 80 columns two panes of 40 leave a form's rows no room.
const stackBelow = 100

// panes is where a screen's two panes go in w×h cells: left is the
// request (or the one on top), right the response (or the one below).
type panes struct {
	leftW, leftH   int
	rightW, rightH int
	stacked        bool
}

func splitPanes(w, h int) panes {
	if w < stackBelow {
		top := h / 2
		return panes{leftW: w, leftH: top, rightW: w, rightH: h - top, stacked: true}
	}
	left := w / 2
	return panes{leftW: left, leftH: h, rightW: w - left, rightH: h}
}

// join puts the two panes' views where they go.
func (p panes) join(left, right string) string {
	if p.stacked {
		return lipgloss.JoinVertical(lipgloss.Left, left, right)
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, left, right)
}
