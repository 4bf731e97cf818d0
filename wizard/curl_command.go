package wizard

import (
	"net/url"
	"strconv"
	"strings"

	"patchbay/connection"
)

// CurlCommand writes the action as the curl command that sends the same
// request through conn: the full URL (base URL, query rows and auth
// parameters in it), the connection's credentials (-u, headers,
// --aws-sigv4, --ntlm), the headers, the body (--data-raw, one
// --data-urlencode per form field, -F per part with files by path) and the
// options curl has (-L, --max-redirs, -m, --retry ...). Secrets are
// $PATCHBAY_... placeholders unless opts.WithSecrets. Importing the command
// on conn gives the action back (ParseCurl, CurlRequest.Action).
func CurlCommand(conn connection.Connection, a Action, opts ExportOptions) Export {
	e := newExporter(conn, a, opts)
	s := e.spec
	au := e.auth()
	u := e.url(au.query)

	first := []shellText{lit("curl")}
	switch {
	case s.Method == "HEAD":
		first = append(first, lit("-I"))
	case s.Method == "GET" && !e.hasBody(), s.Method == "POST" && e.hasBody():
	default:
		first = append(first, lit("-X"), lit(s.Method))
	}
	first = append(first, u)
	lines := [][]shellText{first}
	add := func(words ...shellText) { lines = append(lines, words) }

	if e.braces {
		add(lit("-g"))
	}
	if au.sigV4 != "" {
		add(lit("--aws-sigv4"), lit(au.sigV4))
	}
	if au.ntlm {
		add(lit("--ntlm"))
	}
	if au.user != nil {
		add(lit("-u"), join(au.user[0], lit(":"), au.user[1]))
	}
	for _, h := range append(au.headers, e.headers()...) {
		add(lit("-H"), headerWord(h))
	}
	e.curlBody(add)
	e.curlOptions(add)
	return e.finish(lines)
}

// headerWord is -H's value: "Name: value", or "Name;" for an empty value.
func headerWord(h namedValue) shellText {
	if len(h.value) == 0 || len(h.value) == 1 && h.value[0].env == "" && h.value[0].text == "" {
		return lit(h.name + ";")
	}
	return join(lit(h.name+": "), h.value)
}

func (e *exporter) curlBody(add func(...shellText)) {
	s := e.spec
	switch s.BodyType {
	case BodyJSON, BodyText:
		if s.Body == "" {
			return
		}
		if !e.hasContentType() {
			// curl would add a form Content-Type the action does not send.
			add(lit("-H"), lit("Content-Type:"))
		}
		body := lit(s.Body)
		if s.BodyType == BodyJSON {
			body = e.jsonBody(s.Body)
		} else {
			body = e.fill(s.Body, nil, "")
		}
		add(lit("--data-raw"), body)
	case BodyForm:
		for _, kv := range s.Form {
			if plainFormName(kv.Key) {
				add(lit("--data-urlencode"), join(lit(kv.Key+"="), e.fill(kv.Value, nil, kv.Key)))
				continue
			}
			add(lit("--data-raw"), join(lit(url.QueryEscape(kv.Key)+"="), e.fill(kv.Value, url.QueryEscape, kv.Key)))
		}
	case BodyMultipart:
		for _, p := range s.Parts {
			e.curlPart(p, add)
		}
	}
}

// plainFormName reports whether a form field's name can go in
// --data-urlencode as it is: curl sends the name unencoded.
func plainFormName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("=&%+#@", c) >= 0 {
			return false
		}
	}
	return name != ""
}

// curlPart writes one multipart part as -F (or --form-string for a value
// -F would read as a file or parameters).
func (e *exporter) curlPart(p Part, add func(...shellText)) {
	if p.File == "" {
		v := e.fill(p.Value, nil, p.Name)
		special := v.startsWith("@") || v.startsWith("<") || v.startsWith(`"`) || v.containsAny(";")
		switch {
		case p.ContentType != "":
			if special {
				v = formQuoted(v, true)
			}
			add(lit("-F"), join(lit(p.Name+"="), v, lit(";type="), formQuoted(lit(p.ContentType), false)))
		case special:
			add(lit("--form-string"), join(lit(p.Name+"="), v))
		default:
			add(lit("-F"), join(lit(p.Name+"="), v))
		}
		return
	}
	word := join(lit(p.Name+"=@"), formQuoted(e.fill(p.File, nil, ""), false))
	if p.ContentType != "" {
		word = join(word, lit(";type="), formQuoted(lit(p.ContentType), false))
	}
	if p.FileName != "" {
		word = join(word, lit(";filename="), formQuoted(lit(p.FileName), false))
	}
	add(lit("-F"), word)
}

// formQuoted quotes a -F value, file name or parameter when it holds a
// character -F would read as syntax (or always).
func formQuoted(t shellText, always bool) shellText {
	if !always && !t.containsAny(`;,"\`) && !t.startsWith(" ") && !t.startsWith("@") && !t.startsWith("<") {
		return t
	}
	out := shellText{{text: `"`}}
	for _, s := range t {
		if s.env == "" {
			s.text = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s.text)
		}
		out = append(out, s)
	}
	return append(out, segment{text: `"`})
}

// curlOptions writes the options curl has words for. patchbay follows
// redirects unless told not to, curl only with -L.
func (e *exporter) curlOptions(add func(...shellText)) {
	o := e.spec.Options
	switch {
	case o.MaxRedirects == nil:
		add(lit("-L"))
	case *o.MaxRedirects == 0:
		add(lit("--max-redirs"), lit("0"))
	default:
		add(lit("-L"), lit("--max-redirs"), lit(strconv.Itoa(*o.MaxRedirects)))
	}
	if o.Timeout > 0 {
		add(lit("-m"), lit(seconds(o.Timeout)))
	}
	if o.Retries > 0 {
		add(lit("--retry"), lit(strconv.Itoa(o.Retries)))
	}
	if o.RetryDelay > 0 {
		add(lit("--retry-delay"), lit(seconds(o.RetryDelay)))
	}
	if o.RetryAllErrors {
		add(lit("--retry-all-errors"))
	}
	if e.conn.TLS.Insecure && !o.VerifyTLS {
		add(lit("-k"))
	}
	var left []string
	if o.Backoff {
		left = append(left, "exponential backoff")
	}
	if o.Deadline > 0 {
		left = append(left, "the deadline")
	}
	if o.RetryUnsafe {
		left = append(left, "retrying POST and PATCH")
	}
	if len(left) > 0 {
		e.note("curl has no word for %s; the command leaves it out", strings.Join(left, ", "))
	}
}
