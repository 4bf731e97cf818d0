package wizard

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"patchbay/connection"
)

// renderBase is the connection every rendered URL is resolved against.
var renderBase = connection.Connection{Name: "API", BaseURL: "https://api.example.com/v1"}

// hostile is one value that tries to break out of where it is put, with
// what it becomes in a URL (escapeURLValue), in a query row or form field
// (url.QueryEscape, via connection.EncodeQuery) and inside a JSON string.
// Everywhere else it is sent raw.
type hostile struct {
	name                 string
	value                string
	inURL, inQuery, inJS string
	header               bool // false: refused in a header
	segment              bool // false: refused as a URL path segment
}

// hostiles are written out by hand, not computed, so that a change in an
// encoder shows up here.
var hostiles = []hostile{
	{"quote", `O"Brien`, `O%22Brien`, `O%22Brien`, `O\"Brien`, true, true},
	{"backslash", `back\slash`, `back%5Cslash`, `back%5Cslash`, `back\\slash`, true, true},
	{"slash", `a/b`, `a%2Fb`, `a%2Fb`, `a/b`, true, true},
	{"question mark", `a?b=1`, `a%3Fb%3D1`, `a%3Fb%3D1`, `a?b=1`, true, true},
	{"ampersand", `a&admin=true`, `a%26admin%3Dtrue`, `a%26admin%3Dtrue`, `a&admin=true`, true, true},
	{"percent", `50%`, `50%25`, `50%25`, `50%`, true, true},
	{"escaped slash", `%2F`, `%252F`, `%252F`, `%2F`, true, true},
	{"hash", `a#frag`, `a%23frag`, `a%23frag`, `a#frag`, true, true},
	{"plus", `a+b`, `a%2Bb`, `a%2Bb`, `a+b`, true, true},
	{"space", `a b`, `a%20b`, `a+b`, `a b`, true, true},
	{"unicode", "Zoë 🚀", `Zo%C3%AB%20%F0%9F%9A%80`, `Zo%C3%AB+%F0%9F%9A%80`, "Zoë 🚀", true, true},
	{"template", `{{other}}`, `%7B%7Bother%7D%7D`, `%7B%7Bother%7D%7D`, `{{other}}`, true, true},
	{"CR/LF", "a\r\nX-Evil: 1", `a%0D%0AX-Evil%3A%201`, `a%0D%0AX-Evil%3A+1`, `a\r\nX-Evil: 1`, false, true},
	{"NUL", "a\x00b", `a%00b`, `a%00b`, `a\u0000b`, false, true},
	{"tab", "a\tb", `a%09b`, `a%09b`, `a\tb`, true, true},
	{"scheme-relative", "//evil.example/x", `%2F%2Fevil.example%2Fx`, `%2F%2Fevil.example%2Fx`, `//evil.example/x`, true, true},
	{"absolute", "https://evil.example", `https%3A%2F%2Fevil.example`, `https%3A%2F%2Fevil.example`, `https://evil.example`, true, true},
	{"user info", "@evil.example", `%40evil.example`, `%40evil.example`, `@evil.example`, true, true},
	{"dot dot", "..", "..", "..", "..", true, false},
	{"dot", ".", ".", ".", ".", true, false},
	{"empty", "", "", "", "", true, true},
}

// render renders a with {{v}} = value and {{other}} = "OTHER"; every
// action below sends {{other}} in a header of its own, so that a value
// holding "{{other}}" has something to be wrongly expanded into.
func render(t *testing.T, a Action, value string) (connection.Request, error) {
	t.Helper()
	a.Name, a.Method = "Render", "POST"
	a.Headers = append([]connection.KV{kv("X-Other", "{{other}}")}, a.Headers...)
	return a.Request(map[string]string{"v": value, "other": "OTHER"})
}

// otherHeader is the header render adds, as sent.
var otherHeader = kv("X-Other", "OTHER")

