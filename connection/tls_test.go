package connection

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testCA is a private certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

// issued is a certificate with its key, as PEM and ready for a tls.Config.
type issued struct {
	cert    *x509.Certificate
	certPEM []byte
	keyPEM  []byte
	key     *ecdsa.PrivateKey
}

func (i issued) tlsCert(t *testing.T) tls.Certificate {
	t.Helper()
	c, err := tls.X509KeyPair(i.certPEM, i.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var serial atomic.Int64

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// certSpec says what a certificate is for; zero times mean valid now.
type certSpec struct {
	cn        string
	dns       []string
	ips       []net.IP
	client    bool              // for client authentication rather than a server
	key       *ecdsa.PrivateKey // nil: a new one
	notBefore time.Time
	notAfter  time.Time
}

func (ca *testCA) issue(t *testing.T, s certSpec) issued {
	t.Helper()
	key := s.key
	if key == nil {
		key = newKey(t)
	}
	usage := x509.ExtKeyUsageServerAuth
	if s.client {
		usage = x509.ExtKeyUsageClientAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: s.cn},
		DNSNames:     s.dns,
		IPAddresses:  s.ips,
		NotBefore:    s.notBefore,
		NotAfter:     s.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return issued{
		cert:    cert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		key:     key,
	}
}

// localhostSpec is a server certificate for the loopback servers of httptest.
func localhostSpec() certSpec {
	return certSpec{cn: "localhost", dns: []string{"localhost"}, ips: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}}
}

// newTLSServer starts an httptest server with cfg (its certificates and
// client authentication); handshake failures, which are the point of most
// of these tests, are not logged.
func newTLSServer(t *testing.T, h http.Handler, cfg *tls.Config) *httptest.Server {
	t.Helper()
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello "+r.Proto) })
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// writeFile writes b into a fresh file of the test and returns its path.
func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// oneLine is PEM as a one-line text field delivers it: line breaks turned
// into spaces.
func oneLine(b []byte) string {
	return strings.Join(strings.Fields(string(b)), " ")
}

// tlsConn is a connection of its own id (own transports are kept by id).
func tlsConn(name, baseURL string, settings TLS) Connection {
	return Connection{ID: nextConnID(), Name: name, BaseURL: baseURL, TLS: settings, Timeout: 10 * time.Second}
}

// pki is every certificate the TLS tests need, from a private CA ("patchbay
// test CA") and from a second CA that no server here trusts.
type pki struct {
	ca, other *testCA
	// Server certificates, from ca.
	server    issued // for 127.0.0.1, ::1 and localhost
	expired   issued // expired on 1 Mar 2024
	notYet    issued // valid from 30 days from now
	wrongHost issued // for api.example.com and www.example.com only
	// Client certificates.
	client        issued // from ca
	expiredClient issued // from ca, expired
	stranger      issued // from other
}

// expiredOn is when pki's expired certificates stopped being valid.
var expiredOn = time.Date(2024, time.March, 1, 12, 0, 0, 0, time.UTC)

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{ca: newCA(t, "patchbay test CA"), other: newCA(t, "some other CA")}
	p.server = p.ca.issue(t, localhostSpec())
	old := localhostSpec()
	old.notBefore, old.notAfter = expiredOn.AddDate(-1, 0, 0), expiredOn
	p.expired = p.ca.issue(t, old)
	future := localhostSpec()
	future.notBefore, future.notAfter = time.Now().AddDate(0, 0, 30), time.Now().AddDate(1, 0, 0)
	p.notYet = p.ca.issue(t, future)
	p.wrongHost = p.ca.issue(t, certSpec{cn: "api", dns: []string{"api.example.com", "www.example.com"}})
	p.client = p.ca.issue(t, certSpec{cn: "me", client: true})
	p.expiredClient = p.ca.issue(t, certSpec{cn: "me", client: true, notBefore: expiredOn.AddDate(-1, 0, 0), notAfter: expiredOn})
	p.stranger = p.other.issue(t, certSpec{cn: "me", client: true})
	return p
}

// pool is a cert pool of the CA, for servers that check client certificates
// and for the tests' own clients.
func (ca *testCA) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return pool
}

