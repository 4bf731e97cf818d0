package connection

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
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

// awsNow is the clock requests are signed with and role credentials are
// judged fresh by; tests fix it.
var awsNow = time.Now

// awsRefreshWindow is how long before they expire role credentials are
// replaced, so that a request signed with them does not arrive after it.
const awsRefreshWindow = 5 * time.Minute

// awsEmptyPayloadHash is the SHA-256 of no body.
const awsEmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// awsSigner signs the requests of one Send.
type awsSigner struct {
	creds   aws.Credentials
	service string
	region  string
	signer  *v4.Signer
}

// awsBlock is the connection's AWS block; a missing block is an empty one.
func (c Connection) awsBlock() AWS {
	if c.Auth.AWS == nil {
		return AWS{}
	}
	return *c.Auth.AWS
}

// awsScope is the signing service and region requests are signed for: the
// fields when they are set, else what SuggestAWS reads from the base URL.
func (c Connection) awsScope() (service, region string) {
	a := c.awsBlock()
	service, region = strings.TrimSpace(a.Service), strings.TrimSpace(a.Region)
	if service == "" || region == "" {
		s, r := SuggestAWS(c.BaseURL)
		if service == "" {
			service = s
		}
		if region == "" {
			region = r
		}
	}
	return service, region
}

// awsSigner returns what signs conn's requests: for aws-role it first
// gets (or reuses) temporary credentials from STS. ctx bounds that.
func (c Connection) awsSigner(ctx context.Context) (*awsSigner, error) {
	service, region := c.awsScope()
	if service == "" || region == "" {
		return nil, invalid("connection '%s' needs an AWS service and region to sign its requests: its base URL does not name them", c.Name)
	}
	a := c.awsBlock()
	var creds aws.Credentials
	switch c.Auth.Type {
	case AuthAWSKey:
		creds = aws.Credentials{
			AccessKeyID:     strings.TrimSpace(a.AccessKeyID),
			SecretAccessKey: a.SecretAccessKey,
			SessionToken:    a.SessionToken,
			Source:          "patchbay",
		}
	case AuthAWSRole:
		var err error
		if creds, err = c.roleCredentials(ctx, a, region); err != nil {
			return nil, err
		}
	default:
		return nil, invalid("connection '%s' does not use AWS auth", c.Name)
	}
	return &awsSigner{creds: creds, service: service, region: region, signer: v4.NewSigner()}, nil
}

// isAWSS3 reports whether service is S3 or one of its variants, which want
// the payload hash in X-Amz-Content-Sha256 and the path escaped only once.
func isAWSS3(service string) bool {
	switch service {
	case "s3", "s3-object-lambda", "s3-outposts", "s3express":
		return true
	}
	return false
}

// sign signs r, a request of its own, in place. Every header r carries is
// signed (but User-Agent and the others the v4 signer leaves out), so it
// must come last.
func (s *awsSigner) sign(r *http.Request) error {
	hash, err := awsPayloadHash(r)
	if err != nil {
		return err
	}
	// S3 requires the payload hash in a header; other services get it
	// when the request names the header (Glacier wants it too), always
	// with the real hash.
	s3 := isAWSS3(s.service)
	contentHash := s3 || hasHeader(r.Header, "X-Amz-Content-Sha256")
	// What an earlier hop or the user put there would be signed twice or
	// contradict the new signature.
	for _, name := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
		deleteHeader(r.Header, name)
	}
	if contentHash {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	return s.signer.SignHTTP(r.Context(), s.creds, r, hash, s.service, s.region, awsNow(), func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = s3
	})
}

