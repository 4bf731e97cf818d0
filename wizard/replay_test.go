package wizard

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
)

// runs is a Recorder that keeps runs in memory, or fails when err is set.
type runs struct {
	mu   sync.Mutex
	runs []Run
	err  error
}

func (r *runs) RecordRun(run Run) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.runs = append(r.runs, run)
	return nil
}

func basicConn(srv *httptest.Server) connection.Connection {
	return connection.Connection{
		ID: 11, Name: "httpbin", BaseURL: srv.URL,
		Auth: connection.Auth{Type: connection.AuthBasic, Username: "ann", Password: "pw"},
	}
}

// echo is the part of httpbin's /anything answer that says what arrived.
type echo struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Args    map[string][]string `json:"args"`
	Headers map[string][]string `json:"headers"`
	JSON    any                 `json:"json"`
	Data    string              `json:"data"`
}

func decodeEcho(t *testing.T, resp connection.Response) echo {
	t.Helper()
	var e echo
	if err := json.Unmarshal(resp.Body, &e); err != nil {
		t.Fatalf("httpbin answer %d %q: %v", resp.Status, resp.Body, err)
	}
	// Headers that may differ between two sends of the same request.
	kept := map[string][]string{}
	for _, name := range []string{"Authorization", "Content-Type", "X-Trace", "Content-Length", "Accept"} {
		if v, ok := e.Headers[name]; ok {
			kept[name] = v
		}
	}
	e.Headers = kept
	return e
}

// TestWizardToReplay walks the wizard against a real httpbin, applies, and
// replays: the replay must reach the server exactly as the sample did.
func TestWizardToReplay(t *testing.T) {
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	conn := basicConn(srv)
	ctx := context.Background()

	w := New(conn)
	w.Name, w.Method, w.URL = "Echo", "post", "/anything/{{kind}}"
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	w.Query = []connection.KV{kv("page", "2"), {}}
	w.Headers = []connection.KV{kv("X-Trace", "abc-123")}
	w.BodyType, w.Body = BodyJSON, `{"name": "Ann", "tags": ["a", "b"], "n": 1.5}`
	for _, r := range w.Recommendations() {
		w.Accept(r)
	}
	if got := w.FullURL(); got != srv.URL+"/anything/%7B%7Bkind%7D%7D?page=2" {
		t.Errorf("FullURL without a sample value = %q", got)
	}
	// The sample goes out with the variable's sample value, never with the
	// placeholder as literal text.
	if _, err := w.Request(); err == nil || !strings.Contains(err.Error(), "vars.0") {
		t.Fatalf("sent without a sample value for {{kind}}: %v", err)
	}
	w.SetSampleValue("kind", "people")
	if got := w.FullURL(); got != srv.URL+"/anything/people?page=2" {
		t.Errorf("FullURL = %q", got)
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
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	w.Back()
	w.SetSampleValue("kind", "users") // another sample value: send again
	if errs := w.Next(); errs.For("sample") == "" {
		t.Fatalf("a stale sample let the wizard through: %v", errs)
	}
	req, _ = w.Request()
	resp, err = connection.Send(ctx, conn, req)
	if err != nil {
		t.Fatal(err)
	}
	w.AttachSample(req, &resp, nil)
	if errs := w.Next(); errs != nil || w.Step() != StepReview {
		t.Fatalf("step %v: %v", w.Step(), errs)
	}
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if a.Sample == nil || len(a.Outputs) == 0 {
		t.Fatalf("sample %v, outputs %v", a.Sample, a.Outputs)
	}

	if a.URL != "/anything/{{kind}}" {
		t.Fatalf("action URL %q", a.URL)
	}
	rec := &runs{}
	replayed, err := Replay(ctx, conn, a, map[string]string{"kind": "users"}, rec)
	if err != nil {
		t.Fatal(err)
	}
	// The kept sample and the kept run both have the echoed credentials
	// redacted; the response returned still shows what arrived.
	if len(rec.runs) != 1 || rec.runs[0].Response == nil {
		t.Fatalf("recorded %+v", rec.runs)
	}
	sample, again := decodeEcho(t, *a.Sample), decodeEcho(t, *rec.runs[0].Response)
	if !reflect.DeepEqual(sample, again) {
		t.Fatalf("replay differs from the sample:\nsample %+v\nreplay %+v", sample, again)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(conn.Auth.Username+":"+conn.Auth.Password))
	if got := decodeEcho(t, replayed).Headers["Authorization"]; len(got) != 1 || got[0] != basic {
		t.Errorf("the replay returned Authorization %q, want what the server got, %q", got, basic)
	}
	for what, body := range map[string][]byte{"sample": a.Sample.Body, "run": rec.runs[0].Response.Body} {
		if strings.Contains(string(body), basic[len("Basic "):]) {
			t.Errorf("the kept %s holds the echoed credentials:\n%s", what, body)
		}
	}
	// And what arrived is what was typed.
	if sample.Method != "POST" || !strings.HasSuffix(sample.URL, "/anything/users?page=2") || sample.Args["page"][0] != "2" || sample.Headers["X-Trace"][0] != "abc-123" ||
		sample.Headers["Content-Type"][0] != "application/json" || sample.Headers["Authorization"] == nil ||
		sample.Data != w.Body {
		t.Fatalf("sample echo %+v", sample)
	}
	if len(rec.runs) != 1 || rec.runs[0].ActionID != a.ID || rec.runs[0].ConnectionID != conn.ID ||
		rec.runs[0].Response == nil || rec.runs[0].Response.Status != 200 || rec.runs[0].Err != "" || rec.runs[0].At.IsZero() {
		t.Fatalf("recorded %+v", rec.runs)
	}
}

func TestReplayVariables(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "auth": r.Header.Get("X-Api-Token")})
	}))
	defer srv.Close()
	conn := connection.Connection{ID: 4, Name: "local", BaseURL: srv.URL}
	a := Action{ID: 9, Name: "Get user", Method: "GET", URL: "/users/{{id}}", Headers: []connection.KV{kv("X-Api-Token", "{{api_token}}")}}
	rec := &runs{}

	// Rendering errors come back before anything is sent or recorded.
	_, err := Replay(context.Background(), conn, a, map[string]string{"id": "1"}, rec)
	var ve *VariableError
	if !errors.As(err, &ve) || ve.Name != "api_token" || hits.Load() != 0 || len(rec.runs) != 0 {
		t.Fatalf("err %v, hits %d, runs %d", err, hits.Load(), len(rec.runs))
	}

	now = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
	defer func() { now = time.Now }()
	resp, err := Replay(context.Background(), conn, a, map[string]string{"id": "7", "api_token": "s3cret"}, rec)
	if err != nil || resp.Status != 200 || hits.Load() != 1 {
		t.Fatalf("resp %d, err %v, hits %d", resp.Status, err, hits.Load())
	}
	var body map[string]string
	json.Unmarshal(resp.Body, &body)
	if body["path"] != "/users/7" || body["auth"] != "s3cret" {
		t.Fatalf("server saw %v", body)
	}
	run := rec.runs[0]
	wantVars := map[string]string{"id": "7", "api_token": connection.Redacted}
	if !reflect.DeepEqual(run.Vars, wantVars) || !run.At.Equal(now()) {
		t.Fatalf("run %+v", run)
	}

	// A failed history write does not hide the response.
	rec.err = errors.New("disk full")
	resp, err = Replay(context.Background(), conn, a, map[string]string{"id": "8", "api_token": "x"}, rec)
	var re *RecordError
	if resp.Status != 200 || !errors.As(err, &re) ||
		err.Error() != "the run worked but could not be saved to history: disk full" {
		t.Fatalf("resp %d, err %v", resp.Status, err)
	}

	// A nil recorder keeps nothing and still sends.
	if resp, err := Replay(context.Background(), conn, a, map[string]string{"id": "9", "api_token": "x"}, nil); err != nil || resp.Status != 200 {
		t.Fatalf("nil recorder: %d %v", resp.Status, err)
	}
}

