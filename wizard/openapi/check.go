package openapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Check compares a real response with what the operation documents: the
// response for its status (the exact code, then its range such as 2XX,
// then default; a status the operation does not document is itself a
// mismatch), the media type, and a JSON body against the schema. Nil means
// the response matches (or the spec says nothing to check it against).
// Bodies of other media types (XML, text) are not checked.
func (o Operation) Check(status int, contentType string, body []byte) []Mismatch {
	if o.op == nil || o.op.Responses == nil {
		return nil
	}
	resp := o.response(status)
	if resp == nil {
		return []Mismatch{{Path: "status", Problem: fmt.Sprintf("%d is not documented for %s (documented: %s)",
			status, o, strings.Join(o.documentedStatuses(), ", "))}}
	}
	if len(resp.Content) == 0 {
		return nil
	}
	_, mt := pickResponseMedia(resp.Content, contentType)
	if mt == nil {
		got := mediaType(contentType)
		if got == "" {
			got = "no Content-Type"
		}
		return []Mismatch{{Path: "content-type", Problem: fmt.Sprintf("%s, but the spec documents %s for %d",
			got, strings.Join(inOrder(resp.Content, mediaOrigin), ", "), status)}}
	}
	if mt.Schema == nil || !isJSONMedia(mediaType(contentType)) {
		return nil // only JSON bodies are checked
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if o.Method == "HEAD" {
			return nil
		}
		return []Mismatch{{Path: "$", Problem: "the body is empty, but the spec documents a JSON body"}}
	}
	v, err := decodeJSON(body)
	if err != nil {
		return []Mismatch{{Path: "$", Problem: "the body is not valid JSON: " + err.Error()}}
	}
	return validate(v, mt.Schema, false)
}

// CheckRequestBody checks a JSON request body against the operation's
// request schema for contentType ("" for its first JSON media type).
func (o Operation) CheckRequestBody(contentType string, body []byte) []Mismatch {
	content := o.requestContent()
	if len(content) == 0 {
		return nil
	}
	var mt *openapi3.MediaType
	if contentType == "" {
		_, mt = pickRequestMedia(content)
	} else {
		_, mt = pickResponseMedia(content, contentType)
	}
	if mt == nil || mt.Schema == nil {
		return nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return []Mismatch{{Path: "$", Problem: "the body is not valid JSON: " + err.Error()}}
	}
	return validate(v, mt.Schema, true)
}

// requestContent is the media types of the operation's request body.
func (o Operation) requestContent() openapi3.Content {
	if o.op == nil || o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		return nil
	}
	return o.op.RequestBody.Value.Content
}

// response is the documented response for status: the exact code, then
// its range ("2XX", any case), then default.
func (o Operation) response(status int) *openapi3.Response {
	all := o.op.Responses.Map()
	code := strconv.Itoa(status)
	if r := all[code]; r != nil && r.Value != nil {
		return r.Value
	}
	for _, k := range o.codes() {
		if r := all[k]; len(k) == 3 && len(code) == 3 && k[0] == code[0] && strings.EqualFold(k[1:], "XX") && r != nil && r.Value != nil {
			return r.Value
		}
	}
	if r := o.op.Responses.Default(); r != nil {
		return r.Value
	}
	return nil
}

// codes are the documented status codes and ranges, in the document's
// order, without default.
func (o Operation) codes() []string {
	return slices.DeleteFunc(inOrder(o.op.Responses.Map(), responseOrigin), func(k string) bool { return k == "default" })
}

func (o Operation) documentedStatuses() []string {
	out := o.codes()
	if o.op.Responses.Default() != nil {
		out = append(out, "default")
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// pickResponseMedia finds the media type documented for a Content-Type:
// the same type, then a type/* range, then */*.
func pickResponseMedia(content openapi3.Content, contentType string) (string, *openapi3.MediaType) {
	got := mediaType(contentType)
	major, _, _ := strings.Cut(got, "/")
	var rangeKey, anyKey string
	var rangeMT, anyMT *openapi3.MediaType
	for _, key := range inOrder(content, mediaOrigin) {
		mt := content[key]
		if mt == nil {
			continue
		}
		media := mediaType(key)
		switch {
		case got != "" && media == got:
			return media, mt
		case got != "" && media == major+"/*" && rangeMT == nil:
			rangeKey, rangeMT = media, mt
		case media == "*/*" && anyMT == nil:
			anyKey, anyMT = media, mt
		}
	}
	if rangeMT != nil {
		return rangeKey, rangeMT
	}
	return anyKey, anyMT
}
