package store

// Bringing an Export into a database: everything checked first, then every
// record written in one transaction, so that an import is whole or not at
// all. An import sends nothing, resolves no env: reference and opens no file
// an action or connection names: it only writes records.

import (
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

// Resolution is what an import does with a record whose name is taken.
type Resolution int

// Resolutions.
const (
	Skip    Resolution = iota + 1 // keep the database's record, drop the file's
	Rename                        // import the file's as "NAME (2)"
	Replace                       // overwrite the database's record with the file's
)

func (r Resolution) String() string {
	switch r {
	case Skip:
		return "skip"
	case Rename:
		return "rename"
	case Replace:
		return "replace"
	}
	return fmt.Sprintf("Resolution(%d)", int(r))
}

// ParseResolution reads skip, rename or replace.
func ParseResolution(s string) (Resolution, bool) {
	for _, r := range []Resolution{Skip, Rename, Replace} {
		if strings.EqualFold(strings.TrimSpace(s), r.String()) {
			return r, true
		}
	}
	return 0, false
}

// Conflict is a record of an import whose name the database already has.
type Conflict struct {
	Kind     string // "connection" or "action"
	Name     string // as in the export
	Existing string // the database's record's name
	RenameTo string // the free name Rename would give it
}

// ImportError is an export that cannot be imported; Problems lists every
// reason, one sentence each.
type ImportError struct{ Problems []string }

func (e *ImportError) Error() string {
	return "nothing was imported: " + strings.Join(e.Problems, "; ")
}

// ImportedRecord is one record of an import and what became of it.
type ImportedRecord struct {
	Kind    string     // "connection" or "action"
	Name    string     // as in the export
	Outcome Resolution // 0: created; else what its conflict was resolved with
	NewName string     // Rename: the name it was saved under
	// ToFill names the secrets it has no value for ("password", "value of
	// header X-Api-Key"): left out of the export, and not kept from a
	// replaced record.
	ToFill []string
	// Files are the local files an action uploads when it runs (its
	// multipart parts'): an export from someone else may name any file, so
	// the user should look before running it.
	Files []string
}

// Import brings x into the database in one transaction. Every record is
// checked first (an *ImportError lists every problem, and nothing is
// written); decide is asked, in order, about each conflict (connections
// first, then actions, by name) and may stop the import with an error. A
// replaced record keeps its id (an action its history) and, for each secret
// the export left empty, the value it had when the field is the same.
func (s *Store) Import(x Export, decide func(Conflict) (Resolution, error)) ([]ImportedRecord, error) {
	var p importPlan
	if err := s.db.View(func(tx *bolt.Tx) error { return p.check(tx, s.box, x) }); err != nil {
		return nil, err
	}
	if err := p.resolve(decide); err != nil {
		return nil, err
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return p.write(tx, s.box) }); err != nil {
		return nil, err
	}
	return p.report(), nil
}

// ImportConflicts lists the conflicts Import would ask about, with the name
// Rename would give each; an *ImportError when x cannot be imported at all.
func (s *Store) ImportConflicts(x Export) ([]Conflict, error) {
	var p importPlan
	if err := s.db.View(func(tx *bolt.Tx) error { return p.check(tx, s.box, x) }); err != nil {
		return nil, err
	}
	var conflicts []Conflict
	err := p.resolve(func(c Conflict) (Resolution, error) {
		conflicts = append(conflicts, c)
		return Rename, nil
	})
	return conflicts, err
}

// importPlan is an import worked out before anything is written.
type importPlan struct {
	conns []plannedRecord[connection.Connection]
	acts  []plannedRecord[wizard.Action]
	// dbConns and dbActs are the database's names (lower case) and ids.
	dbConns, dbActs map[string]Entry
	// existing are the database's connections and actions that a Replace
	// may keep secrets from, by id.
	existingConns map[uint64]connection.Connection
	existingActs  map[uint64]wizard.Action
}

type plannedRecord[T any] struct {
	value   T
	name    string // as in the export
	conn    string // an action's connection, as in the export
	outcome Resolution
	id      uint64 // Replace: the record replaced; Skip: the database's record
	newName string
}

