package store

// An export on disk: one file, or a folder of patchbay.json and
// actions/SLUG.json (share_format.go has the format).

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNotExportFolder is WriteExportDir refusing a folder that holds files
// but is not an export: pick another.
var ErrNotExportFolder = errors.New("not an export folder")

// ExportIndexFile is the file of a folder export that holds the
// connections; ExportActionsDir holds one file per action.
const (
	ExportIndexFile  = "patchbay.json"
	ExportActionsDir = "actions"
)

// WriteExportFile writes x as one document at path, replacing it whole
// (written beside it, then renamed into place).
func WriteExportFile(path string, x Export) error {
	b, err := EncodeExport(x)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

// WriteExportDir writes x into dir (created if missing): patchbay.json with
// the connections and actions/SLUG.json per action. Files of actions no
// longer in x are removed, so the folder is the export and nothing else; a
// file whose contents did not change is not rewritten. A folder that holds
// files but no patchbay.json is not one patchbay wrote, and is refused.
func WriteExportDir(dir string, x Export) error {
	if err := checkExportDir(dir); err != nil {
		return err
	}
	actionsDir := filepath.Join(dir, ExportActionsDir)
	if err := os.MkdirAll(actionsDir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", actionsDir, err)
	}
	index, err := encodeDocument(x.Connections, nil, true, false)
	if err != nil {
		return err
	}
	if err := writeIfChanged(filepath.Join(dir, ExportIndexFile), index); err != nil {
		return err
	}
	names := make([]string, len(x.Actions))
	for i, a := range x.Actions {
		names[i] = a.Action.Name
	}
	slugs := ActionFileNames(names)
	written := map[string]bool{}
	for i, a := range x.Actions {
		b, err := encodeDocument(nil, []SharedAction{a}, false, true)
		if err != nil {
			return err
		}
		file := slugs[i] + ".json"
		written[file] = true
		if err := writeIfChanged(filepath.Join(actionsDir, file), b); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(actionsDir)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", actionsDir, err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".json") && !written[e.Name()] {
			if err := os.Remove(filepath.Join(actionsDir, e.Name())); err != nil {
				return fmt.Errorf("cannot remove the file of an action no longer in the database: %w", err)
			}
		}
	}
	return nil
}

// checkExportDir refuses a folder that has files but is not an export.
func checkExportDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot write the export to %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, ExportIndexFile)); err != nil {
		return newError(fmt.Sprintf("%s is not empty and has no %s, so it is not an export patchbay wrote — choose an empty or new folder", dir, ExportIndexFile), ErrNotExportFolder)
	}
	return nil
}

// ActionFileNames gives each action name a file name (without .json) in a
// folder export: the name in lower case, runs of anything but a-z and 0-9
// made one "-". Names that come out the same are told apart by a short hash
// of the name, except the one that is its own file name, so a file keeps
// its name when another action is added or removed.
func ActionFileNames(names []string) []string {
	slugs := make([]string, len(names))
	groups := map[string][]int{}
	for i, n := range names {
		slugs[i] = slug(n)
		groups[slugs[i]] = append(groups[slugs[i]], i)
	}
	taken := map[string]bool{}
	for s, members := range groups {
		if len(members) == 1 {
			taken[s] = true
		}
	}
	// In slug order, so the rare clash between hashed names resolves the
	// same way every time.
	for _, s := range slices.Sorted(maps.Keys(groups)) {
		members := groups[s]
		if len(members) == 1 {
			continue
		}
		for _, i := range members {
			if strings.ToLower(cleanName(names[i])) == s && !taken[s] {
				taken[s] = true
				continue
			}
			sum := sha256.Sum256([]byte(strings.ToLower(cleanName(names[i]))))
			name := s + "-" + hex.EncodeToString(sum[:4])
			for n := 2; taken[name]; n++ {
				name = fmt.Sprintf("%s-%s-%d", s, hex.EncodeToString(sum[:4]), n)
			}
			slugs[i] = name
			taken[name] = true
		}
	}
	return slugs
}

// slug is name in lower case a-z, 0-9 and single dashes, at most 60 bytes;
// "action" when nothing is left.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	if s == "" {
		return "action"
	}
	return s
}

// ReadExport reads the export at path: one document, or a folder that
// WriteExportDir wrote (patchbay.json, if there, and every actions/*.json,
// in name order).
func ReadExport(path string) (Export, error) {
	info, err := os.Stat(path)
	if err != nil {
		return Export{}, fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
	}
	var x Export
	if !info.IsDir() {
		return x, readDocument(&x, path)
	}
	index := filepath.Join(path, ExportIndexFile)
	files, err := filepath.Glob(filepath.Join(path, ExportActionsDir, "*.json"))
	if err != nil {
		return Export{}, err
	}
	slices.Sort(files)
	if _, err := os.Stat(index); err == nil {
		files = append([]string{index}, files...)
	} else if len(files) == 0 {
		return Export{}, fmt.Errorf("%s holds no export: neither %s nor %s/*.json", path, ExportIndexFile, ExportActionsDir)
	}
	for _, f := range files {
		if err := readDocument(&x, f); err != nil {
			return Export{}, err
		}
	}
	return x, nil
}

func readDocument(x *Export, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
	}
	return decodeInto(x, bytes.NewReader(b), path)
}

// unwrapPathError drops the "open PATH:" that a message naming the path
// already says.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeIfChanged writes b at path unless the file already holds exactly b.
func writeIfChanged(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return writeFileAtomic(path, b)
}

// writeFileAtomic writes b beside path and renames it into place, so a
// reader never sees half a file. Exports hold sample responses, which may
// be private data, so the file is the owner's alone (0600).
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename, there is nothing there
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	return nil
}
