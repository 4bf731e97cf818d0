package wizard

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"patchbay/connection"
)

// ExportOptions say how an action is written as a command.
type ExportOptions struct {
	// Vars fill the action's variables: one with a value here is written
	// with it, one without stays {{name}} (curl is then given -g, so the
	// braces are sent as typed). A value of connection.Redacted — what a
	// history run keeps of a secret — counts as none. Names the action
	// does not use are ignored.
	Vars map[string]string
	// WithSecrets writes secrets as they are: the connection's, the
	// action's own secret-named values (an X-Api-Key header) and the
	// values of secret variables. Without it each is a $PATCHBAY_...
	// placeholder that the shell fills from the environment. A secret kept
	// as env:NAME is always $NAME.
	WithSecrets bool
}

// Export is an action written as a command.
type Export struct {
	Command string
	// Env lists the environment variables the command reads, with what
	// each stands for: "PATCHBAY_API_KEY: the API key of connection 'x'".
	Env []string
	// Notes say what the command cannot carry (an OAuth2 token, AWS
	// signing in HTTPie, options the tool lacks).
	Notes []string
}

// exporter turns an action on a connection into the parts of a command.
type exporter struct {
	conn   connection.Connection
	spec   spec
	opts   ExportOptions
	secret map[string]bool // the action's secret variables
	envs   map[string]string
	export Export
	braces bool // a {{variable}} stays in the URL
}

func newExporter(conn connection.Connection, a Action, opts ExportOptions) *exporter {
	return &exporter{conn: conn, spec: a.spec(), opts: opts, secret: a.secretVariables(), envs: map[string]string{}}
}

func (e *exporter) note(format string, args ...any) {
	e.export.Notes = append(e.export.Notes, fmt.Sprintf(format, args...))
}

// envName is the placeholder for the secret that what describes (say) and
// that key names: PATCHBAY_ and key in upper case, its other characters
// made underscores; a name another secret took gets a number.
func (e *exporter) envName(key, say string) string {
	var b strings.Builder
	b.WriteString("PATCHBAY_")
	for _, r := range strings.ToUpper(key) {
		if r < 0x80 && isShellNameChar(byte(r)) {
			b.WriteRune(r)
		} else if !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	base := strings.TrimRight(b.String(), "_")
	name := base
	for i := 2; e.envs[name] != "" && e.envs[name] != say; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	if e.envs[name] == "" {
		e.envs[name] = say
		e.export.Env = append(e.export.Env, name+": "+say)
	}
	return name
}

// varEnv is the shell variable that stands for the action variable name:
// the name itself when it is a shell variable's name and not one the
// shell sets (so that importing the command gives the variable back),
// else "" ({{name}} stays).
func (e *exporter) varEnv(name string) string {
	switch name {
	case "PATH", "HOME", "USER", "SHELL", "PWD", "OLDPWD", "TERM", "LANG", "IFS", "TMPDIR", "HOSTNAME", "LOGNAME", "UID", "RANDOM":
		return ""
	}
	say := "the value of the variable {{" + name + "}}"
	if e.secret[name] {
		say = "the value of the secret variable {{" + name + "}}"
	}
	if !isShellName(name) || e.envs[name] != "" && e.envs[name] != say {
		return ""
	}
	if e.envs[name] == "" {
		e.envs[name] = say
		e.export.Env = append(e.export.Env, name+": "+say)
	}
	return name
}

// secretValue writes a secret: $NAME for an env:NAME value, the value
// itself with WithSecrets, else a placeholder named after key.
func (e *exporter) secretValue(value, key, say string) shellText {
	if value == "" {
		return lit("")
	}
	if name, ok := connection.EnvRef(value); ok && connection.ValidEnvName(name) {
		return envText(name)
	}
	if e.opts.WithSecrets {
		return lit(value)
	}
	return envText(e.envName(key, say))
}

// value is what variable name is written as, encoded by escape: its
// value, or $name (a secret one without WithSecrets always), or {{name}}
// for a name the shell cannot take (or a secret one,
// $PATCHBAY_NAME).
func (e *exporter) value(name string, escape func(string) string) shellText {
	v, given := e.opts.Vars[name]
	given = given && v != connection.Redacted
	if given && (!e.secret[name] || e.opts.WithSecrets) {
		if escape != nil {
			v = escape(v)
		}
		return lit(v)
	}
	if env := e.varEnv(name); env != "" {
		return envText(env)
	}
	if e.secret[name] && !e.opts.WithSecrets {
		return envText(e.envName(name, "the value of the secret variable {{"+name+"}}"))
	}
	return lit("{{" + name + "}}")
}

// fill writes a template: its text and the values of its variables
// encoded by escape (nil: as they are). A template with no variable under
// a secret name (secretKey) is a secret as a whole.
func (e *exporter) fill(tmpl string, escape func(string) string, secretKey string) shellText {
	if secretKey != "" && IsSecret(secretKey) && tmpl != "" && !varPattern.MatchString(tmpl) {
		v := e.secretValue(tmpl, secretKey, "the value of "+secretKey+" in the action")
		if escape != nil && !v.hasEnv() {
			v = lit(escape(flatten(v)))
		}
		return v
	}
	return e.fillWith(tmpl, escape, escape)
}

// fillURL writes a URL template: the text as typed (it is URL text
// already), each value escaped as Action.Request escapes it.
func (e *exporter) fillURL(tmpl string) shellText { return e.fillWith(tmpl, nil, escapeURLValue) }

func (e *exporter) fillWith(tmpl string, escapeText, escapeValue func(string) string) shellText {
	enc := func(s string) string {
		if escapeText == nil {
			return s
		}
		return escapeText(s)
	}
	var out shellText
	last := 0
	for _, m := range varPattern.FindAllStringSubmatchIndex(tmpl, -1) {
		out = append(out, lit(enc(tmpl[last:m[0]]))...)
		out = append(out, e.value(tmpl[m[2]:m[3]], escapeValue)...)
		last = m[1]
	}
	return append(out, lit(enc(tmpl[last:]))...)
}

// queryText writes a query string as typed in a URL, a part at a time: a
// static value under a secret name (api_key=sk_live_…) becomes a
// placeholder as a query row's would (Send redacts it the same way), the
// rest is the URL text with its variables filled.
func (e *exporter) queryText(q string) []shellText {
	var parts []shellText
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		value, err := url.QueryUnescape(v)
		if hasValue && err == nil && IsSecret(name) && value != "" && !varPattern.MatchString(value) {
			parts = append(parts, join(lit(k+"="), e.fill(value, url.QueryEscape, name)))
			continue
		}
		parts = append(parts, e.fillURL(part))
	}
	return parts
}

