package cli

// importCurl turns a curl command read from stdin into an action. Not built yet.
func (e *env) importCurl(args []string) int {
	return e.usageError("", "import curl is not built yet")
}
