package connection

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The example of the AWS documentation ("Create a signed AWS API request"):
// IAM ListUsers, signed at 20150830T123600Z.
const (
	awsExampleKey       = "AKIDEXAMPLE"
	awsExampleSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	awsExampleSignature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
	awsExampleAuth      = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + awsExampleSignature
	awsExampleCType     = "application/x-www-form-urlencoded; charset=utf-8"
)

// awsExampleTime is when the example was signed.
var awsExampleTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// awsClock is the signing clock of a test.
type awsClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *awsClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *awsClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// useAWSClock fixes awsNow at start for the rest of the test.
func useAWSClock(t *testing.T, start time.Time) *awsClock {
	t.Helper()
	c := &awsClock{now: start}
	old := awsNow
	awsNow = c.Now
	t.Cleanup(func() { awsNow = old })
	return c
}

// isolateAWS keeps the AWS SDK away from the machine's configuration for
// the rest of the test: empty config and credentials files of its own, no
// AWS_* variable that names credentials, a profile, a region or an
// endpoint, and no instance metadata service. It returns the credentials
// file.
func isolateAWS(t *testing.T) (credentialsFile string) {
	t.Helper()
	for _, name := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCOUNT_ID",
		"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
		"AWS_STS_REGIONAL_ENDPOINTS", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
		"AWS_CA_BUNDLE", "AWS_DEFAULTS_MODE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_SDK_LOAD_CONFIG",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	} {
		t.Setenv(name, "") // restored after the test
		os.Unsetenv(name)
	}
	dir := t.TempDir()
	configFile := filepath.Join(dir, "config")
	credentialsFile = filepath.Join(dir, "credentials")
	for _, f := range []string{configFile, credentialsFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentialsFile)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return credentialsFile
}

// forgetAWSAround drops the role credentials of id before and after the test.
func forgetAWSAround(t *testing.T, id uint64) {
	forgetAWS(id)
	t.Cleanup(func() { forgetAWS(id) })
}

// awsCaptureTransport answers 200 to every request and keeps the last one.
type awsCaptureTransport struct {
	mu   sync.Mutex
	last *http.Request
}

func (c *awsCaptureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.last = r.Clone(context.Background())
	c.mu.Unlock()
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: io.NopCloser(strings.NewReader("ok")), Request: r,
	}, nil
}

func (c *awsCaptureTransport) request() *http.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// awsTamperTransport changes each request after patchbay signed it, the way a
// man in the middle would, then sends it on.
type awsTamperTransport struct {
	change func(*http.Request)
	base   http.RoundTripper
}

func (t *awsTamperTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r.Clone(r.Context())
	t.change(out)
	return t.base.RoundTrip(out)
}

// A SigV4 verifier written from the specification ("Create a signed AWS
// API request", "Elements of an AWS API request signature"), as a server
// checks a request: it derives the canonical request from what arrived on
// the wire, never from the SDK.

type sigV4Key struct{ secret, token string }

type sigV4Verifier struct {
	service, region string

	mu   sync.Mutex
	keys map[string]sigV4Key // by access key id
}

func newSigV4Verifier(service, region string) *sigV4Verifier {
	return &sigV4Verifier{service: service, region: region, keys: map[string]sigV4Key{}}
}

// addKey lets accessKey sign; a token, when given, must come with it.
func (v *sigV4Verifier) addKey(accessKey, secret, token string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.keys[accessKey] = sigV4Key{secret, token}
}

func (v *sigV4Verifier) key(accessKey string) (sigV4Key, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	k, ok := v.keys[accessKey]
	return k, ok
}

// verify checks the signature of r, as a server received it, with body
// its body, and returns the access key that signed it.
func (v *sigV4Verifier) verify(r *http.Request, body []byte) (string, error) {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return "", fmt.Errorf("no AWS4-HMAC-SHA256 Authorization header: %q", r.Header.Get("Authorization"))
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(auth, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = val
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return "", fmt.Errorf("credential %q is not KEY/DATE/REGION/SERVICE/aws4_request", fields["Credential"])
	}
	accessKey, date, region, service := scope[0], scope[1], scope[2], scope[3]
	if region != v.region || service != v.service {
		return "", fmt.Errorf("signed for %s in %s, want %s in %s", service, region, v.service, v.region)
	}
	k, ok := v.key(accessKey)
	if !ok {
		return "", fmt.Errorf("unknown access key %q", accessKey)
	}
	if k.token != "" && r.Header.Get("X-Amz-Security-Token") != k.token {
		return "", fmt.Errorf("access key %s came without its session token", accessKey)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if _, err := time.Parse("20060102T150405Z", amzDate); err != nil || amzDate[:8] != date {
		return "", fmt.Errorf("X-Amz-Date %q does not match the credential date %s", amzDate, date)
	}

	signed := strings.Split(fields["SignedHeaders"], ";")
	if !slices.IsSorted(signed) || !slices.Contains(signed, "host") || !slices.Contains(signed, "x-amz-date") {
		return "", fmt.Errorf("SignedHeaders %q must be sorted and include host and x-amz-date", fields["SignedHeaders"])
	}
	for name := range r.Header {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-amz-") && !slices.Contains(signed, lower) {
			return "", fmt.Errorf("header %s is not signed", name)
		}
	}
	var canonHeaders strings.Builder
	for _, name := range signed {
		if name != strings.ToLower(name) {
			return "", fmt.Errorf("signed header %q is not lowercase", name)
		}
		values := r.Header.Values(name)
		switch {
		case name == "host":
			values = []string{r.Host}
		case name == "content-length" && len(values) == 0:
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		case len(values) == 0:
			return "", fmt.Errorf("signed header %s is missing", name)
		}
		for i, val := range values {
			values[i] = strings.Join(strings.Fields(val), " ")
		}
		canonHeaders.WriteString(name + ":" + strings.Join(values, ",") + "\n")
	}

	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" {
		if claimed != payload {
			return "", fmt.Errorf("X-Amz-Content-Sha256 %s is not the hash of the body (%s)", claimed, payload)
		}
	} else if service == "s3" {
		return "", errors.New("S3 requests need X-Amz-Content-Sha256")
	}

	rawPath, rawQuery, _ := strings.Cut(r.RequestURI, "?")
	var canonURI string
	if service == "s3" {
		decoded, err := url.PathUnescape(rawPath)
		if err != nil {
			return "", err
		}
		canonURI = awsURIEncode(decoded, false)
	} else {
		canonURI = awsURIEncode(rawPath, false) // the path as sent, encoded once more
	}
	if canonURI == "" {
		canonURI = "/"
	}
	var pairs []string
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, val, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(val)
		if err := errors.Join(err1, err2); err != nil {
			return "", err
		}
		pairs = append(pairs, awsURIEncode(dk, true)+"="+awsURIEncode(dv, true))
	}
	sort.Strings(pairs)

	canonical := strings.Join([]string{r.Method, canonURI, strings.Join(pairs, "&"), canonHeaders.String(), fields["SignedHeaders"], payload}, "\n")
	hashed := sha256.Sum256([]byte(canonical))
	credScope := strings.Join(scope[1:], "/")
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + credScope + "\n" + hex.EncodeToString(hashed[:])
	signingKey := awsHMAC([]byte("AWS4"+k.secret), date)
	for _, part := range []string{region, service, "aws4_request"} {
		signingKey = awsHMAC(signingKey, part)
	}
	want := hex.EncodeToString(awsHMAC(signingKey, toSign))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return "", fmt.Errorf("signature does not match; canonical request:\n%s", canonical)
	}
	return accessKey, nil
}

