package connection

import "sync"

// The secrets this process has handled, for the one place that cannot ask a
// connection: the crash handler, which must redact a panic message and
// stack without knowing which connection was in use. Send and Test add the
// secrets of the connections they use. This is process-wide on purpose and
// only ever grows; it holds nothing the process did not already hold.
var remembered struct {
	sync.Mutex
	secrets map[string]bool
}

// RememberSecrets adds values to the process's set of known secrets.
func RememberSecrets(values ...string) {
	remembered.Lock()
	defer remembered.Unlock()
	if remembered.secrets == nil {
		remembered.secrets = map[string]bool{}
	}
	for _, v := range values {
		if len(v) >= minRedactLen {
			remembered.secrets[v] = true
		}
	}
}

// RedactRemembered replaces every secret this process has handled with
// Redacted in s.
func RedactRemembered(s string) string {
	remembered.Lock()
	all := make([]string, 0, len(remembered.secrets))
	for v := range remembered.secrets {
		all = append(all, v)
	}
	remembered.Unlock()
	return newRedactor(all).text(s)
}
