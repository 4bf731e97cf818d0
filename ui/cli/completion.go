package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"patchbay/store"
)

// Shell completion. `patchbay completion bash|zsh|fish` prints a small
// script that hands the words typed so far to the hidden `patchbay
// __complete WORD...` (the last word is the one being completed, maybe
// empty) and offers what it prints, one candidate a line. What completes
// where is decided here, once for the three shells: commands, flags, the
// values of flags that have few, and the names of actions and connections
// read from the database (the --db on the command line, else the usual
// one) at the moment of completing. Completion never asks for anything: a
// database that needs a passphrase, or is open in the TUI, completes no
// names. Where nothing is printed the shells complete file names.

const completionUsage = `Usage: patchbay completion bash|zsh|fish

Prints a script that completes patchbay's commands, flags and the names of
your actions and connections. Load it from your shell's startup file.

Examples:
  echo 'source <(patchbay completion bash)' >> ~/.bashrc
  echo 'source <(patchbay completion zsh)' >> ~/.zshrc      # after compinit
  patchbay completion fish > ~/.config/fish/completions/patchbay.fish

Names with spaces are completed quoted, e.g. patchbay run Get\ current\ user.
`

const bashCompletion = `# patchbay completion for bash: source <(patchbay completion bash)
_patchbay() {
    local IFS=$'\n' c
    COMPREPLY=()
    for c in $("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null); do
        COMPREPLY+=("$(printf '%q' "$c")")
    done
}
complete -o default -F _patchbay patchbay
`

const zshCompletion = `#compdef patchbay
# patchbay completion for zsh: source <(patchbay completion zsh), after compinit
_patchbay() {
    local -a cands
    cands=("${(@f)$(${words[1]} __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if [[ -n ${cands[1]} ]]; then
        compadd -a cands
    else
        _files
    fi
}
compdef _patchbay patchbay
`

const fishCompletion = `# patchbay completion for fish: patchbay completion fish > ~/.config/fish/completions/patchbay.fish
function __patchbay_complete
    set -l words (commandline -opc) (commandline -ct)
    $words[1] __complete $words[2..-1] 2>/dev/null
end
complete -c patchbay -f -n 'test -n "$(__patchbay_complete)"' -a '(__patchbay_complete)'
`

func (e *env) completion(args []string) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(e.stdout, completionUsage)
		return exitOK
	}
	if len(args) != 1 {
		return e.usageError("completion", "completion takes one shell: bash, zsh or fish")
	}
	switch args[0] {
	case "bash":
		io.WriteString(e.stdout, bashCompletion)
	case "zsh":
		fmt.Fprint(e.stdout, zshCompletion)
	case "fish":
		fmt.Fprint(e.stdout, fishCompletion)
	default:
		return e.usageError("completion", "no completion for %s — use bash, zsh or fish", quote(args[0]))
	}
	return exitOK
}