func awsHMAC(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// awsURIEncode escapes every byte but the unreserved characters
// (A-Z a-z 0-9 - _ . ~) as %XX, and '/' too when encodeSlash.
func awsURIEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		unreserved := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0
		if unreserved || c == '/' && !encodeSlash {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// sigV4Hit is a request a sigV4Server verified.
type sigV4Hit struct {
	method, path, accessKey, amzDate string
	body                             []byte
}

// sigV4Server is an API that accepts only requests its verifier accepts
// (403 otherwise, as AWS answers SignatureDoesNotMatch). /redirect-307
// and /redirect-302 redirect to /after-redirect on the same origin.
type sigV4Server struct {
	*httptest.Server
	verifier *sigV4Verifier

	mu       sync.Mutex
	hits     []sigV4Hit
	failures []string
}

func newSigV4Server(t *testing.T, v *sigV4Verifier) *sigV4Server {
	t.Helper()
	s := &sigV4Server{verifier: v}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *sigV4Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key, err := s.verifier.verify(r, body)
	s.mu.Lock()
	if err != nil {
		s.failures = append(s.failures, r.URL.Path+": "+err.Error())
	} else {
		s.hits = append(s.hits, sigV4Hit{r.Method, r.URL.Path, key, r.Header.Get("X-Amz-Date"), body})
	}
	s.mu.Unlock()
	if err != nil {
		http.Error(w, "SignatureDoesNotMatch: "+err.Error(), http.StatusForbidden)
		return
	}
	switch r.URL.Path {
	case "/redirect-307":
		http.Redirect(w, r, "/after-redirect", http.StatusTemporaryRedirect)
	case "/redirect-302":
		http.Redirect(w, r, "/after-redirect", http.StatusFound)
	default:
		w.Write([]byte("verified"))
	}
}

func (s *sigV4Server) verified() []sigV4Hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hits)
}

func (s *sigV4Server) rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.failures)
}

func (s *sigV4Server) lastHit(t *testing.T) sigV4Hit {
	t.Helper()
	hits := s.verified()
	if len(hits) == 0 {
		t.Fatalf("the server verified no request; it rejected %q", s.rejected())
	}
	return hits[len(hits)-1]
}

// awsSentHeader is the value of a header of the request as Send shows it.
func awsSentHeader(resp Response, name string) (string, bool) {
	return HeaderValue(resp.Request.Headers, name)
}

// TestSigV4PublishedExample: a request sent through Send carries exactly the
// Authorization header of the published AWS example, though Send adds
// User-Agent: patchbay (which the v4 signer leaves out).
func TestSigV4PublishedExample(t *testing.T) {
	capture := &awsCaptureTransport{}
	useTransport(t, capture)
	useAWSClock(t, awsExampleTime)
	conn := Connection{
		Name:    "IAM",
		BaseURL: "https://iam.amazonaws.com",
		Auth: Auth{Type: AuthAWSKey, AWS: &AWS{
			Service: "iam", Region: "us-east-1", AccessKeyID: awsExampleKey, SecretAccessKey: awsExampleSecret,
		}},
	}
	resp := mustSend(t, conn, Request{
		Method:  http.MethodGet,
		URL:     "/?Action=ListUsers&Version=2010-05-08",
		Headers: []KV{{Key: "Content-Type", Value: awsExampleCType}},
	})
	got := capture.request()
	if got == nil {
		t.Fatal("no request reached the transport")
	}
	if a := got.Header.Get("Authorization"); a != awsExampleAuth {
		t.Errorf("Authorization =\n%s\nwant\n%s", a, awsExampleAuth)
	}
	if d := got.Header.Get("X-Amz-Date"); d != "20150830T123600Z" {
		t.Errorf("X-Amz-Date = %q", d)
	}
	if ua := got.Header.Get("User-Agent"); ua != userAgent {
		t.Errorf("User-Agent = %q, want %q (the signature must hold with it)", ua, userAgent)
	}
	if got.URL.String() != "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08" {
		t.Errorf("URL = %s", got.URL)
	}
	if v, _ := awsSentHeader(resp, "Authorization"); v != Redacted {
		t.Errorf("Authorization as shown = %q, want it redacted", v)
	}
}

// TestSigV4VerifierKnownAnswer: the test's own verifier accepts the
// published example and refuses it with one header changed, so that the
// server tests below can trust it.
func TestSigV4VerifierKnownAnswer(t *testing.T) {
	v := newSigV4Verifier("iam", "us-east-1")
	v.addKey(awsExampleKey, awsExampleSecret, "")
	example := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/?Action=ListUsers&Version=2010-05-08", nil)
		r.Host = "iam.amazonaws.com"
		r.Header.Set("Content-Type", awsExampleCType)
		r.Header.Set("X-Amz-Date", "20150830T123600Z")
		r.Header.Set("Authorization", awsExampleAuth)
		return r
	}
	if _, err := v.verify(example(), nil); err != nil {
		t.Fatalf("the published example does not verify: %v", err)
	}
	r := example()
	r.Header.Set("Content-Type", "application/json")
	if _, err := v.verify(r, nil); err == nil {
		t.Error("the example with another Content-Type verifies")
	}
	if _, err := v.verify(example(), []byte("x")); err == nil {
		t.Error("the example with a body verifies")
	}
}

