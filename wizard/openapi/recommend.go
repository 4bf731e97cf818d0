package openapi

import (
	"encoding/json"
	"maps"
	"mime"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"patchbay/connection"
	"patchbay/wizard"
)

// Recommendation is the request an operation's documentation suggests:
// what the wizard's steps 1 and 2 are prefilled with (Prefill).
type Recommendation struct {
	Method string
	// URL is the path template with each {param} turned into the wizard's
	// {{param}} variable; PathVars holds their sample values.
	URL      string
	PathVars []wizard.Variable
	// Query and Headers are the required query and header parameters
	// (and Content-Type for the body), with example values.
	Query   []connection.KV
	Headers []connection.KV
	// ContentType is the request body's media type, "" for no body.
	ContentType string
	BodyType    wizard.BodyType
	Body        string // JSON or text
	Form        []connection.KV
	Parts       []wizard.Part
	// ServerPaths are the path parts of the operation's servers ("/api/v3"),
	// for a connection whose base URL lacks them.
	ServerPaths []string
	// Notes say what could not be recommended, in plain words.
	Notes []string
}

// Recommend builds the operation's recommended request. Values come from
// the parameter's or schema's example, default or first enum value, else
// from its type and format (sample.go).
func (o Operation) Recommend() Recommendation {
	r := Recommendation{Method: o.Method, URL: o.Path}
	for _, sv := range o.Servers() {
		if p := serverPath(sv.URL); p != "" {
			r.ServerPaths = append(r.ServerPaths, p)
		}
	}
	for _, p := range o.parameters() {
		switch strings.ToLower(p.In) {
		case "path":
			name := VariableName(p.Name)
			r.URL = strings.ReplaceAll(r.URL, "{"+p.Name+"}", "{{"+name+"}}")
			r.PathVars = append(r.PathVars, wizard.Variable{
				Name: name, Type: varType(p.Schema), Required: true, Sample: paramValue(p),
			})
		case "query":
			if p.Required {
				r.Query = append(r.Query, connection.KV{Key: p.Name, Value: paramValue(p)})
			}
		case "header":
			// OpenAPI says these three are ignored as header parameters:
			// the body, the responses and the security scheme set them.
			switch strings.ToLower(p.Name) {
			case "accept", "content-type", "authorization":
				continue
			}
			if p.Required {
				r.Headers = append(r.Headers, connection.KV{Key: p.Name, Value: paramValue(p)})
			}
		case "cookie":
			if p.Required {
				r.Notes = append(r.Notes, "the cookie '"+p.Name+"' is required: add a Cookie header")
			}
		}
	}
	o.recommendBody(&r)
	return r
}

// varNameInvalid is what a wizard variable's name cannot hold.
var varNameInvalid = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// VariableName turns a parameter's name into a variable's: characters a
// {{name}} cannot hold become "_", and a leading digit or dot gets one
// before it.
func VariableName(param string) string {
	name := varNameInvalid.ReplaceAllString(param, "_")
	if name == "" || !(name[0] == '_' || name[0] >= 'A' && name[0] <= 'Z' || name[0] >= 'a' && name[0] <= 'z') {
		name = "_" + name
	}
	return name
}

func varType(sp *openapi3.SchemaRef) wizard.VarType {
	if sp == nil || sp.Value == nil {
		return wizard.VarString
	}
	switch kind(sp.Value) {
	case "integer", "number":
		return wizard.VarNumber
	case "boolean":
		return wizard.VarBoolean
	}
	return wizard.VarString
}

// paramValue is a parameter's sample as text: its example, first of its
// examples, else a sample of its schema.
func paramValue(p *openapi3.Parameter) string {
	if v, ok := plainValue(p.Example); ok {
		return text(v)
	}
	if examples := exampleValues(p.Examples); len(examples) > 0 {
		return text(examples[0])
	}
	if v, ok := newSampler(true).proxy(p.Schema, 0); ok {
		return text(v)
	}
	return ""
}

// text is a sample value as a query, header or form value: strings as they
// are, arrays as comma-separated items (OpenAPI's default "form" style
// without explode), other values as JSON.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			parts[i] = text(item)
		}
		return strings.Join(parts, ",")
	}
	raw, err := marshal(v)
	if err != nil {
		return ""
	}
	return string(raw)
}

// recommendBody picks the request body's media type — JSON first, then a
// form, then text — and fills the body with a sample of it.
func (o Operation) recommendBody(r *Recommendation) {
	content := o.requestContent()
	if len(content) == 0 {
		return
	}
	media, mt := pickRequestMedia(content)
	if mt == nil {
		ct := inOrder(content, mediaOrigin)[0]
		r.Notes = append(r.Notes, "the body is "+ct+": patchbay cannot make a sample of it; add it yourself")
		return
	}
	r.ContentType = media
	r.Headers = append(r.Headers, connection.KV{Key: "Content-Type", Value: media})
	value, ok := mediaSample(mt)
	if !ok {
		return
	}
	switch {
	case isJSONMedia(media):
		r.BodyType = wizard.BodyJSON
		r.Body = indented(value)
	case media == "application/x-www-form-urlencoded":
		r.BodyType = wizard.BodyForm
		r.Form = fields(value)
	case media == "multipart/form-data":
		r.BodyType = wizard.BodyMultipart
		for _, kv := range fields(value) {
			r.Parts = append(r.Parts, wizard.Part{Name: kv.Key, Value: kv.Value})
		}
	default:
		r.BodyType = wizard.BodyText
		r.Body = text(value)
	}
}

// pickRequestMedia prefers JSON, then a form, then multipart, then text.
func pickRequestMedia(content openapi3.Content) (string, *openapi3.MediaType) {
	var best string
	var bestMT *openapi3.MediaType
	rank := 99
	for _, ct := range inOrder(content, mediaOrigin) {
		mt := content[ct]
		if mt == nil {
			continue
		}
		media := mediaType(ct)
		r := 99
		switch {
		case isJSONMedia(media):
			r = 0
		case media == "application/x-www-form-urlencoded":
			r = 1
		case media == "multipart/form-data":
			r = 2
		case strings.HasPrefix(media, "text/"):
			r = 3
		}
		if r < rank {
			best, bestMT, rank = media, mt, r
		}
	}
	return best, bestMT
}

// mediaSample is the media type's example if its schema accepts it, else
// the first of its examples that it accepts, else a sample of its schema.
func mediaSample(mt *openapi3.MediaType) (any, bool) {
	var given []any
	if v, ok := plainValue(mt.Example); ok {
		given = append(given, v)
	}
	given = append(given, exampleValues(mt.Examples)...)
	for _, v := range given {
		if mt.Schema == nil || len(validate(v, mt.Schema, true)) == 0 {
			return v, true
		}
	}
	return newSampler(true).proxy(mt.Schema, 0)
}

// fields turns an object sample into form fields, in order.
func fields(v any) []connection.KV {
	var out []connection.KV
	switch o := v.(type) {
	case *object:
		for _, k := range o.keys {
			out = append(out, connection.KV{Key: k, Value: text(o.vals[k])})
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(o)) {
			out = append(out, connection.KV{Key: k, Value: text(o[k])})
		}
	}
	return out
}

// mediaType is a Content-Type without its parameters, lower case.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

func isJSONMedia(media string) bool {
	return media == "application/json" || strings.HasSuffix(media, "+json")
}
