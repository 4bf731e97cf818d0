package ui

import (
	"strconv"
	"strings"

	"patchbay/connection"
)

// The form fields of the AWS and NTLM auth types, and the TLS settings every
// connection has.

// awsFields are the fields of aws-key and aws-role; typ tells which type is
// chosen now, baseURL what the base URL field holds (service and region are
// suggested from it).
func awsFields(typ func() connection.AuthType) []*field {
	is := func(ok func(connection.AuthType) bool) func() bool { return func() bool { return ok(typ()) } }
	aws := is(connection.AuthType.IsAWS)
	key := func() bool { return typ() == connection.AuthAWSKey }
	role := func() bool { return typ() == connection.AuthAWSRole }

	service := textField("aws_service", "AWS service", "e.g. execute-api, s3, iam")
	service.show = aws
	service.hint = "The signing name. Left empty, it comes from an *.amazonaws.com base URL."
	region := textField("aws_region", "Region", "e.g. eu-west-1")
	region.show = aws
	keyID := textField("access_key_id", "Access key ID", "AKIA…")
	keyID.show = key
	secret := secretField("secret_access_key", "Secret access key")
	secret.show = key
	secret.hint = "Masked; ctrl+r reveals. env:NAME reads it from the environment at send time."
	session := secretField("session_token", "Session token")
	session.show = key
	session.hint = "Only for temporary credentials (ASIA… keys)."
	arn := textField("role_arn", "IAM role ARN", "arn:aws:iam::123456789012:role/NAME")
	arn.show = role
	arn.hint = "Assumed with STS using the credentials of your AWS environment or profile."
	external := textField("external_id", "External ID", "(none)")
	external.show = role
	external.hint = "The one the role's trust policy requires, if any."
	profile := textField("aws_profile", "AWS profile", "(environment, then default)")
	profile.show = role
	sts := textField("sts_endpoint", "STS endpoint", "(the region's)")
	sts.show = role
	return []*field{service, region, keyID, secret, session, arn, external, profile, sts}
}

// suggestAWS shows, as the placeholders of the service and region fields,
// what an *.amazonaws.com base URL says they are.
func suggestAWS(f *form) {
	service, region := connection.SuggestAWS(strings.TrimSpace(f.field("base_url").value()))
	set := func(key, suggested, fallback string) {
		in := &f.field(key).input
		if suggested != "" {
			in.Placeholder = suggested + " (from the base URL)"
		} else {
			in.Placeholder = fallback
		}
	}
	set("aws_service", service, "e.g. execute-api, s3, iam")
	set("aws_region", region, "e.g. eu-west-1")
}

// ntlmFields are the NTLM fields besides username and password.
func ntlmFields(typ func() connection.AuthType) []*field {
	ntlm := func() bool { return typ() == connection.AuthNTLM }
	domain := textField("domain", "Domain", "e.g. CORP (or user as CORP\\alice)")
	domain.show = ntlm
	perHost := textField("conns_per_host", "Connections per host", strconv.Itoa(connection.DefaultConnsPerHost))
	perHost.show = ntlm
	perHost.hint = "NTLM authenticates each connection once and keeps it open; these bound how many."
	maxConns := textField("max_conns", "Maximum connections", strconv.Itoa(connection.DefaultMaxConns))
	maxConns.show = ntlm
	return []*field{domain, perHost, maxConns}
}

// tlsFields are the TLS settings of every connection.
func tlsFields() []*field {
	cert := textField("tls_cert", "TLS client cert", "(none) path to a PEM file, or paste the PEM")
	cert.hint = "For mutual TLS, with its private key below."
	key := secretField("tls_key", "TLS client key")
	key.input.Placeholder = "(none) path to the unencrypted key, or paste it"
	key.maskIf = func(v string) bool { return connection.IsPEM(v) }
	key.hint = "A pasted key is masked (ctrl+r reveals); env:NAME reads it from the environment."
	ca := textField("tls_ca", "TLS CA bundle", "(the system's) path to a PEM file, or paste it")
	insecure := toggleField("tls_insecure", "Ignore TLS errors?")
	insecure.hint = "⚠ Anyone on the network can read and change this connection's traffic. Test servers only."
	return []*field{cert, key, ca, insecure}
}

// tlsBadge warns, after a connection's name, that its server's certificate
// is not verified.
func tlsBadge(c connection.Connection) string {
	if c.TLS.Insecure {
		return " ⚠ TLS unverified"
	}
	return ""
}

// readAWS builds the AWS block of typ from the form.
func readAWS(f *form, typ connection.AuthType) *connection.AWS {
	text := func(key string) string { return strings.TrimSpace(f.field(key).value()) }
	a := &connection.AWS{Service: strings.ToLower(text("aws_service")), Region: strings.ToLower(text("aws_region"))}
	if typ == connection.AuthAWSKey {
		a.AccessKeyID, a.SecretAccessKey, a.SessionToken = text("access_key_id"), text("secret_access_key"), text("session_token")
	} else {
		a.RoleARN, a.ExternalID, a.Profile, a.STSEndpoint = text("role_arn"), text("external_id"), text("aws_profile"), text("sts_endpoint")
	}
	return a
}

// readCount reads a positive number field; empty is 0 (the default).
func readCount(f *form, key string) (int, *connection.FieldError) {
	v := strings.TrimSpace(f.field(key).value())
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, &connection.FieldError{Field: key, Msg: "a positive number, or empty for the default"}
	}
	return n, nil
}

// readTLS reads the TLS settings.
func readTLS(f *form) connection.TLS {
	return connection.TLS{
		Cert:     strings.TrimSpace(f.field("tls_cert").value()),
		Key:      strings.TrimSpace(f.field("tls_key").value()),
		CA:       strings.TrimSpace(f.field("tls_ca").value()),
		Insecure: f.field("tls_insecure").on,
	}
}

// fillMore puts a saved connection's AWS, NTLM and TLS settings into the form.
func fillMore(f *form, c connection.Connection) {
	if a := c.Auth.AWS; a != nil {
		for key, v := range map[string]string{
			"aws_service": a.Service, "aws_region": a.Region, "access_key_id": a.AccessKeyID,
			"secret_access_key": a.SecretAccessKey, "session_token": a.SessionToken, "role_arn": a.RoleARN,
			"external_id": a.ExternalID, "aws_profile": a.Profile, "sts_endpoint": a.STSEndpoint,
		} {
			f.field(key).input.SetValue(v)
		}
	}
	f.field("domain").input.SetValue(c.Auth.Domain)
	if c.Auth.ConnsPerHost > 0 {
		f.field("conns_per_host").input.SetValue(strconv.Itoa(c.Auth.ConnsPerHost))
	}
	if c.Auth.MaxConns > 0 {
		f.field("max_conns").input.SetValue(strconv.Itoa(c.Auth.MaxConns))
	}
	f.field("tls_cert").input.SetValue(c.TLS.Cert)
	f.field("tls_key").input.SetValue(c.TLS.Key)
	f.field("tls_ca").input.SetValue(c.TLS.CA)
	f.field("tls_insecure").on = c.TLS.Insecure
	f.setReveal(f.reveal) // the key field masks only PEM
}
