package wizard

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/connection"
)

// fill puts a value in every field a user can type in.
func fill(w *Wizard) {
	w.Name = "Create user"
	w.Method = "post"
	w.URL = "/users/{{team}}"
	w.SetSampleValue("team", "core") // the value the sample is sent with
	w.Query = []connection.KV{kv("dry_run", "1"), {}, kv("api_key", "s3cret")}
	w.Headers = []connection.KV{kv("X-Trace", "abc"), kv("Content-Type", "application/json")}
	w.BodyType = BodyJSON
	w.Body = "{\n  \"name\": \"Ann\",\n  \"tags\": [\"a\"]\n}"
	w.Form = []connection.KV{kv("kept", "even if unused")}
	w.Parts = []Part{{Name: "kept", Value: "even if unused"}}
	two := 2
	w.Options = ActionOptions{
		Options:      connection.Options{Retries: 3, RetryDelay: time.Second, Timeout: 5 * time.Second, MaxRedirects: &two},
		ResponseType: RespText, Debug: true,
	}
}

func jsonResponse(body string) *connection.Response {
	return &connection.Response{
		Status: 200, StatusText: "200 OK",
		Headers: []connection.KV{kv("Content-Type", "application/json")},
		Body:    []byte(body), Size: int64(len(body)),
	}
}

// readyAtReview is a wizard at step 3 with a sample for its request.
func readyAtReview(t *testing.T) *Wizard {
	t.Helper()
	w := New(api)
	fill(w)
	if errs := w.Next(); errs != nil {
		t.Fatalf("step 1: %v", errs)
	}
	req, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	w.AttachSample(req, jsonResponse(`{"id": 42, "user": {"name": "Ann"}}`), nil)
	if errs := w.Next(); errs != nil {
		t.Fatalf("step 2: %v", errs)
	}
	if w.Step() != StepReview {
		t.Fatalf("step = %v", w.Step())
	}
	return w
}

func TestNew(t *testing.T) {
	w := New(api)
	if w.Step() != StepMethod || w.Method != "GET" || w.BodyType != BodyNone || w.URL != "" || w.Conn.ID != api.ID {
		t.Fatalf("New = %+v", w)
	}
	if resp, err, stale := w.Sample(); resp != nil || err != nil || stale {
		t.Fatalf("Sample() = %v, %v, %v", resp, err, stale)
	}
}

func TestBackAndForthKeepsEverything(t *testing.T) {
	w := New(api)
	fill(w)
	w.Method = "POST" // Next upper-cases it; start upper so the copy compares
	want := *w
	req, _ := w.Request()
	w.AttachSample(req, jsonResponse(`{}`), nil)
	steps := []Step{}
	for range 5 {
		for w.Step() != StepReview {
			if errs := w.Next(); errs != nil {
				t.Fatalf("Next at %v: %v", w.Step(), errs)
			}
			steps = append(steps, w.Step())
		}
		for w.Step() != StepMethod {
			w.Back()
			steps = append(steps, w.Step())
		}
		w.Back() // does nothing at step 1
	}
	if w.Step() != StepMethod {
		t.Fatalf("step = %v", w.Step())
	}
	if !slices.Equal(steps[:4], []Step{StepSample, StepReview, StepSample, StepMethod}) {
		t.Fatalf("steps = %v", steps)
	}
	got := *w
	for _, p := range []*Wizard{&got, &want} {
		p.NameTaken, p.step, p.sample, p.sampleOf, p.sampleErr = nil, 0, nil, nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("input changed:\n got %+v\nwant %+v", got, want)
	}
	if _, _, stale := w.Sample(); stale {
		t.Fatal("moving between steps made the sample stale")
	}
}

func TestNextNormalisesMethod(t *testing.T) {
	w := New(api)
	w.Name, w.Method = "a", " patch "
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	if w.Method != "PATCH" {
		t.Fatalf("Method = %q", w.Method)
	}
}

func TestNextStaysOnErrors(t *testing.T) {
	w := New(api)
	errs := w.Next()
	if w.Step() != StepMethod || errs.For("name") != "name is required" {
		t.Fatalf("step %v, errs %v", w.Step(), errs)
	}
}

