package wizard

import (
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
		URL:     "/teams/a%20b/c%3F/users/42",
		Query:   []connection.KV{kv("notify", "yes & no"), kv("{{not_a_var_in_a_name}}", "x")},
		Headers: []connection.KV{kv("X-Trace", "t-1"), kv("Authorization", "Bearer tok")},
		Body:    []byte(`{"id": 42, "name": "Ann "A"", "team": "a b/c?"}`), // raw text, as documented
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
		{nil, "variable 'team' has no value (use --var team=VALUE)"},
		{without("token"), "variable 'token' has no value (use --var token=VALUE)"},
		{with("zzz", "yyy"), "action 'Update user' has no variable 'yyy'"},
		{with("form_only"), "action 'Update user' has no variable 'form_only'"},
		{map[string]string{"typo": "1"}, "action 'Update user' has no variable 'typo'"},
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
	if _, err := varAction().Request(map[string]string{"team": "t", "user.id": "1", "notify": "n", "trace-id": "x\r\nEvil: 1", "token": "k", "name": ""}); err == nil {
		t.Error("a line break was put into a header")
	}
	if _, err := (Action{Name: "plain", Method: "GET"}).Request(map[string]string{"x": "1"}); err == nil || err.Error() != "action 'plain' has no variable 'x'" {
		t.Errorf("got %v", err)
	}
}
