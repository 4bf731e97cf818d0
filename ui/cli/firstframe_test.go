package cli_test

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// framePoll is how often the benchmark looks at the screen, and so the
// resolution of its measurement: a frame is seen at most this long after
// tmux has it (plus one capture-pane round trip).
const framePoll = 5 * time.Millisecond

// BenchmarkTimeToFirstFrame measures how long `patchbay demo` takes to put
// its first useful frame on a real terminal: from just before tmux
// new-session to the first capture-pane showing the home screen with the
// demo connection. Each of b.N runs is a new 120x40 session (and so a fresh
// demo database and httpbin); metrics are the median and p90 of those runs,
// and of a plain echo started the same way just before each (the floor the
// harness itself sets). The time includes tmux creating the session and
// pane, and up to one poll interval (framePoll) of latency. Run it as
//
//	go test ./ui/cli/ -run '^$' -bench 'TimeToFirstFrame$' -benchtime 10x
func BenchmarkTimeToFirstFrame(b *testing.B) {
	h := newFrameHarness(b)
	// TMPDIR keeps the demo's temporary databases inside the test's dir.
	env := []string{"TMPDIR=" + h.home, "PATCHBAY_DB=" + filepath.Join(h.home, "unused.db")}
	ready := func(screen string) bool {
		return strings.Contains(screen, "Connections") && strings.Contains(screen, "httpbin (demo)")
	}
	var frames, echoes []time.Duration
	b.ResetTimer()
	for range b.N {
		echoes = append(echoes, h.echo())
		d := h.start(h.bin+" demo", env, ready)
		frames = append(frames, d)
		b.StopTimer()
		// Quit the way a user does, so the demo removes its database.
		h.quit()
		b.StartTimer()
	}
	b.StopTimer()
	reportQuantiles(b, "first-frame", frames)
	reportQuantiles(b, "echo", echoes)
}

// BenchmarkTimeToFirstFrameBigDB is BenchmarkTimeToFirstFrame for `patchbay
// --db FILE`, the TUI as a user starts it, on a database of 10,000 actions
// and 100,000 runs (writeBigDB, built once per call outside the timer, so
// the file is in the page cache as on a second start). The first useful
// frame is the home screen's Connections tab listing the three
// connections. Besides the median and p90 of the first frame and of a
// plain echo under the same harness, it reports the median resident set
// (VmRSS) of the patchbay process once it idles with every home list
// loaded: after the first frame it opens the Actions tab and waits for its
// rows, then the History tab and waits for its rows, and reads
// /proc/PID/status. Run it as
//
//	go test ./ui/cli/ -run '^$' -bench 'TimeToFirstFrameBigDB' -benchtime 10x
func BenchmarkTimeToFirstFrameBigDB(b *testing.B) {
	h := newFrameHarness(b)
	db := filepath.Join(b.TempDir(), "big.db")
	writeBigDB(b, db)
	// The key file sealing the fixture's secrets is in this process's
	// XDG_CONFIG_HOME (TestMain sets it; the keyring is off in tests).
	env := []string{"XDG_CONFIG_HOME=" + os.Getenv("XDG_CONFIG_HOME")}
	ready := func(screen string) bool {
		if !strings.Contains(screen, "Connections") {
			return false
		}
		for _, c := range bigConnections {
			if !strings.Contains(screen, c) {
				return false
			}
		}
		return true
	}
	var frames, echoes []time.Duration
	var rss []float64
	b.ResetTimer()
	for range b.N {
		echoes = append(echoes, h.echo())
		frames = append(frames, h.start(h.bin+" --db "+db, env, ready))
		b.StopTimer()
		// Actions sorted by name: "Archive attachments #…" comes first.
		h.keys("2")
		h.waitFor("the Actions tab", func(s string) bool { return strings.Contains(s, "METHOD") && strings.Contains(s, "Archive ") })
		h.keys("3")
		h.waitFor("the History tab", func(s string) bool { return strings.Contains(s, "WHEN") && strings.Contains(s, "200 OK") })
		h.keys("1")
		h.waitFor("the Connections tab", ready)
		rss = append(rss, h.rssMB())
		h.quit()
		b.StartTimer()
	}
	b.StopTimer()
	reportQuantiles(b, "first-frame", frames)
	reportQuantiles(b, "echo", echoes)
	slices.Sort(rss)
	b.ReportMetric(rss[len(rss)/2], "MB/rss-idle")
}

// frameHarness starts programs in new sessions of a private tmux server
// and watches their screens.
type frameHarness struct {
	b    *testing.B
	bin  string // patchbay, built once per benchmark call
	home string
	tmux func(args ...string) *exec.Cmd
	last string // the last screen seen
}

