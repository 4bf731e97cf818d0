package wizard

import (
	"context"
	"time"

	"patchbay/connection"
)

// Run is one replay of an action, as kept in history.
type Run struct {
	ActionID     uint64               `json:"action_id"`
	ConnectionID uint64               `json:"connection_id"`
	At           time.Time            `json:"at"`
	Vars         map[string]string    `json:"vars,omitempty"`
	Response     *connection.Response `json:"response,omitempty"`
	Err          string               `json:"error,omitempty"`
}

// Recorder keeps runs; the store satisfies it. A nil Recorder keeps nothing.
type Recorder interface {
	RecordRun(Run) error
}

// Replay renders a with vars, sends it through conn and records the run.
// It is the one path shared by the TUI and `patchbay run`.
func Replay(ctx context.Context, conn connection.Connection, a Action, vars map[string]string, rec Recorder) (connection.Response, error) {
	panic("TODO")
}
