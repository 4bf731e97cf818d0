// Command patchbay is a keyboard-driven terminal app for HTTP APIs: saved
// connections, a three-step request wizard, and replay from the TUI or the
// shell. Everything but process wiring lives in patchbay/ui/cli.
package main

import (
	"os"

	"patchbay/ui/cli"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = ""

func main() {
	if version != "" {
		cli.Version = version
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
