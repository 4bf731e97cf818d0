package wizard

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"patchbay/connection"
)

func varAction() Action {
	return Action{
		Name:     "Update user",
		Method:   "put",
		URL:      "/teams/{{team}}/users/{{ user.id }}",
		Query:    []connection.KV{kv("notify", "{{notify}}"), kv("{{not_a_var_in_a_name}}", "x")},
		Headers:  []connection.KV{kv("X-Trace", "{{trace-id}}"), kv("Authorization", "Bearer {{token}}")},
		BodyType: BodyJSON,
		Body:     `{"id": {{user.id}}, "name": "{{ name }}", "team": "{{team}}"}`,
		Form:     []connection.KV{kv("ignored", "{{form_only}}")}, // not sent with a JSON body
	}
}

func TestVariables(t *testing.T) {
	want := []string{"team", "user.id", "notify", "trace-id", "token", "name"}
	if got := varAction().Variables(); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	a := Action{Method: "POST", URL: "/x", BodyType: BodyForm, Body: "{{body_unused}}",
		Form: []connection.KV{kv("a", "{{a}}"), kv("b", "{{a}}-{{b}}")}}
	if got := a.Variables(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("form: got %v", got)
	}
	if got := (Action{URL: "/{{1bad}}/{{ok_1}}/{x}/{{ spaced }}/{{\tname\t}}"}).Variables(); !slices.Equal(got, []string{"ok_1", "spaced", "name"}) {
		t.Fatalf("names: got %v", got)
	}
}

