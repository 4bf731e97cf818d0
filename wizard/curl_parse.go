package wizard

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"patchbay/connection"
)

// CurlRequest is a curl command read as a request, before it is fitted
// onto a connection (see Action). ParseCurl never reads or writes a file:
// what a command would take from one (-d @body.json, -K, -T) or write to
// one (-o) is reported in Notes for the user to fill in.
type CurlRequest struct {
	Method string
	// URL is absolute, without its fragment. Its query is in Query when
	// it splits into name=value pairs; otherwise it stays in URL.
	URL      string
	Query    []connection.KV
	Headers  []connection.KV
	BodyType BodyType
	Body     string          // JSON or text
	Form     []connection.KV // form-urlencoded fields, decoded
	Parts    []Part          // -F: multipart parts; a file's path is kept, never opened
	// HasUser says -u was given: User and Password are its halves.
	HasUser        bool
	User, Password string
	// AWSSigV4 is --aws-sigv4's provider string (aws:amz:REGION:SERVICE).
	AWSSigV4 string
	// AuthFlags are --ntlm, --digest, --negotiate or --anyauth as given:
	// the auth scheme -u's credentials are meant for.
	AuthFlags []string
	Insecure  bool // -k
	// Options are what curl's --retry, --retry-delay, --retry-all-errors,
	// -m and --max-redirs set.
	Options connection.Options
	// Unknown lists, as typed, the flags that were not imported: flags
	// patchbay does not know and known ones it cannot carry (a proxy, an
	// output file). A value that may be a secret is masked.
	Unknown []string
	// Notes say in plain words what the user should know or finish: a
	// body left in a file, shell variables turned into variables, text
	// after a pipe that was ignored.
	Notes []string
	// Vars are the shell variables the command used ($TOKEN), each now the
	// action variable {{TOKEN}}, in order of first use.
	Vars []string
}

// ErrNotCurl is ParseCurl's error for text that holds no curl command.
var ErrNotCurl = errors.New("not a curl command — paste one that starts with curl")

// IsCurlCommand reports whether text looks like a curl command to import:
// it starts with curl (or "$ curl", "sudo curl") and a space.
func IsCurlCommand(text string) bool {
	t := strings.TrimSpace(text)
	for _, p := range []string{"$ ", "% ", "sudo "} {
		t = strings.TrimSpace(strings.TrimPrefix(t, p))
	}
	if !strings.HasPrefix(t, "curl") {
		return false
	}
	rest := t[len("curl"):]
	return rest != "" && strings.IndexByte(" \t\\\n\r", rest[0]) >= 0
}

// ParseCurl reads a curl command as a shell would split it and curl would
// read its arguments: the method, URL, headers, body (-d and its kin,
// --json, -F), -u, -G, -k and the common options that change nothing
// (-s, -L, -v ...). A leading "$ " or sudo is skipped, as are backslash
// line continuations; text after a pipe or a redirection is ignored with
// a note. Flags it cannot import are listed in Unknown, never dropped
// silently. The error says why there is no request: no curl command, an
// unclosed quote, no URL, -d with -F.
func ParseCurl(cmd string) (CurlRequest, error) {
	if len(cmd) > maxCurlCommand {
		return CurlRequest{}, fmt.Errorf("the command is %d bytes; at most %d can be imported", len(cmd), maxCurlCommand)
	}
	words, err := shellWords(cmd)
	if err != nil {
		return CurlRequest{}, fmt.Errorf("the command cannot be read: %w", err)
	}
	args, tail, ok := curlArgs(words)
	if !ok {
		return CurlRequest{}, ErrNotCurl
	}
	p := &curlParser{stdin: tail.stdin, hasStdin: tail.hasStdin}
	p.req.Notes = tail.notes
	p.parse(args)
	if err := p.finish(); err != nil {
		return CurlRequest{}, err
	}
	return p.req, nil
}

// curlArgs finds the curl command among words and returns its arguments
// (without "curl"), with notes on what around it was left out. A line
// that starts with a flag continues the command even without a backslash
// before the line break: copied docs often lose it.
func curlArgs(words []shellWord) (args []shellWord, tail commandEnd, ok bool) {
	for start := 0; start < len(words); {
		end := start
		for end < len(words) && !words[end].op {
			end++
		}
		cmd := words[start:end]
		if i, found := curlAt(cmd); found {
			args, tail = commandTail(slices.Clone(cmd[i+1:]), words[end:])
			return args, tail, true
		}
		start = end + 1
	}
	return nil, commandEnd{}, false
}

// curlAt returns the index of "curl" in a simple command, after a prompt
// ($ or %), sudo (and its flags), env, time or variable assignments.
func curlAt(cmd []shellWord) (int, bool) {
	for i, w := range cmd {
		name := path.Base(w.text)
		switch {
		case name == "curl" || name == "curl.exe":
			return i, true
		case !w.quoted && (w.text == "$" || w.text == "%"),
			w.text == "sudo" || w.text == "env" || w.text == "time" || w.text == "command" || w.text == "exec",
			i > 0 && strings.HasPrefix(w.text, "-") && cmd[0].text == "sudo",
			isAssignment(w.text):
			continue
		}
		return 0, false
	}
	return 0, false
}

func isAssignment(s string) bool {
	name, _, ok := strings.Cut(s, "=")
	return ok && isShellName(name)
}

// commandEnd is what around the curl command matters: what it reads on
// its standard input (a here-document), and notes on what was left out.
type commandEnd struct {
	stdin    string
	hasStdin bool
	notes    []string
}

// commandTail takes in what follows the curl command up to its end: lines
// starting with a flag after a line break, and a here-document or
// here-string for its standard input. Pipes, redirections and other
// commands are left out with a note.
func commandTail(args []shellWord, rest []shellWord) ([]shellWord, commandEnd) {
	var end commandEnd
	for len(rest) > 0 {
		op := rest[0]
		rest = rest[1:]
		switch {
		case op.text == "\n":
			if len(rest) > 0 && !rest[0].op && !rest[0].quoted && strings.HasPrefix(rest[0].text, "-") {
				n := 0
				for n < len(rest) && !rest[n].op {
					n++
				}
				args = append(args, rest[:n]...)
				rest = rest[n:]
				continue
			}
			if hasWords(rest) {
				end.notes = append(end.notes, "only the curl command was imported; the lines after it were ignored")
			}
		case strings.HasPrefix(op.text, "<<"):
			if len(rest) > 0 && !rest[0].op {
				end.stdin, end.hasStdin = op.body, true
				if op.text == "<<<" {
					end.stdin = rest[0].text + "\n"
				}
				rest = rest[1:]
			}
			continue
		case strings.ContainsAny(op.text, "<>"):
			target := ""
			if len(rest) > 0 && !rest[0].op {
				target, rest = rest[0].text, rest[1:]
			}
			end.notes = append(end.notes, fmt.Sprintf("the shell redirection %s %s was ignored: nothing is read from or written to a file", op.text, target))
			continue
		case op.text == "|":
			end.notes = append(end.notes, "what the output is piped to was ignored (patchbay shows the response itself)")
		default:
			if hasWords(rest) {
				end.notes = append(end.notes, fmt.Sprintf("only the curl command was imported; what follows %q was ignored", op.text))
			}
		}
		return args, end
	}
	return args, end
}

func hasWords(ws []shellWord) bool {
	for _, w := range ws {
		if !w.op {
			return true
		}
	}
	return false
}
