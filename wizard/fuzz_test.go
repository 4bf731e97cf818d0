package wizard

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"patchbay/connection"
)

// FuzzActionRequest renders actions with hostile URLs, bodies and variable
// values. Request must not panic, and with every variable given:
//   - a URL template without ? or # gets neither from a value (values cannot
//     add a query or a fragment);
//   - a header value holds no line break or NUL;
//   - a JSON body that is valid JSON as typed has all its variables inside
//     strings ({{ outside a string is not JSON), and filled it stays valid
//     JSON whatever the values.
func FuzzActionRequest(f *testing.F) {
	f.Add("/users/{{id}}", `{"name": "{{name}}", "n": 1}`, "a/b?c#d", `O"Brien\`, byte(1))
	f.Add("/x?q={{q}}", `{"a": "{{ a }}{{b}}", "{{k}}": ["\\{{c}}"]}`, "\u2028", "\xff\x00", byte(1))
	f.Add("/{{a}}", `{"n": {{n}}}`, "1, \"admin\": true", "null", byte(1))
	f.Add("{{u}}", "text {{t}}", "\r\nX: y", "{{t}}", byte(2))
	f.Add("/f", "", "a&b=c", "=", byte(3))
	f.Fuzz(func(t *testing.T, url, body, v1, v2 string, bodyType byte) {
		a := Action{
			Name: "fuzz", Method: "POST", URL: url,
			Query:    []connection.KV{{Key: "q", Value: "{{q}}"}},
			Headers:  []connection.KV{{Key: "X-Var", Value: "pre {{h}} post"}},
			BodyType: BodyTypes[int(bodyType)%len(BodyTypes)],
			Body:     body,
			Form:     []connection.KV{{Key: "f", Value: "{{f}}"}},
		}
		vars := map[string]string{}
		for i, name := range a.Variables() {
			vars[name] = v1
			if i%2 == 1 {
				vars[name] = v2
			}
		}
		req, err := a.Request(vars)
		if err != nil {
			return
		}
		if !strings.ContainsAny(a.URL, "?#") && strings.ContainsAny(req.URL, "?#") {
			t.Fatalf("URL %q with %q rendered as %q", a.URL, vars, req.URL)
		}
		for _, h := range req.Headers {
			if strings.ContainsAny(h.Value, "\r\n\x00") {
				t.Fatalf("header %q rendered with a line break", h)
			}
		}
		if a.BodyType == BodyJSON && json.Valid([]byte(body)) && !json.Valid(req.Body) {
			t.Fatalf("JSON body %q with %q rendered as invalid JSON %q", body, vars, req.Body)
		}
	})
}

// FuzzRender renders an action whose URL, query row, header and JSON body
// all hold {{a}}, with a header X-B: {{b}} as the only place of {{b}}, and
// whatever other variables the fuzzed pieces name. It checks, for every
// rendering that Request accepts:
//   - the URL resolved against a base URL (connection's resolver, as Send
//     uses it) is on the base URL's host, and a relative one stays under
//     the base path;
//   - no value adds "/", "?", "#", "&" or "=" to the URL: the rendered URL
//     has exactly those of the template's own text, so every value stays
//     one path segment or one query value;
//   - the query row reads back as the value;
//   - nothing is expanded twice: rendered with two different values of b,
//     everything but X-B is the same, so no "{{b}}" inside another value
//     was filled;
//   - a JSON body that is valid JSON with its placeholders stays valid;
//   - no header holds a control character but a tab.
func FuzzRender(f *testing.F) {
	f.Add("/users/", "/posts", "Bearer ", `{"name": "{{a}}"}`, "../../admin/{{b}}", "x")
	f.Add("/", "", "", `{"n": {{c}}}`, "/evil.example", "1")
	f.Add("", "", "", "", "//evil.example/{{b}}", "")
	f.Add("https://api.example.com", "/x", "", `{}`, "@evil.example", "")
	f.Add("/q?x=", "&y=1#f", "", `{"s": "pre {{a}} post", "o": {{c}}}`, `", "admin": true, "x": "{{b}}`, `1, "admin": true`)
	f.Add("/h", "", "v ", "", "a\r\nX-Evil: {{b}}", "\n")
	const m1, m2 = "MARKone", "MARKtwo"
	base := connection.Connection{Name: "fuzz", BaseURL: "https://api.example.com/v1"}
	f.Fuzz(func(t *testing.T, urlHead, urlTail, header, body, va, vc string) {
		tmpl := urlHead + "{{a}}" + urlTail
		for _, piece := range []string{tmpl, header, body} {
			for _, m := range varPattern.FindAllStringSubmatch(piece, -1) {
				if m[1] == "b" {
					return // b stays where only the harness puts it
				}
			}
		}
		a := Action{
			Name: "fuzz", Method: "POST", URL: tmpl,
			Query:    []connection.KV{{Key: "zrow", Value: "{{a}}"}},
			Headers:  []connection.KV{{Key: "X-A", Value: header + "{{a}}"}, {Key: "X-B", Value: "{{b}}"}},
			BodyType: BodyJSON, Body: body,
		}
		vars := func(b string) map[string]string {
			m := map[string]string{"b": b}
			for _, name := range a.Variables() {
				switch name {
				case "a":
					m[name] = va
				case "b":
				default:
					m[name] = vc
				}
			}
			return m
		}
		req, err := a.Request(vars(m1))
		req2, err2 := a.Request(vars(m2))
		if (err == nil) != (err2 == nil) {
			t.Fatalf("b's value decided whether it renders: %v / %v", err, err2)
		}
		if err != nil {
			return
		}

		// Nothing expanded twice.
		if req.Headers[1] != (connection.KV{Key: "X-B", Value: m1}) || req2.Headers[1].Value != m2 {
			t.Fatalf("X-B rendered as %q", req.Headers[1])
		}
		req2.Headers[1] = req.Headers[1]
		if !sameRequest(req, req2) {
			t.Fatalf("b's value went beyond X-B (a value was expanded again):\n%+v\n%+v", req, req2)
		}

		// The URL keeps the template's structure.
		literal := varPattern.ReplaceAllString(strings.TrimSpace(tmpl), "")
		for _, c := range "/?#&=" {
			if strings.Count(req.URL, string(c)) != strings.Count(literal, string(c)) {
				t.Fatalf("URL %q with %q rendered as %q: a value added %q", tmpl, vars(m1), req.URL, c)
			}
		}
		if resolved, err := base.ResolveURL(req.URL, req.Query); err == nil {
			u, err := url.Parse(resolved)
			if err != nil {
				t.Fatalf("resolved %q: %v", resolved, err)
			}
			// Host names are case-insensitive: Api.eXAmple.Com is the base's host.
			if !strings.EqualFold(u.Hostname(), "api.example.com") || u.User != nil || u.Port() != "" && u.Port() != "443" {
				t.Fatalf("URL %q with %q resolved to %q, off the base URL's host", tmpl, vars(m1), resolved)
			}
			if !strings.Contains(req.URL, "://") && !strings.HasPrefix(req.URL, "//") {
				if p := u.EscapedPath(); p != "/v1" && !strings.HasPrefix(p, "/v1/") {
					t.Fatalf("relative URL %q resolved to %q, outside the base path", req.URL, resolved)
				}
			}
			if q := u.Query()["zrow"]; len(q) == 0 || q[len(q)-1] != va {
				t.Fatalf("query row rendered as %q in %q, want %q", q, resolved, va)
			}
		}

		for _, h := range req.Headers {
			if strings.IndexFunc(h.Value, headerControl) >= 0 {
				t.Fatalf("header %q rendered with a control character", h)
			}
		}
		if json.Valid([]byte(maskJSONVariables(body))) && !json.Valid(req.Body) {
			t.Fatalf("JSON body %q with %q rendered as invalid JSON %q", body, vars(m1), req.Body)
		}
	})
}

// FuzzMakeVariable turns each static value of a fuzzed URL and JSON body
// into a variable, as suggested, and back. For a request that can be sent:
//   - the suggestion is accepted and the request still renders;
//   - it asks the server for the same thing: the same path and query once
//     decoded, the same JSON value (every other byte of the body as typed);
//   - RemoveVariable renders byte for byte the request MakeVariable did.
func FuzzMakeVariable(f *testing.F) {
	f.Add("/users/42/a%2Cb?q=caf%C3%A9+x&n=1", `{"a": [1, "x\"y\\z", {"b": null}], "c": true, "d": "\u00e9\/"}`)
	f.Add("https://api.x.com/v2/x/./y?&&k", `  "just a string"  `)
	f.Add("/{{v}}/x", `{"k": {{v}}, "e": ""}`)
	f.Fuzz(func(t *testing.T, rawURL, body string) {
		w := New(api)
		w.Name, w.Method, w.URL = "fuzz", "POST", rawURL
		w.BodyType, w.Body = BodyJSON, body
		for _, v := range w.VariableList() {
			w.SetSampleValue(v.Name, "1")
		}
		before, err := w.Request()
		if err != nil || len(w.requestLineErrors()) > 0 {
			return
		}
		for _, c := range w.Candidates() {
			if c.Var != "" {
				continue
			}
			w2 := *w
			w2.Vars = cloneVars(w.Vars)
			if errs := w2.MakeVariable(c.At, c.Suggest); errs != nil {
				t.Fatalf("%s (%q): suggestion %+v refused: %v", c.Label, c.Value, c.Suggest, errs)
			}
			made, err := w2.Request()
			if err != nil {
				t.Fatalf("%s: the request no longer renders: %v (URL %q, body %q)", c.Label, err, w2.URL, w2.Body)
			}
			if !sameTarget(t, before, made) {
				t.Fatalf("%s: %q %q became %q %q", c.Label, before.URL, before.Body, made.URL, made.Body)
			}
			w2.RemoveVariable(c.Suggest.Name)
			back, err := w2.Request()
			if err != nil || back.URL != made.URL || string(back.Body) != string(made.Body) {
				t.Fatalf("%s: RemoveVariable sends %q %q (%v), MakeVariable %q %q", c.Label, back.URL, back.Body, err, made.URL, made.Body)
			}
		}
	})
}

// sameTarget reports whether two requests ask for the same: their URLs
// resolve to the same decoded path and query, and their bodies are the
// same JSON value.
func sameTarget(t *testing.T, a, b connection.Request) bool {
	parse := func(r connection.Request) (*url.URL, any) {
		s, err := api.ResolveURL(r.URL, r.Query)
		if err != nil {
			t.Fatalf("%q does not resolve: %v", r.URL, err)
		}
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var doc any
		dec := json.NewDecoder(strings.NewReader(string(r.Body)))
		dec.UseNumber()
		dec.Decode(&doc)
		return u, doc
	}
	ua, da := parse(a)
	ub, db := parse(b)
	// Split as the wizard does: url.Query drops a pair holding ";".
	return ua.Path == ub.Path && reflect.DeepEqual(urlQuery("?"+ua.RawQuery), urlQuery("?"+ub.RawQuery)) && reflect.DeepEqual(da, db)
}
