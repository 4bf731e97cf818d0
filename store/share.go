package store

// Sharing connections and actions through files (`patchbay export` and
// `patchbay import`). An Export is the database's connections and actions
// with nothing that belongs to this database alone: no ids (actions name
// their connection), no timestamps, no run history, no OAuth2 tokens, and no
// secret — every value the store would seal is left out, and an env:NAME
// reference, which is not a secret, is kept. share_format.go writes and
// reads it as JSON; share_import.go brings one into a database.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

// Export is a shareable copy of connections and actions, each sorted by
// name.
type Export struct {
	// Connections have no ID and their secrets left out (env: references
	// kept).
	Connections []connection.Connection
	Actions     []SharedAction
	// LeftOut says in words what Store.Export left out of each record
	// ("connection 'Jira': its password"), for telling the user; it is not
	// written to the file.
	LeftOut []string
}

// SharedAction is an action in an Export: no ID, connection id or
// timestamps, its secret values left out; Connection names its connection.
type SharedAction struct {
	Connection string
	Action     wizard.Action
}

// Export returns every connection and action, ready to share: secrets,
// ids, timestamps and tokens left out, samples redacted again of every
// secret the export knows of. It reads one consistent view of the database.
func (s *Store) Export() (Export, error) {
	var x Export
	err := s.db.View(func(tx *bolt.Tx) error {
		conns, err := loadAll(tx, s.box, connections)
		if err != nil {
			return err
		}
		acts, err := loadAll(tx, s.box, actions)
		if err != nil {
			return err
		}
		byID := make(map[uint64]connection.Connection, len(conns))
		for _, c := range conns {
			byID[c.ID] = c
		}
		for _, c := range conns {
			shared, left := shareConnection(c)
			x.Connections = append(x.Connections, shared)
			x.LeftOut = append(x.LeftOut, left...)
		}
		for _, a := range acts {
			conn, ok := byID[a.ConnectionID]
			if !ok {
				return fmt.Errorf("action '%s' uses connection %d, which does not exist", a.Name, a.ConnectionID)
			}
			token, err := loadToken(tx, s.box, conn.ID)
			if err != nil {
				return err
			}
			shared, left := shareAction(a, conn, token)
			x.Actions = append(x.Actions, SharedAction{Connection: conn.Name, Action: shared})
			x.LeftOut = append(x.LeftOut, left...)
		}
		return nil
	})
	if err != nil {
		return Export{}, err
	}
	return x, nil
}

