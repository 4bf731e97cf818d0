package ui

import (
	"strconv"
	"strings"

	"patchbay/connection"
)

// formTitle is the auth type's name in the form's choice row, where the
// long OAuth2 titles would not fit beside the others.
func formTitle(t connection.AuthType) string {
	switch t {
	case connection.AuthOAuth2Code:
		return "OAuth2 code"
	case connection.AuthOAuth2Client:
		return "OAuth2 client"
	}
	return t.Title()
}

func isOAuth2(t connection.AuthType) bool {
	return t == connection.AuthOAuth2Code || t == connection.AuthOAuth2Client
}

// oauth2Fields are the form fields of the OAuth2 auth types; shown tells
// whether the chosen type is one of them, code whether it is the code flow.
func oauth2Fields(shown, code func() bool) []*field {
	authorize := textField("authorize_url", "Authorize URL", "https://login.example.com/oauth2/authorize")
	authorize.show = code
	authorize.hint = "Paste the whole authorize URL from the docs: its extra parameters are kept."
	token := textField("token_url", "Token URL", "https://login.example.com/oauth2/token")
	token.show = shown
	refresh := textField("refresh_url", "Refresh URL", "(the token URL)")
	refresh.show = code
	clientID := textField("client_id", "Client ID", "")
	clientID.show = shown
	secret := secretField("client_secret", "Client secret")
	secret.show = shown
	secret.hint = "Masked; ctrl+r reveals. env:NAME reads it from the environment at send time."
	scopes := textField("scopes", "Scopes", "space separated, e.g. read:users offline_access")
	scopes.show = shown
	tokenAuth := choiceField("token_auth", "Send client credentials",
		[]string{string(connection.TokenAuthBody), string(connection.TokenAuthHeader)},
		[]string{"in the request body", "as a Basic header"})
	tokenAuth.show = shown
	tokenHeaders := kvField("token_header", "Token request headers", "Header-Name", false)
	tokenHeaders.show = shown
	port := textField("callback_port", "Callback port", "any free port")
	port.show = code
	port.hint = "The callback is http://127.0.0.1:PORT/callback — register it with the provider; fix the port if it needs an exact URL."
	return []*field{authorize, token, refresh, clientID, secret, scopes, tokenAuth, tokenHeaders, port}
}

// readOAuth2 builds the OAuth2 block from the form. A callback port that is
// not a number is a field error.
func readOAuth2(f *form) (*connection.OAuth2, connection.FieldErrors) {
	var errs connection.FieldErrors
	o := &connection.OAuth2{
		AuthorizeURL: strings.TrimSpace(f.field("authorize_url").value()),
		TokenURL:     strings.TrimSpace(f.field("token_url").value()),
		RefreshURL:   strings.TrimSpace(f.field("refresh_url").value()),
		ClientID:     strings.TrimSpace(f.field("client_id").value()),
		ClientSecret: f.field("client_secret").value(),
		Scopes:       strings.Join(strings.Fields(f.field("scopes").value()), " "),
		TokenAuth:    connection.TokenAuth(f.field("token_auth").value()),
	}
	o.TokenHeaders, _ = f.field("token_header").pairs()
	if p := strings.TrimSpace(f.field("callback_port").value()); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			errs = append(errs, connection.FieldError{Field: "callback_port", Msg: "a port number from 1 to 65535, or empty for any free port"})
		}
		o.CallbackPort = n
	}
	return o, errs
}

// fillOAuth2 puts a saved OAuth2 block into the form.
func fillOAuth2(f *form, o *connection.OAuth2) {
	if o == nil {
		return
	}
	f.field("authorize_url").input.SetValue(o.AuthorizeURL)
	f.field("token_url").input.SetValue(o.TokenURL)
	f.field("refresh_url").input.SetValue(o.RefreshURL)
	f.field("client_id").input.SetValue(o.ClientID)
	f.field("client_secret").input.SetValue(o.ClientSecret)
	f.field("scopes").input.SetValue(o.Scopes)
	ta := f.field("token_auth")
	for i, v := range ta.choices {
		if v == string(o.TokenAuth) {
			ta.choice = i
		}
	}
	f.setRows(f.field("token_header"), o.TokenHeaders)
	if o.CallbackPort != 0 {
		f.field("callback_port").input.SetValue(strconv.Itoa(o.CallbackPort))
	}
}
