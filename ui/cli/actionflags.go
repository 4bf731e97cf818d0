package cli

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"patchbay/connection"
	"patchbay/wizard"
)

// formEntry is one --form or --form-string value, as typed.
type formEntry struct {
	value   string
	literal bool // --form-string: the value is taken as is
}

// String names the flag and its value for messages: --form 'f=@x.png'.
func (f formEntry) String() string {
	if f.literal {
		return "--form-string " + quote(f.value)
	}
	return "--form " + quote(f.value)
}

// formFlag collects --form and --form-string in the order they were given,
// which is the order of the parts.
type formFlag []formEntry

// kind is the flag.Value that appends entries of one kind.
func (f *formFlag) kind(literal bool) flag.Value { return formKind{f, literal} }

type formKind struct {
	f       *formFlag
	literal bool
}

func (k formKind) String() string { return "" }

func (k formKind) Set(v string) error {
	*k.f = append(*k.f, formEntry{value: v, literal: k.literal})
	return nil
}

// split cuts an entry into its name and value.
func (f formEntry) split() (name, value, msg string) {
	name, value, ok := strings.Cut(f.value, "=")
	name = strings.TrimSpace(name)
	switch {
	case !ok:
		return "", "", fmt.Sprintf("%s: expected name=value or name=@FILE", f)
	case name == "":
		return "", "", fmt.Sprintf("%s: the field needs a name before the =", f)
	}
	return name, value, ""
}

// fields are the entries as url-encoded form fields (--body-type form),
// where a file cannot go.
func (l formFlag) fields() ([]connection.KV, string) {
	var kvs []connection.KV
	for _, f := range l {
		name, value, msg := f.split()
		if msg != "" {
			return nil, msg
		}
		if !f.literal && strings.HasPrefix(value, "@") {
			return nil, fmt.Sprintf("%s: a file needs a multipart body, and --body-type form sends only name=value fields — "+
				"drop --body-type form, or use --form-string for a value that starts with @", f)
		}
		kvs = append(kvs, connection.KV{Key: name, Value: value})
	}
	return kvs, ""
}

// parts are the entries as multipart parts: name=value, or
// name=@PATH[;type=TYPE][;filename=NAME] as curl's -F. A relative path is
// made absolute, so that the action runs the same from any directory.
func (l formFlag) parts() ([]wizard.Part, string) {
	var parts []wizard.Part
	for _, f := range l {
		name, value, msg := f.split()
		if msg != "" {
			return nil, msg
		}
		spec, isFile := strings.CutPrefix(value, "@")
		if f.literal || !isFile {
			parts = append(parts, wizard.Part{Name: name, Value: value})
			continue
		}
		p, msg := parseFileSpec(spec)
		if msg != "" {
			return nil, fmt.Sprintf("%s: %s", f, msg)
		}
		p.Name = name
		parts = append(parts, p)
	}
	return parts, ""
}

// parseFileSpec reads PATH[;type=TYPE][;filename=NAME], where PATH and the
// values may be in double quotes (to hold a ;).
func parseFileSpec(spec string) (wizard.Part, string) {
	path, rest, msg := cutValue(spec)
	if msg != "" {
		return wizard.Part{}, msg
	}
	if strings.TrimSpace(path) == "" {
		return wizard.Part{}, "expected a file's path after @"
	}
	p := wizard.Part{File: path}
	for rest != "" {
		rest = strings.TrimPrefix(rest, ";")
		key, after, ok := strings.Cut(rest, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok {
			return wizard.Part{}, fmt.Sprintf("expected type=TYPE or filename=NAME after ;, not %s", quote(rest))
		}
		var value string
		value, rest, msg = cutValue(after)
		if msg != "" {
			return wizard.Part{}, msg
		}
		switch key {
		case "type":
			p.ContentType = strings.TrimSpace(value)
		case "filename":
			p.FileName = value
		default:
			return wizard.Part{}, fmt.Sprintf("unknown option %s — use ;type=TYPE or ;filename=NAME", quote(key))
		}
	}
	if !strings.Contains(p.File, "{{") && !strings.HasPrefix(p.File, "~/") {
		if abs, err := filepath.Abs(p.File); err == nil {
			p.File = abs
		}
	}
	return p, ""
}

// cutValue reads a value up to the next ; or a "quoted value" (with \" and
// \\ escapes), and returns the rest from the ;.
func cutValue(s string) (value, rest, msg string) {
	if !strings.HasPrefix(s, `"`) {
		value, after, found := strings.Cut(s, ";")
		if found {
			rest = ";" + after
		}
		return value, rest, ""
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			rest = s[i+1:]
			if rest != "" && !strings.HasPrefix(rest, ";") {
				return "", "", fmt.Sprintf("expected ; after the quoted %s", quote(b.String()))
			}
			return b.String(), rest, ""
		default:
			b.WriteByte(c)
		}
	}
	return "", "", "a quote is not closed"
}

