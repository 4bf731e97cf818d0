package connection

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// multipartBody is a form with two fields and two files, and its
// Content-Type.
func multipartBody(t *testing.T) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("name", "patchbay")
	w.WriteField("note", "fields and files, ünïcode too")
	for name, content := range map[string]string{"report": "line 1\nline 2\n", "data": strings.Repeat(`{"row":1},`, 3000)} {
		f, err := w.CreateFormFile(name, name+".txt")
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, content)
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// countedSource streams b and counts how often it was opened.
func countedSource(b []byte, length int64, opens *atomic.Int32) *BodySource {
	return &BodySource{
		Open: func() (io.ReadCloser, error) {
			opens.Add(1)
			return io.NopCloser(bytes.NewReader(b)), nil
		},
		Length:  length,
		Summary: "multipart form: 2 fields, 2 files",
	}
}

// formEcho is what httpbin's /anything says of a form it received.
type formEcho struct {
	Data  string              `json:"data"`
	Form  map[string][]string `json:"form"`
	Files map[string][]string `json:"files"`
}

func TestStreamedMultipart(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	body, contentType := multipartBody(t)
	for _, length := range []int64{int64(len(body)), -1} {
		var opens atomic.Int32
		resp := mustSend(t, conn, Request{Method: "POST", URL: "/anything", Headers: []KV{{"Content-Type", contentType}},
			Stream: countedSource(body, length, &opens)})
		var got formEcho
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			t.Fatalf("length %d: %v: %s", length, err, resp.Body)
		}
		if got.Data != string(body) {
			t.Errorf("length %d: the server received %d bytes, not the %d sent", length, len(got.Data), len(body))
		}
		if got.Form["name"][0] != "patchbay" || got.Form["note"][0] != "fields and files, ünïcode too" ||
			got.Files["report"][0] != "line 1\nline 2\n" || len(got.Files["data"][0]) != 30000 {
			t.Errorf("length %d: form %v, files %d", length, got.Form, len(got.Files))
		}
		if n := opens.Load(); n != 1 {
			t.Errorf("length %d: opened %d times, want 1", length, n)
		}
		if string(resp.Request.Body) != "multipart form: 2 fields, 2 files" {
			t.Errorf("length %d: the request as sent shows body %q, want the summary", length, resp.Request.Body)
		}
		// A known length goes out as Content-Length, an unknown one chunked.
		if cl, _ := HeaderValue(resp.Request.Headers, "Content-Length"); length > 0 && cl != strconv.FormatInt(length, 10) {
			t.Errorf("Content-Length %q, want %d", cl, length)
		}
		if te, _ := HeaderValue(resp.Request.Headers, "Transfer-Encoding"); (length < 0) != (te == "chunked") {
			t.Errorf("length %d: Transfer-Encoding %q", length, te)
		}
	}
}

// TestStreamResentAfter307: a 307 resends the body, opened again.
func TestStreamResentAfter307(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	body, contentType := multipartBody(t)
	var opens atomic.Int32
	resp := mustSend(t, conn, Request{Method: "POST", URL: "/redirect-to", Query: []KV{{"url", "/anything"}, {"status_code", "307"}},
		Headers: []KV{{"Content-Type", contentType}}, Stream: countedSource(body, int64(len(body)), &opens)})
	var got formEcho
	if err := json.Unmarshal(resp.Body, &got); err != nil || got.Data != string(body) {
		t.Fatalf("after the 307 the server received %d bytes, want %d (%v)", len(got.Data), len(body), err)
	}
	if n := opens.Load(); n != 2 {
		t.Errorf("opened %d times, want 2 (the request and the redirect)", n)
	}
	if len(resp.Redirects) != 1 || resp.Redirects[0] != (Hop{Status: 307, URL: srv.URL + "/anything"}) {
		t.Errorf("redirects %+v", resp.Redirects)
	}
}

// TestStreamReopenedOnRetry: every attempt opens the body afresh.
func TestStreamReopenedOnRetry(t *testing.T) {
	srv, conn := newScripted(t, answer(503), answer(502))
	body, contentType := multipartBody(t)
	var opens atomic.Int32
	resp := mustSend(t, conn, Request{Method: "PUT", URL: "/anything", Headers: []KV{{"Content-Type", contentType}},
		Stream: countedSource(body, int64(len(body)), &opens), Options: Options{Retries: 2}})
	var got formEcho
	if err := json.Unmarshal(resp.Body, &got); err != nil || got.Data != string(body) {
		t.Fatalf("the third attempt delivered %d bytes, want %d (%v)", len(got.Data), len(body), err)
	}
	if n, hits := opens.Load(), len(srv.seen()); n != 3 || hits != 3 {
		t.Errorf("opened %d times for %d attempts, want 3 and 3", n, hits)
	}

	// A source that cannot be opened is the request's fault.
	e := sendError(t, t.Context(), conn, Request{Method: "PUT", URL: "/anything", Stream: &BodySource{
		Open: func() (io.ReadCloser, error) { return nil, errors.New("open report.pdf: permission denied") }}})
	if e.Kind != KindInvalid || e.Reason != "the request body cannot be read: open report.pdf: permission denied" {
		t.Errorf("%v %q", e.Kind, e.Reason)
	}
}

