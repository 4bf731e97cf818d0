package wizard

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The shell side of curl import: a command as pasted from API docs is
// split into words the way a POSIX shell would, without running anything.
// Nothing is expanded: a variable ($TOKEN, ${TOKEN}) becomes the action
// variable {{TOKEN}}, a command substitution ($(...), `...`) stays as
// typed, and * or ? are plain characters.

// maxCurlCommand bounds what ParseCurl reads: a pasted command with a big
// JSON body fits, a runaway paste does not pin memory in every copy.
const maxCurlCommand = 4 << 20

// shellWord is one word of a command line, or an unquoted operator.
type shellWord struct {
	text string
	// op is an unquoted control or redirection operator: "|", ";", "&",
	// "&&", "||", "\n", ">", ">>", "<", "2>", "&>", "(", ")".
	op bool
	// quoted: some part of the word was quoted or escaped, so it is not an
	// operator, a prompt or a comment.
	quoted bool
	// kept lists what the word kept as typed because it cannot be known
	// without running the shell: "$(date)", "${A:-b}", "$1".
	kept []string
	// vars are the shell variables the word named, each now {{NAME}}.
	vars []string
	// body is what a here-document (<<) or here-string (<<<) operator
	// gives the command on its standard input.
	body string
}

// wordReader splits a command line into shellWords.
type wordReader struct {
	s     string
	i     int
	words []shellWord
	cur   strings.Builder
	word  shellWord
	open  bool // a word is being built
	// heredocs are the indexes in words of << operators whose documents
	// start after the current line.
	heredocs []int
}

// shellWords splits s into words and operators. The error is an
// unterminated quote or substitution.
func shellWords(s string) ([]shellWord, error) {
	// A terminal pastes line breaks as carriage returns.
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	r := &wordReader{s: s}
	for r.i < len(s) {
		c := s[r.i]
		switch {
		case c == '\\':
			r.backslash()
		case c == '\'':
			if err := r.singleQuoted(); err != nil {
				return nil, err
			}
		case c == '"':
			r.i++
			if err := r.doubleQuoted(); err != nil {
				return nil, err
			}
		case c == '$':
			if err := r.dollar(false); err != nil {
				return nil, err
			}
		case c == '`':
			if err := r.backtick(); err != nil {
				return nil, err
			}
		case c == ' ' || c == '\t':
			r.end()
			r.i++
		case c == '#' && !r.open:
			// A comment runs to the end of the line; the line break stays.
			if n := strings.IndexByte(s[r.i:], '\n'); n >= 0 {
				r.i += n
			} else {
				r.i = len(s)
			}
		case strings.IndexByte("\n|;&<>()", c) >= 0:
			r.operator()
			if c == '\n' {
				r.readHeredocs()
			}
		default:
			r.cur.WriteByte(c)
			r.open = true
			r.i++
		}
	}
	r.end()
	return r.words, nil
}

func (r *wordReader) end() {
	if !r.open {
		return
	}
	r.word.text = r.cur.String()
	r.words = append(r.words, r.word)
	r.cur.Reset()
	r.word = shellWord{}
	r.open = false
}

// backslash escapes the next character. A backslash before a line break —
// or before spaces that end the line, a common slip in copied docs —
// continues the line.
func (r *wordReader) backslash() {
	rest := r.s[r.i+1:]
	blank := 0
	for blank < len(rest) && (rest[blank] == ' ' || rest[blank] == '\t') {
		blank++
	}
	if blank < len(rest) && rest[blank] == '\n' {
		r.i += 1 + blank + 1
		return
	}
	r.open, r.word.quoted = true, true
	if rest == "" {
		r.cur.WriteByte('\\')
		r.i++
		return
	}
	_, size := utf8.DecodeRuneInString(rest)
	r.cur.WriteString(rest[:size])
	r.i += 1 + size
}

func (r *wordReader) singleQuoted() error {
	end := strings.IndexByte(r.s[r.i+1:], '\'')
	if end < 0 {
		return fmt.Errorf("a single quote (') is not closed")
	}
	r.cur.WriteString(r.s[r.i+1 : r.i+1+end])
	r.open, r.word.quoted = true, true
	r.i += end + 2
	return nil
}