// TestSigV4ServerVerifies: a server that checks SigV4 by the specification
// accepts what patchbay signs: with and without a body, for S3 (with
// X-Amz-Content-Sha256), with a session token, with an escaped path and an
// unsorted query, with a secret from an env: reference, and again on each
// hop of a redirect within the origin.
func TestSigV4ServerVerifies(t *testing.T) {
	clock := useAWSClock(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	const (
		key    = "AKIAIOSFODNN7EXAMPLE"
		secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
		token  = "FwoGZXIvYXdzEXAMPLE//session+token="
	)
	jsonBody := []byte(`{"name":"widget","tags":["a","b"]}`)
	tests := []struct {
		name     string
		service  string
		token    string
		secret   string // default secret
		req      Request
		wantPath []string // the paths verified, in order

		contentHash bool // X-Amz-Content-Sha256 is sent (always for s3)
	}{
		{name: "GET without body", service: "execute-api",
			req: Request{Method: "GET", URL: "/prod/items?b=2&a=1"}, wantPath: []string{"/prod/items"}},
		{name: "POST with JSON body", service: "execute-api",
			req:      Request{Method: "POST", URL: "/prod/items", Headers: []KV{{Key: "Content-Type", Value: "application/json"}}, Body: jsonBody},
			wantPath: []string{"/prod/items"}},
		{name: "S3 PUT with body", service: "s3",
			req:      Request{Method: "PUT", URL: "/bucket/key name.txt", Headers: []KV{{Key: "Content-Type", Value: "text/plain"}}, Body: []byte("hello, S3")},
			wantPath: []string{"/bucket/key name.txt"}},
		{name: "S3 GET without body", service: "s3",
			req: Request{Method: "GET", URL: "/bucket?list-type=2&prefix=a b"}, wantPath: []string{"/bucket"}},
		{name: "session token", service: "execute-api", token: token,
			req: Request{Method: "DELETE", URL: "/prod/items/7"}, wantPath: []string{"/prod/items/7"}},
		{name: "escaped path and repeated spaces in a header", service: "execute-api",
			req:      Request{Method: "GET", URL: "/prod/a b/c%2Fd?q=x+y&z=", Headers: []KV{{Key: "X-Note", Value: "  two   spaces "}}},
			wantPath: []string{"/prod/a b/c/d"}},
		{name: "a typed X-Amz-Content-Sha256 gets the real hash", service: "execute-api", contentHash: true,
			req:      Request{Method: "PUT", URL: "/prod/items/1", Headers: []KV{{Key: "x-amz-content-sha256", Value: "UNSIGNED-PAYLOAD"}}, Body: jsonBody},
			wantPath: []string{"/prod/items/1"}},
		{name: "secret from env reference", service: "execute-api", secret: "env:PATCHBAY_TEST_AWS_SECRET",
			req: Request{Method: "GET", URL: "/prod/env"}, wantPath: []string{"/prod/env"}},
		{name: "307 redirect within the origin re-signs the POST", service: "execute-api",
			req:      Request{Method: "POST", URL: "/redirect-307", Headers: []KV{{Key: "Content-Type", Value: "application/json"}}, Body: jsonBody},
			wantPath: []string{"/redirect-307", "/after-redirect"}},
		{name: "302 redirect within the origin re-signs the GET", service: "execute-api",
			req: Request{Method: "GET", URL: "/redirect-302?x=1"}, wantPath: []string{"/redirect-302", "/after-redirect"}},
	}
	t.Setenv("PATCHBAY_TEST_AWS_SECRET", secret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newSigV4Verifier(tt.service, "eu-west-1")
			v.addKey(key, secret, tt.token)
			srv := newSigV4Server(t, v)
			s := secret
			if tt.secret != "" {
				s = tt.secret
			}
			conn := Connection{Name: "API", BaseURL: srv.URL, Auth: Auth{Type: AuthAWSKey, AWS: &AWS{
				Service: tt.service, Region: "eu-west-1", AccessKeyID: key, SecretAccessKey: s, SessionToken: tt.token,
			}}}
			resp := mustSend(t, conn, tt.req)
			if resp.Status != http.StatusOK {
				t.Fatalf("status %s: %s; the server rejected %q", resp.StatusText, resp.Body, srv.rejected())
			}
			hits := srv.verified()
			var paths []string
			for _, h := range hits {
				paths = append(paths, h.path)
				if h.amzDate != clock.Now().Format("20060102T150405Z") {
					t.Errorf("%s signed at %s, want the injected clock's %s", h.path, h.amzDate, clock.Now())
				}
				if len(tt.req.Body) > 0 && !bytes.Equal(h.body, tt.req.Body) {
					t.Errorf("%s received body %q", h.path, h.body)
				}
			}
			if !slices.Equal(paths, tt.wantPath) {
				t.Errorf("verified %q, want %q; rejected %q", paths, tt.wantPath, srv.rejected())
			}
			if tt.service == "s3" || tt.contentHash {
				sum := sha256.Sum256(tt.req.Body)
				if v, _ := awsSentHeader(resp, "X-Amz-Content-Sha256"); v != hex.EncodeToString(sum[:]) {
					t.Errorf("X-Amz-Content-Sha256 = %q, want the hash of the body", v)
				}
			} else if _, ok := awsSentHeader(resp, "X-Amz-Content-Sha256"); ok {
				t.Errorf("X-Amz-Content-Sha256 sent to %s", tt.service)
			}
		})
	}
}

// TestSigV4TamperedRejected: a request changed after patchbay signed it —
// a signed header, the body, the query — fails the server's check, and the
// caller sees the 403. Untampered, the same request passes.
func TestSigV4TamperedRejected(t *testing.T) {
	const key, secret = "AKIAIOSFODNN7EXAMPLE", "tamperSecretEXAMPLEKEY"
	body := []byte(`{"amount":100}`)
	tests := []struct {
		name    string
		service string
		change  func(*http.Request)
	}{
		{"nothing changed", "execute-api", func(*http.Request) {}},
		{"signed header changed", "execute-api", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }},
		{"body changed", "execute-api", func(r *http.Request) { awsSetBody(r, []byte(`{"amount":999}`)) }},
		{"S3 body changed", "s3", func(r *http.Request) { awsSetBody(r, []byte(`{"amount":999}`)) }},
		{"query changed", "execute-api", func(r *http.Request) { r.URL.RawQuery = "account=2" }},
		{"unsigned header added", "execute-api", func(r *http.Request) { r.Header.Set("X-Amz-Target", "Other.Action") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newSigV4Verifier(tt.service, "us-east-1")
			v.addKey(key, secret, "")
			srv := newSigV4Server(t, v)
			useTransport(t, &awsTamperTransport{change: tt.change, base: newBaseTransport()})
			conn := Connection{Name: "API", BaseURL: srv.URL, Auth: Auth{Type: AuthAWSKey, AWS: &AWS{
				Service: tt.service, Region: "us-east-1", AccessKeyID: key, SecretAccessKey: secret,
			}}}
			resp := mustSend(t, conn, Request{Method: "POST", URL: "/pay?account=1", Headers: []KV{{Key: "Content-Type", Value: "application/json"}}, Body: body})
			want := http.StatusForbidden
			if tt.name == "nothing changed" {
				want = http.StatusOK
			}
			if resp.Status != want {
				t.Fatalf("status %s (%s), want %d; rejected %q", resp.StatusText, resp.Body, want, srv.rejected())
			}
		})
	}
}

