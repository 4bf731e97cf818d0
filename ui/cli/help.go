package cli

import (
	"fmt"
	"io"
	"strings"
)

// The main usage and the help topics: 'patchbay help [COMMAND]',
// 'patchbay --help'. Each command's own text sits beside its code.

const usage = `patchbay — HTTP connections, a request wizard and replay, in the terminal

Usage:
  patchbay [--db PATH]               open the TUI
  patchbay [--db PATH] COMMAND [ARGS]

Commands:
  demo                               the TUI on a throwaway database, with an httpbin
                                     served on 127.0.0.1 and two sample actions
  run NAME [--var k=v]... [--vars-file F.json] [--connection NAME]
        [--full] [--json] [--debug]
                                     replay a saved action; prints the response body
  list [connections|actions] [--json]
                                     list saved connections and actions
  history [ACTION] [--limit N] [--json]
                                     list the runs kept, newest first
  history --keep N                   keep only the newest N runs of each action
  connection add NAME --auth TYPE [--base-url URL] [--field key=value]...
                                     save a connection (--help lists each type's fields)
  connection test NAME [--json]      send a test request through a connection
  connection connect NAME [--no-browser]
                                     log in to an OAuth2 connection
  connection rm NAME                 remove a connection no action uses
  connection openapi NAME FILE|--list [QUERY]|--remove
                                     attach an OpenAPI 3.x document (the wizard offers
                                     its operations), list its operations, or detach it
  action add NAME --connection C --method M --url URL [--header 'K: V']...
        [--query k=v]... [--body TEXT|@FILE] [--body-type json|text|form|multipart]
        [--form k=v | --form f=@PATH]... [--retries N] [--retry-delay MS] [--backoff]
        [--retry-all-errors] [--retry-unsafe] [--timeout MS] [--deadline MS]
        [--max-redirects N] [--body-cap BYTES] [--verify-tls]
        [--response-type json|text|binary] [--full-response] [--debug]
        [--var-type k=string|number|boolean|json]... [--var-default k=V]...
        [--var-optional k]...
                                     save an action; {{name}} in a value declares a variable
  action rename OLD NEW              rename an action; it keeps its history
  action copy NAME [NEW]             copy an action (default name 'NAME copy')
  action rm NAME                     remove an action
  action export NAME [--as curl|httpie] [--run N] [--with-secrets] [--var k=v]...
                                     print an action (or its Nth newest run) as a
                                     curl or HTTPie command; secrets as $ENV placeholders
  export [--out DIR|FILE.json]       write connections and actions to share (no secrets)
  import PATH [--on-conflict skip|rename|replace]
                                     bring in connections and actions from an export
  import curl --connection C --name N [--dry-run]
                                     save the curl command on stdin as an action
  listen [--port N] [--status CODE] [--json]
                                     receive webhooks on 127.0.0.1 and print them
  backup PATH                        copy the database to PATH, consistently
  compact                            rewrite the database to reclaim free space
  completion bash|zsh|fish           print a shell completion script (help completion)
  version                            print the version
  help [COMMAND]                     this text, or one command's (e.g. help run)

Global flags:
  --db PATH   the database file (default: $PATCHBAY_DB, else
              $XDG_DATA_HOME/patchbay/patchbay.db); also accepted after a command
  --no-mouse  the TUI and demo leave the mouse to the terminal (its text selection)
              rather than scroll with the wheel and focus on click; or set
              PATCHBAY_NO_MOUSE=1

Exit codes:
  0  success; run: a 2xx or 3xx response
  1  run: a 4xx or 5xx response; connection test: the server answered but the test failed
  2  bad usage, or an unknown action, connection or variable, or a connection
     or request that must be fixed before it can be sent (e.g. no base URL)
  3  a network, TLS or timeout error, or canceled with Ctrl+C
  4  the database could not be opened (or read or written)
  70 patchbay crashed (a bug); the path of a crash log is printed

Examples:
  patchbay demo                                   # try it on a throwaway httpbin
  patchbay connection add gh --auth apikey --base-url https://api.github.com \
      --field key=env:GITHUB_TOKEN
  patchbay                                        # build an action in the wizard
  patchbay run 'My repos' --json
  patchbay help run                               # a command's flags and examples
`

// help prints the usage, or one command's.
func (e *env) help(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	topic := strings.Join(args, " ")
	text, ok := helpTopics()[topic]
	switch {
	case ok:
	case strings.HasPrefix(topic, "connection "):
		text = connectionUsage
	case strings.HasPrefix(topic, "action "):
		text = actionUsage
	default:
		return e.usageError("", "no help for %q", topic)
	}
	io.WriteString(e.stdout, text)
	return exitOK
}

// helpTopics are the texts of 'patchbay help TOPIC', by topic and alias.
func helpTopics() map[string]string {
	return map[string]string{
		"run": runUsage, "list": listUsage, "ls": listUsage, "history": historyUsage,
		"connection": connectionUsage, "connections": connectionUsage, "connection add": connectionAddUsage(),
		"action": actionUsage, "actions": actionUsage, "action add": actionUsage,
		"action export": actionExportUsage, "demo": demoUsage, "backup": backupUsage,
		"listen": listenUsage, "export": exportUsage, "import": importUsage,
		"import curl": importCurlUsage, "compact": compactUsage, "completion": completionUsage,
	}
}