var (
	commands = []string{"run", "list", "history", "connection", "action", "export", "import",
		"listen", "demo", "backup", "compact", "completion", "version", "help"}
	subcommands = map[string][]string{
		"connection": {"add", "test", "connect", "openapi", "rm"},
		"action":     {"add", "rename", "copy", "export", "rm"},
	}
	// flagsOf are the flags of a command ("connection add": of a
	// subcommand).
	flagsOf = map[string][]string{
		"":                   {"--db", "--help"},
		"run":                {"--var", "--vars-file", "--connection", "--full", "--json", "--debug"},
		"list":               {"--json"},
		"history":            {"--limit", "--json", "--keep"},
		"connection add":     {"--auth", "--base-url", "--field"},
		"connection test":    {"--json"},
		"connection connect": {"--no-browser"},
		"connection openapi": {"--list", "--remove"},
		"action add": {"--connection", "--method", "--url", "--header", "--query", "--body", "--body-type",
			"--form", "--form-string", "--retries", "--retry-delay", "--backoff", "--retry-all-errors",
			"--retry-unsafe", "--timeout", "--deadline", "--max-redirects", "--body-cap", "--verify-tls",
			"--response-type", "--full-response", "--debug", "--var-type", "--var-default", "--var-optional"},
		"action export": {"--as", "--run", "--with-secrets", "--var"},
		"export":        {"--out"},
		"import":        {"--on-conflict"},
		"listen":        {"--port", "--status", "--json"},
	}
	// flagValues are the values of flags that have few; "@connections"
	// stands for the connections' names.
	flagValues = map[string][]string{
		"--connection":    {"@connections"},
		"--auth":          {"none", "basic", "header", "query", "custom", "apikey", "oauth2-code", "oauth2-client", "azure-code", "azure-client", "aws-key", "aws-role", "ntlm"},
		"--method":        {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"},
		"--body-type":     {"json", "text", "form", "multipart"},
		"--response-type": {"json", "text", "binary"},
		"--on-conflict":   {"skip", "rename", "replace"},
		"--as":            {"curl", "httpie"},
	}
	// boolFlags take no value; every other flag takes the next word.
	boolFlags = []string{"--help", "--full", "--json", "--debug", "--no-browser", "--list", "--remove",
		"--backoff", "--retry-all-errors", "--retry-unsafe", "--verify-tls", "--full-response", "--with-secrets"}
)

// complete prints the candidates for the last of words.
func (e *env) complete(words []string) int {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := strings.TrimLeft(words[len(words)-1], `'"`)
	for _, c := range e.candidates(words[:len(words)-1], cur) {
		if strings.HasPrefix(c, cur) && !strings.ContainsAny(c, "\n\r\x1b") {
			fmt.Fprintln(e.stdout, c)
		}
	}
	return exitOK
}

// candidates are what may follow the words before the current one.
func (e *env) candidates(before []string, cur string) []string {
	if n := len(before); n >= 2 && before[n-1] == "=" {
		before = before[:n-1] // bash splits --flag=value at the =
	}
	var pos []string
	for i := 0; i < len(before); i++ {
		w := before[i]
		if !strings.HasPrefix(w, "-") || w == "-" {
			pos = append(pos, w)
			continue
		}
		name, _, inline := strings.Cut(w, "=")
		if inline || slices.Contains(boolFlags, name) {
			continue
		}
		if i == len(before)-1 {
			return e.expand(flagValues[name]) // the current word is this flag's value
		}
		if before[i+1] == "=" && i+2 < len(before) {
			i++
		}
		if name == "--db" {
			e.db = before[i+1]
		}
		i++
	}
	cmd, sub := "", ""
	if len(pos) > 0 {
		cmd = pos[0]
	}
	if len(pos) > 1 && subcommands[cmd] != nil {
		sub = pos[1]
	}
	if strings.HasPrefix(cur, "-") {
		return flagsOf[strings.TrimSpace(cmd+" "+sub)]
	}
	switch {
	case cmd == "":
		return commands
	case cmd == "help" && len(pos) == 1:
		return commands
	case cmd == "completion" && len(pos) == 1:
		return []string{"bash", "zsh", "fish"}
	case cmd == "list" && len(pos) == 1:
		return []string{"connections", "actions"}
	case (cmd == "run" || cmd == "history") && len(pos) == 1:
		return e.expand([]string{"@actions"})
	case subcommands[cmd] != nil && len(pos) == 1:
		return subcommands[cmd]
	case cmd == "connection" && sub != "add" && len(pos) == 2:
		return e.expand([]string{"@connections"})
	case cmd == "action" && sub != "add" && len(pos) == 2:
		return e.expand([]string{"@actions"})
	}
	return nil
}

// expand replaces @actions and @connections with the names in the
// database.
func (e *env) expand(words []string) []string {
	var out []string
	for _, w := range words {
		switch w {
		case "@actions", "@connections":
			out = append(out, e.storedNames(w == "@actions")...)
		default:
			out = append(out, w)
		}
	}
	return out
}

// storedNames are the names of the actions or the connections, or none
// when the database cannot be opened without asking.
func (e *env) storedNames(actions bool) []string {
	path, err := store.Path(e.db)
	if err != nil {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil // completing makes no database
	}
	st, err := store.Open(path)
	if err != nil {
		return nil
	}
	defer st.Close()
	list, err := st.ConnectionNames()
	if actions {
		list, err = st.ActionNames()
	}
	if err != nil {
		return nil
	}
	names := make([]string, len(list))
	for i, n := range list {
		names[i] = n.Name
	}
	return names
}
