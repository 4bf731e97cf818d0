package connection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff waits a random time between zero and an exponential ceiling
// ("full jitter"): 250ms before the first retry, 500ms before the second,
// and so on up to 30s, so that many clients failing at once do not retry
// in step.
const (
	backoffBase = 250 * time.Millisecond
	backoffCap  = 30 * time.Second
)

// sleep waits d, or less if ctx is done first. Tests replace it to see the
// waits or to end them early.
var sleep = func(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jitter returns a random duration from 0 to d; tests fix it.
var jitter = func(d time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(d) + 1)) }

// run makes the attempts of a Send: one, and as many retries as the
// options allow while the outcome is worth retrying.
func (s *sender) run(ctx context.Context) (Response, error) {
	of := 1 + s.opts.Retries
	// A request that must not be sent twice is still tried again when
	// it was not sent at all: the connection was refused, or the host
	// not found (sentNothing).
	resend := idempotent(s.method) || s.opts.RetryUnsafe || hasHeader(s.header, "Idempotency-Key")
	if s.opts.Retries == 0 {
		// One attempt, whose outcome is the Send's as it is (what finish
		// makes of a single attempt): no list of attempts to keep.
		if s.opts.Progress != nil {
			s.opts.Progress(Attempt{N: 1, Of: of})
		}
		return s.exchange(ctx)
	}
	var attempts []Attempt
	next := Attempt{N: 1, Of: of}
	for {
		if s.opts.Progress != nil {
			s.opts.Progress(next)
		}
		resp, err := s.exchange(ctx)
		a := next
		if err != nil {
			a.Err = err.Error()
		} else {
			a.Status = resp.Status
		}
		attempts = append(attempts, a)
		if a.N == of {
			return finish(resp, err, attempts, "")
		}
		why, retry := s.retryWhy(ctx, resp, err)
		if !retry || !resend && !sentNothing(err) {
			return finish(resp, err, attempts, "")
		}
		wait, stop := s.wait(ctx, a.N, resp)
		if stop != "" {
			return finish(resp, err, attempts, stop)
		}
		if err := sleep(ctx, wait); err != nil {
			return Response{}, s.waitError(why, a.N+1, of)
		}
		next = Attempt{N: a.N + 1, Of: of, Waited: wait, Why: why}
	}
}

// sentNothing reports whether err is a failure before any byte of the
// request went out: the connection was refused or could not be made, or
// the host's name did not resolve.
func sentNothing(err error) bool {
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	op, ok := errors.AsType[*net.OpError](err)
	return ok && op.Op == "dial"
}

// idempotent reports whether a request with method may be sent twice
// without doing twice what it asks (RFC 9110 section 9.2.2).
func idempotent(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	return false
}

// retryWhy says whether an attempt's outcome is worth another attempt, and
// why in a few words: a 5xx answer or a failure of the network (refused,
// reset, timed out, cut short); with RetryAllErrors also 4xx (429 above
// all) and 3xx answers. Never a TLS failure, a request that cannot be
// sent, a cancel, or a passed deadline: trying again changes nothing.
func (s *sender) retryWhy(ctx context.Context, resp Response, err error) (string, bool) {
	if ctx.Err() != nil {
		return "", false
	}
	if err != nil {
		e, ok := errors.AsType[*Error](err)
		if !ok {
			return "", false
		}
		why, _, _ := strings.Cut(e.Reason, " — ")
		switch {
		case e.Kind == KindUnreachable, e.Kind == KindTimeout:
			return why, true
		case e.Kind == KindProtocol && (errors.Is(e, io.EOF) || errors.Is(e, io.ErrUnexpectedEOF)):
			return why, true
		}
		return "", false
	}
	st := resp.Status
	switch {
	case st >= 500:
	case s.opts.RetryAllErrors && st >= 400:
	case s.opts.RetryAllErrors && st >= 300 && st != http.StatusNotModified && s.opts.maxRedirects() > 0:
		// A 3xx that was not followed on purpose (max redirects 0) is
		// the answer asked for, not a failure.
	default:
		return "", false
	}
	why := resp.StatusLine()
	if v := retryAfterOf(resp); v != "" {
		why += " (Retry-After: " + v + ")"
	}
	return why, true
}

