package wizard

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"patchbay/connection"
)

func ptr(s string) *string { return &s }

// typedAction uses five variables; Vars describes four of them and one
// that it does not use.
func typedAction() Action {
	return Action{
		Name: "Search", Method: "POST", URL: "/items/{{id}}",
		Query:    []connection.KV{kv("limit", "{{limit}}"), kv("tag", "{{tag}}")},
		BodyType: BodyJSON,
		Body:     `{"active": {{active}}, "filter": {{filter}}}`,
		Vars: []Variable{
			{Name: "limit", Type: VarNumber, Default: ptr("10")},
			{Name: "tag", Required: false}, // optional string, no default
			{Name: "active", Type: VarBoolean, Required: true},
			{Name: "filter", Type: VarJSON, Default: ptr(`{"all":true}`)},
			{Name: "gone", Type: VarNumber, Required: true}, // no longer used
		},
	}
}

func TestParseVarType(t *testing.T) {
	for in, want := range map[string]VarType{
		"": VarString, "string": VarString, " Number ": VarNumber, "BOOLEAN": VarBoolean, "bool": VarBoolean, "json": VarJSON,
	} {
		if got, err := ParseVarType(in); err != nil || got != want {
			t.Errorf("ParseVarType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"int", "str", "object", "null"} {
		if _, err := ParseVarType(in); err == nil || !strings.Contains(err.Error(), "'"+in+"'") ||
			!strings.Contains(err.Error(), "string, number, boolean or json") {
			t.Errorf("ParseVarType(%q): %v", in, err)
		}
	}
	if VarType("").String() != "string" || VarNumber.String() != "number" {
		t.Errorf("String: %q %q", VarType(""), VarNumber)
	}
}

func TestVarTypeAccepts(t *testing.T) {
	tests := []struct {
		typ        VarType
		yes, no    []string
		unknownAll bool
	}{
		{VarString, []string{"", "abc", "{", "1 2", "\x00"}, nil, false},
		{"", []string{"", "abc"}, nil, false},
		{VarNumber, []string{"0", "7", "-1", "1.5", "-0.25e+3", "1E9"},
			[]string{"", "abc", " 7", "7 ", "+1", "01", "1.", ".5", "0x10", "NaN", "Infinity", "1,5", `"7"`, "7abc"}, false},
		{VarBoolean, []string{"true", "false"}, []string{"", "True", "FALSE", "1", "0", "yes", " true", `"true"`}, false},
		{VarJSON, []string{"null", "1", `"s"`, "[1, 2]", `{"a": {"b": [true]}}`, " {} "},
			[]string{"", "{", "{a: 1}", "[1,]", "1 2", "'s'", "undefined"}, false},
		{"integer", nil, []string{"", "1", "abc"}, true},
	}
	for _, tt := range tests {
		for _, v := range tt.yes {
			if !tt.typ.Accepts(v) {
				t.Errorf("%s refuses %q", tt.typ, v)
			}
		}
		for _, v := range tt.no {
			if tt.typ.Accepts(v) {
				t.Errorf("%s accepts %q", tt.typ, v)
			}
		}
	}
}

func TestResolveFillsDefaults(t *testing.T) {
	a := typedAction()
	got, err := a.Resolve(map[string]string{"id": "abc", "active": "true"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "abc", "limit": "10", "tag": "", "active": "true", "filter": `{"all":true}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve = %v, want %v", got, want)
	}
	// A value given wins over the default, an empty one included.
	got, err = a.Resolve(map[string]string{"id": "1", "active": "false", "limit": "3", "tag": "x", "filter": "[]"})
	if err != nil || got["limit"] != "3" || got["tag"] != "x" || got["filter"] != "[]" {
		t.Errorf("Resolve = %v, %v", got, err)
	}
	// The caller's map is not changed.
	given := map[string]string{"id": "1", "active": "true"}
	if _, err := a.Resolve(given); err != nil || len(given) != 2 {
		t.Errorf("given became %v (%v)", given, err)
	}
	// An empty default is a default, not the absence of one.
	b := Action{Name: "b", Method: "GET", URL: "/x?q={{q}}", Vars: []Variable{{Name: "q", Default: ptr(""), Required: true}}}
	if got, err := b.Resolve(nil); err != nil || got["q"] != "" {
		t.Errorf("empty default: %v, %v", got, err)
	}
}

func TestResolveRendersDefaults(t *testing.T) {
	req, err := typedAction().Request(map[string]string{"id": "7", "active": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if req.URL != "/items/7" || !reflect.DeepEqual(req.Query, []connection.KV{kv("limit", "10"), kv("tag", "")}) ||
		string(req.Body) != `{"active": true, "filter": {"all":true}}` {
		t.Errorf("request %s %v %s", req.URL, req.Query, req.Body)
	}
}

func TestResolveRequired(t *testing.T) {
	a := typedAction()
	_, err := a.Resolve(map[string]string{"active": "true"})
	var ve *VariableError
	if !errors.As(err, &ve) || ve.Name != "id" || !reflect.DeepEqual(ve.Names, []string{"id"}) || ve.Unknown || ve.WrongType ||
		err.Error() != "variable 'id' has no value (use --var id=VALUE)" {
		t.Errorf("one missing: %v (%+v)", err, ve)
	}
	// Every missing variable is named, in the action's order; optional
	// and defaulted ones are not among them.
	_, err = a.Resolve(nil)
	if !errors.As(err, &ve) || !reflect.DeepEqual(ve.Names, []string{"id", "active"}) ||
		err.Error() != "variables 'id', 'active' have no value (use --var id=VALUE --var active=VALUE)" {
		t.Errorf("two missing: %v", err)
	}
}

func TestResolveTypes(t *testing.T) {
	a := typedAction()
	base := func(k, v string) map[string]string {
		m := map[string]string{"id": "1", "active": "true"}
		m[k] = v
		return m
	}
	for _, tt := range []struct {
		name, value string
		typ         VarType
		msg         string
	}{
		{"limit", "abc", VarNumber, `variable 'limit' must be a number, not "abc"`},
		{"limit", "", VarNumber, `variable 'limit' must be a number, not ""`},
		{"active", "yes", VarBoolean, `variable 'active' must be true or false, not "yes"`},
		{"filter", "{nope", VarJSON, `variable 'filter' must be JSON, not "{nope"`},
		{"limit", strings.Repeat("9x", 30), VarNumber, `variable 'limit' must be a number, not "` + strings.Repeat("9x", 20) + `…"`},
	} {
		_, err := a.Resolve(base(tt.name, tt.value))
		var ve *VariableError
		if !errors.As(err, &ve) || !ve.WrongType || ve.Name != tt.name || ve.Type != tt.typ || err.Error() != tt.msg {
			t.Errorf("%s=%q: got %v (%+v), want %q", tt.name, tt.value, err, ve, tt.msg)
		}
	}
	// A string takes anything; the other types take their values.
	for k, v := range map[string]string{"id": "x y/z", "limit": "-2.5e1", "active": "false", "filter": `[1,"a",null]`} {
		if _, err := a.Resolve(base(k, v)); err != nil {
			t.Errorf("%s=%q refused: %v", k, v, err)
		}
	}
	// A default of the wrong type (a damaged action) is refused too.
	bad := Action{Name: "b", Method: "GET", URL: "/x?n={{n}}", Vars: []Variable{{Name: "n", Type: VarNumber, Default: ptr("ten")}}}
	if _, err := bad.Resolve(nil); err == nil || err.Error() != `variable 'n' must be a number, not "ten"` {
		t.Errorf("bad default: %v", err)
	}
	// The value of a variable named like a credential is never quoted.
	secret := Action{Name: "s", Method: "GET", URL: "/x?p={{api_token}}", Vars: []Variable{{Name: "api_token", Type: VarNumber}}}
	_, err := secret.Resolve(map[string]string{"api_token": "hunter2"})
	var ve *VariableError
	if !errors.As(err, &ve) || ve.Value != "" || strings.Contains(err.Error(), "hunter2") ||
		err.Error() != "variable 'api_token' must be a number" {
		t.Errorf("secret: %v (%+v)", err, ve)
	}
}

// TestResolveReportsEveryProblem: unknown, missing and mistyped variables
// come together, each naming its variables, unknown first for errors.As.
func TestResolveReportsEveryProblem(t *testing.T) {
	_, err := typedAction().Resolve(map[string]string{"zz": "1", "gone": "2", "limit": "many", "filter": "{"})
	want := "action 'Search' has no variables 'gone', 'zz'\n" +
		"variables 'id', 'active' have no value (use --var id=VALUE --var active=VALUE)\n" +
		"variable 'limit' must be a number, not \"many\"\n" +
		"variable 'filter' must be JSON, not \"{\""
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	var ve *VariableError
	if !errors.As(err, &ve) || !ve.Unknown || !reflect.DeepEqual(ve.Names, []string{"gone", "zz"}) {
		t.Errorf("errors.As found %+v", ve)
	}
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 4 {
		t.Errorf("%d errors joined, want 4", n)
	}
}

// TestResolveWithoutVars: an action without Vars (saved before they
// existed) treats each variable as a required string, as before: values
// pass as they are, a missing one and an unknown one are errors.
func TestResolveWithoutVars(t *testing.T) {
	a := varAction()
	a.Vars = nil
	all := map[string]string{"team": "t", "user.id": "1", "notify": "n", "trace-id": "x", "token": "k", "name": ""}
	got, err := a.Resolve(all)
	if err != nil || !reflect.DeepEqual(got, all) {
		t.Errorf("Resolve = %v, %v", got, err)
	}
	for _, v := range a.VariableList() {
		if v.Type != VarString || !v.Required || v.Default != nil {
			t.Errorf("undescribed variable %+v", v)
		}
	}
	if _, err := a.Resolve(map[string]string{"team": "t"}); err == nil || !strings.HasPrefix(err.Error(), "variables 'user.id', 'notify', ") {
		t.Errorf("missing: %v", err)
	}
	if _, err := (Action{Name: "plain", Method: "GET"}).Resolve(map[string]string{"x": "1"}); err == nil ||
		err.Error() != "action 'plain' has no variable 'x'" {
		t.Errorf("unknown: %v", err)
	}
	if got, err := (Action{Name: "plain", Method: "GET"}).Resolve(nil); err != nil || len(got) != 0 {
		t.Errorf("no variables: %v, %v", got, err)
	}
}

func TestVariableList(t *testing.T) {
	got := typedAction().VariableList()
	want := []Variable{
		{Name: "id", Type: VarString, Required: true},
		{Name: "limit", Type: VarNumber, Default: ptr("10")},
		{Name: "tag", Type: VarString},
		{Name: "active", Type: VarBoolean, Required: true},
		{Name: "filter", Type: VarJSON, Default: ptr(`{"all":true}`)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("VariableList\n got %+v\nwant %+v", got, want)
	}
}

// TestVarsJSON: Vars go through JSON as the store keeps them unchanged;
// an empty default is kept apart from none; an action without Vars is
// written without the key.
func TestVarsJSON(t *testing.T) {
	a := typedAction()
	a.Vars = append(a.Vars, Variable{Name: "id", Default: ptr("")})
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`"vars":[{"name":"limit","type":"number","default":"10"},{"name":"tag"},`,
		`{"name":"active","type":"boolean","required":true}`, `{"name":"id","default":""}`,
	} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("JSON lacks %s:\n%s", s, raw)
		}
	}
	var back Action
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Vars, a.Vars) {
		t.Errorf("round trip\n got %+v\nwant %+v", back.Vars, a.Vars)
	}
	raw, _ = json.Marshal(varAction())
	if strings.Contains(string(raw), `"vars"`) {
		t.Errorf("an action without Vars is written with them: %s", raw)
	}
}

// TestEditKeepsVars: editing an action keeps the descriptions of the
// variables it still uses, drops the others, and shares nothing with the
// action it started from.
func TestEditKeepsVars(t *testing.T) {
	a := typedAction()
	w := Edit(api, a)
	w.Body = `{"active": {{active}}}` // filter is no longer used
	*w.Vars[0].Default = "99"         // must not reach a
	got, errs := w.Draft()
	if errs != nil {
		t.Fatal(errs)
	}
	want := []Variable{
		{Name: "limit", Type: VarNumber, Default: ptr("99")},
		{Name: "tag"},
		{Name: "active", Type: VarBoolean, Required: true},
	}
	if !reflect.DeepEqual(got.Vars, want) {
		t.Errorf("edited Vars\n got %+v\nwant %+v", got.Vars, want)
	}
	if *a.Vars[0].Default != "10" {
		t.Errorf("the original's default became %q", *a.Vars[0].Default)
	}
	w.URL, w.Query, w.Body, w.BodyType = "/plain", nil, "", BodyNone
	if got, _ := w.Draft(); got.Vars != nil {
		t.Errorf("an action without variables keeps %+v", got.Vars)
	}
}

// TestReplayResolves: Replay applies defaults, refuses a mistyped value
// before sending, and records the values sent, defaults included (and
// redacted when named like a credential).
func TestReplayResolves(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(r.URL.RawQuery))
	}))
	defer srv.Close()
	conn := connection.Connection{ID: 1, Name: "local", BaseURL: srv.URL}
	a := Action{ID: 2, Name: "Page", Method: "GET", URL: "/p?n={{n}}&key={{api_key}}",
		Vars: []Variable{{Name: "n", Type: VarNumber, Default: ptr("5")}, {Name: "api_key", Default: ptr("k1")}}}
	rec := &runs{}
	_, err := Replay(context.Background(), conn, a, map[string]string{"n": "five"}, rec)
	var ve *VariableError
	if !errors.As(err, &ve) || !ve.WrongType || hits.Load() != 0 || len(rec.runs) != 0 {
		t.Fatalf("mistyped: %v, hits %d, runs %d", err, hits.Load(), len(rec.runs))
	}
	resp, err := Replay(context.Background(), conn, a, nil, rec)
	if err != nil || string(resp.Body) != "n=5&key=k1" {
		t.Fatalf("got %q, %v", resp.Body, err)
	}
	if want := map[string]string{"n": "5", "api_key": connection.Redacted}; len(rec.runs) != 1 || !reflect.DeepEqual(rec.runs[0].Vars, want) {
		t.Errorf("recorded %+v", rec.runs)
	}
}
