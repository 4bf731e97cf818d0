package ui

import (
	"testing"

	"patchbay/connection"
)

// The whole first-use path, screen by screen, each a golden at 120x40:
// empty home, the connection form, home with the connection, the three
// wizard steps, home with the action, and its replay.
func TestFirstUseScreens(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	t.Run("home_empty", d.golden)

	d.keys("n")
	d.keys("Jira (sandbox)", "tab", f.srv.URL, "tab", "b", "tab", "alice", "tab", "s3cret")
	d.lacks("s3cret")
	t.Run("connection_form", d.golden)

	d.keys("ctrl+s")
	d.contains("Saved connection 'Jira (sandbox)'")
	t.Run("home_connections", d.golden)

	d.keys("enter")
	d.keys("Who am I", "tab", "tab", "/basic-auth/alice/s3cret")
	d.contains("Full URL", f.normalize(f.srv.URL)+"/basic-auth/alice/s3cret")
	t.Run("wizard_step1", d.golden)

	d.keys("ctrl+n")
	d.contains("Nothing sent yet")
	d.keys("ctrl+s")
	d.contains("200 OK", `"authenticated": true`)
	t.Run("wizard_step2", d.golden)

	d.keys("ctrl+n")
	d.contains("Output fields", "authenticated", "boolean", "Apply")
	t.Run("wizard_step3", d.golden)

	d.keys("enter")
	d.contains("Saved action 'Who am I'", "› Who am I")
	t.Run("home_actions", d.golden)

	d.keys("r")
	d.contains("Run 'Who am I'", "200 OK", "Authorization: ••••••")
	t.Run("replay", d.golden)

	a, err := f.st.ActionByName("who am i")
	if err != nil {
		t.Fatal(err)
	}
	if a.Sample == nil || a.Sample.Status != 200 || len(a.Outputs) == 0 {
		t.Errorf("saved action lacks its sample or outputs: %+v", a)
	}
	runs, err := f.st.Runs(a.ID)
	if err != nil || len(runs) != 1 {
		t.Errorf("replay recorded %d runs (err %v), want 1", len(runs), err)
	}
}

func TestWizardErrorsSitNextToFieldsAndKeepInput(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	d := f.drive(120, 40)
	d.keys("enter")
	d.keys("tab", "tab", "not a url")
	d.keys("ctrl+n")
	d.contains("1 Method & URL", "name is required", "not a url")
	t.Run("step1_errors", d.golden)
	if got := d.top().(*wizardScreen).step1.focusedKey(); got != "name" {
		t.Errorf("focus on %q after a failed step, want the first bad field (name)", got)
	}

	// Fix it, go on, put invalid JSON in the body: error with line and column.
	d.keys("Create", "tab", "right", "tab")
	for range "not a url" {
		d.keys("backspace")
	}
	d.keys("/anything", "ctrl+n")
	d.contains("2 Sample request")
	w := d.top().(*wizardScreen)
	w.step2.focusKey("body_type")
	d.keys("right", "tab", "{\n  \"a\": 1,\n  \"b\": \n}")
	d.keys("ctrl+s")
	d.contains("invalid JSON at line 4, column 1")
	t.Run("step2_json_error", d.golden)

	// Back and forward keep everything typed.
	d.keys("ctrl+b")
	d.contains("Create", "/anything")
	d.keys("ctrl+n")
	d.contains(`"a": 1,`)
	if got := w.w.Method; got != "POST" {
		t.Errorf("method = %q after back and forth, want POST", got)
	}
}

func TestSampleMustBeSentAndFresh(t *testing.T) {
	f := newFixture(t)
	f.basicConn("api", "u", "p")
	d := f.drive(120, 40)
	d.keys("enter", "Echo", "tab", "tab", "/anything", "ctrl+n")
	d.keys("ctrl+n")
	d.contains("2 Sample request", "send the sample request first (ctrl+s)")
	d.keys("ctrl+s")
	d.contains("200 OK")
	d.lacks("send the sample request first") // neither under the form nor in the status line
	d.keys("q", "tab", "1")                  // a query param q=1: the sample is now stale
	d.keys("ctrl+n")
	d.contains("2 Sample request", "the request changed since the sample was sent")
	d.keys("ctrl+s", "ctrl+n")
	d.contains("3 Review")
}

