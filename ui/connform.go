package ui

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
	"patchbay/store"
)

// connSavedMsg reports the outcome of saving the connection form.
type connSavedMsg struct {
	conn connection.Connection
	err  error
}

// connForm creates or edits a connection. The fields of the chosen auth type
// appear when it is chosen; values typed for another type are kept in case
// the user switches back, but only the chosen type's are saved.
type connForm struct {
	env      *env
	form     *form
	orig     connection.Connection // zero for a new connection
	editing  bool
	saving   bool
	confirm  bool // asking whether to discard changes
	width    int
	height   int
	scroll   int
	startVal connection.Connection
}

func newConnForm(e *env, c *connection.Connection) *connForm {
	authValues := make([]string, len(connection.AuthTypes))
	authTitles := make([]string, len(connection.AuthTypes))
	for i, t := range connection.AuthTypes {
		authValues[i], authTitles[i] = string(t), formTitle(t)
	}
	name := textField("name", "Name", "e.g. Jira (sandbox)")
	base := textField("base_url", "Base URL", "https://api.example.com/v1")
	base.hint = "Action URLs are relative to it; credentials are only ever sent to this host."
	auth := choiceField("auth", "Authentication", authValues, authTitles)
	auth.hint = "←/→ to choose; the fields it needs appear below."
	is := func(types ...connection.AuthType) func() bool {
		return func() bool {
			for _, t := range types {
				if connection.AuthType(auth.value()) == t {
					return true
				}
			}
			return false
		}
	}
	user := textField("username", "Username", "")
	user.show = is(connection.AuthBasic, connection.AuthCustom, connection.AuthNTLM)
	pass := secretField("password", "Password")
	pass.show = user.show
	pass.hint = "Masked; ctrl+r reveals."
	headers := kvField("header", "Auth headers", "Header-Name", true)
	headers.show = is(connection.AuthHeader, connection.AuthCustom)
	headers.hint = "Sent with every request of this connection. Values are masked."
	query := kvField("query", "Auth query params", "param", true)
	query.show = is(connection.AuthQuery, connection.AuthCustom)
	apiKey := secretField("key", "API key")
	apiKey.show = is(connection.AuthAPIKey)
	keyHeader := textField("key_header", "Header name", connection.DefaultKeyHeader)
	keyHeader.show = apiKey.show
	scheme := choiceField("scheme", "Scheme",
		[]string{string(connection.SchemeBearer), string(connection.SchemeBasic), string(connection.SchemeRaw)},
		[]string{"Bearer KEY", "Basic KEY", "KEY (raw)"})
	scheme.show = apiKey.show
	timeout := textField("timeout", "Timeout", connection.DefaultTimeout.String())
	testPath := textField("test_path", "Test path", "(the base URL itself)")
	testPath.hint = "What `t` requests to test the connection, relative to the base URL, e.g. /me"
	caseSensitive := toggleField("case_sensitive_headers", "Case-sensitive headers?")
	caseSensitive.hint = "Send header names exactly as typed (space toggles)."

	chosen := func() connection.AuthType { return connection.AuthType(auth.value()) }
	ntlm := ntlmFields(chosen)
	fields := []*field{name, base, auth}
	fields = append(fields, ntlm[0]) // NTLM: the domain before the user
	fields = append(fields, user, pass, headers, query, apiKey, keyHeader, scheme)
	fields = append(fields, ntlm[1:]...)
	fields = append(fields, oauth2Fields(chosen)...)
	fields = append(fields, awsFields(chosen)...)
	fields = append(fields, timeout, testPath, caseSensitive)
	fields = append(fields, tlsFields()...)
	f := newForm(&e.styles, &e.keys, fields...)
	f.labelW = 27
	cf := &connForm{env: e, form: f}
	if c != nil {
		cf.orig, cf.editing = *c, true
		name.input.SetValue(c.Name)
		base.input.SetValue(c.BaseURL)
		choose(auth, string(c.Auth.Type))
		user.input.SetValue(c.Auth.Username)
		pass.input.SetValue(c.Auth.Password)
		f.setRows(headers, c.Auth.Headers)
		f.setRows(query, c.Auth.Query)
		apiKey.input.SetValue(c.Auth.Key)
		keyHeader.input.SetValue(c.Auth.KeyHeader)
		choose(scheme, string(c.Auth.Scheme))
		if c.Timeout > 0 {
			timeout.input.SetValue(c.Timeout.String())
		}
		testPath.input.SetValue(c.TestPath)
		caseSensitive.on = c.CaseSensitiveHeaders
		fillOAuth2(f, c.Auth.OAuth2)
		fillMore(f, *c)
	}
	suggestAWS(f)
	cf.startVal, _ = cf.connection()
	return cf
}

func (c *connForm) Init() tea.Cmd { return nil }

func (c *connForm) Title() string {
	if c.editing {
		return "Edit connection '" + c.orig.Name + "'"
	}
	return "New connection"
}

func (c *connForm) SetSize(w, h int) {
	c.width, c.height = w, h
	c.form.SetWidth(min(w-4, 110))
}

func (c *connForm) Capturing() bool { return c.confirm || c.form.capturing() }

func (c *connForm) Keys() []key.Binding {
	k := c.env.keys
	if c.confirm {
		return []key.Binding{withHelp(k.Yes, "y", "discard"), withHelp(k.No, "n", "keep editing")}
	}
	return []key.Binding{k.Save, k.NextField, k.PrevField, k.Reveal, withHelp(k.Back, "esc", "cancel")}
}

