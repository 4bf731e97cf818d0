package cli

import (
	"errors"
	"fmt"
	"strings"

	"patchbay/store"
	"patchbay/wizard"
)

const actionRenameUsage = `Usage: patchbay action rename OLD NEW

Gives the action OLD (case-insensitive) the name NEW. It keeps everything
else, its run history included. Names are unique regardless of case, so NEW
must not be another action's name in any case; a NEW that differs from OLD
only in case changes just that.
`

const actionCopyUsage = `Usage: patchbay action copy NAME [NEW]
       patchbay action duplicate NAME [NEW]

Saves a copy of the action NAME (case-insensitive) as NEW: its request,
variables with their types and defaults, options, sample and connection. The
copy starts with no run history. Without NEW the copy is named 'NAME copy',
or 'NAME copy 2', 'NAME copy 3' ... whichever is free.
`

func (e *env) actionRename(args []string) int {
	fs := e.flagSet("action rename")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, actionRenameUsage)
		return exitOK
	case err != nil:
		return e.usageError("action rename", "%v", err)
	case len(pos) != 2:
		return e.usageError("action rename", "expected the action's NAME and its NEW name, got %d arguments", len(pos))
	}
	newName := strings.TrimSpace(pos[1])
	if newName == "" {
		return e.fail(exitUsage, "the new name of action %s is empty — give it a name", quote(pos[0]))
	}
	return e.withAction(pos[0], func(st *store.Store, a wizard.Action) int {
		old := a.Name
		a.Name = newName
		if err := st.UpdateAction(&a); err != nil {
			return e.saveError(st, err, "rename", old, newName)
		}
		fmt.Fprintf(e.stdout, "Renamed %s to %s\n", quote(old), quote(a.Name))
		return exitOK
	})
}

func (e *env) actionCopy(args []string) int {
	fs := e.flagSet("action copy")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, actionCopyUsage)
		return exitOK
	case err != nil:
		return e.usageError("action copy", "%v", err)
	case len(pos) != 1 && len(pos) != 2:
		return e.usageError("action copy", "expected the action's NAME and, optionally, the NEW name, got %d arguments", len(pos))
	}
	var newName string
	if len(pos) == 2 {
		if newName = strings.TrimSpace(pos[1]); newName == "" {
			return e.fail(exitUsage, "the name of the copy of action %s is empty — give it a name, or leave it out for %s",
				quote(pos[0]), quote(copyName(strings.TrimSpace(pos[0]), 1)))
		}
	}
	return e.withAction(pos[0], func(st *store.Store, a wizard.Action) int {
		orig := a.Name
		// The copy is a new record: CreateAction gives it an id and
		// timestamps, and the history, keyed by id, stays the original's.
		a.ID = 0
		var err error
		if newName != "" {
			a.Name = newName
			err = st.CreateAction(&a)
		} else {
			err = createCopy(st, &a, orig)
		}
		if err != nil {
			return e.saveError(st, err, "copy", orig, a.Name)
		}
		fmt.Fprintf(e.stdout, "Copied %s to %s\n", quote(orig), quote(a.Name))
		return exitOK
	})
}

// createCopy saves a under the first of "orig copy", "orig copy 2", ...
// that no action holds. A name another patchbay takes meanwhile is skipped
// too.
func createCopy(st *store.Store, a *wizard.Action, orig string) error {
	entries, err := st.ActionNames()
	if err != nil {
		return err
	}
	taken := make(map[string]bool, len(entries))
	for _, en := range entries {
		taken[strings.ToLower(en.Name)] = true
	}
	for n := 1; ; n++ {
		name := copyName(orig, n)
		if taken[strings.ToLower(name)] {
			continue
		}
		a.Name = name
		err := st.CreateAction(a)
		if !errors.Is(err, store.ErrDuplicateName) {
			return err
		}
		taken[strings.ToLower(name)] = true
	}
}

// copyName is the default name of the nth copy of the action name.
func copyName(name string, n int) string {
	if n == 1 {
		return name + " copy"
	}
	return fmt.Sprintf("%s copy %d", name, n)
}

// actionByName finds the action name (case-insensitive), or says there is
// none.
// withAction opens the store, finds the action name (case-insensitive) and
// runs do with them; an unknown action is exit 2, a database failure 4.
func (e *env) withAction(name string, do func(*store.Store, wizard.Action) int) int {
	st, code := e.open()
	if st == nil {
		return code
	}
	defer st.Close()
	a, code := e.actionByName(st, name)
	if code != exitOK {
		return code
	}
	return do(st, a)
}

func (e *env) actionByName(st *store.Store, name string) (wizard.Action, int) {
	a, err := st.ActionByName(name)
	if errors.Is(err, store.ErrNotFound) {
		return a, e.fail(exitUsage, "no action named %s — `patchbay list actions` shows them", quote(name))
	}
	if err != nil {
		return a, e.fail(exitLocal, "cannot read action %s: %v", quote(name), err)
	}
	return a, exitOK
}

// saveError reports why saving action name (the rename or copy of action
// from) failed: the name is taken (names are unique regardless of case), the
// action or its connection went away meanwhile, or the database failed.
func (e *env) saveError(st *store.Store, err error, verb, from, name string) int {
	switch {
	case errors.Is(err, store.ErrDuplicateName):
		if other, lookErr := st.ActionByName(name); lookErr == nil && other.Name != name {
			return e.fail(exitUsage, "cannot %s %s to %s: names ignore case, and the action %s has that name — pick another name",
				verb, quote(from), quote(name), quote(other.Name))
		}
		return e.fail(exitUsage, "cannot %s %s to %s: an action named %s already exists — pick another name",
			verb, quote(from), quote(name), quote(name))
	case errors.Is(err, store.ErrNotFound):
		return e.fail(exitUsage, "cannot %s %s: %v", verb, quote(from), err)
	}
	return e.fail(exitLocal, "cannot %s action %s: %v", verb, quote(from), err)
}