// helloHandler answers "hello PROTO", and "from CN" when the client showed
// a certificate.
var helloHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	msg := "hello " + r.Proto
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		msg += " from " + r.TLS.PeerCertificates[0].Subject.CommonName
	}
	io.WriteString(w, msg)
})

// certServer serves helloHandler over TLS with cert.
func certServer(t *testing.T, cert issued) *httptest.Server {
	t.Helper()
	return newTLSServer(t, helloHandler, &tls.Config{Certificates: []tls.Certificate{cert.tlsCert(t)}})
}

// mtlsServer requires a client certificate from p's CA. maxVersion 0 is
// TLS 1.3.
func mtlsServer(t *testing.T, p *pki, maxVersion uint16) *httptest.Server {
	t.Helper()
	return newTLSServer(t, helloHandler, &tls.Config{
		Certificates: []tls.Certificate{p.server.tlsCert(t)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.ca.pool(),
		MaxVersion:   maxVersion,
	})
}

// tlsFields are the TLS settings' field keys.
var tlsFields = []string{"tls_cert", "tls_key", "tls_ca"}

// wantVerdict tests conn and checks the verdict's OK, its Kind and that its
// Reason holds every one of words.
func wantVerdict(t *testing.T, conn Connection, ok bool, kind ErrorKind, words ...string) Verdict {
	t.Helper()
	v := Test(t.Context(), conn)
	if v.OK != ok || v.Kind != kind {
		t.Errorf("%s: verdict OK %v, Kind %v (%s); want OK %v, Kind %v", conn.Name, v.OK, v.Kind, v.Reason, ok, kind)
	}
	for _, w := range words {
		if !strings.Contains(v.Reason, w) {
			t.Errorf("%s: reason %q\nlacks %q", conn.Name, v.Reason, w)
		}
	}
	// Plain words: none of crypto/tls's or net/http's own.
	for _, raw := range []string{"tls: ", "x509: ", "remote error", "readLoop"} {
		if strings.Contains(v.Reason, raw) {
			t.Errorf("%s: reason %q is not in plain words (%q)", conn.Name, v.Reason, raw)
		}
	}
	return v
}

// TestMutualTLS: a server that demands a client certificate from its CA
// accepts the connection's, given as files, as pasted PEM, and as PEM pasted
// into a one-line field — over TLS 1.2 and 1.3.
func TestMutualTLS(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	certFile := writeFile(t, "me.pem", p.client.certPEM)
	keyFile := writeFile(t, "me-key.pem", p.client.keyPEM)
	caFile := writeFile(t, "ca.pem", p.ca.pem)
	ways := []struct {
		name     string
		settings TLS
	}{
		{"files", TLS{Cert: certFile, Key: keyFile, CA: caFile}},
		{"pasted PEM", TLS{Cert: string(p.client.certPEM), Key: string(p.client.keyPEM), CA: string(p.ca.pem)}},
		{"one-line PEM", TLS{Cert: oneLine(p.client.certPEM), Key: oneLine(p.client.keyPEM), CA: oneLine(p.ca.pem)}},
		{"PEM without line breaks", TLS{
			Cert: strings.ReplaceAll(string(p.client.certPEM), "\n", ""), Key: strings.ReplaceAll(string(p.client.keyPEM), "\n", ""), CA: caFile}},
	}
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		srv := mtlsServer(t, p, version)
		for _, way := range ways {
			name := tls.VersionName(version) + ", " + way.name
			conn := tlsConn(name, srv.URL, way.settings)
			for _, field := range tlsFields {
				if msg := conn.Validate().For(field); msg != "" {
					t.Errorf("%s: Validate: %s: %s", name, field, msg)
				}
			}
			resp, err := Send(t.Context(), conn, Request{})
			if err != nil {
				t.Errorf("%s: Send: %v", name, err)
				continue
			}
			if resp.Status != 200 || string(resp.Body) != "hello HTTP/1.1 from me" {
				t.Errorf("%s: %s %q, want the server to have seen the client certificate", name, resp.StatusText, resp.Body)
			}
			wantVerdict(t, conn, true, 0, "connected — 200 OK")
		}
	}
}

