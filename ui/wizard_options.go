package ui

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"patchbay/connection"
	"patchbay/wizard"
)

// The action options of step 2: retries, timeout, redirects, how the
// response is shown. They sit below the request behind one toggle, open
// when any of them is set, so the usual request is not a long form.

// optionFields are the step-2 fields of the action options; conn is the
// connection the action is on (verify_tls only matters when it ignores TLS
// errors).
func optionFields(conn *connection.Connection) []*field {
	more := toggleField("options", "More options?")
	more.hint = "Retries, timeout, redirects, how the response is shown."
	open := func() bool { return more.on }

	retries := textField("retries", "Retries", "0")
	retries.show = open
	backoff := toggleField("backoff", "Backoff?")
	backoff.show = open
	backoff.hint = "Exponential, with jitter; the delay is then ignored."
	delay := textField("retry_delay", "Retry delay ms", "0")
	delay.show = func() bool { return open() && !backoff.on }
	all := toggleField("retry_all_errors", "Retry all errors?")
	all.show = open
	all.hint = "Also 429 and other 4xx; else only 5xx and network errors."
	unsafe := toggleField("retry_unsafe", "Retry POST/PATCH?")
	unsafe.show = open
	unsafe.hint = "Else only with an Idempotency-Key header, or when nothing was sent."
	timeout := textField("timeout", "Timeout ms", "(the connection's)")
	timeout.show = open
	timeout.hint = "For each attempt."
	deadline := textField("deadline", "Deadline ms", "(none)")
	deadline.show = open
	deadline.hint = "For the whole send, retries and waits included."
	redirects := textField("max_redirects", "Max redirects", strconv.Itoa(connection.DefaultMaxRedirects))
	redirects.show = open
	redirects.hint = "0 shows the redirect itself."
	bodyCap := textField("body_cap", "Body cap bytes", "(100 MiB)")
	bodyCap.show = open
	bodyCap.hint = "Keep at most this much of the response body."
	respType := choiceField("response_type", "Response type",
		[]string{string(wizard.RespJSON), string(wizard.RespText), string(wizard.RespBinary)}, nil)
	respType.show = open
	full := toggleField("full_response", "Full response?")
	full.show = open
	full.hint = "patchbay run prints status and headers with the body."
	debug := toggleField("debug", "Debug request?")
	debug.show = open
	debug.hint = "Show the request exactly as sent, secrets redacted."
	verify := toggleField("verify_tls", "Verify TLS anyway?")
	verify.show = func() bool { return open() && conn.TLS.Insecure }
	verify.hint = "The connection ignores TLS errors; this action can still check them."
	return []*field{more, retries, delay, backoff, all, unsafe, timeout, deadline, redirects, bodyCap, respType, full, debug, verify}
}

// readOptions reads the options from the form; numbers that are not numbers
// are field errors, and the value typed stays in its field.
func readOptions(f *form) (wizard.ActionOptions, connection.FieldErrors) {
	var o wizard.ActionOptions
	var errs connection.FieldErrors
	num := func(key, what string) (int64, bool) {
		v := strings.TrimSpace(f.field(key).value())
		if v == "" {
			return 0, false
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(v, "ms"), 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, connection.FieldError{Field: key, Msg: what + " must be a whole number, 0 or more"})
			return 0, false
		}
		return n, true
	}
	if n, ok := num("retries", "retries"); ok {
		o.Retries = int(n)
	}
	if n, ok := num("retry_delay", "the retry delay"); ok {
		o.RetryDelay = time.Duration(n) * time.Millisecond
	}
	if n, ok := num("timeout", "the timeout"); ok {
		o.Timeout = time.Duration(n) * time.Millisecond
	}
	if n, ok := num("deadline", "the deadline"); ok {
		o.Deadline = time.Duration(n) * time.Millisecond
	}
	if n, ok := num("body_cap", "the body cap"); ok {
		o.BodyCap = n
	}
	if n, ok := num("max_redirects", "max redirects"); ok {
		m := int(n)
		o.MaxRedirects = &m
	}
	o.Backoff = f.field("backoff").on
	o.RetryAllErrors = f.field("retry_all_errors").on
	o.RetryUnsafe = f.field("retry_unsafe").on
	o.VerifyTLS = f.field("verify_tls").on
	if rt := wizard.ResponseType(f.field("response_type").value()); rt != wizard.RespJSON {
		o.ResponseType = rt
	}
	o.FullResponse = f.field("full_response").on
	o.Debug = f.field("debug").on
	return o, errs
}

