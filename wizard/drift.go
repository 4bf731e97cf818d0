package wizard

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"patchbay/connection"
)

// ChangeKind says what a Change is about.
type ChangeKind string

// The kinds of Change, in the order Drift lists them.
const (
	ChangeStatus        ChangeKind = "status"
	ChangeHeaderAdded   ChangeKind = "header-added"
	ChangeHeaderRemoved ChangeKind = "header-removed"
	ChangeHeaderChanged ChangeKind = "header-changed"
	ChangeFieldAdded    ChangeKind = "field-added"
	ChangeFieldRemoved  ChangeKind = "field-removed"
	ChangeFieldType     ChangeKind = "field-type"
)

func (k ChangeKind) String() string { return string(k) }

// Change is one way a run's response differs from the action's sample.
//
//   - status: Path is empty; Was and Now are the status lines ("200 OK").
//   - header-*: Path is the header's canonical name; Was and Now its values
//     (several joined by ", "), empty on the side that lacks it.
//   - field-*: Path is the field's path as InferFields writes it
//     ("user.name", "items[].id"); Was and Now its JSON type ("string",
//     "number", "object" ...), empty on the side that lacks it.
type Change struct {
	Kind ChangeKind `json:"kind"`
	Path string     `json:"path,omitempty"`
	Was  string     `json:"was,omitempty"`
	Now  string     `json:"now,omitempty"`
}

func (c Change) String() string {
	switch c.Kind {
	case ChangeStatus:
		return fmt.Sprintf("status %s → %s", c.Was, c.Now)
	case ChangeHeaderAdded:
		return fmt.Sprintf("header %s added: %s", c.Path, c.Now)
	case ChangeHeaderRemoved:
		return fmt.Sprintf("header %s removed (was %s)", c.Path, c.Was)
	case ChangeHeaderChanged:
		return fmt.Sprintf("header %s: %s → %s", c.Path, c.Was, c.Now)
	case ChangeFieldAdded:
		return fmt.Sprintf("field %s added (%s)", c.Path, c.Now)
	case ChangeFieldRemoved:
		return fmt.Sprintf("field %s removed (was %s)", c.Path, c.Was)
	case ChangeFieldType:
		return fmt.Sprintf("field %s: %s → %s", c.Path, c.Was, c.Now)
	}
	return fmt.Sprintf("%s %s: %s → %s", c.Kind, c.Path, c.Was, c.Now)
}

// volatileHeaders change from one response to the next without the API
// changing — clocks, sizes, caching validators, cookies, request ids and
// traces, rate-limit counters — so Drift does not compare them. Keys are
// canonical header names.
var volatileHeaders = map[string]bool{
	"Age": true, "Date": true, "Expires": true, "Last-Modified": true, "Etag": true,
	"Content-Length": true, "Set-Cookie": true, "Retry-After": true,
	"X-Request-Id": true, "Request-Id": true, "X-Correlation-Id": true, "X-Amzn-Requestid": true,
	"X-Amzn-Trace-Id": true, "X-Amz-Request-Id": true, "X-Amz-Id-2": true, "Cf-Ray": true,
	"X-Github-Request-Id": true, "Traceparent": true, "Tracestate": true, "X-Trace-Id": true,
	"X-Runtime": true, "X-Response-Time": true, "Server-Timing": true,
	"Ratelimit-Remaining": true, "Ratelimit-Reset": true,
	"X-Ratelimit-Remaining": true, "X-Ratelimit-Reset": true, "X-Ratelimit-Used": true,
}

// Drift lists how run differs from sample in ways that suggest the API
// changed rather than the data: first a different status code, then the
// headers added, removed or changed (by name; volatileHeaders are not
// compared), then the JSON fields added, removed or of another type.
//
// Fields are compared only when both bodies are JSON (a body cut at
// StoredBodyLimit is not), as InferFields describes them: objects member by
// member, arrays by their first element. A value that changed but kept its
// type is not drift. Neither is a field that is null on one side: that is a
// value, not a type, so it is not reported, nor are the fields under it. A
// field whose type changed is reported once, without the fields under it;
// and an array that is empty on one side hides nothing, so its element
// fields are not compared. Field changes come in the sample's document
// order, then the added ones in the run's.
func Drift(sample, run connection.Response) []Change {
	var changes []Change
	if sample.Status != run.Status {
		changes = append(changes, Change{Kind: ChangeStatus, Was: sample.StatusLine(), Now: run.StatusLine()})
	}
	changes = append(changes, headerDrift(sample.Headers, run.Headers)...)
	return append(changes, fieldDrift(sample.Body, run.Body)...)
}