// jsonBody writes a JSON body: a value inside a string is escaped as
// string content, one outside a string goes in as given.
func (e *exporter) jsonBody(body string) shellText {
	var out shellText
	last := 0
	for _, p := range jsonPlaceholders(body) {
		out = append(out, lit(body[last:p.start])...)
		escape := func(s string) string { return s }
		if p.inString {
			escape = escapeJSONString
		}
		out = append(out, e.value(p.name, escape)...)
		last = p.end
	}
	return append(out, lit(body[last:])...)
}

// url writes the URL the request goes to, as Send resolves it: the base
// URL joined with the action's, then the base URL's query, the URL's, the
// query rows and the connection's auth parameters.
func (e *exporter) url(authQuery []namedValue) shellText {
	tmpl, _, _ := strings.Cut(e.spec.URL, "#")
	tmplPath, tmplQuery, _ := strings.Cut(tmpl, "?")
	var u shellText
	var queries []shellText
	base := strings.TrimSpace(e.conn.BaseURL)
	base, _, _ = strings.Cut(base, "#")
	basePath, baseQuery, _ := strings.Cut(base, "?")
	switch {
	case isAbsoluteURL(tmplPath) || base == "":
		u = e.fillURL(tmplPath)
	case tmplPath == "":
		u = lit(basePath)
	default:
		u = join(lit(strings.TrimRight(basePath, "/")+"/"), e.fillURL(strings.TrimLeft(tmplPath, "/")))
	}
	if u.containsAny("{}[]") {
		e.braces = true
	}
	if baseQuery != "" && !isAbsoluteURL(tmplPath) {
		queries = append(queries, e.queryText(baseQuery)...)
	}
	if tmplQuery != "" {
		queries = append(queries, e.queryText(tmplQuery)...)
	}
	for _, kv := range e.spec.Query {
		queries = append(queries, join(lit(url.QueryEscape(kv.Key)+"="), e.fill(kv.Value, url.QueryEscape, kv.Key)))
	}
	for _, q := range authQuery {
		v := q.value
		if !v.hasEnv() {
			v = lit(url.QueryEscape(flatten(v)))
		}
		queries = append(queries, join(lit(url.QueryEscape(q.name)+"="), v))
	}
	for i, q := range queries {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u = join(u, lit(sep), q)
		if q.containsAny("{}[]") {
			e.braces = true
		}
	}
	return u
}

func isAbsoluteURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// flatten is the literal text of t (placeholders left out).
func flatten(t shellText) string {
	var b strings.Builder
	for _, s := range t {
		b.WriteString(s.text)
	}
	return b.String()
}

// headers are the action's headers as sent: those the connection's auth
// sets are replaced by it, so they are left out.
func (e *exporter) headers() []namedValue {
	own := ownedAuth(e.conn).headers
	var out []namedValue
	for _, kv := range e.spec.Headers {
		if slices.ContainsFunc(own, func(h string) bool { return strings.EqualFold(h, kv.Key) }) {
			continue
		}
		out = append(out, namedValue{kv.Key, e.fill(kv.Value, nil, kv.Key)})
	}
	return out
}

// hasBody reports whether the request sends a body.
func (e *exporter) hasBody() bool {
	s := e.spec
	switch s.BodyType {
	case BodyJSON, BodyText:
		return s.Body != ""
	case BodyForm:
		return len(s.Form) > 0
	case BodyMultipart:
		return len(s.Parts) > 0
	}
	return false
}

// hasContentType reports whether the action sets its Content-Type.
func (e *exporter) hasContentType() bool {
	_, ok := connection.HeaderValue(e.spec.Headers, "Content-Type")
	return ok
}

// seconds writes a duration in seconds, as curl and HTTPie take it.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// finish writes the command.
func (e *exporter) finish(lines [][]shellText) Export {
	e.export.Command = commandLines(lines)
	return e.export
}