// resolve resolves req's URL and query rows against renderBase and checks
// the host is the base URL's.
func resolve(t *testing.T, req connection.Request) *url.URL {
	t.Helper()
	s, err := renderBase.ResolveURL(req.URL, req.Query)
	if err != nil {
		t.Fatalf("%q does not resolve: %v", req.URL, err)
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("resolved %q: %v", s, err)
	}
	if u.Scheme != "https" || u.Host != "api.example.com" || u.User != nil {
		t.Fatalf("%q resolved to %q, off the base URL's host", req.URL, s)
	}
	return u
}

func wantRequest(url string, query []connection.KV, body string, headers ...connection.KV) connection.Request {
	r := connection.Request{Method: "POST", URL: url, Query: query, Headers: append([]connection.KV{otherHeader}, headers...)}
	if body != "" {
		r.Body = []byte(body)
	}
	return r
}

func checkRequest(t *testing.T, got connection.Request, err error, want connection.Request) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestRenderURLPathSegment(t *testing.T) {
	a := Action{URL: "/users/{{v}}/posts"}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			if !h.segment {
				var ve *VariableError
				if !errors.As(err, &ve) || ve.Name != "v" || !ve.BadSegment || ve.Segment != h.value {
					t.Fatalf("got %q, %v; want a VariableError for the segment %q", got.URL, err, h.value)
				}
				return
			}
			checkRequest(t, got, err, wantRequest("/users/"+h.inURL+"/posts", nil, ""))
			// Resolved, the value is still the one segment it was put in.
			u := resolve(t, got)
			segs := strings.Split(u.EscapedPath(), "/")
			if len(segs) != 5 || segs[1] != "v1" || segs[2] != "users" || segs[4] != "posts" {
				t.Fatalf("path %q: want /v1/users/VALUE/posts", u.EscapedPath())
			}
			if seg, err := url.PathUnescape(segs[3]); err != nil || seg != h.value {
				t.Fatalf("segment %q reads back as %q, %v", segs[3], seg, err)
			}
			if u.RawQuery != "" || u.Fragment != "" {
				t.Fatalf("%s: the value added a query or a fragment", u)
			}
		})
	}
}

func TestRenderURLPathShape(t *testing.T) {
	for _, tt := range []struct {
		url, value, want, err string
	}{
		// A whole-URL variable is a path, never a host or a scheme.
		{"{{v}}", "https://evil.example/x", "https%3A%2F%2Fevil.example%2Fx", ""},
		{"{{v}}", "//evil.example", "%2F%2Fevil.example", ""},
		{"{{v}}", "", "", ""},
		{"/{{v}}", "", "/", ""},
		{"/a/{{v}}/b", "", "/a//b", ""}, // an empty segment in the middle stays a path
		// ...but not at the start, where "//b" would name host b.
		{"/{{v}}/b", "", "", "variable 'v' is empty at the start of the URL path, which would make the path start with // and name a host — give it a value"},
		{"{{v}}//b", "", "", "variable 'v' is empty at the start of the URL path, which would make the path start with // and name a host — give it a value"},
		// A dot segment is refused even when literal text completes it.
		{"/a/.{{v}}", ".", "", "variable 'v' makes the URL path segment '..', which servers take as a step in the path, not as a name"},
		{"/a/{{v}}.json", "..", "/a/...json", ""},
		// In the query a value is a value; dots mean nothing there.
		{"/a?p={{v}}", "..", "/a?p=..", ""},
		// A template's own host is the base URL's or refused by ResolveURL.
		{"https://api.example.com/v1/{{v}}", "x/../../y", "https://api.example.com/v1/x%2F..%2F..%2Fy", ""},
	} {
		got, err := (Action{Name: "a", Method: "GET", URL: tt.url}).Request(map[string]string{"v": tt.value})
		if tt.err != "" {
			var ve *VariableError
			if !errors.As(err, &ve) || ve.Name != "v" || !ve.BadSegment || err.Error() != tt.err {
				t.Errorf("%s with %q: got %q, %v; want %s", tt.url, tt.value, got.URL, err, tt.err)
			}
			continue
		}
		if err != nil || got.URL != tt.want {
			t.Errorf("%s with %q: got %q, %v; want %q", tt.url, tt.value, got.URL, err, tt.want)
			continue
		}
		resolve(t, got)
	}
	// A template that names another host is refused when it is resolved,
	// whatever the value.
	got, err := (Action{Name: "a", Method: "GET", URL: "https://api.example.com{{v}}/x"}).Request(map[string]string{"v": ".evil.example"})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := renderBase.ResolveURL(got.URL, nil); err == nil {
		t.Errorf("%q resolved to %q", got.URL, s)
	}
}

