package wizard

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"patchbay/connection"
)

// The reference platforms' "datapills": the user sends a working sample
// with real values, then turns any static value of it into a variable. This
// file finds the places a value can sit in a request template and which of
// them hold a static value; variables_edit.go changes them.

// PlaceKind says what kind of place in a request a value sits in.
type PlaceKind string

// The kinds of Place, in the order a request holds them.
const (
	PlacePath     PlaceKind = "path"      // a segment of the URL's path
	PlaceURLQuery PlaceKind = "url-query" // a query parameter written in the URL (/x?page=2)
	PlaceQuery    PlaceKind = "query"     // a query row (Wizard.Query)
	PlaceHeader   PlaceKind = "header"    // a header row
	PlaceBody     PlaceKind = "body"      // a leaf of a JSON body
	PlaceForm     PlaceKind = "form"      // a form-urlencoded row
	PlacePart     PlaceKind = "part"      // a multipart part's value (not a file)
)

func (k PlaceKind) String() string { return string(k) }

// Place is where one value sits in a request.
//
//   - PlacePath: Index is the segment's index in strings.Split(path, "/"),
//     the path being what follows the host of an absolute URL: in
//     /anything/42, 42 is segment 2 (segment 0 is the empty text before the
//     first slash).
//   - PlaceURLQuery: Index is the parameter's position among the URL's
//     query parameters, from 0.
//   - PlaceQuery, PlaceHeader, PlaceForm, PlacePart: Index is the row's
//     index in the wizard's (or the action's) own slice, blank rows
//     included, as in the field keys of Validate.
//   - PlaceBody: Path is the leaf's JSON path with exact array indexes:
//     "user.id", "items[0].id", `a["odd.key"]`; "" for a body that is one
//     scalar.
//
// Places compare with ==.
type Place struct {
	Kind  PlaceKind
	Index int
	Path  string
}

// slot is one place of a request template where text (and so a variable)
// can sit: a candidate's place, or, with an empty Kind, text that is none
// (the URL's host and fragment, a query name, a text body, a file path),
// which only VariablePlaces reports.
type slot struct {
	at    Place
	label string
	raw   string // the template text; a JSON string's contents still escaped
	// start and end are raw's bytes in the URL or the body (a JSON token,
	// quotes included), for PlacePath, PlaceURLQuery and PlaceBody.
	start, end int
	json       byte   // a JSON leaf's kind, see jsonLeaf
	hint       string // what names the value: a key, the previous path segment
}

// whole returns the variable raw is exactly, "" if none.
func (sl slot) whole() string {
	m := varPattern.FindStringSubmatchIndex(sl.raw)
	if m == nil || m[0] != 0 || m[1] != len(sl.raw) {
		return ""
	}
	return sl.raw[m[2]:m[3]]
}

// static returns the value a slot holds when it holds no variable, decoded
// as the server reads it; ok is false when some of it is a variable, or it
// cannot be decoded.
func (sl slot) static() (value string, ok bool) {
	if sl.at.Kind == "" || varPattern.MatchString(sl.raw) {
		return "", false
	}
	var err error
	switch {
	case sl.at.Kind == PlacePath:
		value, err = url.PathUnescape(sl.raw)
		if value == "." || value == ".." {
			return "", false // a step in the path (even escaped), not a value
		}
	case sl.at.Kind == PlaceURLQuery:
		value, err = url.QueryUnescape(sl.raw)
	case sl.json == 's':
		err = json.Unmarshal([]byte(`"`+sl.raw+`"`), &value)
	default:
		value = sl.raw
	}
	return value, err == nil
}

// slots lists the places of s in request order: the URL's path segments
// and query values (and the rest of the URL), query rows, header rows, then
// the body the body type sends. s is a wizard's input as typed (URL
// trimmed), so that row indexes are the wizard's, or an action's.
func (s spec) slots() []slot {
	out := urlSlots(s.URL)
	rows := func(kind PlaceKind, kvs []connection.KV) {
		for i, kv := range kvs {
			if key := strings.TrimSpace(kv.Key); key != "" {
				out = append(out, slot{at: Place{Kind: kind, Index: i}, label: string(kind) + " " + key, raw: kv.Value, hint: key})
			}
		}
	}
	rows(PlaceQuery, s.Query)
	rows(PlaceHeader, s.Headers)
	switch s.BodyType {
	case BodyJSON:
		if strings.TrimSpace(s.Body) != "" {
			out = append(out, jsonSlots(s.Body)...)
		}
	case BodyText:
		out = append(out, slot{label: "body", raw: s.Body})
	case BodyForm:
		rows(PlaceForm, s.Form)
	case BodyMultipart:
		for i, p := range s.Parts {
			name := strings.TrimSpace(p.Name)
			switch {
			case p.blank() || name == "":
			case strings.TrimSpace(p.File) != "":
				out = append(out, slot{label: "file " + name, raw: p.File})
			default:
				out = append(out, slot{at: Place{Kind: PlacePart, Index: i}, label: "form " + name, raw: p.Value, hint: name})
			}
		}
	}
	return out
}

