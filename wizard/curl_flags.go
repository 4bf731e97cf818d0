package wizard

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	"patchbay/connection"
)

// curlFlag is what the import knows of one of curl's long options.
type curlFlag struct {
	arg bool // takes a value
	// harmless: it changes how curl reports or transfers, not the request
	// (-s, -v, -L, --compressed ...), so leaving it out changes nothing.
	harmless bool
	// secret: its value may hold a credential; listed masked.
	secret bool
}

// curlLongFlags are the long options the import knows, by name. A known
// option that is neither handled (see apply) nor harmless is listed in
// Unknown with its value, so the user sees what was not carried over.
var curlLongFlags = map[string]curlFlag{
	// Handled by apply.
	"request": {arg: true}, "head": {}, "get": {}, "url": {arg: true}, "header": {arg: true},
	"data": {arg: true}, "data-ascii": {arg: true}, "data-binary": {arg: true}, "data-raw": {arg: true},
	"data-urlencode": {arg: true}, "json": {arg: true}, "form": {arg: true}, "form-string": {arg: true},
	"user": {arg: true}, "insecure": {}, "user-agent": {arg: true}, "referer": {arg: true},
	"cookie": {arg: true}, "oauth2-bearer": {arg: true}, "aws-sigv4": {arg: true},
	"ntlm": {}, "digest": {}, "negotiate": {}, "anyauth": {}, "url-query": {arg: true},
	"max-time": {arg: true}, "retry": {arg: true}, "retry-delay": {arg: true}, "retry-all-errors": {},
	"max-redirs": {arg: true}, "upload-file": {arg: true}, "config": {arg: true}, "next": {},

	// Harmless.
	"silent": {harmless: true}, "show-error": {harmless: true}, "verbose": {harmless: true},
	"include": {harmless: true}, "fail": {harmless: true}, "fail-with-body": {harmless: true},
	"fail-early": {harmless: true}, "location": {harmless: true}, "location-trusted": {harmless: true},
	"compressed": {harmless: true}, "http1.0": {harmless: true}, "http1.1": {harmless: true},
	"http2": {harmless: true}, "http2-prior-knowledge": {harmless: true}, "http3": {harmless: true},
	"progress-bar": {harmless: true}, "no-progress-meter": {harmless: true}, "no-buffer": {harmless: true},
	"globoff": {harmless: true}, "basic": {harmless: true}, "ipv4": {harmless: true}, "ipv6": {harmless: true},
	"tcp-nodelay": {harmless: true}, "no-keepalive": {harmless: true}, "trace-time": {harmless: true},
	"styled-output": {harmless: true}, "connect-timeout": {arg: true, harmless: true},
	"keepalive-time": {arg: true, harmless: true}, "raw": {harmless: true}, "disable": {harmless: true},
	"tlsv1.2": {harmless: true}, "tlsv1.3": {harmless: true}, "tlsv1": {harmless: true},
	"retry-connrefused": {harmless: true}, "retry-max-time": {arg: true, harmless: true},
	"parallel": {harmless: true}, "show-headers": {harmless: true}, "write-out": {arg: true, harmless: true},
	"expect100-timeout": {arg: true, harmless: true}, "help": {arg: false}, "manual": {}, "version": {},

	// Known, with a value, not imported.
	"output": {arg: true}, "remote-name": {}, "remote-name-all": {}, "remote-header-name": {},
	"dump-header": {arg: true}, "cookie-jar": {arg: true}, "trace": {arg: true},
	"trace-ascii": {arg: true}, "stderr": {arg: true}, "output-dir": {arg: true}, "create-dirs": {},
	"libcurl": {arg: true}, "cert": {arg: true, secret: true}, "cert-type": {arg: true},
	"key": {arg: true}, "key-type": {arg: true}, "pass": {arg: true, secret: true},
	"cacert": {arg: true}, "capath": {arg: true}, "crlfile": {arg: true}, "pinnedpubkey": {arg: true},
	"ciphers": {arg: true}, "tls-max": {arg: true}, "tlsuser": {arg: true},
	"tlspassword": {arg: true, secret: true}, "proxy": {arg: true}, "proxy-user": {arg: true, secret: true},
	"proxy-header": {arg: true}, "proxy-cacert": {arg: true}, "proxy-insecure": {}, "noproxy": {arg: true},
	"preproxy": {arg: true}, "socks4": {arg: true}, "socks4a": {arg: true}, "socks5": {arg: true},
	"socks5-hostname": {arg: true}, "proxytunnel": {}, "resolve": {arg: true}, "connect-to": {arg: true},
	"interface": {arg: true}, "local-port": {arg: true}, "limit-rate": {arg: true},
	"max-filesize": {arg: true}, "unix-socket": {arg: true}, "abstract-unix-socket": {arg: true},
	"dns-servers": {arg: true}, "range": {arg: true}, "continue-at": {arg: true},
	"time-cond": {arg: true}, "speed-time": {arg: true}, "speed-limit": {arg: true},
	"netrc": {}, "netrc-file": {arg: true}, "netrc-optional": {}, "path-as-is": {},
	"request-target": {arg: true}, "variable": {arg: true}, "rate": {arg: true},
	// More of curl's flags that take a value (curl --help all), so their
	// value is never taken for the URL: --doh-url https://dns.google/...
	"doh-url": {arg: true}, "etag-save": {arg: true}, "etag-compare": {arg: true},
	"alt-svc": {arg: true}, "hsts": {arg: true}, "proto": {arg: true}, "proto-redir": {arg: true},
	"proto-default": {arg: true}, "proxy-pass": {arg: true, secret: true}, "proxy-key": {arg: true},
	"proxy-cert": {arg: true, secret: true}, "proxy-cert-type": {arg: true}, "proxy-key-type": {arg: true},
	"proxy-capath": {arg: true}, "proxy-crlfile": {arg: true}, "proxy-ciphers": {arg: true},
	"proxy-pinnedpubkey": {arg: true}, "proxy-service-name": {arg: true}, "proxy-tlsuser": {arg: true},
	"proxy-tlspassword": {arg: true, secret: true}, "proxy-tls13-ciphers": {arg: true},
	"pubkey": {arg: true}, "hostpubsha256": {arg: true}, "hostpubmd5": {arg: true},
	"krb": {arg: true}, "mail-from": {arg: true}, "mail-rcpt": {arg: true}, "mail-auth": {arg: true},
	"ftp-method": {arg: true}, "ftp-account": {arg: true}, "ftp-alternative-to-user": {arg: true},
	"ftp-ssl-ccc-mode": {arg: true}, "tls13-ciphers": {arg: true}, "curves": {arg: true},
	"engine": {arg: true}, "random-file": {arg: true}, "egd-file": {arg: true}, "tftp-blksize": {arg: true},
	"happy-eyeballs-timeout-ms": {arg: true},
	"parallel-max":              {arg: true},
	"quote":                     {arg: true}, "telnet-option": {arg: true}, "ftp-port": {arg: true},
	"append": {}, "use-ascii": {}, "list-only": {}, "junk-session-cookies": {}, "remote-time": {},
	"proxy-ntlm": {}, "proxy-digest": {}, "proxy-basic": {}, "proxy-anyauth": {}, "delegation": {arg: true},
	"service-name": {arg: true}, "sasl-authzid": {arg: true}, "sasl-ir": {}, "login-options": {arg: true},
	"tr-encoding": {}, "ignore-content-length": {}, "post301": {}, "post302": {}, "post303": {},
}

