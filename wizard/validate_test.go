package wizard

import (
	"errors"
	"strings"
	"testing"

	"patchbay/connection"
)

var api = connection.Connection{ID: 7, Name: "API", BaseURL: "https://api.x.com/v2"}

func kv(k, v string) connection.KV { return connection.KV{Key: k, Value: v} }

func TestValidateStep1(t *testing.T) {
	noBase := connection.Connection{ID: 8, Name: "Bare"}
	taken := func(name string) bool { return strings.EqualFold(name, "List users") }
	tests := []struct {
		name   string
		conn   connection.Connection
		edit   string // name of the action being edited, "" for a new one
		set    func(w *Wizard)
		field  string
		msg    string // "" means the field is fine
		substr bool   // msg is only part of the message
	}{
		{"name required", api, "", func(w *Wizard) { w.Name = "  " }, "name", "name is required", false},
		{"name taken", api, "", func(w *Wizard) { w.Name = " list USERS " }, "name", "an action named 'list USERS' already exists", false},
		{"name free", api, "", func(w *Wizard) { w.Name = "Create user" }, "name", "", false},
		{"own name while editing", api, "List users", func(w *Wizard) { w.Name = "LIST users" }, "name", "", false},
		{"other taken name while editing", api, "Get user", func(w *Wizard) { w.Name = "List users" }, "name", "an action named 'List users' already exists", false},
		{"name with newline", api, "", func(w *Wizard) { w.Name = "a\nb" }, "name", "name cannot contain line breaks or control characters", false},
		{"method lower case", api, "", func(w *Wizard) { w.Method = "post" }, "method", "", false},
		{"method unknown", api, "", func(w *Wizard) { w.Method = "FOO" }, "method", "unknown method 'FOO' — use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", false},
		{"method empty", api, "", func(w *Wizard) { w.Method = "" }, "method", "method is required — use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", false},
		{"relative url", api, "", func(w *Wizard) { w.URL = "/users?active=1" }, "url", "", false},
		{"relative url without slash", api, "", func(w *Wizard) { w.URL = "users" }, "url", "", false},
		{"empty url with base", api, "", func(w *Wizard) { w.URL = "" }, "url", "", false},
		{"same origin absolute", api, "", func(w *Wizard) { w.URL = "HTTPS://API.x.com:443/v2/users" }, "url", "", false},
		// The words for another host are connection.ResolveURL's, so the wizard refuses what Send refuses.
		{"other origin", api, "", func(w *Wizard) { w.URL = "https://evil.example/users" }, "url",
			"the URL points at evil.example, but connection 'API' is for api.x.com — use a path relative to the base URL", false},
		{"https downgraded to http", api, "", func(w *Wizard) { w.URL = "http://api.x.com/users" }, "url", "use a path relative to the base URL", true},
		{"protocol relative other host", api, "", func(w *Wizard) { w.URL = "//evil.example/x" }, "url", "the URL points at evil.example", true},
		{"colon in a relative path", api, "", func(w *Wizard) { w.URL = "users:search" }, "url", "", false},
		{"space in url", api, "", func(w *Wizard) { w.URL = "/users/john smith" }, "url", "URL cannot contain spaces — write a space as %20", false},
		{"control char in url", api, "", func(w *Wizard) { w.URL = "/users\x1b[2J" }, "url", "URL cannot contain line breaks or control characters", false},
		{"surrounding spaces are trimmed", api, "", func(w *Wizard) { w.URL = "  /users \n" }, "url", "", false},
		{"variable with spaces", api, "", func(w *Wizard) { w.URL = "/users/{{ id }}" }, "url", "", false},
		{"invalid query escape", api, "", func(w *Wizard) { w.URL = "/get?x=%zz" }, "url", "the query has an invalid %-escape: %zz — write a literal % as %25", false},
		{"cut-off query escape", api, "", func(w *Wizard) { w.URL = "/get?x=1&y=2%4" }, "url", "the query has an invalid %-escape: %4 — write a literal % as %25", false},
		{"no base: invalid query escape", noBase, "", func(w *Wizard) { w.URL = "https://api.y.com/get?%zz=1" }, "url", "the query has an invalid %-escape: %zz — write a literal % as %25", false},
		{"valid query escapes", api, "", func(w *Wizard) { w.URL = "/get?x=%20%C3%A9&y=a+b&z=100%25" }, "url", "", false},
		{"variables and semicolons in the query", api, "", func(w *Wizard) { w.URL = "/get?x={{ v }}&a=1;b=%41" }, "url", "", false},
		{"password in url", api, "", func(w *Wizard) { w.URL = "https://u:pw@api.x.com/v1/me" }, "url", "URL cannot carry a user name or password — put credentials in the connection", false},
		{"no base: user in url", noBase, "", func(w *Wizard) { w.URL = "https://token@api.y.com/get" }, "url", "URL cannot carry a user name or password — put credentials in the connection", false},
		{"unparsable url", noBase, "", func(w *Wizard) { w.URL = "http://[::1" }, "url", "not a valid URL: missing ']' in host", false},
		{"no base: absolute ok", noBase, "", func(w *Wizard) { w.URL = "https://api.y.com/users" }, "url", "", false},
		{"no base: relative", noBase, "", func(w *Wizard) { w.URL = "/users" }, "url",
			"connection 'Bare' has no base URL, so the URL must be absolute, such as https://api.example.com/users", false},
		{"no base: empty", noBase, "", func(w *Wizard) { w.URL = "" }, "url",
			"URL is required — connection 'Bare' has no base URL, so give a full URL such as https://api.example.com/users", false},
		{"no base: ftp", noBase, "", func(w *Wizard) { w.URL = "ftp://files.y.com/a" }, "url", "URL must start with http:// or https://", false},
		{"no base: no host", noBase, "", func(w *Wizard) { w.URL = "https:///path" }, "url", "URL has no host — write it as https://HOST/path", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(tt.conn)
			if tt.edit != "" {
				w = Edit(tt.conn, Action{ID: 1, Name: tt.edit, Method: "GET", URL: "https://api.y.com/"})
			}
			w.Name, w.URL = "Valid name", "https://api.y.com/"
			if tt.conn.BaseURL != "" {
				w.URL = "/ok"
			}
			w.NameTaken = taken
			tt.set(w)
			errs := w.Validate()
			got := errs.For(tt.field)
			switch {
			case tt.msg == "" && got != "":
				t.Fatalf("%s: unexpected error %q", tt.field, got)
			case tt.substr && !strings.Contains(got, tt.msg):
				t.Fatalf("%s: got %q, want it to contain %q", tt.field, got, tt.msg)
			case !tt.substr && got != tt.msg:
				t.Fatalf("%s: got %q, want %q", tt.field, got, tt.msg)
			}
			for _, e := range errs {
				if e.Field != tt.field {
					t.Errorf("unexpected error on another field: %v", e)
				}
			}
		})
	}
}

