package connection

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// scripted answers its first requests with steps, in order, and every later
// one with httpbin; it notes when each request arrived and when its answer
// had been flushed.
type scripted struct {
	steps []http.HandlerFunc
	next  http.Handler

	mu   sync.Mutex
	hits []hit
}

type hit struct {
	method, path      string
	arrived, answered time.Time
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := len(s.hits)
	s.hits = append(s.hits, hit{method: r.Method, path: r.URL.Path, arrived: time.Now()})
	s.mu.Unlock()
	if n < len(s.steps) {
		s.steps[n](w, r)
		w.(http.Flusher).Flush()
	} else {
		s.next.ServeHTTP(w, r)
	}
	s.mu.Lock()
	s.hits[n].answered = time.Now()
	s.mu.Unlock()
}

func (s *scripted) seen() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hit(nil), s.hits...)
}

// newScripted serves steps, then httpbin, on loopback for the test.
func newScripted(t *testing.T, steps ...http.HandlerFunc) (*scripted, Connection) {
	t.Helper()
	s := &scripted{steps: steps, next: httpbin.New()}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, Connection{Name: "flaky", BaseURL: srv.URL}
}

// answer is a step that answers with code and the given header lines.
func answer(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, h := range header {
			name, value, _ := strings.Cut(h, ": ")
			w.Header().Add(name, value)
		}
		w.WriteHeader(code)
		w.Write([]byte(http.StatusText(code)))
	}
}

func TestRetriesUntilSuccess(t *testing.T) {
	srv, conn := newScripted(t, answer(503), answer(503))
	var progress []Attempt
	resp := mustSend(t, conn, Request{URL: "/get", Options: Options{Retries: 3, Progress: func(a Attempt) { progress = append(progress, a) }}})
	if n := len(srv.seen()); n != 3 || resp.Status != 200 {
		t.Fatalf("server saw %d attempts, final status %d; want 3 and 200", n, resp.Status)
	}
	want := []Attempt{
		{N: 1, Of: 4, Status: 503},
		{N: 2, Of: 4, Why: "503 Service Unavailable", Status: 503},
		{N: 3, Of: 4, Why: "503 Service Unavailable", Status: 200},
	}
	if len(resp.Attempts) != len(want) {
		t.Fatalf("Attempts %+v, want %d of them", resp.Attempts, len(want))
	}
	for i, a := range resp.Attempts {
		if a != want[i] {
			t.Errorf("attempt %d: %+v, want %+v", i+1, a, want[i])
		}
	}
	// Progress hears of each attempt as it starts, before its outcome.
	if len(progress) != 3 || progress[2].N != 3 || progress[2].Why != "503 Service Unavailable" || progress[2].Status != 0 {
		t.Errorf("Progress got %+v", progress)
	}
}

func TestOneAttemptHasNoAttemptsList(t *testing.T) {
	_, conn := newScripted(t)
	if resp := mustSend(t, conn, Request{URL: "/get", Options: Options{Retries: 3}}); resp.Attempts != nil {
		t.Errorf("a first-time success lists attempts %+v", resp.Attempts)
	}
}

func TestUnsafeMethodsRetriedOnlyWhenAllowed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		req      Request
		attempts int
	}{
		{"POST", Request{Method: "POST", URL: "/anything", Options: Options{Retries: 2}}, 1},
		{"PATCH", Request{Method: "PATCH", URL: "/anything", Options: Options{Retries: 2}}, 1},
		{"POST with RetryUnsafe", Request{Method: "POST", URL: "/anything", Options: Options{Retries: 2, RetryUnsafe: true}}, 3},
		{"POST with an Idempotency-Key", Request{Method: "POST", URL: "/anything", Options: Options{Retries: 2},
			Headers: []KV{{"idempotency-key", "8e03978e-40d5-43e8-bc93-6894a57f9324"}}}, 3},
		{"PUT", Request{Method: "PUT", URL: "/anything", Options: Options{Retries: 2}}, 3},
		{"DELETE", Request{Method: "DELETE", URL: "/anything", Options: Options{Retries: 2}}, 3},
	} {
		srv, conn := newScripted(t, answer(503), answer(503))
		resp := mustSend(t, conn, tc.req)
		if n := len(srv.seen()); n != tc.attempts {
			t.Errorf("%s: the server saw %d attempts, want %d", tc.name, n, tc.attempts)
		}
		if wantStatus := map[bool]int{true: 200, false: 503}[tc.attempts == 3]; resp.Status != wantStatus {
			t.Errorf("%s: final status %d, want %d", tc.name, resp.Status, wantStatus)
		}
	}
}

