package wizard

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"patchbay/connection"
)

// ResponseType says how a response body is shown: pretty JSON, text as it
// came, or binary bytes. It is a display option: it never changes what is
// sent or what Send returns.
type ResponseType string

// Response types. The zero value, "", means RespJSON.
const (
	RespJSON   ResponseType = "json"
	RespText   ResponseType = "text"
	RespBinary ResponseType = "binary"
)

// ResponseTypes lists the response types in the order a form cycles
// through them.
var ResponseTypes = []ResponseType{RespJSON, RespText, RespBinary}

// OrDefault is t, or RespJSON when t is empty.
func (t ResponseType) OrDefault() ResponseType {
	if t == "" {
		return RespJSON
	}
	return t
}

// ActionOptions are an action's options: how it is sent (connection.Options:
// retries, timeouts, redirects, body cap, TLS) and how its response is
// shown (ResponseType, FullResponse, Debug). The zero value is the
// defaults, and what actions saved before options existed load with.
type ActionOptions struct {
	connection.Options
	ResponseType ResponseType `json:"response_type,omitempty"`
	// FullResponse shows the status and headers with the body.
	FullResponse bool `json:"full_response,omitempty"`
	// Debug shows the request exactly as sent (secrets redacted).
	Debug bool `json:"debug,omitempty"`
}

// Limits of ActionOptions. They keep a typo (a timeout in seconds typed as
// milliseconds the other way round, 100000 retries) from hanging a replay
// for hours or holding gigabytes in memory.
const (
	MaxRetries      = connection.MaxRetries
	MaxRetryDelay   = 10 * time.Minute
	MaxTimeout      = time.Hour
	MaxDeadline     = 24 * time.Hour
	MaxRedirectsCap = 20
	MaxBodyCap      = 1 << 30
)

// Validate checks the options. Field keys: retries, retry_delay, timeout,
// deadline, max_redirects, body_cap, response_type.
func (o ActionOptions) Validate() connection.FieldErrors {
	var errs connection.FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, connection.FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case o.Retries < 0:
		add("retries", "retries cannot be negative")
	case o.Retries > MaxRetries:
		add("retries", "at most %d retries", MaxRetries)
	}
	durations := []struct {
		field, what string
		d, max      time.Duration
	}{
		{"retry_delay", "retry delay", o.RetryDelay, MaxRetryDelay},
		{"timeout", "timeout", o.Timeout, MaxTimeout},
		{"deadline", "deadline", o.Deadline, MaxDeadline},
	}
	for _, d := range durations {
		switch {
		case d.d < 0:
			add(d.field, "%s cannot be negative", d.what)
		case d.d > d.max:
			add(d.field, "%s can be at most %s (%d ms)", d.what, d.max, d.max.Milliseconds())
		}
	}
	if o.MaxRedirects != nil {
		switch n := *o.MaxRedirects; {
		case n < 0:
			add("max_redirects", "max redirects cannot be negative (0 follows none)")
		case n > MaxRedirectsCap:
			add("max_redirects", "at most %d redirects", MaxRedirectsCap)
		}
	}
	switch {
	case o.BodyCap < 0:
		add("body_cap", "body cap cannot be negative (0 means the default, %s)", FormatSize(connection.DefaultBodyCap))
	case o.BodyCap > MaxBodyCap:
		add("body_cap", "body cap can be at most %s", FormatSize(MaxBodyCap))
	}
	if o.ResponseType != "" && !slices.Contains(ResponseTypes, o.ResponseType) {
		add("response_type", "unknown response type '%s' — use json, text or binary", o.ResponseType)
	}
	// connection's own checks, for what it alone knows.
	for _, fe := range o.Options.Validate() {
		if errs.For(fe.Field) == "" {
			errs = append(errs, fe)
		}
	}
	return errs
}

// cloneOptions copies o so that the copy shares no pointer with it.
func cloneOptions(o connection.Options) connection.Options {
	if o.MaxRedirects != nil {
		n := *o.MaxRedirects
		o.MaxRedirects = &n
	}
	return o
}

// cloneActionOptions copies o so that the copy shares no pointer with it.
func cloneActionOptions(o ActionOptions) ActionOptions {
	o.Options = cloneOptions(o.Options)
	return o
}

// sameOptions reports whether a and b send the same way. Progress only
// reports, so it is not compared; MaxRedirects is compared by value
// (reflect.DeepEqual follows pointers).
func sameOptions(a, b connection.Options) bool {
	a.Progress, b.Progress = nil, nil
	return reflect.DeepEqual(a, b)
}

// FormatSize writes a byte count for people: "5 B", "12.3 KiB", "4.0 MiB".
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGT"[exp])
}
