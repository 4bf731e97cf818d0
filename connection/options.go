package connection

import (
	"fmt"
	"io"
	"time"
)

// Options shape one Send beyond the request itself: the per-action options
// of the reference connectors. The zero value is the defaults: no retries,
// the connection's timeout, 5 redirects, DefaultBodyCap.
type Options struct {
	// Retries is how many times a failed attempt is tried again (0: never).
	Retries int `json:"retries,omitempty"`
	// RetryDelay is the wait before each retry; ignored with Backoff.
	RetryDelay time.Duration `json:"retry_delay,omitempty"`
	// Backoff waits exponentially longer before each retry, with jitter:
	// a random time up to 250ms before the first retry, up to 500ms before
	// the second, doubling to at most 30s.
	Backoff bool `json:"backoff,omitempty"`
	// RetryAllErrors retries 429 and other 4xx and 3xx answers too (but
	// 304, and a 3xx not followed because MaxRedirects is 0), not only 5xx
	// and network errors. A TLS failure, a request that cannot be sent and
	// a cancel are never retried. A 429 or 503's Retry-After (seconds or a
	// date) is waited for when it is longer than the delay, up to
	// MaxRetryAfter; a longer one, or one past Deadline, ends the retries
	// and Response.Note says so.
	RetryAllErrors bool `json:"retry_all_errors,omitempty"`
	// RetryUnsafe retries methods that are not idempotent (POST, PATCH);
	// without it they are retried only when the request carries an
	// Idempotency-Key header, or when it was not sent at all (the
	// connection refused, the host not found).
	RetryUnsafe bool `json:"retry_unsafe,omitempty"`
	// Timeout bounds each attempt; zero means the connection's timeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// Deadline bounds the whole Send, retries and waits included; zero
	// means no bound beyond the caller's context.
	Deadline time.Duration `json:"deadline,omitempty"`
	// MaxRedirects is how many redirects are followed: nil means
	// DefaultMaxRedirects, 0 that the 3xx itself is the response.
	MaxRedirects *int `json:"max_redirects,omitempty"`
	// BodyCap is how many bytes of the (decoded) response body are kept;
	// zero means DefaultBodyCap. Past it the response is Truncated.
	BodyCap int64 `json:"body_cap,omitempty"`
	// VerifyTLS verifies the server's certificate even when the connection
	// ignores TLS errors: an action can narrow its connection's TLS
	// settings, never widen them.
	VerifyTLS bool `json:"verify_tls,omitempty"`

	// Progress, when set, is told about each attempt as it starts (after
	// any wait), for a screen to show "attempt 2 of 4 after 503".
	Progress func(Attempt) `json:"-"`
}

// Defaults of Options.
const (
	DefaultMaxRedirects = 5
	DefaultBodyCap      = 100 << 20
	// MaxRetryAfter caps how long a server's Retry-After can make Send wait.
	MaxRetryAfter = 2 * time.Minute
)

// Attempt is one try of a Send.
type Attempt struct {
	N      int           `json:"n"`                // 1 for the first
	Of     int           `json:"of"`               // 1 + Options.Retries
	Waited time.Duration `json:"waited,omitempty"` // before it started
	// Why is what made it a retry ("503 Service Unavailable", "connection
	// refused", "Retry-After: 1"); empty for the first attempt.
	Why string `json:"why,omitempty"`
	// Its outcome: a status, or an error's plain words.
	Status int    `json:"status,omitempty"`
	Err    string `json:"error,omitempty"`
}

// Hop is one redirect Send followed.
type Hop struct {
	Status int    `json:"status"` // 301, 302, 303, 307, 308
	URL    string `json:"url"`    // where it pointed, redacted
}

// BodySource is a request body opened afresh for every attempt and every
// redirect that resends it, streamed rather than held in memory (a
// multipart upload of files). Summary is what the request as sent shows
// instead of the bytes.
type BodySource struct {
	Open    func() (io.ReadCloser, error)
	Length  int64 // -1 when unknown (sent chunked)
	Summary string
}

// MaxRetries is the most retries Options.Validate accepts: past it a
// failing server is hammered for minutes without a better chance.
const MaxRetries = 10

// Validate checks the options as a form would, keyed by the field names
// of the command line (retries, retry_delay, timeout, deadline,
// max_redirects, body_cap).
func (o Options) Validate() FieldErrors {
	var errs FieldErrors
	switch {
	case o.Retries < 0:
		errs = append(errs, FieldError{"retries", "retries cannot be negative — use 0 for no retries"})
	case o.Retries > MaxRetries:
		errs = append(errs, FieldError{"retries", fmt.Sprintf("at most %d retries", MaxRetries)})
	}
	if o.RetryDelay < 0 {
		errs = append(errs, FieldError{"retry_delay", "the retry delay cannot be negative"})
	}
	if o.Timeout < 0 {
		errs = append(errs, FieldError{"timeout", "the timeout cannot be negative — use 0 for the connection's timeout"})
	}
	if o.Deadline < 0 {
		errs = append(errs, FieldError{"deadline", "the deadline cannot be negative — use 0 for none"})
	}
	if o.MaxRedirects != nil && *o.MaxRedirects < 0 {
		errs = append(errs, FieldError{"max_redirects", "max redirects cannot be negative — use 0 not to follow redirects"})
	}
	if o.BodyCap < 0 {
		errs = append(errs, FieldError{"body_cap", fmt.Sprintf("the body cap cannot be negative — use 0 for the default (%d MiB)", DefaultBodyCap>>20)})
	}
	return errs
}

// maxRedirects is how many redirects a Send with o follows.
func (o Options) maxRedirects() int {
	if o.MaxRedirects == nil {
		return DefaultMaxRedirects
	}
	return *o.MaxRedirects
}

// bodyCap is how many bytes of a response body a Send with o keeps.
func (o Options) bodyCap() int64 {
	if o.BodyCap > 0 {
		return o.BodyCap
	}
	return DefaultBodyCap
}

// attemptTimeout bounds one attempt: o.Timeout, else the connection's.
func (o Options) attemptTimeout(conn Connection) time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return conn.timeoutOrDefault()
}
