package wizard

import (
	"bytes"
	"context"
	"maps"
	"strings"
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

// StoredBodyLimit caps the response body kept in a Run and in an Action's
// Sample: 1 MiB. A longer body is kept truncated to its first MiB, with
// Truncated set and Size still the full size received. Send keeps up to
// connection.DefaultBodyCap (100 MiB) and history holds a hundred runs per
// action (store.DefaultRunsPerAction), so without it one action's history
// alone could reach 10 GiB; with it, 100 MiB at most.
const StoredBodyLimit = 1 << 20

// storedResponse is resp as it is kept: its body cut to StoredBodyLimit, with
// Truncated set when it was cut and Size still the size received. The body is
// copied, so the kept response does not pin the whole one in memory.
func storedResponse(resp connection.Response) connection.Response {
	if len(resp.Body) > StoredBodyLimit {
		resp.Body = bytes.Clone(resp.Body[:StoredBodyLimit])
		resp.Truncated = true
	}
	return resp
}

// Recorder keeps runs; the store satisfies it. A nil Recorder keeps nothing.
type Recorder interface {
	RecordRun(Run) error
}

// RecordError is a replay that worked but could not be kept in history.
// Replay returns it, with the response, only when the send succeeded: the
// response is what the user asked for, so it is never hidden behind it.
type RecordError struct {
	Err error
}

func (e *RecordError) Error() string {
	return "the run worked but could not be saved to history: " + e.Err.Error()
}

func (e *RecordError) Unwrap() error { return e.Err }

// now is the clock runs are stamped with.
var now = time.Now

// Replay renders a with vars (completed and checked by Action.Resolve:
// defaults fill what is not given), sends it through conn with the action's
// options and records the run. It is the one path shared by the TUI and
// `patchbay run`. The display options (response type, full response,
// debug) are the caller's to apply: the response is returned as Send gave
// it.
//
// History never holds the value of a secret variable (SecretVariable: its
// name, or the key of a value it sits in, looks like a credential), the
// connection's secrets in any form the
// server echoed them (connection.RedactEchoes), nor the request's own
// secret-named values (requestSecrets), nor more of the response body than
// StoredBodyLimit, nor a streamed body's bytes (its Summary instead); the
// response returned is whole. A variable problem is a *VariableError
// (several are joined; errors.As finds the first), and a multipart file that
// cannot be read a *FileError, returned before anything is sent or
// recorded. Otherwise the run is recorded whether or not the
// send worked, and Replay returns Send's response and error. If the send
// worked but recording failed, the error is a *RecordError.
func Replay(ctx context.Context, conn connection.Connection, a Action, vars map[string]string, rec Recorder) (connection.Response, error) {
	vals, err := a.Resolve(vars)
	if err != nil {
		return connection.Response{}, err
	}
	req, err := a.render(vals)
	if err != nil {
		return connection.Response{}, err
	}
	at := now()
	resp, err := connection.Send(ctx, conn, req)
	if rec == nil {
		return resp, err
	}
	// History keeps the values sent, defaults included.
	secret := a.secretVariables()
	run := Run{ActionID: a.ID, ConnectionID: conn.ID, At: at, Vars: maps.Clone(vals)}
	for name := range run.Vars {
		if secret[name] {
			run.Vars[name] = connection.Redacted
		}
	}
	if err != nil {
		run.Err = err.Error()
	}
	if err == nil || resp.Status != 0 {
		// Kept without what the server echoed of the connection's secrets,
		// of the request's secret-named values, and of the values of
		// secret-named variables wherever they went (a {{password}} in
		// the URL or the body is as secret as one in a header).
		secrets := append(requestSecrets(req), secretValues(secret, vals)...)
		r := storedResponse(sentBody(req, conn.RedactEchoes(resp, secrets...)))
		run.Response = &r
	}
	if run.Err != "" {
		for name, v := range vals {
			if secret[name] && len(v) >= 4 {
				run.Err = strings.ReplaceAll(run.Err, v, connection.Redacted)
			}
		}
	}
	if rerr := rec.RecordRun(run); rerr != nil && err == nil {
		return resp, &RecordError{Err: rerr}
	}
	return resp, err
}

// AsSent is the request of resp as a debug view shows it: what connection
// reported as sent (credentials redacted), with the connection's secrets in
// any form and the values req carries under secret-looking names (a
// password form field) redacted from the body too, and a streamed body
// shown by its Summary, never its bytes. req is the request resp answered:
// Wizard.Request's, or Action.Request's with the replay's variables.
func AsSent(conn connection.Connection, req connection.Request, resp connection.Response) connection.SentRequest {
	view := connection.Response{Request: resp.Request}
	view = conn.RedactEchoes(view, requestSecrets(req)...)
	return sentBody(req, view).Request
}

// Secrets are the secret values a replay of a with vars sends: those of its
// secret variables (SecretVariable) and of its secret-named query, header
// and form rows. A screen showing the response masks what the server
// echoed of them, as history does, besides the connection's own secrets.
func (a Action) Secrets(vars map[string]string) []string {
	vals, err := a.Resolve(vars)
	if err != nil {
		return nil
	}
	out := secretValues(a.secretVariables(), vals)
	if req, err := a.render(vals); err == nil {
		out = append(out, requestSecrets(req)...)
	}
	return out
}

// Secrets is Action.Secrets for the wizard's sample request.
func (w *Wizard) Secrets() []string {
	out := w.secretSamples()
	if req, err := w.Request(); err == nil {
		out = append(out, requestSecrets(req)...)
	}
	return out
}

// secretVariables is the set of a's secret variables (SecretVariable),
// found with one reading of its fields.
func (a Action) secretVariables() map[string]bool {
	return secretSet(a.spec().slots(), a.Variables())
}

// secretVariables is Action.secretVariables for the wizard's input.
func (w *Wizard) secretVariables() map[string]bool {
	names := make([]string, 0, len(w.Vars))
	for _, v := range w.VariableList() {
		names = append(names, v.Name)
	}
	return secretSet(w.fields().slots(), names)
}

func secretSet(slots []slot, names []string) map[string]bool {
	out := map[string]bool{}
	for _, name := range names {
		if secretVariable(slots, name) {
			out[name] = true
		}
	}
	return out
}

// secretValues are the non-empty values of the variables in secret.
func secretValues(secret map[string]bool, vals map[string]string) []string {
	var out []string
	for name, v := range vals {
		if v != "" && secret[name] {
			out = append(out, v)
		}
	}
	return out
}