// awsPayloadHash is the hex SHA-256 of r's body. The body is read from a
// fresh copy (GetBody), so that r.Body still goes out whole; a body that
// cannot be had again is read into memory once and put back.
func awsPayloadHash(r *http.Request) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return awsEmptyPayloadHash, nil
	}
	h := sha256.New()
	if r.GetBody != nil {
		body, err := r.GetBody()
		if err != nil {
			return "", fmt.Errorf("reading the request body to sign it: %w", err)
		}
		defer body.Close()
		if _, err := io.Copy(h, body); err != nil {
			return "", fmt.Errorf("reading the request body to sign it: %w", err)
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	data, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return "", fmt.Errorf("reading the request body to sign it: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	r.ContentLength = int64(len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Role credentials are kept in memory per connection id, with what they
// were assumed for, until awsRefreshWindow before they expire.

// awsRoleKey is what a connection's role credentials were assumed for: a
// connection edited to another role, external id, profile, endpoint or
// region gets new ones.
type awsRoleKey struct {
	role, externalID, profile, endpoint, region, session string
}

// awsRoleEntry holds one connection's role credentials. turn holds a token
// while someone checks or renews them, so that concurrent Sends assume the
// role once and wait for it (or for their own context) rather than each
// calling STS; creds is only touched while holding it.
type awsRoleEntry struct {
	key   awsRoleKey
	turn  chan struct{}
	creds aws.Credentials
}

var awsRoles struct {
	sync.Mutex
	byID map[uint64]*awsRoleEntry
}

// awsRoleEntryFor returns the entry of connection id for key, replacing
// one kept for another key.
func awsRoleEntryFor(id uint64, key awsRoleKey) *awsRoleEntry {
	awsRoles.Lock()
	defer awsRoles.Unlock()
	if e := awsRoles.byID[id]; e != nil && e.key == key {
		return e
	}
	if awsRoles.byID == nil {
		awsRoles.byID = map[uint64]*awsRoleEntry{}
	}
	e := &awsRoleEntry{key: key, turn: make(chan struct{}, 1)}
	awsRoles.byID[id] = e
	return e
}

// forgetAWS drops the cached role credentials of the connection with id.
func forgetAWS(id uint64) {
	awsRoles.Lock()
	defer awsRoles.Unlock()
	delete(awsRoles.byID, id)
}

// awsFresh reports whether creds may still sign a request at now.
func awsFresh(creds aws.Credentials, now time.Time) bool {
	if creds.AccessKeyID == "" {
		return false
	}
	return !creds.CanExpire || now.Before(creds.Expires.Add(-awsRefreshWindow))
}

// roleCredentials returns temporary credentials of the connection's role:
// the kept ones while they are fresh, else new ones from STS.
func (c Connection) roleCredentials(ctx context.Context, a AWS, region string) (aws.Credentials, error) {
	key := awsRoleKey{
		role:       strings.TrimSpace(a.RoleARN),
		externalID: strings.TrimSpace(a.ExternalID),
		profile:    strings.TrimSpace(a.Profile),
		endpoint:   strings.TrimSpace(a.STSEndpoint),
		region:     region,
		session:    c.awsSessionName(),
	}
	e := awsRoleEntryFor(c.ID, key)
	select {
	case e.turn <- struct{}{}:
	case <-ctx.Done():
		return aws.Credentials{}, describe(c.redactor(), ctx.Err(), ctx, ctx, c.timeoutOrDefault(), awsSTSURL(key))
	}
	defer func() { <-e.turn }()
	if awsFresh(e.creds, awsNow()) {
		return e.creds, nil
	}
	creds, err := c.assumeRole(ctx, key)
	if err != nil {
		return aws.Credentials{}, err
	}
	e.creds = creds
	return creds, nil
}

// awsSessionName names the role session after the connection, as CloudTrail
// shows it: "patchbay-" and the name in the characters STS allows, or the
// connection's id when the name has none of them.
func (c Connection) awsSessionName() string {
	var b strings.Builder
	b.WriteString("patchbay-")
	dash := true
	for _, r := range c.Name {
		ok := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("+=,.@_-", r)
		switch {
		case ok:
			b.WriteRune(r)
			dash = r == '-'
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimRight(b.String(), "-")
	if name == "patchbay" {
		name = "patchbay-" + strconv.FormatUint(c.ID, 10)
	}
	return name[:min(len(name), 64)]
}

// awsSTSURL is where AssumeRole goes, for error messages: the endpoint set,
// else the regional endpoint the SDK uses.
func awsSTSURL(key awsRoleKey) *url.URL {
	if key.endpoint != "" {
		if u, err := url.Parse(key.endpoint); err == nil && u.Host != "" {
			return u
		}
	}
	host := "sts." + key.region + ".amazonaws.com"
	if strings.HasPrefix(key.region, "cn-") {
		host += ".cn"
	}
	return &url.URL{Scheme: "https", Host: host}
}

// assumeRole asks STS for temporary credentials of the role in key, signed
// with credentials from the standard AWS chain.
func (c Connection) assumeRole(ctx context.Context, key awsRoleKey) (aws.Credentials, error) {
	redact := c.redactor()
	opts := []func(*config.LoadOptions) error{config.WithRegion(key.region)}
	if key.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(key.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var missing config.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return aws.Credentials{}, &Error{Kind: KindInvalid, Err: err, Reason: fmt.Sprintf(
				"AWS profile %q is not in ~/.aws/config or ~/.aws/credentials (aws_profile of connection '%s')", key.profile, c.Name)}
		}
		return aws.Credentials{}, &Error{Kind: KindInvalid, Err: err, Reason: fmt.Sprintf(
			"the AWS configuration could not be read: %s", redact.outside(err.Error()))}
	}
	if err := c.checkSourceCredentials(ctx, cfg, key); err != nil {
		return aws.Credentials{}, err
	}

	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.HTTPClient = &http.Client{
			Transport: baseTransport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // STS does not redirect; a 3xx is an error
			},
		}
		// A person is waiting: say what went wrong now rather than retry.
		o.RetryMaxAttempts = 1
		if key.endpoint != "" {
			o.BaseEndpoint = aws.String(key.endpoint)
		}
	})
	in := &sts.AssumeRoleInput{RoleArn: aws.String(key.role), RoleSessionName: aws.String(key.session)}
	if key.externalID != "" {
		in.ExternalId = aws.String(key.externalID)
	}
	out, err := client.AssumeRole(ctx, in)
	if err != nil {
		return aws.Credentials{}, c.stsError(ctx, err, key)
	}
	got := out.Credentials
	if got == nil || aws.ToString(got.AccessKeyId) == "" || aws.ToString(got.SecretAccessKey) == "" {
		return aws.Credentials{}, &Error{Kind: KindProtocol, Reason: fmt.Sprintf(
			"AWS STS at %s answered AssumeRole for role %s without credentials", redact.outside(awsSTSURL(key).Host), key.role)}
	}
	creds := aws.Credentials{
		AccessKeyID:     aws.ToString(got.AccessKeyId),
		SecretAccessKey: aws.ToString(got.SecretAccessKey),
		SessionToken:    aws.ToString(got.SessionToken),
		Source:          "patchbay AssumeRole",
	}
	if got.Expiration != nil {
		creds.CanExpire, creds.Expires = true, *got.Expiration
	}
	RememberSecrets(creds.SecretAccessKey, creds.SessionToken)
	return creds, nil
}

// checkSourceCredentials makes sure the chain has credentials to call STS
// with, so that their absence gets its own words.
func (c Connection) checkSourceCredentials(ctx context.Context, cfg aws.Config, key awsRoleKey) error {
	var err error
	if cfg.Credentials == nil {
		err = errors.New("no credential provider")
	} else {
		_, err = cfg.Credentials.Retrieve(ctx)
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return describe(c.redactor(), ctx.Err(), ctx, ctx, c.timeoutOrDefault(), awsSTSURL(key))
	}
	if key.profile != "" {
		return &Error{Kind: KindInvalid, Err: err, Reason: fmt.Sprintf(
			"no AWS credentials to assume role %s with: profile %q has none that can be used (check it in ~/.aws/config and ~/.aws/credentials)", key.role, key.profile)}
	}
	return &Error{Kind: KindInvalid, Err: err, Reason: fmt.Sprintf(
		"no AWS credentials to assume role %s with: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/config (aws_profile)", key.role)}
}

// stsError turns a failed AssumeRole into an *Error: what AWS said, in
// words, or why STS could not be reached.
func (c Connection) stsError(ctx context.Context, err error, key awsRoleKey) *Error {
	redact := c.redactor()
	u := awsSTSURL(key)
	if ctx.Err() != nil {
		return describe(redact, err, ctx, ctx, c.timeoutOrDefault(), u)
	}
	// Status 0: no response came back; describe says why.
	status := 0
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) && respErr.Response != nil && respErr.Response.Response != nil {
		status = respErr.Response.StatusCode
	}
	notSTS := func() *Error {
		return &Error{Kind: KindProtocol, Err: err, Reason: fmt.Sprintf(
			"AWS STS at %s answered AssumeRole with HTTP %d and nothing patchbay understands (is sts_endpoint right?)", redact.outside(u.Host), status)}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code, msg := redact.outside(apiErr.ErrorCode()), redact.outside(apiErr.ErrorMessage())
		fail := func(format string, args ...any) *Error {
			return &Error{Kind: KindInvalid, Err: err, Reason: fmt.Sprintf(format, args...)}
		}
		switch code {
		case "UnknownError": // the SDK's word for an error body it could not read
			if status != 0 {
				return notSTS()
			}
		case "AccessDenied":
			return fail("role %s refused to be assumed — AWS says: %s (check the role's trust policy and the external id)", key.role, msg)
		case "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken",
			"UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException":
			return fail("AWS rejected the credentials used to assume role %s (%s): %s", key.role, code, msg)
		case "RegionDisabledException":
			return fail("AWS STS is not activated in region %s for this account, so role %s cannot be assumed there: %s", key.region, key.role, msg)
		}
		return fail("AWS STS could not assume role %s (%s): %s", key.role, code, msg)
	}
	var decodeErr *smithy.DeserializationError
	if status != 0 || errors.As(err, &decodeErr) {
		return notSTS()
	}
	e := describe(redact, err, ctx, ctx, c.timeoutOrDefault(), u)
	e.Reason = fmt.Sprintf("could not assume role %s: %s", key.role, e.Reason)
	return e
}