func TestConnectionFormShowsFieldsOfChosenAuth(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	d.keys("n", "tab", "tab")
	want := map[string][]string{
		"None":         {},
		"Basic":        {"Username", "Password"},
		"Header auth":  {"Auth headers"},
		"Query params": {"Auth query params"},
		"Custom":       {"Username", "Password", "Auth headers", "Auth query params"},
		"API key":      {"API key", "Header name", "Scheme"},
		"OAuth2 code": {"Authorize URL", "Token URL", "Refresh URL", "Device login URL", "Client ID", "Client secret", "Scopes",
			"Send client credentials", "Token request headers", "Callback port"},
		"OAuth2 client": {"Token URL", "Client ID", "Client secret", "Scopes", "Send client credentials", "Token request headers"},
		"Azure code": {"Tenant", "Endpoint version", "Authority host", "Authorize URL", "Token URL", "Refresh URL",
			"Client ID", "Client secret", "Scopes", "Send client credentials", "Token request headers", "Callback port"},
		"Azure client": {"Tenant", "Endpoint version", "Authority host", "Token URL", "Client ID", "Client secret", "Scopes",
			"Send client credentials", "Token request headers"},
		"AWS key":  {"AWS service", "Region", "Access key ID", "Secret access key", "Session token"},
		"AWS role": {"AWS service", "Region", "IAM role ARN", "External ID", "AWS profile", "STS endpoint"},
		"NTLM":     {"Domain", "Username", "Password", "Connections per host", "Maximum connections"},
	}
	all := []string{"Username", "Password", "Auth headers", "Auth query params", "Header name", "Scheme",
		"Authorize URL", "Token URL", "Refresh URL", "Device login URL", "Client ID", "Client secret", "Scopes",
		"Send client credentials", "Token request headers", "Callback port", "Tenant", "Endpoint version",
		"Authority host", "Resource (1.0)", "AWS service", "Region", "Access key ID", "Secret access key",
		"Session token", "IAM role ARN", "External ID", "AWS profile", "STS endpoint", "Domain",
		"Connections per host", "Maximum connections"}
	for _, typ := range connection.AuthTypes {
		form := d.top().(*connForm).form
		if got := form.field("auth").titles[form.field("auth").choice]; got != formTitle(typ) {
			t.Fatalf("auth choice = %q, want %q", got, formTitle(typ))
		}
		v := d.view()
		for _, label := range all {
			shown := containsLine(v, label)
			if shown != contains(want[formTitle(typ)], label) {
				t.Errorf("%s: field %q shown=%v", formTitle(typ), label, shown)
			}
		}
		d.keys("right")
	}
}

func TestConnectionFormErrorsKeepInput(t *testing.T) {
	f := newFixture(t)
	f.basicConn("Taken", "u", "p")
	d := f.drive(120, 40)
	d.keys("n", "Taken", "tab", "ftp://example.com", "tab", "b", "tab", "tab", "hunter2")
	d.keys("ctrl+s")
	d.contains("ftp://example.com", "base URL must start with http:// or https://", "username is required")
	if got := d.top().(*connForm).form.focusedKey(); got != "base_url" {
		t.Fatalf("focus on %q after a failed save, want the first bad field", got)
	}
	for range "ftp://example.com" {
		d.keys("backspace")
	}
	d.keys("https://example.com")
	d.keys("tab", "tab", "alice", "ctrl+s")
	d.contains("already exists", "New connection")
	t.Run("duplicate_name", d.golden)
	// The password typed before both failures is still there, masked.
	form := d.top().(*connForm).form
	if got := form.field("password").value(); got != "hunter2" {
		t.Errorf("password after failed saves = %q", got)
	}
	d.lacks("hunter2")
	d.keys("ctrl+r")
	d.contains("hunter2")
}

func TestEscOnDirtyFormAsksFirst(t *testing.T) {
	f := newFixture(t)
	d := f.drive(120, 40)
	d.keys("n", "half typed", "esc")
	d.contains("Discard your changes to this connection? y/n", "half typed")
	d.keys("n")
	d.contains("New connection", "half typed")
	d.keys("esc", "y")
	d.contains("No connections yet")

	// A clean form leaves at once.
	d.keys("n", "esc")
	d.contains("No connections yet")
}

func containsLine(view, label string) bool {
	for _, l := range splitLines(view) {
		if len(l) > 4 && (hasPrefixTrim(l, label+" ") || hasPrefixTrim(l, "› "+label+" ")) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
