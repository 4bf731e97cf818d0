package wizard

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"patchbay/connection"
)

// CurlImport is a curl command fitted onto a connection: the request as an
// action (no name yet), the flags that were not imported, and notes on
// what the user should know or finish.
type CurlImport struct {
	Action  Action
	Unknown []string
	Notes   []string
}

// ImportCurl reads cmd (ParseCurl) and fits it onto conn (Action).
func ImportCurl(conn connection.Connection, cmd string) (CurlImport, error) {
	req, err := ParseCurl(cmd)
	if err != nil {
		return CurlImport{}, err
	}
	a, notes := req.Action(conn)
	return CurlImport{Action: a, Unknown: slices.Clone(req.Unknown), Notes: notes}, nil
}

// ImportCurl puts the request of a curl command in the wizard: method,
// URL, query, headers, body and the options curl sets. The name and the
// options curl has no word for are kept.
func (w *Wizard) ImportCurl(cmd string) (CurlImport, error) {
	imp, err := ImportCurl(w.Conn, cmd)
	if err != nil {
		return imp, err
	}
	a := imp.Action
	w.Method, w.URL = a.Method, a.URL
	w.Query, w.Headers = a.Query, a.Headers
	w.BodyType, w.Body, w.Form, w.Parts = a.BodyType, a.Body, a.Form, a.Parts
	o := a.Options.Options
	w.Options.Retries, w.Options.RetryDelay, w.Options.RetryAllErrors = o.Retries, o.RetryDelay, o.RetryAllErrors
	w.Options.Timeout, w.Options.MaxRedirects = o.Timeout, o.MaxRedirects
	return imp, nil
}

// Action fits the request onto conn and returns it as an action (without
// a name) with notes for the user, the request's own first. What the
// connection provides is left out, with a note: a URL under the base URL
// becomes relative to it (else it stays absolute, which the wizard
// refuses for another host: the note says to pick another connection), and
// the connection's own auth header, query parameter, -u credentials or
// AWS signing are dropped — they come from the connection. Credentials the
// connection does not provide stay in the action, where the store seals
// them.
func (r CurlRequest) Action(conn connection.Connection) (Action, []string) {
	notes := slices.Clone(r.Notes)
	note := func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }
	a := Action{
		ConnectionID: conn.ID,
		Method:       r.Method,
		Query:        slices.Clone(r.Query),
		Headers:      slices.Clone(r.Headers),
		BodyType:     r.BodyType,
		Body:         r.Body,
		Form:         slices.Clone(r.Form),
		Parts:        slices.Clone(r.Parts),
		Options:      ActionOptions{Options: r.Options},
	}
	var urlNotes []string
	a.URL, a.Query, urlNotes = fitURL(conn, r.URL, a.Query)
	notes = append(notes, urlNotes...)

	own := ownedAuth(conn)
	if r.HasUser {
		switch {
		case own.basic || own.aws && r.AWSSigV4 != "":
			note("the credentials of -u were left out: connection '%s' sends its own", conn.Name)
		case strings.Contains(r.User+r.Password, "{{"):
			note("-u holds shell variables, which cannot become a Basic Authorization header; use a connection with Basic auth")
		default:
			if _, set := connection.HeaderValue(a.Headers, "Authorization"); !set {
				a.Headers = append([]connection.KV{{Key: "Authorization", Value: basicAuth(r.User, r.Password)}}, a.Headers...)
			}
		}
	}
	if r.AWSSigV4 != "" && !own.aws {
		note("--aws-sigv4 signs requests only through an AWS connection; '%s' is not one, so the request is not signed", conn.Name)
	}
	for _, f := range r.AuthFlags {
		if f != "--ntlm" || conn.Auth.Type != connection.AuthNTLM {
			note("%s was left out: the connection's auth decides how credentials are sent", f)
		}
	}
	if r.Insecure && !conn.TLS.Insecure {
		note("-k was left out: an action cannot turn off TLS certificate checks; connection '%s' can (ignore TLS errors), if you must", conn.Name)
	}

	var dropped []string
	a.Headers = slices.DeleteFunc(a.Headers, func(kv connection.KV) bool {
		if slices.ContainsFunc(own.headers, func(h string) bool { return strings.EqualFold(h, kv.Key) }) {
			dropped = append(dropped, "the header "+kv.Key)
			return true
		}
		return false
	})
	a.Query = slices.DeleteFunc(a.Query, func(kv connection.KV) bool {
		if slices.Contains(own.query, kv.Key) {
			dropped = append(dropped, "the query parameter "+kv.Key)
			return true
		}
		return false
	})
	// A query kept as typed in the URL loses them too.
	if u, q, ok := strings.Cut(a.URL, "?"); ok {
		var kept []string
		for _, part := range strings.Split(q, "&") {
			k, _, _ := strings.Cut(part, "=")
			if dk, err := url.QueryUnescape(k); err == nil && slices.Contains(own.query, dk) {
				dropped = append(dropped, "the query parameter "+dk)
				continue
			}
			kept = append(kept, part)
		}
		a.URL = u
		if len(kept) > 0 {
			a.URL += "?" + strings.Join(kept, "&")
		}
	}
	for _, d := range dropped {
		note("%s was left out: connection '%s' sends its own", d, conn.Name)
	}
	for _, kv := range a.Headers {
		if IsSecret(kv.Key) && !varPattern.MatchString(kv.Value) && kv.Value != "" {
			note("the header %s carries a credential; it is kept in the action (stored sealed), though a connection with header auth would keep it for every action", kv.Key)
		}
	}
	if len(a.Query) == 0 {
		a.Query = nil
	}
	if len(a.Headers) == 0 {
		a.Headers = nil
	}
	var names []string
	used := a.Variables()
	for _, v := range r.Vars {
		if slices.Contains(used, v) {
			names = append(names, "$"+v+" → {{"+v+"}}")
		}
	}
	if len(names) > 0 {
		note("shell variables became action variables, asked for at each run: %s", strings.Join(names, ", "))
	}
	return a, notes
}

