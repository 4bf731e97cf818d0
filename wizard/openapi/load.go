package openapi

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// errSwagger2 is the refusal of a Swagger 2.0 document.
var errSwagger2 = errors.New("this is Swagger 2.0; patchbay reads OpenAPI 3.x (convert it, e.g. with swagger2openapi)")

// Load parses an OpenAPI 3.x document, JSON or YAML. A Swagger 2.0
// document, or anything that is not OpenAPI, is refused with a message
// saying so; references that cannot be resolved are warnings (Warnings),
// not errors, so a spec with one broken $ref still offers its operations.
func Load(data []byte) (*Spec, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("the document is %d MB; patchbay reads OpenAPI documents up to %d MB", len(data)>>20, MaxDocumentSize>>20)
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, errors.New("the document is empty")
	}
	doc, warnings, err := parse(data)
	if err != nil {
		return nil, describeLoadError(data, err)
	}
	switch v := strings.TrimSpace(doc.OpenAPI); {
	case strings.HasPrefix(v, "3."):
	case strings.HasPrefix(v, "2"), v == "" && mentionsSwagger2(data):
		return nil, errSwagger2
	case v == "":
		return nil, errors.New("this is not an OpenAPI document: it has no 'openapi: 3.x' field")
	default:
		return nil, fmt.Errorf("this is not an OpenAPI 3.x document (it says openapi %s)", v)
	}
	s := &Spec{Version: doc.OpenAPI, doc: doc, warnings: append(warnings, requiredLoops(doc)...)}
	if doc.Info != nil {
		s.Title = doc.Info.Title
	}
	s.ops = s.operations()
	return s, nil
}

// parse loads the document. kin-openapi refuses a whole document for one
// $ref it cannot resolve, or one "version: 1.0" that YAML reads as a
// number; when a load fails, repair mends what it can and the document is
// loaded again (three times at most: the loader stops at the first wrong
// field of an object, so a mended document may show one the first error
// hid). An error that remains is the first one, whose line
// numbers are those of the user's file.
func parse(data []byte) (*openapi3.T, []string, error) {
	doc, err := loadData(data)
	first := err
	var warnings []string
	for range 3 {
		if err == nil {
			return doc, warnings, nil
		}
		mended, found, changed := repair(data, err)
		if !changed {
			break
		}
		data = mended
		warnings = append(warnings, found...)
		doc, err = loadData(data)
	}
	if err != nil {
		return nil, nil, first
	}
	return doc, warnings, nil
}

// loadData runs kin-openapi's loader with external references refused:
// IsExternalRefsAllowed is false and no ReadFromURIFunc is set, which is
// what makes the loader enforce it. Origins are recorded for the
// document's order (order.go). A panic in the parser on a hostile document
// becomes an error rather than the end of the program.
func loadData(data []byte) (doc *openapi3.T, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("the parser failed on it (%v)", r)
		}
	}()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	loader.ReadFromURIFunc = nil
	loader.IncludeOrigin = true
	return loader.LoadFromData(data)
}

// swagger2 finds a top-level "swagger: 2.0" as YAML or JSON writes it.
var swagger2 = regexp.MustCompile(`(?m)(^|[{,]\s*)["']?swagger["']?\s*:\s*["']?2`)

func mentionsSwagger2(data []byte) bool {
	return swagger2.Match(data[:min(len(data), 4096)])
}

// describeLoadError words kin-openapi's refusal for a person holding the
// file. Its unmarshal errors read "failed to unmarshal data: [json error:
// X, ]yaml error: Y".
func describeLoadError(data []byte, err error) error {
	if mentionsSwagger2(data) {
		return errSwagger2
	}
	msg := oneLine(err.Error())
	rest, ok := strings.CutPrefix(msg, "failed to unmarshal data: ")
	if !ok {
		return fmt.Errorf("cannot read the OpenAPI document: %s", msg)
	}
	if strings.Contains(rest, "excessive aliasing") {
		return errors.New("cannot read the document: its YAML aliases expand it too much (a document that multiplies itself)")
	}
	jsonPart, yamlPart := "", rest
	if before, after, found := strings.Cut(rest, ", yaml error: "); found {
		jsonPart, yamlPart = strings.TrimPrefix(before, "json error: "), after
	}
	yamlPart = strings.TrimPrefix(yamlPart, "yaml error: ")
	if jsonPart != "" && strings.HasPrefix(strings.TrimSpace(string(data[:min(len(data), 64)])), "{") {
		return fmt.Errorf("cannot read the document as JSON or YAML: %s", jsonPart)
	}
	if syntax, ok := strings.CutPrefix(yamlPart, "yaml: line "); ok {
		return fmt.Errorf("cannot read the document as JSON or YAML: line %s", syntax)
	}
	return fmt.Errorf("cannot read the OpenAPI document: %s", strings.TrimPrefix(yamlPart, "yaml: "))
}

// oneLine joins the lines of a multi-line error.
func oneLine(s string) string {
	var parts []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, " ")
}