// fillOptions puts options into the form, and opens the section when any
// is set.
func fillOptions(f *form, o wizard.ActionOptions) {
	set := func(key string, n int64, isSet bool) {
		v := ""
		if isSet {
			v = strconv.FormatInt(n, 10)
		}
		f.field(key).input.SetValue(v)
	}
	set("retries", int64(o.Retries), o.Retries != 0)
	set("retry_delay", o.RetryDelay.Milliseconds(), o.RetryDelay != 0)
	set("timeout", o.Timeout.Milliseconds(), o.Timeout != 0)
	set("deadline", o.Deadline.Milliseconds(), o.Deadline != 0)
	set("body_cap", o.BodyCap, o.BodyCap != 0)
	if o.MaxRedirects != nil {
		set("max_redirects", int64(*o.MaxRedirects), true)
	} else {
		set("max_redirects", 0, false)
	}
	f.field("backoff").on = o.Backoff
	f.field("retry_all_errors").on = o.RetryAllErrors
	f.field("retry_unsafe").on = o.RetryUnsafe
	f.field("verify_tls").on = o.VerifyTLS
	choose(f.field("response_type"), string(o.ResponseType))
	if o.ResponseType == "" {
		choose(f.field("response_type"), string(wizard.RespJSON))
	}
	f.field("full_response").on = o.FullResponse
	f.field("debug").on = o.Debug
	if len(optionsSummary(o)) > 0 {
		f.field("options").on = true
	}
}

// optionsSummary says in a line what the options change, for the review.
func optionsSummary(o wizard.ActionOptions) []string {
	var out []string
	if o.Retries > 0 {
		how := fmt.Sprintf("%d retries", o.Retries)
		switch {
		case o.Backoff:
			how += " with exponential backoff"
		case o.RetryDelay > 0:
			how += fmt.Sprintf(", %s apart", formatDuration(o.RetryDelay))
		}
		if o.RetryAllErrors {
			how += ", on every error"
		}
		if o.RetryUnsafe {
			how += ", POST and PATCH too"
		}
		out = append(out, how)
	}
	if o.Timeout > 0 {
		out = append(out, "timeout "+formatDuration(o.Timeout)+" per attempt")
	}
	if o.Deadline > 0 {
		out = append(out, "deadline "+formatDuration(o.Deadline))
	}
	if o.BodyCap > 0 {
		out = append(out, "body cap "+formatSize(o.BodyCap))
	}
	if o.MaxRedirects != nil {
		if *o.MaxRedirects == 0 {
			out = append(out, "redirects not followed")
		} else {
			out = append(out, fmt.Sprintf("at most %d redirects", *o.MaxRedirects))
		}
	}
	if o.ResponseType != "" && o.ResponseType != wizard.RespJSON {
		out = append(out, "response shown as "+string(o.ResponseType))
	}
	if o.FullResponse {
		out = append(out, "full response")
	}
	if o.Debug {
		out = append(out, "debug request")
	}
	if o.VerifyTLS {
		out = append(out, "TLS verified")
	}
	return out
}

// partRow writes a multipart part as a form row: name, and the value or
// curl's @path;type=…;filename=… for a file.
func partRow(p wizard.Part) connection.KV {
	if p.File == "" {
		return connection.KV{Key: p.Name, Value: p.Value}
	}
	v := "@" + p.File
	if p.ContentType != "" {
		v += ";type=" + p.ContentType
	}
	if p.FileName != "" && p.FileName != filepath.Base(p.File) {
		v += ";filename=" + p.FileName
	}
	return connection.KV{Key: p.Name, Value: v}
}

// rowPart reads a form row back into a part.
func rowPart(kv connection.KV) wizard.Part {
	path, isFile := strings.CutPrefix(kv.Value, "@")
	if !isFile {
		return wizard.Part{Name: kv.Key, Value: kv.Value}
	}
	p := wizard.Part{Name: kv.Key}
	segs := strings.Split(path, ";")
	p.File = strings.TrimSpace(segs[0])
	for _, s := range segs[1:] {
		k, v, _ := strings.Cut(s, "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "type":
			p.ContentType = strings.TrimSpace(v)
		case "filename":
			p.FileName = strings.TrimSpace(v)
		}
	}
	return p
}
