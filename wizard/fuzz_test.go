package wizard

import (
	"encoding/json"
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