// curlShortFlags names the long option behind each short one.
var curlShortFlags = map[byte]string{
	'a': "append", 'A': "user-agent", 'b': "cookie", 'B': "use-ascii", 'c': "cookie-jar",
	'C': "continue-at", 'd': "data", 'D': "dump-header", 'e': "referer", 'E': "cert", 'f': "fail",
	'F': "form", 'g': "globoff", 'G': "get", 'h': "help", 'H': "header", 'i': "include", 'I': "head",
	'j': "junk-session-cookies", 'J': "remote-header-name", 'k': "insecure", 'K': "config",
	'l': "list-only", 'L': "location", 'm': "max-time", 'M': "manual", 'n': "netrc", 'N': "no-buffer",
	'o': "output", 'O': "remote-name", 'p': "proxytunnel", 'P': "ftp-port", 'q': "disable",
	'Q': "quote", 'r': "range", 'R': "remote-time", 's': "silent", 'S': "show-error",
	't': "telnet-option", 'T': "upload-file", 'u': "user", 'U': "proxy-user", 'v': "verbose",
	'V': "version", 'w': "write-out", 'x': "proxy", 'X': "request", 'y': "speed-time",
	'Y': "speed-limit", 'z': "time-cond", 'Z': "parallel", '0': "http1.0", '1': "tlsv1",
	'4': "ipv4", '6': "ipv6", '#': "progress-bar", ':': "next",
}

