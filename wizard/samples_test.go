package wizard

import (
	"bytes"
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

// TestSampleValues: a URL typed with {{id}} is never sent with the
// placeholder: without a sample value step 2 says so by the variable, and
// with one the request goes to the value.
func TestSampleValues(t *testing.T) {
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	conn := connection.Connection{ID: 5, Name: "bin", BaseURL: srv.URL}

	w := New(conn)
	w.Name, w.URL = "Typed", "/anything/{{id}}"
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	want := "give {{id}} a sample value to send the sample request with"
	if got := w.Validate().For("vars.0"); got != want {
		t.Fatalf("step 2 says %q", got)
	}
	if _, err := w.Request(); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Request sent without a sample value: %v", err)
	}
	if w.Next() == nil || w.Step() != StepSample {
		t.Fatal("left step 2 without a sample value")
	}
	if _, errs := w.Draft(); errs != nil {
		t.Fatalf("a draft is not sent, so it needs no sample value: %v", errs)
	}
	if got := w.VariableList(); !reflect.DeepEqual(got, []Variable{{Name: "id", Type: VarString, Required: true}}) {
		t.Fatalf("VariableList = %+v", got)
	}

	w.SetSampleValue("id", "5")
	if !reflect.DeepEqual(w.Vars, []Variable{{Name: "id", Type: VarString, Required: true, Sample: "5"}}) {
		t.Fatalf("Vars = %+v", w.Vars)
	}
	req, err := w.Request()
	if err != nil || req.URL != "/anything/5" {
		t.Fatalf("Request = %q, %v", req.URL, err)
	}
	if got := w.FullURL(); got != srv.URL+"/anything/5" {
		t.Errorf("FullURL = %q", got)
	}
	resp, err := connection.Send(context.Background(), conn, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeEcho(t, resp).URL; !strings.HasSuffix(got, "/anything/5") {
		t.Fatalf("httpbin got %q", got)
	}
	w.AttachSample(req, &resp, nil)
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	w.SetSampleValue("id", "6")
	if _, _, stale := w.Sample(); !stale {
		t.Error("another sample value left the sample fresh")
	}

	// Each variable is checked by its index in VariableList.
	w = New(api)
	w.Name, w.URL = "Typed", "/a/{{a}}/{{n}}?flag={{f}}"
	w.Headers = []connection.KV{kv("X-Line", "{{line}}")}
	w.Vars = []Variable{
		{Name: "f", Type: VarBoolean, Sample: "yes"},
		{Name: "n", Type: VarNumber, Default: ptr("many")},
		{Name: "line", Sample: "a\nb"},
		{Name: "a", Default: ptr("d")}, // no sample: the default is sent
	}
	w.Next()
	errs := w.Validate()
	for field, msg := range map[string]string{
		"vars.1": "the default 'many' is not a number",
		"vars.2": "'yes' is not true or false",
	} {
		if got := errs.For(field); got != msg {
			t.Errorf("%s: %q, want %q (all: %v)", field, got, msg, errs)
		}
	}
	w.Vars[0].Sample, w.Vars[1].Default = "true", ptr("3")
	if got := w.Validate().For("vars.3"); got != "variable 'line' goes into header X-Line, so its value cannot contain a line break or another control character" {
		t.Errorf("a line break for a header: %q", got)
	}
	w.Vars[2].Sample = "ok"
	if req, err := w.Request(); err != nil || req.URL != "/a/d/3?flag=true" {
		t.Errorf("Request = %q, %v", req.URL, err)
	}
	// An optional variable with neither is sent empty, as a replay would.
	w.Vars[0] = Variable{Name: "f", Type: VarBoolean}
	w.Vars = append(w.Vars, Variable{Name: "unused", Sample: "x"})
	if req, err := w.Request(); err != nil || req.URL != "/a/d/3?flag=" {
		t.Errorf("Request = %q, %v", req.URL, err)
	}
}

// TestSecretSampleValueIsNotSaved: {{token}} is sent with its sample
// value, which the saved action holds nowhere — not in Vars, not in the
// sample httpbin echoed — and Edit counts the saved sample fresh although
// the token's value is gone, until something changes.
func TestSecretSampleValueIsNotSaved(t *testing.T) {
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	conn := connection.Connection{ID: 5, Name: "bin", BaseURL: srv.URL}
	const token = "tok-sample-93f1"

	w := New(conn)
	w.Name, w.Method, w.URL = "Secret", "POST", "/anything/{{token}}"
	w.Query = []connection.KV{kv("t", "{{token}}")}
	w.BodyType, w.Body = BodyJSON, `{"t": "{{token}}", "page": 2}`
	w.SetSampleValue("token", token)
	w.Next()
	req, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := connection.Send(context.Background(), conn, req)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(resp.Body, []byte(token)) {
		t.Fatalf("httpbin did not get the token: %s", resp.Body)
	}
	w.AttachSample(req, &resp, nil)
	w.Next()
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := json.Marshal(a)
	saved = append(saved, a.Sample.Body...)
	saved = append(saved, a.Sample.Request.Body...)
	if bytes.Contains(saved, []byte(token)) {
		t.Fatalf("the saved action holds the token: %s", saved)
	}
	if !reflect.DeepEqual(a.Vars, []Variable{{Name: "token", Type: VarString, Required: true}}) {
		t.Fatalf("Vars = %+v", a.Vars)
	}
	if v := w.VariableList()[0]; v.Sample != token {
		t.Errorf("the wizard forgot the token's sample value: %+v", v)
	}

	e := Edit(conn, a)
	mustFresh(t, e, "right after Edit")
	for e.Step() != StepReview {
		if errs := e.Next(); errs != nil {
			t.Fatalf("Next at %v: %v", e.Step(), errs)
		}
	}
	if _, err := e.Apply(); err != nil {
		t.Fatalf("Apply without changes: %v", err)
	}
	if _, err := e.Request(); err == nil {
		t.Error("sent without the token's value")
	}
	e.Body = `{"t": "{{token}}", "page": 3}`
	if _, _, stale := e.Sample(); !stale {
		t.Error("a changed body left the saved sample fresh")
	}
	if got := e.Validate().For("vars.0"); got == "" {
		t.Error("no sample value asked for once something changed")
	}
	e.Body = `{"t": "{{token}}", "page": 2}`
	mustFresh(t, e, "the body as it was")
	e.SetSampleValue("token", token)
	if req, err := e.Request(); err != nil || req.URL != "/anything/"+token {
		t.Errorf("Request = %q, %v", req.URL, err)
	}
}

// TestEditKeepsSampleValues: a saved action's sample values come back, so
// its request renders as it was sent and the sample is fresh; the first
// change makes it stale.
func TestEditKeepsSampleValues(t *testing.T) {
	w := New(api)
	w.Name, w.URL = "Item", "/items/{{id}}"
	w.SetSampleValue("id", "42")
	w.Next()
	sendSample(t, w)
	w.Next()
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if a.Vars[0].Sample != "42" {
		t.Fatalf("Vars = %+v", a.Vars)
	}
	e := Edit(api, a)
	mustFresh(t, e, "right after Edit")
	if req, err := e.Request(); err != nil || req.URL != "/items/42" {
		t.Fatalf("Request = %q, %v", req.URL, err)
	}
	e.SetSampleValue("id", "43")
	if _, _, stale := e.Sample(); !stale {
		t.Fatal("another sample value left the sample fresh")
	}
	// An action saved before sample values existed.
	old := Edit(api, Action{Name: "Old", Method: "GET", URL: "/items/{{id}}", Sample: jsonResponse(`{}`)})
	mustFresh(t, old, "an old action right after Edit")
	old.URL = "/items/{{id}}/x"
	if _, _, stale := old.Sample(); !stale {
		t.Fatal("a changed URL left the old sample fresh")
	}
}

func TestCandidates(t *testing.T) {
	w := New(api)
	w.Name, w.Method = "c", "POST"
	w.URL = "https://api.x.com/v2/orgs/{{id}}/users/550e8400-e29b-41d4-a716-446655440000/a{{x}}/files/deadbeef01/photo.jpg?q=caf%C3%A9+au+lait&&flag&empty=&x-api-key=k1#frag"
	w.Query = []connection.KV{kv("", "no name"), kv("pageSize", "20"), kv("blank", "")}
	w.Headers = []connection.KV{kv("X-Request-Id", "r-1"), kv("Authorization", "Bearer {{token}}"), kv("Accept", "{{accept}}")}
	w.Vars = []Variable{{Name: "accept", Default: ptr("*/*")}}
	w.BodyType = BodyMultipart
	w.Parts = []Part{{Name: "title", Value: "T"}, {Name: "file", File: "/tmp/x.png"}}
	type row struct{ label, value, varName, suggest string }
	var got []row
	for _, c := range w.Candidates() {
		got = append(got, row{c.Label, c.Value, c.Var, c.Suggest.Name})
	}
	want := []row{
		{"path segment 1", "v2", "", "segment1"},
		{"path segment 2", "orgs", "", "v2"},
		{"path segment 3", "", "id", "id"},
		{"path segment 4", "users", "", "segment4"}, // after a variable: no name to borrow
		{"path segment 5", "550e8400-e29b-41d4-a716-446655440000", "", "id_2"},
		{"path segment 7", "files", "", "segment7"},
		{"path segment 8", "deadbeef01", "", "id_3"},
		{"path segment 9", "photo.jpg", "", "segment9"}, // after an id: none either
		{"query q", "café au lait", "", "q"},
		{"query x-api-key", "k1", "", "api_key"},
		{"query pageSize", "20", "", "page_size"},
		{"header X-Request-Id", "r-1", "", "request_id"},
		{"header Accept", "*/*", "accept", "accept"},
		{"form title", "T", "", "title"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("candidates\n got %q\nwant %q", got, want)
	}
	a := Action{URL: w.URL, Headers: w.Headers, BodyType: BodyMultipart,
		Parts: []Part{{Name: "doc", File: "/tmp/{{id}}.pdf"}}, Body: `{"id": "{{id}}"}`}
	if got := a.VariablePlaces("id"); !slices.Equal(got, []string{"path segment 3", "file doc"}) {
		t.Errorf("VariablePlaces(id) = %q", got)
	}
	if got := a.VariablePlaces("token"); !slices.Equal(got, []string{"header Authorization"}) {
		t.Errorf("VariablePlaces(token) = %q", got)
	}
	host := Action{URL: "https://{{env}}.x.com/a?{{k}}=1", BodyType: BodyText, Body: "hi {{k}}"}
	if got := host.VariablePlaces("k"); !slices.Equal(got, []string{"URL", "body"}) {
		t.Errorf("VariablePlaces(k) = %q", got)
	}
}

func TestIdentifier(t *testing.T) {
	for in, want := range map[string]string{
		"X-Request-Id": "request_id", "x-api-key": "api_key", "pageSize": "page_size", "userID": "user_id",
		"Content-Type": "content_type", "user.name": "user_name", "  spaced out ": "spaced_out", "x": "x",
		"2fa": "", "": "", "--": "", "Zoë": "zo", "X_": "x",
	} {
		if got := identifier(in); got != want {
			t.Errorf("identifier(%q) = %q, want %q", in, got, want)
		}
	}
}