func newFrameHarness(b *testing.B) *frameHarness {
	if _, err := exec.LookPath("tmux"); err != nil {
		b.Skip("tmux is not installed")
	}
	// Setup, outside the timer. The testing package calls a benchmark
	// once with b.N = 1 before the real run; the second build is a cached
	// link.
	h := &frameHarness{b: b, bin: buildBinary(b, b.TempDir()), home: b.TempDir()}
	h.tmux = newTmuxServer(b, h.home).cmd
	// A session that idles for the whole benchmark keeps the tmux server
	// up, so each run pays for a new session and pane, not a new server.
	if out, err := h.tmux("new-session", "-d", "-s", "idle", "cat").CombinedOutput(); err != nil {
		b.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	return h
}

// start runs command in a new 120x40 session "pb" with env added and
// returns the time from just before tmux new-session to the first screen
// ready accepts.
func (h *frameHarness) start(command string, env []string, ready func(string) bool) time.Duration {
	args := []string{"new-session", "-d", "-x", "120", "-y", "40", "-s", "pb",
		"-e", "HOME=" + h.home, "-e", "TERM=xterm-256color"}
	for _, kv := range env {
		args = append(args, "-e", kv)
	}
	args = append(args, command)
	start := time.Now()
	if out, err := h.tmux(args...).CombinedOutput(); err != nil {
		h.b.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	h.waitFor(command, ready)
	return time.Since(start)
}

// echo is the harness's floor: a shell that echoes one line (and then
// waits), started and watched as patchbay is.
func (h *frameHarness) echo() time.Duration {
	d := h.start("echo first-frame; exec cat", nil, func(s string) bool { return strings.Contains(s, "first-frame") })
	h.b.StopTimer()
	_ = h.tmux("kill-session", "-t", "pb").Run()
	h.waitGone()
	h.b.StartTimer()
	return d
}

// waitFor polls the screen until ok accepts it.
func (h *frameHarness) waitFor(what string, ok func(string) bool) {
	deadline := time.Now().Add(screenDeadline)
	for {
		out, err := h.tmux("capture-pane", "-p", "-t", "pb").Output()
		h.last = string(out)
		if err == nil && ok(h.last) {
			return
		}
		if time.Now().After(deadline) {
			h.b.Fatalf("%s: not on screen within %v; last screen:\n%s", what, screenDeadline, h.last)
		}
		time.Sleep(framePoll)
	}
}

func (h *frameHarness) keys(keys ...string) {
	if out, err := h.tmux(append([]string{"send-keys", "-t", "pb"}, keys...)...).CombinedOutput(); err != nil {
		h.b.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
}

// quit presses q and waits for the session to end.
func (h *frameHarness) quit() {
	h.keys("q")
	h.waitGone()
}

func (h *frameHarness) waitGone() {
	deadline := time.Now().Add(screenDeadline)
	for h.tmux("has-session", "-t", "pb").Run() == nil {
		if time.Now().After(deadline) {
			h.b.Fatalf("the session did not end within %v; last screen:\n%s", screenDeadline, h.last)
		}
		time.Sleep(framePoll)
	}
}

// rssMB is the resident set of the patchbay process in the pane, in MB
// (VmRSS of /proc/PID/status). The pane's process is the shell tmux
// started the command with, or patchbay itself when the shell exec'd it.
func (h *frameHarness) rssMB() float64 {
	out, err := h.tmux("list-panes", "-t", "pb", "-F", "#{pane_pid}").Output()
	if err != nil {
		h.b.Fatalf("tmux list-panes: %v", err)
	}
	pid := strings.TrimSpace(string(out))
	if comm, _ := os.ReadFile("/proc/" + pid + "/comm"); strings.TrimSpace(string(comm)) != "patchbay" {
		children, _ := os.ReadFile("/proc/" + pid + "/task/" + pid + "/children")
		pid = strings.TrimSpace(string(children))
	}
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		h.b.Fatalf("no patchbay process under the pane (%q): %v", pid, err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				h.b.Fatalf("VmRSS %q: %v", rest, err)
			}
			return float64(kb) / 1000
		}
	}
	h.b.Fatalf("no VmRSS in /proc/%s/status", pid)
	return 0
}

// reportQuantiles reports the median and p90 (nearest rank) of samples as
// ms/NAME-median and ms/NAME-p90.
func reportQuantiles(b *testing.B, name string, samples []time.Duration) {
	slices.Sort(samples)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	n := len(samples)
	median := samples[n/2]
	if n%2 == 0 {
		median = (samples[n/2-1] + samples[n/2]) / 2
	}
	p90 := samples[int(math.Ceil(0.9*float64(n)))-1]
	b.ReportMetric(ms(median), fmt.Sprintf("ms/%s-median", name))
	b.ReportMetric(ms(p90), fmt.Sprintf("ms/%s-p90", name))
}