// awsSetBody replaces r's body with one of the same length.
func awsSetBody(r *http.Request, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	r.ContentLength = int64(len(b))
}

// TestSigV4HashesBodyFromGetBody: the payload hash is read from a fresh
// copy of the body, leaving the body that goes out unread.
func TestSigV4HashesBodyFromGetBody(t *testing.T) {
	useAWSClock(t, awsExampleTime)
	payload := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB
	r, err := http.NewRequest(http.MethodPut, "https://bucket.s3.eu-west-1.amazonaws.com/big", nil)
	if err != nil {
		t.Fatal(err)
	}
	untouched := &awsReadWatcher{}
	r.Body = untouched
	copies := 0
	r.GetBody = func() (io.ReadCloser, error) {
		copies++
		return io.NopCloser(strings.NewReader(payload)), nil
	}
	r.ContentLength = int64(len(payload))
	s := &awsSigner{creds: aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}, service: "s3", region: "eu-west-1", signer: v4.NewSigner()}
	if err := s.sign(r); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(payload))
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("X-Amz-Content-Sha256 = %s, want the hash of the body", got)
	}
	if untouched.read || copies != 1 {
		t.Errorf("body read: %t, copies taken: %d; want the body unread and one copy", untouched.read, copies)
	}
	if !strings.Contains(r.Header.Get("Authorization"), "x-amz-content-sha256") {
		t.Errorf("X-Amz-Content-Sha256 is not signed: %s", r.Header.Get("Authorization"))
	}

	// No body: the hash of nothing.
	r, _ = http.NewRequest(http.MethodGet, "https://bucket.s3.eu-west-1.amazonaws.com/", nil)
	if err := s.sign(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != awsEmptyPayloadHash {
		t.Errorf("X-Amz-Content-Sha256 of no body = %s", got)
	}
}

type awsReadWatcher struct{ read bool }

func (w *awsReadWatcher) Read([]byte) (int, error) { w.read = true; return 0, io.EOF }
func (w *awsReadWatcher) Close() error             { return nil }

// fakeSTS answers AssumeRole as AWS STS does (the query protocol's XML),
// after checking the request's SigV4 signature with the source
// credentials. Each role it grants gets new credentials, which it teaches
// to the API's verifier, valid for an hour of the test's clock.
type fakeSTS struct {
	*httptest.Server
	source *sigV4Verifier // signs AssumeRole
	api    *sigV4Verifier // accepts the credentials granted
	clock  *awsClock

	mu         sync.Mutex
	deny       string // when set, answer AccessDenied with this message
	hits       int
	roles      []string
	externals  []string
	sessions   []string
	sourceKeys []string
	failures   []string
}

const stsXMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

func newFakeSTS(t *testing.T, region string, api *sigV4Verifier, clock *awsClock) *fakeSTS {
	t.Helper()
	s := &fakeSTS{source: newSigV4Verifier("sts", region), api: api, clock: clock}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *fakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	key, err := s.source.verify(r, body)
	if err != nil {
		s.failures = append(s.failures, err.Error())
		stsErrorXML(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || r.Method != http.MethodPost || form.Get("Action") != "AssumeRole" || form.Get("Version") != "2011-06-15" {
		s.failures = append(s.failures, fmt.Sprintf("not an AssumeRole request: %s %s", r.Method, body))
		stsErrorXML(w, http.StatusBadRequest, "InvalidAction", "Could not find operation")
		return
	}
	s.sourceKeys = append(s.sourceKeys, key)
	s.roles = append(s.roles, form.Get("RoleArn"))
	s.externals = append(s.externals, form.Get("ExternalId"))
	s.sessions = append(s.sessions, form.Get("RoleSessionName"))
	if s.deny != "" {
		stsErrorXML(w, http.StatusForbidden, "AccessDenied", s.deny)
		return
	}
	s.hits++
	n := s.hits
	accessKey := fmt.Sprintf("ASIATEMPKEY%04d", n)
	secret := fmt.Sprintf("tempSecret%04d/wJalrXUtnFEMIK7MDENG", n)
	token := fmt.Sprintf("tempSessionToken%04d+IQoJb3JpZ2luX2VjEXAMPLE=", n)
	s.api.addKey(accessKey, secret, token)
	expires := s.clock.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z")
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="%s">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/%s</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:%s</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>%s</AccessKeyId>
      <SecretAccessKey>%s</SecretAccessKey>
      <SessionToken>%s</SessionToken>
      <Expiration>%s</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`, stsXMLNS, form.Get("RoleSessionName"), form.Get("RoleSessionName"), accessKey, secret, token, expires)
}

// stsErrorXML writes an error as the query protocol does.
func stsErrorXML(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	var escaped bytes.Buffer
	awsXMLEscape(&escaped, message)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s">
  <Error>
    <Type>Sender</Type>
    <Code>%s</Code>
    <Message>%s</Message>
  </Error>
  <RequestId>a9a1c4b6-52c8-4e4b-9e0c-6c1b9b4a0f7e</RequestId>
</ErrorResponse>
`, stsXMLNS, code, escaped.String())
}

func awsXMLEscape(b *bytes.Buffer, s string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	b.WriteString(r.Replace(s))
}

// stats returns how many roles were granted and the last request's
// source key, role, external id and session name.
func (s *fakeSTS) stats() (hits int, sourceKey, role, external, session string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.roles); n > 0 {
		sourceKey, role, external, session = s.sourceKeys[n-1], s.roles[n-1], s.externals[n-1], s.sessions[n-1]
	}
	return s.hits, sourceKey, role, external, session
}

func (s *fakeSTS) rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.failures)
}

func (s *fakeSTS) setDeny(message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = message
}

const (
	awsTestRole     = "arn:aws:iam::123456789012:role/demo"
	awsSourceKey    = "AKIDSOURCEEXAMPLE"
	awsSourceSecret = "sourceSecretKeyEXAMPLE/abc"
)

// roleFixture is an API that verifies SigV4 for execute-api in eu-west-1,
// an STS that grants it credentials, a fixed clock and source credentials
// in the environment.
type roleFixture struct {
	api   *sigV4Server
	sts   *fakeSTS
	clock *awsClock
	conn  Connection
}

