package connection

import (
	"context"
	"net/http"
)

// AWS auth types: every request is signed with AWS Signature Version 4.
const (
	AuthAWSKey  AuthType = "aws-key"  // an access key id and secret (and optional session token)
	AuthAWSRole AuthType = "aws-role" // a role assumed with STS AssumeRole
)

// IsAWS reports whether t signs requests with AWS Signature Version 4.
func (t AuthType) IsAWS() bool { return t == AuthAWSKey || t == AuthAWSRole }

// AWS holds the settings of the AWS auth types. SecretAccessKey and
// SessionToken are secrets (sealed at rest, redacted everywhere).
//
// Service and Region may be left empty when the base URL is an
// *.amazonaws.com URL that names them (SuggestAWS).
type AWS struct {
	Service string `json:"service,omitempty"` // signing name: iam, s3, execute-api, ...
	Region  string `json:"region,omitempty"`  // us-east-1, ...

	// aws-key.
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
	SessionToken    string `json:"session_token,omitempty"`

	// aws-role: the role is assumed with credentials from the standard AWS
	// chain (environment, shared config and credentials files), using
	// Profile when it is set.
	RoleARN     string `json:"role_arn,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
	Profile     string `json:"profile,omitempty"`
	STSEndpoint string `json:"sts_endpoint,omitempty"` // empty: the SDK's regional STS endpoint
}

// awsSigner signs the requests of one Send.
type awsSigner struct{}

// awsSigner returns what signs conn's requests: for aws-role it first
// gets (or reuses) temporary credentials from STS. ctx bounds that.
func (c Connection) awsSigner(ctx context.Context) (*awsSigner, error) {
	return nil, invalid("AWS signing is not built yet")
}

// sign signs r, a request of its own, in place.
func (s *awsSigner) sign(r *http.Request) error {
	return invalid("AWS signing is not built yet")
}

// validateAWS checks the AWS block of an aws-key or aws-role connection.
func (c Connection) validateAWS() FieldErrors { return nil }

// SuggestAWS returns the signing service and region an *.amazonaws.com base
// URL names ("https://iam.amazonaws.com" → iam, us-east-1), or "" for what
// it cannot tell.
func SuggestAWS(baseURL string) (service, region string) { return "", "" }

// forgetAWS drops the cached role credentials of the connection with id.
func forgetAWS(id uint64) {}
