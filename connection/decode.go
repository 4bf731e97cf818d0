package connection

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Send asks for gzip and deflate itself (net/http would ask for gzip only,
// and then hide both the encoding and the size on the wire) and decodes
// them itself, so that a response tells both sizes.
const acceptEncoding = "gzip, deflate"

// body is a response body as Send keeps it.
type body struct {
	data      []byte // the first cap bytes, decoded
	size      int64  // decoded bytes in all, kept or not
	wire      int64  // bytes received
	encoding  string // the Content-Encoding, as received
	truncated bool
	note      string // why the body is not what the server meant, in words
}

// readBody reads r's body, decoding gzip and deflate, keeping at most limit
// decoded bytes and counting the rest. The memory it takes is bounded by
// limit, however much the server sends.
//
// A body that cannot be decoded is not an error: the status and headers
// are still worth showing. One that is not compressed at all although its
// Content-Encoding says so is kept as received; one that breaks off
// mid-stream is kept up to the break and marked truncated; either way note
// says so. An error is a failure of the connection itself, for describe.
func readBody(r *http.Response, limit int64, watch bodyWatch) (body, error) {
	encodings := r.Header.Values("Content-Encoding")
	if len(encodings) == 0 {
		data, err := readUpTo(r.Body, limit, r.ContentLength, watch)
		b := body{data: data, size: int64(len(data))}
		// Short of the limit without an error, readUpTo has read to the
		// end: there is no rest to count.
		if err == nil && int64(len(data)) >= limit {
			var rest int64
			rest, err = io.Copy(io.Discard, r.Body)
			b.size += rest
		}
		b.wire, b.truncated = b.size, b.size > int64(len(data))
		return b, err
	}
	wire := &countingReader{r: r.Body}
	b := body{encoding: CleanText(strings.Join(encodings, ", "))}
	src, note, decoded := decoderFor(wire, b.encoding)
	b.note = note

	hint := int64(-1)
	if !decoded {
		hint = r.ContentLength
	}
	data, rerr := readUpTo(src, limit, hint, watch)
	rest := int64(0)
	if rerr == nil {
		rest, rerr = io.Copy(io.Discard, src)
	}
	b.data, b.size, b.wire = data, int64(len(data))+rest, wire.n
	b.truncated = b.size > int64(len(data))
	if rerr != nil {
		if wire.err != nil && wire.err != io.EOF {
			return b, wire.err // the connection failed, not the decoding
		}
		b.truncated = true
		b.note = fmt.Sprintf("the %s body is corrupt after %d decoded bytes (%s) — it is cut there", b.encoding, b.size, CleanText(rerr.Error()))
	}
	return b, nil
}

// decoderFor wraps r in the decoders of a Content-Encoding, outermost last.
// decoded is false when the body is left as received, and note then says
// why when there is a reason to say it.
func decoderFor(r io.Reader, encoding string) (src io.Reader, note string, decoded bool) {
	var codings []string
	for c := range strings.SplitSeq(strings.ToLower(encoding), ",") {
		if c = strings.TrimSpace(c); c != "" && c != "identity" {
			codings = append(codings, c)
		}
	}
	for _, c := range codings {
		if c != "gzip" && c != "x-gzip" && c != "deflate" {
			return r, fmt.Sprintf("the body is %s-encoded, which patchbay does not decode — it is shown as received", CleanText(c)), false
		}
	}
	src = r
	for i := len(codings) - 1; i >= 0; i-- {
		next, err := decoder(src, codings[i])
		if errors.Is(err, errNotEncoded) {
			return next, "the body is marked " + codings[i] + " but is not — it is shown as received", decoded
		}
		src, decoded = next, true
	}
	return src, "", decoded
}

// errNotEncoded is a body that does not start as its coding says.
var errNotEncoded = errors.New("not encoded")

// decoder reads r as coding (gzip or deflate). deflate is the zlib format
// (RFC 1950) by the standard, but some servers send raw deflate (RFC 1951):
// the zlib header tells them apart. An empty body needs no decoding.
// With errNotEncoded, the reader returned still holds all of r.
func decoder(r io.Reader, coding string) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if len(head) == 0 && err == io.EOF {
		return br, nil
	}
	if coding == "deflate" {
		if len(head) == 2 && head[0]&0x0f == 8 && (uint(head[0])<<8|uint(head[1]))%31 == 0 {
			return &lazyDecoder{open: func() (io.Reader, error) { return zlib.NewReader(br) }}, nil
		}
		return flate.NewReader(br), nil
	}
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		return br, errNotEncoded
	}
	return &lazyDecoder{open: func() (io.Reader, error) { return gzip.NewReader(br) }}, nil
}

// lazyDecoder opens its decoder, which reads a header, at the first Read,
// so that a broken header is an error of reading the body like any other.
type lazyDecoder struct {
	open func() (io.Reader, error)
	r    io.Reader
	err  error
}

func (d *lazyDecoder) Read(p []byte) (int, error) {
	if d.r == nil && d.err == nil {
		d.r, d.err = d.open()
	}
	if d.err != nil {
		return 0, d.err
	}
	return d.r.Read(p)
}

// countingReader counts the bytes read through it and keeps the last error.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}
