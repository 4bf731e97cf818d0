package cli

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"patchbay/store"
)

// withActions makes a database holding connection "bin" and n actions.
func withActions(t *testing.T, n int) string {
	t.Helper()
	db := newDB(t)
	must(t, db, "connection", "add", "bin", "--auth", "none", "--base-url", "https://example.com")
	for i := range n {
		must(t, db, "action", "add", fmt.Sprintf("get %d", i), "--connection", "bin", "--method", "POST",
			"--url", "/anything", "--body-type", "text", "--body", strings.Repeat("x", 2000))
	}
	return db
}

func TestBackupCommand(t *testing.T) {
	db := withActions(t, 2)
	dst := filepath.Join(t.TempDir(), "copy.db")
	r := must(t, db, "backup", dst)
	if !regexp.MustCompile(`^Backed up ` + regexp.QuoteMeta(db) + ` to ` + regexp.QuoteMeta(dst) + ` \([1-9][0-9]* KiB\)\n$`).MatchString(r.stdout) {
		t.Errorf("stdout %q", r.stdout)
	}
	if info, err := os.Stat(dst); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v", info, err)
	}
	if r := must(t, dst, "list", "actions"); !strings.Contains(r.stdout, "get 1") {
		t.Errorf("the backup lists %q", r.stdout)
	}

	// Never over an existing file: that is the user's to fix (exit 2).
	before, _ := os.ReadFile(dst)
	wantExit(t, patchbay(t, db, "backup", dst), exitUsage, dst+" already exists")
	if after, _ := os.ReadFile(dst); !bytes.Equal(before, after) {
		t.Error("backup over an existing file changed it")
	}
	wantExit(t, patchbay(t, db, "backup"), exitUsage, "one argument", "patchbay backup --help")
	wantExit(t, patchbay(t, db, "backup", "a", "b"), exitUsage, "one argument")
	wantExit(t, patchbay(t, db, "backup", filepath.Join(t.TempDir(), "no", "dir", "b.db")), exitLocal, "cannot back up")
}

func TestCompactCommand(t *testing.T) {
	db := withActions(t, 12)
	for i := range 10 {
		must(t, db, "action", "rm", fmt.Sprintf("get %d", i))
	}
	r := must(t, db, "compact")
	m := regexp.MustCompile(`^Compacted ` + regexp.QuoteMeta(db) + `: ([0-9]+) KiB → ([0-9]+) KiB\n$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("stdout %q", r.stdout)
	}
	var before, after int
	fmt.Sscan(m[1], &before)
	fmt.Sscan(m[2], &after)
	if after >= before {
		t.Errorf("compact: %d KiB → %d KiB", before, after)
	}
	if r := must(t, db, "list", "actions"); !strings.Contains(r.stdout, "get 11") || strings.Contains(r.stdout, "get 3\n") {
		t.Errorf("after compact: %q", r.stdout)
	}
	wantExit(t, patchbay(t, db, "compact", "now"), exitUsage, "no arguments")
}

func TestBackupAndCompactOnLockedDatabase(t *testing.T) {
	db := withActions(t, 0)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wantExit(t, patchbay(t, db, "backup", filepath.Join(t.TempDir(), "b.db")), exitLocal, "another patchbay")
	wantExit(t, patchbay(t, db, "compact"), exitLocal, "another patchbay")
}

func TestBackupHelp(t *testing.T) {
	db := newDB(t)
	r := must(t, db, "help")
	for _, want := range []string{"backup PATH", "compact"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
	for _, args := range [][]string{{"backup", "--help"}, {"help", "backup"}, {"compact", "-h"}, {"help", "compact"}} {
		cmd := args[0]
		if cmd == "help" {
			cmd = args[1]
		}
		if r := must(t, db, args...); !strings.HasPrefix(r.stdout, "Usage: patchbay "+cmd) {
			t.Errorf("%v printed %q", args, r.stdout)
		}
	}
}

// A truncated, a zero-filled and a random-bytes database: exit 4, one plain
// line naming the file, no crash, and the file as it was.
func TestHostileDatabaseFiles(t *testing.T) {
	good := withActions(t, 10)
	end := pagesEnd(t, good)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if end < 4*int64(os.Getpagesize()) {
		t.Fatalf("the database's pages end at %d bytes; cutting it in half would cut nothing but the meta pages", end)
	}
	for _, tc := range []struct {
		name string
		ruin func(data []byte, pagesEnd int64) []byte
		want string
	}{
		{"truncated", func(data []byte, pagesEnd int64) []byte {
			return data[:pagesEnd/2]
		}, " is damaged (cut short: "},
		{"zero-filled", func(data []byte, _ int64) []byte {
			return make([]byte, len(data))
		}, " is not a patchbay database"},
		{"random bytes", func(data []byte, _ int64) []byte {
			b := make([]byte, len(data))
			rand.Read(b)
			return b
		}, " is not a patchbay database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := newDB(t)
			if err := os.WriteFile(db, tc.ruin(data, end), 0o600); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(db)
			infoBefore, _ := os.Stat(db)

			for _, args := range [][]string{{"list"}, {"backup", filepath.Join(t.TempDir(), "b.db")}, {"compact"}} {
				r := patchbay(t, db, args...)
				wantExit(t, r, exitLocal, "patchbay: "+db+tc.want)
				if tc.want == " is damaged (cut short: " {
					wantExit(t, r, exitLocal, "restore it from a backup (`patchbay backup` makes one) or move it aside")
				}
				if n := strings.Count(r.stderr, "\n"); n != 1 {
					t.Errorf("%v: want one line on stderr, got %q", args, r.stderr)
				}
			}
			after, _ := os.ReadFile(db)
			infoAfter, _ := os.Stat(db)
			if !bytes.Equal(before, after) || !infoBefore.ModTime().Equal(infoAfter.ModTime()) {
				t.Error("the file was changed")
			}
			if entries, _ := os.ReadDir(filepath.Dir(db)); len(entries) != 1 {
				t.Errorf("files beside the database: %v", entries)
			}
		})
	}
}

// pagesEnd is how far the pages of the database at path reach (bbolt grows
// the file ahead of them, so cutting the file in half may cut nothing).
func pagesEnd(t *testing.T, path string) int64 {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dst := filepath.Join(t.TempDir(), "measure.db")
	if err := st.Backup(dst); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}