// retryAfterOf is the Retry-After of a 429 or 503 answer, cleaned and
// shortened for showing, or "".
func retryAfterOf(resp Response) string {
	if resp.Status != http.StatusTooManyRequests && resp.Status != http.StatusServiceUnavailable {
		return ""
	}
	v := CleanText(strings.TrimSpace(resp.Header("Retry-After")))
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…" // cut between characters, never inside one
	}
	return v
}

// wait is how long to wait before the attempt after attempt n: the
// schedule's delay, or longer when the server's Retry-After says so. stop
// says instead, in words, why there is no point in waiting: the server
// asked for more than MaxRetryAfter, or the wait would pass the deadline.
func (s *sender) wait(ctx context.Context, n int, resp Response) (d time.Duration, stop string) {
	d = retryDelay(s.opts, n)
	asked := ""
	if v := retryAfterOf(resp); v != "" {
		if ra, ok := parseRetryAfter(resp.Header("Retry-After"), time.Now()); ok {
			if ra > MaxRetryAfter {
				return 0, fmt.Sprintf("the server asked to wait %s (Retry-After: %s), more than patchbay waits at most (%s)",
					ShortDuration(ra.Round(time.Second)), v, ShortDuration(MaxRetryAfter))
			}
			if ra >= d {
				d, asked = ra, " (Retry-After: "+v+")"
			}
		}
	}
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(d).After(deadline) {
		return 0, fmt.Sprintf("waiting %s%s would pass the deadline", ShortDuration(d.Round(time.Millisecond)), asked)
	}
	return d, ""
}

// retryDelay is the schedule's wait before retry n (1 for the first).
func retryDelay(o Options, n int) time.Duration {
	if !o.Backoff {
		return o.RetryDelay
	}
	ceiling := backoffCap
	if shift := n - 1; shift < 16 {
		ceiling = min(backoffBase<<shift, backoffCap)
	}
	return jitter(ceiling)
}

// parseRetryAfter reads a Retry-After value, delay-seconds or an HTTP-date
// (RFC 9110 section 10.2.3), as a wait from now. A date in the past is no
// wait; a number too big for a Duration is the longest one.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(1<<63-1)/int64(time.Second) {
			return 1<<63 - 1, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// finish makes the result of the last attempt the result of the Send.
// An error tells how many attempts failed; stop, when retrying stopped
// short, says why.
func finish(resp Response, err error, attempts []Attempt, stop string) (Response, error) {
	if err != nil {
		e, ok := errors.AsType[*Error](err)
		if !ok || len(attempts) == 1 && stop == "" {
			return Response{}, err
		}
		var more []string
		if n := len(attempts); n > 1 {
			more = append(more, fmt.Sprintf("%d attempts", n))
		}
		if stop != "" {
			more = append(more, "not retried: "+stop)
		}
		return Response{}, &Error{Kind: e.Kind, Reason: e.Reason + " (" + strings.Join(more, "; ") + ")", Err: e.Err}
	}
	if len(attempts) > 1 {
		resp.Attempts = attempts
	}
	if stop != "" {
		resp.Note = strings.TrimPrefix(resp.Note+"; not retried: "+stop, "; ")
	}
	return resp, nil
}

// waitError is the error of a Send whose wait before attempt n of of
// ended early: the caller canceled, or a deadline passed.
func (s *sender) waitError(why string, n, of int) *Error {
	if errors.Is(s.callerCtx.Err(), context.Canceled) {
		return &Error{Kind: KindCanceled, Err: context.Canceled,
			Reason: fmt.Sprintf("canceled while waiting to retry after %s (attempt %d of %d was next)", why, n, of)}
	}
	return &Error{Kind: KindTimeout, Err: context.DeadlineExceeded,
		Reason: fmt.Sprintf("the deadline passed while waiting to retry after %s (attempt %d of %d was next)", why, n, of)}
}
