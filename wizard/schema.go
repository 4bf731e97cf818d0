package wizard

// JSONError locates the first problem in a JSON document, 1-based.
type JSONError struct {
	Line, Column int
	Msg          string
}

func (e *JSONError) Error() string { panic("TODO") }

// ValidateJSON reports the first syntax error in s with its line and column,
// or nil when s is valid JSON.
func ValidateJSON(s string) error {
	panic("TODO")
}

// InferFields flattens a JSON document into its fields ("data tree"): one
// Field per leaf and per object/array, paths as described on Field, arrays
// described by their first element. A body that is not JSON is an error.
func InferFields(body []byte) ([]Field, error) {
	panic("TODO")
}