// Validation.

var (
	awsRoleARN    = regexp.MustCompile(`^arn:aws[-a-z]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)
	awsRegionName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	awsService    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	awsAccessKey  = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	awsExternalID = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// validateAWS checks the AWS block of an aws-key or aws-role connection; a
// missing block is an empty one. Field keys: aws_service, aws_region,
// access_key_id, secret_access_key, session_token, role_arn, external_id,
// aws_profile, sts_endpoint. Secret fields may hold env: references, which
// are read at send time (their names are checked by validateEnvRefs).
func (c Connection) validateAWS() FieldErrors {
	a := c.awsBlock()
	var errs FieldErrors
	add := func(field, msg string) { errs = append(errs, FieldError{field, msg}) }
	suggestService, suggestRegion := SuggestAWS(c.BaseURL)

	switch service := strings.TrimSpace(a.Service); {
	case service == "" && suggestService == "":
		add("aws_service", "AWS service is required: the signing name, such as execute-api, s3 or iam (the base URL does not name it)")
	case service != "" && !awsService.MatchString(service):
		add("aws_service", "AWS service must be a signing name such as execute-api, s3 or iam: letters, digits, '.', '-' and '_'")
	}
	switch region := strings.TrimSpace(a.Region); {
	case region == "" && suggestRegion == "":
		add("aws_region", "AWS region is required, such as us-east-1 (the base URL does not name it)")
	case region != "" && !awsRegionName.MatchString(region):
		add("aws_region", "AWS region must look like us-east-1: lowercase letters, digits and '-'")
	}

	// secret checks a secret field, which may be an env: reference.
	secret := func(field, what, value string, required bool) {
		if _, isEnv := EnvRef(value); isEnv {
			return
		}
		switch {
		case value == "" && required:
			add(field, what+" is required")
		case !validHeaderValue(value):
			add(field, what+" may not contain line breaks or control characters")
		case strings.TrimSpace(value) != value:
			add(field, what+" may not start or end with spaces")
		}
	}

	switch c.Auth.Type {
	case AuthAWSKey:
		switch id := strings.TrimSpace(a.AccessKeyID); {
		case id == "":
			add("access_key_id", "access key ID is required")
		case !awsAccessKey.MatchString(id):
			add("access_key_id", "access key ID may only contain letters and digits, as in AKIAIOSFODNN7EXAMPLE")
		}
		secret("secret_access_key", "secret access key", a.SecretAccessKey, true)
		secret("session_token", "session token", a.SessionToken, false)
	case AuthAWSRole:
		switch role := strings.TrimSpace(a.RoleARN); {
		case role == "":
			add("role_arn", "role ARN is required, as in arn:aws:iam::123456789012:role/NAME")
		case !awsRoleARN.MatchString(role):
			add("role_arn", "role ARN must look like arn:aws:iam::123456789012:role/NAME (a 12-digit account id, then role/ and the role's path and name)")
		}
		if ext := strings.TrimSpace(a.ExternalID); ext != "" && (len(ext) < 2 || len(ext) > 1224 || !awsExternalID.MatchString(ext)) {
			add("external_id", "external ID must be 2 to 1224 letters, digits or + = , . @ : / - _")
		}
		if !validHeaderValue(a.Profile) || strings.ContainsAny(strings.TrimSpace(a.Profile), " \t[]") {
			add("aws_profile", "AWS profile must be the name of a profile in ~/.aws/config, without spaces or brackets")
		}
		if ep := strings.TrimSpace(a.STSEndpoint); ep != "" {
			if !isAbsoluteURL(ep) {
				add("sts_endpoint", "STS endpoint must start with http:// or https://")
			} else if _, err := parseHTTPURL(ep); err != nil {
				if strings.HasPrefix(err.Error(), "it ") {
					add("sts_endpoint", "STS endpoint "+strings.TrimPrefix(err.Error(), "it "))
				} else {
					add("sts_endpoint", "STS endpoint is not valid: "+err.Error())
				}
			}
		}
	}
	return errs
}

// SuggestAWS returns the signing service and region an *.amazonaws.com base
// URL names ("https://iam.amazonaws.com" → iam, us-east-1), or "" for what
// it cannot tell.
//
// It reads the usual endpoint shapes: SERVICE.REGION.amazonaws.com (with
// anything before it: a bucket, an API id), the legacy s3-REGION, the
// dualstack and FIPS variants, HOST.REGION.SERVICE.amazonaws.com
// (OpenSearch domains), the global services (iam, sts, route53, cloudfront,
// s3) and the China (.amazonaws.com.cn) and GovCloud partitions.
func SuggestAWS(baseURL string) (service, region string) {
	base := strings.TrimSpace(baseURL)
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	var rest string
	china := false
	switch {
	case strings.HasSuffix(host, ".amazonaws.com"):
		rest = strings.TrimSuffix(host, ".amazonaws.com")
	case strings.HasSuffix(host, ".amazonaws.com.cn"):
		rest, china = strings.TrimSuffix(host, ".amazonaws.com.cn"), true
	default:
		return "", ""
	}
	labels := strings.Split(rest, ".")

	// From the right, so that a bucket or API id that looks like a
	// region does not count.
	for i := len(labels) - 1; i >= 0; i-- {
		label := labels[i]
		if s3Region, ok := strings.CutPrefix(label, "s3-"); ok && isAWSRegion(s3Region) {
			return "s3", s3Region // legacy s3-eu-west-1
		}
		if !isAWSRegion(label) {
			continue
		}
		if i+1 < len(labels) && labels[i+1] != "vpce" {
			return awsSigningName(labels[i+1]), label // search-x.us-east-1.es
		}
		for j := i - 1; j >= 0; j-- {
			if labels[j] != "dualstack" && labels[j] != "fips" {
				return awsSigningName(labels[j]), label
			}
		}
		return "", ""
	}

	last := labels[len(labels)-1]
	if last == "us-gov" && len(labels) > 1 {
		return awsSigningName(labels[len(labels)-2]), "us-gov-west-1" // iam.us-gov.amazonaws.com
	}
	if last == "s3-external-1" {
		return "s3", "us-east-1"
	}
	global := map[string][2]string{ // service: region, China region
		"iam":        {"us-east-1", "cn-north-1"},
		"sts":        {"us-east-1", "cn-north-1"},
		"route53":    {"us-east-1", "cn-northwest-1"},
		"cloudfront": {"us-east-1", "cn-northwest-1"},
		"s3":         {"us-east-1", "cn-north-1"},
	}
	if r, ok := global[last]; ok {
		if china {
			return last, r[1]
		}
		return last, r[0]
	}
	return "", ""
}

// awsRegionLabel matches the regions of every partition: us-east-1,
// ap-southeast-2, us-gov-west-1, cn-north-1, us-isob-east-1.
var awsRegionLabel = regexp.MustCompile(`^(us|eu|ap|sa|ca|cn|me|af|il|mx)(-[a-z]+)+-[0-9]+$`)

func isAWSRegion(label string) bool { return awsRegionLabel.MatchString(label) }

// awsSigningName is the signing name of the service an endpoint label
// names, where they differ.
func awsSigningName(label string) string {
	label = strings.TrimSuffix(label, "-fips")
	switch label {
	case "s3-accesspoint", "s3-control":
		return "s3"
	case "email":
		return "ses"
	case "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime":
		return "bedrock"
	}
	return label
}
