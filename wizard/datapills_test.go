package wizard

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
)

// sendSample attaches a sample for the wizard's current request as if it
// had been sent, without a server: freshness is about the request.
func sendSample(t *testing.T, w *Wizard) connection.Request {
	t.Helper()
	req, err := w.Request()
	if err != nil {
		t.Fatalf("Request: %v", err)
	}
	w.AttachSample(req, jsonResponse(`{"ok": true}`), nil)
	return req
}

func mustFresh(t *testing.T, w *Wizard, when string) {
	t.Helper()
	if resp, err, stale := w.Sample(); resp == nil || err != nil || stale {
		req, rerr := w.Request()
		t.Fatalf("%s: sample stale (%v, %v); the request is now %+v (%v)", when, resp, err, req, rerr)
	}
}

func candidateAt(t *testing.T, w *Wizard, label string) Candidate {
	t.Helper()
	var labels []string
	for _, c := range w.Candidates() {
		if c.Label == label {
			return c
		}
		labels = append(labels, c.Label)
	}
	t.Fatalf("no candidate %q among %q", label, labels)
	return Candidate{}
}

// TestDatapillFromARealSample is the flow of the reference platforms: send
// /anything/42 for real, turn 42 into {{id}}, apply, replay with id=7.
func TestDatapillFromARealSample(t *testing.T) {
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	conn := connection.Connection{ID: 5, Name: "bin", BaseURL: srv.URL}
	ctx := context.Background()

	w := New(conn)
	w.Name, w.URL = "Get thing", "/anything/42"
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	req, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := connection.Send(ctx, conn, req)
	if err != nil {
		t.Fatal(err)
	}
	w.AttachSample(req, &resp, nil)

	c := candidateAt(t, w, "path segment 2")
	if c.Value != "42" || c.Var != "" || c.Suggest != (Variable{Name: "id", Type: VarString, Required: true, Sample: "42"}) {
		t.Fatalf("candidate %+v", c)
	}
	if errs := w.MakeVariable(c.At, c.Suggest); errs != nil {
		t.Fatal(errs)
	}
	mustFresh(t, w, "after MakeVariable")
	if errs := w.Next(); errs != nil || w.Step() != StepReview {
		t.Fatalf("step %v: %v", w.Step(), errs)
	}
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != "/anything/{{id}}" || !reflect.DeepEqual(a.Vars, []Variable{{Name: "id", Type: VarString, Required: true, Sample: "42"}}) {
		t.Fatalf("action URL %q, vars %+v", a.URL, a.Vars)
	}
	if got := a.VariablePlaces("id"); !slices.Equal(got, []string{"path segment 2"}) {
		t.Errorf("VariablePlaces = %q", got)
	}
	if got := candidateAt(t, w, "path segment 2"); got.Var != "id" || got.Value != "42" {
		t.Errorf("the variable is listed as %+v", got)
	}

	replay, err := a.Request(map[string]string{"id": "7"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := connection.Send(ctx, conn, replay)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeEcho(t, again).URL; !strings.HasSuffix(got, "/anything/7") {
		t.Fatalf("httpbin got %q", got)
	}
	if got := decodeEcho(t, *a.Sample).URL; !strings.HasSuffix(got, "/anything/42") {
		t.Fatalf("the sample was sent to %q", got)
	}
}

// wizardFields is what MakeVariable and RemoveVariable may change.
type wizardFields struct {
	URL                  string
	Query, Headers, Form []connection.KV
	Body                 string
	Parts                []Part
}

func fieldsOf(w *Wizard) wizardFields {
	return wizardFields{w.URL, slices.Clone(w.Query), slices.Clone(w.Headers), slices.Clone(w.Form), w.Body, slices.Clone(w.Parts)}
}

// TestMakeVariableEachPlace: for every kind of place, the placeholder goes
// where the value was and nowhere else, the sample stays fresh, the action
// says where the variable is, and RemoveVariable restores the field text
// exactly.
func TestMakeVariableEachPlace(t *testing.T) {
	tests := []struct {
		name     string
		set      func(w *Wizard)
		label    string // the candidate
		wantName string // suggested
		want     func(f *wizardFields)
	}{
		{"path segment", nil, "path segment 2", "id",
			func(f *wizardFields) { f.URL = "/users/{{id}}/posts/latest?page=2&sort=new%20first#top" }},
		{"path segment, previous name", nil, "path segment 4", "posts_2", // {{posts}} is the header's, typed
			func(f *wizardFields) { f.URL = "/users/8d3c9e0a/posts/{{posts_2}}?page=2&sort=new%20first#top" }},
		{"URL query value", nil, "query sort", "sort",
			func(f *wizardFields) { f.URL = "/users/8d3c9e0a/posts/latest?page=2&sort={{sort}}#top" }},
		{"query row", nil, "query email", "email",
			func(f *wizardFields) { f.Query[1].Value = "{{email}}" }},
		{"header row", nil, "header X-Request-Id", "request_id",
			func(f *wizardFields) { f.Headers[0].Value = "{{request_id}}" }},
		{"JSON leaf", func(w *Wizard) {
			w.BodyType, w.Body = BodyJSON, "{\n  \"user\": {\"id\": \"550e8400-e29b-41d4-a716-446655440000\",\n    \"n\": 3}\n}"
		}, "body user.n", "n",
			func(f *wizardFields) {
				f.Body = "{\n  \"user\": {\"id\": \"550e8400-e29b-41d4-a716-446655440000\",\n    \"n\": {{n}}}\n}"
			}},
		{"form row", func(w *Wizard) {
			w.BodyType, w.Form = BodyForm, []connection.KV{kv("name", "Zoë & co"), {}, kv("page-size", "10")}
		}, "form page-size", "page_size",
			func(f *wizardFields) { f.Form[2].Value = "{{page_size}}" }},
		{"multipart value", func(w *Wizard) {
			w.BodyType, w.Parts = BodyMultipart, []Part{{Name: "title", Value: "Q3 report"}, {}, {Name: "lang", Value: "en"}}
		}, "form lang", "lang",
			func(f *wizardFields) { f.Parts[2].Value = "{{lang}}" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(api)
			w.Name, w.Method = "a", "POST"
			w.URL = " /users/8d3c9e0a/posts/latest?page=2&sort=new%20first#top "
			w.Query = []connection.KV{{}, kv("email", "ann.o'neil+news@example.com")}
			w.Headers = []connection.KV{kv("X-Request-Id", "abc-123"), kv("X-Posts", "{{posts}}")}
			w.SetSampleValue("posts", "all")
			if tt.set != nil {
				tt.set(w)
			}
			sendSample(t, w)
			w.URL = strings.TrimSpace(w.URL) // MakeVariable writes the URL trimmed, as it is sent
			before := fieldsOf(w)

			c := candidateAt(t, w, tt.label)
			if c.Suggest.Name != tt.wantName {
				t.Errorf("suggested %q, want %q", c.Suggest.Name, tt.wantName)
			}
			if errs := w.MakeVariable(c.At, c.Suggest); errs != nil {
				t.Fatal(errs)
			}
			want := fieldsOf(&Wizard{URL: before.URL, Query: slices.Clone(before.Query), Headers: slices.Clone(before.Headers),
				Form: slices.Clone(before.Form), Body: before.Body, Parts: slices.Clone(before.Parts)})
			tt.want(&want)
			if got := fieldsOf(w); !reflect.DeepEqual(got, want) {
				t.Fatalf("fields\n got %+v\nwant %+v", got, want)
			}
			mustFresh(t, w, "after MakeVariable")
			a, errs := w.Draft()
			if errs != nil {
				t.Fatal(errs)
			}
			if got := a.VariablePlaces(tt.wantName); !slices.Equal(got, []string{tt.label}) {
				t.Errorf("VariablePlaces = %q", got)
			}
			if v := a.Variable(tt.wantName); v.Sample != c.Value || v.Sample == "" {
				t.Errorf("saved %+v, value was %q", v, c.Value)
			}

			w.RemoveVariable(tt.wantName)
			if got := fieldsOf(w); !reflect.DeepEqual(got, before) {
				t.Fatalf("after RemoveVariable\n got %+v\nwant %+v", got, before)
			}
			if slices.ContainsFunc(w.Vars, func(v Variable) bool { return v.Name == tt.wantName }) {
				t.Errorf("Vars still describe it: %+v", w.Vars)
			}
			mustFresh(t, w, "after RemoveVariable")
		})
	}
}

// jsonBody has nested objects and arrays, a string with a quote, a
// backslash, a slash and unicode written as encoding/json writes them,
// numbers, true, false and null, in a layout of its own.
const jsonBody = `{
  "user": {"name": "Ann", "age": 42,   "admin": false},
  "items": [
    {"id": 1, "name": "first", "tags": ["a", "b"]},
    {"id": -2.5e3, "name": "say \"hi\" \\ to Zoë / ✓", "note": null, "ok": true}
  ],
  "empty": {}, "none": []
}`

func TestMakeVariableJSONBody(t *testing.T) {
	w := New(api)
	w.Name, w.Method, w.URL = "j", "POST", "/items"
	w.BodyType, w.Body = BodyJSON, jsonBody
	sendSample(t, w)

	type sugg struct {
		label, name string
		typ         VarType
		value       string
	}
	var got []sugg
	for _, c := range w.Candidates() {
		if c.At.Kind == PlaceBody {
			got = append(got, sugg{c.Label, c.Suggest.Name, c.Suggest.Type, c.Value})
		}
	}
	want := []sugg{
		{"body user.name", "name", VarString, "Ann"},
		{"body user.age", "age", VarNumber, "42"},
		{"body user.admin", "admin", VarBoolean, "false"},
		{"body items[0].id", "id", VarNumber, "1"},
		{"body items[0].name", "name_2", VarString, "first"},
		{"body items[0].tags[0]", "tags", VarString, "a"},
		{"body items[0].tags[1]", "tags_2", VarString, "b"},
		{"body items[1].id", "id_2", VarNumber, "-2.5e3"},
		{"body items[1].name", "name_3", VarString, `say "hi" \ to Zoë / ✓`},
		{"body items[1].note", "note", VarJSON, "null"},
		{"body items[1].ok", "ok", VarBoolean, "true"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("candidates\n got %+v\nwant %+v", got, want)
	}

	if errs := w.MakeVariable(Place{Kind: PlaceBody, Path: "items[1].name"}, Variable{Name: "second", Type: VarString, Required: true}); errs != nil {
		t.Fatal(errs)
	}
	age := candidateAt(t, w, "body user.age")
	if errs := w.MakeVariable(age.At, age.Suggest); errs != nil {
		t.Fatal(errs)
	}
	wantBody := strings.Replace(strings.Replace(jsonBody, `"say \"hi\" \\ to Zoë / ✓"`, `"{{second}}"`, 1), `"age": 42,`, `"age": {{age}},`, 1)
	if w.Body != wantBody {
		t.Fatalf("body\n got %s\nwant %s", w.Body, wantBody)
	}
	mustFresh(t, w, "after two variables")
	if v := describe(w.Vars, "second"); v.Sample != `say "hi" \ to Zoë / ✓` {
		t.Errorf("second = %+v", v)
	}

	a, errs := w.Draft()
	if errs != nil {
		t.Fatal(errs)
	}
	req, err := a.Request(map[string]string{"second": `new "q" \ ✓ </b>`, "age": "7"})
	if err != nil {
		t.Fatal(err)
	}
	var gotBody, wantDoc map[string]any
	if err := json.Unmarshal(req.Body, &gotBody); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, req.Body)
	}
	json.Unmarshal([]byte(jsonBody), &wantDoc)
	wantDoc["user"].(map[string]any)["age"] = 7.0
	wantDoc["items"].([]any)[1].(map[string]any)["name"] = `new "q" \ ✓ </b>`
	if !reflect.DeepEqual(gotBody, wantDoc) {
		t.Fatalf("rendered %s", req.Body)
	}

	w.RemoveVariable("second")
	w.RemoveVariable("age")
	if w.Body != jsonBody || len(w.Vars) != 0 {
		t.Fatalf("after RemoveVariable: vars %+v, body\n%s", w.Vars, w.Body)
	}
	mustFresh(t, w, "after RemoveVariable")
}