func TestReplayRecordsFailures(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	conn := connection.Connection{ID: 5, Name: "gone", BaseURL: srv.URL}
	srv.Close() // nothing listens there any more
	rec := &runs{}
	_, err := Replay(context.Background(), conn, Action{ID: 1, Name: "a", Method: "GET", URL: "/"}, nil, rec)
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if len(rec.runs) != 1 || rec.runs[0].Err != err.Error() || rec.runs[0].Response != nil {
		t.Fatalf("recorded %+v", rec.runs)
	}
}

func TestReplayKeepsACutBody(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), (StoredBodyLimit+4096)/16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	}))
	defer srv.Close()
	conn := connection.Connection{ID: 6, Name: "big", BaseURL: srv.URL}
	rec := &runs{}
	resp, err := Replay(context.Background(), conn, Action{ID: 2, Name: "big", Method: "GET", URL: "/"}, nil, rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, body) || resp.Truncated || resp.Size != int64(len(body)) {
		t.Fatalf("returned %d bytes, truncated %v, size %d", len(resp.Body), resp.Truncated, resp.Size)
	}
	kept := rec.runs[0].Response
	if !bytes.Equal(kept.Body, body[:StoredBodyLimit]) || !kept.Truncated || kept.Size != int64(len(body)) {
		t.Fatalf("kept %d bytes, truncated %v, size %d", len(kept.Body), kept.Truncated, kept.Size)
	}
	resp.Body[0] = 'X'
	if kept.Body[0] != '0' {
		t.Fatal("the kept body shares memory with the whole one")
	}
}
