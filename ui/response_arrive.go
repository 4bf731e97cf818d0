package ui

import (
	"fmt"

	"patchbay/connection"
)

// A big body while it arrives (connection.WithReceiving): the pane shows
// its status, headers and first screenful, says how much has come, and
// gives way to the whole response when it is there.

// receiver is the WithReceiving callback of the send start just began:
// a send canceled before it may still report from its goroutine, and what
// it says is dropped rather than shown as the new one's body.
func (p *responsePane) receiver() func(connection.BodyProgress) {
	gen := p.sends.Load()
	return func(b connection.BodyProgress) {
		if p.sends.Load() != gen {
			return
		}
		if b.Head != nil {
			p.arrived.Store(&b)
		}
		p.received.Store(b.Received)
	}
}

// showArrived shows the start of a big body that is still arriving, once
// its Receiving callback has told of it: status, headers and a first
// screenful, as for a body being formatted.
func (p *responsePane) showArrived() {
	b := p.arrived.Swap(nil)
	if b == nil {
		return
	}
	r := b.Response()
	p.show(&r, nil, true)
	p.sending = true
}

// stop ends a send that was canceled: the start of a body that was still
// arriving goes, since it is not the response.
func (p *responsePane) stop() {
	p.sending = false
	if p.incomplete {
		p.set(nil, fmt.Errorf("canceled while the body was arriving, after %s", formatSize(p.received.Load())))
	}
}
