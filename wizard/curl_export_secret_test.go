package wizard

import (
	"strings"
	"testing"

	"patchbay/connection"
)

// A secret written into a URL's query string — the action's or the base
// URL's — is exported as a placeholder, as a query row's is (found in
// review: it was written as typed).
func TestExportHidesSecretsWrittenIntoTheURL(t *testing.T) {
	conn := connection.Connection{Name: "api", BaseURL: "https://api.example.com/v1/?key=base-secret-9999"}
	a := Action{Name: "x", Method: "GET", URL: "/things?api_key=sk_live_abcdef123&page=2"}
	for _, ex := range []Export{CurlCommand(conn, a, ExportOptions{}), HTTPieCommand(conn, a, ExportOptions{})} {
		if strings.Contains(ex.Command, "sk_live_abcdef123") || strings.Contains(ex.Command, "base-secret-9999") {
			t.Errorf("a secret in a URL's query was exported:\n%s", ex.Command)
		}
		if !strings.Contains(ex.Command, "$PATCHBAY_API_KEY") || !strings.Contains(ex.Command, "page=2") {
			t.Errorf("the query lost its placeholder or its other values:\n%s", ex.Command)
		}
	}
	with := CurlCommand(conn, a, ExportOptions{WithSecrets: true})
	if !strings.Contains(with.Command, "api_key=sk_live_abcdef123") {
		t.Errorf("--with-secrets did not write the secret:\n%s", with.Command)
	}
}