// TestClientCertificateRefused: without a client certificate the server
// accepts, the verdict says the server wants one and which fields take it.
// TLS 1.3 reports the missing certificate only at the first read, after the
// handshake (alert 116, certificate_required); TLS 1.2 ends the handshake
// with handshake_failure. A certificate from a CA the server does not list
// is not even sent by crypto/tls, so it looks the same as none.
func TestClientCertificateRefused(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	caFile := writeFile(t, "ca.pem", p.ca.pem)
	for _, tc := range []struct {
		version uint16
		words   string
	}{
		{tls.VersionTLS13, "the server requires a client certificate and got none it accepts — set tls_cert and tls_key to a certificate the server trusts and its private key"},
		{tls.VersionTLS12, "it may require a client certificate (set tls_cert and tls_key to a certificate the server trusts and its private key)"},
	} {
		srv := mtlsServer(t, p, tc.version)
		host := "TLS handshake with 127.0.0.1 failed: "
		name := tls.VersionName(tc.version)
		wantVerdict(t, tlsConn(name+", no client certificate", srv.URL, TLS{CA: caFile}), false, KindTLS, host, tc.words)
		wantVerdict(t, tlsConn(name+", certificate of another CA", srv.URL, TLS{CA: caFile, Cert: string(p.stranger.certPEM), Key: string(p.stranger.keyPEM)}),
			false, KindTLS, host, tc.words)
		wantVerdict(t, tlsConn(name+", expired client certificate", srv.URL, TLS{CA: caFile, Cert: string(p.expiredClient.certPEM), Key: string(p.expiredClient.keyPEM)}),
			false, KindTLS, host+"the server refused the client certificate because it has expired — renew it and update tls_cert and tls_key")
	}
}

// TestPrivateCA: a server whose certificate comes from a private CA is
// trusted when tls_ca holds that CA (alone or in a bundle), and otherwise
// refused in words that name the CA and the field to set.
func TestPrivateCA(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	srv := certServer(t, p.server)
	bundle := append(append([]byte{}, p.other.pem...), p.ca.pem...)
	for _, tc := range []struct {
		name     string
		settings TLS
	}{
		{"CA file", TLS{CA: writeFile(t, "ca.pem", p.ca.pem)}},
		{"CA in a bundle", TLS{CA: writeFile(t, "bundle.pem", bundle)}},
		{"pasted CA", TLS{CA: oneLine(p.ca.pem)}},
		{"insecure", TLS{Insecure: true}},
	} {
		resp, err := Send(t.Context(), tlsConn(tc.name, srv.URL, tc.settings), Request{})
		if err != nil || string(resp.Body) != "hello HTTP/1.1" {
			t.Errorf("%s: %q, %v", tc.name, resp.Body, err)
		}
	}
	untrusted := "TLS handshake with 127.0.0.1 failed: the server's certificate was issued by patchbay test CA, an authority this computer does not trust — if the server uses a private CA, set tls_ca to your CA bundle"
	v := wantVerdict(t, tlsConn("system roots", srv.URL, TLS{}), false, KindTLS)
	if v.Reason != untrusted {
		t.Errorf("without tls_ca: %q\nwant %q", v.Reason, untrusted)
	}
	v = wantVerdict(t, tlsConn("another CA", srv.URL, TLS{CA: string(p.other.pem)}), false, KindTLS)
	if v.Reason != untrusted {
		t.Errorf("tls_ca of another CA: %q\nwant %q", v.Reason, untrusted)
	}
}

