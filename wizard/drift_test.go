package wizard

import (
	"reflect"
	"testing"

	"patchbay/connection"
)

func driftResp(status int, body string, headers ...connection.KV) connection.Response {
	return connection.Response{Status: status, Headers: headers, Body: []byte(body)}
}

func TestDrift(t *testing.T) {
	ct := func(v string) connection.KV { return connection.KV{Key: "Content-Type", Value: v} }
	kv := func(k, v string) connection.KV { return connection.KV{Key: k, Value: v} }
	const issue = `{"id": 7, "key": "PB-7", "fields": {"summary": "hi", "labels": ["a"], "assignee": {"name": "ann"}}, "comments": [{"id": 1, "body": "x"}]}`
	tests := []struct {
		name        string
		sample, run connection.Response
		want        []Change
	}{
		{
			name:   "the same response with other values is not drift",
			sample: driftResp(200, issue, ct("application/json"), kv("Date", "Mon"), kv("Content-Length", "120"), kv("X-Request-Id", "a1")),
			run: driftResp(200, `{"id": 8, "key": "PB-8", "fields": {"summary": "other", "labels": [], "assignee": {"name": "bob"}}, "comments": [{"id": 9, "body": "y"}, {"id": 10}]}`,
				ct("application/json"), kv("Date", "Tue"), kv("Content-Length", "99"), kv("X-Request-Id", "b2")),
		},
		{
			name:   "a changed JSON response lists exactly the changed fields",
			sample: driftResp(200, issue),
			run:    driftResp(200, `{"id": "7", "fields": {"summary": "hi", "labels": ["a"], "assignee": {"name": "ann", "email": "a@x"}, "due": null}, "comments": [{"id": 1, "text": "x"}]}`),
			want: []Change{
				{Kind: ChangeFieldType, Path: "id", Was: "number", Now: "string"},
				{Kind: ChangeFieldRemoved, Path: "key", Was: "string"},
				{Kind: ChangeFieldRemoved, Path: "comments[].body", Was: "string"},
				{Kind: ChangeFieldAdded, Path: "fields.assignee.email", Now: "string"},
				{Kind: ChangeFieldAdded, Path: "fields.due", Now: "null"},
				{Kind: ChangeFieldAdded, Path: "comments[].text", Now: "string"},
			},
		},
		{
			name:   "status",
			sample: driftResp(200, `{}`),
			run:    connection.Response{Status: 404, StatusText: "404 Not Found", Body: []byte(`{}`)},
			want:   []Change{{Kind: ChangeStatus, Was: "200 OK", Now: "404 Not Found"}},
		},
		{
			name:   "headers added, removed and changed, by canonical name, in name order",
			sample: driftResp(200, "", ct("application/json"), kv("x-version", "1"), kv("Vary", "Accept"), kv("Etag", `"a"`)),
			run:    driftResp(200, "", ct("application/json"), kv("X-Version", "2"), kv("Deprecation", "true"), kv("Etag", `"b"`), kv("Set-Cookie", "s=1")),
			want: []Change{
				{Kind: ChangeHeaderAdded, Path: "Deprecation", Now: "true"},
				{Kind: ChangeHeaderRemoved, Path: "Vary", Was: "Accept"},
				{Kind: ChangeHeaderChanged, Path: "X-Version", Was: "1", Now: "2"},
			},
		},
		{
			name:   "several values of a header compare together",
			sample: driftResp(200, "", kv("Allow", "GET"), kv("Allow", "POST")),
			run:    driftResp(200, "", kv("Allow", "GET")),
			want:   []Change{{Kind: ChangeHeaderChanged, Path: "Allow", Was: "GET, POST", Now: "GET"}},
		},
		{
			name:   "non-JSON bodies: only status and headers",
			sample: driftResp(200, "<html>a</html>", ct("text/html")),
			run:    driftResp(500, "<html>b</html>", ct("text/html; charset=utf-8")),
			want: []Change{
				{Kind: ChangeStatus, Was: "200 OK", Now: "500 Internal Server Error"},
				{Kind: ChangeHeaderChanged, Path: "Content-Type", Was: "text/html", Now: "text/html; charset=utf-8"},
			},
		},
		{
			name:   "a JSON sample against a non-JSON run compares no fields",
			sample: driftResp(200, issue),
			run:    driftResp(200, "<html>maintenance</html>"),
		},
		{
			name:   "a body cut at the limit compares no fields",
			sample: driftResp(200, issue),
			run:    connection.Response{Status: 200, Body: []byte(issue[:40]), Truncated: true},
		},
		{
			name:   "a type change is reported once, not with the fields under it",
			sample: driftResp(200, `{"data": {"a": 1, "b": 2}, "list": [{"x": 1}]}`),
			run:    driftResp(200, `{"data": [{"a": 1}], "list": {"x": 1}}`),
			want: []Change{
				{Kind: ChangeFieldType, Path: "data", Was: "object", Now: "array"},
				{Kind: ChangeFieldType, Path: "list", Was: "array", Now: "object"},
			},
		},
		{
			name:   "null on either side is a value, and hides the fields under it",
			sample: driftResp(200, `{"assignee": null, "due": "2025-01-01", "parent": {"id": 1}}`),
			run:    driftResp(200, `{"assignee": {"name": "ann"}, "due": null, "parent": null}`),
		},
		{
			name:   "an empty array hides its elements",
			sample: driftResp(200, `{"items": [], "tags": []}`),
			run:    driftResp(200, `{"items": [{"id": 1, "sub": [{"k": 1}]}], "tags": ["a"]}`),
		},
		{
			name:   "top-level arrays and arrays of arrays",
			sample: driftResp(200, `[{"id": 1, "grid": [[{"v": 1}]]}]`),
			run:    driftResp(200, `[{"id": "1", "grid": [[{"v": "1", "w": 2}]]}]`),
			want: []Change{
				{Kind: ChangeFieldType, Path: "[].id", Was: "number", Now: "string"},
				{Kind: ChangeFieldType, Path: "[].grid[][].v", Was: "number", Now: "string"},
				{Kind: ChangeFieldAdded, Path: "[].grid[][].w", Now: "number"},
			},
		},
		{
			name:   "a top-level array emptied",
			sample: driftResp(200, `[{"id": 1}]`),
			run:    driftResp(200, `[]`),
		},
		{
			name:   "an object that became an array at the top",
			sample: driftResp(200, `{"id": 1}`),
			run:    driftResp(200, `[{"id": 1}]`),
			want: []Change{
				{Kind: ChangeFieldRemoved, Path: "id", Was: "number"},
				{Kind: ChangeFieldAdded, Path: "[]", Now: "array"},
				{Kind: ChangeFieldAdded, Path: "[].id", Now: "number"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Drift(tt.sample, tt.run)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Drift:\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestChangeString(t *testing.T) {
	for c, want := range map[Change]string{
		{Kind: ChangeStatus, Was: "200 OK", Now: "404 Not Found"}:          "status 200 OK → 404 Not Found",
		{Kind: ChangeHeaderAdded, Path: "Deprecation", Now: "true"}:        "header Deprecation added: true",
		{Kind: ChangeHeaderRemoved, Path: "Vary", Was: "Accept"}:           "header Vary removed (was Accept)",
		{Kind: ChangeHeaderChanged, Path: "X-Version", Was: "1", Now: "2"}: "header X-Version: 1 → 2",
		{Kind: ChangeFieldAdded, Path: "a.b", Now: "string"}:               "field a.b added (string)",
		{Kind: ChangeFieldRemoved, Path: "items[].id", Was: "number"}:      "field items[].id removed (was number)",
		{Kind: ChangeFieldType, Path: "id", Was: "number", Now: "string"}:  "field id: number → string",
	} {
		if got := c.String(); got != want {
			t.Errorf("%#v: %q, want %q", c, got, want)
		}
	}
}
