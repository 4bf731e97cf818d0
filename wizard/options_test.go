package wizard

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/connection"
)

// everyOption sets every option to something other than its default.
func everyOption() ActionOptions {
	zero := 0
	return ActionOptions{
		Options: connection.Options{
			Retries: 4, RetryDelay: 250 * time.Millisecond, Backoff: true, RetryAllErrors: true, RetryUnsafe: true,
			Timeout: 1500 * time.Millisecond, Deadline: 9 * time.Second, MaxRedirects: &zero,
			BodyCap: 2 << 20, VerifyTLS: true,
		},
		ResponseType: RespBinary, FullResponse: true, Debug: true,
	}
}

// TestOptionsSurviveStoreAndEdit: options and parts go from the wizard to
// the action, through JSON as the store keeps it, back into a wizard by
// Edit and out again by Apply, unchanged; and every request built on the
// way carries the sending options.
func TestOptionsSurviveStoreAndEdit(t *testing.T) {
	file := writeFile(t, "notes.txt", []byte("some notes\n"))
	w := New(api)
	w.Name, w.Method, w.URL = "Upload", "POST", "/upload"
	w.BodyType = BodyMultipart
	w.Parts = []Part{{Name: "title", Value: "Q3"}, {}, {Name: "notes", File: file, FileName: "n.txt", ContentType: "text/plain"}}
	w.Options = everyOption()
	if errs := w.Next(); errs != nil {
		t.Fatal(errs)
	}
	req, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(req.Options, everyOption().Options) {
		t.Fatalf("the wizard's request carries %+v", req.Options)
	}
	w.AttachSample(req, jsonResponse(`{}`), nil)
	a, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	wantParts := []Part{{Name: "title", Value: "Q3"}, {Name: "notes", File: file, FileName: "n.txt", ContentType: "text/plain"}}
	if !reflect.DeepEqual(a.Options, everyOption()) || !slices.Equal(a.Parts, wantParts) {
		t.Fatalf("applied options %+v, parts %+v", a.Options, a.Parts)
	}

	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"options":{`, `"retries":4`, `"max_redirects":0`, `"response_type":"binary"`, `"parts":[`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("stored JSON lacks %s:\n%s", key, raw)
		}
	}
	var stored Action
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	e := Edit(api, stored)
	if !reflect.DeepEqual(e.Options, everyOption()) || !slices.Equal(e.Parts, wantParts) {
		t.Fatalf("Edit loaded options %+v, parts %+v", e.Options, e.Parts)
	}
	*e.Options.MaxRedirects = 3 // the wizard's own copy
	if *stored.Options.MaxRedirects != 0 {
		t.Fatal("Edit shares the action's MaxRedirects")
	}
	*e.Options.MaxRedirects = 0
	if _, _, stale := e.Sample(); stale {
		t.Fatal("the loaded sample is stale though nothing changed")
	}
	for e.Step() != StepReview {
		if errs := e.Next(); errs != nil {
			t.Fatalf("Next: %v", errs)
		}
	}
	again, err := e.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Options, a.Options) || !slices.Equal(again.Parts, a.Parts) {
		t.Fatalf("re-applied options %+v, parts %+v", again.Options, again.Parts)
	}
	replayed, err := again.Request(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(replayed.Options, everyOption().Options) {
		t.Fatalf("the replay's request carries %+v", replayed.Options)
	}
}

// TestOldActionLoadsAsBefore: an action saved before options and parts
// existed loads with none, builds the request it always built, and is
// written back without the new keys.
func TestOldActionLoadsAsBefore(t *testing.T) {
	const old = `{"id":3,"name":"Create user","connection_id":7,"method":"POST","url":"/users/{{team}}",
		"query":[{"key":"dry_run","value":"1"}],"headers":[{"key":"Content-Type","value":"application/json"}],
		"body_type":"json","body":"{\"name\": \"{{name}}\"}",
		"inputs":[{"path":"name","type":"string","example":"Ann","source":"body"}],
		"sample":{"request":{"method":"POST","url":"https://api.x.com/v2/users/x","headers":null},"status":201,
		"status_text":"201 Created","headers":null,"body":"e30=","size":2,"truncated":false,"duration":1000},
		"created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z"}`
	var a Action
	if err := json.Unmarshal([]byte(old), &a); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Options, ActionOptions{}) || a.Parts != nil {
		t.Fatalf("options %+v, parts %+v", a.Options, a.Parts)
	}
	got, err := a.Request(map[string]string{"team": "core", "name": "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	want := connection.Request{
		Method: "POST", URL: "/users/core",
		Query:   []connection.KV{kv("dry_run", "1")},
		Headers: []connection.KV{kv("Content-Type", "application/json")},
		Body:    []byte(`{"name": "Ann"}`),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("request\n got %+v\nwant %+v", got, want)
	}
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), `"options"`) || strings.Contains(string(raw), `"parts"`) {
		t.Errorf("an action without options is written with them: %s", raw)
	}
	// And it edits and applies as before: its sample still fits.
	w := Edit(api, a)
	for w.Step() != StepReview {
		if errs := w.Next(); errs != nil {
			t.Fatalf("Next: %v", errs)
		}
	}
	if _, err := w.Apply(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateOptions(t *testing.T) {
	neg, many := -1, 21
	tests := []struct {
		name       string
		opts       ActionOptions
		field, msg string
	}{
		{"defaults", ActionOptions{}, "", ""},
		{"every option", everyOption(), "", ""},
		{"negative retries", ActionOptions{Options: connection.Options{Retries: -1}}, "retries", "retries cannot be negative"},
		{"too many retries", ActionOptions{Options: connection.Options{Retries: 11}}, "retries", "at most 10 retries"},
		{"negative delay", ActionOptions{Options: connection.Options{RetryDelay: -time.Millisecond}}, "retry_delay", "retry delay cannot be negative"},
		{"long delay", ActionOptions{Options: connection.Options{RetryDelay: time.Hour}}, "retry_delay", "retry delay can be at most 10m0s (600000 ms)"},
		{"negative timeout", ActionOptions{Options: connection.Options{Timeout: -time.Second}}, "timeout", "timeout cannot be negative"},
		{"long timeout", ActionOptions{Options: connection.Options{Timeout: 2 * time.Hour}}, "timeout", "timeout can be at most 1h0m0s (3600000 ms)"},
		{"negative deadline", ActionOptions{Options: connection.Options{Deadline: -1}}, "deadline", "deadline cannot be negative"},
		{"negative redirects", ActionOptions{Options: connection.Options{MaxRedirects: &neg}}, "max_redirects", "max redirects cannot be negative (0 follows none)"},
		{"too many redirects", ActionOptions{Options: connection.Options{MaxRedirects: &many}}, "max_redirects", "at most 20 redirects"},
		{"negative body cap", ActionOptions{Options: connection.Options{BodyCap: -5}}, "body_cap", "body cap cannot be negative (0 means the default, 100.0 MiB)"},
		{"huge body cap", ActionOptions{Options: connection.Options{BodyCap: 2 << 30}}, "body_cap", "body cap can be at most 1.0 GiB"},
		{"unknown response type", ActionOptions{ResponseType: "xml"}, "response_type", "unknown response type 'xml' — use json, text or binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.opts.Validate()
			if tt.field == "" {
				if errs != nil {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || errs[0].Msg != tt.msg {
				t.Fatalf("got %#v, want one error %s: %q", errs, tt.field, tt.msg)
			}
			// The wizard reports them at step 2 and keeps what was typed.
			w := New(api)
			w.Name, w.URL = "a", "/x"
			w.Next()
			w.Options = tt.opts
			if got := w.Validate().For(tt.field); got != tt.msg {
				t.Errorf("step 2 says %q", got)
			}
			if w.Next() == nil || w.Step() != StepSample || !reflect.DeepEqual(w.Options, tt.opts) {
				t.Errorf("step %v, options %+v", w.Step(), w.Options)
			}
		})
	}
}

// TestOptionsStaleness: what changes how the request is sent makes the
// sample stale; what only changes how the response is shown does not.
func TestOptionsStaleness(t *testing.T) {
	ready := func() *Wizard {
		w := readyAtReview(t)
		if _, _, stale := w.Sample(); stale {
			t.Fatal("stale from the start")
		}
		return w
	}
	one := 1
	stale := map[string]func(o *ActionOptions){
		"retries":          func(o *ActionOptions) { o.Retries = 1 },
		"retry delay":      func(o *ActionOptions) { o.RetryDelay = 2 * time.Second },
		"backoff":          func(o *ActionOptions) { o.Backoff = true },
		"retry all errors": func(o *ActionOptions) { o.RetryAllErrors = true },
		"retry unsafe":     func(o *ActionOptions) { o.RetryUnsafe = true },
		"timeout":          func(o *ActionOptions) { o.Timeout = time.Second },
		"deadline":         func(o *ActionOptions) { o.Deadline = time.Minute },
		"max redirects":    func(o *ActionOptions) { o.MaxRedirects = &one },
		"body cap":         func(o *ActionOptions) { o.BodyCap = 1 << 10 },
		"verify TLS":       func(o *ActionOptions) { o.VerifyTLS = true },
	}
	same := map[string]func(o *ActionOptions){
		"response type":           func(o *ActionOptions) { o.ResponseType = RespBinary },
		"full response":           func(o *ActionOptions) { o.FullResponse = true },
		"debug":                   func(o *ActionOptions) { o.Debug = false },
		"redirects, same value":   func(o *ActionOptions) { two := 2; o.MaxRedirects = &two },
		"progress is not sending": func(o *ActionOptions) { o.Progress = func(connection.Attempt) {} },
	}
	for name, change := range stale {
		w := ready()
		change(&w.Options)
		if _, _, stale := w.Sample(); !stale {
			t.Errorf("%s: sample not stale", name)
		}
	}
	for name, change := range same {
		w := ready()
		change(&w.Options)
		if _, _, stale := w.Sample(); stale {
			t.Errorf("%s: sample stale though the request is sent the same way", name)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 5: "5 B", 1023: "1023 B", 1024: "1.0 KiB", 12595: "12.3 KiB",
		10 << 20: "10.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
