package connection

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
	"golang.org/x/crypto/md4"
)

// This file runs NTLM against a server that does the real exchange of
// [MS-NLMP]: it answers a NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE it
// builds itself and accepts an AUTHENTICATE_MESSAGE only when the NTLMv2
// proof in it was computed from the password the server knows. A verified
// handshake authenticates the TCP connection it came on, as IIS does.

// NegotiateFlags bits ([MS-NLMP] 2.2.2.5) the test server reads or sets.
const (
	ntlmFlagUnicode                 uint32 = 0x00000001 // A
	ntlmFlagRequestTarget           uint32 = 0x00000004 // C
	ntlmFlagLMKey                   uint32 = 0x00000080 // G
	ntlmFlagNTLM                    uint32 = 0x00000200 // H
	ntlmFlagAlwaysSign              uint32 = 0x00008000 // M
	ntlmFlagTargetTypeDomain        uint32 = 0x00010000 // N
	ntlmFlagExtendedSessionSecurity uint32 = 0x00080000 // P
	ntlmFlagTargetInfo              uint32 = 0x00800000 // S
	ntlmFlagVersion                 uint32 = 0x02000000 // T
	ntlmFlag128                     uint32 = 0x20000000 // U
	ntlmFlagKeyExch                 uint32 = 0x40000000 // V
	ntlmFlag56                      uint32 = 0x80000000 // W
)

// AvId values of the AV_PAIRs in a target info ([MS-NLMP] 2.2.2.1).
const (
	avEOL             uint16 = 0
	avNbComputerName  uint16 = 1
	avNbDomainName    uint16 = 2
	avDNSComputerName uint16 = 3
	avDNSDomainName   uint16 = 4
	avTimestamp       uint16 = 7
)

// Message types ([MS-NLMP] 2.2.1).
const (
	ntlmNegotiate    uint32 = 1
	ntlmChallenge    uint32 = 2
	ntlmAuthenticate uint32 = 3
)

var ntlmSignature = []byte("NTLMSSP\x00")

// The server's NetBIOS domain and computer, and the DNS realm of its UPNs.
const (
	testNTLMDomain   = "CORP"
	testNTLMComputer = "INTRANET"
	testNTLMRealm    = "corp.example"
)

// Passwords of the test accounts. Non-ASCII letters check that the
// password is hashed as UTF-16LE, not as UTF-8.
const (
	alicePassword = "Pässwörd-of-alice!"
	bobPassword   = "correct horse battery staple"
)

// iis401 is the kind of page IIS sends with a 401. A 401 with a body keeps
// its TCP connection busy until the body is read, which is what a real
// server makes a client cope with.
const iis401 = `<!DOCTYPE html><html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head>
<body><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2>
<h3>You do not have permission to view this directory or page using the credentials that you supplied.</h3></body></html>
`

// ---------------------------------------------------------------------------
// Wire format

// utf16le encodes s as UTF-16LE, the encoding of every NTLM string when
// NTLMSSP_NEGOTIATE_UNICODE is negotiated.
func utf16le(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return b
}

func fromUTF16LE(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("UTF-16LE string of odd length %d", len(b))
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units)), nil
}

// ntlmType checks the NTLMSSP signature of msg and returns its MessageType.
func ntlmType(msg []byte) (uint32, error) {
	if len(msg) < 12 || !bytes.Equal(msg[:8], ntlmSignature) {
		return 0, errors.New(`no "NTLMSSP\0" signature`)
	}
	return binary.LittleEndian.Uint32(msg[8:12]), nil
}

// ntlmPayload reads the payload field whose Len, MaxLen and BufferOffset
// are the 8 bytes of msg at at.
func ntlmPayload(msg []byte, at int) ([]byte, error) {
	if len(msg) < at+8 {
		return nil, fmt.Errorf("message of %d bytes ends inside the field at %d", len(msg), at)
	}
	n := int(binary.LittleEndian.Uint16(msg[at:]))
	off := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if n == 0 {
		return nil, nil
	}
	if off < 0 || off+n > len(msg) {
		return nil, fmt.Errorf("field at %d (%d bytes at offset %d) is outside the %d-byte message", at, n, off, len(msg))
	}
	return msg[off : off+n], nil
}

// putPayload writes the Len/MaxLen/BufferOffset of a payload field at at
// and returns the offset after it.
func putPayload(msg []byte, at int, off, n int) int {
	binary.LittleEndian.PutUint16(msg[at:], uint16(n))
	binary.LittleEndian.PutUint16(msg[at+2:], uint16(n))
	binary.LittleEndian.PutUint32(msg[at+4:], uint32(off))
	return off + n
}

// negotiateFlags reads the NegotiateFlags of a NEGOTIATE_MESSAGE (2.2.1.1):
// Signature, MessageType, NegotiateFlags, DomainNameFields,
// WorkstationFields, then an optional Version.
func negotiateFlags(msg []byte) (uint32, error) {
	if len(msg) < 32 {
		return 0, fmt.Errorf("NEGOTIATE_MESSAGE of %d bytes is shorter than 32", len(msg))
	}
	return binary.LittleEndian.Uint32(msg[12:16]), nil
}

type avPair struct {
	id    uint16
	value []byte
}

// targetInfo encodes pairs followed by MsvAvEOL.
func targetInfo(pairs ...avPair) []byte {
	var b []byte
	for _, p := range append(pairs, avPair{id: avEOL}) {
		b = binary.LittleEndian.AppendUint16(b, p.id)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(p.value)))
		b = append(b, p.value...)
	}
	return b
}

