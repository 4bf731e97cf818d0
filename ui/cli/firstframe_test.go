package cli_test

import (
	"math"
	"os/exec"
	"path/filepath"
	"sort"
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
// demo database and httpbin); metrics are the median and p90 of those runs.
// The time includes tmux creating the session and pane, and up to one poll
// interval (framePoll) of latency. Run it as
//
//	go test ./ui/cli/ -run '^$' -bench TimeToFirstFrame -benchtime 10x
func BenchmarkTimeToFirstFrame(b *testing.B) {
	if _, err := exec.LookPath("tmux"); err != nil {
		b.Skip("tmux is not installed")
	}
	// Setup, outside the timer. The testing package calls a benchmark
	// once with b.N = 1 before the real run; the second build is a cached
	// link.
	bin := buildBinary(b, b.TempDir())
	home := b.TempDir()
	tmux := newTmuxServer(b, home).cmd
	// A session that idles for the whole benchmark keeps the tmux server
	// up, so each run pays for a new session and pane, not a new server.
	if out, err := tmux("new-session", "-d", "-s", "idle", "cat").CombinedOutput(); err != nil {
		b.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	// TMPDIR keeps the demo's temporary databases inside the test's dir.
	newSession := []string{"new-session", "-d", "-x", "120", "-y", "40", "-s", "pb",
		"-e", "HOME=" + home, "-e", "TMPDIR=" + home, "-e", "TERM=xterm-256color",
		"-e", "PATCHBAY_DB=" + filepath.Join(home, "unused.db"),
		bin + " demo"}

	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if out, err := tmux(newSession...).CombinedOutput(); err != nil {
			b.Fatalf("tmux new-session: %v\n%s", err, out)
		}
		var screen string
		for {
			out, err := tmux("capture-pane", "-p", "-t", "pb").Output()
			screen = string(out)
			if err == nil && strings.Contains(screen, "Connections") && strings.Contains(screen, "httpbin (demo)") {
				break
			}
			if time.Since(start) > screenDeadline {
				b.Fatalf("no first frame within %v; last screen:\n%s", screenDeadline, screen)
			}
			time.Sleep(framePoll)
		}
		samples = append(samples, time.Since(start))

		b.StopTimer()
		// Quit the way a user does, so the demo removes its database,
		// and wait for the session to go before starting the next.
		_ = tmux("send-keys", "-t", "pb", "q").Run()
		deadline := time.Now().Add(screenDeadline)
		for tmux("has-session", "-t", "pb").Run() == nil {
			if time.Now().After(deadline) {
				b.Fatalf("patchbay demo did not exit on q within %v", screenDeadline)
			}
			time.Sleep(framePoll)
		}
		b.StartTimer()
	}
	b.StopTimer()

	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	n := len(samples)
	median := samples[n/2]
	if n%2 == 0 {
		median = (samples[n/2-1] + samples[n/2]) / 2
	}
	p90 := samples[int(math.Ceil(0.9*float64(n)))-1] // nearest rank
	b.ReportMetric(ms(median), "ms/first-frame-median")
	b.ReportMetric(ms(p90), "ms/first-frame-p90")
}