func TestValidateStep2(t *testing.T) {
	tests := []struct {
		name  string
		set   func(w *Wizard)
		field string
		msg   string
	}{
		{"blank rows ignored", func(w *Wizard) {
			w.Query = []connection.KV{{}, kv(" ", " ")}
			w.Headers = []connection.KV{{}, {}}
		}, "", ""},
		{"header without name", func(w *Wizard) { w.Headers = []connection.KV{{}, kv("", "abc")} }, "header.1", "header needs a name"},
		{"header with space in name", func(w *Wizard) { w.Headers = []connection.KV{kv("X Trace", "1")} }, "header.0",
			"header name 'X Trace' can only contain letters, digits and !#$%&'*+-.^_`|~ (no spaces or colons)"},
		{"header with colon in name", func(w *Wizard) { w.Headers = []connection.KV{kv("Accept:", "1")} }, "header.0",
			"header name 'Accept:' can only contain letters, digits and !#$%&'*+-.^_`|~ (no spaces or colons)"},
		{"header value with newline", func(w *Wizard) { w.Headers = []connection.KV{kv("X-A", "1\r\nX-B: 2")} }, "header.0",
			"header value cannot contain line breaks or control characters"},
		{"header with empty value", func(w *Wizard) { w.Headers = []connection.KV{kv("X-Empty", "")} }, "", ""},
		{"query without name", func(w *Wizard) { w.Query = []connection.KV{kv("a", "1"), {}, kv("", "2")} }, "query.2", "query parameter needs a name"},
		{"query with empty value", func(w *Wizard) { w.Query = []connection.KV{kv("flag", "")} }, "", ""},
		// Row values are encoded when the request is built: "%zz" is sent as %25zz.
		{"query value with a bare percent", func(w *Wizard) { w.Query = []connection.KV{kv("x", "%zz"), kv("%y", "100%")} }, "", ""},
		{"form without name", func(w *Wizard) {
			w.Method, w.BodyType = "POST", BodyForm
			w.Form = []connection.KV{kv("", "x")}
		}, "form.0", "form field needs a name"},
		{"form rows ignored unless form body", func(w *Wizard) { w.Form = []connection.KV{kv("", "x")} }, "", ""},
		{"invalid JSON", func(w *Wizard) {
			w.Method, w.BodyType, w.Body = "POST", BodyJSON, "{\n  \"a\": 1,\n  \"b\": tru\n}"
		}, "body", "invalid JSON at line 3, column 11: invalid character '\\n' in literal true (expecting 'e')"},
		{"blank JSON is no body", func(w *Wizard) { w.Method, w.BodyType, w.Body = "POST", BodyJSON, " \n\t" }, "", ""},
		{"JSON with variables", func(w *Wizard) {
			w.Method, w.BodyType, w.Body = "POST", BodyJSON, `{"id": {{ id }}, "name": "{{name}}"}`
			w.SetSampleValue("id", "1")
			w.SetSampleValue("name", "Ann")
		}, "", ""},
		{"invalid JSON after a variable keeps its column", func(w *Wizard) {
			w.Method, w.BodyType, w.Body = "POST", BodyJSON, `{"id": {{id}} x}`
			w.SetSampleValue("id", "1")
		}, "body", "invalid JSON at line 1, column 15: invalid character 'x' after object key:value pair"},
		{"a backslash before a variable in a string is an invalid escape", func(w *Wizard) {
			w.Method, w.BodyType, w.Body = "POST", BodyJSON, `{"s": "\{{a}}"}`
			w.SetSampleValue("a", "0")
		}, "body", "invalid JSON at line 1, column 9: invalid character '{' in string escape code"},
		{"invalid JSON ignored when body type is text", func(w *Wizard) { w.Method, w.BodyType, w.Body = "POST", BodyText, "{" }, "", ""},
		{"GET with a body is allowed", func(w *Wizard) { w.BodyType, w.Body = BodyJSON, `{"a":1}` }, "", ""},
		{"unknown body type", func(w *Wizard) { w.BodyType = "xml" }, "body", "unknown body type 'xml' — use none, json, text, form or multipart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(api)
			w.Name, w.URL = "a", "/users"
			if errs := w.Next(); errs != nil {
				t.Fatalf("step 1: %v", errs)
			}
			tt.set(w)
			errs := w.Validate()
			if tt.field == "" {
				if errs != nil {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || errs[0].Msg != tt.msg {
				t.Fatalf("got %#v, want one error %s: %q", errs, tt.field, tt.msg)
			}
			if _, err := w.Request(); !errors.As(err, new(connection.FieldErrors)) {
				t.Errorf("Request() error = %v, want the same FieldErrors", err)
			}
		})
	}
}

func TestStep3RevalidatesEverything(t *testing.T) {
	w := readyAtReview(t)
	w.Name = ""
	w.Headers = append(w.Headers, kv("", "v"))
	errs := w.Validate()
	if errs.For("name") != "name is required" || errs.For("header.2") != "header needs a name" {
		t.Fatalf("got %v", errs)
	}
	if _, err := w.Apply(); err == nil {
		t.Fatal("Apply passed with errors")
	}
}
