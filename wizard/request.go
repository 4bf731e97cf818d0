package wizard

import (
	"bytes"
	"slices"
	"strings"

	"patchbay/connection"
)

// spec is the part of an action or a wizard that shapes the request. Both
// Wizard.Request and Action.Request go through spec.request, so the request a
// replay sends is built by the same code as the sample that was sent.
type spec struct {
	Method   string
	URL      string
	Query    []connection.KV
	Headers  []connection.KV
	BodyType BodyType
	Body     string
	Form     []connection.KV
}

// normalised trims what the user cannot have meant (surrounding spaces in the
// URL and in names, blank rows), upper-cases the method and drops whatever
// the body type does not send. It is idempotent.
func (s spec) normalised() spec {
	out := spec{
		Method:   strings.ToUpper(strings.TrimSpace(s.Method)),
		URL:      strings.TrimSpace(s.URL),
		Query:    rows(s.Query),
		Headers:  rows(s.Headers),
		BodyType: s.BodyType,
	}
	if out.BodyType == "" {
		out.BodyType = BodyNone
	}
	switch out.BodyType {
	case BodyJSON:
		if strings.TrimSpace(s.Body) != "" {
			out.Body = s.Body
		}
	case BodyText:
		out.Body = s.Body
	case BodyForm:
		out.Form = rows(s.Form)
	}
	return out
}

// rows drops the rows that are entirely blank (forms keep some for typing)
// and trims names. It returns nil rather than an empty slice so that requests
// built twice compare equal.
func rows(kvs []connection.KV) []connection.KV {
	var out []connection.KV
	for _, kv := range kvs {
		if blankRow(kv) {
			continue
		}
		out = append(out, connection.KV{Key: strings.TrimSpace(kv.Key), Value: kv.Value})
	}
	return out
}

func blankRow(kv connection.KV) bool {
	return strings.TrimSpace(kv.Key) == "" && strings.TrimSpace(kv.Value) == ""
}

// request builds the connection.Request for a normalised spec.
func (s spec) request() connection.Request {
	req := connection.Request{
		Method:  s.Method,
		URL:     s.URL,
		Query:   slices.Clone(s.Query),
		Headers: slices.Clone(s.Headers),
	}
	switch s.BodyType {
	case BodyJSON, BodyText:
		if s.Body != "" {
			req.Body = []byte(s.Body)
		}
	case BodyForm:
		if len(s.Form) > 0 {
			req.Body = []byte(connection.EncodeQuery(s.Form))
			if _, ok := connection.HeaderValue(req.Headers, "Content-Type"); !ok {
				req.Headers = append(req.Headers, connection.KV{Key: "Content-Type", Value: "application/x-www-form-urlencoded"})
			}
		}
	}
	return req
}

// sameRequest reports whether a and b would send the same thing; nil and
// empty compare equal.
func sameRequest(a, b connection.Request) bool {
	return a.Method == b.Method && a.URL == b.URL &&
		slices.Equal(a.Query, b.Query) && slices.Equal(a.Headers, b.Headers) &&
		bytes.Equal(a.Body, b.Body)
}

func cloneRequest(r connection.Request) connection.Request {
	r.Query = slices.Clone(r.Query)
	r.Headers = slices.Clone(r.Headers)
	r.Body = bytes.Clone(r.Body)
	return r
}

// IsSecret reports whether a header, query or form field called name
// probably carries a credential, so its value should be masked when shown;
// see connection.IsSecretName.
func IsSecret(name string) bool { return connection.IsSecretName(name) }

// requestSecrets lists the values a request carries under secret-looking
// names — headers, query parameters (rows or written in the URL) and
// form-urlencoded fields — so what a server echoes of them, and the form
// body as sent, are not kept in samples and history.
func requestSecrets(req connection.Request) []string {
	var out []string
	add := func(kvs []connection.KV) {
		for _, kv := range kvs {
			if connection.IsSecretName(kv.Key) && kv.Value != "" {
				out = append(out, kv.Value)
			}
		}
	}
	add(req.Headers)
	add(req.Query)
	add(urlQuery(req.URL))
	if ct, _ := connection.HeaderValue(req.Headers, "Content-Type"); strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		add(urlQuery("?" + string(req.Body)))
	}
	return out
}