// parseAvPairs decodes a target info up to its MsvAvEOL.
func parseAvPairs(b []byte) (map[uint16][]byte, error) {
	pairs := map[uint16][]byte{}
	for {
		if len(b) < 4 {
			return nil, errors.New("AV_PAIR list ends without MsvAvEOL")
		}
		id, n := binary.LittleEndian.Uint16(b), int(binary.LittleEndian.Uint16(b[2:]))
		if id == avEOL {
			return pairs, nil
		}
		if len(b) < 4+n {
			return nil, fmt.Errorf("AV_PAIR %d of %d bytes overruns the list", id, n)
		}
		pairs[id] = b[4 : 4+n]
		b = b[4+n:]
	}
}

// fileTime is t as a FILETIME: 100 ns ticks since 1601-01-01 UTC.
func fileTime(t time.Time) []byte {
	const epochDelta = 116444736000000000 // 1601 to 1970, in 100 ns
	return binary.LittleEndian.AppendUint64(nil, uint64(t.UnixNano()/100+epochDelta))
}

// challengeMessage builds a CHALLENGE_MESSAGE (2.2.1.2): Signature,
// MessageType, TargetNameFields, NegotiateFlags, ServerChallenge, Reserved,
// TargetInfoFields, Version, then the payload: the target name and the
// target info.
func challengeMessage(clientFlags uint32, serverChallenge []byte, targetName string, info []byte) []byte {
	flags := ntlmFlagUnicode | ntlmFlagRequestTarget | ntlmFlagNTLM | ntlmFlagAlwaysSign |
		ntlmFlagTargetTypeDomain | ntlmFlagExtendedSessionSecurity | ntlmFlagTargetInfo | ntlmFlagVersion |
		clientFlags&(ntlmFlag128|ntlmFlag56)
	name := utf16le(targetName)
	const header = 56
	msg := make([]byte, header, header+len(name)+len(info))
	copy(msg, ntlmSignature)
	binary.LittleEndian.PutUint32(msg[8:], ntlmChallenge)
	off := putPayload(msg, 12, header, len(name))
	binary.LittleEndian.PutUint32(msg[20:], flags)
	copy(msg[24:32], serverChallenge)
	putPayload(msg, 40, off, len(info))
	// Version (2.2.2.10): Windows Server 2022, NTLMSSP_REVISION_W2K3.
	msg[48], msg[49] = 10, 0
	binary.LittleEndian.PutUint16(msg[50:], 20348)
	msg[55] = 0x0f
	msg = append(msg, name...)
	return append(msg, info...)
}

// authenticateMessage is what the server reads of an AUTHENTICATE_MESSAGE.
type authenticateMessage struct {
	flags                     uint32
	lmResponse, ntResponse    []byte
	domain, user, workstation string
}

// parseAuthenticate reads an AUTHENTICATE_MESSAGE (2.2.1.3): Signature,
// MessageType, LmChallengeResponseFields (12), NtChallengeResponseFields
// (20), DomainNameFields (28), UserNameFields (36), WorkstationFields (44),
// EncryptedRandomSessionKeyFields (52), NegotiateFlags (60), then an
// optional Version and MIC.
func parseAuthenticate(msg []byte) (authenticateMessage, error) {
	var m authenticateMessage
	if len(msg) < 64 {
		return m, fmt.Errorf("AUTHENTICATE_MESSAGE of %d bytes is shorter than 64", len(msg))
	}
	m.flags = binary.LittleEndian.Uint32(msg[60:64])
	if m.flags&ntlmFlagUnicode == 0 {
		return m, errors.New("AUTHENTICATE_MESSAGE is not Unicode")
	}
	var err error
	if m.lmResponse, err = ntlmPayload(msg, 12); err != nil {
		return m, err
	}
	if m.ntResponse, err = ntlmPayload(msg, 20); err != nil {
		return m, err
	}
	for at, dst := range map[int]*string{28: &m.domain, 36: &m.user, 44: &m.workstation} {
		b, err := ntlmPayload(msg, at)
		if err != nil {
			return m, err
		}
		if *dst, err = fromUTF16LE(b); err != nil {
			return m, err
		}
	}
	return m, nil
}

// ntowfv2 is NTOWFv2 ([MS-NLMP] 3.3.2):
// HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(ConcatenationOf(Uppercase(User), UserDom))).
func ntowfv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	return hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(user)+domain))
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	mac := hmac.New(md5.New, key)
	for _, d := range data {
		mac.Write(d)
	}
	return mac.Sum(nil)
}