// TestServerCertificateProblems: an expired certificate, one not valid yet
// and one for other names are each refused with the date or the names;
// tls_insecure connects to all of them.
func TestServerCertificateProblems(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	const prefix = "TLS handshake with 127.0.0.1 failed: "
	for _, tc := range []struct {
		name   string
		cert   issued
		reason string
	}{
		{"expired", p.expired, prefix + "the server's certificate expired on 1 Mar 2024 — it must be renewed (or this computer's clock is wrong)"},
		{"not valid yet", p.notYet, prefix + "the server's certificate is not valid until " + p.notYet.cert.NotBefore.UTC().Format("2 Jan 2006") + " — check this computer's clock"},
		{"wrong host", p.wrongHost, prefix + "the server's certificate is for api.example.com, www.example.com, not 127.0.0.1 — use a name it is for in the base URL, or have the certificate reissued"},
	} {
		srv := certServer(t, tc.cert)
		v := wantVerdict(t, tlsConn(tc.name, srv.URL, TLS{CA: string(p.ca.pem)}), false, KindTLS)
		if v.Reason != tc.reason {
			t.Errorf("%s: %q\nwant %q", tc.name, v.Reason, tc.reason)
		}
		for _, settings := range []TLS{{Insecure: true}, {Insecure: true, CA: string(p.ca.pem)}, {Insecure: true, CA: string(p.other.pem)}} {
			wantVerdict(t, tlsConn(tc.name+", insecure", srv.URL, settings), true, 0, "connected — 200 OK")
		}
	}
}

// TestHostnameListIsShort: a certificate for many names lists a few.
func TestHostnameListIsShort(t *testing.T) {
	t.Parallel()
	cert := &x509.Certificate{DNSNames: []string{"a.example", "b.example", "c.example", "d.example", "e.example", "f.example"}}
	got := newRedactor(nil).wrongHost(x509.HostnameError{Certificate: cert, Host: "g.example"})
	if want := "the server's certificate is for a.example, b.example, c.example, d.example and 2 more, not g.example"; !strings.HasPrefix(got, want) {
		t.Errorf("%q\nwant it to start %q", got, want)
	}
	cert = &x509.Certificate{Subject: pkix.Name{CommonName: "legacy.example"}}
	got = newRedactor(nil).wrongHost(x509.HostnameError{Certificate: cert, Host: "legacy.example"})
	if want := "the server's certificate names no host but in its Common Name (legacy.example), which is no longer accepted"; !strings.HasPrefix(got, want) {
		t.Errorf("%q\nwant it to start %q", got, want)
	}
}

// TestEncryptedPrivateKey: a private key encrypted with a passphrase
// (legacy Proc-Type: 4,ENCRYPTED PEM, or PKCS#8 ENCRYPTED PRIVATE KEY) is
// refused on tls_key by Validate and by Send, however it was given.
func TestEncryptedPrivateKey(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	srv := mtlsServer(t, p, 0)
	der, err := x509.MarshalECPrivateKey(p.client.key)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the point is a key encrypted the legacy way.
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte("passphrase"), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	legacy := pem.EncodeToMemory(block)
	if !strings.Contains(string(legacy), "Proc-Type: 4,ENCRYPTED") {
		t.Fatalf("not a legacy encrypted key:\n%s", legacy)
	}
	// Pasted into a one-line field, its headers come back as headers.
	if b, _ := pem.Decode(normalizePEM(oneLine(legacy))); b == nil || b.Headers["Proc-Type"] != "4,ENCRYPTED" || b.Headers["DEK-Info"] == "" {
		t.Errorf("the one-line legacy key does not decode with its headers: %+v", b)
	}
	// The contents do not matter: the block's type says it all.
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der})
	const words = "the private key is encrypted with a passphrase"
	certFile := writeFile(t, "me.pem", p.client.certPEM)
	for name, key := range map[string][]byte{"legacy": legacy, "PKCS#8": pkcs8} {
		for way, value := range map[string]string{
			"file":         writeFile(t, "key.pem", key),
			"pasted":       string(key),
			"one-line":     oneLine(key),
			"cert and key": string(p.client.certPEM) + string(key),
		} {
			conn := tlsConn(name+" key, "+way, srv.URL, TLS{Cert: certFile, Key: value, CA: string(p.ca.pem)})
			errs := conn.Validate()
			if got := errs.For("tls_key"); !strings.HasPrefix(got, words) {
				t.Errorf("%s: Validate: tls_key %q, want %q (all: %v)", conn.Name, got, words, errs)
			}
			if len(errs) != 1 {
				t.Errorf("%s: Validate: %v, want only tls_key", conn.Name, errs)
			}
			e := sendError(t, t.Context(), conn, Request{})
			if e.Kind != KindInvalid || !strings.Contains(e.Reason, words) {
				t.Errorf("%s: Send: %v %q", conn.Name, e.Kind, e.Reason)
			}
			lines := strings.Split(strings.TrimSpace(string(key)), "\n")
			if body := lines[len(lines)-2]; strings.Contains(e.Error(), "BEGIN") || strings.Contains(e.Error(), body) {
				t.Errorf("%s: the key shows in %q", conn.Name, e.Error())
			}
			wantVerdict(t, conn, false, KindInvalid, words)
		}
	}
}

