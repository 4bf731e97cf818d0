package wizard

// The body of a curl command: -d and its kin, --json and -F.

import (
	"net/url"
	"strings"

	"patchbay/connection"
)

// body picks the body type the way curl would send the data: -F is
// multipart; --json or a JSON Content-Type is JSON; data with no
// Content-Type (curl sends it as a form) or a form one is form fields
// when it splits into name=value pairs; anything else is text.
func (p *curlParser) body() {
	if len(p.parts) > 0 {
		p.req.BodyType, p.req.Parts = BodyMultipart, p.parts
		return
	}
	sep := "&"
	if p.json {
		sep = "" // curl joins --json data as it is
	}
	data := strings.Join(p.data, sep)
	if data == "" {
		// Nothing to send, or data left in a file (a note says so).
		p.req.BodyType = BodyNone
		return
	}
	ct, ctSet := connection.HeaderValue(p.headers, "Content-Type")
	removed := p.removed["content-type"]
	if p.json && !ctSet && !removed {
		ct, ctSet = "application/json", true
	}
	mediaType := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	// Valid JSON is never blank, so it has a first byte.
	validJSON := ValidateJSON(maskJSONVariables(data)) == nil && strings.TrimSpace(data) != ""
	switch {
	case ctSet && isJSONMedia(mediaType), removed && !ctSet:
		p.req.BodyType, p.req.Body = BodyJSON, data
		if !validJSON {
			p.req.BodyType = BodyText
			if ctSet {
				p.note("the body is not valid JSON, so it was imported as text — fix it and switch the body to JSON")
			}
		}
	case !ctSet && validJSON && strings.ContainsAny(strings.TrimSpace(data)[:1], "{["):
		// curl would label it a form; the API surely reads it as JSON.
		p.req.BodyType, p.req.Body = BodyJSON, data
		p.note("the body is JSON but the command sets no Content-Type (curl would call it a form): it was imported as JSON, " +
			"without that header — the wizard recommends Content-Type: application/json")
	case !ctSet || mediaType == "application/x-www-form-urlencoded":
		if rows, clean := splitPairs(data); clean {
			p.req.BodyType, p.req.Form = BodyForm, rows
			return
		}
		p.req.BodyType, p.req.Body = BodyText, data
		if !ctSet {
			// What curl sends with -d; kept so the request stays the same.
			p.implied = append(p.implied, connection.KV{Key: "Content-Type", Value: "application/x-www-form-urlencoded"})
		}
	default:
		p.req.BodyType, p.req.Body = BodyText, data
	}
}

func isJSONMedia(t string) bool {
	return t == "application/json" || strings.HasSuffix(t, "+json")
}

// splitPairs splits a query or form body into decoded name=value pairs.
// clean is false when some part has no name or no "=", or an escape that
// does not decode: such text is kept as typed rather than changed.
func splitPairs(q string) (rows []connection.KV, clean bool) {
	if q == "" {
		return nil, true
	}
	for _, part := range strings.Split(q, "&") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || k == "" {
			return nil, false
		}
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || strings.TrimSpace(dk) != dk || dk == "" {
			return nil, false
		}
		rows = append(rows, connection.KV{Key: dk, Value: dv})
	}
	return rows, true
}

// fileData is -d @FILE (or --data-binary, --json): the body is in a file,
// which the import does not read.
func (p *curlParser) fileData(name, typed, file string) {
	if file == "-" && p.hasStdin {
		data := p.stdin
		if name == "data" || name == "data-ascii" {
			// curl drops the line breaks of what -d reads.
			data = strings.NewReplacer("\r", "", "\n", "").Replace(data)
		}
		p.data = append(p.data, data)
		p.hasStdin = false
		return
	}
	p.fromFile = true
	if file == "-" {
		p.note("the body is read from standard input (%s @-); paste it into the body", typed)
		return
	}
	p.note("the body is in the file %s (%s @%s); the import reads no file — paste its content into the body", file, typed, file)
}

// urlencode reads --data-urlencode: "content", "=content", "name=content"
// (the content encoded), "@file" or "name@file".
func (p *curlParser) urlencode(typed, value string) {
	name, content, hasEq := strings.Cut(value, "=")
	if !hasEq {
		if n, file, isFile := strings.Cut(value, "@"); isFile {
			p.fromFile = true
			p.note("the value of %q is in the file %s (%s); the import reads no file — fill it in", n, file, typed)
			if n != "" {
				p.data = append(p.data, n+"=")
			}
			return
		}
		name, content = "", value
	}
	if name == "" {
		p.data = append(p.data, escapeURLValue(content))
		return
	}
	p.data = append(p.data, name+"="+escapeURLValue(content))
}

// formPart reads -F and --form-string: name=value, name=@file or
// name=<file, with ;type= and ;filename= after a file or a value.
func (p *curlParser) formPart(typed, value string, literal bool) {
	name, rest, ok := strings.Cut(value, "=")
	if !ok || strings.TrimSpace(name) == "" {
		p.unknown(typed + " " + value)
		p.note("%s %q is not name=value", typed, value)
		return
	}
	if literal {
		p.parts = append(p.parts, Part{Name: name, Value: rest})
		return
	}
	part := Part{Name: name}
	var params []string
	switch {
	case strings.HasPrefix(rest, "@"), strings.HasPrefix(rest, "<"):
		part.File, params = formWord(rest[1:])
		if part.File == "-" {
			p.note("part %q is read from standard input by curl; give it a file or a value", name)
		}
		if rest[0] == '<' {
			p.note("part %q takes its value from the file %s; it was imported as a file part, which also sends the file's name", name, part.File)
		}
	default:
		part.Value, params = formWord(rest)
	}
	for _, param := range params {
		k, v, _ := strings.Cut(param, "=")
		v = unquoteForm(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "type":
			part.ContentType = v
		case "filename":
			if part.File == "" {
				p.note("part %q is a value, so its filename=%s was left out", name, v)
				continue
			}
			part.FileName = v
		default:
			p.note("part %q: ;%s was not imported", name, param)
		}
	}
	p.parts = append(p.parts, part)
}

// formWord reads one -F value: a "quoted string" (with \" and \\) or the
// text up to the first ';'; the rest are ;-separated parameters, whose
// values may be quoted too.
func formWord(s string) (string, []string) {
	fields := splitFormParams(s)
	return unquoteForm(fields[0]), fields[1:]
}

// splitFormParams splits s at each ';' outside a quoted string; a quote
// counts only at the start of a field or of a parameter's value.
func splitFormParams(s string) []string {
	var out []string
	start, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"' && (inQuote || i == start || s[i-1] == '='):
			inQuote = !inQuote
		case c == ';' && !inQuote:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unquoteForm reads a "quoted string" of -F, or returns s as it is.
func unquoteForm(s string) string {
	if !strings.HasPrefix(s, `"`) {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s) && s[i] != '"'; i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