// verifyNTLMv2 checks an NTLMv2 NtChallengeResponse (2.2.2.8): its first 16
// bytes are NTProofStr = HMAC_MD5(NTOWFv2, ServerChallenge ‖ blob), and the
// rest is the blob, an NTLMv2_CLIENT_CHALLENGE (2.2.2.7) that starts with
// RespType 1, HiRespType 1 and ends with the AV pairs the client echoes.
// It says why the response is refused, or "" when it is valid.
func verifyNTLMv2(password, user, domain string, serverChallenge, ntResponse []byte) (blobPairs map[uint16][]byte, why string) {
	if len(ntResponse) == 24 {
		return nil, "an NTLMv1 response"
	}
	// NTProofStr, then RespType, HiRespType, 6 reserved bytes, TimeStamp,
	// ChallengeFromClient, 4 reserved bytes and at least MsvAvEOL.
	if len(ntResponse) < 16+28+4 {
		return nil, fmt.Sprintf("an NtChallengeResponse of %d bytes", len(ntResponse))
	}
	proof, blob := ntResponse[:16], ntResponse[16:]
	if blob[0] != 1 || blob[1] != 1 {
		return nil, fmt.Sprintf("blob of RespType %d.%d", blob[0], blob[1])
	}
	want := hmacMD5(ntowfv2(password, user, domain), serverChallenge, blob)
	if !hmac.Equal(proof, want) {
		return nil, "NTProofStr does not match"
	}
	pairs, err := parseAvPairs(blob[28:])
	if err != nil {
		return nil, "blob: " + err.Error()
	}
	return pairs, ""
}

// ---------------------------------------------------------------------------
// The server

// ntlmStep is what one request did to the server, or what it answered.
type ntlmStep string

const (
	stepAnonymous    ntlmStep = "anonymous"    // no Authorization on an unauthenticated connection: 401 NTLM
	stepOtherAuth    ntlmStep = "other-auth"   // Authorization of another scheme (Basic): 401
	stepMalformed    ntlmStep = "malformed"    // an NTLM token that is not a message: 401
	stepNegotiate    ntlmStep = "negotiate"    // type 1 received
	stepChallenge    ntlmStep = "challenge"    // type 2 sent in answer
	stepAuthenticate ntlmStep = "authenticate" // type 3 received; verified or not
	stepServed       ntlmStep = "served"       // no Authorization on an authenticated connection: served as its user
)

// ntlmEvent is one step the server saw or took.
type ntlmEvent struct {
	conn         int // TCP connection, numbered from 1 in accept order
	step         ntlmStep
	method, path string
	header       http.Header
	body         string

	// negotiate and challenge
	flags uint32

	// authenticate, and served: who the connection is authenticated as
	user, domain, workstation string
	verified                  bool
	why                       string // why an authenticate was refused
}

// ntlmIdentity is who a connection is authenticated as, as the client
// wrote it.
type ntlmIdentity struct{ user, domain string }

// ntlmTCPConn is the server's state of one TCP connection.
type ntlmTCPConn struct {
	id     int
	closed chan struct{} // closed when the TCP connection is
	// guarded by ntlmServer.mu
	challenge []byte        // the outstanding ServerChallenge; used once
	who       *ntlmIdentity // set once a handshake verified
}

type ntlmConnKey struct{}

// ntlmServer is an HTTP server that wants NTLM, over one httptest server.
type ntlmServer struct {
	*httptest.Server
	accounts map[string]string // user name, lower case → password

	// serve answers a request on an authenticated connection; nil says who
	// the caller is.
	serve func(w http.ResponseWriter, r *http.Request, who ntlmIdentity, body []byte)

	mu       sync.Mutex
	conns    map[net.Conn]*ntlmTCPConn // open ones
	byID     map[int]*ntlmTCPConn
	accepted int // TCP connections so far
	open     int // TCP connections open now
	maxOpen  int
	events   []ntlmEvent
}

