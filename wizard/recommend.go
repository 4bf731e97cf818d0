package wizard

import (
	"fmt"
	"mime"
	"slices"
	"strings"

	"patchbay/connection"
)

// Recommendation is a suggested change to the request, e.g. a missing
// Content-Type for a JSON body. Header is the header to add.
type Recommendation struct {
	Message string
	Header  connection.KV
}

// Recommendations lists suggestions for the current input.
func (w *Wizard) Recommendations() []Recommendation {
	s := w.spec()
	var recs []Recommendation
	if s.BodyType == BodyJSON && s.Body != "" {
		jsonType := connection.KV{Key: "Content-Type", Value: "application/json"}
		ct, ok := connection.HeaderValue(s.Headers, "Content-Type")
		switch {
		case !ok:
			recs = append(recs, Recommendation{Message: "JSON body: add Content-Type: application/json", Header: jsonType})
		case !isJSONType(ct):
			recs = append(recs, Recommendation{
				Message: fmt.Sprintf("JSON body: Content-Type is '%s' — change it to application/json", ct),
				Header:  jsonType,
			})
		}
	}
	if s.BodyType == BodyMultipart && len(s.Parts) > 0 {
		// The boundary is added when the request is built.
		if ct, ok := connection.HeaderValue(s.Headers, "Content-Type"); ok && !isMultipartType(ct) {
			recs = append(recs, Recommendation{
				Message: fmt.Sprintf("multipart body: Content-Type is '%s' — change it to multipart/form-data", ct),
				Header:  connection.KV{Key: "Content-Type", Value: "multipart/form-data"},
			})
		}
	}
	if (s.Method == "GET" || s.Method == "HEAD") && s.hasBody() {
		recs = append(recs, Recommendation{
			Message: fmt.Sprintf("%s with a body: many servers ignore it — send these values as query parameters instead", s.Method),
		})
	}
	return recs
}

// isJSONType reports whether a Content-Type value names JSON
// (application/json or any +json type).
func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// isMultipartType reports whether a Content-Type value names a multipart
// type.
func isMultipartType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && strings.HasPrefix(mt, "multipart/")
}

// hasBody reports whether a normalised spec sends a body.
func (s spec) hasBody() bool {
	return s.Body != "" || len(s.Form) > 0 || len(s.Parts) > 0
}

// Accept applies a recommendation: its header replaces the first header of
// the same name (case-insensitive) or is added before any trailing blank rows.
// A recommendation without a header changes nothing.
func (w *Wizard) Accept(r Recommendation) {
	if strings.TrimSpace(r.Header.Key) == "" {
		return
	}
	for i, h := range w.Headers {
		if strings.EqualFold(strings.TrimSpace(h.Key), r.Header.Key) {
			w.Headers[i] = r.Header
			return
		}
	}
	at := len(w.Headers)
	for at > 0 && blankRow(w.Headers[at-1]) {
		at--
	}
	w.Headers = slices.Insert(w.Headers, at, r.Header)
}
