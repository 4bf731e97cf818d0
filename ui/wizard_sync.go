package ui

import (
	"strings"

	"patchbay/connection"
	"patchbay/wizard"
)

// The wizard's forms and its wizard.Wizard hold the same request: pull
// copies what was typed into the wizard before it is validated, sent or
// saved; push shows the wizard's state in the forms after it changed
// underneath (a variable made, a curl command or an operation imported).

// pull copies the forms into the wizard.
func (s *wizardScreen) pull() {
	w := s.w
	w.Name = s.step1.field("name").value()
	w.Method = s.step1.field("method").value()
	w.URL = strings.TrimSpace(s.step1.field("url").value())
	w.Query, _ = s.step2.field("query").pairs()
	w.Headers, _ = s.step2.field("header").pairs()
	w.BodyType = wizard.BodyType(s.step2.field("body_type").value())
	w.Body = s.step2.field("body").value()
	w.Form, _ = s.step2.field("form").pairs()
	rows, _ := s.step2.field("part").pairs()
	w.Parts = nil
	for _, kv := range rows {
		w.Parts = append(w.Parts, rowPart(kv))
	}
	s.pullSampleValues()
	// A number that is not one stays typed in its field and is reported
	// when the sample is sent or the step is left; the rest applies.
	w.Options, _ = readOptions(s.step2)
	s.resp.kind = bodyKind(w.Options.ResponseType.OrDefault())
	s.resp.debug = w.Options.Debug
}

// push copies the wizard into the forms.
func (s *wizardScreen) push() {
	w := s.w
	s.step1.field("name").input.SetValue(w.Name)
	m := s.step1.field("method")
	for i, v := range m.choices {
		if strings.EqualFold(v, w.Method) {
			m.choice = i
		}
	}
	s.step1.field("url").input.SetValue(w.URL)
	s.step2.setRows(s.step2.field("query"), w.Query)
	s.step2.setRows(s.step2.field("header"), w.Headers)
	bt := s.step2.field("body_type")
	for i, v := range bt.choices {
		if v == string(w.BodyType) {
			bt.choice = i
		}
	}
	s.step2.field("body").area.SetValue(w.Body)
	s.step2.setRows(s.step2.field("form"), w.Form)
	var parts []connection.KV
	for _, p := range w.Parts {
		parts = append(parts, partRow(p))
	}
	s.step2.setRows(s.step2.field("part"), parts)
	s.pushSampleValues()
	fillOptions(s.step2, w.Options)
	s.resp.kind = bodyKind(w.Options.ResponseType.OrDefault())
	s.resp.debug = w.Options.Debug
	if resp, err, _ := w.Sample(); resp != nil || err != nil {
		s.resp.set(resp, err)
	}
}
