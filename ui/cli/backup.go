package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

const backupUsage = `Usage: patchbay backup PATH

Writes a consistent copy of the database to PATH (mode 0600). PATH must not
exist. The copy is a whole patchbay database: open it with --db PATH, or move
it into the place of a damaged one. Like every command, it needs the database
to itself: quit the TUI first.

Examples:
  patchbay backup ~/patchbay-backup.db
  patchbay --db ~/patchbay-backup.db list      # look inside a backup
`

const compactUsage = `Usage: patchbay compact

Rewrites the database without the space deleted actions, connections and run
history left behind, and prints its size before and after. The old file stays
whole until the new one, written and checked beside it, takes its place.

Example:
  patchbay history --keep 10 && patchbay compact
`

// backup writes a copy of the database to the path given.
func (e *env) backup(args []string) int {
	flags := e.flagSet("backup")
	pos, help, err := parse(flags, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, backupUsage)
		return exitOK
	case err != nil:
		return e.usageError("backup", "%v", err)
	case len(pos) != 1 || pos[0] == "":
		return e.usageError("backup", "backup takes one argument, the path of the copy")
	}
	dst := pos[0]

	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	if err := st.Backup(dst); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return e.fail(exitUsage, "%v", err)
		}
		return e.fail(exitLocal, "%v", err)
	}
	info, err := os.Stat(dst)
	if err != nil {
		return e.fail(exitLocal, "cannot check the backup: %v", err)
	}
	fmt.Fprintf(e.stdout, "Backed up %s to %s (%s)\n", st.Path(), dst, kib(info.Size()))
	return exitOK
}

// compact rewrites the database to reclaim free space.
func (e *env) compact(args []string) int {
	fs := e.flagSet("compact")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, compactUsage)
		return exitOK
	case err != nil:
		return e.usageError("compact", "%v", err)
	case len(pos) > 0:
		return e.usageError("compact", "compact takes no arguments, not %s", strings.Join(pos, " "))
	}

	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	before, after, err := st.Compact()
	if err != nil {
		return e.fail(exitLocal, "%v", err)
	}
	fmt.Fprintf(e.stdout, "Compacted %s: %s → %s\n", st.Path(), kib(before), kib(after))
	return exitOK
}

// kib writes a file size in whole KiB, rounded up so nothing shows as 0.
func kib(n int64) string { return fmt.Sprintf("%d KiB", (n+1023)/1024) }
