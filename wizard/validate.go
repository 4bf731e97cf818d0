package wizard

import (
	"errors"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"patchbay/connection"
)

// validateStep1 checks the name, the method and the URL.
func (w *Wizard) validateStep1() connection.FieldErrors {
	var errs connection.FieldErrors
	if msg := w.nameProblem(); msg != "" {
		errs = append(errs, connection.FieldError{Field: "name", Msg: msg})
	}
	return append(errs, w.requestLineErrors()...)
}

// requestLineErrors checks the method and the URL.
func (w *Wizard) requestLineErrors() connection.FieldErrors {
	var errs connection.FieldErrors
	if msg := methodProblem(w.Method); msg != "" {
		errs = append(errs, connection.FieldError{Field: "method", Msg: msg})
	}
	if msg := urlProblem(w.Conn, w.URL); msg != "" {
		errs = append(errs, connection.FieldError{Field: "url", Msg: msg})
	}
	return errs
}

// validateStep2 checks query rows, header rows, the body (form rows,
// multipart parts), the options and the sample values (vars.N, see
// varErrors). Row keys use the row's index in the wizard's own slice, blank
// rows included, so a form can put the message next to the row the user
// sees. A variable without a sample value is an error unless the edited
// action's saved sample still answers the input (savedSampleFits): then
// there is nothing to send.
func (w *Wizard) validateStep2() connection.FieldErrors {
	return w.step2Errors(!w.savedSampleFits())
}

// step2Errors is validateStep2; requireValues says whether a variable
// without a sample value is an error.
func (w *Wizard) step2Errors(requireValues bool) connection.FieldErrors {
	var errs connection.FieldErrors
	for i, kv := range w.Query {
		if !blankRow(kv) && strings.TrimSpace(kv.Key) == "" {
			errs = append(errs, connection.FieldError{Field: fmt.Sprintf("query.%d", i), Msg: "query parameter needs a name"})
		}
	}
	for i, kv := range w.Headers {
		if msg := headerProblem(kv); msg != "" {
			errs = append(errs, connection.FieldError{Field: fmt.Sprintf("header.%d", i), Msg: msg})
		}
	}
	switch w.BodyType {
	case "", BodyNone, BodyText:
	case BodyJSON:
		if err := ValidateJSON(maskJSONVariables(w.Body)); err != nil {
			errs = append(errs, connection.FieldError{Field: "body", Msg: err.Error()})
		}
	case BodyForm:
		for i, kv := range w.Form {
			if !blankRow(kv) && strings.TrimSpace(kv.Key) == "" {
				errs = append(errs, connection.FieldError{Field: fmt.Sprintf("form.%d", i), Msg: "form field needs a name"})
			}
		}
	case BodyMultipart:
		for i, p := range w.Parts {
			if msg := partProblem(p); msg != "" {
				errs = append(errs, connection.FieldError{Field: fmt.Sprintf("part.%d", i), Msg: msg})
			}
		}
		if i, msg := multipartHeaderProblem(w.Headers); msg != "" && errs.For(fmt.Sprintf("header.%d", i)) == "" {
			errs = append(errs, connection.FieldError{Field: fmt.Sprintf("header.%d", i), Msg: msg})
		}
	default:
		errs = append(errs, connection.FieldError{Field: "body", Msg: fmt.Sprintf("unknown body type '%s' — use none, json, text, form or multipart", w.BodyType)})
	}
	errs = append(errs, w.Options.Validate()...)
	return append(errs, w.varErrors(requireValues)...)
}

// partProblem checks one multipart part; blank parts are fine. A file is
// looked for unless its path holds a variable, which only a replay fills.
func partProblem(p Part) string {
	if p.blank() {
		return ""
	}
	name := strings.TrimSpace(p.Name)
	file := strings.TrimSpace(p.File)
	switch {
	case name == "":
		return "part needs a name"
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "part name cannot contain line breaks or control characters"
	case file != "" && p.Value != "":
		return fmt.Sprintf("part '%s' has both a value and a file — give one or the other", name)
	case file == "" && strings.TrimSpace(p.FileName) != "":
		return fmt.Sprintf("part '%s' has a file name but no file", name)
	case strings.IndexFunc(p.FileName, unicode.IsControl) >= 0:
		return "file name cannot contain line breaks or control characters"
	}
	if ct := strings.TrimSpace(p.ContentType); ct != "" {
		if _, _, err := mime.ParseMediaType(ct); err != nil || strings.IndexFunc(ct, unicode.IsControl) >= 0 {
			return fmt.Sprintf("content type '%s' is not a media type such as image/png or text/plain; charset=utf-8", ct)
		}
	}
	if file != "" && !varPattern.MatchString(file) {
		if _, err := statPartFile(file); err != nil {
			return fileProblem(file, err)
		}
	}
	return ""
}

// multipartHeaderProblem checks a multipart Content-Type the user set: the
// boundary it names must be one the body can use. It returns the header's
// index.
func multipartHeaderProblem(headers []connection.KV) (int, string) {
	at, _, _, err := multipartContentType(rows(headers))
	if err == nil || at < 0 {
		return 0, ""
	}
	// at counts rows without the blank ones; find the row the user sees.
	n := -1
	for i, kv := range headers {
		if !blankRow(kv) {
			n++
		}
		if n == at {
			return i, err.Error()
		}
	}
	return 0, err.Error()
}