// optionFlags are the action options of `action add`, as typed.
type optionFlags struct {
	retries, retryDelay, timeout, deadline, maxRedirects, bodyCap, responseType string
	backoff, retryAllErrors, retryUnsafe, verifyTLS, fullResponse, debug        bool
}

// optionFlagNames maps the option keys of wizard.ActionOptions.Validate to
// their flags.
var optionFlagNames = map[string]string{
	"retries":       "retries",
	"retry_delay":   "retry-delay",
	"timeout":       "timeout",
	"deadline":      "deadline",
	"max_redirects": "max-redirects",
	"body_cap":      "body-cap",
	"response_type": "response-type",
}

func (o *optionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.retries, "retries", "", "")
	fs.StringVar(&o.retryDelay, "retry-delay", "", "")
	fs.StringVar(&o.timeout, "timeout", "", "")
	fs.StringVar(&o.deadline, "deadline", "", "")
	fs.StringVar(&o.maxRedirects, "max-redirects", "", "")
	fs.StringVar(&o.bodyCap, "body-cap", "", "")
	fs.StringVar(&o.responseType, "response-type", "", "")
	fs.BoolVar(&o.backoff, "backoff", false, "")
	fs.BoolVar(&o.retryAllErrors, "retry-all-errors", false, "")
	fs.BoolVar(&o.retryUnsafe, "retry-unsafe", false, "")
	fs.BoolVar(&o.verifyTLS, "verify-tls", false, "")
	fs.BoolVar(&o.fullResponse, "full-response", false, "")
	fs.BoolVar(&o.debug, "debug", false, "")
}

// parse turns the flags that were given into options, with a message
// naming the flag for each value that is not a number or a size. Ranges
// (negative values, too many retries) are wizard.ActionOptions.Validate's,
// reported through the wizard like every other field.
func (o *optionFlags) parse(fs *flag.FlagSet) (wizard.ActionOptions, []string) {
	opts := wizard.ActionOptions{
		ResponseType: wizard.ResponseType(strings.ToLower(strings.TrimSpace(o.responseType))),
		FullResponse: o.fullResponse,
		Debug:        o.debug,
	}
	opts.Backoff = o.backoff
	opts.RetryAllErrors = o.retryAllErrors
	opts.RetryUnsafe = o.retryUnsafe
	opts.VerifyTLS = o.verifyTLS
	var problems []string
	fs.Visit(func(fl *flag.Flag) {
		v := strings.TrimSpace(fl.Value.String())
		bad := func(want string) {
			problems = append(problems, fmt.Sprintf("--%s %s: expected %s", fl.Name, quote(fl.Value.String()), want))
		}
		var ok bool
		switch fl.Name {
		case "retries":
			if opts.Retries, ok = parseCount(v); !ok {
				bad("a whole number of retries, such as 3")
			}
		case "max-redirects":
			var n int
			if n, ok = parseCount(v); !ok {
				bad("a whole number of redirects, such as 5 (0 follows none)")
			}
			opts.MaxRedirects = &n
		case "retry-delay", "timeout", "deadline":
			d, ok := parseMillis(v)
			if !ok {
				bad("milliseconds, such as 500, or a duration such as 1.5s")
			}
			switch fl.Name {
			case "retry-delay":
				opts.RetryDelay = d
			case "timeout":
				opts.Timeout = d
			default:
				opts.Deadline = d
			}
		case "body-cap":
			if opts.BodyCap, ok = parseBytes(v); !ok {
				bad("a size in bytes, such as 1048576, 10MiB or 100MB")
			}
		case "response-type":
			if v == "" {
				bad("json, text or binary")
			}
		}
	})
	return opts, problems
}