func TestNextNeedsFreshSample(t *testing.T) {
	w := New(api)
	fill(w)
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	sampleMsg := func() string { return w.Next().For("sample") }

	if got := sampleMsg(); got != "send the sample request first (ctrl+s)" {
		t.Fatalf("no sample: %q", got)
	}
	req, _ := w.Request()
	sendErr := &connection.Error{Kind: connection.KindUnreachable, Reason: "connection refused — nothing is listening on 127.0.0.1:9"}
	w.AttachSample(req, nil, sendErr)
	if got := sampleMsg(); got != "the sample request failed: connection refused — nothing is listening on 127.0.0.1:9" {
		t.Fatalf("failed sample: %q", got)
	}
	if resp, err, stale := w.Sample(); resp != nil || err != sendErr || stale {
		t.Fatalf("Sample() = %v, %v, %v", resp, err, stale)
	}

	w.AttachSample(req, jsonResponse(`{}`), nil)
	w.Headers[0].Value = "changed"
	if got := sampleMsg(); got != "the request changed since the sample was sent — send it again (ctrl+s)" {
		t.Fatalf("stale sample: %q", got)
	}
	w.Headers[0].Value = "abc" // back as it was: the sample fits again
	if errs := w.Next(); errs != nil || w.Step() != StepReview {
		t.Fatalf("step %v, errs %v", w.Step(), errs)
	}
}

func TestSampleStaleness(t *testing.T) {
	changes := map[string]func(w *Wizard){
		"method":       func(w *Wizard) { w.Method = "PUT" },
		"url":          func(w *Wizard) { w.URL = "/users/x" },
		"query value":  func(w *Wizard) { w.Query[0].Value = "0" },
		"query added":  func(w *Wizard) { w.Query = append(w.Query, kv("b", "2")) },
		"header name":  func(w *Wizard) { w.Headers[0].Key = "X-Other" },
		"body":         func(w *Wizard) { w.Body = `{"name": "Bob"}` },
		"body type":    func(w *Wizard) { w.BodyType = BodyNone },
		"invalid body": func(w *Wizard) { w.Body = "{" },
	}
	same := map[string]func(w *Wizard){
		"name":                     func(w *Wizard) { w.Name = "Other" },
		"blank row added":          func(w *Wizard) { w.Headers = append(w.Headers, connection.KV{}) },
		"method case":              func(w *Wizard) { w.Method = "post" },
		"url spaces":               func(w *Wizard) { w.URL = " " + w.URL + " " },
		"unused form rows":         func(w *Wizard) { w.Form = nil },
		"json to text, same bytes": func(w *Wizard) { w.BodyType = BodyText },
	}
	for name, change := range changes {
		w := readyAtReview(t)
		change(w)
		if _, _, stale := w.Sample(); !stale {
			t.Errorf("%s: sample not stale", name)
		}
	}
	for name, change := range same {
		w := readyAtReview(t)
		change(w)
		if _, _, stale := w.Sample(); stale {
			t.Errorf("%s: sample stale though the request is the same", name)
		}
	}
}

func TestFullURL(t *testing.T) {
	tests := []struct {
		base, url string
		query     []connection.KV
		want      string
	}{
		{"https://api.x.com/v2", "/users", nil, "https://api.x.com/v2/users"},
		{"https://api.x.com/v2/", "/users", nil, "https://api.x.com/v2/users"},
		{"https://api.x.com/v2/", "users/", nil, "https://api.x.com/v2/users/"},
		{"https://api.x.com/v2", "users", nil, "https://api.x.com/v2/users"},
		{"https://api.x.com/v2", "", nil, "https://api.x.com/v2"},
		{"https://api.x.com", "/", nil, "https://api.x.com/"},
		{"https://api.x.com/v2?key=1", "/users?page=2", []connection.KV{kv("q", "a b&c"), {}, kv("z", "")}, "https://api.x.com/v2/users?key=1&page=2&q=a+b%26c&z="},
		{"https://api.x.com/v2", "https://api.x.com/other", []connection.KV{kv("a", "1")}, "https://api.x.com/other?a=1"},
		{"", "https://api.y.com/users?x=1#frag", []connection.KV{kv("a", "1")}, "https://api.y.com/users?x=1&a=1"},
		{"https://api.x.com", "/get", []connection.KV{kv("x", "%zz"), kv("%y", "100%")}, "https://api.x.com/get?x=%25zz&%25y=100%25"},
	}
	for _, tt := range tests {
		w := New(connection.Connection{BaseURL: tt.base})
		w.URL, w.Query = tt.url, tt.query
		if got := w.FullURL(); got != tt.want {
			t.Errorf("FullURL(%q, %q, %v) = %q, want %q", tt.base, tt.url, tt.query, got, tt.want)
		}
	}
}