// newNTLMServer starts an NTLM server that knows alice and bob of CORP.
// serve, if not nil, answers the authenticated requests.
func newNTLMServer(t *testing.T, serve func(w http.ResponseWriter, r *http.Request, who ntlmIdentity, body []byte)) *ntlmServer {
	t.Helper()
	s := &ntlmServer{
		accounts: map[string]string{"alice": alicePassword, "bob": bobPassword},
		serve:    serve,
		conns:    map[net.Conn]*ntlmTCPConn{},
		byID:     map[int]*ntlmTCPConn{},
	}
	srv := httptest.NewUnstartedServer(s)
	// ConnContext runs in the accept loop, before the connection's first
	// request, so every request finds its connection's state.
	srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.accepted++
		tc := &ntlmTCPConn{id: s.accepted, closed: make(chan struct{})}
		s.conns[c] = tc
		s.byID[tc.id] = tc
		s.open++
		s.maxOpen = max(s.maxOpen, s.open)
		return context.WithValue(ctx, ntlmConnKey{}, tc)
	}
	srv.Config.ConnState = func(c net.Conn, state http.ConnState) {
		if state != http.StateClosed && state != http.StateHijacked {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if tc, ok := s.conns[c]; ok {
			delete(s.conns, c)
			s.open--
			close(tc.closed)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s.Server = srv
	return s
}

func (s *ntlmServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := r.Context().Value(ntlmConnKey{}).(*ntlmTCPConn)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ev := ntlmEvent{conn: c.id, method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: string(body)}

	auth := r.Header.Get("Authorization")
	if auth == "" {
		s.mu.Lock()
		who := c.who
		s.mu.Unlock()
		if who == nil {
			ev.step = stepAnonymous
			s.record(ev)
			s.unauthorized(w, "Negotiate", "NTLM")
			return
		}
		ev.step, ev.user, ev.domain, ev.verified = stepServed, who.user, who.domain, true
		s.record(ev)
		s.answer(w, r, *who, body)
		return
	}
	scheme, token, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "NTLM") {
		ev.step = stepOtherAuth
		s.record(ev)
		s.unauthorized(w, "NTLM")
		return
	}
	msg, err := base64.StdEncoding.DecodeString(token)
	var typ uint32
	if err == nil {
		typ, err = ntlmType(msg)
	}
	switch {
	case err != nil:
		ev.step, ev.why = stepMalformed, err.Error()
	case typ == ntlmNegotiate:
		s.negotiate(w, c, msg, ev)
		return
	case typ == ntlmAuthenticate:
		s.authenticate(w, r, c, msg, body, ev)
		return
	default:
		ev.step, ev.why = stepMalformed, fmt.Sprintf("message type %d", typ)
	}
	s.record(ev)
	s.unauthorized(w, "NTLM")
}

// negotiate answers a NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE and keeps
// the challenge on the connection. A new handshake on an authenticated
// connection starts over.
func (s *ntlmServer) negotiate(w http.ResponseWriter, c *ntlmTCPConn, msg []byte, ev ntlmEvent) {
	ev.step = stepNegotiate
	flags, err := negotiateFlags(msg)
	switch {
	case err != nil:
		ev.step, ev.why = stepMalformed, err.Error()
	case flags&ntlmFlagUnicode == 0 || flags&ntlmFlagNTLM == 0:
		ev.why = fmt.Sprintf("flags %#08x lack UNICODE or NTLM", flags)
	}
	ev.flags = flags
	s.record(ev)
	if ev.why != "" {
		s.unauthorized(w, "NTLM")
		return
	}

	serverChallenge := make([]byte, 8)
	rand.Read(serverChallenge)
	info := targetInfo(
		avPair{avNbDomainName, utf16le(testNTLMDomain)},
		avPair{avNbComputerName, utf16le(testNTLMComputer)},
		avPair{avDNSDomainName, utf16le(testNTLMRealm)},
		avPair{avDNSComputerName, utf16le(strings.ToLower(testNTLMComputer) + "." + testNTLMRealm)},
		avPair{avTimestamp, fileTime(time.Now())},
	)
	challenge := challengeMessage(flags, serverChallenge, testNTLMDomain, info)

	s.mu.Lock()
	c.challenge, c.who = serverChallenge, nil
	s.mu.Unlock()
	s.record(ntlmEvent{conn: c.id, step: stepChallenge, method: ev.method, path: ev.path, flags: binary.LittleEndian.Uint32(challenge[20:])})
	s.unauthorized(w, "NTLM "+base64.StdEncoding.EncodeToString(challenge))
}

// authenticate verifies an AUTHENTICATE_MESSAGE against the challenge of
// its connection: on success the connection is authenticated and the
// request served.
func (s *ntlmServer) authenticate(w http.ResponseWriter, r *http.Request, c *ntlmTCPConn, msg, body []byte, ev ntlmEvent) {
	ev.step = stepAuthenticate
	s.mu.Lock()
	serverChallenge := c.challenge
	c.challenge = nil // a challenge answers one AUTHENTICATE_MESSAGE
	s.mu.Unlock()

	m, err := parseAuthenticate(msg)
	ev.user, ev.domain, ev.workstation = m.user, m.domain, m.workstation
	switch password, known := s.password(m.user, m.domain); {
	case err != nil:
		ev.why = err.Error()
	case serverChallenge == nil:
		ev.why = "no challenge was issued on this TCP connection"
	case !known:
		ev.why = "unknown account"
	default:
		pairs, why := verifyNTLMv2(password, m.user, m.domain, serverChallenge, m.ntResponse)
		ev.why = why
		if why == "" && string(pairs[avNbDomainName]) != string(utf16le(testNTLMDomain)) {
			ev.why = "the blob does not echo the server's target info"
		}
	}
	ev.verified = ev.why == ""
	s.record(ev)
	if !ev.verified {
		s.unauthorized(w, "NTLM")
		return
	}
	who := ntlmIdentity{user: m.user, domain: m.domain}
	s.mu.Lock()
	c.who = &who
	s.mu.Unlock()
	s.answer(w, r, who, body)
}

// password looks up the account a user and domain name: CORP\alice,
// alice@corp.example (no domain) or alice of a local name.
func (s *ntlmServer) password(user, domain string) (string, bool) {
	if name, realm, ok := strings.Cut(user, "@"); ok && domain == "" {
		if !strings.EqualFold(realm, testNTLMRealm) {
			return "", false
		}
		user = name
	} else if !strings.EqualFold(domain, testNTLMDomain) {
		return "", false
	}
	p, ok := s.accounts[strings.ToLower(user)]
	return p, ok
}

func (s *ntlmServer) answer(w http.ResponseWriter, r *http.Request, who ntlmIdentity, body []byte) {
	if s.serve != nil {
		s.serve(w, r, who, body)
		return
	}
	fmt.Fprintf(w, "authenticated as user=%s domain=%s", who.user, who.domain)
}

// unauthorized answers 401 with one WWW-Authenticate per challenge, and a
// page, as IIS does.
func (s *ntlmServer) unauthorized(w http.ResponseWriter, challenges ...string) {
	for _, c := range challenges {
		w.Header().Add("WWW-Authenticate", c)
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusUnauthorized)
	io.WriteString(w, iis401)
}

func (s *ntlmServer) record(ev ntlmEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, ev)
}

// log returns every step so far.
func (s *ntlmServer) log() []ntlmEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ntlmEvent(nil), s.events...)
}

// steps returns the steps so far that are one of steps.
func (s *ntlmServer) steps(steps ...ntlmStep) []ntlmEvent {
	var out []ntlmEvent
	for _, ev := range s.log() {
		for _, st := range steps {
			if ev.step == st {
				out = append(out, ev)
			}
		}
	}
	return out
}