func TestRenderURLQuery(t *testing.T) {
	a := Action{URL: "/search?q={{v}}&page=1"}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			checkRequest(t, got, err, wantRequest("/search?q="+h.inURL+"&page=1", nil, ""))
			u := resolve(t, got)
			if want := (url.Values{"q": {h.value}, "page": {"1"}}); !reflect.DeepEqual(u.Query(), want) {
				t.Fatalf("%s: query %v, want %v", u, u.Query(), want)
			}
			if u.Fragment != "" || u.EscapedPath() != "/v1/search" {
				t.Fatalf("%s: the value changed the path or added a fragment", u)
			}
		})
	}
}

func TestRenderURLFragment(t *testing.T) {
	a := Action{URL: "/doc?a=1#{{v}}"}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			checkRequest(t, got, err, wantRequest("/doc?a=1#"+h.inURL, nil, ""))
			// A fragment never goes on the wire.
			if u := resolve(t, got); u.String() != "https://api.example.com/v1/doc?a=1" {
				t.Fatalf("resolved to %s", u)
			}
		})
	}
}

func TestRenderQueryRow(t *testing.T) {
	a := Action{URL: "/search", Query: []connection.KV{kv("q", "{{v}}"), kv("page", "1")}}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			// Rows carry the raw value; connection encodes them.
			checkRequest(t, got, err, wantRequest("/search", []connection.KV{kv("q", h.value), kv("page", "1")}, ""))
			u := resolve(t, got)
			if want := "https://api.example.com/v1/search?q=" + h.inQuery + "&page=1"; u.String() != want {
				t.Fatalf("resolved to %s, want %s", u, want)
			}
			if want := (url.Values{"q": {h.value}, "page": {"1"}}); !reflect.DeepEqual(u.Query(), want) {
				t.Fatalf("query %v, want %v", u.Query(), want)
			}
		})
	}
}

func TestRenderHeader(t *testing.T) {
	a := Action{URL: "/h", Headers: []connection.KV{kv("X-V", "pre {{v}}")}}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			if !h.header {
				var ve *VariableError
				if !errors.As(err, &ve) || ve.Name != "v" || ve.Header != "X-V" {
					t.Fatalf("got %q, %v; want a VariableError for v in X-V", got.Headers, err)
				}
				return
			}
			checkRequest(t, got, err, wantRequest("/h", nil, "", kv("X-V", "pre "+h.value)))
		})
	}
	// Any control character but a tab is refused: net/http would refuse
	// it at Send, or worse, a line break would start another header.
	for _, v := range []string{"\r", "\n", "\x00", "\x01", "\x7f", "\u0085"} {
		if _, err := render(t, a, v); !errors.As(err, new(*VariableError)) {
			t.Errorf("%q in a header: %v", v, err)
		}
	}
}

func TestRenderJSONString(t *testing.T) {
	a := Action{URL: "/j", BodyType: BodyJSON, Body: `{"s": "{{v}}", "k": 1}`}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			checkRequest(t, got, err, wantRequest("/j", nil, `{"s": "`+h.inJS+`", "k": 1}`))
			var body map[string]any
			if err := json.Unmarshal(got.Body, &body); err != nil {
				t.Fatalf("invalid JSON %s: %v", got.Body, err)
			}
			// Still one string, and no field was added.
			if want := map[string]any{"s": h.value, "k": 1.0}; !reflect.DeepEqual(body, want) {
				t.Fatalf("decoded %v, want %v", body, want)
			}
		})
	}
}

