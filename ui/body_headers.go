package ui

import (
	"fmt"
	"strings"

	"patchbay/connection"
)

// The Headers tab: the request as sent (when the action debugs), a note,
// the attempts and redirects, and the response's headers. Lines hold the
// text as received; the view sanitizes what it draws.

// maxSentBody bounds how much of the request's body the Headers tab shows.
const maxSentBody = 64 << 10

// metaLines are the Headers tab of r (already masked).
func (p *responsePane) metaLines(r connection.Response) []metaLine {
	var out []metaLine
	add := func(role lineRole, text string) { out = append(out, metaLine{role, text}) }
	if p.debug {
		req := r.Request
		add(roleTitle, "Request as sent")
		add(rolePlain, req.Method+" "+req.URL)
		for _, h := range req.Headers {
			add(roleField, h.Key+": "+h.Value)
		}
		if len(req.Body) > 0 {
			add(rolePlain, "")
			body := req.Body[:min(len(req.Body), maxSentBody)]
			for _, l := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
				add(rolePlain, strings.TrimSuffix(l, "\r"))
			}
			if len(body) < len(req.Body) {
				add(roleFaint, fmt.Sprintf("… and %s more", formatSize(int64(len(req.Body)-len(body)))))
			}
		}
		add(rolePlain, "")
	}
	if r.Note != "" {
		add(roleWarning, "Note: "+r.Note)
		add(rolePlain, "")
	}
	if len(r.Attempts) > 1 {
		add(roleTitle, fmt.Sprintf("Attempts (%d)", len(r.Attempts)))
		for _, a := range r.Attempts {
			add(rolePlain, attemptText(a))
		}
		add(rolePlain, "")
	}
	if len(r.Redirects) > 0 {
		add(roleTitle, fmt.Sprintf("Redirects (%d)", len(r.Redirects)))
		for _, h := range r.Redirects {
			add(rolePlain, fmt.Sprintf("%d → %s", h.Status, h.URL))
		}
		add(rolePlain, "")
	}
	add(roleTitle, fmt.Sprintf("Headers (%d)", len(r.Headers)))
	for _, h := range r.Headers {
		add(roleField, h.Key+": "+h.Value)
	}
	return out
}

// attemptText is "2 of 4 after 503 Service Unavailable, waited 400ms → 200".
func attemptText(a connection.Attempt) string {
	line := fmt.Sprintf("%d of %d", a.N, a.Of)
	if a.Why != "" {
		line += " after " + a.Why
	}
	if a.Waited > 0 {
		line += ", waited " + formatDuration(a.Waited)
	}
	switch {
	case a.Err != "":
		return line + " → " + a.Err
	case a.Status != 0:
		return line + fmt.Sprintf(" → %d", a.Status)
	}
	return line
}