// handshakes counts the verified AUTHENTICATE_MESSAGEs.
func (s *ntlmServer) handshakes() int {
	n := 0
	for _, ev := range s.steps(stepAuthenticate) {
		if ev.verified {
			n++
		}
	}
	return n
}

// connCounts returns how many TCP connections the server accepted, and the
// most that were open at once.
func (s *ntlmServer) connCounts() (accepted, maxOpen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted, s.maxOpen
}

// waitClosed waits until the client closes TCP connection id.
func (s *ntlmServer) waitClosed(t *testing.T, id int) {
	t.Helper()
	s.mu.Lock()
	c := s.byID[id]
	s.mu.Unlock()
	select {
	case <-c.closed:
	case <-time.After(10 * time.Second):
		t.Errorf("TCP connection %d is still open", id)
	}
}

// dump is the log as lines, for failure messages.
func (s *ntlmServer) dump() string {
	var b strings.Builder
	for _, ev := range s.log() {
		fmt.Fprintf(&b, "\n  conn %d %-12s %s %s", ev.conn, ev.step, ev.method, ev.path)
		if ev.user != "" || ev.domain != "" {
			fmt.Fprintf(&b, " user=%q domain=%q", ev.user, ev.domain)
		}
		if ev.step == stepAuthenticate {
			fmt.Fprintf(&b, " verified=%t", ev.verified)
		}
		if ev.why != "" {
			fmt.Fprintf(&b, " (%s)", ev.why)
		}
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// Helpers

// ntlmTestID numbers the test connections, away from the ids other tests
// use; each test forgets its connections' transports when it ends.
var ntlmTestID uint64 = 0x4e544c4d << 16

func ntlmConnection(t *testing.T, baseURL, user, domain, password string) Connection {
	t.Helper()
	ntlmTestID++
	id := ntlmTestID
	t.Cleanup(func() { Forget(id) })
	return Connection{
		ID:      id,
		Name:    "Intranet",
		BaseURL: baseURL,
		Auth:    Auth{Type: AuthNTLM, Username: user, Password: password, Domain: domain},
		// Bounds a test that would otherwise hang on a deadlocked pool.
		Timeout: 10 * time.Second,
	}
}

// checkOneHandshake checks that the server saw exactly one handshake, all
// of it on one TCP connection: negotiate → challenge → authenticate, the
// last verified for user of domain.
func checkOneHandshake(t *testing.T, srv *ntlmServer, user, domain string) {
	t.Helper()
	hs := srv.steps(stepNegotiate, stepChallenge, stepAuthenticate)
	if len(hs) != 3 || hs[0].step != stepNegotiate || hs[1].step != stepChallenge || hs[2].step != stepAuthenticate {
		t.Fatalf("handshake steps are not negotiate → challenge → authenticate:%s", srv.dump())
	}
	if hs[0].conn != hs[1].conn || hs[1].conn != hs[2].conn {
		t.Errorf("handshake spread over TCP connections %d, %d, %d; NTLM authenticates one connection:%s", hs[0].conn, hs[1].conn, hs[2].conn, srv.dump())
	}
	auth := hs[2]
	if !auth.verified {
		t.Errorf("the NTLMv2 proof was refused (%s):%s", auth.why, srv.dump())
	}
	if auth.user != user || auth.domain != domain {
		t.Errorf("AUTHENTICATE_MESSAGE names user %q domain %q, want %q %q", auth.user, auth.domain, user, domain)
	}
	if hs[0].flags&(ntlmFlagUnicode|ntlmFlagNTLM) != ntlmFlagUnicode|ntlmFlagNTLM {
		t.Errorf("NEGOTIATE_MESSAGE flags %#08x lack UNICODE or NTLM", hs[0].flags)
	}
}

// ---------------------------------------------------------------------------
// The server itself

// The server's verifier reproduces the NTLMv2 example of [MS-NLMP] 4.2.4
// (User, Domain, Password; server challenge 0123456789abcdef, client
// challenge aaaaaaaaaaaaaaaa, time zero), so a handshake it accepts is
// a correct one, not merely one that agrees with go-ntlmssp.
func TestNTLMServerVerifiesSpecExample(t *testing.T) {
	if got, want := hex.EncodeToString(ntowfv2("Password", "User", "Domain")), "0c868a403bfd7a93a3001ef22ef02e3f"; got != want {
		t.Fatalf("NTOWFv2 = %s, want %s (MS-NLMP 4.2.4.1.1)", got, want)
	}
	serverChallenge, _ := hex.DecodeString("0123456789abcdef")
	info := targetInfo(avPair{avNbDomainName, utf16le("Domain")}, avPair{avNbComputerName, utf16le("Server")})
	blob := []byte{1, 1, 0, 0, 0, 0, 0, 0}
	blob = append(blob, make([]byte, 8)...)               // TimeStamp 0
	blob = append(blob, bytes.Repeat([]byte{0xaa}, 8)...) // ChallengeFromClient
	blob = append(blob, 0, 0, 0, 0)
	blob = append(blob, info...)
	blob = append(blob, 0, 0, 0, 0)
	proof := hmacMD5(ntowfv2("Password", "User", "Domain"), serverChallenge, blob)
	if got, want := hex.EncodeToString(proof), "68cd0ab851e51c96aabc927bebef6a1c"; got != want {
		t.Fatalf("NTProofStr = %s, want %s (MS-NLMP 4.2.4.2.2)", got, want)
	}
	response := append(proof, blob...)
	if _, why := verifyNTLMv2("Password", "User", "Domain", serverChallenge, response); why != "" {
		t.Errorf("the spec's response is refused: %s", why)
	}
	if _, why := verifyNTLMv2("password", "User", "Domain", serverChallenge, response); why == "" {
		t.Error("a response is accepted with the wrong password")
	}
	if _, why := verifyNTLMv2("Password", "User", "Other", serverChallenge, response); why == "" {
		t.Error("a response is accepted for the wrong domain")
	}
	other := bytes.Clone(serverChallenge)
	other[0] ^= 1
	if _, why := verifyNTLMv2("Password", "User", "Domain", other, response); why == "" {
		t.Error("a response is accepted for another server challenge")
	}
}

// ---------------------------------------------------------------------------
// Through Send

// Send answers the server's NTLM challenge with a verified NTLMv2 response,
// whichever way the user writes the account.
func TestNTLMHandshake(t *testing.T) {
	for _, tc := range []struct {
		name, username, domain string
		wantUser, wantDomain   string // as the AUTHENTICATE_MESSAGE carries them
	}{
		{"domain field", "alice", "CORP", "alice", "CORP"},
		{`DOMAIN\user`, `CORP\alice`, "", "alice", "CORP"},
		{`DOMAIN\user and a domain`, `CORP\alice`, "OTHER", "alice", "CORP"},
		{"user@realm", "alice@corp.example", "", "alice@corp.example", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newNTLMServer(t, nil)
			conn := ntlmConnection(t, srv.URL, tc.username, tc.domain, alicePassword)
			resp := mustSend(t, conn, Request{URL: "/reports"})
			if resp.Status != http.StatusOK {
				t.Fatalf("status %s, want 200:%s", resp.StatusText, srv.dump())
			}
			if want := fmt.Sprintf("authenticated as user=%s domain=%s", tc.wantUser, tc.wantDomain); string(resp.Body) != want {
				t.Errorf("body %q, want %q", resp.Body, want)
			}
			checkOneHandshake(t, srv, tc.wantUser, tc.wantDomain)
			if n := len(srv.steps(stepOtherAuth)); n != 0 {
				t.Errorf("the server got %d requests with another scheme (Basic?):%s", n, srv.dump())
			}
		})
	}
}

// A wrong password is a 401, which Test calls rejected credentials; the
// server did get an AUTHENTICATE_MESSAGE and refused its proof.
func TestNTLMWrongPassword(t *testing.T) {
	srv := newNTLMServer(t, nil)
	conn := ntlmConnection(t, srv.URL, "alice", "CORP", "not-"+alicePassword)

	resp := mustSend(t, conn, Request{URL: "/reports"})
	if resp.Status != http.StatusUnauthorized {
		t.Fatalf("status %s, want 401:%s", resp.StatusText, srv.dump())
	}
	auths := srv.steps(stepAuthenticate)
	if len(auths) != 1 || auths[0].verified || auths[0].why != "NTProofStr does not match" || auths[0].user != "alice" {
		t.Fatalf("want one refused AUTHENTICATE_MESSAGE of alice, whose proof does not match:%s", srv.dump())
	}

	v := Test(context.Background(), conn)
	if v.OK {
		t.Fatalf("Test passed with a wrong password: %s", v.Reason)
	}
	if want := "401 Unauthorized — the server rejected the credentials of connection 'Intranet'"; v.Reason != want {
		t.Errorf("verdict %q, want %q", v.Reason, want)
	}
	if v.Response == nil || v.Response.Status != http.StatusUnauthorized {
		t.Errorf("verdict response %+v, want the 401", v.Response)
	}
	if n := srv.handshakes(); n != 0 {
		t.Errorf("%d handshakes verified with a wrong password", n)
	}
}

// NTLM authenticates a TCP connection: a second Send rides the kept-alive
// authenticated connection without a new handshake. Forget closes that
// connection, and the next Send starts over on a new one.
func TestNTLMKeepAlive(t *testing.T) {
	srv := newNTLMServer(t, nil)
	conn := ntlmConnection(t, srv.URL, "alice", "CORP", alicePassword)

	for _, path := range []string{"/first", "/second"} {
		if resp := mustSend(t, conn, Request{URL: path}); resp.Status != http.StatusOK {
			t.Fatalf("%s: status %s, want 200:%s", path, resp.StatusText, srv.dump())
		}
	}
	checkOneHandshake(t, srv, "alice", "CORP")
	auth := srv.steps(stepAuthenticate)[0]
	served := srv.steps(stepServed)
	if len(served) != 1 || served[0].path != "/second" || served[0].conn != auth.conn || served[0].user != "alice" {
		t.Errorf("/second was not served on the authenticated connection %d without a handshake:%s", auth.conn, srv.dump())
	}
	if accepted, _ := srv.connCounts(); accepted != 1 {
		t.Errorf("two sends opened %d TCP connections, want 1 (a handshake must not need a second connection):%s", accepted, srv.dump())
	}

	Forget(conn.ID)
	srv.waitClosed(t, auth.conn)
	if resp := mustSend(t, conn, Request{URL: "/third"}); resp.Status != http.StatusOK {
		t.Fatalf("/third: status %s, want 200:%s", resp.StatusText, srv.dump())
	}
	auths := srv.steps(stepAuthenticate)
	if len(auths) != 2 || !auths[1].verified || auths[1].path != "/third" {
		t.Fatalf("after Forget, /third did not handshake again:%s", srv.dump())
	}
	if auths[1].conn == auth.conn {
		t.Errorf("after Forget, /third used the old TCP connection %d", auth.conn)
	}
}

// The Negotiator resends a POST's body with each message of the handshake:
// the request that authenticates reaches the handler with all of it.
func TestNTLMPostBody(t *testing.T) {
	srv := newNTLMServer(t, func(w http.ResponseWriter, r *http.Request, who ntlmIdentity, body []byte) {
		fmt.Fprintf(w, "%s got %d bytes of %s", who.user, len(body), r.Header.Get("Content-Type"))
	})
	conn := ntlmConnection(t, srv.URL, "alice", "CORP", alicePassword)
	body := bytes.Repeat([]byte(`{"line":"0123456789abcdef"},`), 4096) // 112 KiB

	resp := mustSend(t, conn, Request{
		Method:  http.MethodPost,
		URL:     "/upload",
		Headers: []KV{{Key: "Content-Type", Value: "application/json"}},
		Body:    body,
	})
	if resp.Status != http.StatusOK {
		t.Fatalf("status %s, want 200:%s", resp.StatusText, srv.dump())
	}
	if want := fmt.Sprintf("alice got %d bytes of application/json", len(body)); string(resp.Body) != want {
		t.Errorf("handler said %q, want %q", resp.Body, want)
	}
	checkOneHandshake(t, srv, "alice", "CORP")
	auth := srv.steps(stepAuthenticate)[0]
	if auth.method != http.MethodPost || auth.body != string(body) {
		t.Errorf("the authenticated request was %s with %d bytes, want POST with the %d-byte body", auth.method, len(auth.body), len(body))
	}
	if !bytes.Equal(resp.Request.Body, body) {
		t.Errorf("SentRequest body has %d bytes, want %d", len(resp.Request.Body), len(body))
	}
}

// Two NTLM connections to one server never share a TCP connection: every
// request is served as the user whose connection sent it.
func TestNTLMConnectionsIsolated(t *testing.T) {
	srv := newNTLMServer(t, nil)
	alice := ntlmConnection(t, srv.URL, "alice", "CORP", alicePassword)
	bob := ntlmConnection(t, srv.URL, "bob", "CORP", bobPassword)

	for i, c := range []Connection{alice, bob, alice, bob, bob, alice} {
		user := c.Auth.Username
		resp := mustSend(t, c, Request{URL: "/whoami", Headers: []KV{{Key: "X-Sent-By", Value: user}}})
		if want := "authenticated as user=" + user + " domain=CORP"; resp.Status != http.StatusOK || string(resp.Body) != want {
			t.Fatalf("send %d as %s: %s %q, want 200 %q:%s", i, user, resp.StatusText, resp.Body, want, srv.dump())
		}
	}
	for _, ev := range srv.steps(stepServed, stepAuthenticate) {
		if sentBy := ev.header.Get("X-Sent-By"); ev.verified && sentBy != ev.user {
			t.Errorf("%s's request was served on TCP connection %d, authenticated as %s:%s", sentBy, ev.conn, ev.user, srv.dump())
		}
	}
	if n := srv.handshakes(); n != 2 {
		t.Errorf("%d handshakes, want 2 (one per connection, then kept alive):%s", n, srv.dump())
	}
}

// With ConnsPerHost 2, six concurrent sends share two TCP connections: the
// others wait for one, never open a third. The handler holds each
// authenticated request until the test lets it go.
func TestNTLMPoolSize(t *testing.T) {
	const sends, limit = 6, 2
	arrived := make(chan int, sends) // a held request's TCP connection
	release := make(chan struct{})   // lets one held request go
	stop := make(chan struct{})      // lets every held request go, when the test ends
	srv := newNTLMServer(t, func(w http.ResponseWriter, r *http.Request, who ntlmIdentity, body []byte) {
		c := r.Context().Value(ntlmConnKey{}).(*ntlmTCPConn)
		arrived <- c.id
		select {
		case <-release:
		case <-stop:
		}
		fmt.Fprintf(w, "done on %d", c.id)
	})
	t.Cleanup(func() { close(stop) }) // before the server closes
	conn := ntlmConnection(t, srv.URL, "alice", "CORP", alicePassword)
	conn.Auth.ConnsPerHost = limit

	type result struct {
		resp Response
		err  error
	}
	results := make(chan result, sends)
	for range sends {
		go func() {
			resp, err := Send(context.Background(), conn, Request{URL: "/slow"})
			results <- result{resp, err}
		}()
	}

	var got []result
	check := func(r result) {
		if r.err != nil || r.resp.Status != http.StatusOK {
			t.Fatalf("a send failed: %v %s:%s", r.err, r.resp.StatusText, srv.dump())
		}
		got = append(got, r)
	}
	// waitArrival waits for the next request to be held, collecting the
	// sends that finish meanwhile, and checks the connections then.
	waitArrival := func() {
		for {
			select {
			case <-arrived:
				if accepted, maxOpen := srv.connCounts(); accepted > limit || maxOpen > limit {
					t.Fatalf("%d TCP connections accepted, %d open at once; want at most %d:%s", accepted, maxOpen, limit, srv.dump())
				}
				return
			case r := <-results:
				check(r)
			}
		}
	}

	// Fill the pool: two requests held, on two connections; the other
	// sends must wait for one of them.
	for range limit {
		waitArrival()
	}
	// Let them go one at a time: each freed connection takes the next send.
	for i := range sends {
		release <- struct{}{}
		if i < sends-limit {
			waitArrival()
		}
	}
	for len(got) < sends {
		check(<-results)
	}

	accepted, maxOpen := srv.connCounts()
	if accepted > limit || maxOpen > limit {
		t.Errorf("%d concurrent sends opened %d TCP connections, %d at once; want at most %d:%s", sends, accepted, maxOpen, limit, srv.dump())
	}
	if n := srv.handshakes(); n != accepted {
		t.Errorf("%d handshakes on %d TCP connections; each connection authenticates once:%s", n, accepted, srv.dump())
	}
}

// A server that does not ask for NTLM never sees the credentials: no
// Authorization at all, even when it asks for Basic instead.
func TestNTLMServerWithoutNTLM(t *testing.T) {
	var (
		mu   sync.Mutex
		auth []string // the Authorization of every request
	)
	bin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		httpbin.New().ServeHTTP(w, r)
	}))
	t.Cleanup(bin.Close)
	conn := ntlmConnection(t, bin.URL, "alice", "CORP", alicePassword)

	resp := mustSend(t, conn, Request{URL: "/get"})
	if resp.Status != http.StatusOK {
		t.Fatalf("/get: status %s", resp.StatusText)
	}
	if got := parseEcho(t, resp).header("Authorization"); got != "" {
		t.Errorf("a server that asked for nothing received Authorization %q", got)
	}

	// httpbin's /basic-auth/USER/PASSWORD answers 401 Basic, and 200 to
	// exactly those credentials: the NTLM connection must not give them.
	path := "/basic-auth/" + url.PathEscape(`CORP\alice`) + "/" + url.PathEscape(alicePassword)
	resp = mustSend(t, conn, Request{URL: path})
	if resp.Status != http.StatusUnauthorized {
		t.Errorf("a server asking for Basic got %s, want 401: the password went out as Basic", resp.StatusText)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(auth) != 2 {
		t.Errorf("the server got %d requests, want 2", len(auth))
	}
	for i, a := range auth {
		if a != "" {
			t.Errorf("request %d carried Authorization %q", i, a)
		}
	}
}

