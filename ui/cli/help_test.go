package cli

import (
	"slices"
	"strings"
	"testing"
)

// Every command's help ends with examples, and every example runs a
// command patchbay has.
func TestHelpHasExamples(t *testing.T) {
	known := append(slices.Clone(commands), "")
	for _, topic := range []string{"", "run", "list", "history", "connection", "connection add", "action",
		"demo", "backup", "compact", "export", "import", "completion", "listen"} {
		r := must(t, newDB(t), append([]string{"help"}, strings.Fields(topic)...)...)
		_, examples, ok := strings.Cut(r.stdout, "\nExample")
		if !ok {
			t.Errorf("help %s has no examples", topic)
			continue
		}
		n := 0
		for line := range strings.SplitSeq(examples, "\n") {
			line, _, _ = strings.Cut(line, "#")
			words := strings.Fields(line)
			if len(words) == 0 || words[0] != "patchbay" {
				continue
			}
			n++
			cmd := ""
			for i := 1; i < len(words); i++ {
				if words[i] == "--db" {
					i++
					continue
				}
				if !strings.HasPrefix(words[i], "-") {
					cmd = words[i]
					break
				}
			}
			if !slices.Contains(known, cmd) {
				t.Errorf("help %s: the example %q runs no command patchbay has", topic, strings.TrimSpace(line))
			}
		}
		if n == 0 {
			t.Errorf("help %s: no example starts with patchbay", topic)
		}
	}
}
