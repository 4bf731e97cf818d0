package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/ui"
	"patchbay/wizard"
)

const listUsage = `Usage: patchbay list [connections|actions] [--json]

Lists saved connections (NAME, AUTH, BASE URL, for OAuth2 connections the
STATUS of their token, and the LAST TEST with when it was taken) and actions
(NAME, CONNECTION, METHOD, URL); without an argument, both under headings.

Flags:
  --json   print JSON instead: an array of objects, or with no argument an object
           {"connections": [...], "actions": [...]}; secrets are never included.
           An action's "vars" list its variables: name, type, default, required

Examples:
  patchbay list
  patchbay list actions --json | jq -r '.[].name'
`

// connectionRow is one connection in `list --json`: no secrets.
type connectionRow struct {
	Name    string `json:"name"`
	Auth    string `json:"auth"`
	BaseURL string `json:"base_url"`
	// Status is the token's state, for OAuth2 connections only: "not
	// connected", "connected (expires in 59m)", "needs reconnect: …".
	Status string `json:"status,omitempty"`
	// TLSInsecure warns that the server's certificate is not verified.
	TLSInsecure bool `json:"tls_insecure,omitempty"`
	// LastTest is the outcome of the last `connection test` (or t in the
	// TUI), when there was one.
	LastTest *store.LastTest `json:"last_test,omitempty"`
}

// actionRow is one action in `list --json`.
type actionRow struct {
	Name       string `json:"name"`
	Connection string `json:"connection"`
	Method     string `json:"method"`
	URL        string `json:"url"`
	// Vars are the action's variables, each with its type, default and
	// whether it is required, for scripts that fill them in.
	Vars []wizard.Variable `json:"vars,omitempty"`
}

func (e *env) list(args []string) int {
	fs := e.flagSet("list")
	var asJSON bool
	fs.BoolVar(&asJSON, "json", false, "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, listUsage)
		return exitOK
	case err != nil:
		return e.usageError("list", "%v", err)
	case len(pos) > 1:
		return e.usageError("list", "list takes one of connections or actions, not %s", strings.Join(pos, " "))
	}
	what := "both"
	if len(pos) == 1 {
		switch strings.ToLower(pos[0]) {
		case "connections", "connection", "conn":
			what = "connections"
		case "actions", "action":
			what = "actions"
		default:
			return e.usageError("list", "nothing called %s to list — use connections or actions", quote(pos[0]))
		}
	}

	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()

	var conns []connectionRow
	var actions []actionRow
	if what != "actions" {
		if conns, err = connectionRows(st); err != nil {
			return e.fail(exitLocal, "cannot read connections: %v", err)
		}
	}
	if what != "connections" {
		if actions, err = actionRows(st); err != nil {
			return e.fail(exitLocal, "cannot read actions: %v", err)
		}
	}

	if asJSON {
		switch what {
		case "connections":
			err = writeJSON(e.stdout, conns)
		case "actions":
			err = writeJSON(e.stdout, actions)
		default:
			err = writeJSON(e.stdout, struct {
				Connections []connectionRow `json:"connections"`
				Actions     []actionRow     `json:"actions"`
			}{conns, actions})
		}
	} else {
		err = writeTables(e.stdout, what, conns, actions)
	}
	if err != nil {
		return e.fail(exitLocal, "cannot write the list: %v", err)
	}
	return exitOK
}