// loadAll loads every record of c in tx, sorted by name, secrets opened.
func loadAll[T any](tx *bolt.Tx, box *secretBox, c collection[T]) ([]T, error) {
	entries, err := c.entries(tx)
	if err != nil {
		return nil, err
	}
	list := make([]T, 0, len(entries))
	for _, e := range entries {
		v, err := c.load(tx, box, e.ID)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, nil
}

// loadToken is LoadToken within tx.
func loadToken(tx *bolt.Tx, box *secretBox, id uint64) (connection.Token, error) {
	var t connection.Token
	v := tx.Bucket(bucketTokens).Get(itob(id))
	if v == nil {
		return t, nil
	}
	sealed := string(v)
	if err := box.open([]*string{&sealed}); err != nil {
		return t, fmt.Errorf("the token of connection %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(sealed), &t); err != nil {
		return t, fmt.Errorf("the token of connection %d is damaged: %w", id, err)
	}
	return t, nil
}

// shareConnection is c without its id and secrets, and what was left out.
// A TLS key given as a file's path is kept: the file holds the secret, and
// the path stays on this machine.
func shareConnection(c connection.Connection) (connection.Connection, []string) {
	c = c.Clone()
	c.ID, c.Tokens = 0, nil
	labels := secretLabels(&c)
	var left []string
	for _, p := range c.SecretFields() {
		if !isSecret(*p) || p == &c.TLS.Key && !connection.IsPEM(*p) {
			continue
		}
		*p = ""
		left = append(left, fmt.Sprintf("connection '%s': %s", c.Name, labelOr(labels, p)))
	}
	if o := c.Auth.OAuth2; o != nil {
		// Not secret fields of the connection, so stored as typed; an
		// Authorization among them is a credential all the same.
		left = append(left, blankSecretRows(o.TokenHeaders, "connection '"+c.Name+"': token request header")...)
		left = append(left, blankSecretRows(o.AuthorizeParams, "connection '"+c.Name+"': authorize parameter")...)
	}
	return c, left
}

// secretLabels names the secret fields of c by their address, in the words
// an import report uses; a field added later gets labelOr's fallback.
func secretLabels(c *connection.Connection) map[*string]string {
	a := &c.Auth
	labels := map[*string]string{&a.Password: "password", &a.Key: "API key", &c.TLS.Key: "TLS private key"}
	for i := range a.Headers {
		labels[&a.Headers[i].Value] = "value of header " + a.Headers[i].Key
	}
	for i := range a.Query {
		labels[&a.Query[i].Value] = "value of query parameter " + a.Query[i].Key
	}
	if a.OAuth2 != nil {
		labels[&a.OAuth2.ClientSecret] = "client secret"
	}
	if a.AWS != nil {
		labels[&a.AWS.SecretAccessKey] = "AWS secret access key"
		labels[&a.AWS.SessionToken] = "AWS session token"
	}
	return labels
}

func labelOr(labels map[*string]string, p *string) string {
	if l, ok := labels[p]; ok {
		return l
	}
	return "a secret field"
}

// blankSecretRows empties, in place, the values of rows whose names say
// they carry a credential (not variables nor env: references), and names
// each as what plus the row's name.
func blankSecretRows(rows []connection.KV, what string) []string {
	var left []string
	for i := range rows {
		if secretRow(rows[i]) && isSecret(rows[i].Value) {
			rows[i].Value = ""
			left = append(left, what+" "+rows[i].Key)
		}
	}
	return left
}

// shareAction is a without its ids, timestamps and secret values, its
// sample and examples redacted of every secret of conn (token included) and
// of a's own; it returns what was left out.
func shareAction(a wizard.Action, conn connection.Connection, token connection.Token) (wizard.Action, []string) {
	// Collected before anything is blanked: these are what a sample may echo.
	var extra []string
	for _, p := range actionSecrets(&a) {
		if isSecret(*p) {
			extra = append(extra, *p)
		}
	}
	extra = append(extra, token.AccessToken, token.RefreshToken)

	a.Query, a.Headers, a.Form = cloneRows(a.Query), cloneRows(a.Headers), cloneRows(a.Form)
	a.Parts = append([]wizard.Part(nil), a.Parts...)
	a.Vars = append([]wizard.Variable(nil), a.Vars...)
	a.Inputs, a.Outputs = append([]wizard.Field(nil), a.Inputs...), append([]wizard.Field(nil), a.Outputs...)
	a.ID, a.ConnectionID = 0, 0
	a.CreatedAt, a.UpdatedAt = time.Time{}, time.Time{}

	who := "action '" + a.Name + "':"
	var left []string
	left = append(left, blankSecretRows(a.Query, who+" value of query parameter")...)
	left = append(left, blankSecretRows(a.Headers, who+" value of header")...)
	left = append(left, blankSecretRows(a.Form, who+" value of form field")...)
	for i := range a.Parts {
		if secretPart(a.Parts[i]) && isSecret(a.Parts[i].Value) {
			a.Parts[i].Value = ""
			left = append(left, who+" value of form part "+a.Parts[i].Name)
		}
	}
	var urlLeft []string
	a.URL, urlLeft = blankURLSecrets(a.URL)
	for _, name := range urlLeft {
		left = append(left, who+" value of query parameter "+name+" in the URL")
	}
	for i, v := range a.Vars {
		if !a.SecretVariable(v.Name) {
			continue
		}
		if v.Default != nil && isSecret(*v.Default) {
			extra = append(extra, *v.Default)
			a.Vars[i].Default = nil
			left = append(left, who+" default of variable "+v.Name)
		}
		if v.Sample != "" {
			extra = append(extra, v.Sample)
			a.Vars[i].Sample = ""
		}
	}

	redact := func(s string) string {
		if s == "" {
			return s
		}
		return string(conn.RedactEchoes(connection.Response{Body: []byte(s)}, extra...).Body)
	}
	for i := range a.Inputs {
		if connection.IsSecretName(a.Inputs[i].Path) && a.Inputs[i].Source != "body" {
			a.Inputs[i].Example = ""
		}
		a.Inputs[i].Example = redact(a.Inputs[i].Example)
	}
	for i := range a.Outputs {
		a.Outputs[i].Example = redact(a.Outputs[i].Example)
	}
	if a.Sample != nil {
		sample := conn.RedactEchoes(*a.Sample, extra...)
		sample.Headers = maskSecretHeaders(sample.Headers)
		sample.Request.Headers = maskSecretHeaders(sample.Request.Headers)
		a.Sample = &sample
	}
	return a, left
}

func cloneRows(rows []connection.KV) []connection.KV {
	if rows == nil {
		return nil
	}
	return append([]connection.KV(nil), rows...)
}

// maskSecretHeaders replaces the values of credential headers (a token an
// API hands out in X-Auth-Token, a session in Set-Cookie) with
// connection.Redacted, in a copy. CORS headers only look like credentials
// (Access-Control-Allow-Credentials: true) and are kept.
func maskSecretHeaders(in []connection.KV) []connection.KV {
	if in == nil {
		return nil
	}
	out := make([]connection.KV, len(in))
	for i, h := range in {
		out[i] = h
		name := strings.ToLower(strings.TrimSpace(h.Key))
		secret := connection.IsSecretName(name) && !strings.HasPrefix(name, "access-control-") || name == "set-cookie"
		if h.Value != "" && secret {
			out[i].Value = connection.Redacted
		}
	}
	return out
}

// blankURLSecrets empties the values of credential parameters written in
// the query string of an action's URL ("/x?api_key=..."), which the store
// keeps as typed, and returns their names. Variables and env: references
// stay.
func blankURLSecrets(u string) (string, []string) {
	path, query, ok := strings.Cut(u, "?")
	if !ok {
		return u, nil
	}
	query, fragment, hasFragment := strings.Cut(query, "#")
	params := strings.Split(query, "&")
	var names []string
	for i, p := range params {
		k, v, _ := strings.Cut(p, "=")
		name := k
		if un, err := url.QueryUnescape(k); err == nil {
			name = un
		}
		value := v
		if un, err := url.QueryUnescape(v); err == nil {
			value = un
		}
		if secretRow(connection.KV{Key: name, Value: value}) && isSecret(value) {
			params[i] = k + "="
			names = append(names, name)
		}
	}
	if names == nil {
		return u, nil
	}
	out := path + "?" + strings.Join(params, "&")
	if hasFragment {
		out += "#" + fragment
	}
	return out, names
}