func newRoleFixture(t *testing.T, id uint64) *roleFixture {
	t.Helper()
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", awsSourceKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsSourceSecret)
	clock := useAWSClock(t, awsExampleTime)
	apiVerifier := newSigV4Verifier("execute-api", "eu-west-1")
	f := &roleFixture{api: newSigV4Server(t, apiVerifier), clock: clock}
	f.sts = newFakeSTS(t, "eu-west-1", apiVerifier, clock)
	f.sts.source.addKey(awsSourceKey, awsSourceSecret, "")
	forgetAWSAround(t, id)
	f.conn = Connection{ID: id, Name: "Billing API", BaseURL: f.api.URL, Auth: Auth{Type: AuthAWSRole, AWS: &AWS{
		Service: "execute-api", Region: "eu-west-1", RoleARN: awsTestRole, ExternalID: "ext-123", STSEndpoint: f.sts.URL,
	}}}
	return f
}

// send sends GET /things and expects the API to accept it.
func (f *roleFixture) send(t *testing.T, conn Connection) Response {
	t.Helper()
	resp := mustSend(t, conn, Request{Method: "GET", URL: "/things"})
	if resp.Status != http.StatusOK {
		t.Fatalf("status %s: %s; API rejected %q; STS rejected %q", resp.StatusText, resp.Body, f.api.rejected(), f.sts.rejected())
	}
	return resp
}

// expect checks how many times the role was assumed and which granted key
// signed the last API request.
func (f *roleFixture) expect(t *testing.T, step string, wantHits int) {
	t.Helper()
	hits, _, _, _, _ := f.sts.stats()
	if hits != wantHits {
		t.Errorf("%s: AssumeRole called %d times, want %d", step, hits, wantHits)
	}
	if got, want := f.api.lastHit(t).accessKey, fmt.Sprintf("ASIATEMPKEY%04d", wantHits); got != want {
		t.Errorf("%s: API request signed by %s, want %s", step, got, want)
	}
}

// TestAWSRoleAssumeAndCache: aws-role assumes the role with STS (signed by
// the source credentials of the environment, with the role ARN, external
// id and a stable session name), signs with the temporary credentials and
// their session token, reuses them while they are fresh, and assumes the
// role again shortly before they expire, after forgetAWS, and when the
// connection is edited to another role.
func TestAWSRoleAssumeAndCache(t *testing.T) {
	f := newRoleFixture(t, 4242)

	f.send(t, f.conn)
	f.expect(t, "first send", 1)
	_, sourceKey, role, external, session := f.sts.stats()
	if sourceKey != awsSourceKey || role != awsTestRole || external != "ext-123" || session != "patchbay-Billing-API" {
		t.Errorf("AssumeRole signed by %q for role %q, external id %q, session %q", sourceKey, role, external, session)
	}
	if d := f.api.lastHit(t).amzDate; d != "20150830T123600Z" {
		t.Errorf("API request signed at %s, want the injected clock", d)
	}

	f.send(t, f.conn)
	f.expect(t, "second send", 1)

	f.clock.set(awsExampleTime.Add(time.Hour - awsRefreshWindow - time.Second))
	f.send(t, f.conn)
	f.expect(t, "just before the refresh window", 1)

	f.clock.set(awsExampleTime.Add(time.Hour - awsRefreshWindow))
	f.send(t, f.conn)
	f.expect(t, "in the refresh window", 2)

	f.send(t, f.conn)
	f.expect(t, "after the refresh", 2)

	forgetAWS(f.conn.ID)
	f.send(t, f.conn)
	f.expect(t, "after forgetAWS", 3)

	Forget(f.conn.ID)
	f.send(t, f.conn)
	f.expect(t, "after Forget", 4)

	edited := f.conn.Clone()
	edited.Auth.AWS.RoleARN = "arn:aws:iam::123456789012:role/other"
	f.send(t, edited)
	f.expect(t, "edited to another role", 5)
	if _, _, role, _, _ := f.sts.stats(); role != edited.Auth.AWS.RoleARN {
		t.Errorf("edited connection assumed %s", role)
	}
}

