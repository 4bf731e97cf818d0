package wizard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"patchbay/connection"
)

// The renderer: a request template and the values of its variables make
// the request, each value encoded for where it lands. Replays render an
// action with the values given; the wizard renders its fields with the
// sample values, so the sample is sent by the same code as every replay.

// render is Request with vars already resolved: a value for every variable
// the action uses, of its type.
func (a Action) render(vars map[string]string) (connection.Request, error) {
	return a.spec().render(a.Name, vars)
}

// render fills the variables of a normalised spec with vars and builds the
// request. Action.Request (with a replay's values) and Wizard.Request (with
// the sample values) both come here, so the sample is sent exactly as a
// replay with the same values would be. action names the action in errors.
func (s spec) render(action string, vars map[string]string) (connection.Request, error) {
	s, err := s.fill(action, vars)
	if err != nil {
		return connection.Request{}, err
	}
	return s.request()
}

// fill puts the values of vars in for the variables of a normalised spec,
// each encoded for where it lands (see Action.Request). A spec without
// vars is returned as it is.
func (s spec) fill(action string, vars map[string]string) (spec, error) {
	if len(vars) == 0 {
		return s, nil
	}
	fill := func(text string, escape func(string) string) string {
		return varPattern.ReplaceAllStringFunc(text, func(m string) string {
			v := vars[varPattern.FindStringSubmatch(m)[1]]
			if escape != nil {
				v = escape(v)
			}
			return v
		})
	}
	u, err := fillURL(action, s.URL, func(text string) string { return fill(text, escapeURLValue) })
	if err != nil {
		return spec{}, err
	}
	s.URL = u
	s.Query = fillRows(s.Query, fill)
	if err := headerValues(action, s.Headers, vars); err != nil {
		return spec{}, err
	}
	s.Headers = fillRows(s.Headers, fill)
	if s.BodyType == BodyJSON {
		body, err := fillJSON(action, s.Body, vars)
		if err != nil {
			return spec{}, err
		}
		s.Body = body
	} else {
		s.Body = fill(s.Body, nil)
	}
	s.Form = fillRows(s.Form, fill)
	s.Parts = slices.Clone(s.Parts)
	for i, p := range s.Parts {
		s.Parts[i].Value = fill(p.Value, nil)
		if p.File == "" {
			continue
		}
		s.Parts[i].File = strings.TrimSpace(fill(p.File, nil))
		if s.Parts[i].File == "" {
			return spec{}, &FileError{Part: p.Name, Path: p.File, Err: errors.New("the variables made the path empty")}
		}
	}
	for _, h := range s.Headers {
		// Only the typed text can be at fault here; headerValues
		// checked the values.
		if strings.IndexFunc(h.Value, headerControl) >= 0 {
			return spec{}, fmt.Errorf("header %s: its value cannot contain line breaks or control characters", h.Key)
		}
	}
	return s, nil
}

func fillRows(kvs []connection.KV, fill func(string, func(string) string) string) []connection.KV {
	out := slices.Clone(kvs)
	for i := range out {
		out[i].Value = fill(out[i].Value, nil)
	}
	return out
}

// fillURL renders a URL template with fill, which escapes each value with
// escapeURLValue. The template's own "?" and "#" mark where the path ends (a
// value cannot hold either once escaped, nor "/"), so each "/"-separated
// segment of the path renders to exactly one segment. A segment holding a
// variable must not come out "." or "..", and the path must not come out
// starting with "//" when the template does not: both are *VariableError.
func fillURL(action, tmpl string, fill func(string) string) (string, error) {
	end := strings.IndexAny(tmpl, "?#")
	if end < 0 {
		end = len(tmpl)
	}
	segments := strings.Split(tmpl[:end], "/")
	out := make([]string, len(segments))
	for i, seg := range segments {
		out[i] = fill(seg)
		if m := varPattern.FindStringSubmatch(seg); m != nil && (out[i] == "." || out[i] == "..") {
			return "", &VariableError{Action: action, Name: m[1], BadSegment: true, Segment: out[i]}
		}
	}
	path := strings.Join(out, "/")
	if strings.HasPrefix(path, "//") && !strings.HasPrefix(tmpl, "//") {
		// Split gave two leading segments that rendered empty; a variable
		// in one of them is to blame.
		m := varPattern.FindStringSubmatch(segments[0] + "/" + segments[1])
		return "", &VariableError{Action: action, Name: m[1], BadSegment: true}
	}
	return path + fill(tmpl[end:]), nil
}