func TestRequest(t *testing.T) {
	w := New(api)
	w.Name, w.Method, w.URL = "a", "post", " /users "
	w.Query = []connection.KV{{}, kv(" page ", "2")}
	w.Headers = []connection.KV{kv("X-A", "1"), {}}
	w.BodyType = BodyJSON
	w.Body = `{"a": 1}`
	got, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	want := connection.Request{
		Method: "POST", URL: "/users",
		Query:   []connection.KV{kv("page", "2")},
		Headers: []connection.KV{kv("X-A", "1")}, // no Content-Type added for JSON
		Body:    []byte(`{"a": 1}`),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	w.BodyType = BodyForm
	w.Form = []connection.KV{kv("z", "1"), {}, kv("a", "x y&"), kv("z", "2")}
	got, _ = w.Request()
	if string(got.Body) != "z=1&a=x+y%26&z=2" {
		t.Fatalf("form body %q", got.Body)
	}
	if !reflect.DeepEqual(got.Headers, []connection.KV{kv("X-A", "1"), kv("Content-Type", "application/x-www-form-urlencoded")}) {
		t.Fatalf("form headers %v", got.Headers)
	}
	w.Headers = []connection.KV{kv("content-type", "application/x-www-form-urlencoded; charset=utf-8")}
	got, _ = w.Request()
	if !reflect.DeepEqual(got.Headers, w.Headers) {
		t.Fatalf("user's Content-Type replaced: %v", got.Headers)
	}

	w.BodyType = BodyNone
	if got, _ = w.Request(); got.Body != nil {
		t.Fatalf("body for BodyNone: %q", got.Body)
	}
	w.BodyType, w.Body = BodyText, "hello\n"
	if got, _ = w.Request(); string(got.Body) != "hello\n" {
		t.Fatalf("text body %q", got.Body)
	}
}

func TestRecommendations(t *testing.T) {
	w := New(api)
	w.Method, w.BodyType, w.Body = "POST", BodyJSON, `{"a":1}`
	w.Headers = []connection.KV{kv("X-A", "1"), {}}
	recs := w.Recommendations()
	want := []Recommendation{{Message: "JSON body: add Content-Type: application/json", Header: kv("Content-Type", "application/json")}}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("got %+v", recs)
	}
	w.Accept(recs[0])
	if !reflect.DeepEqual(w.Headers, []connection.KV{kv("X-A", "1"), kv("Content-Type", "application/json"), {}}) {
		t.Fatalf("after Accept: %v", w.Headers)
	}
	if recs := w.Recommendations(); recs != nil {
		t.Fatalf("still recommending %v", recs)
	}

	w.Headers = []connection.KV{kv("content-type", "text/plain")}
	recs = w.Recommendations()
	if len(recs) != 1 || recs[0].Message != "JSON body: Content-Type is 'text/plain' — change it to application/json" || recs[0].Header != kv("Content-Type", "application/json") {
		t.Fatalf("got %+v", recs)
	}
	w.Accept(recs[0])
	if !reflect.DeepEqual(w.Headers, []connection.KV{kv("Content-Type", "application/json")}) {
		t.Fatalf("Accept did not replace: %v", w.Headers)
	}

	w.Headers = []connection.KV{kv("Content-Type", "application/vnd.api+json; charset=utf-8")}
	if recs := w.Recommendations(); recs != nil {
		t.Fatalf("+json type not accepted: %v", recs)
	}

	w.Method = "GET"
	recs = w.Recommendations()
	if len(recs) != 1 || recs[0].Message != "GET with a body: many servers ignore it — send these values as query parameters instead" || recs[0].Header != (connection.KV{}) {
		t.Fatalf("got %+v", recs)
	}
	before := slices.Clone(w.Headers)
	w.Accept(recs[0])
	if !slices.Equal(w.Headers, before) {
		t.Fatalf("a header-less recommendation changed headers: %v", w.Headers)
	}
	w.Body = "  "
	if recs := w.Recommendations(); recs != nil {
		t.Fatalf("blank body: %v", recs)
	}
}