// authParts are what a connection's auth puts on a request.
type authParts struct {
	headers []string // header names
	query   []string // query parameter names
	basic   bool     // a Basic Authorization from a user and password
	aws     bool     // AWS SigV4 signing
}

// ownedAuth says what conn's auth sends, whatever the request carries.
func ownedAuth(conn connection.Connection) authParts {
	a := conn.Auth
	var p authParts
	keys := func(kvs []connection.KV) []string {
		var out []string
		for _, kv := range kvs {
			if kv.Key != "" {
				out = append(out, kv.Key)
			}
		}
		return out
	}
	switch a.Type {
	case connection.AuthBasic, connection.AuthNTLM:
		p.basic, p.headers = true, []string{"Authorization"}
	case connection.AuthHeader:
		p.headers = keys(a.Headers)
	case connection.AuthQuery:
		p.query = keys(a.Query)
	case connection.AuthCustom:
		p.headers, p.query = keys(a.Headers), keys(a.Query)
		if a.Username != "" {
			p.basic = true
			p.headers = append(p.headers, "Authorization")
		}
	case connection.AuthAPIKey:
		p.headers = []string{a.KeyHeaderOrDefault()}
	case connection.AuthAWSKey, connection.AuthAWSRole:
		p.aws = true
		p.headers = []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"}
	default:
		if a.Type.IsOAuth2() {
			p.headers = []string{"Authorization"}
		}
	}
	return p
}

// fitURL makes raw, an absolute URL, relative to conn's base URL when it
// is under it, and drops from query the parameters the base URL already
// has. Otherwise raw stays absolute, with a note.
func fitURL(conn connection.Connection, raw string, query []connection.KV) (string, []connection.KV, []string) {
	base := strings.TrimSpace(conn.BaseURL)
	if base == "" {
		return raw, query, nil
	}
	b, err := url.Parse(base)
	if err != nil || b.Host == "" {
		return raw, query, nil
	}
	scheme, rest, _ := strings.Cut(raw, "://")
	hostEnd := strings.IndexAny(rest, "/?")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	host, pathQuery := rest[:hostEnd], rest[hostEnd:]
	if !sameOrigin(b.Scheme, b.Host, scheme, host) {
		return raw, query, []string{fmt.Sprintf("the URL is for %s://%s, outside connection '%s' (%s://%s): pick a connection for that host, or change the URL",
			scheme, host, conn.Name, b.Scheme, b.Host)}
	}
	p, q, hasQuery := strings.Cut(pathQuery, "?")
	basePath := strings.TrimRight(b.EscapedPath(), "/")
	switch {
	case basePath == "":
	case p == basePath || strings.HasPrefix(p, basePath+"/"):
		p = p[len(basePath):]
	default:
		return raw, query, []string{fmt.Sprintf("the URL is not under the base URL of connection '%s' (%s), so it was kept whole", conn.Name, base)}
	}
	if hasQuery {
		p += "?" + q
	}
	if b.RawQuery != "" {
		if own, clean := splitPairs(b.RawQuery); clean {
			for _, kv := range own {
				if i := slices.Index(query, kv); i >= 0 {
					query = slices.Delete(query, i, i+1)
				}
			}
		}
	}
	return p, query, nil
}

// sameOrigin compares two scheme and host[:port] pairs, a default port
// and none being the same.
func sameOrigin(scheme1, host1, scheme2, host2 string) bool {
	norm := func(scheme, host string) string {
		scheme, host = strings.ToLower(scheme), strings.ToLower(host)
		host = strings.TrimSuffix(host, map[string]string{"http": ":80", "https": ":443"}[scheme])
		return scheme + "://" + host
	}
	return norm(scheme1, host1) == norm(scheme2, host2)
}