// TestAWSRoleConcurrentSends: sends that start together assume the role
// once and all sign with the result.
func TestAWSRoleConcurrentSends(t *testing.T) {
	f := newRoleFixture(t, 4343)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			resp, err := Send(context.Background(), f.conn, Request{URL: "/things"})
			if err == nil && resp.Status != http.StatusOK {
				err = fmt.Errorf("status %s", resp.StatusText)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if hits, _, _, _, _ := f.sts.stats(); hits != 1 {
		t.Errorf("%d concurrent sends assumed the role %d times, want once", n, hits)
	}
	if got := len(f.api.verified()); got != n {
		t.Errorf("API verified %d requests, want %d; rejected %q", got, n, f.api.rejected())
	}
}

// TestAWSRoleProfile: with aws_profile set, the role is assumed with the
// profile's keys from the shared credentials file, even when the
// environment has others; a profile that does not exist is named.
func TestAWSRoleProfile(t *testing.T) {
	f := newRoleFixture(t, 4444)
	credentials := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	const profileKey, profileSecret = "AKIDPROFILEEXAMPLE", "profileSecretKeyEXAMPLE"
	if err := os.WriteFile(credentials, []byte("[patchbay-test]\naws_access_key_id = "+profileKey+"\naws_secret_access_key = "+profileSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.sts.source.addKey(profileKey, profileSecret, "")
	conn := f.conn.Clone()
	conn.Auth.AWS.Profile = "patchbay-test"
	f.send(t, conn)
	f.expect(t, "with a profile", 1)
	if _, sourceKey, _, _, _ := f.sts.stats(); sourceKey != profileKey {
		t.Errorf("AssumeRole signed by %s, want the profile's %s", sourceKey, profileKey)
	}

	conn.Auth.AWS.Profile = "nope"
	e := sendError(t, context.Background(), conn, Request{URL: "/things"})
	if e.Kind != KindInvalid || !strings.Contains(e.Reason, `AWS profile "nope" is not in`) {
		t.Errorf("missing profile: %v %q", e.Kind, e.Reason)
	}
}

// TestAWSRoleErrors: what goes wrong getting role credentials comes back
// as a *Error in plain words, without secrets.
func TestAWSRoleErrors(t *testing.T) {
	t.Run("AccessDenied", func(t *testing.T) {
		f := newRoleFixture(t, 4545)
		denial := "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: " + awsTestRole + "\u202e<evil>"
		f.sts.setDeny(denial)
		e := sendError(t, context.Background(), f.conn, Request{URL: "/things"})
		if e.Kind != KindInvalid {
			t.Errorf("kind %v", e.Kind)
		}
		for _, want := range []string{"role " + awsTestRole + " refused", "is not authorized to perform: sts:AssumeRole", "trust policy"} {
			if !strings.Contains(e.Reason, want) {
				t.Errorf("reason %q does not say %q", e.Reason, want)
			}
		}
		if strings.Contains(e.Reason, "\u202e") || strings.Contains(e.Reason, awsSourceSecret) {
			t.Errorf("reason %q holds a bidi override or the source secret", e.Reason)
		}
		if len(f.api.verified())+len(f.api.rejected()) != 0 {
			t.Error("the API was called without credentials")
		}
	})
	t.Run("no source credentials", func(t *testing.T) {
		f := newRoleFixture(t, 4646)
		os.Unsetenv("AWS_ACCESS_KEY_ID") // restored by the fixture's t.Setenv
		os.Unsetenv("AWS_SECRET_ACCESS_KEY")
		e := sendError(t, context.Background(), f.conn, Request{URL: "/things"})
		want := "no AWS credentials to assume role " + awsTestRole + " with: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/config (aws_profile)"
		if e.Kind != KindInvalid || e.Reason != want {
			t.Errorf("got %v %q\nwant %q", e.Kind, e.Reason, want)
		}
		if hits, _, role, _, _ := f.sts.stats(); hits != 0 || role != "" {
			t.Error("STS was called without source credentials")
		}
	})
	t.Run("STS unreachable", func(t *testing.T) {
		f := newRoleFixture(t, 4747)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + l.Addr().String()
		l.Close()
		f.conn.Auth.AWS.STSEndpoint = closed
		e := sendError(t, context.Background(), f.conn, Request{URL: "/things"})
		if e.Kind != KindUnreachable || !strings.Contains(e.Reason, "could not assume role "+awsTestRole+": connection refused") {
			t.Errorf("got %v %q", e.Kind, e.Reason)
		}
	})
	t.Run("STS too slow", func(t *testing.T) {
		f := newRoleFixture(t, 4848)
		done := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // then the server notices the client leave
			select {
			case <-r.Context().Done(): // the client gave up
			case <-done:
			}
		}))
		t.Cleanup(slow.Close)
		t.Cleanup(func() { close(done) }) // runs first
		f.conn.Auth.AWS.STSEndpoint = slow.URL
		f.conn.Timeout = 300 * time.Millisecond
		e := sendError(t, context.Background(), f.conn, Request{URL: "/things"})
		if e.Kind != KindTimeout || !strings.Contains(e.Reason, "300ms") {
			t.Errorf("got %v %q", e.Kind, e.Reason)
		}
	})
	t.Run("not an STS endpoint", func(t *testing.T) {
		f := newRoleFixture(t, 4949)
		notSTS := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(notSTS.Close)
		f.conn.Auth.AWS.STSEndpoint = notSTS.URL
		e := sendError(t, context.Background(), f.conn, Request{URL: "/things"})
		if e.Kind != KindProtocol || !strings.Contains(e.Reason, "HTTP 404") || !strings.Contains(e.Reason, "sts_endpoint") {
			t.Errorf("got %v %q", e.Kind, e.Reason)
		}
	})
	t.Run("bad source credentials", func(t *testing.T) {
		f := newRoleFixture(t, 5050)
		t.Setenv("AWS_SECRET_ACCESS_KEY", "notTheSourceSecret")
		e := sendError(t, context.Background(), f.conn, Request{URL: "/things"})
		if e.Kind != KindInvalid || !strings.Contains(e.Reason, "AWS rejected the credentials used to assume role "+awsTestRole+" (SignatureDoesNotMatch): The request signature") {
			t.Errorf("got %v %q", e.Kind, e.Reason)
		}
	})
}