// escapeURLValue percent-encodes every byte except the unreserved
// characters of RFC 3986 (letters, digits, "-._~"). The result holds none
// of "/?#&=+:;@" and no "%" but its own escapes, so it is one path segment,
// or one query name or value, wherever it lands.
func escapeURLValue(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// headerValues checks the values of the variables in header templates: a
// header cannot carry a line break, a NUL or another control character but
// a tab (net/http refuses them; a line break would start another header).
// The error names the first variable at fault and its header.
func headerValues(action string, headers []connection.KV, vars map[string]string) error {
	for _, h := range headers {
		for _, m := range varPattern.FindAllStringSubmatch(h.Value, -1) {
			if strings.IndexFunc(vars[m[1]], headerControl) >= 0 {
				return &VariableError{Action: action, Name: m[1], Header: h.Key}
			}
		}
	}
	return nil
}

// headerControl reports the characters a header value cannot hold: the
// control characters but a tab, as headerProblem checks typed values.
func headerControl(r rune) bool { return r != '\t' && unicode.IsControl(r) }

// placeholder is one {{name}} in a JSON body: where it is and whether it sits
// inside a JSON string literal.
type placeholder struct {
	start, end int
	name       string
	inString   bool
}

// jsonPlaceholders finds the variables of a JSON body, tracking string and
// escape state from the start of the body. A placeholder holds no quote or
// backslash, so it never changes that state itself.
func jsonPlaceholders(body string) []placeholder {
	var out []placeholder
	inString, escaped := false, false
	i := 0
	for _, m := range varPattern.FindAllStringSubmatchIndex(body, -1) {
		for ; i < m[0]; i++ {
			switch c := body[i]; {
			case escaped:
				escaped = false
			case !inString:
				inString = c == '"'
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		}
		out = append(out, placeholder{start: m[0], end: m[1], name: body[m[2]:m[3]], inString: inString})
		// A backslash right before a placeholder escapes its first brace.
		escaped = false
		i = m[1]
	}
	return out
}

// fillJSON fills the variables of a JSON body. Inside a JSON string a value
// is escaped as string content, so "{{name}}" with O"Brien sends
// "O\"Brien". Outside a string a placeholder stands for a whole JSON value
// ({"n": {{count}}}) and gets the value as given. If that makes a body which
// is valid JSON with its placeholders invalid, the error is a *VariableError
// naming the variable and nothing is sent. A body that is not JSON even with
// its placeholders is filled and left as it is: that is the body's problem,
// which the wizard reports, not a value's.
func fillJSON(action, body string, vars map[string]string) (string, error) {
	spots := jsonPlaceholders(body)
	render := func(value func(placeholder) string) string {
		var b strings.Builder
		last := 0
		for _, p := range spots {
			b.WriteString(body[last:p.start])
			b.WriteString(value(p))
			last = p.end
		}
		b.WriteString(body[last:])
		return b.String()
	}
	filled := func(p placeholder) string {
		if p.inString {
			return escapeJSONString(vars[p.name])
		}
		return vars[p.name]
	}
	// A value outside quotes must be exactly one JSON value: otherwise
	// `1, "admin": true` for {"n": {{count}}} would add a field. A body that
	// is not JSON even with its placeholders is the body's fault, flagged by
	// the wizard, and is sent as typed.
	if json.Valid([]byte(maskJSONVariables(body))) {
		for _, p := range spots {
			if !p.inString && !json.Valid([]byte(vars[p.name])) {
				return "", &VariableError{Action: action, Name: p.name, NotJSON: true}
			}
		}
	}
	return render(filled), nil
}

// escapeJSONString returns v as the inside of a JSON string literal, escaped
// the way encoding/json escapes it but without turning <, > and & into
// \u003c and the like.
func escapeJSONString(v string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a string always encodes
	out := b.Bytes()
	return string(out[1 : len(out)-2]) // the quotes and Encode's newline
}
