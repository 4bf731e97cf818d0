package connection

import (
	"strings"
	"testing"
)

func TestRedactRemembered(t *testing.T) {
	RememberSecrets("hunter2-long", "ab") // too short to redact safely everywhere
	got := RedactRemembered("panic: password hunter2-long in ab")
	if strings.Contains(got, "hunter2-long") || !strings.Contains(got, Redacted) {
		t.Errorf("RedactRemembered = %q", got)
	}
	if !strings.Contains(got, " ab") {
		t.Errorf("a 2-byte secret rewrote ordinary text: %q", got)
	}
}
