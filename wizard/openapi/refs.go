package openapi

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// maxRefWarnings bounds the warnings about left-out references: a document
// that refers to other files everywhere says so a few times, not a
// thousand.
const maxRefWarnings = 10

// repair mends what made kin-openapi refuse a document that is otherwise
// usable, working on the YAML node tree (JSON is YAML) so that aliases are
// not expanded and the rest stays as written:
//   - a $ref that points outside the document (patchbay never reads
//     another file or URL) or to nothing in it is taken out, each one a
//     warning. What it stood for becomes empty: an empty schema accepts
//     anything, so there is nothing to check against there;
//   - a number or boolean where the loader wants text ("version: 1.0",
//     "openapi: 3.0", which YAML reads as numbers) is made a string. The
//     positions come from the loader's errors for this same data.
//
// changed is false when there was nothing to mend, or data is not YAML.
func repair(data []byte, loadErr error) (out []byte, warnings []string, changed bool) {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return nil, nil, false
	}
	top := &root
	if top.Kind == yaml.DocumentNode && len(top.Content) > 0 {
		top = top.Content[0]
	}
	// The loader's error marks the mapping and names the field; an item of
	// a list of strings is marked itself.
	wantText := map[textAt]bool{}
	var loadErrs *yaml.LoadErrors
	if errors.As(loadErr, &loadErrs) {
		for _, e := range loadErrs.Errors {
			if strings.Contains(e.Message, "into string") {
				field := ""
				if m := stringField.FindStringSubmatch(e.Message); m != nil {
					field = m[1]
				}
				wantText[textAt{e.Mark.Line, e.Mark.Column, field}] = true
			}
		}
	}
	seen := map[string]bool{}
	dropped, retagged := 0, 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || n.Kind == yaml.AliasNode {
			return // the anchored node is walked where it is written
		}
		if n.Kind == yaml.ScalarNode && wantText[textAt{n.Line, n.Column, ""}] && makeText(n) {
			retagged++
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if wantText[textAt{n.Line, n.Column, n.Content[i].Value}] && makeText(n.Content[i+1]) {
					retagged++
				}
			}
			for i := 0; i+1 < len(n.Content); {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "$ref" && v.Kind == yaml.ScalarNode {
					if problem := refProblem(top, v.Value); problem != "" {
						n.Content = slices.Delete(n.Content, i, i+2)
						dropped++
						if !seen[v.Value] && len(warnings) < maxRefWarnings {
							seen[v.Value] = true
							warnings = append(warnings, problem)
						}
						continue
					}
				}
				i += 2
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(top)
	if dropped == 0 && retagged == 0 {
		return nil, nil, false
	}
	if more := dropped - len(warnings); more > 0 && len(warnings) == maxRefWarnings {
		warnings = append(warnings, fmt.Sprintf("and %d more references left out", more))
	}
	out, err := yaml.Marshal(&root)
	if err != nil {
		return nil, nil, false
	}
	return out, warnings, true
}

// textAt is where the loader wanted text: a field of the mapping at
// line:column, or the scalar there when field is "".
type textAt struct {
	line, column int
	field        string
}

var stringField = regexp.MustCompile(`into string field "([^"]*)"`)

// makeText makes a number or boolean scalar a string, or each of a list
// of them; false when there was none.
func makeText(n *yaml.Node) bool {
	if n.Kind == yaml.SequenceNode {
		changed := false
		for _, item := range n.Content {
			changed = makeText(item) || changed
		}
		return changed
	}
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!bool":
		n.Tag = "!!str"
		return true
	}
	return false
}

// refProblem says why ref cannot be followed, "" when it can: it points
// outside the document, or to nothing in it.
func refProblem(top *yaml.Node, ref string) string {
	fragment, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return fmt.Sprintf("the $ref %s points outside the document; patchbay never reads other files or URLs, so what it stands for is left out", strconv.Quote(ref))
	}
	if p, err := url.PathUnescape(fragment); err == nil {
		fragment = p
	}
	if fragment == "" {
		return ""
	}
	missing := fmt.Sprintf("the $ref %s points to nothing in the document; what it stands for is left out", strconv.Quote(ref))
	pointer, ok := strings.CutPrefix(fragment, "/")
	if !ok {
		// OpenAPI 3.1 lets a schema name itself with $anchor; kin-openapi
		// resolves only JSON pointers.
		return fmt.Sprintf("the $ref %s names a JSON Schema $anchor, which patchbay cannot follow; what it stands for is left out", strconv.Quote(ref))
	}
	n := top
	for _, token := range strings.Split(pointer, "/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		n = childNode(n, token)
		if n == nil {
			return missing
		}
	}
	return ""
}

// childNode is the value under key in a mapping, or the item at that index
// in a sequence; nil when there is none.
func childNode(n *yaml.Node, key string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}