// TestTLSFieldErrors: each unusable TLS setting is reported on its own
// field, in words, by Validate and by Send.
func TestTLSFieldErrors(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	dir := t.TempDir()
	certFile := writeFile(t, "me.pem", p.client.certPEM)
	keyFile := writeFile(t, "me-key.pem", p.client.keyPEM)
	strangerKey := writeFile(t, "stranger-key.pem", p.stranger.keyPEM)
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		name     string
		settings TLS
		field    string
		msg      string
	}{
		{"no certificate file", TLS{Cert: missing, Key: keyFile}, "tls_cert", "client certificate: no file " + missing},
		{"no key file", TLS{Cert: certFile, Key: missing}, "tls_key", "private key: no file " + missing},
		{"no CA file", TLS{CA: missing}, "tls_ca", "CA bundle: no file " + missing},
		{"certificate without key", TLS{Cert: certFile}, "tls_key", "a client certificate needs its private key too"},
		{"key without certificate", TLS{Key: keyFile}, "tls_cert", "a client key needs its certificate too"},
		{"key of another certificate", TLS{Cert: certFile, Key: strangerKey}, "tls_key", "the private key does not belong to the client certificate"},
		{"certificate and key swapped", TLS{Cert: keyFile, Key: certFile}, "tls_key", "the private key field holds a certificate, not a private key — did you swap tls_cert and tls_key?"},
		{"key is not PEM", TLS{Cert: certFile, Key: writeFile(t, "key.txt", []byte("not a key"))}, "tls_key", "the private key holds no PEM block (expected -----BEGIN PRIVATE KEY-----)"},
		{"certificate is not PEM", TLS{Cert: writeFile(t, "cert.txt", []byte("not a cert")), Key: keyFile}, "tls_cert", "the client certificate holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)"},
		{"CA file holds a key", TLS{CA: keyFile}, "tls_ca", "the CA bundle holds no PEM certificate"},
		{"CA file holds text", TLS{CA: writeFile(t, "ca.txt", []byte("hello"))}, "tls_ca", "the CA bundle holds no PEM certificate"},
		{"damaged PEM", TLS{Cert: certFile, Key: strings.ReplaceAll(string(p.client.keyPEM), "BEGIN PRIVATE", "BEGINPRIVATE")}, "tls_key",
			"private key: the text is neither PEM (which starts with -----BEGIN PRIVATE KEY-----) nor a file's path"},
		{"OpenSSH key", TLS{Cert: certFile, Key: "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA -----END OPENSSH PRIVATE KEY-----"}, "tls_key", "this is an OpenSSH key, which TLS cannot use"},
	} {
		conn := tlsConn(tc.name, "https://127.0.0.1:1", tc.settings)
		errs := conn.Validate()
		if got := errs.For(tc.field); !strings.HasPrefix(got, tc.msg) {
			t.Errorf("%s: %s %q\nwant %q (all: %v)", tc.name, tc.field, got, tc.msg, errs)
		}
		if len(errs) != 1 {
			t.Errorf("%s: %v, want one error", tc.name, errs)
		}
		e := sendError(t, t.Context(), conn, Request{})
		if e.Kind != KindInvalid || !strings.Contains(e.Reason, tc.msg) {
			t.Errorf("%s: Send: %v %q", tc.name, e.Kind, e.Reason)
		}
	}
}