// TestAWSRedaction: the secret access key and the session token — the
// connection's own and the role's temporary ones — never show in the
// request as sent, whose Authorization and X-Amz-Security-Token are
// redacted, nor in error reasons.
func TestAWSRedaction(t *testing.T) {
	useAWSClock(t, awsExampleTime)
	const key, secret, token = "AKIAREDACTEXAMPLE", "redactSecretKeyEXAMPLE/xyz", "redactSessionTokenEXAMPLE+abc=="
	v := newSigV4Verifier("execute-api", "us-east-1")
	v.addKey(key, secret, token)
	srv := newSigV4Server(t, v)
	conn := Connection{Name: "API", BaseURL: srv.URL, Auth: Auth{Type: AuthAWSKey, AWS: &AWS{
		Service: "execute-api", Region: "us-east-1", AccessKeyID: key, SecretAccessKey: secret, SessionToken: token,
	}}}
	// The secrets in the query too, as a careless request would have them.
	resp := mustSend(t, conn, Request{URL: "/items?note=" + url.QueryEscape(secret)})
	if resp.Status != http.StatusOK {
		t.Fatalf("status %s: rejected %q", resp.StatusText, srv.rejected())
	}
	assertNoAWSSecrets(t, "aws-key", resp.Request, secret, token)
	for _, name := range []string{"Authorization", "X-Amz-Security-Token"} {
		if v, ok := awsSentHeader(resp, name); !ok || v != Redacted {
			t.Errorf("%s as shown = %q, want %q", name, v, Redacted)
		}
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := conn.Clone()
	down.BaseURL = "http://" + l.Addr().String()
	l.Close()
	e := sendError(t, context.Background(), down, Request{URL: "/items?key=" + url.QueryEscape(secret)})
	for _, s := range []string{secret, url.QueryEscape(secret), token} {
		if strings.Contains(e.Reason, s) || strings.Contains(e.Error(), s) || (e.Err != nil && strings.Contains(e.Err.Error(), s)) {
			t.Errorf("error %q holds a secret", e.Reason)
		}
	}

	t.Run("role", func(t *testing.T) {
		f := newRoleFixture(t, 5151)
		resp := f.send(t, f.conn)
		tempSecret, tempToken := "tempSecret0001/wJalrXUtnFEMIK7MDENG", "tempSessionToken0001+IQoJb3JpZ2luX2VjEXAMPLE="
		if k, ok := f.api.verifier.key("ASIATEMPKEY0001"); !ok || k.secret != tempSecret || k.token != tempToken {
			t.Fatalf("the fake STS granted %+v", k)
		}
		assertNoAWSSecrets(t, "aws-role", resp.Request, tempSecret, tempToken)
		if v, _ := awsSentHeader(resp, "X-Amz-Security-Token"); v != Redacted {
			t.Errorf("X-Amz-Security-Token as shown = %q", v)
		}
		if got := RedactRemembered("x " + tempSecret + " " + tempToken); got != "x "+Redacted+" "+Redacted {
			t.Errorf("the role's credentials are not remembered for redaction: %q", got)
		}
	})
}

func assertNoAWSSecrets(t *testing.T, what string, sent SentRequest, secrets ...string) {
	t.Helper()
	var all strings.Builder
	all.WriteString(sent.URL + "\n" + string(sent.Body))
	for _, h := range sent.Headers {
		all.WriteString("\n" + h.Key + ": " + h.Value)
	}
	for _, s := range secrets {
		for _, form := range []string{s, url.QueryEscape(s)} {
			if strings.Contains(all.String(), form) {
				t.Errorf("%s: the request as sent holds a secret:\n%s", what, all.String())
			}
		}
	}
}

func TestValidateAWS(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/demo"
	key := func(a AWS) Connection {
		return Connection{Name: "k", BaseURL: "https://api.example.com", Auth: Auth{Type: AuthAWSKey, AWS: &a}}
	}
	roleConn := func(a AWS) Connection {
		return Connection{Name: "r", BaseURL: "https://api.example.com", Auth: Auth{Type: AuthAWSRole, AWS: &a}}
	}
	complete := AWS{Service: "execute-api", Region: "us-east-1", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "secret"}
	with := func(change func(*AWS)) AWS {
		a := complete
		change(&a)
		return a
	}
	roleWith := func(change func(*AWS)) AWS {
		a := AWS{Service: "execute-api", Region: "eu-west-1", RoleARN: role}
		change(&a)
		return a
	}
	tests := []struct {
		name string
		conn Connection
		want map[string]string // field → part of its message
	}{
		{"aws-key complete", key(complete), nil},
		{"aws-key nil block", Connection{BaseURL: "https://api.example.com", Auth: Auth{Type: AuthAWSKey}}, map[string]string{
			"aws_service": "service is required", "aws_region": "region is required",
			"access_key_id": "access key ID is required", "secret_access_key": "secret access key is required"}},
		{"service and region from the base URL",
			Connection{BaseURL: "https://sts.eu-west-1.amazonaws.com", Auth: Auth{Type: AuthAWSKey, AWS: &AWS{AccessKeyID: "AKID", SecretAccessKey: "s"}}}, nil},
		{"only the region from the fields", func() Connection {
			c := key(with(func(a *AWS) { a.Service = "" }))
			c.BaseURL = "https://sts.amazonaws.com"
			return c
		}(), nil},
		{"env references", key(with(func(a *AWS) { a.SecretAccessKey, a.SessionToken = "env:AWS_SECRET_ACCESS_KEY", "env:AWS_SESSION_TOKEN" })), nil},
		{"secret with a line break", key(with(func(a *AWS) { a.SecretAccessKey = "abc\ndef" })), map[string]string{"secret_access_key": "line breaks"}},
		{"secret with spaces around", key(with(func(a *AWS) { a.SecretAccessKey = " abc" })), map[string]string{"secret_access_key": "spaces"}},
		{"session token with a control character", key(with(func(a *AWS) { a.SessionToken = "tok\x00en" })), map[string]string{"session_token": "control characters"}},
		{"access key with a space", key(with(func(a *AWS) { a.AccessKeyID = "AKIA IOSF" })), map[string]string{"access_key_id": "letters and digits"}},
		{"access key with a line break", key(with(func(a *AWS) { a.AccessKeyID = "AKIA\r\nX-Evil: 1" })), map[string]string{"access_key_id": "letters and digits"}},
		{"service with a slash", key(with(func(a *AWS) { a.Service = "execute/api" })), map[string]string{"aws_service": "signing name"}},
		{"service with a line break", key(with(func(a *AWS) { a.Service = "s3\n" + "x" })), map[string]string{"aws_service": "signing name"}},
		{"region in capitals", key(with(func(a *AWS) { a.Region = "US East" })), map[string]string{"aws_region": "us-east-1"}},
		{"aws-key ignores the role fields", key(with(func(a *AWS) { a.RoleARN, a.STSEndpoint = "nonsense", "ftp://x" })), nil},

		{"aws-role complete", roleConn(roleWith(func(a *AWS) {
			a.ExternalID, a.Profile, a.STSEndpoint = "ext-123", "work", "http://localhost:4566"
		})), nil},
		{"aws-role China and GovCloud partitions, role path", roleConn(roleWith(func(a *AWS) { a.RoleARN = "arn:aws-cn:iam::123456789012:role/team/deploy" })), nil},
		{"aws-role GovCloud", roleConn(roleWith(func(a *AWS) { a.RoleARN = "arn:aws-us-gov:iam::123456789012:role/x" })), nil},
		{"aws-role nil block", Connection{BaseURL: "https://iam.amazonaws.com", Auth: Auth{Type: AuthAWSRole}}, map[string]string{"role_arn": "role ARN is required"}},
		{"aws-role needs no keys", roleConn(roleWith(func(a *AWS) {})), nil},
		{"role ARN with a short account", roleConn(roleWith(func(a *AWS) { a.RoleARN = "arn:aws:iam::1234:role/demo" })), map[string]string{"role_arn": "12-digit account"}},
		{"user ARN", roleConn(roleWith(func(a *AWS) { a.RoleARN = "arn:aws:iam::123456789012:user/demo" })), map[string]string{"role_arn": "arn:aws:iam::123456789012:role/NAME"}},
		{"role ARN with a line break", roleConn(roleWith(func(a *AWS) { a.RoleARN = role + "\n" + "x" })), map[string]string{"role_arn": "must look like"}},
		{"role name only", roleConn(roleWith(func(a *AWS) { a.RoleARN = "demo" })), map[string]string{"role_arn": "must look like"}},
		{"external id too short", roleConn(roleWith(func(a *AWS) { a.ExternalID = "a" })), map[string]string{"external_id": "2 to 1224"}},
		{"external id with a control character", roleConn(roleWith(func(a *AWS) { a.ExternalID = "ab\x07" })), map[string]string{"external_id": "2 to 1224"}},
		{"profile with a space", roleConn(roleWith(func(a *AWS) { a.Profile = "my profile" })), map[string]string{"aws_profile": "without spaces"}},
		{"profile with a line break", roleConn(roleWith(func(a *AWS) { a.Profile = "dev\n" })), map[string]string{"aws_profile": "profile"}},
		{"STS endpoint not http", roleConn(roleWith(func(a *AWS) { a.STSEndpoint = "ftp://sts.example.com" })), map[string]string{"sts_endpoint": "http:// or https://"}},
		{"STS endpoint without scheme", roleConn(roleWith(func(a *AWS) { a.STSEndpoint = "sts.example.com" })), map[string]string{"sts_endpoint": "http:// or https://"}},
		{"STS endpoint without host", roleConn(roleWith(func(a *AWS) { a.STSEndpoint = "https://" })), map[string]string{"sts_endpoint": "no host"}},
		{"aws-role without service or region", Connection{BaseURL: "https://api.example.com", Auth: Auth{Type: AuthAWSRole, AWS: &AWS{RoleARN: role}}},
			map[string]string{"aws_service": "required", "aws_region": "required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.conn.validateAWS()
			for _, e := range errs {
				if _, ok := tt.want[e.Field]; !ok {
					t.Errorf("unexpected %s", e)
				}
			}
			for field, part := range tt.want {
				msg := errs.For(field)
				if msg == "" {
					t.Errorf("no error for %s; got %v", field, errs)
				} else if !strings.Contains(msg, part) {
					t.Errorf("%s: %q does not say %q", field, msg, part)
				}
			}
		})
	}

	// Validate runs it, and checks the names of env: references.
	c := key(with(func(a *AWS) { a.SecretAccessKey = "env:1BAD" }))
	c.Name = "named"
	if msg := c.Validate().For("secret_access_key"); !strings.Contains(msg, "not an environment variable name") {
		t.Errorf("Validate with a bad env reference: %q", msg)
	}
}

func TestSuggestAWS(t *testing.T) {
	tests := []struct {
		url, service, region string
	}{
		{"https://iam.amazonaws.com", "iam", "us-east-1"},
		{"https://iam.amazonaws.com/", "iam", "us-east-1"},
		{"https://sts.amazonaws.com", "sts", "us-east-1"},
		{"https://sts.eu-west-1.amazonaws.com", "sts", "eu-west-1"},
		{"https://route53.amazonaws.com/2013-04-01/hostedzone", "route53", "us-east-1"},
		{"https://cloudfront.amazonaws.com", "cloudfront", "us-east-1"},
		{"https://s3.eu-west-1.amazonaws.com", "s3", "eu-west-1"},
		{"https://bucket.s3.eu-west-1.amazonaws.com/key", "s3", "eu-west-1"},
		{"https://my-bucket-2.s3.eu-west-1.amazonaws.com", "s3", "eu-west-1"},
		{"https://s3-eu-west-1.amazonaws.com", "s3", "eu-west-1"},
		{"https://bucket.s3-eu-west-1.amazonaws.com", "s3", "eu-west-1"},
		{"https://s3.amazonaws.com", "s3", "us-east-1"},
		{"https://bucket.s3.amazonaws.com", "s3", "us-east-1"},
		{"https://s3.dualstack.us-west-2.amazonaws.com", "s3", "us-west-2"},
		{"https://s3-fips.us-gov-west-1.amazonaws.com", "s3", "us-gov-west-1"},
		{"https://abc123.execute-api.us-east-2.amazonaws.com/prod", "execute-api", "us-east-2"},
		{"https://dynamodb.us-west-2.amazonaws.com", "dynamodb", "us-west-2"},
		{"https://streams.dynamodb.us-west-2.amazonaws.com", "dynamodb", "us-west-2"},
		{"https://dynamodb-fips.us-east-1.amazonaws.com", "dynamodb", "us-east-1"},
		{"https://email.eu-central-1.amazonaws.com", "ses", "eu-central-1"},
		{"https://bedrock-runtime.us-east-1.amazonaws.com", "bedrock", "us-east-1"},
		{"https://search-logs-abc123.eu-west-1.es.amazonaws.com", "es", "eu-west-1"},
		{"https://vpce-0a1b-c2d3.execute-api.us-east-1.vpce.amazonaws.com", "execute-api", "us-east-1"},
		{"https://sts.cn-north-1.amazonaws.com.cn", "sts", "cn-north-1"},
		{"https://s3.cn-northwest-1.amazonaws.com.cn", "s3", "cn-northwest-1"},
		{"https://iam.amazonaws.com.cn", "iam", "cn-north-1"},
		{"https://route53.amazonaws.com.cn", "route53", "cn-northwest-1"},
		{"https://iam.us-gov.amazonaws.com", "iam", "us-gov-west-1"},
		{"https://SQS.AP-SOUTHEAST-2.AMAZONAWS.COM:443/queue", "sqs", "ap-southeast-2"},
		{"https://lambda.me-central-1.amazonaws.com.", "lambda", "me-central-1"},
		{"iam.amazonaws.com", "iam", "us-east-1"},
		{"https://api.example.com", "", ""},
		{"https://amazonaws.com", "", ""},
		{"https://foo.amazonaws.com", "", ""},
		{"https://amazonaws.com.evil.example", "", ""},
		{"https://iam.amazonaws.com.evil.example", "", ""},
		{"", "", ""},
		{"://", "", ""},
	}
	for _, tt := range tests {
		service, region := SuggestAWS(tt.url)
		if service != tt.service || region != tt.region {
			t.Errorf("SuggestAWS(%q) = %q, %q; want %q, %q", tt.url, service, region, tt.service, tt.region)
		}
	}
}

// TestAWSScopeFromBaseURL: a connection that leaves service and region
// empty signs for what its *.amazonaws.com base URL names.
func TestAWSScopeFromBaseURL(t *testing.T) {
	capture := &awsCaptureTransport{}
	useTransport(t, capture)
	useAWSClock(t, awsExampleTime)
	conn := Connection{Name: "S3", BaseURL: "https://bucket.s3.eu-west-1.amazonaws.com", Auth: Auth{Type: AuthAWSKey, AWS: &AWS{
		AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secretEXAMPLE",
	}}}
	mustSend(t, conn, Request{URL: "/key.txt"})
	got := capture.request()
	if a := got.Header.Get("Authorization"); !strings.Contains(a, "Credential=AKIDEXAMPLE/20150830/eu-west-1/s3/aws4_request") {
		t.Errorf("Authorization = %s", a)
	}
	if got.Header.Get("X-Amz-Content-Sha256") != awsEmptyPayloadHash {
		t.Errorf("X-Amz-Content-Sha256 = %q", got.Header.Get("X-Amz-Content-Sha256"))
	}
}

// TestAWSSessionName: the role session is named after the connection in
// the characters STS accepts, at most 64 of them.
func TestAWSSessionName(t *testing.T) {
	tests := []struct {
		name string
		id   uint64
		want string
	}{
		{"Billing API", 7, "patchbay-Billing-API"},
		{"  jira/prod ☃ eu ", 7, "patchbay-jira-prod-eu"},
		{"a+b=c,d.e@f_g-h", 7, "patchbay-a+b=c,d.e@f_g-h"},
		{"", 42, "patchbay-42"},
		{"☃☃", 42, "patchbay-42"},
		{strings.Repeat("x", 100), 1, "patchbay-" + strings.Repeat("x", 55)},
	}
	valid := regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	for _, tt := range tests {
		got := Connection{ID: tt.id, Name: tt.name}.awsSessionName()
		if got != tt.want || !valid.MatchString(got) {
			t.Errorf("session name of %q = %q, want %q", tt.name, got, tt.want)
		}
	}
}