func TestApply(t *testing.T) {
	w := readyAtReview(t)
	w.Name = "  Create user "
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Create user" || a.ConnectionID != api.ID || a.Method != "POST" || a.URL != "/users/{{team}}" || a.BodyType != BodyJSON || a.Form != nil {
		t.Fatalf("action %+v", a)
	}
	if !slices.Equal(a.Query, []connection.KV{kv("dry_run", "1"), kv("api_key", "s3cret")}) {
		t.Fatalf("query %v", a.Query)
	}
	if a.Sample == nil || string(a.Sample.Body) != `{"id": 42, "user": {"name": "Ann"}}` {
		t.Fatalf("sample %+v", a.Sample)
	}
	wantIn := []Field{
		{Path: "dry_run", Type: "string", Example: "1", Source: "query"},
		{Path: "api_key", Type: "string", Source: "query"}, // a credential: no example
		{Path: "X-Trace", Type: "string", Example: "abc", Source: "header"},
		{Path: "Content-Type", Type: "string", Example: "application/json", Source: "header"},
		{Path: "name", Type: "string", Example: "Ann", Source: "body"},
		{Path: "tags", Type: "array", Source: "body"},
	}
	if !reflect.DeepEqual(a.Inputs, wantIn) {
		t.Fatalf("inputs\n got %+v\nwant %+v", a.Inputs, wantIn)
	}
	wantOut := []Field{
		{Path: "id", Type: "number", Example: "42"},
		{Path: "user", Type: "object"},
		{Path: "user.name", Type: "string", Example: "Ann"},
	}
	if !reflect.DeepEqual(a.Outputs, wantOut) {
		t.Fatalf("outputs %+v", a.Outputs)
	}

	if !slices.Equal(a.Variables(), []string{"team"}) {
		t.Fatalf("variables %v", a.Variables())
	}
	if req, err := a.Request(map[string]string{"team": "core"}); err != nil || req.URL != "/users/core" {
		t.Fatalf("Request = %+v, %v", req, err)
	}
}

func TestApplyThenActionRequestEqualsSampleRequest(t *testing.T) {
	for _, bt := range []BodyType{BodyNone, BodyJSON, BodyText, BodyForm} {
		w := New(api)
		w.Name, w.Method, w.URL = "a", "put", "/items/7"
		w.Query = []connection.KV{kv("x", "1"), {}}
		w.Headers = []connection.KV{{}, kv("Accept", "application/json")}
		w.BodyType = bt
		w.Body = `{"n": 1}`
		w.Form = []connection.KV{kv("a", "1"), kv("b", "")}
		w.Next()
		req, err := w.Request()
		if err != nil {
			t.Fatal(err)
		}
		w.AttachSample(req, &connection.Response{Status: 204}, nil)
		a, err := w.Apply()
		if err != nil {
			t.Fatalf("%s: %v", bt, err)
		}
		got, err := a.Request(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, req) {
			t.Errorf("%s:\n got %+v\nwant %+v", bt, got, req)
		}
		if a.Outputs != nil {
			t.Errorf("%s: outputs for an empty body: %v", bt, a.Outputs)
		}
	}
}

func TestApplyNeedsSample(t *testing.T) {
	w := New(api)
	fill(w)
	_, err := w.Apply()
	var errs connection.FieldErrors
	if !errors.As(err, &errs) || errs.For("sample") != "send the sample request first (ctrl+s)" {
		t.Fatalf("got %v", err)
	}
	w = readyAtReview(t)
	w.URL = "/elsewhere"
	if _, err := w.Apply(); err == nil || !errors.As(err, &errs) || errs.For("sample") == "" {
		t.Fatalf("stale sample applied: %v", err)
	}
}

func TestApplyTextSampleHasNoOutputs(t *testing.T) {
	w := readyAtReview(t)
	req, _ := w.Request()
	w.AttachSample(req, &connection.Response{Status: 200, Headers: []connection.KV{kv("Content-Type", "text/html")}, Body: []byte("<html>")}, nil)
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if a.Outputs != nil {
		t.Fatalf("outputs %v", a.Outputs)
	}
}

