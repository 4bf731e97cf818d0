package connection

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"
)

// exchange is one attempt: the request goes out, redirects are followed,
// and the final response comes back with its body read, decoded and capped,
// all within the attempt's timeout. ctx bounds the whole Send.
func (s *sender) exchange(ctx context.Context) (Response, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, s.timeout, errTimedOut)
	defer cancel()
	// One allocation for what the attempt needs (Send is benchmarked
	// against a bare client).
	x := &struct {
		wire   wireHeaders
		auth   authTransport
		policy redirectPolicy
		client http.Client
		url    url.URL
	}{}
	wire, auth, policy := &x.wire, &x.auth, &x.policy
	ctx = httptrace.WithClientTrace(ctx, wire.trace())
	hreq, err := s.newRequestFor(ctx, &x.url)
	if err != nil {
		return Response{}, err
	}
	*auth = authTransport{auth: s.conn.Auth, caseSensitive: s.conn.CaseSensitiveHeaders, scope: s.scope, creds: s.creds, base: s.base}
	*policy = redirectPolicy{scope: s.scope, credentials: s.credHeaders, max: s.opts.maxRedirects(), redact: s.redact}
	client := &x.client
	*client = http.Client{Transport: auth, CheckRedirect: policy.check}

	start := time.Now()
	hresp, err := client.Do(hreq)
	if err != nil {
		return Response{}, describe(s.redact, err, s.callerCtx, ctx, s.timeout, s.target)
	}
	defer hresp.Body.Close()
	b, err := readBody(hresp, s.opts.bodyCap(), s.watch(hresp))
	if err != nil {
		return Response{}, describe(s.redact, err, s.callerCtx, ctx, s.timeout, hresp.Request.URL)
	}
	elapsed := time.Since(start)

	// The first hop always goes through the auth transport; a transport
	// below it that writes no HTTP/1 or HTTP/2 (a test's) reports no header
	// fields, and then the ones it was given are shown.
	hop, _ := auth.firstHop()
	sent := SentRequest{Method: hop.method, URL: hop.url.String(), Headers: wire.written()}
	if sent.Headers == nil {
		sent.Headers = sortedHeaders(hop.header)
	}
	switch {
	case s.stream != nil:
		sent.Body = []byte(s.stream.Summary)
	case len(s.body) > 0:
		sent.Body = bytes.Clone(s.body[:min(int64(len(s.body)), s.opts.bodyCap())])
	}
	return Response{
		Request:    sent,
		Status:     hresp.StatusCode,
		StatusText: statusText(hresp),
		Proto:      hresp.Proto,
		Headers:    sortedHeaders(hresp.Header),
		Body:       b.data,
		Size:       b.size,
		Truncated:  b.truncated,
		Duration:   elapsed,
		Redirects:  policy.hops,
		Encoding:   b.encoding,
		WireSize:   b.wire,
		Note:       b.note,
		token:      s.token,
	}, nil
}

// watch is the body watch telling the caller's WithReceiving of resp's
// body, or nil.
func (s *sender) watch(resp *http.Response) bodyWatch {
	tell, _ := s.callerCtx.Value(receivingKey{}).(func(BodyProgress))
	if tell == nil {
		return nil
	}
	return func(head []byte, received int64) {
		p := BodyProgress{Received: received, token: s.token}
		if head != nil {
			p.Status, p.StatusText, p.Headers = resp.StatusCode, statusText(resp), sortedHeaders(resp.Header)
			p.Head = bytes.Clone(head)
		}
		tell(p)
	}
}

// newRequest builds the attempt's request, with a body of its own: a
// streamed body is opened afresh, and opened again (GetBody) for a redirect
// that resends it, for the AWS signer, which hashes it, and for NTLM.
func (s *sender) newRequest(ctx context.Context) (*http.Request, error) {
	return s.newRequestFor(ctx, new(url.URL))
}