func TestRetryAllErrors(t *testing.T) {
	for _, tc := range []struct {
		step     http.HandlerFunc
		opts     Options
		attempts int
	}{
		{answer(404), Options{Retries: 1}, 1},
		{answer(404), Options{Retries: 1, RetryAllErrors: true}, 2},
		{answer(429), Options{Retries: 1}, 1},
		{answer(429), Options{Retries: 1, RetryAllErrors: true}, 2},
		{answer(302), Options{Retries: 1, RetryAllErrors: true}, 2}, // a 302 without Location is an answer, not a redirect
		{answer(500), Options{Retries: 1}, 2},
		{answer(200), Options{Retries: 1, RetryAllErrors: true}, 1},
	} {
		srv, conn := newScripted(t, tc.step)
		mustSend(t, conn, Request{URL: "/get", Options: tc.opts})
		if n := len(srv.seen()); n != tc.attempts {
			t.Errorf("%+v: the server saw %d attempts, want %d", tc.opts, n, tc.attempts)
		}
	}
	// Not following redirects (max 0) makes a 3xx the answer asked for.
	srv, conn := newScripted(t, answer(302, "Location: /get"))
	zero := 0
	if resp := mustSend(t, conn, Request{URL: "/x", Options: Options{Retries: 1, RetryAllErrors: true, MaxRedirects: &zero}}); resp.Status != 302 || len(srv.seen()) != 1 {
		t.Errorf("a 302 not to be followed was retried (%d attempts)", len(srv.seen()))
	}
}

func TestNetworkErrorsRetried(t *testing.T) {
	addr := closedAddr(t)
	var whys []string
	e := sendError(t, t.Context(), Connection{Name: "gone", BaseURL: "http://" + addr}, Request{URL: "/",
		Options: Options{Retries: 2, RetryDelay: time.Millisecond, Progress: func(a Attempt) { whys = append(whys, a.Why) }}})
	if e.Kind != KindUnreachable || !strings.HasPrefix(e.Reason, "connection refused") || !strings.HasSuffix(e.Reason, " (3 attempts)") {
		t.Errorf("error %v %q, want connection refused after 3 attempts", e.Kind, e.Reason)
	}
	if len(whys) != 3 || whys[1] != "connection refused" || whys[2] != "connection refused" {
		t.Errorf("attempts started because of %q", whys)
	}
}

// TestTLSFailureNotRetried: a certificate does not get better by asking
// again; the server sees one handshake.
func TestTLSFailureNotRetried(t *testing.T) {
	var handshakes int
	var mu sync.Mutex
	srv := httptest.NewUnstartedServer(httpbin.New())
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			handshakes++
			mu.Unlock()
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	e := sendError(t, t.Context(), Connection{Name: "tls", BaseURL: srv.URL}, Request{URL: "/get", Options: Options{Retries: 3}})
	mu.Lock()
	defer mu.Unlock()
	if e.Kind != KindTLS || handshakes != 1 || strings.Contains(e.Reason, "attempts") {
		t.Errorf("%v %q after %d connections; want one TLS failure", e.Kind, e.Reason, handshakes)
	}
}

// TestRetryAfterSeconds: the wait after a 429 with Retry-After: 1 is at
// least a second, as the server measures it, in real time.
func TestRetryAfterSeconds(t *testing.T) {
	srv, conn := newScripted(t, answer(429, "Retry-After: 1"))
	resp := mustSend(t, conn, Request{URL: "/get", Options: Options{Retries: 2, RetryAllErrors: true}})
	hits := srv.seen()
	if len(hits) != 2 || resp.Status != 200 {
		t.Fatalf("%d attempts, status %d; want 2 and 200", len(hits), resp.Status)
	}
	if gap := hits[1].arrived.Sub(hits[0].answered); gap < time.Second {
		t.Errorf("the retry came %v after the 429 was sent, want at least 1s", gap)
	}
	if a := resp.Attempts[1]; a.Why != "429 Too Many Requests (Retry-After: 1)" || a.Waited != time.Second {
		t.Errorf("attempt 2: %+v", a)
	}
}

// TestRetryAfterDate: an HTTP-date Retry-After on a 503 is waited for.
func TestRetryAfterDate(t *testing.T) {
	at := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
	srv, conn := newScripted(t, answer(503, "Retry-After: "+at.Format(http.TimeFormat)))
	resp := mustSend(t, conn, Request{URL: "/get", Options: Options{Retries: 1}})
	hits := srv.seen()
	if len(hits) != 2 || resp.Status != 200 {
		t.Fatalf("%d attempts, status %d; want 2 and 200", len(hits), resp.Status)
	}
	if hits[1].arrived.Before(at) {
		t.Errorf("the retry came at %s, before the Retry-After date %s", hits[1].arrived.Format(time.StampMilli), at.Format(time.StampMilli))
	}
}

