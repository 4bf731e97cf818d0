package connection

// ErrorKind classifies why a request failed, so callers can pick words and
// exit codes.
type ErrorKind int

// Kinds of failure.
const (
	KindInvalid     ErrorKind = iota + 1 // the request or connection is wrong: bad URL, other host
	KindUnreachable                      // DNS failure, connection refused, network down
	KindTLS                              // handshake or certificate failure
	KindTimeout                          // the connection's timeout or a deadline passed
	KindCanceled                         // the caller canceled (esc)
	KindProtocol                         // the server broke HTTP, too many redirects
)

// String names the kind in a word or two.
func (k ErrorKind) String() string {
	switch k {
	case KindInvalid:
		return "invalid request"
	case KindUnreachable:
		return "unreachable"
	case KindTLS:
		return "TLS failure"
	case KindTimeout:
		return "timeout"
	case KindCanceled:
		return "canceled"
	case KindProtocol:
		return "protocol error"
	}
	return "error"
}

// Error is a failed request: a Kind, a Reason in plain words for the user
// ("connection refused — nothing is listening on 127.0.0.1:9"), and the
// cause, whose text has been redacted. Unwrap gives the cause.
type Error struct {
	Kind   ErrorKind
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Reason }
func (e *Error) Unwrap() error { return e.Err }
