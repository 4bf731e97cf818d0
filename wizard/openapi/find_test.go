package openapi

import (
	"strings"
	"testing"
)

func names(ops []Operation) string {
	var out []string
	for _, op := range ops {
		out = append(out, op.String())
	}
	return strings.Join(out, "; ")
}

func TestFind(t *testing.T) {
	ops := loadFile(t, "petstore.yaml").Operations()
	cases := []struct {
		query string
		first string
		count int // -1: not checked
	}{
		{"pet find status", "GET /pet/findByStatus", 1},
		{"findbystatus", "GET /pet/findByStatus", -1},
		{"fbs", "GET /pet/findByStatus", -1},           // the capitals of findByStatus
		{"order id", "GET /store/order/{orderId}", -1}, // a tie with DELETE: the document's order
		{"delete user", "DELETE /user/{username}", -1},
		{"login", "GET /user/login", -1},           // then logout's "Logs out ... logged in"
		{"inventories", "GET /store/inventory", 1}, // only in the summary
		{"uploadFile", "POST /pet/{petId}/uploadImage", 1},
		{"zzz", "", 0},
	}
	for _, c := range cases {
		got := Find(ops, c.query)
		first := ""
		if len(got) > 0 {
			first = got[0].String()
		}
		if first != c.first || c.count >= 0 && len(got) != c.count {
			t.Errorf("Find(%q) = %s; want %s first, %d in all", c.query, names(got), c.first, c.count)
		}
	}
	if got := Find(ops, "  "); names(got) != names(ops) {
		t.Errorf("an empty query changed the list: %s", names(got))
	}
}

func TestFuzzyScore(t *testing.T) {
	if fuzzyScore("sts", "status") == 0 || fuzzyScore("tsat", "status") != 0 {
		t.Error("letters must match in order, not necessarily together")
	}
	if fuzzyScore("status", "/pet/findByStatus") <= fuzzyScore("status", "Stores a set of things using the user's data") {
		t.Error("a whole word beats scattered letters")
	}
	if fuzzyScore("by", "/pet/findByTags") <= fuzzyScore("by", "/baby") {
		t.Error("the start of a word (ByTags) beats the middle of one")
	}
	if fuzzyScore("é", "Café") == 0 {
		t.Error("non-ASCII letters match")
	}
}