// apply records the option name (typed as typed) with its value.
func (p *curlParser) apply(name, typed, value string) {
	switch name {
	case "request":
		p.method = value
	case "head":
		p.head = true
	case "get":
		p.get = true
	case "url":
		p.urls = append(p.urls, value)
	case "header":
		p.header(typed, value)
	case "data", "data-ascii", "data-binary", "json":
		if name == "json" && !p.json {
			p.json = true
			p.implied = append(p.implied, connection.KV{Key: "Content-Type", Value: "application/json"},
				connection.KV{Key: "Accept", Value: "application/json"})
		}
		if file, ok := strings.CutPrefix(value, "@"); ok {
			p.fileData(name, typed, file)
			return
		}
		p.data = append(p.data, value)
	case "data-raw":
		p.data = append(p.data, value)
	case "data-urlencode":
		p.urlencode(typed, value)
	case "form", "form-string":
		p.formPart(typed, value, name == "form-string")
	case "user":
		p.req.HasUser = true
		p.req.User, p.req.Password, _ = strings.Cut(value, ":")
		if !strings.Contains(value, ":") {
			p.note("-u gives a user name without a password; curl would ask for it")
		}
	case "insecure":
		p.req.Insecure = true
	case "user-agent":
		p.implied = append(p.implied, connection.KV{Key: "User-Agent", Value: strings.TrimSpace(value)})
	case "referer":
		p.implied = append(p.implied, connection.KV{Key: "Referer", Value: strings.TrimSpace(strings.TrimSuffix(value, ";auto"))})
	case "cookie":
		if !strings.Contains(value, "=") {
			p.unknown(typed + " " + value)
			p.note("cookies are read from the file %s by curl; the import reads no file — add a Cookie header", value)
			return
		}
		p.implied = append(p.implied, connection.KV{Key: "Cookie", Value: strings.TrimSpace(value)})
	case "oauth2-bearer":
		p.implied = append(p.implied, connection.KV{Key: "Authorization", Value: strings.TrimSpace("Bearer " + value)})
	case "aws-sigv4":
		p.req.AWSSigV4 = value
	case "ntlm", "digest", "negotiate", "anyauth":
		p.req.AuthFlags = append(p.req.AuthFlags, "--"+name)
	case "url-query":
		p.urlQuery(typed, value)
	case "max-time", "retry-delay":
		p.seconds(name, typed, value)
	case "retry", "max-redirs":
		p.count(name, typed, value)
	case "retry-all-errors":
		p.req.Options.RetryAllErrors = true
	case "upload-file":
		p.upload = value
		p.unknown(typed + " " + value)
		p.note("the body is the file %s (-T); the import reads no file — paste its content into the body", value)
	case "config":
		p.unknown(typed + " " + value)
		p.note("the options in the config file %s (-K) were not read: add them to the command to import them", value)
	case "netrc", "netrc-file", "netrc-optional":
		p.unknownWith(name, typed, value)
		p.note("curl would take credentials from a .netrc file (%s); the import reads no file — the connection's auth is used", typed)
	case "output", "remote-name", "remote-name-all", "output-dir", "dump-header", "cookie-jar", "trace", "trace-ascii", "stderr", "libcurl":
		p.unknownWith(name, typed, value)
		p.note("nothing is written to a file (%s): patchbay shows the response, and w writes a body to a file", typed)
	default:
		if curlLongFlags[name].harmless {
			return
		}
		p.unknownWith(name, typed, value)
	}
}