// TestMinimumTLSVersion: a server that speaks at most TLS 1.1 — which a Go
// client that allows TLS 1.0 does reach — is refused, whatever the
// connection's TLS settings.
func TestMinimumTLSVersion(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	srv := newTLSServer(t, helloHandler, &tls.Config{
		Certificates: []tls.Certificate{p.server.tlsCert(t)},
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS11,
	})
	// The server does work, over TLS 1.1.
	old := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.ca.pool(), MinVersion: tls.VersionTLS10}}
	t.Cleanup(old.CloseIdleConnections)
	resp, err := (&http.Client{Transport: old}).Get(srv.URL)
	if err != nil {
		t.Fatalf("a client allowing TLS 1.0 cannot reach the TLS 1.1 server: %v", err)
	}
	resp.Body.Close()
	if resp.TLS.Version != tls.VersionTLS11 {
		t.Fatalf("the server spoke %s", tls.VersionName(resp.TLS.Version))
	}

	const reason = "TLS handshake with 127.0.0.1 failed: the server does not speak TLS 1.2 or newer, which patchbay requires — it offers only an older, insecure version; the server must be upgraded"
	for _, tc := range []struct {
		name     string
		settings TLS
	}{
		{"no TLS settings", TLS{}},
		{"tls_ca", TLS{CA: string(p.ca.pem)}},
		{"insecure", TLS{Insecure: true}},
	} {
		v := wantVerdict(t, tlsConn(tc.name, srv.URL, tc.settings), false, KindTLS)
		if v.Reason != reason {
			t.Errorf("%s: %q\nwant %q", tc.name, v.Reason, reason)
		}
	}
	if cfg, _, _ := (TLS{CA: string(p.ca.pem)}).load(); cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("load: MinVersion %s", tls.VersionName(cfg.MinVersion))
	}
}

// TestTooOldVersionWords: a server that answers an older version than the
// client offered (crypto/tls refuses it itself) is described the same way.
func TestTooOldVersionWords(t *testing.T) {
	t.Parallel()
	err := errors.New("tls: server selected unsupported protocol version 302")
	e := describe(newRedactor(nil), err, t.Context(), t.Context(), time.Second, &url.URL{Scheme: "https", Host: "old.example"})
	if want := "TLS handshake with old.example failed: the server speaks only TLS 1.1, and patchbay requires TLS 1.2 or newer — the server must be upgraded"; e.Kind != KindTLS || e.Reason != want {
		t.Errorf("%v %q\nwant %q", e.Kind, e.Reason, want)
	}
}

// TestTLSFileEditsAreNoticed: the connection's own transport is rebuilt
// when a file it was built from changes, even with a connection kept alive.
func TestTLSFileEditsAreNoticed(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	srv := mtlsServer(t, p, 0)
	caFile := writeFile(t, "ca.pem", p.ca.pem)
	certFile := writeFile(t, "me.pem", p.client.certPEM)
	keyFile := writeFile(t, "me-key.pem", p.client.keyPEM)
	conn := tlsConn("edited", srv.URL, TLS{Cert: certFile, Key: keyFile, CA: caFile})
	t.Cleanup(func() { Forget(conn.ID) })
	write := func(path string, b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	works := func(when string) {
		t.Helper()
		for range 2 { // the second one rides the kept-alive connection
			if resp, err := Send(t.Context(), conn, Request{}); err != nil || resp.Status != 200 {
				t.Fatalf("%s: %s %v", when, resp.StatusText, err)
			}
		}
	}
	works("at first")

	write(caFile, p.other.pem)
	if e := sendError(t, t.Context(), conn, Request{}); e.Kind != KindTLS || !strings.Contains(e.Reason, "issued by patchbay test CA, an authority this computer does not trust") {
		t.Errorf("after the CA bundle was replaced: %v %q", e.Kind, e.Reason)
	}
	write(caFile, p.ca.pem)
	works("after the CA bundle was put back")

	// The same key, certified by a CA the server does not accept: only the
	// certificate file changes.
	reissued := p.other.issue(t, certSpec{cn: "me", client: true, key: p.client.key})
	write(certFile, reissued.certPEM)
	if e := sendError(t, t.Context(), conn, Request{}); e.Kind != KindTLS || !strings.Contains(e.Reason, "requires a client certificate") {
		t.Errorf("after the client certificate was replaced: %v %q", e.Kind, e.Reason)
	}
	write(certFile, p.client.certPEM)
	works("after the client certificate was put back")

	write(certFile, p.stranger.certPEM)
	write(keyFile, p.stranger.keyPEM)
	if e := sendError(t, t.Context(), conn, Request{}); e.Kind != KindTLS || !strings.Contains(e.Reason, "requires a client certificate") {
		t.Errorf("after the client certificate and key were replaced: %v %q", e.Kind, e.Reason)
	}
	write(certFile, p.client.certPEM)
	write(keyFile, p.client.keyPEM)
	works("after the client certificate and key were put back")
}

// rawServer is a TCP server that keeps the head of every request exactly as
// it came over the wire and answers each with a fixed 200.
type rawServer struct {
	addr  string
	mu    sync.Mutex
	heads []string
}

func newRawServer(t *testing.T) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				br := bufio.NewReader(c)
				var head strings.Builder
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					head.WriteString(line)
					if line == "\r\n" {
						break
					}
				}
				s.mu.Lock()
				s.heads = append(s.heads, head.String())
				s.mu.Unlock()
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return s
}

