package ui

import (
	"strconv"
	"strings"

	"patchbay/connection"
)

// formTitle is the auth type's name in the form's choice row, shorter than
// its title where the row is crowded.
func formTitle(t connection.AuthType) string {
	switch t {
	case connection.AuthOAuth2Code:
		return "OAuth2 code"
	case connection.AuthOAuth2Client:
		return "OAuth2 client"
	case connection.AuthAzureCode:
		return "Azure code"
	case connection.AuthAzureClient:
		return "Azure client"
	case connection.AuthAWSKey:
		return "AWS key"
	case connection.AuthAWSRole:
		return "AWS role"
	}
	return t.Title()
}

func isOAuth2(t connection.AuthType) bool { return t.IsOAuth2() }

// oauth2Fields are the form fields of the OAuth2 and Azure auth types; typ
// tells which type is chosen now.
func oauth2Fields(typ func() connection.AuthType) []*field {
	when := func(ok func(connection.AuthType) bool) func() bool { return func() bool { return ok(typ()) } }
	oauth := when(connection.AuthType.IsOAuth2)
	code := when(connection.AuthType.IsAuthorizationCode)
	azure := when(connection.AuthType.IsAzure)
	plainCode := func() bool { return typ() == connection.AuthOAuth2Code }

	tenant := textField("tenant", "Tenant", "common, or the directory (tenant) ID")
	tenant.show = azure
	tenant.hint = "Client credentials need the tenant ID; common lets any work or personal account log in."
	version := choiceField("azure_version", "Endpoint version", []string{"2.0", "1.0"}, []string{"2.0", "1.0"})
	version.show = azure
	authority := textField("authority_host", "Authority host", connection.DefaultAzureAuthority)
	authority.show = azure
	authority.hint = "Change it only for a sovereign cloud (e.g. https://login.microsoftonline.us)."
	resource := textField("resource", "Resource (1.0)", "(the base URL's scheme and host)")
	resource.show = func() bool { return azure() && version.value() == "1.0" }
	authorize := textField("authorize_url", "Authorize URL", "https://login.example.com/oauth2/authorize")
	authorize.show = code
	authorize.hint = "Paste the whole authorize URL from the docs: its extra parameters are kept. Azure derives it from the tenant."
	token := textField("token_url", "Token URL", "https://login.example.com/oauth2/token")
	token.show = oauth
	refresh := textField("refresh_url", "Refresh URL", "(the token URL)")
	refresh.show = code
	device := textField("device_url", "Device login URL", "(none)")
	device.show = plainCode
	device.hint = "The device authorization endpoint (RFC 8628), for logging in from another device over SSH."
	clientID := textField("client_id", "Client ID", "")
	clientID.show = oauth
	secret := secretField("client_secret", "Client secret")
	secret.show = oauth
	secret.hint = "Masked; ctrl+r reveals. env:NAME reads it from the environment at send time."
	scopes := textField("scopes", "Scopes", "space separated, e.g. read:users offline_access")
	scopes.show = oauth
	tokenAuth := choiceField("token_auth", "Send client credentials",
		[]string{string(connection.TokenAuthBody), string(connection.TokenAuthHeader)},
		[]string{"in the request body", "as a Basic header"})
	tokenAuth.show = oauth
	tokenHeaders := kvField("token_header", "Token request headers", "Header-Name", false)
	tokenHeaders.show = oauth
	port := textField("callback_port", "Callback port", "any free port")
	port.show = code
	port.hint = "The callback is http://127.0.0.1:PORT/callback — register it with the provider; fix the port if it needs an exact URL."
	return []*field{tenant, version, authority, resource, authorize, token, refresh, device,
		clientID, secret, scopes, tokenAuth, tokenHeaders, port}
}

// callbackLine tells the user of a code-flow type which redirect URI to
// register with the provider; "" for other types.
func callbackLine(f *form) string {
	if !connection.AuthType(f.field("auth").value()).IsAuthorizationCode() {
		return ""
	}
	port := strings.TrimSpace(f.field("callback_port").value())
	if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65536 {
		return "  Redirect URI to register with the provider: http://127.0.0.1:" + port + connection.CallbackPath
	}
	return "  Redirect URI: http://127.0.0.1:<free port>" + connection.CallbackPath +
		" (set a callback port if the provider wants an exact one)"
}

// readOAuth2 builds the OAuth2 block of typ from the form; fields of other
// types are left out. A callback port that is not a number is a field error.
func readOAuth2(f *form, typ connection.AuthType) (*connection.OAuth2, connection.FieldErrors) {
	var errs connection.FieldErrors
	text := func(key string) string { return strings.TrimSpace(f.field(key).value()) }
	o := &connection.OAuth2{
		TokenURL:     text("token_url"),
		ClientID:     text("client_id"),
		ClientSecret: f.field("client_secret").value(),
		Scopes:       strings.Join(strings.Fields(f.field("scopes").value()), " "),
		TokenAuth:    connection.TokenAuth(f.field("token_auth").value()),
	}
	o.TokenHeaders, _ = f.field("token_header").pairs()
	if typ.IsAuthorizationCode() {
		o.AuthorizeURL, o.RefreshURL = text("authorize_url"), text("refresh_url")
		if p := text("callback_port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				errs = append(errs, connection.FieldError{Field: "callback_port", Msg: "a port number from 1 to 65535, or empty for any free port"})
			}
			o.CallbackPort = n
		}
	}
	if typ == connection.AuthOAuth2Code {
		o.DeviceURL = text("device_url")
	}
	if typ.IsAzure() {
		o.Tenant, o.AuthorityHost = text("tenant"), text("authority_host")
		if v := f.field("azure_version").value(); v != "2.0" {
			o.AzureVersion = v
			o.Resource = text("resource")
		}
	}
	return o, errs
}

// fillOAuth2 puts a saved OAuth2 block into the form.
func fillOAuth2(f *form, o *connection.OAuth2) {
	if o == nil {
		return
	}
	for key, v := range map[string]string{
		"authorize_url": o.AuthorizeURL, "token_url": o.TokenURL, "refresh_url": o.RefreshURL,
		"device_url": o.DeviceURL, "client_id": o.ClientID, "client_secret": o.ClientSecret,
		"scopes": o.Scopes, "tenant": o.Tenant, "authority_host": o.AuthorityHost, "resource": o.Resource,
	} {
		f.field(key).input.SetValue(v)
	}
	choose(f.field("token_auth"), string(o.TokenAuth))
	choose(f.field("azure_version"), o.AzureVersion)
	f.setRows(f.field("token_header"), o.TokenHeaders)
	if o.CallbackPort != 0 {
		f.field("callback_port").input.SetValue(strconv.Itoa(o.CallbackPort))
	}
}

// choose selects the choice with value v, if there is one.
func choose(fl *field, v string) {
	for i, c := range fl.choices {
		if c == v {
			fl.choice = i
		}
	}
}