// connection builds the connection the form describes. A timeout that is not
// a duration is reported as a field error.
func (c *connForm) connection() (connection.Connection, connection.FieldErrors) {
	f := c.form
	var errs connection.FieldErrors
	conn := c.orig
	conn.Name = strings.TrimSpace(f.field("name").value())
	conn.BaseURL = strings.TrimSpace(f.field("base_url").value())
	typ := connection.AuthType(f.field("auth").value())
	a := connection.Auth{Type: typ}
	switch typ {
	case connection.AuthBasic, connection.AuthCustom, connection.AuthNTLM:
		a.Username = f.field("username").value()
		a.Password = f.field("password").value()
	}
	if typ == connection.AuthNTLM {
		a.Domain = strings.TrimSpace(f.field("domain").value())
		for _, k := range []struct {
			key string
			n   *int
		}{{"conns_per_host", &a.ConnsPerHost}, {"max_conns", &a.MaxConns}} {
			n, fe := readCount(f, k.key)
			if fe != nil {
				errs = append(errs, *fe)
			}
			*k.n = n
		}
	}
	if typ.IsAWS() {
		a.AWS = readAWS(f, typ)
	}
	if typ == connection.AuthHeader || typ == connection.AuthCustom {
		a.Headers, _ = f.field("header").pairs()
	}
	if typ == connection.AuthQuery || typ == connection.AuthCustom {
		a.Query, _ = f.field("query").pairs()
	}
	if isOAuth2(typ) {
		o, oerrs := readOAuth2(f, typ)
		a.OAuth2 = o
		errs = append(errs, oerrs...)
	}
	if typ == connection.AuthAPIKey {
		a.Key = f.field("key").value()
		a.KeyHeader = strings.TrimSpace(f.field("key_header").value())
		a.Scheme = connection.APIKeyScheme(f.field("scheme").value())
	}
	conn.Auth = a
	conn.Timeout = 0
	if t := strings.TrimSpace(f.field("timeout").value()); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d < 0 {
			errs = append(errs, connection.FieldError{Field: "timeout", Msg: "use a duration like 30s, 1m or 500ms"})
		}
		conn.Timeout = d
	}
	conn.TestPath = strings.TrimSpace(f.field("test_path").value())
	conn.CaseSensitiveHeaders = f.field("case_sensitive_headers").on
	conn.TLS = readTLS(f)
	return conn, errs
}

func (c *connForm) dirty() bool {
	now, _ := c.connection()
	return !reflect.DeepEqual(now, c.startVal)
}

func (c *connForm) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case connSavedMsg:
		return c, c.handleSaved(msg)
	case tea.KeyMsg:
		return c, c.handleKey(msg)
	}
	_, cmd := c.form.Update(msg)
	return c, cmd
}

func (c *connForm) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := c.env.keys
	if c.confirm {
		switch {
		case key.Matches(msg, k.Yes):
			return pop("")
		case key.Matches(msg, k.No):
			c.confirm = false
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Save):
		return c.save()
	case key.Matches(msg, k.Back):
		if c.dirty() {
			c.confirm = true
			return nil
		}
		return pop("")
	}
	_, cmd := c.form.Update(msg)
	suggestAWS(c.form)
	return cmd
}

func (c *connForm) save() tea.Cmd {
	if c.saving {
		return nil
	}
	conn, errs := c.connection()
	errs = append(errs, conn.Validate()...)
	c.form.setErrors(errs)
	if len(errs) > 0 {
		c.form.focusKey(errs[0].Field)
		return errStatus("Fix the %s marked below; nothing was saved.", plural(len(errs), "field"))
	}
	c.saving = true
	st := c.env.st
	editing := c.editing
	return func() tea.Msg {
		var err error
		if editing {
			err = st.UpdateConnection(conn)
		} else {
			err = st.CreateConnection(&conn)
		}
		return connSavedMsg{conn: conn, err: err}
	}
}

func (c *connForm) handleSaved(msg connSavedMsg) tea.Cmd {
	c.saving = false
	if msg.err != nil {
		if errors.Is(msg.err, store.ErrDuplicateName) {
			c.form.setErrors(connection.FieldErrors{{Field: "name", Msg: msg.err.Error()}})
			c.form.focusKey("name")
			return errStatus("That name is taken; nothing was saved.")
		}
		return errStatus("Could not save: %v", msg.err)
	}
	return pop(fmt.Sprintf("Saved connection '%s'. Press t to test it, enter to build an action.", msg.conn.Name))
}

func (c *connForm) View() string {
	st := c.env.styles
	body := c.form.View()
	if line := callbackLine(c.form); line != "" {
		body += "\n\n" + st.Faint.Render(ansi.Wrap(line, max(c.width-2, 20), " "))
	}
	if c.confirm {
		body = st.Confirm.Render("  Discard your changes to this connection? y/n") + "\n\n" + body
	}
	return scrollTo(body, c.height, focusLine(body))
}

// focusLine finds the line of the focus marker, to keep it in view.
func focusLine(body string) int {
	for i, l := range strings.Split(body, "\n") {
		if strings.Contains(l, "› ") {
			return i
		}
	}
	return 0
}

// scrollTo shows height lines of s, starting early enough that line is visible.
func scrollTo(s string, height, line int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= height || height <= 0 {
		return s
	}
	first := 0
	if line >= height-2 {
		first = min(line-height+3, len(lines)-height)
	}
	return strings.Join(lines[first:first+height], "\n")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
