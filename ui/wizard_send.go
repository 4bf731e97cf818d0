package ui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard"
)

// sampleSentMsg is the outcome of sending the wizard's sample request.
type sampleSentMsg struct {
	seq  int
	req  connection.Request
	resp *connection.Response
	err  error
}

// actionSavedMsg reports the outcome of Apply's save.
type actionSavedMsg struct {
	action wizard.Action
	err    error
}

// send validates step 2 and sends the sample in a command; a newer send or
// esc makes the result stale, and stale results are dropped.
func (s *wizardScreen) send() tea.Cmd {
	s.pull()
	_, errs := readOptions(s.step2)
	if len(errs) == 0 {
		errs = s.w.Validate()
	}
	if len(errs) > 0 {
		s.step2.setErrors(errs)
		s.step2.focusKey(errs[0].Field)
		return errStatus("Not sent: %s", errs[0].Msg)
	}
	s.step2.setErrors(nil)
	req, err := s.w.Request()
	if err != nil {
		return errStatus("Not sent: %v", err)
	}
	s.cancelSend()
	s.seq++
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	spin := s.resp.start()
	ctx = connection.WithReceiving(ctx, s.resp.receiver())
	seq, conn, send := s.seq, s.w.Conn, s.env.send
	s.resp.extra = s.w.Secrets()
	// The request as the wizard knows it goes back with the result (for
	// telling a stale sample); the one sent also reports its attempts.
	sent := req
	sent.Options.Progress = s.resp.progress
	s.stepErr = ""
	return tea.Batch(spin, func() tea.Msg {
		resp, err := send(ctx, conn, sent)
		if err != nil {
			return sampleSentMsg{seq: seq, req: req, err: err}
		}
		return sampleSentMsg{seq: seq, req: req, resp: &resp}
	})
}

func (s *wizardScreen) cancelSend() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
		s.seq++
	}
}

func (s *wizardScreen) handleSample(msg sampleSentMsg) tea.Cmd {
	if msg.seq != s.seq {
		return nil
	}
	s.cancel = nil
	s.w.AttachSample(msg.req, msg.resp, msg.err)
	s.resp.set(msg.resp, msg.err)
	s.refreshReview()
	if msg.err != nil {
		return errStatus("Not sent: %s", connection.CleanText(msg.err.Error()))
	}
	if msg.resp != nil {
		// A 401 through an OAuth2 token is the connection's problem, not
		// the request's: say which connection to reconnect.
		if p := connection.AuthProblem(s.w.Conn, *msg.resp); p != "" {
			return errStatus("%s", p)
		}
	}
	return clearStatus
}

func (s *wizardScreen) apply() tea.Cmd {
	if s.saving {
		return nil
	}
	s.pull()
	a, err := s.w.Apply()
	if err != nil {
		return errStatus("Not saved: %v", err)
	}
	s.saving = true
	st, editing := s.env.st, s.editing
	return func() tea.Msg {
		var err error
		if editing {
			err = st.UpdateAction(&a)
		} else {
			err = st.CreateAction(&a)
		}
		return actionSavedMsg{action: a, err: err}
	}
}

func (s *wizardScreen) handleSaved(msg actionSavedMsg) tea.Cmd {
	s.saving = false
	if msg.err != nil {
		if errors.Is(msg.err, store.ErrDuplicateName) {
			for s.w.Step() != wizard.StepMethod {
				s.w.Back()
			}
			s.step1.setErrors(connection.FieldErrors{{Field: "name", Msg: msg.err.Error()}})
			s.step1.focusKey("name")
		}
		return errStatus("Not saved: %v", msg.err)
	}
	a := msg.action
	return tea.Sequence(
		func() tea.Msg { return actionSavedHomeMsg{action: a} },
		pop(fmt.Sprintf("Saved action '%s'. Press r to run it.", a.Name)),
	)
}