// parseCount reads a whole number; a negative one is returned as it is, for
// validation to say it cannot be negative.
func parseCount(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// parseMillis reads milliseconds ("500") or a Go duration ("1.5s", "2m").
func parseMillis(v string) (time.Duration, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > math.MaxInt64/int64(time.Millisecond) || n < math.MinInt64/int64(time.Millisecond) {
			return 0, false
		}
		return time.Duration(n) * time.Millisecond, true
	}
	d, err := time.ParseDuration(v)
	return d, err == nil
}

var sizePattern = regexp.MustCompile(`^(-?[0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$`)

// sizeUnits are the units parseBytes knows: KB, MB, GB are powers of 1000;
// KiB, MiB, GiB and the bare K, M, G (as curl reads them) of 1024.
var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
}

// parseBytes reads a byte count: 1048576, 10MiB, 100MB, 512k, 1.5GiB.
func parseBytes(v string) (int64, bool) {
	m := sizePattern.FindStringSubmatch(v)
	if m == nil {
		return 0, false
	}
	unit, ok := sizeUnits[strings.ToLower(m[2])]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil || math.Abs(n*unit) > math.MaxInt64/2 {
		return 0, false
	}
	return int64(math.Round(n * unit)), true
}

// variables turns --var-type, --var-default and --var-optional into the
// descriptions of the variables in used (the action's, in its order), with
// a message naming the flag and its value for each name the action does
// not use, unknown type, or default not of its variable's type. A variable
// these flags describe is required unless --var-optional names it; one
// they do not name is left undescribed (a required string).
func (f *actionFlags) variables(used []string) ([]wizard.Variable, []string) {
	described := map[string]*wizard.Variable{}
	var problems []string
	// describe returns the description of name, or nil (and a problem)
	// when the action has no such variable.
	describe := func(flagName, value, name string) *wizard.Variable {
		if !slices.Contains(used, name) {
			takes := "it takes no variables"
			if len(used) > 0 {
				takes = "it takes " + strings.Join(used, ", ")
			}
			problems = append(problems, fmt.Sprintf("--%s %s: the action has no variable %s (%s)", flagName, quote(value), quote(name), takes))
			return nil
		}
		v, ok := described[name]
		if !ok {
			v = &wizard.Variable{Name: name, Type: wizard.VarString, Required: true}
			described[name] = v
		}
		return v
	}
	pair := func(flagName, value string) (name, rest string, ok bool) {
		name, rest, found := strings.Cut(value, "=")
		name = strings.TrimSpace(name)
		if !found || name == "" {
			want := "name=TYPE"
			if flagName == "var-default" {
				want = "name=VALUE"
			}
			problems = append(problems, fmt.Sprintf("--%s %s: expected %s", flagName, quote(value), want))
			return "", "", false
		}
		return name, rest, true
	}
	for _, value := range f.varTypes {
		name, typ, ok := pair("var-type", value)
		if !ok {
			continue
		}
		t, err := wizard.ParseVarType(typ)
		if err != nil {
			problems = append(problems, fmt.Sprintf("--var-type %s: %v", quote(value), err))
			continue
		}
		if v := describe("var-type", value, name); v != nil {
			v.Type = t
		}
	}
	defaults := map[string]string{} // name → the flag's value, for messages
	for _, value := range f.varDefaults {
		name, def, ok := pair("var-default", value)
		if !ok {
			continue
		}
		if v := describe("var-default", value, name); v != nil {
			v.Default = &def
			defaults[name] = value
		}
	}
	for _, value := range f.varOptional {
		if v := describe("var-optional", value, strings.TrimSpace(value)); v != nil {
			v.Required = false
		}
	}
	var vars []wizard.Variable
	for _, name := range used {
		v, ok := described[name]
		if !ok {
			continue
		}
		if v.Default != nil {
			if err := v.Check("", *v.Default); err != nil {
				problems = append(problems, fmt.Sprintf("--var-default %s: %v", quote(defaults[name]), err))
			}
		}
		vars = append(vars, *v)
	}
	return vars, problems
}
