package wizard

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
)

// The action's own secret values — a typed X-Api-Key, a token query row, an
// api_key in the URL, a password form field — are echoed by httpbin's
// /anything. None of them may be kept in the saved sample or the history;
// the responses handed back stay whole.
func TestOwnSecretsAreNotKept(t *testing.T) {
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	conn := basicConn(srv)
	secrets := []string{"act-echo-header-1", "act-echo-query-2", "act-echo-url-3", "act-echo-form-4"}

	w := New(conn)
	w.Name, w.Method, w.URL = "Echo", "POST", "/anything?api_key="+secrets[2]
	w.Headers = []connection.KV{{Key: "X-Api-Key", Value: secrets[0]}}
	w.Query = []connection.KV{{Key: "token", Value: secrets[1]}}
	w.BodyType, w.Form = BodyForm, []connection.KV{{Key: "password", Value: secrets[3]}, {Key: "note", Value: "kept"}}
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	req, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := connection.Send(context.Background(), conn, req)
	if err != nil {
		t.Fatal(err)
	}
	w.AttachSample(req, &resp, nil)
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	var rec runs
	replayed, err := Replay(context.Background(), conn, a, nil, &rec)
	if err != nil {
		t.Fatal(err)
	}

	// Bodies are []byte, which JSON would hide as base64: look at them as text.
	kept, _ := json.Marshal([]any{a.Sample, a.Outputs, rec.runs})
	stored := []*connection.Response{a.Sample}
	for _, r := range rec.runs {
		stored = append(stored, r.Response)
	}
	for _, r := range stored {
		kept = append(kept, r.Body...)
		kept = append(kept, r.Request.Body...)
	}
	for _, s := range secrets {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s))} {
			if bytes.Contains(kept, []byte(form)) {
				t.Errorf("%q is kept in the sample or history", form)
			}
		}
		if !bytes.Contains(resp.Body, []byte(s)) || !bytes.Contains(replayed.Body, []byte(s)) {
			t.Errorf("%q missing from the responses handed back (the echo should be whole)", s)
		}
	}
	if !bytes.Contains(kept, []byte("kept")) {
		t.Error("redaction removed a field that is not secret")
	}
}