// A redirect to another host takes no credentials along: the other host,
// which would gladly do NTLM, gets a request without Authorization and
// no handshake.
func TestNTLMRedirectToOtherHost(t *testing.T) {
	other := newNTLMServer(t, nil)
	srv := newNTLMServer(t, func(w http.ResponseWriter, r *http.Request, who ntlmIdentity, body []byte) {
		http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
	})
	conn := ntlmConnection(t, srv.URL, "alice", "CORP", alicePassword)

	resp := mustSend(t, conn, Request{URL: "/elsewhere"})
	if resp.Status != http.StatusUnauthorized {
		t.Errorf("status %s, want the other host's 401", resp.StatusText)
	}
	checkOneHandshake(t, srv, "alice", "CORP")
	log := other.log()
	if len(log) != 1 || log[0].step != stepAnonymous || log[0].path != "/landing" {
		t.Fatalf("the other host saw more than one request without Authorization:%s", other.dump())
	}
	if h := log[0].header.Get("Authorization"); h != "" {
		t.Errorf("the other host received Authorization %q", h)
	}
}

// The request as sent holds the password in no form: not as typed, not
// in the Basic header the Negotiator reads it from, not as its NT hash.
func TestNTLMSentRequestHasNoPassword(t *testing.T) {
	srv := newNTLMServer(t, nil)
	conn := ntlmConnection(t, srv.URL, "alice", "CORP", alicePassword)
	resp := mustSend(t, conn, Request{URL: "/reports?q=1", Headers: []KV{{Key: "Accept", Value: "text/plain"}}})
	if resp.Status != http.StatusOK {
		t.Fatalf("status %s, want 200:%s", resp.StatusText, srv.dump())
	}

	nt := md4.New()
	nt.Write(utf16le(alicePassword))
	forms := map[string]string{
		"as typed":                 alicePassword,
		"URL-escaped":              url.QueryEscape(alicePassword),
		"base64":                   base64.StdEncoding.EncodeToString([]byte(alicePassword)),
		`Basic of CORP\alice`:      base64.StdEncoding.EncodeToString([]byte(`CORP\alice:` + alicePassword)),
		"Basic of alice":           base64.StdEncoding.EncodeToString([]byte("alice:" + alicePassword)),
		"NT hash":                  hex.EncodeToString(nt.Sum(nil)),
		"NTOWFv2":                  hex.EncodeToString(ntowfv2(alicePassword, "alice", "CORP")),
		"UTF-16LE, base64-encoded": base64.StdEncoding.EncodeToString(utf16le(alicePassword)),
	}
	js, err := json.Marshal(resp.Request)
	if err != nil {
		t.Fatal(err)
	}
	shown := string(js) + fmt.Sprintf("%+v", resp.Request)
	for form, s := range forms {
		if strings.Contains(shown, s) {
			t.Errorf("SentRequest holds the password %s: %s", form, shown)
		}
	}
	auth, ok := HeaderValue(resp.Request.Headers, "Authorization")
	if ok && auth != Redacted {
		t.Errorf("SentRequest Authorization is %q, want %q", auth, Redacted)
	}
}