// doubleQuoted reads up to the closing quote; r.i is past the opening one.
// Inside, a backslash escapes only $ ` " \ and a line break.
func (r *wordReader) doubleQuoted() error {
	r.open, r.word.quoted = true, true
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch c {
		case '"':
			r.i++
			return nil
		case '\\':
			if r.i+1 < len(r.s) {
				switch n := r.s[r.i+1]; n {
				case '\n':
					r.i += 2
					continue
				case '$', '`', '"', '\\':
					r.cur.WriteByte(n)
					r.i += 2
					continue
				}
			}
			r.cur.WriteByte('\\')
			r.i++
		case '$':
			if err := r.dollar(true); err != nil {
				return err
			}
		case '`':
			if err := r.backtick(); err != nil {
				return err
			}
		default:
			r.cur.WriteByte(c)
			r.i++
		}
	}
	return fmt.Errorf(`a double quote (") is not closed`)
}

// dollar reads what follows a $: a variable, $'...', $"...", ${...} or
// $(...). Anything else is a plain $.
func (r *wordReader) dollar(inDouble bool) error {
	r.open = true
	rest := r.s[r.i+1:]
	switch {
	case !inDouble && strings.HasPrefix(rest, "'"):
		r.i++
		return r.ansiC()
	case !inDouble && strings.HasPrefix(rest, `"`):
		r.i += 2
		return r.doubleQuoted()
	case strings.HasPrefix(rest, "{"):
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return fmt.Errorf("a ${ is not closed with }")
		}
		if name := rest[1:end]; isShellName(name) {
			r.variable(name)
		} else {
			r.keep("${" + name + "}")
		}
		r.i += 1 + end + 1
		return nil
	case strings.HasPrefix(rest, "("):
		end := closingParen(rest)
		if end < 0 {
			return fmt.Errorf("a $( is not closed with )")
		}
		r.keep("$" + rest[:end+1])
		r.i += 1 + end + 1
		return nil
	case rest != "" && isShellNameStart(rest[0]):
		n := 1
		for n < len(rest) && isShellNameChar(rest[n]) {
			n++
		}
		r.variable(rest[:n])
		r.i += 1 + n
		return nil
	case rest != "" && strings.IndexByte("0123456789@*#?$!-", rest[0]) >= 0:
		r.keep("$" + rest[:1])
		r.i += 2
		return nil
	}
	r.cur.WriteByte('$')
	r.i++
	return nil
}

// variable writes the shell variable name as the action variable {{name}}.
func (r *wordReader) variable(name string) {
	r.cur.WriteString("{{" + name + "}}")
	r.word.vars = append(r.word.vars, name)
}

// keep writes text as typed and remembers it.
func (r *wordReader) keep(text string) {
	r.cur.WriteString(text)
	r.word.kept = append(r.word.kept, text)
}

func (r *wordReader) backtick() error {
	end := strings.IndexByte(r.s[r.i+1:], '`')
	if end < 0 {
		return fmt.Errorf("a backquote (`) is not closed")
	}
	r.open = true
	r.keep(r.s[r.i : r.i+end+2])
	r.i += end + 2
	return nil
}

// operator reads an unquoted operator. A & between two characters of a
// word (an unquoted URL's query) is kept as text: nobody pasting a curl
// command meant to run it in the background. So is a <PLACEHOLDER> from
// API docs, which a shell would take for redirections.
func (r *wordReader) operator() {
	c := r.s[r.i]
	if c == '&' && r.open && r.i+1 < len(r.s) && strings.IndexByte(" \t\n|;&<>()", r.s[r.i+1]) < 0 {
		r.cur.WriteByte('&')
		r.i++
		return
	}
	if n := docPlaceholder(r.s[r.i:]); n > 0 {
		r.cur.WriteString(r.s[r.i : r.i+n])
		r.open = true
		r.i += n
		return
	}
	op := string(c)
	for _, long := range []string{"<<<", "<<-", "<<", "&&", "||", ">>", "&>"} {
		if strings.HasPrefix(r.s[r.i:], long) {
			op = long
			break
		}
	}
	r.i += len(op)
	// 2> and 1>> redirect a numbered stream: the digits typed so far are
	// part of the operator.
	if (c == '>' || c == '<') && r.open && !r.word.quoted && isAllDigits(r.cur.String()) {
		op = r.cur.String() + op
		r.cur.Reset()
		r.open = false
		r.word = shellWord{}
	}
	r.end()
	r.words = append(r.words, shellWord{text: op, op: true})
	if op == "<<" || op == "<<-" {
		r.heredocs = append(r.heredocs, len(r.words)-1)
	}
}

func isShellNameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func isShellNameChar(c byte) bool { return isShellNameStart(c) || '0' <= c && c <= '9' }

func isShellName(s string) bool {
	if s == "" || !isShellNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isShellNameChar(s[i]) {
			return false
		}
	}
	return true
}

func isAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