// check validates x against itself and the database, and loads what a
// Replace may need.
func (p *importPlan) check(tx *bolt.Tx, box *secretBox, x Export) error {
	var problems []string
	var err error
	if p.dbConns, err = namesByKey(tx, connections); err != nil {
		return err
	}
	if p.dbActs, err = namesByKey(tx, actions); err != nil {
		return err
	}
	p.existingConns, p.existingActs = map[uint64]connection.Connection{}, map[uint64]wizard.Action{}
	inFile := map[string]bool{}
	for _, c := range x.Connections {
		problems = append(problems, connectionProblems(c, inFile)...)
		p.conns = append(p.conns, plannedRecord[connection.Connection]{value: c, name: cleanName(c.Name)})
		if e, ok := p.dbConns[string(nameKey(c.Name))]; ok {
			if p.existingConns[e.ID], err = connections.load(tx, box, e.ID); err != nil {
				return err
			}
		}
	}
	actNames := map[string]bool{}
	for _, a := range x.Actions {
		problems = append(problems, actionProblems(a.Action, actNames)...)
		key := string(nameKey(a.Connection))
		if _, ok := p.dbConns[key]; !ok && !inFile[key] {
			problems = append(problems, fmt.Sprintf("action '%s' uses connection '%s', which is neither in the export nor in the database",
				cleanName(a.Action.Name), cleanName(a.Connection)))
		}
		p.acts = append(p.acts, plannedRecord[wizard.Action]{value: a.Action, name: cleanName(a.Action.Name), conn: a.Connection})
		if e, ok := p.dbActs[string(nameKey(a.Action.Name))]; ok {
			if p.existingActs[e.ID], err = actions.load(tx, box, e.ID); err != nil {
				return err
			}
		}
	}
	if len(problems) > 0 {
		return &ImportError{Problems: problems}
	}
	return nil
}

// namesByKey is c's names index as a map.
func namesByKey[T any](tx *bolt.Tx, c collection[T]) (map[string]Entry, error) {
	entries, err := c.entries(tx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Entry, len(entries))
	for _, e := range entries {
		m[string(nameKey(e.Name))] = e
	}
	return m, nil
}

// connectionProblems checks c as the connection form would, with its empty
// secrets standing filled in and its TLS files not read: an import opens no
// file. seen gathers the names, to refuse one given twice.
func connectionProblems(c connection.Connection, seen map[string]bool) []string {
	name := cleanName(c.Name)
	if name == "" {
		return []string{"a connection has no name"}
	}
	if connection.HasControl(name) {
		return []string{fmt.Sprintf("connection '%s': its name holds control characters; rename it in the file", connection.CleanText(name))}
	}
	key := string(nameKey(name))
	if seen[key] {
		return []string{fmt.Sprintf("connection '%s' is in the export twice", name)}
	}
	seen[key] = true
	check := c.Clone()
	for _, p := range check.SecretFields() {
		if *p == "" {
			*p = "to-be-filled-in"
		}
	}
	check.TLS = connection.TLS{}
	var problems []string
	for _, fe := range check.Validate() {
		problems = append(problems, fmt.Sprintf("connection '%s': %s", name, fe.Msg))
	}
	return problems
}

// actionProblems checks what the export can get wrong of an action: its
// name, method, body type and options.
func actionProblems(a wizard.Action, seen map[string]bool) []string {
	name := cleanName(a.Name)
	if name == "" {
		return []string{"an action has no name"}
	}
	if connection.HasControl(name) {
		return []string{fmt.Sprintf("action '%s': its name holds control characters; rename it in the file", connection.CleanText(name))}
	}
	if connection.HasControl(a.URL) {
		return []string{fmt.Sprintf("action '%s': its URL holds control characters (%s)", name, connection.CleanText(a.URL))}
	}
	key := string(nameKey(name))
	if seen[key] {
		return []string{fmt.Sprintf("action '%s' is in the export twice", name)}
	}
	seen[key] = true
	var problems []string
	if !slices.Contains(wizard.Methods, a.Method) {
		problems = append(problems, fmt.Sprintf("action '%s': method %q is not one of %s", name, a.Method, strings.Join(wizard.Methods, " ")))
	}
	if a.BodyType != "" && !slices.Contains(wizard.BodyTypes, a.BodyType) {
		problems = append(problems, fmt.Sprintf("action '%s': body type %q is not one of none, json, text, form, multipart", name, a.BodyType))
	}
	for _, fe := range a.Options.Validate() {
		problems = append(problems, fmt.Sprintf("action '%s': %s", name, fe.Msg))
	}
	return problems
}

// resolve decides each record's outcome, asking decide about conflicts.
// Renamed records get the first free "NAME (N)" among the database's names
// and the export's.
func (p *importPlan) resolve(decide func(Conflict) (Resolution, error)) error {
	takenConns := takenNames(p.dbConns, p.conns)
	for i := range p.conns {
		if err := resolveOne(&p.conns[i], "connection", p.dbConns, takenConns, decide); err != nil {
			return err
		}
	}
	takenActs := takenNames(p.dbActs, p.acts)
	for i := range p.acts {
		if err := resolveOne(&p.acts[i], "action", p.dbActs, takenActs, decide); err != nil {
			return err
		}
	}
	return nil
}