func TestEdit(t *testing.T) {
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	orig := Action{
		ID: 3, Name: "List users", ConnectionID: api.ID, Method: "GET", URL: "/users",
		Query:     []connection.KV{kv("page", "{{page}}")},
		Headers:   []connection.KV{kv("Accept", "application/json")},
		BodyType:  BodyNone,
		Sample:    jsonResponse(`[{"id": 1}]`),
		CreatedAt: created, UpdatedAt: created,
	}
	w := Edit(api, orig)
	w.NameTaken = func(string) bool { return true } // the store finds the action itself
	if w.Step() != StepMethod || w.Name != orig.Name || w.URL != orig.URL || !slices.Equal(w.Query, orig.Query) {
		t.Fatalf("Edit = %+v", w)
	}
	resp, err, stale := w.Sample()
	if resp == nil || err != nil || stale {
		t.Fatalf("Sample() = %v, %v, %v", resp, err, stale)
	}
	w.Query[0].Value = "1" // does not write through to the action
	if orig.Query[0].Value != "{{page}}" {
		t.Fatal("Edit shares the action's slices")
	}
	w.Query[0].Value = "{{page}}"
	w.Name = "list USERS"
	for w.Step() != StepReview {
		if errs := w.Next(); errs != nil {
			t.Fatalf("Next: %v", errs)
		}
	}
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 3 || !a.CreatedAt.Equal(created) || a.Name != "list USERS" {
		t.Fatalf("applied %+v", a)
	}
	if !reflect.DeepEqual(a.Outputs, []Field{{Path: "[]", Type: "array"}, {Path: "[].id", Type: "number", Example: "1"}}) {
		t.Fatalf("outputs %+v", a.Outputs)
	}

	w = Edit(api, Action{Name: "No sample", Method: "GET"})
	if resp, err, stale := w.Sample(); resp != nil || err != nil || stale {
		t.Fatalf("Sample() = %v, %v, %v", resp, err, stale)
	}
}

func TestApplyCutsLargeSample(t *testing.T) {
	w := readyAtReview(t)
	req, _ := w.Request()
	// "last" comes after the cut: the outputs must come from the whole body.
	body := `{"blob": "` + strings.Repeat("x", StoredBodyLimit) + `", "last": true}`
	w.AttachSample(req, jsonResponse(body), nil)
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if a.Sample == nil || !bytes.Equal(a.Sample.Body, []byte(body)[:StoredBodyLimit]) || !a.Sample.Truncated || a.Sample.Size != int64(len(body)) {
		t.Fatalf("sample: %d bytes, truncated %v, size %d", len(a.Sample.Body), a.Sample.Truncated, a.Sample.Size)
	}
	if len(a.Outputs) != 2 || a.Outputs[0].Path != "blob" || a.Outputs[1] != (Field{Path: "last", Type: "boolean", Example: "true"}) {
		t.Fatalf("outputs %+v", a.Outputs)
	}
	if resp, _, _ := w.Sample(); len(resp.Body) != len(body) || resp.Truncated {
		t.Fatalf("the wizard's own sample was cut: %d bytes", len(resp.Body))
	}

	// Editing and applying again without a new send keeps the outputs the cut
	// sample no longer shows.
	e := Edit(api, a)
	for e.Step() != StepReview {
		if errs := e.Next(); errs != nil {
			t.Fatalf("Next: %v", errs)
		}
	}
	again, err := e.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Outputs, a.Outputs) || len(again.Sample.Body) != StoredBodyLimit || again.Sample.Size != int64(len(body)) {
		t.Fatalf("re-applied: outputs %+v, sample %d bytes of %d", again.Outputs, len(again.Sample.Body), again.Sample.Size)
	}
	// A new sample that is cut by Send itself has no outputs to keep.
	cut := jsonResponse(body[:100])
	cut.Truncated = true
	e.AttachSample(req, cut, nil)
	if again, err := e.Apply(); err != nil || again.Outputs != nil {
		t.Fatalf("outputs of a new cut sample: %+v, %v", again.Outputs, err)
	}

	// A body at the limit is kept whole.
	w.AttachSample(req, jsonResponse(body[:StoredBodyLimit]), nil)
	if a, err := w.Apply(); err != nil || len(a.Sample.Body) != StoredBodyLimit || a.Sample.Truncated {
		t.Fatalf("at the limit: %d bytes, truncated %v, %v", len(a.Sample.Body), a.Sample.Truncated, err)
	}
}

func TestInputsIncludeTheURLsQuery(t *testing.T) {
	w := New(api)
	w.Name, w.URL = "Search", "/search?q=caf%C3%A9&page=2&api_key=s3cret#top"
	w.Query = []connection.KV{kv("limit", "10")}
	a, errs := w.Draft()
	if errs != nil {
		t.Fatal(errs)
	}
	var got []string
	for _, f := range a.Inputs {
		if f.Source == "query" {
			got = append(got, f.Path+"="+f.Example)
		}
	}
	want := []string{"q=café", "page=2", "api_key=", "limit=10"} // secret-looking names keep no example
	if !slices.Equal(got, want) {
		t.Errorf("query inputs = %q, want %q", got, want)
	}
}