// urlSlots lists the path segments and the query values of a URL
// template, then the rest of it (scheme and host, query names, fragment)
// as one slot without a kind.
func urlSlots(u string) []slot {
	pathStart, pathEnd := urlPath(u)
	var out []slot
	at := pathStart
	for i, seg := range strings.Split(u[pathStart:pathEnd], "/") {
		prev := ""
		if i > 0 {
			prev = out[len(out)-1].raw
		}
		out = append(out, slot{at: Place{Kind: PlacePath, Index: i}, label: fmt.Sprintf("path segment %d", i),
			raw: seg, start: at, end: at + len(seg), hint: prev})
		at += len(seg) + 1
	}
	if pathEnd < len(u) && u[pathEnd] == '?' {
		query := u[pathEnd+1:]
		query, _, _ = strings.Cut(query, "#")
		at, n := pathEnd+1, 0
		for _, param := range strings.Split(query, "&") {
			if k, v, ok := strings.Cut(param, "="); ok {
				name := k
				if dk, err := url.QueryUnescape(k); err == nil {
					name = dk
				}
				start := at + len(k) + 1
				out = append(out, slot{at: Place{Kind: PlaceURLQuery, Index: n}, label: "query " + name,
					raw: v, start: start, end: start + len(v), hint: name})
			}
			if param != "" {
				n++
			}
			at += len(param) + 1
		}
	}
	return append(out, slot{label: "URL", raw: rest(u, out)})
}

// urlPath returns where the path of a URL template is: after the scheme
// and host of an absolute URL, up to the query or the fragment.
func urlPath(u string) (start, end int) {
	end = len(u)
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		end = i
	}
	host := -1
	if i := strings.Index(u[:end], "://"); i > 0 && urlScheme.MatchString(u[:i]) {
		host = i + 3
	} else if strings.HasPrefix(u, "//") {
		host = 2
	}
	if host < 0 {
		return 0, end
	}
	if j := strings.IndexByte(u[host:end], '/'); j >= 0 {
		return host + j, end
	}
	return end, end
}

var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

// jsonSlots lists the leaves of a JSON body, then the rest of it (keys,
// or the whole body when it is not JSON) as one slot without a kind. Of
// leaves at the same path (an object with a key twice) only the first is
// a place: a Place could not tell them apart.
func jsonSlots(body string) []slot {
	leaves, ok := jsonLeaves(body)
	if !ok {
		return []slot{{label: "body", raw: body}}
	}
	var out []slot
	seen := map[string]bool{}
	for _, l := range leaves {
		if seen[l.path] {
			continue
		}
		seen[l.path] = true
		sl := slot{at: Place{Kind: PlaceBody, Path: l.path}, label: strings.TrimSpace("body " + l.path),
			raw: body[l.start:l.end], start: l.start, end: l.end, json: l.kind, hint: l.key}
		if l.kind == 's' {
			sl.raw = body[l.start+1 : l.end-1]
		}
		out = append(out, sl)
	}
	return append(out, slot{label: "body", raw: rest(body, out)})
}

// rest is text without the slots' bytes, each cut replaced by a NUL, which
// no placeholder holds, so a placeholder left in rest was in none of them.
func rest(text string, slots []slot) string {
	var b strings.Builder
	last := 0
	for _, sl := range slots {
		b.WriteString(text[last:sl.start])
		b.WriteByte(0)
		last = sl.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// fields is the wizard's input as slots reads it: rows and parts as typed
// (their indexes are the wizard's), the URL trimmed as it is sent.
func (w *Wizard) fields() spec {
	bt := w.BodyType
	if bt == "" {
		bt = BodyNone
	}
	return spec{URL: strings.TrimSpace(w.URL), Query: w.Query, Headers: w.Headers, BodyType: bt,
		Body: w.Body, Form: w.Form, Parts: w.Parts}
}

// VariablePlaces says where {{name}} sits in the action's request, in
// request order and in the words of a Candidate's Label, each once: "path
// segment 2", "query page", "header X-Id", "body user.id", "form name",
// "file photo", and "URL" or "body" for text that is no such place (the
// host, a text body). The review shows it next to each variable.
func (a Action) VariablePlaces(name string) []string {
	return variablePlaces(a.spec().slots(), name)
}

// VariablePlaces is Action.VariablePlaces for the wizard's input.
func (w *Wizard) VariablePlaces(name string) []string {
	return variablePlaces(w.fields().slots(), name)
}

func variablePlaces(slots []slot, name string) []string {
	var out []string
	for _, sl := range slots {
		if !slices.Contains(out, sl.label) && slices.ContainsFunc(varPattern.FindAllStringSubmatch(sl.raw, -1),
			func(m []string) bool { return m[1] == name }) {
			out = append(out, sl.label)
		}
	}
	return out
}

// SecretVariable reports whether the variable name stands for a credential:
// its name looks like one (IsSecret), or it sits, anywhere, in a value whose
// key does — a header Authorization, a query api_key, a JSON "password" —
// whatever it was named. Its values are then never saved (its sample),
// kept in history, nor shown unmasked. Path segments do not count: the
// segment before one names a collection, not a credential.
func (a Action) SecretVariable(name string) bool {
	return secretVariable(a.spec().slots(), name)
}

// SecretVariable is Action.SecretVariable for the wizard's input.
func (w *Wizard) SecretVariable(name string) bool {
	return secretVariable(w.fields().slots(), name)
}

func secretVariable(slots []slot, name string) bool {
	if IsSecret(name) {
		return true
	}
	for _, sl := range slots {
		if sl.at.Kind == PlacePath || sl.hint == "" || !IsSecret(sl.hint) {
			continue
		}
		for _, m := range varPattern.FindAllStringSubmatch(sl.raw, -1) {
			if m[1] == name {
				return true
			}
		}
	}
	return false
}
