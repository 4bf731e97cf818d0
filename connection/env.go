package connection

import (
	"fmt"
	"os"
	"strings"
)

// EnvPrefix starts a secret value that is a reference to an environment
// variable rather than the secret itself: a password of "env:JIRA_TOKEN" is
// read from $JIRA_TOKEN when a request is sent, so saved connections run in
// CI without the secret ever being stored.
const EnvPrefix = "env:"

// EnvRef reports whether value is an env: reference and returns the name of
// the variable it refers to (which may not be a valid name; see
// ValidEnvName).
func EnvRef(value string) (name string, ok bool) {
	return strings.CutPrefix(value, EnvPrefix)
}

// ValidEnvName reports whether name can be an environment variable's name
// in a reference: a letter or underscore, then letters, digits and
// underscores.
func ValidEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// validateEnvRefs reports every secret field whose env: reference does not
// name a variable, keyed by the field's command-line key.
func (c Connection) validateEnvRefs() FieldErrors {
	var errs FieldErrors
	for _, f := range c.secretFields() {
		if name, ok := EnvRef(*f.value); ok && !ValidEnvName(name) {
			errs = append(errs, FieldError{f.field, envNameProblem(name)})
		}
	}
	return errs
}

func envNameProblem(name string) string {
	if name == "" {
		return "env: needs the name of an environment variable after it, as in env:API_TOKEN"
	}
	return fmt.Sprintf("%q is not an environment variable name: use letters, digits and _, not starting with a digit", name)
}

// ResolveEnv returns a copy of c with every env: reference in its secret
// fields replaced by the variable's value. A variable that is not set, or
// is empty, is a *Error of KindInvalid that names the field and the
// variable (never a value).
func (c Connection) ResolveEnv() (Connection, error) {
	r := c.Clone()
	for _, f := range r.secretFields() {
		name, ok := EnvRef(*f.value)
		if !ok {
			continue
		}
		if !ValidEnvName(name) {
			return c, invalid("connection '%s' takes %s from an environment variable, but %s", c.Name, f.what, envNameProblem(name))
		}
		value, set := os.LookupEnv(name)
		switch {
		case !set:
			return c, invalid("connection '%s' takes %s from $%s, which is not set", c.Name, f.what, name)
		case value == "":
			return c, invalid("connection '%s' takes %s from $%s, which is empty", c.Name, f.what, name)
		}
		*f.value = value
	}
	return r, nil
}
