package store

// The secrets of an imported record: which ones it still needs (for the
// import's report), and which a replaced record hands on to its replacement.

import (
	"net/url"
	"strings"

	"patchbay/connection"
	"patchbay/wizard"
)

// missingConnectionSecrets names the secrets c's auth type uses that are
// empty: what the user has to fill in after an import.
func missingConnectionSecrets(c connection.Connection) []string {
	a := c.Auth
	var out []string
	add := func(empty bool, what string) {
		if empty {
			out = append(out, what)
		}
	}
	rows := func(kvs []connection.KV, what string) {
		for _, kv := range kvs {
			add(strings.TrimSpace(kv.Key) != "" && kv.Value == "", what+" "+kv.Key)
		}
	}
	switch a.Type {
	case connection.AuthBasic, connection.AuthNTLM:
		add(a.Password == "", "password")
	case connection.AuthCustom:
		add(a.Username != "" && a.Password == "", "password")
		rows(a.Headers, "value of header")
		rows(a.Query, "value of query parameter")
	case connection.AuthHeader:
		rows(a.Headers, "value of header")
	case connection.AuthQuery:
		rows(a.Query, "value of query parameter")
	case connection.AuthAPIKey:
		add(a.Key == "", "API key")
	case connection.AuthOAuth2Client, connection.AuthAzureClient:
		add(a.OAuth2 == nil || a.OAuth2.ClientSecret == "", "client secret")
	case connection.AuthOAuth2Code, connection.AuthAzureCode:
		// A public client with PKCE has none.
		add(a.OAuth2 == nil || a.OAuth2.ClientSecret == "", "client secret (if the provider gave one)")
	case connection.AuthAWSKey:
		add(a.AWS == nil || a.AWS.SecretAccessKey == "", "AWS secret access key")
	}
	add(strings.TrimSpace(c.TLS.Cert) != "" && c.TLS.Key == "", "TLS private key")
	return out
}

// missingActionSecrets names a's credential rows that have no value (and
// no variable): the export left them out.
func missingActionSecrets(a wizard.Action) []string {
	var out []string
	rows := func(kvs []connection.KV, what string) {
		for _, kv := range kvs {
			if secretRow(kv) && kv.Value == "" {
				out = append(out, what+" "+kv.Key)
			}
		}
	}
	rows(urlQueryRows(a.URL), "value of query parameter")
	rows(a.Query, "value of query parameter")
	rows(a.Headers, "value of header")
	rows(a.Form, "value of form field")
	for _, p := range a.Parts {
		if secretPart(p) && p.Value == "" {
			out = append(out, "value of form part "+p.Name)
		}
	}
	return out
}

// urlQueryRows is the query string of an action's URL as rows.
func urlQueryRows(u string) []connection.KV {
	_, query, ok := strings.Cut(u, "?")
	if !ok {
		return nil
	}
	query, _, _ = strings.Cut(query, "#")
	return wizard.SplitQuery(query)
}

// keepConnectionSecrets gives c, which replaces old, old's value for each
// secret c has empty, when both have the same fields: the same auth type
// with the same header and query rows, so that every secret is where it
// was, and the same destination (sameDestination). Re-importing a
// teammate's newer export then keeps the password already filled in; a
// file that points the connection elsewhere gets no secret of it.
func keepConnectionSecrets(c *connection.Connection, old connection.Connection) {
	same := sameDestination(*c, old) && c.Auth.Type == old.Auth.Type &&
		sameKeys(c.Auth.Headers, old.Auth.Headers) && sameKeys(c.Auth.Query, old.Auth.Query) &&
		(c.Auth.OAuth2 == nil) == (old.Auth.OAuth2 == nil) && (c.Auth.AWS == nil) == (old.Auth.AWS == nil)
	if !same {
		return
	}
	*c = c.Clone()
	fields, was := c.SecretFields(), old.SecretFields()
	if len(fields) != len(was) {
		return
	}
	for i, p := range fields {
		if *p != "" {
			continue
		}
		if p == &c.TLS.Key && strings.TrimSpace(c.TLS.Cert) == "" {
			continue // no certificate now: a key alone is no setting
		}
		*p = *was[i]
	}
}

// sameDestination reports whether c sends its credentials where old sent
// them: the same origin for the API, the same OAuth2 endpoints, the same
// AWS STS endpoint and region, and the same trust (CA bundle, TLS
// checks). An imported file that changes any of these must not carry the
// stored secrets, nor the stored token, to the new place.
func sameDestination(c, old connection.Connection) bool {
	if origin(c.BaseURL) != origin(old.BaseURL) || c.TLS.CA != old.TLS.CA || c.TLS.Insecure != old.TLS.Insecure {
		return false
	}
	if (c.Auth.OAuth2 == nil) != (old.Auth.OAuth2 == nil) || (c.Auth.AWS == nil) != (old.Auth.AWS == nil) {
		return false
	}
	if c.Auth.OAuth2 != nil {
		a, b := c.EffectiveOAuth2(), old.EffectiveOAuth2()
		if a.AuthorizeURL != b.AuthorizeURL || a.TokenURL != b.TokenURL || a.RefreshURL != b.RefreshURL || a.DeviceURL != b.DeviceURL {
			return false
		}
	}
	if c.Auth.AWS != nil && (c.Auth.AWS.STSEndpoint != old.Auth.AWS.STSEndpoint || c.Auth.AWS.Region != old.Auth.AWS.Region) {
		return false
	}
	return true
}

// origin is a URL's scheme and host, lower-cased, with its port; "" for
// one that does not parse.
func origin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

func sameKeys(a, b []connection.KV) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key {
			return false
		}
	}
	return true
}

// keepActionSecrets gives a, which replaces old, old's value for each
// credential row a has empty at the same place under the same name, and
// old's default for each secret variable a has none for.
func keepActionSecrets(a *wizard.Action, old wizard.Action) {
	rows := func(kvs, was []connection.KV) []connection.KV {
		kvs = cloneRows(kvs)
		for i := range kvs {
			if i < len(was) && kvs[i].Key == was[i].Key && kvs[i].Value == "" && secretRow(kvs[i]) {
				kvs[i].Value = was[i].Value
			}
		}
		return kvs
	}
	a.Query, a.Headers, a.Form = rows(a.Query, old.Query), rows(a.Headers, old.Headers), rows(a.Form, old.Form)
	a.Parts = append([]wizard.Part(nil), a.Parts...)
	for i := range a.Parts {
		p := &a.Parts[i]
		if i < len(old.Parts) && p.Name == old.Parts[i].Name && p.Value == "" && secretPart(*p) && secretPart(old.Parts[i]) {
			p.Value = old.Parts[i].Value
		}
	}
	if a.URL != old.URL && blankedURL(old.URL) == a.URL {
		a.URL = old.URL
	}
	a.Vars = append([]wizard.Variable(nil), a.Vars...)
	for i := range a.Vars {
		v := &a.Vars[i]
		if v.Default != nil || !a.SecretVariable(v.Name) {
			continue
		}
		for _, w := range old.Vars {
			if w.Name == v.Name && w.Default != nil {
				d := *w.Default
				v.Default = &d
			}
		}
	}
}

// blankedURL is u as an export writes it.
func blankedURL(u string) string {
	out, _ := blankURLSecrets(u)
	return out
}