func TestRenderJSONValue(t *testing.T) {
	a := Action{URL: "/j", BodyType: BodyJSON, Body: `{"n": {{v}}, "k": 1}`}
	for _, tt := range []struct {
		value string
		want  any // nil: refused
	}{
		{"42", 42.0},
		{"-1.5e3", -1500.0},
		{"null", nil},
		{"true", true},
		{`{"a": "b/c?d&e#f", "z": "Zoë 🚀"}`, map[string]any{"a": "b/c?d&e#f", "z": "Zoë 🚀"}},
		{`["{{other}}", 1]`, []any{"{{other}}", 1.0}},
		{` "a string" `, "a string"},
	} {
		got, err := render(t, a, tt.value)
		checkRequest(t, got, err, wantRequest("/j", nil, `{"n": `+tt.value+`, "k": 1}`))
		var body map[string]any
		if err := json.Unmarshal(got.Body, &body); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", tt.value, got.Body, err)
		}
		if want := map[string]any{"n": tt.want, "k": 1.0}; !reflect.DeepEqual(body, want) {
			t.Errorf("%q: decoded %v, want %v", tt.value, body, want)
		}
	}
	// Whatever is not exactly one JSON value is refused, so nothing is
	// added around it.
	for _, v := range []string{`1, "admin": true`, `{{other}}`, `O"Brien`, `"open`, `{"a": 1}}`, "", "a b", "Zoë", "1\r\n}"} {
		got, err := render(t, a, v)
		var ve *VariableError
		if !errors.As(err, &ve) || ve.Name != "v" || !ve.NotJSON {
			t.Errorf("%q: got %s, %v; want a NotJSON VariableError", v, got.Body, err)
		}
	}
}

func TestRenderTextBody(t *testing.T) {
	a := Action{URL: "/t", BodyType: BodyText, Body: "text: {{v}} end"}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			checkRequest(t, got, err, wantRequest("/t", nil, "text: "+h.value+" end"))
		})
	}
}

func TestRenderFormValue(t *testing.T) {
	a := Action{URL: "/f", BodyType: BodyForm, Form: []connection.KV{kv("v", "{{v}}"), kv("k", "1")}}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			checkRequest(t, got, err, wantRequest("/f", nil, "v="+h.inQuery+"&k=1",
				kv("Content-Type", "application/x-www-form-urlencoded")))
			if form, err := url.ParseQuery(string(got.Body)); err != nil || !reflect.DeepEqual(form, url.Values{"v": {h.value}, "k": {"1"}}) {
				t.Fatalf("form %v, %v", form, err)
			}
		})
	}
}

func TestRenderMultipartValue(t *testing.T) {
	a := Action{URL: "/m", BodyType: BodyMultipart, Parts: []Part{{Name: "v", Value: "{{v}}"}, {Name: "k", Value: "1"}}}
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			got, err := render(t, a, h.value)
			if err != nil {
				t.Fatal(err)
			}
			if got.URL != "/m" || got.Body != nil || got.Stream == nil || len(got.Headers) != 2 || got.Headers[0] != otherHeader {
				t.Fatalf("got %+v", got)
			}
			parts := readParts(t, got.Headers[1].Value, drain(t, got.Stream))
			want := map[string]gotPart{"v": {content: []byte(h.value)}, "k": {content: []byte("1")}}
			if !reflect.DeepEqual(parts, want) {
				t.Fatalf("parts %q, want %q", parts, want)
			}
		})
	}
}

// A value is put in once: the {{other}} it holds is sent as those
// characters even in the places that take it raw, and a value that builds
// a placeholder with the text around it is not expanded either.
func TestRenderNeverExpandsTwice(t *testing.T) {
	a := Action{URL: "/x", Headers: []connection.KV{kv("X-V", "{{{v}}}")}, BodyType: BodyText, Body: "{{{v}}} {{v}}"}
	got, err := render(t, a, "{other}")
	checkRequest(t, got, err, wantRequest("/x", nil, "{{other}} {other}", kv("X-V", "{{other}}")))
}