// TestRetryAfterTooLong: a server asking for a year (in seconds or as a
// date) is not waited for; the answer comes at once and says why.
func TestRetryAfterTooLong(t *testing.T) {
	for _, value := range []string{"31536000", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat)} {
		srv, conn := newScripted(t, answer(503, "Retry-After: "+value))
		start := time.Now()
		resp := mustSend(t, conn, Request{URL: "/get", Options: Options{Retries: 3}})
		if len(srv.seen()) != 1 || resp.Status != 503 || time.Since(start) > 5*time.Second {
			t.Fatalf("Retry-After %s: %d attempts, status %d after %v", value, len(srv.seen()), resp.Status, time.Since(start))
		}
		if !strings.HasPrefix(resp.Note, "not retried: the server asked to wait 87") || !strings.Contains(resp.Note, "more than patchbay waits at most (2m)") {
			t.Errorf("Retry-After %s: note %q", value, resp.Note)
		}
	}
}

// TestRetryStopsAtDeadline: a wait that would pass the deadline is not
// begun.
func TestRetryStopsAtDeadline(t *testing.T) {
	srv, conn := newScripted(t, answer(503, "Retry-After: 5"))
	start := time.Now()
	resp := mustSend(t, conn, Request{URL: "/get", Options: Options{Retries: 3, Deadline: 2 * time.Second}})
	if len(srv.seen()) != 1 || resp.Status != 503 || time.Since(start) > time.Second {
		t.Fatalf("%d attempts, status %d after %v; want the 503 at once", len(srv.seen()), resp.Status, time.Since(start))
	}
	if resp.Note != "not retried: waiting 5s (Retry-After: 5) would pass the deadline" {
		t.Errorf("note %q", resp.Note)
	}

	// The same for errors, which then say so.
	_, conn = newScripted(t, answer(503))
	conn.BaseURL = "http://" + closedAddr(t)
	e := sendError(t, t.Context(), conn, Request{URL: "/", Options: Options{Retries: 3, RetryDelay: time.Hour, Deadline: time.Minute}})
	if e.Kind != KindUnreachable || !strings.HasSuffix(e.Reason, " (not retried: waiting 1h would pass the deadline)") {
		t.Errorf("%v %q", e.Kind, e.Reason)
	}
}

// TestAttemptTimeout: Timeout bounds each attempt, promptly, and an
// attempt that runs out of time is retried like a network failure.
func TestAttemptTimeout(t *testing.T) {
	srv, conn := newScripted(t)
	start := time.Now()
	e := sendError(t, t.Context(), conn, Request{URL: "/delay/3", Options: Options{Timeout: 500 * time.Millisecond}})
	if took := time.Since(start); e.Kind != KindTimeout || e.Reason != "no response within 500ms" || took > 2*time.Second {
		t.Errorf("%v %q after %v, want a timeout after 500ms", e.Kind, e.Reason, took)
	}

	start = time.Now()
	e = sendError(t, t.Context(), conn, Request{URL: "/delay/3", Options: Options{Timeout: 300 * time.Millisecond, Retries: 1}})
	if took := time.Since(start); e.Kind != KindTimeout || e.Reason != "no response within 300ms (2 attempts)" || took > 2500*time.Millisecond {
		t.Errorf("%v %q after %v, want two timeouts of 300ms", e.Kind, e.Reason, took)
	}
	if n := len(srv.seen()); n != 3 {
		t.Errorf("the server saw %d requests, want 3", n)
	}
}

// TestDeadline: Deadline bounds the whole Send, whatever the timeout.
func TestDeadline(t *testing.T) {
	_, conn := newScripted(t)
	start := time.Now()
	e := sendError(t, t.Context(), conn, Request{URL: "/delay/3", Options: Options{Timeout: 10 * time.Second, Deadline: 700 * time.Millisecond, Retries: 3}})
	if took := time.Since(start); e.Kind != KindTimeout || e.Reason != "no response before the deadline of 700ms passed" || took > 2*time.Second {
		t.Errorf("%v %q after %v", e.Kind, e.Reason, took)
	}
}

// useSleep replaces the wait between attempts for the rest of the test.
// Tests that call it must not be parallel.
func useSleep(t *testing.T, f func(context.Context, time.Duration) error) {
	t.Helper()
	old := sleep
	sleep = f
	t.Cleanup(func() { sleep = old })
}

