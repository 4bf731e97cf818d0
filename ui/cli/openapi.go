package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/wizard/openapi"
)

const openAPIUsage = `Usage:
  patchbay connection openapi NAME FILE            attach an OpenAPI 3.x document
  patchbay connection openapi NAME --list [QUERY]  list its operations [--json]
  patchbay connection openapi NAME --remove        detach it

Attaches an OpenAPI 3.x document (JSON or YAML; FILE - reads stdin) to a
connection, replacing the one before. The wizard then offers the
document's operations in step 1 (ctrl+o, type to filter), prefills step 2
with the request the one you pick documents (path variables, required
query parameters and headers, a sample body made from the schema), and
lists in step 3 how the sample response differs from the documented one.

--list prints the operations, those matching QUERY first (fuzzy: the words
in the path, summary or operationId, letters in order).

patchbay never fetches anything for a document: not a URL given as FILE,
nor a $ref to another file or URL (those schemas are left out).
`

func (e *env) connectionOpenAPI(args []string) int {
	fs := e.flagSet("connection openapi")
	var remove, list, asJSON bool
	fs.BoolVar(&remove, "remove", false, "")
	fs.BoolVar(&list, "list", false, "")
	fs.BoolVar(&asJSON, "json", false, "")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, openAPIUsage)
		return exitOK
	case err != nil:
		return e.usageError("connection openapi", "%v", err)
	case len(pos) == 0:
		return e.usageError("connection openapi", "expected a connection NAME")
	case remove && list:
		return e.usageError("connection openapi", "--remove and --list do not go together")
	case remove && len(pos) != 1:
		return e.usageError("connection openapi", "--remove takes only the connection NAME")
	case list:
		return e.listOpenAPI(pos[0], strings.Join(pos[1:], " "), asJSON)
	case remove:
		return e.detachOpenAPI(pos[0])
	case len(pos) != 2:
		return e.usageError("connection openapi", "expected a connection NAME and a FILE (or --list or --remove)")
	}
	return e.attachOpenAPI(pos[0], pos[1])
}

func (e *env) attachOpenAPI(name, file string) int {
	if strings.HasPrefix(file, "http://") || strings.HasPrefix(file, "https://") {
		return e.fail(exitUsage, "patchbay does not fetch documents: download it first (curl -o spec.yaml URL), then attach the file")
	}
	data, source, err := e.readDocument(file)
	if err != nil {
		return e.fail(exitUsage, "%v", err)
	}
	spec, err := openapi.Load(data)
	if err != nil {
		return e.fail(exitUsage, "%s: %v", source, err)
	}
	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	conn, code := e.connectionByName(st, name)
	if code != exitOK {
		return code
	}
	err = st.AttachOpenAPI(conn.ID, store.OpenAPIDoc{Source: source, AttachedAt: time.Now(), Data: data})
	if err != nil {
		return e.fail(exitLocal, "cannot save the document: %v", err)
	}
	for _, w := range spec.Warnings() {
		fmt.Fprintf(e.stderr, "patchbay: note: %s\n", connection.CleanText(w))
	}
	title := spec.Title
	if title == "" {
		title = "untitled"
	}
	fmt.Fprintf(e.stdout, "Attached %s to connection %s: %s (OpenAPI %s), %d operations\n",
		connection.CleanText(source), quote(conn.Name), connection.CleanText(title),
		connection.CleanText(spec.Version), len(spec.Operations()))
	return exitOK
}

// readDocument reads FILE, or stdin for "-", up to the size Load takes.
func (e *env) readDocument(file string) (data []byte, source string, err error) {
	var r io.Reader
	source = filepath.Base(file)
	if file == "-" {
		r, source = e.stdin, "stdin"
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, "", fmt.Errorf("cannot read %s: %w", file, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	}
	data, err = io.ReadAll(io.LimitReader(r, openapi.MaxDocumentSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s: %w", source, err)
	}
	return data, source, nil
}

func (e *env) detachOpenAPI(name string) int {
	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	conn, code := e.connectionByName(st, name)
	if code != exitOK {
		return code
	}
	err := st.DetachOpenAPI(conn.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return e.fail(exitUsage, "connection %s has no OpenAPI document", quote(conn.Name))
	case err != nil:
		return e.fail(exitLocal, "cannot remove the document: %v", err)
	}
	fmt.Fprintf(e.stdout, "Removed the OpenAPI document of connection %s\n", quote(conn.Name))
	return exitOK
}

func (e *env) listOpenAPI(name, query string, asJSON bool) int {
	st, code := e.open()
	if st == nil {
		return code
	}
	conn, code := e.connectionByName(st, name)
	if code != exitOK {
		st.Close()
		return code
	}
	doc, err := st.OpenAPI(conn.ID)
	st.Close()
	switch {
	case errors.Is(err, store.ErrNotFound):
		return e.fail(exitUsage, "connection %s has no OpenAPI document — attach one with `patchbay connection openapi %s FILE`",
			quote(conn.Name), conn.Name)
	case err != nil:
		return e.fail(exitLocal, "cannot read the document: %v", err)
	}
	spec, err := openapi.Load(doc.Data)
	if err != nil {
		return e.fail(exitUsage, "the document of connection %s: %v", quote(conn.Name), err)
	}
	ops := openapi.Find(spec.Operations(), query)
	if asJSON {
		type row struct {
			Method      string   `json:"method"`
			Path        string   `json:"path"`
			Summary     string   `json:"summary"`
			OperationID string   `json:"operation_id"`
			Tags        []string `json:"tags"`
		}
		rows := []row{}
		for _, op := range ops {
			rows = append(rows, row{op.Method, op.Path, op.Summary, op.OperationID, op.Tags})
		}
		if err := writeJSON(e.stdout, rows); err != nil {
			return e.fail(exitLocal, "cannot write the list: %v", err)
		}
		return exitOK
	}
	if len(ops) == 0 {
		return e.fail(exitUsage, "no operation matches %s", quote(query))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, op := range ops {
		// The document is someone else's text: one clean line per operation.
		fmt.Fprintf(tw, "%s\t%s\t%s\n", op.Method, oneLine(connection.CleanText(op.Path)), oneLine(connection.CleanText(op.Summary)))
	}
	if err := tw.Flush(); err != nil {
		return e.fail(exitLocal, "cannot write the list: %v", err)
	}
	return exitOK
}
