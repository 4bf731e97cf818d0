package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crashDBEnv names the database TestCrashChild saves into; without it the
// child test does nothing.
const crashDBEnv = "PATCHBAY_CRASH_TEST_DB"

// TestCrashChild is the process TestCrashKillDuringSaves kills: it opens the
// database, makes sure a connection exists and saves actions "a-<n>", n
// going on from what is there, printing "saved <name>" unbuffered as soon
// as each save has returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		return
	}
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(3)
	}
	c, err := s.ConnectionByName("crash")
	if errors.Is(err, ErrNotFound) {
		c = createConnection(t, s, "crash")
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "child: connection:", err)
		os.Exit(3)
	}
	names, err := s.ActionNames()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: names:", err)
		os.Exit(3)
	}
	for n := len(names); ; n++ {
		a := newAction(fmt.Sprintf("a-%d", n), c.ID)
		if err := s.CreateAction(&a); err != nil {
			fmt.Fprintln(os.Stderr, "child: save:", err)
			os.Exit(3)
		}
		if _, err := os.Stdout.WriteString("saved " + a.Name + "\n"); err != nil {
			os.Exit(3)
		}
	}
}

// A process killed with SIGKILL at any moment of a save loses no save that
// returned and leaves a file that opens and passes bbolt's check. Each round
// starts a child saving actions, kills it after a random number of saves
// plus a random spin, and then checks the file.
func TestCrashKillDuringSaves(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills 100 processes")
	}
	// 100 rounds take about a second, or ten under -race; past 15 s (a slow
	// machine) it stops after the 50 the acceptance asks for.
	const rounds = 100
	dir := t.TempDir()
	path := filepath.Join(dir, "patchbay.db")
	// Any key file the child makes stays in the test's directory.
	env := append(os.Environ(), crashDBEnv+"="+path, "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	deadline := time.Now().Add(15 * time.Second)

	var saved []string // every name a child said it saved, in order
	for round := range rounds {
		if round >= 50 && time.Now().After(deadline) {
			break
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		readSaved := func() bool {
			if !lines.Scan() {
				return false
			}
			name, ok := strings.CutPrefix(lines.Text(), "saved ")
			if !ok {
				t.Errorf("round %d: child printed %q", round, lines.Text())
			}
			saved = append(saved, name)
			return true
		}

		want := rng.IntN(16)
		ended := false
		for range want {
			if !readSaved() {
				ended = true
				break
			}
		}
		spin(time.Duration(rng.IntN(400)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil && !ended {
			t.Fatalf("round %d: kill: %v", round, err)
		}
		for readSaved() { // lines written before the kill count too
		}
		err = cmd.Wait()
		if ended || err == nil || cmd.ProcessState.ExitCode() != -1 {
			t.Fatalf("round %d: the child ended by itself (%v)\nstderr:\n%s", round, err, stderr.String())
		}

		assertSurvived(t, round, path, saved)
	}
	t.Logf("%d saves reported across the rounds", len(saved))
}

// spin waits for d without sleeping, so the kill lands at a moment the
// scheduler does not choose.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// assertSurvived opens the database the killed child left, runs bbolt's
// check and wants every saved action, and the names a-0 … a-(n-1) with no
// gap.
func assertSurvived(t *testing.T, round int, path string, saved []string) {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && len(saved) == 0 {
		return // killed before the database was made
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("round %d: Open after the kill: %v", round, err)
	}
	defer s.Close()
	if err := s.db.View(checkTx); err != nil {
		t.Fatalf("round %d: check after the kill: %v", round, err)
	}
	entries, err := s.ActionNames()
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Name] = true
	}
	for i := range entries {
		if name := fmt.Sprintf("a-%d", i); !have[name] {
			t.Fatalf("round %d: %d actions but no %s", round, len(entries), name)
		}
	}
	for _, name := range saved {
		if !have[name] {
			t.Fatalf("round %d: %s was saved but is gone", round, name)
		}
		if _, err := s.ActionByName(name); err != nil {
			t.Fatalf("round %d: %s: %v", round, name, err)
		}
	}
}
