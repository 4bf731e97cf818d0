package wizard

import (
	"testing"

	"patchbay/connection"
)

func TestDraftNeedsNoSample(t *testing.T) {
	w := New(api)
	fill(w)
	a, errs := w.Draft()
	if errs != nil {
		t.Fatalf("Draft: %v", errs)
	}
	if a.Sample != nil || a.Outputs != nil {
		t.Errorf("a draft has no sample, got sample=%v outputs=%v", a.Sample, a.Outputs)
	}
	if a.Method != "POST" || a.Name != "Create user" || a.ConnectionID != api.ID {
		t.Errorf("draft = %+v", a)
	}
	req, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.Request(map[string]string{"team": "core"})
	if err != nil {
		t.Fatal(err)
	}
	// The draft replays as the wizard sends its sample (with the sample value).
	if got.Method != req.Method || got.URL != "/users/core" || got.URL != req.URL || string(got.Body) != string(req.Body) || len(got.Headers) != len(req.Headers) {
		t.Errorf("draft request %+v, wizard request %+v", got, req)
	}
}

func TestDraftValidatesBothSteps(t *testing.T) {
	w := New(api)
	fill(w)
	w.Name = ""
	w.BodyType = BodyJSON
	w.Body = `{"a": }`
	w.Headers = []connection.KV{{Key: "", Value: "orphan"}}
	_, errs := w.Draft()
	for _, field := range []string{"name", "body", "header.0"} {
		if errs.For(field) == "" {
			t.Errorf("no error for %s in %v", field, errs)
		}
	}
}
