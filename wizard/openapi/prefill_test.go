package openapi

import (
	"slices"
	"testing"

	"patchbay/connection"
	"patchbay/wizard"
)

func TestPrefill(t *testing.T) {
	s := loadFile(t, "httpbin.json")
	w := wizard.New(connection.Connection{Name: "bin", BaseURL: "http://127.0.0.1:8080"})
	w.Headers = []connection.KV{{Key: "X-Mine", Value: "kept"}, {}}
	echo := opByID(t, s, "echoItem").Recommend()
	Prefill(w, echo, nil)
	if w.Method != "POST" || w.URL != "/anything/{{id}}" || w.BodyType != wizard.BodyJSON || w.Body != echo.Body {
		t.Fatalf("prefilled %s %s %s", w.Method, w.URL, w.BodyType)
	}
	wantHeaders := []connection.KV{{Key: "X-Mine", Value: "kept"}, echo.Headers[0], echo.Headers[1], {}}
	if !slices.Equal(w.Headers, wantHeaders) {
		t.Errorf("headers %v, want %v (the typed row kept, new rows before the blank one)", w.Headers, wantHeaders)
	}
	// The request renders: the path variable has its sample value.
	req, err := w.Request()
	if err != nil {
		t.Fatalf("Request: %v", err)
	}
	if req.URL != "/anything/42" {
		t.Errorf("rendered URL %s", req.URL)
	}

	// Another operation replaces what the first one put there and the user
	// did not touch; what the user changed stays.
	w.Query = []connection.KV{{Key: "mode", Value: "short"}} // changed by hand
	getJSON := opByID(t, s, "getJSON").Recommend()
	Prefill(w, getJSON, &echo)
	if w.Method != "GET" || w.URL != "/json" {
		t.Errorf("request line %s %s", w.Method, w.URL)
	}
	if want := []connection.KV{{Key: "mode", Value: "short"}}; !slices.Equal(w.Query, want) {
		t.Errorf("query %v, want the edited row kept", w.Query)
	}
	if want := []connection.KV{{Key: "X-Mine", Value: "kept"}, {}}; !slices.Equal(w.Headers, want) {
		t.Errorf("headers %v, want %v", w.Headers, want)
	}
	if w.BodyType != wizard.BodyNone || w.Body != "" {
		t.Errorf("the untouched body stayed: %s %q", w.BodyType, w.Body)
	}

	// A body the user edited is not replaced.
	w.BodyType, w.Body = wizard.BodyJSON, `{"mine": true}`
	Prefill(w, echo, &getJSON)
	if w.Body != `{"mine": true}` {
		t.Errorf("an edited body was replaced: %q", w.Body)
	}
}

// The server's path goes in front of the URL when the connection's base
// URL lacks it.
func TestPrefillServerPath(t *testing.T) {
	r := opByID(t, loadFile(t, "petstore.yaml"), "getPetById").Recommend()
	for base, want := range map[string]string{
		"http://127.0.0.1:8080":                "/api/v3/pet/{{petId}}",
		"https://petstore3.swagger.io/api/v3/": "/pet/{{petId}}",
	} {
		w := wizard.New(connection.Connection{Name: "p", BaseURL: base})
		Prefill(w, r, nil)
		if w.URL != want {
			t.Errorf("base %s: URL %s, want %s", base, w.URL, want)
		}
		if v := w.VariableList(); len(v) != 1 || v[0].Name != "petId" || v[0].Type != wizard.VarNumber || v[0].Sample != "0" {
			t.Errorf("variables %+v", v)
		}
	}
}
