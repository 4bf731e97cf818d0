package openapi

import (
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/connection"
	"patchbay/wizard"
)

// The recommended request of httpbin's POST /anything/{id}: the path
// parameter becomes a variable with the example as its sample, required
// query and header parameters get values of their enum and format, and the
// body holds the required fields of the schema (readOnly and optional ones
// left out), each from its example, enum, format or minimum.
func TestRecommendHTTPBin(t *testing.T) {
	op := opByID(t, loadFile(t, "httpbin.json"), "echoItem")
	r := op.Recommend()
	if r.Method != "POST" || r.URL != "/anything/{{id}}" {
		t.Errorf("request line %s %s", r.Method, r.URL)
	}
	wantVar := wizard.Variable{Name: "id", Type: wizard.VarNumber, Required: true, Sample: "42"}
	if len(r.PathVars) != 1 || r.PathVars[0] != wantVar {
		t.Errorf("path variables %+v, want %+v", r.PathVars, wantVar)
	}
	if want := []connection.KV{{Key: "mode", Value: "full"}}; !slices.Equal(r.Query, want) {
		t.Errorf("query %v, want %v (page is optional)", r.Query, want)
	}
	wantHeaders := []connection.KV{
		{Key: "X-Request-Id", Value: "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
		{Key: "Content-Type", Value: "application/json"},
	}
	if !slices.Equal(r.Headers, wantHeaders) {
		t.Errorf("headers %v, want %v", r.Headers, wantHeaders)
	}
	wantBody := `{
  "name": "widget",
  "quantity": 1,
  "tags": [
    "new"
  ],
  "created": "2024-01-02T15:04:05Z",
  "contact": "user@example.com"
}`
	if r.BodyType != wizard.BodyJSON || r.Body != wantBody {
		t.Errorf("body (%s):\n%s\nwant:\n%s", r.BodyType, r.Body, wantBody)
	}
}

// Every JSON body recommended for the Petstore, httpbin and the 3.1 trees
// validates against the schema it was made from — including the User
// whose phone example (12345) is not a string, and the recursive tree.
func TestRecommendedBodiesValidate(t *testing.T) {
	checked := 0
	for _, file := range []string{"petstore.yaml", "httpbin.json", "v31.yaml"} {
		for _, op := range loadFile(t, file).Operations() {
			r := op.Recommend()
			if r.BodyType != wizard.BodyJSON {
				continue
			}
			checked++
			if m := op.CheckRequestBody(r.ContentType, []byte(r.Body)); len(m) > 0 {
				t.Errorf("%s %s: the recommended body\n%s\ndoes not validate: %v", file, op, r.Body, m)
			}
		}
	}
	if checked < 8 {
		t.Errorf("only %d bodies checked", checked)
	}
	// And the check is not a rubber stamp: a body without the required
	// name fails it.
	op := opByID(t, loadFile(t, "petstore.yaml"), "addPet")
	if m := op.CheckRequestBody("", []byte(`{"photoUrls": []}`)); len(m) != 1 || m[0].String() != "$.name: missing required property" {
		t.Errorf("a Pet without its name: %v", m)
	}
}

func TestRecommendPetstore(t *testing.T) {
	s := loadFile(t, "petstore.yaml")
	add := opByID(t, s, "addPet").Recommend()
	if want := "{\n  \"name\": \"doggie\",\n  \"photoUrls\": [\n    \"string\"\n  ]\n}"; add.Body != want {
		t.Errorf("addPet body:\n%s\nwant:\n%s", add.Body, want)
	}
	if !slices.Equal(add.ServerPaths, []string{"/api/v3"}) {
		t.Errorf("server paths %v", add.ServerPaths)
	}
	// A schema that requires nothing gets every property, so the sample
	// shows the fields; the string with a numeric example gets it as text.
	user := opByID(t, s, "createUser").Recommend()
	for _, want := range []string{`"username": "theUser"`, `"phone": "12345"`, `"userStatus": 1`} {
		if !strings.Contains(user.Body, want) {
			t.Errorf("createUser body lacks %s:\n%s", want, user.Body)
		}
	}
	get := opByID(t, s, "getPetById").Recommend()
	if get.URL != "/pet/{{petId}}" || get.BodyType != "" || len(get.Headers) != 0 {
		t.Errorf("getPetById: %+v", get)
	}
	del := opByID(t, s, "deletePet").Recommend()
	if len(del.Headers) != 0 {
		t.Errorf("deletePet: the optional api_key header was recommended: %v", del.Headers)
	}
	// A form body becomes form rows; an octet-stream one cannot be made.
	form := opByID(t, s, "updatePetWithForm").Recommend()
	if form.BodyType != "" {
		t.Errorf("updatePetWithForm has no body in the spec: %+v", form)
	}
	upload := opByID(t, s, "uploadFile").Recommend()
	if upload.BodyType != "" || len(upload.Notes) != 1 || !strings.Contains(upload.Notes[0], "application/octet-stream") {
		t.Errorf("uploadFile: %+v", upload)
	}
}

func TestRecommendForm(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: x, version: '1'}
paths:
  /login:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [user, remember]
              properties:
                user: {type: string, example: ann}
                remember: {type: boolean}
                scopes: {type: array, items: {type: string}}
      responses:
        '204': {description: done}
`
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	r := s.Operations()[0].Recommend()
	want := []connection.KV{{Key: "user", Value: "ann"}, {Key: "remember", Value: "true"}}
	if r.BodyType != wizard.BodyForm || !slices.Equal(r.Form, want) {
		t.Errorf("form %s %v, want %v", r.BodyType, r.Form, want)
	}
}

func TestVariableName(t *testing.T) {
	for in, want := range map[string]string{"petId": "petId", "user id": "user_id", "2fa": "_2fa", "a.b-c": "a.b-c", "": "_"} {
		if got := VariableName(in); got != want {
			t.Errorf("VariableName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A schema whose required property refers back to itself without end has
// no finite sample; making one stops instead of recursing forever.
func TestRecommendCircularTerminates(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: x, version: '1'}
paths:
  /node:
    post:
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Node'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Node'
components:
  schemas:
    Node:
      type: object
      required: [child]
      properties:
        name: {type: string}
        child:
          $ref: '#/components/schemas/Node'
`
	s, err := Load([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(s.Warnings(), " "); !strings.Contains(w, "requires itself without end: Node -> Node") {
		t.Errorf("warnings %q do not mention the loop", w)
	}
	op := s.Operations()[0]
	done := make(chan Recommendation, 1)
	go func() { done <- op.Recommend() }()
	select {
	case r := <-done:
		if r.Body != "{\n  \"child\": {}\n}" {
			t.Errorf("body %q", r.Body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Recommend on a circular schema did not return")
	}
}

// An example built of YAML aliases that multiply ("billion laughs") is
// either refused by the parser or cut short, never expanded whole.
func TestRecommendAliasBomb(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: x, version: '1'}
x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
paths:
  /x:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: array}
            example: *g
      responses:
        '200': {description: ok}
`
	done := make(chan string, 1)
	go func() {
		s, err := Load([]byte(doc))
		if err != nil {
			done <- "refused: " + err.Error()
			return
		}
		done <- s.Operations()[0].Recommend().Body
	}()
	select {
	case got := <-done:
		if len(got) > 4<<20 {
			t.Errorf("the example was expanded to %d bytes", len(got))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the alias bomb was expanded")
	}
}