func connectionRows(st *store.Store) ([]connectionRow, error) {
	cs, err := st.Connections()
	if err != nil {
		return nil, err
	}
	tests, err := st.LastTests()
	if err != nil {
		return nil, err
	}
	rows := make([]connectionRow, 0, len(cs))
	now := time.Now()
	for _, c := range cs {
		row := connectionRow{Name: c.Name, Auth: authName(c.Auth.Type), BaseURL: c.BaseURL, TLSInsecure: c.TLS.Insecure}
		if t, ok := tests[c.ID]; ok {
			row.LastTest = &t
		}
		if c.Auth.Type.IsOAuth2() {
			// A token that cannot be read is the row's problem, not the list's.
			if t, err := st.LoadToken(c.ID); err != nil {
				row.Status = "token unreadable: " + err.Error()
			} else {
				row.Status = connection.TokenStatus(t, now)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// actionRows names each action's connection from the names index rather than
// reading every connection.
func actionRows(st *store.Store) ([]actionRow, error) {
	as, err := st.Actions()
	if err != nil {
		return nil, err
	}
	names, err := st.ConnectionNames()
	if err != nil {
		return nil, err
	}
	byID := make(map[uint64]string, len(names))
	for _, n := range names {
		byID[n.ID] = n.Name
	}
	rows := make([]actionRow, 0, len(as))
	for _, a := range as {
		rows = append(rows, actionRow{Name: a.Name, Connection: byID[a.ConnectionID], Method: a.Method, URL: a.URL, Vars: a.VariableList()})
	}
	return rows, nil
}

func authName(t connection.AuthType) string {
	if t == "" {
		return string(connection.AuthNone)
	}
	return string(t)
}

func writeTables(w io.Writer, what string, conns []connectionRow, actions []actionRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	cell := connection.CleanText // names and URLs were typed by someone; keep tables one row per line
	if what != "actions" {
		if what == "both" {
			fmt.Fprintln(tw, "Connections")
		}
		if len(conns) == 0 {
			fmt.Fprintln(tw, "  (none — add one with `patchbay connection add`)")
		} else {
			// STATUS only when some connection has a token to speak of,
			// LAST TEST only when some connection was tested.
			status := slices.ContainsFunc(conns, func(c connectionRow) bool { return c.Status != "" })
			tested := slices.ContainsFunc(conns, func(c connectionRow) bool { return c.LastTest != nil })
			head := "NAME\tAUTH\tBASE URL"
			if status {
				head += "\tSTATUS"
			}
			if tested {
				head += "\tLAST TEST"
			}
			fmt.Fprintln(tw, head)
			now := time.Now()
			for _, c := range conns {
				auth := c.Auth
				if c.TLSInsecure {
					auth += " ⚠ TLS NOT VERIFIED"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s", oneLine(cell(c.Name)), auth, oneLine(cell(c.BaseURL)))
				if status {
					fmt.Fprintf(tw, "\t%s", oneLine(cell(c.Status)))
				}
				if tested {
					fmt.Fprintf(tw, "\t%s", lastTestCell(c.LastTest, now))
				}
				fmt.Fprintln(tw)
			}
		}
	}
	if what == "both" {
		// A separate writer, so the two tables align on their own.
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "Actions")
	}
	if what != "connections" {
		if len(actions) == 0 {
			fmt.Fprintln(tw, "  (none — add one with `patchbay action add` or the TUI)")
		} else {
			fmt.Fprintln(tw, "NAME\tCONNECTION\tMETHOD\tURL")
			for _, a := range actions {
				conn := a.Connection
				if conn == "" {
					conn = "(deleted)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", oneLine(cell(a.Name)), oneLine(cell(conn)), a.Method, oneLine(cell(a.URL)))
			}
		}
	}
	return tw.Flush()
}

// lastTestCell is "✓ 5m ago" or "✗ 2h ago: 401 Unauthorized — …", the
// reason cut short to keep the table readable.
func lastTestCell(t *store.LastTest, now time.Time) string {
	if t == nil {
		return "-"
	}
	if t.OK {
		return "✓ " + ui.Ago(t.At, now)
	}
	reason := oneLine(connection.CleanText(t.Reason))
	if r := []rune(reason); len(r) > 60 {
		reason = string(r[:59]) + "…"
	}
	return "✗ " + ui.Ago(t.At, now) + ": " + reason
}

// oneLine keeps a cell from breaking the table.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
}
