package wizard

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
)

// writeFile writes content to a new file called name and returns its path.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// allBytes is every byte value once, as a binary file's content.
func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// drain reads what one Open of src produces.
func drain(t *testing.T, src *connection.BodySource) []byte {
	t.Helper()
	rc, err := src.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readParts parses a multipart body as a server would: part name →
// file name, content type and content.
type gotPart struct {
	fileName, contentType string
	content               []byte
}

func readParts(t *testing.T, contentType string, body []byte) map[string]gotPart {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q", contentType)
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	got := map[string]gotPart{}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("not a multipart body: %v\n%q", err, body)
		}
		content, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		got[p.FormName()] = gotPart{p.FileName(), p.Header.Get("Content-Type"), content}
	}
}

// uploadAction is an action with a field, a text file and a binary file.
func uploadAction(t *testing.T) (Action, []byte, []byte) {
	t.Helper()
	text := []byte("line one\r\nline two — ünïcode\n")
	bin := allBytes()
	a := Action{
		ID: 21, Name: "Upload", Method: "POST", URL: "/anything", BodyType: BodyMultipart,
		Parts: []Part{
			{Name: "note", Value: "for {{who}}"},
			{Name: "text", File: writeFile(t, "notes.txt", text)},
			{Name: "bin", File: writeFile(t, "all.bin", bin), FileName: "bytes.dat", ContentType: "application/x-test"},
		},
	}
	return a, text, bin
}

