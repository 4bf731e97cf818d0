package connection

import "testing"

func TestIsSecretName(t *testing.T) {
	for _, name := range []string{
		"Authorization", "proxy-authorization", "Cookie", "Cookie2", " X-Api-Key ", "x-apikey", "api_key",
		"access_token", "X-Auth-Token", "X-Amz-Security-Token", "client_secret", "password", "passwd",
		"x-custom-auth", "oauth_verifier", "sessionid", "X-Signature", "credentials", "key", "access_key",
	} {
		if !IsSecretName(name) {
			t.Errorf("IsSecretName(%q) = false, want true", name)
		}
	}
	for _, name := range []string{"Accept", "Content-Type", "Referer", "X-Trace", "page", "q", "author", "X-Authority", "monkey", ""} {
		if IsSecretName(name) {
			t.Errorf("IsSecretName(%q) = true, want false", name)
		}
	}
}

func TestHeaderValue(t *testing.T) {
	kvs := []KV{{"Accept", "a"}, {" content-type ", "text/plain"}, {"Content-Type", "second"}}
	if v, ok := HeaderValue(kvs, "Content-Type"); !ok || v != "text/plain" {
		t.Errorf("HeaderValue(Content-Type) = %q, %v; want the first row, whatever its case and spaces", v, ok)
	}
	if v, ok := HeaderValue(kvs, "X-Missing"); ok || v != "" {
		t.Errorf("HeaderValue(X-Missing) = %q, %v", v, ok)
	}
}
