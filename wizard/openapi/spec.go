// Package openapi reads an OpenAPI 3.x document attached to a connection
// and turns it into what the wizard can use: the operations to pick from
// (with a fuzzy search), a recommended sample request for one of them, and
// a check of a real response against the documented one.
//
// The parser is kin-openapi's openapi3 package, and only that package: its
// openapi3filter and routers pull in gorilla/mux and more. It reads 3.0 and
// 3.1 in JSON or YAML and resolves $refs. It was chosen over libopenapi, the
// other complete Go parser, for the size of the binary: used for real,
// libopenapi's model adds about 13 MB to it, openapi3 about 4 MB (measured
// with go build). The price is about 4.6 ms of package init at every start
// of patchbay, spent by openapi3's JSON Schema dependency
// (santhosh-tekuri/jsonschema) building its tables. Loading takes about a
// quarter of a second per MB of document, so it runs off the UI's path.
//
// The checks are a focused validator over openapi3's schema model
// (validate.go) rather than Schema.VisitJSON, so that a mismatch reads as a
// JSON path and plain words. No reference outside the document is ever
// followed: a spec never makes patchbay read a file or fetch a URL
// (load.go).
package openapi

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// MaxDocumentSize is the largest document Load reads. The biggest public
// specs (GitHub's, Stripe's) are under 12 MB.
const MaxDocumentSize = 32 << 20

// Spec is a loaded OpenAPI 3.x document. It is safe for concurrent use:
// once loaded, the model is only read.
type Spec struct {
	Title   string
	Version string // the document's openapi field, e.g. "3.0.2"
	doc     *openapi3.T
	// warnings are problems that did not stop the load: a $ref to a
	// schema that is not in the document, a circular reference.
	warnings []string
	ops      []Operation
}

// Warnings lists what did not stop the load but may leave schemas out:
// unresolvable or circular references.
func (s *Spec) Warnings() []string { return s.warnings }

// Server is one entry of the document's servers, its variables filled
// with their defaults.
type Server struct {
	URL         string
	Description string
}

// Servers lists the document's servers.
func (s *Spec) Servers() []Server { return servers(s.doc.Servers) }

func servers(list openapi3.Servers) []Server {
	var out []Server
	for _, sv := range list {
		if sv == nil {
			continue
		}
		u := sv.URL
		for _, name := range slices.Sorted(maps.Keys(sv.Variables)) {
			if v := sv.Variables[name]; v != nil {
				u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
			}
		}
		out = append(out, Server{URL: u, Description: sv.Description})
	}
	return out
}

// serverPath is the path part of a server URL, "" for "/" or none:
// "/api/v3" for both "https://host/api/v3/" and "/api/v3".
func serverPath(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.TrimRight(p.Path, "/")
}

// Operation is one method on one path of the document.
type Operation struct {
	Method      string // upper case: GET, POST, ...
	Path        string // the path template, e.g. /pet/{petId}
	Summary     string
	OperationID string
	Tags        []string
	Deprecated  bool

	op   *openapi3.Operation
	item *openapi3.PathItem
	spec *Spec
}

// String is "GET /pet/{petId}".
func (o Operation) String() string { return o.Method + " " + o.Path }

// Operations lists every operation, in the document's order.
func (s *Spec) Operations() []Operation { return s.ops }

// methodOrder places the methods of one path when the document's order is
// not known.
var methodOrder = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "QUERY", "CONNECT"}