// headerDrift compares headers by canonical name, in name order.
func headerDrift(was, now []connection.KV) []Change {
	a, b := driftHeaders(was), driftHeaders(now)
	var names []string
	for name := range a {
		names = append(names, name)
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var changes []Change
	for _, name := range names {
		w, inWas := a[name]
		n, inNow := b[name]
		switch {
		case !inWas:
			changes = append(changes, Change{Kind: ChangeHeaderAdded, Path: name, Now: n})
		case !inNow:
			changes = append(changes, Change{Kind: ChangeHeaderRemoved, Path: name, Was: w})
		case w != n:
			changes = append(changes, Change{Kind: ChangeHeaderChanged, Path: name, Was: w, Now: n})
		}
	}
	return changes
}

// driftHeaders maps each compared header's canonical name to its values,
// joined by ", " in the order received.
func driftHeaders(headers []connection.KV) map[string]string {
	m := map[string]string{}
	for _, h := range headers {
		name := http.CanonicalHeaderKey(h.Key)
		if volatileHeaders[name] {
			continue
		}
		if v, ok := m[name]; ok {
			m[name] = v + ", " + h.Value
		} else {
			m[name] = h.Value
		}
	}
	return m
}

// fieldDrift compares the fields of two JSON bodies; bodies that are not
// both JSON are not compared.
func fieldDrift(was, now []byte) []Change {
	a, errA := InferFields(was)
	b, errB := InferFields(now)
	if errA != nil || errB != nil {
		return nil
	}
	wasT, nowT := driftTypes(a), driftTypes(b)
	wasIn, nowIn := driftParents(a), driftParents(b)
	// hidden reports whether path lies under a field that stops the
	// comparison: one whose type differs (null or not), or an array empty
	// on one side.
	hidden := func(path string) bool {
		for p := fieldParent(path); p != ""; p = fieldParent(p) {
			w, okW := wasT[p]
			n, okN := nowT[p]
			if !okW || !okN {
				continue
			}
			if w != n || w == "array" && (!wasIn[p] || !nowIn[p]) {
				return true
			}
		}
		return false
	}
	var changes []Change
	for _, f := range a {
		n, ok := nowT[f.Path]
		switch {
		case hidden(f.Path):
		case !ok:
			changes = append(changes, Change{Kind: ChangeFieldRemoved, Path: f.Path, Was: f.Type})
		case n != f.Type && n != "null" && f.Type != "null":
			changes = append(changes, Change{Kind: ChangeFieldType, Path: f.Path, Was: f.Type, Now: n})
		}
	}
	for _, f := range b {
		if _, ok := wasT[f.Path]; !ok && !hidden(f.Path) {
			changes = append(changes, Change{Kind: ChangeFieldAdded, Path: f.Path, Now: f.Type})
		}
	}
	return changes
}

func driftTypes(fields []Field) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.Path] = f.Type
	}
	return m
}

// driftParents is the set of paths that have a field under them.
func driftParents(fields []Field) map[string]bool {
	m := map[string]bool{}
	for _, f := range fields {
		for p := fieldParent(f.Path); p != ""; p = fieldParent(p) {
			m[p] = true
		}
	}
	return m
}

// fieldParent is the path a field path lies under, "" at the top: "a" for
// "a.b", "items[]" for "items[].id" and "items" for "items[]" (the
// elements of the array "items"), "[]" for "[].id" — a top-level array's
// elements are written under "[]", which is also the array itself.
func fieldParent(path string) string {
	if p, ok := strings.CutSuffix(path, "[]"); ok {
		return p
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}
