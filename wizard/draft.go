package wizard

import "patchbay/connection"

// Draft validates steps 1 and 2 and builds the Action the input describes,
// without requiring a sample, nor sample values for its variables (nothing
// is sent): what `patchbay action add` saves. It shares Apply's building
// code; Outputs stay empty until a sample exists.
func (w *Wizard) Draft() (Action, connection.FieldErrors) {
	errs := append(w.validateStep1(), w.step2Errors(false)...)
	if len(errs) > 0 {
		return Action{}, errs
	}
	return w.build(), nil
}