// sampleErrors says why the current request has no usable sample.
func (w *Wizard) sampleErrors() connection.FieldErrors {
	resp, err, stale := w.Sample()
	switch {
	case resp == nil && err == nil:
		return connection.FieldErrors{{Field: "sample", Msg: "send the sample request first (ctrl+s)"}}
	case stale:
		return connection.FieldErrors{{Field: "sample", Msg: "the request changed since the sample was sent — send it again (ctrl+s)"}}
	case resp == nil:
		return connection.FieldErrors{{Field: "sample", Msg: "the sample request failed: " + err.Error()}}
	}
	return nil
}

func (w *Wizard) nameProblem() string {
	name := strings.TrimSpace(w.Name)
	switch {
	case name == "":
		return "name is required"
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "name cannot contain line breaks or control characters"
	case w.editing != nil && strings.EqualFold(name, strings.TrimSpace(w.editing.Name)):
		return ""
	case w.NameTaken != nil && w.NameTaken(name):
		return fmt.Sprintf("an action named '%s' already exists", name)
	}
	return ""
}

func methodProblem(method string) string {
	m := strings.TrimSpace(method)
	if m == "" {
		return "method is required — use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS"
	}
	if !slices.Contains(Methods, strings.ToUpper(m)) {
		return fmt.Sprintf("unknown method '%s' — use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", m)
	}
	return ""
}

// urlProblem checks raw against the connection: with a base URL it should
// be relative to it (an absolute URL may only repeat the base's origin, so
// the connection's credentials never go to another host); without one it
// must be an absolute http(s) URL. The last word is connection's
// ResolveURL, so the wizard accepts exactly the URLs Send accepts.
// Variables count as ordinary text.
func urlProblem(conn connection.Connection, raw string) string {
	s := maskURLVariables(strings.TrimSpace(raw))
	base := strings.TrimSpace(conn.BaseURL)
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "URL cannot contain line breaks or control characters"
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "URL cannot contain spaces — write a space as %20"
	}
	if s == "" {
		if base == "" {
			return fmt.Sprintf("URL is required — connection '%s' has no base URL, so give a full URL such as https://api.example.com/users", conn.Name)
		}
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "not a valid URL: " + err.Error()
	}
	// A user:password@ in an action URL would be stored in plain text and
	// shown everywhere the URL is; credentials belong to the connection.
	if u.User != nil {
		return "URL cannot carry a user name or password — put credentials in the connection"
	}
	// url.Parse checks the escapes of the path but not of the query.
	if _, err := url.QueryUnescape(u.RawQuery); err != nil {
		var ee url.EscapeError
		if errors.As(err, &ee) {
			return fmt.Sprintf("the query has an invalid %%-escape: %s — write a literal %% as %%25", string(ee))
		}
		return "the query is not valid: " + err.Error()
	}
	if base == "" {
		switch strings.ToLower(u.Scheme) {
		case "http", "https":
		case "":
			return fmt.Sprintf("connection '%s' has no base URL, so the URL must be absolute, such as https://api.example.com/users", conn.Name)
		default:
			return "URL must start with http:// or https://"
		}
		if u.Host == "" {
			return "URL has no host — write it as https://HOST/path"
		}
	}
	// Whatever Send would refuse, such as another host than the base URL's.
	if _, err := conn.ResolveURL(s, nil); err != nil {
		return err.Error()
	}
	return ""
}

// headerProblem checks one header row; blank rows are fine.
func headerProblem(kv connection.KV) string {
	if blankRow(kv) {
		return ""
	}
	name := strings.TrimSpace(kv.Key)
	if name == "" {
		return "header needs a name"
	}
	for _, r := range name {
		if !isTokenChar(r) {
			return fmt.Sprintf("header name '%s' can only contain letters, digits and !#$%%&'*+-.^_`|~ (no spaces or colons)", name)
		}
	}
	if strings.IndexFunc(kv.Value, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) >= 0 {
		return "header value cannot contain line breaks or control characters"
	}
	return ""
}

// isTokenChar reports whether r may appear in an HTTP token (RFC 9110 §5.6.2).
func isTokenChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// maskJSONVariables makes a JSON template checkable as JSON, keeping every
// offset, so the line and column of an error stay where the user sees them
// (and jsonLeaves can find tokens in the template). Outside a string each
// {{name}} becomes "null" padded with spaces, a JSON value. Inside one it
// stays as typed (tabs inside the braces made spaces), which is string
// content — and so a backslash right before it is the invalid escape \{ it
// is in the template, not the valid \n a "null" mask would make of it (the
// body would pass as JSON, and a value put there would break it).
func maskJSONVariables(s string) string {
	var b strings.Builder
	last := 0
	for _, p := range jsonPlaceholders(s) {
		b.WriteString(s[last:p.start])
		if m := s[p.start:p.end]; p.inString {
			b.WriteString(strings.ReplaceAll(m, "\t", " "))
		} else {
			b.WriteString("null" + strings.Repeat(" ", len(m)-4))
		}
		last = p.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskURLVariables replaces each {{name}} with a plain word so that a URL
// holding variables (and the spaces allowed inside their braces) can be
// checked as a URL.
func maskURLVariables(s string) string {
	return varPattern.ReplaceAllString(s, "var")
}
