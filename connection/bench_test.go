package connection

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"testing"
)

// Send against a bare net/http client: the same loopback server (a tiny
// handler with a small JSON body), keep-alive on both, one request after
// another.
//
//	go test -run '^$' -bench 'Send|BareHTTP' -benchmem -count 5 ./connection/
//
// BenchmarkBareHTTPTraced is the bare client doing the two things every
// Send must: bound the request with a timeout (a cancellable context) and
// note the header fields as written (httptrace). What Send costs beyond it
// is its own: resolving the URL, auth, options, redaction, decoding.

func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	body := []byte(`{"id":1,"name":"widget","tags":["a","b"],"ok":true}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkSend(b *testing.B) {
	srv := benchServer(b)
	conn := Connection{Name: "bench", BaseURL: srv.URL}
	req := Request{URL: "/items/1"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := Send(ctx, conn, req)
		if err != nil || resp.Status != http.StatusOK || len(resp.Body) == 0 {
			b.Fatalf("%v %d", err, resp.Status)
		}
	}
}

func BenchmarkBareHTTP(b *testing.B) {
	srv := benchServer(b)
	client := &http.Client{Transport: newBaseTransport()}
	url := srv.URL + "/items/1"
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || len(body) == 0 {
			b.Fatalf("%v %d", err, resp.StatusCode)
		}
	}
}

func BenchmarkBareHTTPTraced(b *testing.B) {
	srv := benchServer(b)
	client := &http.Client{Transport: newBaseTransport()}
	url := srv.URL + "/items/1"
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithTimeoutCause(context.Background(), DefaultTimeout, errTimedOut)
		var wire wireHeaders
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, wire.trace()), http.MethodGet, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if err != nil || resp.StatusCode != http.StatusOK || len(body) == 0 || len(wire.written()) == 0 {
			b.Fatalf("%v %d", err, resp.StatusCode)
		}
	}
}
