package wizard

// The connection's credentials in an exported command.

import (
	"fmt"

	"patchbay/connection"
)

// namedValue is a header, query parameter or form field as written.
type namedValue struct {
	name  string
	value shellText
}

// auth is what the connection's auth adds to the command.
type auth struct {
	user    *[2]shellText // -u: user and password
	ntlm    bool
	sigV4   string // aws:amz:REGION:SERVICE
	headers []namedValue
	query   []namedValue
}

// auth writes the connection's credentials.
func (e *exporter) auth() auth {
	c := e.conn
	a := c.Auth
	var out auth
	conn := fmt.Sprintf(" of connection '%s'", c.Name)
	basic := func(user string) {
		out.user = &[2]shellText{lit(user), e.secretValue(a.Password, "password", "the password"+conn)}
	}
	headers := func() {
		for _, h := range a.Headers {
			if h.Key != "" {
				out.headers = append(out.headers, namedValue{h.Key, e.secretValue(h.Value, h.Key, "the value of header "+h.Key+conn)})
			}
		}
	}
	query := func() {
		for _, q := range a.Query {
			if q.Key != "" {
				out.query = append(out.query, namedValue{q.Key, e.secretValue(q.Value, q.Key, "the value of query parameter "+q.Key+conn)})
			}
		}
	}
	switch a.Type {
	case connection.AuthBasic:
		basic(a.Username)
	case connection.AuthNTLM:
		user := a.Username
		if a.Domain != "" {
			user = a.Domain + `\` + a.Username
		}
		basic(user)
		out.ntlm = true
	case connection.AuthHeader:
		headers()
	case connection.AuthQuery:
		query()
	case connection.AuthCustom:
		if a.Username != "" {
			basic(a.Username)
		}
		headers()
		query()
	case connection.AuthAPIKey:
		prefix := map[connection.APIKeyScheme]string{connection.SchemeBearer: "Bearer ", connection.SchemeBasic: "Basic "}[a.SchemeOrDefault()]
		out.headers = append(out.headers, namedValue{a.KeyHeaderOrDefault(), join(lit(prefix), e.secretValue(a.Key, "api_key", "the API key"+conn))})
	case connection.AuthAWSKey, connection.AuthAWSRole:
		e.awsAuth(&out, conn)
	default:
		if a.Type.IsOAuth2() {
			token := e.envName("token", "an OAuth2 access token"+conn)
			out.headers = append(out.headers, namedValue{"Authorization", join(lit("Bearer "), envText(token))})
			e.note("the OAuth2 access token is not exported (patchbay fetches and renews it): set $%s to a current one", token)
		}
	}
	return out
}

func (e *exporter) awsAuth(out *auth, conn string) {
	aws := e.conn.Auth.AWS
	if aws == nil {
		return
	}
	out.sigV4 = "aws:amz:" + aws.Region + ":" + aws.Service
	if e.conn.Auth.Type == connection.AuthAWSRole {
		id := e.envName("aws_access_key_id", "the access key id of a session of role "+aws.RoleARN)
		key := e.envName("aws_secret_access_key", "the secret access key of that session")
		tok := e.envName("aws_session_token", "the session token of that session")
		out.user = &[2]shellText{envText(id), envText(key)}
		out.headers = append(out.headers, namedValue{"X-Amz-Security-Token", envText(tok)})
		e.note("connection '%s' assumes the role %s: set the three variables to the credentials of a session of it (aws sts assume-role)", e.conn.Name, aws.RoleARN)
		return
	}
	id := lit(aws.AccessKeyID)
	if name, ok := connection.EnvRef(aws.AccessKeyID); ok && connection.ValidEnvName(name) {
		id = envText(name)
	}
	out.user = &[2]shellText{id, e.secretValue(aws.SecretAccessKey, "aws_secret_access_key", "the AWS secret access key"+conn)}
	if aws.SessionToken != "" {
		out.headers = append(out.headers, namedValue{"X-Amz-Security-Token", e.secretValue(aws.SessionToken, "aws_session_token", "the AWS session token"+conn)})
	}
}
