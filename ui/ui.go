// Package ui is patchbay's terminal interface: Bubble Tea models only.
package ui

import "patchbay/store"

// Options tune the TUI.
type Options struct {
	// Demo marks the session as `patchbay demo` (shown in the header).
	Demo bool
}

// Run starts the TUI on st and returns when the user quits.
func Run(st *store.Store, opts Options) error { panic("TODO") }