// TestCancelDuringWait: the caller's cancel (esc) ends a wait for a retry
// at once.
func TestCancelDuringWait(t *testing.T) {
	real := sleep
	waiting := make(chan time.Duration, 1)
	useSleep(t, func(ctx context.Context, d time.Duration) error {
		waiting <- d
		return real(ctx, d)
	})
	_, conn := newScripted(t, answer(503), answer(503), answer(503), answer(503))
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-waiting
		cancel()
	}()
	start := time.Now()
	e := sendError(t, ctx, conn, Request{URL: "/get", Options: Options{Retries: 3, RetryDelay: time.Minute}})
	if took := time.Since(start); e.Kind != KindCanceled || took > 5*time.Second || !errors.Is(e, context.Canceled) {
		t.Errorf("%v %q after %v, want canceled at once", e.Kind, e.Reason, took)
	}
	if e.Reason != "canceled while waiting to retry after 503 Service Unavailable (attempt 2 of 4 was next)" {
		t.Errorf("reason %q", e.Reason)
	}
}

func TestRetryDelaySchedule(t *testing.T) {
	old := jitter
	t.Cleanup(func() { jitter = old })
	jitter = func(d time.Duration) time.Duration { return d } // the ceiling
	var got []time.Duration
	for n := 1; n <= 10; n++ {
		got = append(got, retryDelay(Options{Backoff: true, RetryDelay: time.Hour}, n))
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("backoff ceilings %v, want %v", got, want)
			break
		}
	}
	if d := retryDelay(Options{Backoff: true}, 1000); d != backoffCap {
		t.Errorf("retry 1000: %v, want the cap", d)
	}
	if d := retryDelay(Options{RetryDelay: 3 * time.Second}, 5); d != 3*time.Second {
		t.Errorf("fixed delay: %v", d)
	}

	// Full jitter: anywhere from zero to the ceiling, not always the same.
	jitter = old
	seen := map[time.Duration]bool{}
	for range 200 {
		d := retryDelay(Options{Backoff: true}, 3)
		if d < 0 || d > time.Second {
			t.Fatalf("jittered delay %v outside [0, 1s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Errorf("200 jittered delays took only %d values", len(seen))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"Sun, 01 Mar 2026 12:01:30 GMT", 90 * time.Second, true},
		{"Sunday, 01-Mar-26 12:00:10 GMT", 10 * time.Second, true}, // RFC 850
		{"Sun Mar  1 12:00:05 2026", 5 * time.Second, true},        // asctime
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},                 // past
		{"99999999999999999999999", 1<<63 - 1, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	neg := -1
	if errs := (Options{}).Validate(); len(errs) != 0 {
		t.Errorf("zero options: %v", errs)
	}
	errs := Options{Retries: -1, RetryDelay: -1, Timeout: -1, Deadline: -1, MaxRedirects: &neg, BodyCap: -1}.Validate()
	for _, field := range []string{"retries", "retry_delay", "timeout", "deadline", "max_redirects", "body_cap"} {
		if errs.For(field) == "" {
			t.Errorf("no error for %s in %v", field, errs)
		}
	}
	if msg := (Options{Retries: MaxRetries + 1}).Validate().For("retries"); msg != "at most 10 retries" {
		t.Errorf("11 retries: %q", msg)
	}
	srv := newHTTPBin(t)
	e := sendError(t, t.Context(), Connection{Name: "bin", BaseURL: srv.URL}, Request{URL: "/get", Options: Options{Retries: -2}})
	if e.Kind != KindInvalid || !strings.Contains(e.Reason, "retries cannot be negative") {
		t.Errorf("Send with bad options: %v %q", e.Kind, e.Reason)
	}
}

// A request that must not be sent twice is tried again when it was not
// sent at all — the connection refused — but not when it went out and
// the answer broke off: the server may have acted on it.
func TestUnsafeMethodRetriedWhenNothingWasSent(t *testing.T) {
	addr := closedAddr(t)
	e := sendError(t, t.Context(), Connection{Name: "gone", BaseURL: "http://" + addr}, Request{Method: "POST", URL: "/",
		Body: []byte(`{"n":1}`), Options: Options{Retries: 2, RetryDelay: time.Millisecond}})
	if !strings.HasPrefix(e.Reason, "connection refused") || !strings.HasSuffix(e.Reason, " (3 attempts)") {
		t.Errorf("POST refused: %q, want 3 attempts", e.Reason)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var got atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			got.Add(1)
			bufio.NewReader(c).ReadString('}') // the whole request, then no answer
			c.Close()
		}
	}()
	sendError(t, t.Context(), Connection{Name: "flaky", BaseURL: "http://" + ln.Addr().String()}, Request{Method: "POST", URL: "/",
		Body: []byte(`{"n":1}`), Options: Options{Retries: 2, RetryDelay: time.Millisecond}})
	if n := got.Load(); n != 1 {
		t.Errorf("a POST whose answer broke off was sent %d times, want 1", n)
	}
}