func takenNames[T any](db map[string]Entry, planned []plannedRecord[T]) map[string]bool {
	taken := make(map[string]bool, len(db)+len(planned))
	for k := range db {
		taken[k] = true
	}
	for _, r := range planned {
		taken[string(nameKey(r.name))] = true
	}
	return taken
}

func resolveOne[T any](r *plannedRecord[T], kind string, db map[string]Entry, taken map[string]bool, decide func(Conflict) (Resolution, error)) error {
	e, ok := db[string(nameKey(r.name))]
	if !ok {
		return nil
	}
	free := freeName(r.name, taken)
	res, err := decide(Conflict{Kind: kind, Name: r.name, Existing: e.Name, RenameTo: free})
	if err != nil {
		return err
	}
	r.outcome, r.id = res, e.ID
	switch res {
	case Skip, Replace:
	case Rename:
		r.newName, r.id = free, 0
		taken[string(nameKey(free))] = true
	default:
		return fmt.Errorf("%s '%s': no choice made between skip, rename and replace", kind, r.name)
	}
	return nil
}

// freeName is "NAME (2)", or the first "NAME (N)" not in taken.
func freeName(name string, taken map[string]bool) string {
	for n := 2; ; n++ {
		candidate := fmt.Sprintf("%s (%d)", name, n)
		if !taken[string(nameKey(candidate))] {
			return candidate
		}
	}
}

// write saves the plan in tx: connections first, so that actions can point
// at them.
func (p *importPlan) write(tx *bolt.Tx, box *secretBox) error {
	connIDs := map[string]uint64{} // the export's connection names, lower case → id
	for i := range p.conns {
		r := &p.conns[i]
		c := r.value
		c.Name = cleanName(c.Name)
		switch r.outcome {
		case Skip:
			connIDs[string(nameKey(r.name))] = r.id
			continue
		case Replace:
			c.ID = r.id
			old := p.existingConns[r.id]
			keepConnectionSecrets(&c, old)
			if !sameDestination(c, old) {
				// Its token was issued for the old place.
				if err := deleteToken(tx, c.ID); err != nil {
					return err
				}
			}
			if err := connections.replaceIn(tx, box, &c); err != nil {
				return err
			}
		default:
			if r.outcome == Rename {
				c.Name = r.newName
			}
			if err := connections.insert(tx, box, &c); err != nil {
				return err
			}
		}
		r.value, r.id = c, c.ID
		connIDs[string(nameKey(r.name))] = c.ID
	}
	for i := range p.acts {
		r := &p.acts[i]
		if r.outcome == Skip {
			continue
		}
		a := r.value
		a.Name = cleanName(a.Name)
		if id, ok := connIDs[string(nameKey(r.conn))]; ok {
			a.ConnectionID = id
		} else {
			a.ConnectionID = p.dbConns[string(nameKey(r.conn))].ID
		}
		var err error
		switch r.outcome {
		case Replace:
			a.ID = r.id
			keepActionSecrets(&a, p.existingActs[r.id])
			err = actions.replaceIn(tx, box, &a)
		case Rename:
			a.Name = r.newName
			err = actions.insert(tx, box, &a)
		default:
			err = actions.insert(tx, box, &a)
		}
		if err != nil {
			return err
		}
		r.value = a
	}
	return nil
}

// replaceIn is update within tx: v replaces the record with its id.
func (c collection[T]) replaceIn(tx *bolt.Tx, box *secretBox, v *T) error {
	id := *c.id(v)
	old, err := c.get(tx, id)
	if err != nil {
		return err
	}
	oldName, err := storedName(old)
	if err != nil {
		return fmt.Errorf("%s %d is damaged: %w", c.noun, id, err)
	}
	if c.beforeSave != nil {
		if err := c.beforeSave(tx, v, old); err != nil {
			return err
		}
	}
	return c.save(tx, box, oldName, *v)
}

// report is what became of each record.
func (p *importPlan) report() []ImportedRecord {
	var out []ImportedRecord
	for _, r := range p.conns {
		rec := ImportedRecord{Kind: "connection", Name: r.name, Outcome: r.outcome, NewName: r.newName}
		if r.outcome != Skip {
			rec.ToFill = missingConnectionSecrets(r.value)
		}
		out = append(out, rec)
	}
	for _, r := range p.acts {
		rec := ImportedRecord{Kind: "action", Name: r.name, Outcome: r.outcome, NewName: r.newName}
		if r.outcome != Skip {
			rec.ToFill = missingActionSecrets(r.value)
			for _, part := range r.value.Parts {
				if part.File != "" {
					rec.Files = append(rec.Files, part.File)
				}
			}
		}
		out = append(out, rec)
	}
	return out
}
