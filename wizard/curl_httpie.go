package wizard

import (
	"strconv"
	"strings"

	"patchbay/connection"
)

// HTTPieCommand writes the action as an HTTPie (http) command that sends
// the same request through conn: options first, then the method and the
// full URL, then one request item per header (Name:value), query
// parameter (name==value) and form field or part (name=value,
// name@path). A JSON or text body goes in --raw (HTTPie 3). Secrets are
// placeholders as in CurlCommand. HTTPie has no AWS signing or NTLM of
// its own: the notes say so.
func HTTPieCommand(conn connection.Connection, a Action, opts ExportOptions) Export {
	e := newExporter(conn, a, opts)
	s := e.spec
	au := e.auth()
	first := []shellText{lit("http")}
	var raw []shellText
	switch s.BodyType {
	case BodyForm:
		if len(s.Form) > 0 {
			first = append(first, lit("--form"))
		}
	case BodyMultipart:
		if len(s.Parts) > 0 {
			first = append(first, lit("--multipart"))
		}
	case BodyJSON:
		if s.Body != "" {
			raw = []shellText{lit("--raw"), e.jsonBody(s.Body)}
		}
	case BodyText:
		if s.Body != "" {
			raw = []shellText{lit("--raw"), e.fill(s.Body, nil, "")}
		}
	}
	if au.user != nil {
		if au.ntlm {
			first = append(first, lit("--auth-type=ntlm"))
			e.note("HTTPie needs the httpie-ntlm plugin for NTLM (pip install httpie-ntlm)")
		}
		first = append(first, lit("-a"), join(au.user[0], lit(":"), au.user[1]))
	}
	if au.sigV4 != "" {
		e.note("HTTPie cannot sign AWS requests on its own (the httpie-aws-authv4 plugin can): the command is not signed")
	}
	first = append(first, e.httpieOptions()...)

	lines := [][]shellText{first}
	if raw != nil {
		lines = append(lines, raw)
	}
	lines = append(lines, []shellText{lit(s.Method), e.url(nil)})
	add := func(w shellText) { lines = append(lines, []shellText{w}) }
	for _, q := range au.query {
		add(join(lit(httpieKey(q.name)+"=="), httpieValue(q.value)))
	}
	for _, h := range append(au.headers, e.headers()...) {
		if len(h.value) == 0 || len(h.value) == 1 && h.value[0].env == "" && h.value[0].text == "" {
			add(lit(h.name + ";"))
			continue
		}
		add(join(lit(h.name+":"), httpieValue(h.value)))
	}
	if (s.BodyType == BodyJSON || s.BodyType == BodyText) && s.Body != "" && !e.hasContentType() {
		// --raw sends application/json unless told otherwise.
		add(lit("Content-Type:"))
	}
	switch s.BodyType {
	case BodyForm:
		for _, kv := range s.Form {
			add(join(lit(httpieKey(kv.Key)+"="), httpieValue(e.fill(kv.Value, nil, kv.Key))))
		}
	case BodyMultipart:
		for _, p := range s.Parts {
			if p.File == "" {
				add(join(lit(httpieKey(p.Name)+"="), httpieValue(e.fill(p.Value, nil, p.Name))))
				continue
			}
			w := join(lit(httpieKey(p.Name)+"@"), httpieValue(e.fill(p.File, nil, "")))
			if p.ContentType != "" {
				w = join(w, lit(";type="+p.ContentType))
			}
			if p.FileName != "" {
				e.note("HTTPie sends part %s under its file's own name, not %s", p.Name, p.FileName)
			}
			add(w)
		}
	}
	return e.finish(lines)
}

// httpieOptions are the options HTTPie has words for.
func (e *exporter) httpieOptions() []shellText {
	o := e.spec.Options
	var out []shellText
	switch {
	case o.MaxRedirects == nil:
		out = append(out, lit("--follow"))
	case *o.MaxRedirects > 0:
		out = append(out, lit("--follow"), lit("--max-redirects="+strconv.Itoa(*o.MaxRedirects)))
	}
	if o.Timeout > 0 {
		out = append(out, lit("--timeout="+seconds(o.Timeout)))
	}
	if e.conn.TLS.Insecure && !o.VerifyTLS {
		out = append(out, lit("--verify=no"))
	}
	if o.Retries > 0 {
		e.note("HTTPie does not retry; the command leaves out the action's %d retries", o.Retries)
	}
	return out
}

// httpieKey escapes the characters HTTPie would read as a separator in
// the name of a request item.
func httpieKey(name string) string {
	return strings.NewReplacer(`\`, `\\`, `:`, `\:`, `=`, `\=`, `@`, `\@`, `;`, `\;`).Replace(name)
}

// httpieValue escapes a value's first character when HTTPie would read it
// as part of a longer separator (Name:=value is raw JSON, not a header).
func httpieValue(t shellText) shellText {
	if len(t) == 0 || t[0].env != "" || t[0].text == "" || strings.IndexByte("=@:", t[0].text[0]) < 0 {
		return t
	}
	out := append(shellText{{text: `\` + t[0].text}}, t[1:]...)
	return out
}
