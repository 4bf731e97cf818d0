package wizard

import (
	"reflect"
	"testing"

	"patchbay/connection"
)

func TestMakeVariableErrors(t *testing.T) {
	ready := func() *Wizard {
		w := New(api)
		w.Name, w.Method, w.URL = "e", "POST", "/users/42/abc?page=2"
		w.Headers = []connection.KV{kv("X-Id", "{{id}}")}
		w.Vars = []Variable{{Name: "id", Type: VarNumber, Required: true, Sample: "42"}}
		w.BodyType, w.Body = BodyJSON, `{"n": 5, "s": "x {{id}}"}`
		sendSample(t, w)
		return w
	}
	seg := func(i int) Place { return Place{Kind: PlacePath, Index: i} }
	def := func(s string) *string { return &s }
	tests := []struct {
		name  string
		at    Place
		v     Variable
		field string
		msg   string
	}{
		{"no name", seg(3), Variable{}, "var_name", "the variable needs a name, such as user_id"},
		{"bad name", seg(3), Variable{Name: "1st"}, "var_name", "'1st' is not a variable name: start with a letter or _, then letters, digits, _ . or -"},
		{"name with a space", seg(3), Variable{Name: "a b"}, "var_name", "'a b' is not a variable name: start with a letter or _, then letters, digits, _ . or -"},
		{"type conflict", seg(3), Variable{Name: "id", Type: VarString}, "var_name",
			"{{id}} is already a number variable: one name is one value, so give it the same type or pick another name"},
		{"unknown type", seg(3), Variable{Name: "x", Type: "int"}, "var_type", "unknown type 'int' — choose string, number, boolean or json"},
		{"sample not of type", seg(3), Variable{Name: "x", Type: VarNumber}, "var_type", "'abc' is not a number"},
		{"given sample not of type", seg(2), Variable{Name: "x", Type: VarBoolean, Sample: "yes"}, "var_type", "'yes' is not true or false"},
		{"default not of type", seg(2), Variable{Name: "x", Type: VarNumber, Default: def("many")}, "var_default", "the default 'many' is not a number"},
		{"a secret's value is not quoted", seg(3), Variable{Name: "api_token", Type: VarNumber}, "var_type", "the sample value is not a number"},
		{"bare JSON value as a string", Place{Kind: PlaceBody, Path: "n"}, Variable{Name: "n"}, "var_type",
			"the value sits outside quotes in the JSON body, so it must be JSON: choose number, boolean or json"},
		{"place gone", seg(9), Variable{Name: "x"}, "var", "that value is no longer in the request as a fixed value — pick it again from the list"},
		{"place mixes a variable", Place{Kind: PlaceBody, Path: "s"}, Variable{Name: "x"}, "var", "that value is no longer in the request as a fixed value — pick it again from the list"},
		{"place of another kind", Place{Kind: PlaceHeader, Index: 0}, Variable{Name: "x"}, "var", "that value is no longer in the request as a fixed value — pick it again from the list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ready()
			before, vars := fieldsOf(w), cloneVars(w.Vars)
			errs := w.MakeVariable(tt.at, tt.v)
			if len(errs) != 1 || errs[0].Field != tt.field || errs[0].Msg != tt.msg {
				t.Fatalf("got %#v, want %s: %q", errs, tt.field, tt.msg)
			}
			if !reflect.DeepEqual(fieldsOf(w), before) || !reflect.DeepEqual(w.Vars, vars) {
				t.Fatalf("a refused variable changed the wizard: %+v %+v", fieldsOf(w), w.Vars)
			}
		})
	}

	// The same name and type in a second place: one value goes in both.
	w := ready()
	if errs := w.MakeVariable(seg(2), Variable{Name: "id", Type: VarNumber}); errs != nil {
		t.Fatal(errs)
	}
	if w.URL != "/users/{{id}}/abc?page=2" || len(w.Vars) != 1 || w.Vars[0].Sample != "42" {
		t.Fatalf("URL %q, vars %+v", w.URL, w.Vars)
	}
	mustFresh(t, w, "the same value in a second place")
}

func TestUpdateVariable(t *testing.T) {
	w := New(api)
	w.Name, w.Method = "u", "POST"
	w.URL = "/users/{{ id }}/x?again={{id}}"
	w.Query = []connection.KV{kv("id", "{{\tid\t}}")}
	w.Headers = []connection.KV{kv("X-Id", "id {{id}} and {{other}}")}
	w.BodyType, w.Body = BodyJSON, `{"id": {{id}}, "s": "{{ id }}!"}`
	w.Form = []connection.KV{kv("f", "{{id}}")} // not sent, renamed all the same
	w.Vars = []Variable{{Name: "other", Sample: "o"}, {Name: "id", Type: VarNumber, Required: true, Sample: "17"}}
	sendSample(t, w)

	if errs := w.UpdateVariable("id", Variable{Name: "user_id", Type: VarNumber, Required: true}); errs != nil {
		t.Fatal(errs)
	}
	want := wizardFields{
		URL:     "/users/{{user_id}}/x?again={{user_id}}",
		Query:   []connection.KV{kv("id", "{{user_id}}")},
		Headers: []connection.KV{kv("X-Id", "id {{user_id}} and {{other}}")},
		Form:    []connection.KV{kv("f", "{{user_id}}")},
		Body:    `{"id": {{user_id}}, "s": "{{user_id}}!"}`,
	}
	if got := fieldsOf(w); !reflect.DeepEqual(got, want) {
		t.Fatalf("fields\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(w.Vars, []Variable{{Name: "other", Sample: "o"}, {Name: "user_id", Type: VarNumber, Required: true, Sample: "17"}}) {
		t.Fatalf("vars %+v (the sample value is kept)", w.Vars)
	}
	mustFresh(t, w, "after a rename")

	for _, tt := range []struct {
		name  string
		v     Variable
		field string
	}{
		{"bare JSON as a string", Variable{Name: "user_id", Type: VarString}, "var_type"},
		{"sample of another type", Variable{Name: "user_id", Type: VarNumber, Sample: "x"}, "var_type"},
		{"merge with another type", Variable{Name: "other", Type: VarNumber}, "var_name"},
		{"bad name", Variable{Name: "a/b", Type: VarNumber}, "var_name"},
	} {
		if errs := w.UpdateVariable("user_id", tt.v); errs.For(tt.field) == "" {
			t.Errorf("%s: %v", tt.name, errs)
		}
	}
	if errs := w.UpdateVariable("gone", Variable{Name: "x"}); errs.For("var") == "" {
		t.Errorf("a variable that is not there: %v", errs)
	}
	if got := fieldsOf(w); !reflect.DeepEqual(got, want) {
		t.Fatalf("a refused update changed the fields: %+v", got)
	}

	// A new sample value makes the sample stale: it is another request.
	if errs := w.UpdateVariable("user_id", Variable{Name: "user_id", Type: VarNumber, Sample: "18"}); errs != nil {
		t.Fatal(errs)
	}
	if _, _, stale := w.Sample(); !stale {
		t.Fatal("another sample value left the sample fresh")
	}
}
