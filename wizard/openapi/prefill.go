package openapi

import (
	"net/url"
	"slices"
	"strings"

	"patchbay/connection"
	"patchbay/wizard"
)

// Prefill puts a recommendation into the wizard: method and URL (with the
// server's path when the connection's base URL lacks it), path variables
// with their sample values, query and header rows, and the body. Nothing
// the user typed is lost: a row of the same name keeps its value, and the
// body is replaced only when it is empty or still what prev (the
// recommendation applied before, if any) put there — so picking another
// operation swaps one recommendation for the other.
func Prefill(w *wizard.Wizard, r Recommendation, prev *Recommendation) {
	w.Method = r.Method
	w.URL = serverPrefix(w.Conn.BaseURL, r.ServerPaths) + r.URL
	for _, v := range r.PathVars {
		at := slices.IndexFunc(w.Vars, func(x wizard.Variable) bool { return x.Name == v.Name })
		switch {
		case at < 0:
			w.Vars = append(w.Vars, v)
		case w.Vars[at].Sample == "":
			w.Vars[at].Sample = v.Sample
		}
	}
	var prevQuery, prevHeaders []connection.KV
	if prev != nil {
		prevQuery, prevHeaders = prev.Query, prev.Headers
	}
	w.Query = mergeRows(w.Query, r.Query, prevQuery)
	w.Headers = mergeRows(w.Headers, r.Headers, prevHeaders)
	if untouchedBody(w, prev) {
		w.BodyType = r.BodyType
		if w.BodyType == "" {
			w.BodyType = wizard.BodyNone
		}
		w.Body = r.Body
		w.Form = slices.Clone(r.Form)
		w.Parts = slices.Clone(r.Parts)
	}
}

// serverPrefix is the first server path when the base URL's path does not
// already end with it: "/api/v3" for a base URL of http://127.0.0.1:8080,
// "" for https://petstore3.swagger.io/api/v3.
func serverPrefix(baseURL string, paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	base := ""
	if u, err := url.Parse(strings.TrimSpace(baseURL)); err == nil {
		base = strings.TrimRight(u.Path, "/")
	}
	for _, p := range paths {
		if strings.HasSuffix(base, p) {
			return ""
		}
	}
	return paths[0]
}

// mergeRows drops the rows of prev still as prev left them, then adds
// each row of rec whose name is not there yet, before trailing blank rows.
func mergeRows(rows, rec, prev []connection.KV) []connection.KV {
	var out []connection.KV
	for _, row := range rows {
		if !slices.Contains(prev, row) {
			out = append(out, row)
		}
	}
	at := len(out)
	for at > 0 && blank(out[at-1]) {
		at--
	}
	for _, kv := range rec {
		has := slices.ContainsFunc(out, func(x connection.KV) bool { return strings.EqualFold(strings.TrimSpace(x.Key), kv.Key) })
		if !has {
			out = slices.Insert(out, at, kv)
			at++
		}
	}
	return out
}

func blank(kv connection.KV) bool {
	return strings.TrimSpace(kv.Key) == "" && strings.TrimSpace(kv.Value) == ""
}

// untouchedBody: the wizard sends no body, or the one prev recommended.
func untouchedBody(w *wizard.Wizard, prev *Recommendation) bool {
	empty := strings.TrimSpace(w.Body) == "" && len(nonBlank(w.Form)) == 0 && len(parts(w.Parts)) == 0
	if empty || w.BodyType == wizard.BodyNone || w.BodyType == "" {
		return true
	}
	if prev == nil || w.BodyType != prev.BodyType {
		return false
	}
	switch w.BodyType {
	case wizard.BodyForm:
		return slices.Equal(nonBlank(w.Form), prev.Form)
	case wizard.BodyMultipart:
		return slices.Equal(parts(w.Parts), prev.Parts)
	}
	return strings.TrimSpace(w.Body) == strings.TrimSpace(prev.Body)
}

func nonBlank(kvs []connection.KV) []connection.KV {
	return slices.DeleteFunc(slices.Clone(kvs), blank)
}

func parts(ps []wizard.Part) []wizard.Part {
	return slices.DeleteFunc(slices.Clone(ps), func(p wizard.Part) bool { return p == wizard.Part{} || p.Name == "" && p.Value == "" && p.File == "" })
}
