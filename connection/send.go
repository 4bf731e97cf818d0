package connection

import (
	"context"
	"net/http"
	"time"
)

// MaxBody caps how much of a response body Send keeps in memory.
const MaxBody = 10 << 20

// Redacted replaces a secret wherever a request is shown, logged or stored.
const Redacted = "••••••"

// Request is what a caller asks Send to send. URL is relative to the
// connection's base URL; an absolute URL is accepted only when it points at
// the base URL's origin (or when the connection has no base URL).
type Request struct {
	Method  string
	URL     string
	Query   []KV // appended to any query already in URL
	Headers []KV
	Body    []byte
}

// SentRequest is the request exactly as it went out, with every credential
// replaced by Redacted: auth headers, auth query parameters, cookies.
type SentRequest struct {
	Method  string `json:"method"`
	URL     string `json:"url"`
	Headers []KV   `json:"headers"`
	Body    []byte `json:"body,omitempty"`
}

// Response is the result of one Send: what went out and what came back.
// A 4xx or 5xx status is a Response, not an error.
type Response struct {
	Request    SentRequest   `json:"request"`
	Status     int           `json:"status"`
	StatusText string        `json:"status_text"` // e.g. "404 Not Found"
	Proto      string        `json:"proto,omitempty"`
	Headers    []KV          `json:"headers"` // in the order received, names canonical
	Body       []byte        `json:"body,omitempty"`
	Size       int64         `json:"size"`      // bytes of body received, even past MaxBody
	Truncated  bool          `json:"truncated"` // Body holds only the first MaxBody bytes
	Duration   time.Duration `json:"duration"`
}

// Header returns the first value of the named response header (case-insensitive).
func (r Response) Header(name string) string {
	for _, h := range r.Headers {
		if http.CanonicalHeaderKey(h.Key) == http.CanonicalHeaderKey(name) {
			return h.Value
		}
	}
	return ""
}

// Send sends req through conn: resolves the URL against the base URL, applies
// auth, follows at most 5 redirects without leaking credentials, bounds the
// whole exchange by conn's timeout and ctx, and caps the body at MaxBody.
// Errors are *Error with a plain-words Reason and secrets redacted.
func Send(ctx context.Context, conn Connection, req Request) (Response, error) {
	panic("TODO")
}