func TestMultipartBody(t *testing.T) {
	a, text, bin := uploadAction(t)
	req, err := a.Request(map[string]string{"who": "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	if req.Body != nil || req.Stream == nil {
		t.Fatalf("body %q, stream %v", req.Body, req.Stream)
	}
	ct, _ := connection.HeaderValue(req.Headers, "Content-Type")
	body := drain(t, req.Stream)
	if again := drain(t, req.Stream); !bytes.Equal(body, again) {
		t.Fatal("opening the body twice gave different bytes")
	}
	if req.Stream.Length != int64(len(body)) {
		t.Fatalf("Length %d, the body has %d bytes", req.Stream.Length, len(body))
	}
	got := readParts(t, ct, body)
	want := map[string]gotPart{
		"note": {"", "", []byte("for Ann")},
		"text": {"notes.txt", mime.TypeByExtension(".txt"), text},
		"bin":  {"bytes.dat", "application/x-test", bin},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parts\n got %q\nwant %q", got, want)
	}
	wantSummary := `multipart/form-data: field "note" (7 B), file "text" = notes.txt (` + mime.TypeByExtension(".txt") +
		`, ` + FormatSize(int64(len(text))) + `), file "bin" = bytes.dat (application/x-test, 256 B)`
	if req.Stream.Summary != wantSummary {
		t.Errorf("Summary\n got %s\nwant %s", req.Stream.Summary, wantSummary)
	}

	// A file of unknown type, and a size shown in KiB.
	photo := writeFile(t, "photo.jpg", bytes.Repeat([]byte{0xff}, 12595))
	a = Action{Name: "p", Method: "POST", BodyType: BodyMultipart, Parts: []Part{
		{Name: "name", Value: "Alice"}, {Name: "photo", File: photo}, {Name: "blob", File: writeFile(t, "blob", []byte("x"))},
	}}
	req, err = a.Request(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `multipart/form-data: field "name" (5 B), file "photo" = photo.jpg (image/jpeg, 12.3 KiB), ` +
		`file "blob" = blob (application/octet-stream, 1 B)`; req.Stream.Summary != want {
		t.Errorf("Summary\n got %s\nwant %s", req.Stream.Summary, want)
	}
	if body := drain(t, req.Stream); req.Stream.Length != int64(len(body)) {
		t.Errorf("Length %d, the body has %d bytes", req.Stream.Length, len(body))
	}
}

// TestMultipartContentType: the boundary goes into the Content-Type unless
// the user chose one; a user's non-multipart type is theirs to keep.
func TestMultipartContentType(t *testing.T) {
	a := Action{Name: "m", Method: "POST", BodyType: BodyMultipart, Parts: []Part{{Name: "a", Value: "1"}}}
	for _, tc := range []struct {
		header string
		check  func(ct string, body []byte) bool
	}{
		{"", func(ct string, body []byte) bool { return strings.HasPrefix(ct, "multipart/form-data; boundary=") }},
		{"multipart/form-data", func(ct string, body []byte) bool { return strings.HasPrefix(ct, "multipart/form-data; boundary=") }},
		{"multipart/form-data; boundary=my-own-boundary", func(ct string, body []byte) bool {
			return ct == "multipart/form-data; boundary=my-own-boundary" && bytes.HasPrefix(body, []byte("--my-own-boundary\r\n"))
		}},
		{"text/plain", func(ct string, body []byte) bool { return ct == "text/plain" }},
	} {
		a.Headers = nil
		if tc.header != "" {
			a.Headers = []connection.KV{kv("content-type", tc.header)}
		}
		req, err := a.Request(nil)
		if err != nil {
			t.Fatal(err)
		}
		var cts []string
		for _, h := range req.Headers {
			if strings.EqualFold(h.Key, "Content-Type") {
				cts = append(cts, h.Value)
			}
		}
		if len(cts) != 1 || !tc.check(cts[0], drain(t, req.Stream)) {
			t.Errorf("with %q: Content-Type %q", tc.header, cts)
		}
	}
	w := New(api)
	w.Name, w.Method, w.URL = "m", "POST", "/m"
	w.Next()
	w.BodyType, w.Parts = BodyMultipart, a.Parts
	w.Headers = []connection.KV{kv("Content-Type", "application/json")}
	if recs := w.Recommendations(); len(recs) != 1 || recs[0].Header != kv("Content-Type", "multipart/form-data") {
		t.Errorf("recommendations %+v", recs)
	}
	w.Headers = []connection.KV{{}, kv("Content-Type", `multipart/form-data; boundary="a@b"`)}
	if msg := w.Validate().For("header.1"); !strings.Contains(msg, `boundary "a@b" cannot be used`) {
		t.Errorf("a boundary that cannot be used: %q", msg)
	}
	if _, err := w.Request(); err == nil {
		t.Error("a request was built with a boundary that cannot be used")
	}
}

// TestSampleAndReplayBuildTheSameMultipart: the wizard's sample and the
// applied action's replay send the same request — options, headers but for
// the random boundary, and the same body bytes but for it — and each body
// gives the same bytes every time it is opened.
func TestSampleAndReplayBuildTheSameMultipart(t *testing.T) {
	a, _, _ := uploadAction(t)
	w := New(api)
	w.Name, w.Method, w.URL = a.Name, a.Method, a.URL
	w.Headers = []connection.KV{kv("X-Trace", "t-1")}
	w.BodyType, w.Parts = BodyMultipart, slices.Clone(a.Parts)
	w.Parts[0].Value = "for Ann" // the sample goes out as typed: no variables here
	w.Options = everyOption()
	w.Next()
	sample, err := w.Request()
	if err != nil {
		t.Fatal(err)
	}
	w.AttachSample(sample, jsonResponse(`{}`), nil)
	applied, err := w.Apply()
	if err != nil {
		t.Fatal(err)
	}
	replay, err := applied.Request(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRequest(sample, replay) {
		t.Fatalf("sample %+v\nreplay %+v", sample, replay)
	}
	sb, rb := drain(t, sample.Stream), drain(t, replay.Stream)
	if !bytes.Equal(sb, drain(t, sample.Stream)) || !bytes.Equal(rb, drain(t, replay.Stream)) {
		t.Fatal("a body gave different bytes when opened again")
	}
	sBoundary, rBoundary := boundaryOf(t, sample), boundaryOf(t, replay)
	if sBoundary == rBoundary {
		t.Error("two requests share a boundary: it is not random")
	}
	if !bytes.Equal(bytes.ReplaceAll(sb, []byte(sBoundary), []byte("B")), bytes.ReplaceAll(rb, []byte(rBoundary), []byte("B"))) {
		t.Fatalf("bodies differ:\n%q\n%q", sb, rb)
	}
	mask := func(r connection.Request, b string) connection.Request {
		r.Headers = maskBoundary(r.Headers, b)
		r.Stream = nil
		return r
	}
	if !reflect.DeepEqual(mask(sample, sBoundary), mask(replay, rBoundary)) || sample.Stream.Length != replay.Stream.Length ||
		sample.Stream.Summary != replay.Stream.Summary {
		t.Fatalf("sample %+v\nreplay %+v", sample, replay)
	}
	if !reflect.DeepEqual(replay.Options, everyOption().Options) {
		t.Fatalf("replay options %+v", replay.Options)
	}
	if _, _, stale := w.Sample(); stale {
		t.Error("building the request again made the sample stale")
	}
}

func boundaryOf(t *testing.T, req connection.Request) string {
	t.Helper()
	ct, _ := connection.HeaderValue(req.Headers, "Content-Type")
	_, params, err := mime.ParseMediaType(ct)
	if err != nil || params["boundary"] == "" {
		t.Fatalf("Content-Type %q", ct)
	}
	return params["boundary"]
}

// TestMultipartStaleness: a part's value, file or the file's content
// changing makes the sample stale.
func TestMultipartStaleness(t *testing.T) {
	file := writeFile(t, "a.txt", []byte("first"))
	ready := func() *Wizard {
		w := New(api)
		w.Name, w.Method, w.URL, w.BodyType = "m", "POST", "/m", BodyMultipart
		w.Parts = []Part{{Name: "f", Value: "v"}, {Name: "file", File: file}}
		w.Next()
		req, err := w.Request()
		if err != nil {
			t.Fatal(err)
		}
		w.AttachSample(req, jsonResponse(`{}`), nil)
		if _, _, stale := w.Sample(); stale {
			t.Fatal("stale from the start")
		}
		return w
	}
	other := writeFile(t, "b.txt", []byte("first"))
	for name, change := range map[string]func(w *Wizard){
		"value":        func(w *Wizard) { w.Parts[0].Value = "w" },
		"name":         func(w *Wizard) { w.Parts[0].Name = "g" },
		"file":         func(w *Wizard) { w.Parts[1].File = other },
		"file name":    func(w *Wizard) { w.Parts[1].FileName = "x.txt" },
		"content type": func(w *Wizard) { w.Parts[1].ContentType = "text/csv" },
		"part added":   func(w *Wizard) { w.Parts = append(w.Parts, Part{Name: "n", Value: "1"}) },
		"body type":    func(w *Wizard) { w.BodyType = BodyForm },
		"file content": func(w *Wizard) {
			if err := os.WriteFile(file, []byte("second, longer"), 0o600); err != nil {
				t.Fatal(err)
			}
		},
	} {
		w := ready()
		change(w)
		if _, _, stale := w.Sample(); !stale {
			t.Errorf("%s: sample not stale", name)
		}
		os.WriteFile(file, []byte("first"), 0o600)
	}
	w := ready()
	w.Parts = append(w.Parts, Part{}) // a blank row for typing
	w.Parts[1].File = "  " + file + " "
	if _, _, stale := w.Sample(); stale {
		t.Error("a blank part or spaces around the path made the sample stale")
	}
}

// TestMultipartReachesHTTPBin sends a field, a text file and a binary file
// with all 256 byte values through Replay to httpbin's /anything, which
// echoes fields and files, and to an exact echo of the raw upload.
func TestMultipartReachesHTTPBin(t *testing.T) {
	type upload struct {
		ContentLength int64             `json:"content_length"`
		Chunked       bool              `json:"chunked"`
		Files         map[string]string `json:"files"` // base64
		Form          map[string]string `json:"form"`
	}
	mux := http.NewServeMux()
	mux.Handle("/", httpbin.New())
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		u := upload{ContentLength: r.ContentLength, Chunked: slices.Contains(r.TransferEncoding, "chunked"),
			Files: map[string]string{}, Form: map[string]string{}}
		for name, fhs := range r.MultipartForm.File {
			f, _ := fhs[0].Open()
			b, _ := io.ReadAll(f)
			u.Files[name] = base64.StdEncoding.EncodeToString(b)
		}
		for name, vs := range r.MultipartForm.Value {
			u.Form[name] = vs[0]
		}
		json.NewEncoder(w).Encode(u)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	conn := basicConn(srv)
	a, text, bin := uploadAction(t)
	vars := map[string]string{"who": "Ann"}
	req, err := a.Request(vars)
	if err != nil {
		t.Fatal(err)
	}

	rec := &runs{}
	resp, err := Replay(context.Background(), conn, a, vars, rec)
	if err != nil {
		t.Fatal(err)
	}
	var echo struct {
		Files map[string][]string `json:"files"`
		Form  map[string][]string `json:"form"`
	}
	if err := json.Unmarshal(resp.Body, &echo); err != nil {
		t.Fatalf("httpbin answered %d %q", resp.Status, resp.Body)
	}
	// httpbin echoes contents as JSON strings, which turn each byte that
	// is not UTF-8 into U+FFFD; the exact echo below compares the bytes.
	asJSONString := func(b []byte) string {
		var s string
		raw, _ := json.Marshal(string(b))
		json.Unmarshal(raw, &s)
		return s
	}
	if !slices.Equal(echo.Form["note"], []string{"for Ann"}) || !slices.Equal(echo.Files["text"], []string{string(text)}) ||
		!slices.Equal(echo.Files["bin"], []string{asJSONString(bin)}) {
		t.Errorf("httpbin echoed form %q, files %q", echo.Form, echo.Files)
	}
	if got := string(resp.Request.Body); got != req.Stream.Summary {
		t.Errorf("the request as sent shows the body as %q", got)
	}
	if len(rec.runs) != 1 || rec.runs[0].Response == nil || string(rec.runs[0].Response.Request.Body) != req.Stream.Summary {
		t.Fatalf("history keeps %+v", rec.runs)
	}

	a.URL = "/exact"
	resp, err = Replay(context.Background(), conn, a, vars, nil)
	if err != nil {
		t.Fatal(err)
	}
	var u upload
	if err := json.Unmarshal(resp.Body, &u); err != nil {
		t.Fatalf("exact echo answered %d %q", resp.Status, resp.Body)
	}
	want := upload{ContentLength: req.Stream.Length, Form: map[string]string{"note": "for Ann"}, Files: map[string]string{
		"text": base64.StdEncoding.EncodeToString(text), "bin": base64.StdEncoding.EncodeToString(bin)}}
	if !reflect.DeepEqual(u, want) {
		t.Errorf("the server got\n%+v\nwant\n%+v", u, want)
	}
}

// TestMultipartFileProblems: a file that is not there is a *FileError
// naming the part and the path, before anything is sent or recorded; at
// step 2 it is a message on the part, and nothing typed is lost.
func TestMultipartFileProblems(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	conn := connection.Connection{ID: 2, Name: "local", BaseURL: srv.URL}
	missing := filepath.Join(t.TempDir(), "gone.png")
	a := Action{ID: 1, Name: "up", Method: "POST", BodyType: BodyMultipart,
		Parts: []Part{{Name: "title", Value: "x"}, {Name: "photo", File: "{{dir}}/gone.png"}}}
	rec := &runs{}
	_, err := Replay(context.Background(), conn, a, map[string]string{"dir": filepath.Dir(missing)}, rec)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Part != "photo" || fe.Path != missing || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err %#v", err)
	}
	if want := "part 'photo': file " + missing + " does not exist"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	if hits.Load() != 0 || len(rec.runs) != 0 {
		t.Fatalf("hits %d, runs %d", hits.Load(), len(rec.runs))
	}
	if _, err := (Action{Name: "e", BodyType: BodyMultipart, Parts: []Part{{Name: "f", File: "{{p}}"}}}).Request(map[string]string{"p": " "}); !errors.As(err, &fe) {
		t.Errorf("a path the variables made empty: %v", err)
	}

	// A file that goes between building the request and sending it.
	file := writeFile(t, "soon-gone.txt", []byte("x"))
	a.Parts[1].File = file
	req, err := a.Request(nil)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(file)
	if _, err := req.Stream.Open(); !errors.As(err, &fe) || fe.Path != file {
		t.Errorf("Open of a removed file: %v", err)
	}
	// One that changed size: the Length would be wrong.
	file = writeFile(t, "grows.txt", []byte("x"))
	a.Parts[1].File = file
	req, _ = a.Request(nil)
	os.WriteFile(file, []byte("xx"), 0o600)
	if _, err := req.Stream.Open(); !errors.As(err, &fe) || !strings.Contains(err.Error(), "size changed") {
		t.Errorf("Open of a file that grew: %v", err)
	}
}

func TestValidateParts(t *testing.T) {
	file := writeFile(t, "ok.txt", []byte("ok"))
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.txt")
	tests := []struct {
		name  string
		parts []Part
		field string
		msg   string
	}{
		{"value and file parts", []Part{{Name: "a", Value: "1"}, {Name: "f", File: file, ContentType: "text/plain; charset=utf-8"}}, "", ""},
		{"blank parts are fine", []Part{{}, {Name: " "}}, "", ""},
		{"no name", []Part{{}, {Value: "x"}}, "part.1", "part needs a name"},
		{"name with a line break", []Part{{Name: "a\nb", Value: "x"}}, "part.0", "part name cannot contain line breaks or control characters"},
		{"value and file", []Part{{Name: "f", Value: "x", File: file}}, "part.0", "part 'f' has both a value and a file — give one or the other"},
		{"missing file", []Part{{Name: "f", File: missing}}, "part.0", "file " + missing + " does not exist"},
		{"directory", []Part{{Name: "f", File: dir}}, "part.0", dir + " is a directory, not a file"},
		{"file name without file", []Part{{Name: "f", Value: "x", FileName: "x.txt"}}, "part.0", "part 'f' has a file name but no file"},
		{"bad content type", []Part{{Name: "f", File: file, ContentType: "not a type"}}, "part.0",
			"content type 'not a type' is not a media type such as image/png or text/plain; charset=utf-8"},
		// Looked for once rendered (Request), not while it is typed.
		{"a path with a variable is not looked for", []Part{{Name: "f", File: "/nowhere/{{name}}.png"}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(api)
			w.Name, w.Method, w.URL = "a", "POST", "/up"
			w.Next()
			w.BodyType = BodyMultipart
			w.Parts = slices.Clone(tt.parts)
			for _, v := range w.VariableList() {
				w.SetSampleValue(v.Name, "x")
			}
			errs := w.Validate()
			if tt.field == "" {
				if errs != nil {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || errs[0].Msg != tt.msg {
				t.Fatalf("got %#v, want one error %s: %q", errs, tt.field, tt.msg)
			}
			if _, err := w.Request(); !errors.As(err, new(connection.FieldErrors)) {
				t.Errorf("Request() error = %v, want the same FieldErrors", err)
			}
			if _, errs := w.Draft(); errs.For(tt.field) != tt.msg {
				t.Errorf("Draft let it through: %v", errs)
			}
			if !slices.Equal(w.Parts, tt.parts) || w.Step() != StepSample {
				t.Errorf("parts now %+v at step %v", w.Parts, w.Step())
			}
			// Not a multipart body: its parts are kept but not checked.
			w.BodyType = BodyNone
			if errs := w.Validate(); errs != nil {
				t.Errorf("parts checked for a body without them: %v", errs)
			}
		})
	}
}

// TestMultipartInputsAndVariables: parts are inputs and their variables
// are the action's.
func TestMultipartInputsAndVariables(t *testing.T) {
	w := New(api)
	w.Name, w.Method, w.URL, w.BodyType = "up", "POST", "/up", BodyMultipart
	w.Parts = []Part{{Name: "title", Value: "{{title}}"}, {Name: "api_key", Value: "k-1"}, {Name: "doc", File: "/tmp/{{file}}.pdf"}}
	a, errs := w.Draft()
	if errs != nil {
		t.Fatal(errs)
	}
	if !slices.Equal(a.Variables(), []string{"title", "file"}) {
		t.Errorf("variables %v", a.Variables())
	}
	want := []Field{
		{Path: "title", Type: "string", Example: "{{title}}", Source: "form"},
		{Path: "api_key", Type: "string", Source: "form"},
		{Path: "doc", Type: "file", Example: "{{file}}.pdf", Source: "form"},
	}
	if !reflect.DeepEqual(a.Inputs, want) {
		t.Errorf("inputs\n got %+v\nwant %+v", a.Inputs, want)
	}
}

// TestMultipartSecretsNotKept: a secret-named part's value that the server
// echoes is not kept in history, and the history holds the summary of the
// body, not its bytes.
func TestMultipartSecretsNotKept(t *testing.T) {
	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	conn := connection.Connection{ID: 3, Name: "bin", BaseURL: srv.URL}
	a := Action{ID: 4, Name: "login", Method: "POST", URL: "/anything", BodyType: BodyMultipart,
		Parts: []Part{{Name: "password", Value: "mp-s3cret-99"}, {Name: "user", Value: "ann"}}}
	rec := &runs{}
	resp, err := Replay(context.Background(), conn, a, nil, rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(resp.Body, []byte("mp-s3cret-99")) {
		t.Fatalf("httpbin did not get the value: %s", resp.Body)
	}
	kept, _ := json.Marshal(rec.runs)
	kept = append(kept, rec.runs[0].Response.Body...)
	kept = append(kept, rec.runs[0].Response.Request.Body...)
	if bytes.Contains(kept, []byte("mp-s3cret-99")) || !bytes.Contains(kept, []byte("ann")) {
		t.Errorf("history keeps %s", kept)
	}
	req, _ := a.Request(nil)
	if sent := AsSent(conn, req, resp); string(sent.Body) != req.Stream.Summary {
		t.Errorf("AsSent shows the body as %q", sent.Body)
	}
}
