package connection

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// TLS is a connection's own TLS settings. Cert, Key and CA each hold either
// the path of a PEM file or the PEM text itself (pasted into a one-line field,
// its line breaks may have become spaces; they are put back). Key is a
// secret: sealed at rest, masked on screen, and redacted when it is PEM.
//
// Whatever is set, the connection never speaks anything older than TLS 1.2.
type TLS struct {
	Cert string `json:"cert,omitempty"` // client certificate (chain), for mutual TLS
	Key  string `json:"key,omitempty"`  // its private key, unencrypted
	CA   string `json:"ca,omitempty"`   // CA bundle to trust instead of the system's
	// Insecure skips verifying the server's certificate. Everything that
	// shows the connection warns about it.
	Insecure bool `json:"insecure,omitempty"`
}

// Custom reports whether any TLS setting is made.
func (t TLS) Custom() bool { return t != TLS{} }

// isPEM reports whether a TLS field holds PEM text rather than a path.
func isPEM(v string) bool { return strings.Contains(v, "-----BEGIN ") }

// pemMarker finds the BEGIN and END lines of PEM blocks.
var pemMarker = regexp.MustCompile(`-----(BEGIN|END) [A-Z0-9 ]+-----`)

// readPEM returns the PEM bytes a TLS field names: the text itself, with
// the line breaks a one-line field turned into spaces restored, or the
// contents of the file at its path (~ is the home directory).
func readPEM(v, blockType string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if isPEM(v) {
		return normalizePEM(v), nil
	}
	if strings.Contains(v, "-----") || strings.ContainsAny(v, "\r\n") {
		// Never a path: PEM text with a damaged marker, which is not
		// echoed, since it may be a private key.
		return nil, fmt.Errorf("the text is neither PEM (which starts with -----BEGIN %s-----) nor a file's path", blockType)
	}
	path := ExpandHome(v)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no file %s", path)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%s cannot be read (permission denied)", path)
	case err != nil:
		return nil, fmt.Errorf("%s cannot be read: %v", path, err)
	}
	return b, nil
}

// normalizePEM puts every BEGIN and END marker on a line of its own and the
// base64 between them on lines of their own, which undoes a paste into a
// one-line field (line breaks turned into spaces, or dropped). A header
// line keeps its name and value together ("Proc-Type: 4,ENCRYPTED": base64
// has no colon, so a word ending in one is a header's name).
func normalizePEM(s string) []byte {
	var b strings.Builder
	last := 0
	body := func(text string) {
		fields := strings.Fields(text)
		for i := 0; i < len(fields); i++ {
			b.WriteString(fields[i])
			if strings.HasSuffix(fields[i], ":") && i+1 < len(fields) {
				i++
				b.WriteByte(' ')
				b.WriteString(fields[i])
			}
			b.WriteByte('\n')
		}
	}
	for _, loc := range pemMarker.FindAllStringIndex(s, -1) {
		body(s[last:loc[0]])
		b.WriteString(s[loc[0]:loc[1]])
		b.WriteByte('\n')
		last = loc[1]
	}
	body(s[last:])
	return []byte(b.String())
}

// tlsProblems checks the TLS settings as Send would load them, keyed by the
// command line's field names (tls_cert, tls_key, tls_ca).
func (t TLS) problems() FieldErrors {
	_, _, errs := t.load()
	return errs
}

// load builds the tls.Config of the settings, or nil when none is made,
// and a fingerprint of everything it was built from (the files' contents
// included, so an edited file is noticed).
func (t TLS) load() (*tls.Config, string, FieldErrors) {
	if !t.Custom() {
		return nil, "", nil
	}
	var errs FieldErrors
	h := sha256.New()
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.Insecure}
	fmt.Fprintf(h, "insecure=%t\n", t.Insecure)

	cert, key := strings.TrimSpace(t.Cert), strings.TrimSpace(t.Key)
	switch {
	case cert == "" && key != "":
		errs = append(errs, FieldError{"tls_cert", "a client key needs its certificate too"})
	case cert != "" && key == "":
		errs = append(errs, FieldError{"tls_key", "a client certificate needs its private key too"})
	case cert != "":
		certPEM, err := readPEM(cert, "CERTIFICATE")
		if err != nil {
			errs = append(errs, FieldError{"tls_cert", "client certificate: " + err.Error()})
		}
		keyPEM, kerr := readPEM(key, "PRIVATE KEY")
		if kerr != nil {
			errs = append(errs, FieldError{"tls_key", "private key: " + kerr.Error()})
		}
		if err != nil || kerr != nil {
			break
		}
		if msg := keyProblem(keyPEM); msg != "" {
			errs = append(errs, FieldError{"tls_key", msg})
			break
		}
		if msg := certProblem(certPEM); msg != "" {
			errs = append(errs, FieldError{"tls_cert", msg})
			break
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			errs = append(errs, FieldError{"tls_key", pairProblem(err)})
			break
		}
		cfg.Certificates = []tls.Certificate{pair}
		h.Write(certPEM)
		h.Write(keyPEM)
	}

	if ca := strings.TrimSpace(t.CA); ca != "" {
		caPEM, err := readPEM(ca, "CERTIFICATE")
		if err != nil {
			errs = append(errs, FieldError{"tls_ca", "CA bundle: " + err.Error()})
		} else {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(caPEM) {
				errs = append(errs, FieldError{"tls_ca", "the CA bundle holds no PEM certificate"})
			}
			cfg.RootCAs = pool
			h.Write(caPEM)
		}
	}
	if len(errs) > 0 {
		return nil, "", errs
	}
	return cfg, hex.EncodeToString(h.Sum(nil)), nil
}

// keyProblem says what is wrong with a private key's PEM, or "".
func keyProblem(b []byte) string {
	const encrypted = "the private key is encrypted with a passphrase, which patchbay does not keep — decrypt it first (openssl pkey -in key.pem -out key-plain.pem) and keep that file private"
	sawCert := false
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		switch {
		case block == nil && bytes.Contains(b, []byte("ENCRYPTED")):
			// An encrypted key whose headers did not survive the trip.
			return encrypted
		case block == nil && sawCert:
			return "the private key field holds a certificate, not a private key — did you swap tls_cert and tls_key?"
		case block == nil:
			return "the private key holds no PEM block (expected -----BEGIN PRIVATE KEY-----)"
		// IsEncryptedPEMBlock is deprecated for decrypting; asking is fine.
		case block.Type == "ENCRYPTED PRIVATE KEY" || x509.IsEncryptedPEMBlock(block):
			return encrypted
		case block.Type == "OPENSSH PRIVATE KEY":
			return "this is an OpenSSH key, which TLS cannot use — the private key must be PEM (-----BEGIN PRIVATE KEY-----)"
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			return ""
		case block.Type == "CERTIFICATE":
			sawCert = true
		}
	}
}

// certProblem says what is wrong with a client certificate's PEM, or "".
func certProblem(b []byte) string {
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return "the client certificate holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)"
		}
		if block.Type == "CERTIFICATE" {
			return ""
		}
	}
}

// pairProblem turns tls.X509KeyPair's error into words.
func pairProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "tls: ")
	if strings.Contains(msg, "does not match") {
		return "the private key does not belong to the client certificate"
	}
	return "the client certificate and key cannot be used: " + CleanText(msg)
}

// ExpandHome returns path with a leading ~/ replaced by the home directory,
// as a shell would: paths typed into fields are not seen by one.
func ExpandHome(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return path
}