// newRequestFor is newRequest with the request's copy of the URL in u.
func (s *sender) newRequestFor(ctx context.Context, u *url.URL) (*http.Request, error) {
	*u = *s.target
	u.Host = strings.TrimSuffix(u.Host, ":") // as NewRequest would
	// The URL is set rather than written out and parsed again.
	var hreq *http.Request
	if ctx != nil && s.stream == nil && len(s.body) == 0 {
		// What NewRequestWithContext makes without a body.
		r := http.Request{Method: s.method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: u.Host}
		hreq = r.WithContext(ctx)
	} else {
		var body io.Reader
		if s.stream == nil && len(s.body) > 0 {
			body = bytes.NewReader(s.body) // and net/http sets GetBody
		}
		var err error
		hreq, err = http.NewRequestWithContext(ctx, s.method, "", body)
		if err != nil {
			return nil, invalid("the request cannot be built: %s", s.redact.outside(unwrapURLError(err).Error()))
		}
		hreq.URL, hreq.Host = u, u.Host
	}
	// Shared by the attempts: nothing writes to the first request's
	// headers (the auth transport and each redirect work on copies).
	hreq.Header = s.header
	if s.host != "" {
		hreq.Host = s.host
	}
	if s.stream != nil {
		open := s.stream.Open
		if open == nil {
			return nil, invalid("the request body cannot be read: it has no source")
		}
		rc, err := open()
		if err != nil {
			return nil, invalid("the request body cannot be read: %s", s.redact.outside(err.Error()))
		}
		hreq.Body, hreq.GetBody, hreq.ContentLength = rc, open, s.stream.Length
	}
	return hreq, nil
}

// wireHeaders keeps the header fields of the first request written on the
// wire, in the order and spelling they were written (httptrace reports
// them as net/http writes them, Host and User-Agent included). A write that
// fails before its headers are all out is forgotten when the transport
// tries again on another connection.
type wireHeaders struct {
	mu   sync.Mutex
	kvs  []KV
	done bool

	hooks httptrace.ClientTrace
}

func (w *wireHeaders) trace() *httptrace.ClientTrace {
	w.hooks = httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) {
			w.mu.Lock()
			if !w.done {
				w.kvs = w.kvs[:0]
			}
			w.mu.Unlock()
		},
		WroteHeaderField: func(key string, values []string) {
			if strings.HasPrefix(key, ":") {
				return // HTTP/2's pseudo-headers: what Method and URL say
			}
			w.mu.Lock()
			if !w.done {
				if w.kvs == nil {
					w.kvs = make([]KV, 0, 8) // a usual request's fields
				}
				for _, v := range values {
					w.kvs = append(w.kvs, KV{Key: key, Value: v})
				}
			}
			w.mu.Unlock()
		},
		WroteHeaders: func() {
			w.mu.Lock()
			w.done = true
			w.mu.Unlock()
		},
	}
	return &w.hooks
}

// written returns the header fields of the first request that went out
// whole, or nil.
func (w *wireHeaders) written() []KV {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		return nil
	}
	return w.kvs
}

// requestHeaders checks the caller's headers and puts them in a header map;
// a Host header is returned apart, since net/http ignores it in the map.
// User-Agent and Accept-Encoding get patchbay's values unless set.
func requestHeaders(kvs []KV, caseSensitive bool) (h http.Header, host string, err error) {
	h = make(http.Header, len(kvs)+2)
	for _, kv := range kvs {
		name := strings.TrimSpace(kv.Key)
		switch {
		case name == "":
			continue
		case !isToken(name):
			return nil, "", invalid("%q is not a valid header name", name)
		case !validHeaderValue(kv.Value):
			return nil, "", invalid("the value of header %s may not contain line breaks or control characters", name)
		case strings.EqualFold(name, "Host"):
			host = kv.Value
		case caseSensitive:
			h[name] = append(h[name], kv.Value)
		default:
			h.Add(name, kv.Value)
		}
	}
	// The defaults' values are shared: a header's values are replaced,
	// never written to in place.
	if !hasHeader(h, "User-Agent") {
		h["User-Agent"] = defaultUserAgent
	}
	if !hasHeader(h, "Accept-Encoding") {
		h["Accept-Encoding"] = defaultAcceptEncoding
	}
	return h, host, nil
}