// TestStreamSignedWithSigV4: the signer hashes a streamed body from a
// fresh copy, on the first request and again after a 307.
func TestStreamSignedWithSigV4(t *testing.T) {
	useAWSClock(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	v := newSigV4Verifier("s3", "eu-west-1")
	v.addKey("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")
	srv := newSigV4Server(t, v)
	conn := Connection{Name: "S3", BaseURL: srv.URL, Auth: Auth{Type: AuthAWSKey, AWS: &AWS{
		Service: "s3", Region: "eu-west-1", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}}
	body := bytes.Repeat([]byte("streamed "), 10000)
	var opens atomic.Int32
	resp := mustSend(t, conn, Request{Method: "POST", URL: "/redirect-307", Stream: countedSource(body, int64(len(body)), &opens)})
	if resp.Status != 200 {
		t.Fatalf("%s; the server rejected %q", resp.StatusText, srv.rejected())
	}
	hits := srv.verified()
	if len(hits) != 2 || !bytes.Equal(hits[0].body, body) || !bytes.Equal(hits[1].body, body) {
		t.Fatalf("verified %d requests, want 2 with the whole body", len(hits))
	}
	sum := sha256.Sum256(body)
	if h, _ := HeaderValue(resp.Request.Headers, "X-Amz-Content-Sha256"); h != hex.EncodeToString(sum[:]) {
		t.Errorf("X-Amz-Content-Sha256 %q, want the body's hash", h)
	}
	if n := opens.Load(); n < 2 {
		t.Errorf("opened %d times, want at least once per hop", n)
	}
}

// TestSentHeadersAsWritten: the request as sent lists the header fields
// in the order and spelling a raw TCP server received them, credentials
// redacted.
func TestSentHeadersAsWritten(t *testing.T) {
	srv := newRawServer(t)
	for _, caseSensitive := range []bool{false, true} {
		conn := Connection{ID: nextConnID(), Name: "raw", BaseURL: "http://" + srv.addr, CaseSensitiveHeaders: caseSensitive,
			Auth: Auth{Type: AuthAPIKey, Key: "key-secret-4711", KeyHeader: "X-api-KEY"}}
		resp := mustSend(t, conn, Request{Method: "POST", URL: "/h?page=2", Body: []byte("hello"), Headers: []KV{
			{"x-Zeta", "last?"}, {"X-Alpha", "1"}, {"x-multi", "a"}, {"x-multi", "b"}, {"Content-Type", "text/plain"}, {"X-Session-Token", "typed-secret-99"}}})
		srv.mu.Lock()
		head := srv.heads[len(srv.heads)-1]
		srv.mu.Unlock()
		lines := strings.Split(strings.TrimSuffix(head, "\r\n\r\n"), "\r\n")[1:]

		var shown []string
		for _, h := range resp.Request.Headers {
			shown = append(shown, h.Key+": "+h.Value)
		}
		if len(shown) != len(lines) {
			t.Fatalf("case sensitive %v: shown\n%s\nreceived\n%s", caseSensitive, strings.Join(shown, "\n"), strings.Join(lines, "\n"))
		}
		for i, line := range lines {
			name, value, _ := strings.Cut(line, ": ")
			switch {
			case strings.EqualFold(name, "X-Api-Key") || strings.EqualFold(name, "X-Session-Token"):
				if value == Redacted || shown[i] != name+": "+Redacted {
					t.Errorf("case sensitive %v: line %d received %q, shown %q; want the secret sent and shown redacted", caseSensitive, i, line, shown[i])
				}
			case shown[i] != line:
				t.Errorf("case sensitive %v: line %d received %q, shown %q", caseSensitive, i, line, shown[i])
			}
		}
		if !strings.HasPrefix(lines[0], "Host: ") || !slicesContain(lines, "Accept-Encoding: gzip, deflate") || !slicesContain(lines, "Content-Length: 5") {
			t.Errorf("received %q", lines)
		}
		wantName := map[bool]string{false: "X-Zeta", true: "x-Zeta"}[caseSensitive]
		if !slicesContain(lines, wantName+": last?") {
			t.Errorf("case sensitive %v: received %q, want %s", caseSensitive, lines, wantName)
		}
		if strings.Contains(strings.Join(shown, "\n"), "secret") {
			t.Errorf("a secret is shown: %q", shown)
		}
	}
}

func slicesContain(lines []string, line string) bool {
	for _, l := range lines {
		if l == line {
			return true
		}
	}
	return false
}

func TestRedirectChain(t *testing.T) {
	srv := newHTTPBin(t)
	conn := Connection{Name: "bin", BaseURL: srv.URL}
	resp := mustSend(t, conn, Request{URL: "/redirect/3"})
	want := []Hop{{302, srv.URL + "/relative-redirect/2"}, {302, srv.URL + "/relative-redirect/1"}, {302, srv.URL + "/get"}}
	if resp.Status != 200 || len(resp.Redirects) != 3 {
		t.Fatalf("/redirect/3: %d with redirects %+v", resp.Status, resp.Redirects)
	}
	for i := range want {
		if resp.Redirects[i] != want[i] {
			t.Errorf("hop %d: %+v, want %+v", i+1, resp.Redirects[i], want[i])
		}
	}

	// Max 0: the 302 itself is the answer.
	zero, two, one := 0, 2, 1
	resp = mustSend(t, conn, Request{URL: "/redirect/1", Options: Options{MaxRedirects: &zero}})
	if resp.Status != 302 || resp.Header("Location") != "/get" || resp.Redirects != nil {
		t.Errorf("max 0: %d, Location %q, redirects %+v", resp.Status, resp.Header("Location"), resp.Redirects)
	}
	e := sendError(t, t.Context(), conn, Request{URL: "/redirect/3", Options: Options{MaxRedirects: &two}})
	if e.Kind != KindProtocol || e.Reason != "stopped after 2 redirects (max redirects) — the next one pointed to "+srv.URL+"/get" {
		t.Errorf("max 2: %v %q", e.Kind, e.Reason)
	}
	e = sendError(t, t.Context(), conn, Request{URL: "/redirect/2", Options: Options{MaxRedirects: &one}})
	if !strings.HasPrefix(e.Reason, "stopped after 1 redirect (") {
		t.Errorf("max 1: %q", e.Reason)
	}

	// A hop's URL is redacted like the request's.
	resp = mustSend(t, conn, Request{URL: "/redirect-to", Query: []KV{{"url", "/anything?access_token=TYPED-TOKEN-5&page=1"}}})
	if len(resp.Redirects) != 1 || strings.Contains(resp.Redirects[0].URL, "TYPED-TOKEN-5") || !strings.Contains(resp.Redirects[0].URL, "page=1") {
		t.Errorf("hop %+v", resp.Redirects)
	}
	if u, _ := url.Parse(resp.Redirects[0].URL); u.Query().Get("access_token") != Redacted {
		t.Errorf("hop URL %s, want access_token redacted", resp.Redirects[0].URL)
	}
}

// TestVerifyTLSNarrows: an action can turn verification on for a
// connection that ignores TLS errors, and the connection keeps working
// without it.
func TestVerifyTLSNarrows(t *testing.T) {
	srv := newTLSHTTPBin(t)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	conn := Connection{ID: nextConnID(), Name: "lax", BaseURL: srv.URL, TLS: TLS{Insecure: true}}
	if resp := mustSend(t, conn, Request{URL: "/get"}); resp.Status != 200 {
		t.Fatalf("insecure connection: %s", resp.StatusText)
	}
	e := sendError(t, t.Context(), conn, Request{URL: "/get", Options: Options{VerifyTLS: true}})
	if e.Kind != KindTLS || !strings.Contains(e.Reason, "self-signed") && !strings.Contains(e.Reason, "not trust") {
		t.Errorf("with VerifyTLS: %v %q, want a certificate failure", e.Kind, e.Reason)
	}
	if resp := mustSend(t, conn, Request{URL: "/get"}); resp.Status != 200 {
		t.Errorf("insecure connection after a narrowed send: %s", resp.StatusText)
	}

	// With its own CA, narrowing changes nothing: it verifies already.
	ca := TLS{CA: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))}
	trusted := Connection{ID: nextConnID(), Name: "ca", BaseURL: srv.URL, TLS: ca}
	if resp := mustSend(t, trusted, Request{URL: "/get", Options: Options{VerifyTLS: true}}); resp.Status != 200 {
		t.Errorf("own CA with VerifyTLS: %s", resp.StatusText)
	}
}