func TestActionRequestFillsVariables(t *testing.T) {
	vars := map[string]string{
		"team": "a b/c?", "user.id": "42", "notify": "yes & no", "trace-id": "t-1",
		"token": "tok", "name": `Ann "A"`,
	}
	got, err := varAction().Request(vars)
	if err != nil {
		t.Fatal(err)
	}
	want := connection.Request{
		Method:  "PUT",
		URL:     "/teams/a%20b%2Fc%3F/users/42", // a value is one segment: its "/" is escaped
		Query:   []connection.KV{kv("notify", "yes & no"), kv("{{not_a_var_in_a_name}}", "x")},
		Headers: []connection.KV{kv("X-Trace", "t-1"), kv("Authorization", "Bearer tok")},
		Body:    []byte(`{"id": 42, "name": "Ann \"A\"", "team": "a b/c?"}`),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	form := Action{Name: "f", Method: "POST", URL: "/f", BodyType: BodyForm, Form: []connection.KV{kv("q", "{{q}}")}}
	got, err = form.Request(map[string]string{"q": "a&b"})
	if err != nil || string(got.Body) != "q=a%26b" {
		t.Fatalf("form: %q, %v", got.Body, err)
	}
}

func TestActionRequestVariableErrors(t *testing.T) {
	all := map[string]string{"team": "t", "user.id": "1", "notify": "n", "trace-id": "x", "token": "k", "name": ""}
	without := func(name string) map[string]string {
		m := map[string]string{}
		for k, v := range all {
			if k != name {
				m[k] = v
			}
		}
		return m
	}
	with := func(extra ...string) map[string]string {
		m := without("")
		for _, k := range extra {
			m[k] = "v"
		}
		return m
	}
	tests := []struct {
		vars map[string]string
		msg  string
	}{
		// Every variable at fault is named at once.
		{nil, "variables 'team', 'user.id', 'notify', 'trace-id', 'token', 'name' have no value " +
			"(use --var team=VALUE --var user.id=VALUE --var notify=VALUE --var trace-id=VALUE --var token=VALUE --var name=VALUE)"},
		{without("token"), "variable 'token' has no value (use --var token=VALUE)"},
		{with("zzz", "yyy"), "action 'Update user' has no variables 'yyy', 'zzz'"},
		{with("form_only"), "action 'Update user' has no variable 'form_only'"},
		{without("user.id"), "variable 'user.id' has no value (use --var user.id=VALUE)"},
	}
	for _, tt := range tests {
		_, err := varAction().Request(tt.vars)
		var ve *VariableError
		if !errors.As(err, &ve) || err.Error() != tt.msg {
			t.Errorf("vars %v: got %v, want %q", tt.vars, err, tt.msg)
		}
	}
	if _, err := varAction().Request(all); err != nil {
		t.Errorf("empty value refused: %v", err)
	}
	_, err := varAction().Request(map[string]string{"team": "t", "user.id": "1", "notify": "n", "trace-id": "x\r\nEvil: 1", "token": "k", "name": ""})
	var ve *VariableError
	if !errors.As(err, &ve) || ve.Name != "trace-id" || ve.Header != "X-Trace" ||
		err.Error() != "variable 'trace-id' goes into header X-Trace, so its value cannot contain a line break or another control character" {
		t.Errorf("a line break in a header: got %v", err)
	}
	if _, err := (Action{Name: "plain", Method: "GET"}).Request(map[string]string{"x": "1"}); err == nil || err.Error() != "action 'plain' has no variable 'x'" {
		t.Errorf("got %v", err)
	}
}

func TestActionRequestEscapesJSONStrings(t *testing.T) {
	a := Action{Name: "Create", Method: "POST", URL: "/people", BodyType: BodyJSON,
		Body: `{"name": "{{name}}", "note": "said: {{ name }}!", "esc\"aped {{name}}": ["\\", "{{name}}"]}`}
	for _, v := range []string{
		`O"Brien`, `back\slash`, "two\nlines\r\ttab", "café ☕ \u2028 \x01", `</script> & <b>`, `\"}, "admin": true, "x": "`, "",
	} {
		got, err := a.Request(map[string]string{"name": v})
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		var body map[string]any
		if err := json.Unmarshal(got.Body, &body); err != nil {
			t.Fatalf("%q: sent invalid JSON %s: %v", v, got.Body, err)
		}
		want := map[string]any{"name": v, "note": "said: " + v + "!", `esc"aped ` + v: []any{`\`, v}}
		if !reflect.DeepEqual(body, want) {
			t.Errorf("%q: sent %s", v, got.Body)
		}
	}
	// Unicode stays as it is; only what JSON needs is escaped.
	got, _ := a.Request(map[string]string{"name": "é<\n"})
	if want := `{"name": "é<\n", "note": "said: é<\n!", "esc\"aped é<\n": ["\\", "é<\n"]}`; string(got.Body) != want {
		t.Errorf("got  %s\nwant %s", got.Body, want)
	}
}

func TestActionRequestRawJSONValues(t *testing.T) {
	a := Action{Name: "Count", Method: "POST", URL: "/c", BodyType: BodyJSON,
		Body: `{"n": {{count}}, "tags": {{tags}}, "label": "{{count}} items"}`}
	got, err := a.Request(map[string]string{"count": "42", "tags": `["a", "b"]`})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"n": 42, "tags": ["a", "b"], "label": "42 items"}`; string(got.Body) != want {
		t.Fatalf("got %s", got.Body)
	}

	for _, tt := range []struct {
		count, tags, bad string
	}{
		{"abc", "[]", "count"},
		{`4"2`, "[]", "count"},
		{"1", `["a"`, "tags"},
		{"1, \"admin\": true", "[]", "count"}, // the filled body would be valid, but the value adds a field
		{"", "[]", "count"},
	} {
		got, err := a.Request(map[string]string{"count": tt.count, "tags": tt.tags})
		var ve *VariableError
		switch {
		case tt.bad == "" && err != nil:
			t.Errorf("count %q: %v", tt.count, err)
		case tt.bad == "":
		case !errors.As(err, &ve) || ve.Name != tt.bad || !ve.NotJSON:
			t.Errorf("count %q tags %q: got %s, %v; want a VariableError for %s", tt.count, tt.tags, got.Body, err, tt.bad)
		}
	}
	_, err = a.Request(map[string]string{"count": "abc", "tags": "[]"})
	if want := `variable 'count' is outside quotes in the JSON body, so its value must be JSON (a number, true, false, null, an array or an object) — to send it as text, write "{{count}}"`; err == nil || err.Error() != want {
		t.Errorf("message %v", err)
	}

	// A body that is not JSON with or without its values is not the value's fault.
	broken := Action{Name: "b", Method: "POST", BodyType: BodyJSON, Body: `{"n": {{n}},}`}
	if got, err := broken.Request(map[string]string{"n": "1"}); err != nil || string(got.Body) != `{"n": 1,}` {
		t.Errorf("broken body: %s, %v", got.Body, err)
	}
	// A text body is never escaped or checked.
	text := Action{Name: "t", Method: "POST", BodyType: BodyText, Body: `"{{n}}" {{n}}`}
	if got, err := text.Request(map[string]string{"n": `a"b`}); err != nil || string(got.Body) != `"a"b" a"b` {
		t.Errorf("text body: %s, %v", got.Body, err)
	}
}