// headerNames lists the header names of the last request, as sent.
func (s *rawServer) headerNames(t *testing.T) []string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.heads) == 0 {
		t.Fatal("the server got no request")
	}
	var names []string
	for _, line := range strings.Split(s.heads[len(s.heads)-1], "\r\n")[1:] {
		if name, _, ok := strings.Cut(line, ":"); ok {
			names = append(names, name)
		}
	}
	return names
}

// TestCaseSensitiveHeaderNames: with CaseSensitiveHeaders the names of the
// request's headers and of header auth go over the wire as typed;
// without, canonicalised.
func TestCaseSensitiveHeaderNames(t *testing.T) {
	t.Parallel()
	srv := newRawServer(t)
	for _, tc := range []struct {
		caseSensitive bool
		want          []string
	}{
		{true, []string{"x-My-Header", "x-api-KEY"}},
		{false, []string{"X-My-Header", "X-Api-Key"}},
	} {
		conn := Connection{
			ID: nextConnID(), Name: "raw", BaseURL: "http://" + srv.addr, CaseSensitiveHeaders: tc.caseSensitive,
			Auth: Auth{Type: AuthHeader, Headers: []KV{{Key: "x-api-KEY", Value: "k-secret"}}},
		}
		resp := mustSend(t, conn, Request{URL: "/h", Headers: []KV{{Key: "x-My-Header", Value: "typed"}}})
		if resp.Status != 200 || string(resp.Body) != "ok" {
			t.Fatalf("case sensitive %v: %s %q", tc.caseSensitive, resp.StatusText, resp.Body)
		}
		names := srv.headerNames(t)
		for _, want := range tc.want {
			if !slices.Contains(names, want) {
				t.Errorf("case sensitive %v: sent %q, want %q among them", tc.caseSensitive, names, want)
			}
			if _, ok := HeaderValue(resp.Request.Headers, want); !ok || !slices.ContainsFunc(resp.Request.Headers, func(kv KV) bool { return kv.Key == want }) {
				t.Errorf("case sensitive %v: shown as sent %v, want %q", tc.caseSensitive, resp.Request.Headers, want)
			}
		}
	}
}

// TestCaseSensitiveHeadersUseHTTP11: HTTP/2 lowercases every header name,
// so a case-sensitive connection speaks HTTP/1.1 to a server that would
// speak HTTP/2 — as the same connection without the setting does.
func TestCaseSensitiveHeadersUseHTTP11(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(helloHandler)
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	for _, tc := range []struct {
		caseSensitive bool
		proto         string
	}{
		{false, "HTTP/2.0"},
		{true, "HTTP/1.1"},
	} {
		conn := tlsConn("h2", srv.URL, TLS{CA: ca})
		conn.CaseSensitiveHeaders = tc.caseSensitive
		resp := mustSend(t, conn, Request{Headers: []KV{{Key: "x-My-Header", Value: "v"}}})
		if resp.Proto != tc.proto || string(resp.Body) != "hello "+tc.proto {
			t.Errorf("case sensitive %v: %s, server saw %q; want %s", tc.caseSensitive, resp.Proto, resp.Body, tc.proto)
		}
	}
}
