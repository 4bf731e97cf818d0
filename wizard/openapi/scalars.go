package openapi

// The checks of strings and numbers: lengths, patterns, formats, ranges.

import (
	"encoding/json"
	"math"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

func (c *checker) str(v string, s *openapi3.Schema, path string) {
	n := uint64(utf8.RuneCountInString(v))
	if n < s.MinLength {
		c.add(path, "%d characters, shorter than the minimum %d", n, s.MinLength)
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		c.add(path, "%d characters, longer than the maximum %d", n, *s.MaxLength)
	}
	if s.Pattern != "" {
		// A pattern RE2 cannot compile (lookarounds) is not checked.
		if re := compiled(s.Pattern); re != nil && !re.MatchString(v) {
			c.add(path, "%s does not match the pattern %s", shortJSON(v, 40), s.Pattern)
		}
	}
	if problem := formatProblem(s.Format, v); problem != "" {
		c.add(path, "%s %s", shortJSON(v, 40), problem)
	}
}

var (
	patternCache = map[string]*regexp.Regexp{}
	patternMu    sync.Mutex
)

// compiled returns the pattern compiled, from a cache; nil if RE2 cannot.
func compiled(pattern string) *regexp.Regexp {
	patternMu.Lock()
	defer patternMu.Unlock()
	re, ok := patternCache[pattern]
	if !ok {
		re, _ = regexp.Compile(pattern)
		if len(patternCache) < 1024 {
			patternCache[pattern] = re
		}
	}
	return re
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// formatProblem says how v fails format, "" when it does not (or the
// format is not one checked).
func formatProblem(format, v string) string {
	switch format {
	case "date-time":
		if _, err := time.Parse(time.RFC3339Nano, strings.ToUpper(v)); err != nil {
			return "is not a date-time (RFC 3339, e.g. 2024-01-02T15:04:05Z)"
		}
	case "date":
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "is not a date (YYYY-MM-DD)"
		}
	case "uuid":
		if !uuidPattern.MatchString(v) {
			return "is not a UUID"
		}
	case "email":
		local, domain, ok := strings.Cut(v, "@")
		if !ok || local == "" || domain == "" || strings.ContainsAny(v, " \t\r\n") || strings.Contains(domain, "@") {
			return "is not an email address"
		}
	case "ipv4":
		if ip := net.ParseIP(v); ip == nil || ip.To4() == nil || strings.Contains(v, ":") {
			return "is not an IPv4 address"
		}
	case "ipv6":
		if ip := net.ParseIP(v); ip == nil || !strings.Contains(v, ":") {
			return "is not an IPv6 address"
		}
	case "uri":
		if u, err := url.Parse(v); err != nil || !u.IsAbs() {
			return "is not an absolute URI"
		}
	}
	return ""
}

func (c *checker) number(v json.Number, s *openapi3.Schema, path string) {
	f, err := v.Float64()
	if err != nil {
		return
	}
	shown := string(v)
	if s.Min != nil && f < *s.Min {
		c.add(path, "%s is less than the minimum %s", shown, num(*s.Min))
	}
	if s.Max != nil && f > *s.Max {
		c.add(path, "%s is more than the maximum %s", shown, num(*s.Max))
	}
	// exclusiveMinimum is a number in 3.1, a flag on minimum in 3.0.
	switch e := s.ExclusiveMin; {
	case e.Value != nil && f <= *e.Value:
		c.add(path, "%s must be more than %s", shown, num(*e.Value))
	case e.IsTrue() && s.Min != nil && f == *s.Min:
		c.add(path, "%s must be more than %s", shown, num(*s.Min))
	}
	switch e := s.ExclusiveMax; {
	case e.Value != nil && f >= *e.Value:
		c.add(path, "%s must be less than %s", shown, num(*e.Value))
	case e.IsTrue() && s.Max != nil && f == *s.Max:
		c.add(path, "%s must be less than %s", shown, num(*s.Max))
	}
	if m := s.MultipleOf; m != nil && *m > 0 {
		if q := f / *m; math.Abs(q-math.Round(q)) > 1e-9 {
			c.add(path, "%s is not a multiple of %s", shown, num(*m))
		}
	}
	switch s.Format {
	case "int32":
		if !isInteger(v) || f < math.MinInt32 || f > math.MaxInt32 {
			c.add(path, "%s is not an int32", shown)
		}
	case "int64":
		if _, err := strconv.ParseInt(string(v), 10, 64); err != nil && (!isInteger(v) || math.Abs(f) >= 1<<63) {
			c.add(path, "%s is not an int64", shown)
		}
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