func (s *Spec) operations() []Operation {
	if s.doc.Paths == nil {
		return nil
	}
	var ops []Operation
	paths := s.doc.Paths.Map()
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item := paths[path]
		if item == nil {
			continue
		}
		byMethod := item.Operations()
		methods := slices.Sorted(maps.Keys(byMethod))
		slices.SortStableFunc(methods, func(a, b string) int { return methodRank(a) - methodRank(b) })
		for _, method := range methods {
			op := byMethod[method]
			if op == nil {
				continue
			}
			ops = append(ops, Operation{
				Method:      strings.ToUpper(method),
				Path:        path,
				Summary:     strings.TrimSpace(op.Summary),
				OperationID: op.OperationID,
				Tags:        op.Tags,
				Deprecated:  op.Deprecated,
				op:          op,
				item:        item,
				spec:        s,
			})
		}
	}
	slices.SortStableFunc(ops, func(a, b Operation) int { return comparePositions(a.op.Origin, b.op.Origin) })
	return ops
}

func methodRank(m string) int {
	if i := slices.Index(methodOrder, strings.ToUpper(m)); i >= 0 {
		return i
	}
	return len(methodOrder)
}

// Servers are the servers that apply to the operation: its own, else its
// path's, else the document's.
func (o Operation) Servers() []Server {
	switch {
	case o.op != nil && o.op.Servers != nil && len(*o.op.Servers) > 0:
		return servers(*o.op.Servers)
	case o.item != nil && len(o.item.Servers) > 0:
		return servers(o.item.Servers)
	case o.spec != nil:
		return o.spec.Servers()
	}
	return nil
}

// parameters are the operation's parameters merged with its path's: one
// of the operation overrides the path's of the same name and place.
func (o Operation) parameters() []*openapi3.Parameter {
	var out []*openapi3.Parameter
	seen := map[string]bool{}
	add := func(ps openapi3.Parameters) {
		for _, ref := range ps {
			if ref == nil || ref.Value == nil || ref.Value.Name == "" {
				continue // a nameless one stands for a $ref left out (load.go)
			}
			p := ref.Value
			k := strings.ToLower(p.In) + "\x00" + p.Name
			if !seen[k] {
				seen[k] = true
				out = append(out, p)
			}
		}
	}
	if o.op != nil {
		add(o.op.Parameters)
	}
	if o.item != nil {
		add(o.item.Parameters)
	}
	return out
}

// Match finds the operation for a request the wizard built: method and the
// URL as typed (relative to the connection's base URL, with {{variables}}
// or real values in the path). A server path the URL repeats
// ("/api/v3/pet/1" when the servers say /api/v3) is allowed for.
func (s *Spec) Match(method, rawURL string) (Operation, bool) {
	method = strings.ToUpper(strings.TrimSpace(method))
	path, _, _ := strings.Cut(strings.TrimSpace(rawURL), "?")
	path, _, _ = strings.Cut(path, "#")
	if _, rest, ok := strings.Cut(path, "://"); ok {
		// An absolute URL (to the base URL's host): only its path counts.
		path = "/"
		if i := strings.Index(rest, "/"); i >= 0 {
			path = rest[i:]
		}
	}
	candidates := []string{path}
	for _, sv := range s.Servers() {
		if p := serverPath(sv.URL); p != "" && strings.HasPrefix(path, p+"/") {
			candidates = append(candidates, strings.TrimPrefix(path, p))
		}
	}
	var best Operation
	bestFixed := -1
	for _, p := range candidates {
		for _, op := range s.ops {
			if op.Method != method {
				continue
			}
			// A literal segment beats a template one: /pet/findByStatus
			// is not /pet/{petId}.
			if fixed, ok := matchPath(op.Path, p); ok && fixed > bestFixed {
				best, bestFixed = op, fixed
			}
		}
		if bestFixed >= 0 {
			return best, true
		}
	}
	return Operation{}, false
}

// matchPath reports whether path fits the template, and how many of the
// template's segments are literal.
func matchPath(template, path string) (fixed int, ok bool) {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return 0, false
	}
	for i, t := range ts {
		p := ps[i]
		switch {
		case strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}"):
			if p == "" {
				return 0, false
			}
		case t == p:
			fixed++
		default:
			unescaped, err := url.PathUnescape(p)
			if err != nil || unescaped != t {
				return 0, false
			}
			fixed++
		}
	}
	return fixed, true
}
