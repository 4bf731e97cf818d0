package wizard

import (
	"bytes"
	"runtime"
	"slices"
	"strings"
	"sync"
	"weak"

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
	Parts    []Part
	Options  connection.Options
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
		Options:  cloneOptions(s.Options),
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
	case BodyMultipart:
		out.Parts = parts(s.Parts)
	}
	return out
}

// parts drops the parts where nothing was typed and trims names, paths and
// types; values are sent as typed. Like rows it returns nil, not empty.
func parts(ps []Part) []Part {
	var out []Part
	for _, p := range ps {
		if p.blank() {
			continue
		}
		p.Name = strings.TrimSpace(p.Name)
		p.File = strings.TrimSpace(p.File)
		p.FileName = strings.TrimSpace(p.FileName)
		p.ContentType = strings.TrimSpace(p.ContentType)
		out = append(out, p)
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

// request builds the connection.Request for a normalised spec. A
// multipart body is a stream whose files are checked here: one that cannot
// be read is a *FileError.
func (s spec) request() (connection.Request, error) {
	req := connection.Request{
		Method:  s.Method,
		URL:     s.URL,
		Query:   slices.Clone(s.Query),
		Headers: slices.Clone(s.Headers),
		Options: cloneOptions(s.Options),
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
	case BodyMultipart:
		if len(s.Parts) == 0 {
			break
		}
		at, boundary, add, err := multipartContentType(req.Headers)
		if err != nil {
			return connection.Request{}, err
		}
		body, err := newMultipartBody(slices.Clone(s.Parts), boundary)
		if err != nil {
			return connection.Request{}, err
		}
		switch {
		case at < 0:
			req.Headers = append(req.Headers, connection.KV{Key: "Content-Type", Value: "multipart/form-data; boundary=" + boundary})
		case add:
			req.Headers[at].Value = strings.TrimRight(strings.TrimSpace(req.Headers[at].Value), ";") + "; boundary=" + boundary
		}
		req.Stream = body.source()
	}
	return req, nil
}

// sameRequest reports whether a and b would send the same thing; nil and
// empty compare equal. Two multipart bodies are the same when they were
// built from the same parts and files; their random boundaries (in the
// Content-Type too) do not count.
func sameRequest(a, b connection.Request) bool {
	ha, hb := a.Headers, b.Headers
	if a.Stream != nil || b.Stream != nil {
		ma, oka := builtFrom(a.Stream)
		mb, okb := builtFrom(b.Stream)
		if !oka || !okb || !ma.same(mb) {
			return false
		}
		ha, hb = maskBoundary(ha, ma.boundary), maskBoundary(hb, mb.boundary)
	}
	return a.Method == b.Method && a.URL == b.URL &&
		slices.Equal(a.Query, b.Query) && slices.Equal(ha, hb) &&
		bytes.Equal(a.Body, b.Body) && sameOptions(a.Options, b.Options)
}

// maskBoundary replaces boundary in the Content-Type headers.
func maskBoundary(headers []connection.KV, boundary string) []connection.KV {
	out := slices.Clone(headers)
	for i, h := range out {
		if strings.EqualFold(h.Key, "Content-Type") {
			out[i].Value = strings.ReplaceAll(h.Value, boundary, "BOUNDARY")
		}
	}
	return out
}

func cloneRequest(r connection.Request) connection.Request {
	r.Query = slices.Clone(r.Query)
	r.Headers = slices.Clone(r.Headers)
	r.Body = bytes.Clone(r.Body)
	r.Options = cloneOptions(r.Options)
	return r
}

// sentBody is what a kept sample or run shows as the body of the request
// as sent: a stream's Summary, never its bytes.
func sentBody(req connection.Request, resp connection.Response) connection.Response {
	if req.Stream != nil {
		resp.Request.Body = []byte(req.Stream.Summary)
	}
	return resp
}

// IsSecret reports whether a header, query or form field called name
// probably carries a credential, so its value should be masked when shown;
// see connection.IsSecretName.
func IsSecret(name string) bool { return connection.IsSecretName(name) }

// requestSecrets lists the values a request carries under secret-looking
// names — headers, query parameters (rows or written in the URL),
// form-urlencoded fields and multipart values — so what a server echoes of
// them, and the form body as sent, are not kept in samples and history.
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
	if m, ok := builtFrom(req.Stream); ok {
		out = append(out, m.secrets()...)
	}
	return out
}

// bodies remembers what each BodySource this package built was built from,
// so that requests can be compared (is the sample stale?) although a
// BodySource holds a function. Keys are weak: an entry goes when its
// BodySource does.
var bodies sync.Map // weak.Pointer[connection.BodySource] → *multipartBody

func remember(src *connection.BodySource, m *multipartBody) {
	key := weak.Make(src)
	bodies.Store(key, m)
	runtime.AddCleanup(src, func(key weak.Pointer[connection.BodySource]) { bodies.Delete(key) }, key)
}

// builtFrom returns what src was built from, if this package built it.
func builtFrom(src *connection.BodySource) (*multipartBody, bool) {
	if src == nil {
		return nil, false
	}
	v, ok := bodies.Load(weak.Make(src))
	if !ok {
		return nil, false
	}
	return v.(*multipartBody), true
}
