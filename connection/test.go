package connection

import "context"

// Verdict is the outcome of testing a connection, in plain words.
type Verdict struct {
	OK       bool
	Reason   string    // "connected — 200 OK from GET https://api.example.com/me", "401 Unauthorized — the server rejected the credentials of connection 'Jira'"
	Response *Response // nil when nothing came back
}

// Test sends GET to the connection's TestPath (default: the base URL) and
// judges the result: 2xx and 3xx pass; 401 is bad credentials, 403 no
// permission, 404 a wrong test path or base URL, 5xx a server failure;
// transport errors are unreachable, TLS or timeout.
func Test(ctx context.Context, conn Connection) Verdict {
	panic("TODO")
}
