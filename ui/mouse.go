package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/wizard"
)

// The mouse, unless --no-mouse: the wheel scrolls what is under the
// pointer (a response, a list), a click focuses the pane it lands in.
// Only the top screen hears it, with Y counted from the top of the body
// (under the header). While the mouse is on, the terminal's own text
// selection needs shift held (most terminals) — which is why it can be
// turned off.

// bodyTop is the row the screens' body starts on: under the header line
// and the blank line after it (Model.View).
const bodyTop = 2

// wheelLines is how far one notch of the wheel scrolls.
const wheelLines = 3

// wheelBy is -1 for the wheel turned up, 1 down, 0 for anything else.
func wheelBy(msg tea.MouseMsg) int {
	if msg.Action != tea.MouseActionPress {
		return 0
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return -1
	case tea.MouseButtonWheelDown:
		return 1
	}
	return 0
}

// clicked reports a press of the left button.
func clicked(msg tea.MouseMsg) bool {
	return msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft
}

// onRight reports whether (x, y), counted from the panes' top left, is in
// the right pane (the lower one when they stack).
func (p panes) onRight(x, y int) bool {
	if p.stacked {
		return y >= p.leftH
	}
	return x >= p.leftW
}

// wheel scrolls the tab shown by the wheel's turn.
func (p *responsePane) wheel(by int) {
	if p.resp == nil || by == 0 || p.prompting() {
		return
	}
	if by < 0 {
		p.view().up(wheelLines)
	} else {
		p.view().down(wheelLines)
	}
}

// mouse on a replay: the wheel scrolls the response; a click on either
// pane focuses it.
func (r *replay) mouse(msg tea.MouseMsg) {
	l := splitPanes(r.width, r.height-1)
	right := l.onRight(msg.X, msg.Y)
	switch {
	case right && wheelBy(msg) != 0:
		r.resp.wheel(wheelBy(msg))
	case clicked(msg) && right && !r.resp.focused:
		r.resp.focused = true
		if r.vars != nil {
			r.vars.blur()
		}
	case clicked(msg) && !right && r.vars != nil && r.resp.focused:
		r.resp.focused = false
		r.vars.focusFirst()
	}
}

// mouse on a run from the history: the wheel scrolls the response, or the
// drift when it is shown.
func (h *historyRun) mouse(msg tea.MouseMsg) {
	l := splitPanes(h.width, h.height-1)
	by := wheelBy(msg)
	if by == 0 || !l.onRight(msg.X, msg.Y) {
		return
	}
	if !h.showDrift {
		h.resp.wheel(by)
		return
	}
	if by < 0 {
		h.drift.ScrollUp(wheelLines)
	} else {
		h.drift.ScrollDown(wheelLines)
	}
}

// mouse on home: the wheel moves through the list shown.
func (h *home) mouse(msg tea.MouseMsg) {
	if h.Capturing() {
		return
	}
	switch by := wheelBy(msg); {
	case by < 0:
		h.cursor[h.tab] = max(h.cursor[h.tab]-1, 0)
	case by > 0:
		h.cursor[h.tab]++
		h.clampCursor()
	}
}

// mouse on the wizard: in step 2 the wheel scrolls the response and a
// click focuses the pane it lands in; in step 3 the wheel scrolls the
// review.
func (s *wizardScreen) mouse(msg tea.MouseMsg) {
	by := wheelBy(msg)
	switch s.w.Step() {
	case wizard.StepSample:
		// The panes sit under the steps line and the line after it.
		l := splitPanes(s.width, s.height-3)
		right := l.onRight(msg.X, msg.Y-2)
		switch {
		case msg.Y < 2:
		case right && by != 0:
			s.resp.wheel(by)
		case clicked(msg) && right && s.pane != paneResponse:
			s.focusPane(paneResponse)
		case clicked(msg) && !right && s.pane != paneRequest:
			s.focusPane(paneRequest)
		}
	case wizard.StepReview:
		if s.vars != nil {
			return
		}
		if by < 0 {
			s.review.ScrollUp(wheelLines)
		} else if by > 0 {
			s.review.ScrollDown(wheelLines)
		}
	}
}