// unknownWith lists a flag that was not imported with its value, masked
// when it may be a secret.
func (p *curlParser) unknownWith(name, typed, value string) {
	f := curlLongFlags[name]
	switch {
	case !f.arg:
		p.unknown(typed)
	case f.secret:
		p.unknown(typed + " " + connection.Redacted)
	default:
		p.unknown(typed + " " + maskUserinfo(value))
	}
}

// header reads -H: "Name: value", "Name;" (an empty value) or "Name:"
// (curl leaves out a header it would add).
func (p *curlParser) header(typed, value string) {
	if file, ok := strings.CutPrefix(value, "@"); ok {
		p.unknown(typed + " " + value)
		p.note("the headers in the file %s were not read; add them with -H", file)
		return
	}
	name, val, ok := strings.Cut(value, ":")
	name = strings.TrimSpace(name)
	if !ok {
		if n, empty := strings.CutSuffix(strings.TrimSpace(value), ";"); empty && n != "" {
			p.headers = append(p.headers, connection.KV{Key: n, Value: ""})
			return
		}
		// It may be a credential missing its colon: Authorization Bearer x.
		if f := strings.Fields(value); len(f) > 1 && IsSecret(f[0]) {
			value = f[0] + " " + connection.Redacted
		}
		p.unknown(typed + " " + value)
		p.note("%s %q is not a header: write it as 'Name: value'", typed, value)
		return
	}
	if name == "" {
		p.unknown(typed + " " + value)
		p.note("%s %q has no header name", typed, value)
		return
	}
	val = strings.TrimSpace(val)
	if val == "" {
		p.removed[strings.ToLower(name)] = true
		p.headers = deleteHeaderRows(p.headers, name)
		return
	}
	p.headers = append(p.headers, connection.KV{Key: name, Value: val})
}

func deleteHeaderRows(kvs []connection.KV, name string) []connection.KV {
	var out []connection.KV
	for _, kv := range kvs {
		if !strings.EqualFold(kv.Key, name) {
			out = append(out, kv)
		}
	}
	return out
}

// urlQuery reads --url-query: "name=content" (content encoded), or
// "+name=value" (as typed).
func (p *curlParser) urlQuery(typed, value string) {
	raw, verbatim := strings.CutPrefix(value, "+")
	name, content, _ := strings.Cut(raw, "=")
	if !verbatim {
		raw = name + "=" + escapeURLValue(content)
	}
	rows, clean := splitPairs(raw)
	if !clean || len(rows) == 0 {
		p.unknown(typed + " " + value)
		return
	}
	p.urlQueries = append(p.urlQueries, rows...)
}

// seconds reads -m and --retry-delay, which curl takes in seconds.
func (p *curlParser) seconds(name, typed, value string) {
	f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || f > float64(MaxDeadline/time.Second) {
		p.unknown(typed + " " + value)
		p.note("%s %q is not a number of seconds", typed, value)
		return
	}
	d := time.Duration(f * float64(time.Second))
	if name == "max-time" {
		p.req.Options.Timeout = d
	} else {
		p.req.Options.RetryDelay = d
	}
}

// count reads --retry and --max-redirs.
func (p *curlParser) count(name, typed, value string) {
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if name == "max-redirs" && err == nil && n < 0 {
		return // curl's -1: no limit; patchbay's default limit stands
	}
	if err != nil || n < 0 {
		p.unknown(typed + " " + value)
		p.note("%s %q is not a count", typed, value)
		return
	}
	if name == "retry" {
		p.req.Options.Retries = n
		return
	}
	p.req.Options.MaxRedirects = &n
}

// basicAuth is the Authorization value of -u user:password.
func basicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// maskUserinfo hides the password of a user:password@ in a URL-like value
// (a --proxy), which curl would send as credentials.
func maskUserinfo(value string) string {
	scheme, rest, ok := strings.Cut(value, "://")
	if !ok {
		scheme, rest = "", value
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	user, _, hasPass := strings.Cut(rest[:max(at, 0)], ":")
	if at < 0 || !hasPass {
		return value
	}
	if ok {
		scheme += "://"
	}
	return scheme + user + ":" + connection.Redacted + rest[at:]
}
