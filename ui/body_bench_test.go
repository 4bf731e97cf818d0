package ui

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// Benchmarks of the response pane on big bodies, for issue 8's targets:
//
//	go test -run '^$' -bench 'Body' -benchtime 5x ./ui/
//
// The 50 MB body is an array of API-like records (bigJSON): nested
// objects, arrays, numbers, literals and non-ASCII text.

var (
	body50Once sync.Once
	body50     []byte
)

// body50MB is made once per test binary.
func body50MB() []byte {
	body50Once.Do(func() { body50 = bigJSON(50 << 20 / 230) })
	return body50
}

// benchPane is a pane the size of the wizard's response pane in a
// 120×40 terminal.
func benchPane() *responsePane { return testPane(60, 36) }

// formatted is a pane showing body, fully formatted.
func formatted(b *testing.B, body []byte) *responsePane {
	b.Helper()
	p := benchPane()
	p.set(jsonResp(body), nil)
	if cmd := p.takeFormat(); cmd != nil {
		p.Update(cmd())
	}
	if p.docs.body.partial || !p.docs.json {
		b.Fatal("the body is not formatted as JSON")
	}
	return p
}

// From set to the first screenful of real body lines on screen.
func BenchmarkBody50MBFirstScreen(b *testing.B) {
	withColour(b)
	body := body50MB()
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		p := benchPane()
		p.set(jsonResp(body), nil)
		v := p.View()
		total += time.Since(start)
		if !strings.Contains(ansi.Strip(v), `"id": 0,`) {
			b.Fatalf("no body lines on screen:\n%s", v)
		}
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-screen")
}

// The whole body formatted in its Cmd, taken by the pane and drawn: from
// then on every line can be scrolled to and searched.
func BenchmarkBody50MBFullFormat(b *testing.B) {
	body := body50MB()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		p := benchPane()
		p.set(jsonResp(body), nil)
		p.Update(p.takeFormat()())
		if p.View() == "" || p.docs.body.partial {
			b.Fatal("not formatted")
		}
	}
}

// One key to one frame: Update and View of pgdown on the 50 MB body.
func BenchmarkBody50MBScrollKey(b *testing.B) {
	withColour(b)
	p := formatted(b, body50MB())
	pgdown := keyMsg("pgdown")
	p.View()
	var worst time.Duration
	for b.Loop() {
		start := time.Now()
		p.Update(pgdown)
		p.View()
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms/worst-key")
}

// One key to one frame: n (next match) on the 50 MB body, with a match in
// every record; and how long the search took.
func BenchmarkBody50MBSearchNextKey(b *testing.B) {
	withColour(b)
	p := formatted(b, body50MB())
	start := time.Now()
	p.Update(keyMsg("/"))
	p.prompt.input.SetValue("zürich")
	cmd := p.Update(keyMsg("enter"))
	paneRun(p, cmd)
	searched := time.Since(start)
	if p.search == nil || len(p.search.matches) < 100_000 {
		b.Fatalf("search found %v", p.search)
	}
	n := keyMsg("n")
	p.View()
	var worst time.Duration
	for b.Loop() {
		start := time.Now()
		p.Update(n)
		p.View()
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms/worst-key")
	b.ReportMetric(float64(searched.Milliseconds()), "ms/search")
	b.ReportMetric(float64(len(p.search.matches)), "matches")
}

// Memory: the heap in use once the 50 MB body is set and formatted — the
// body itself included — over the body's size; and the process's peak RSS.
func BenchmarkBody50MBHeap(b *testing.B) {
	body := body50MB()
	var ratio, inUse float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p := formatted(b, body)
		runtime.GC()
		runtime.ReadMemStats(&after)
		inUse = float64(after.HeapInuse) - float64(before.HeapInuse) + float64(len(body))
		ratio = inUse / float64(len(body))
		runtime.KeepAlive(p)
	}
	b.ReportMetric(ratio, "x-body-heap")
	b.ReportMetric(inUse/(1<<20), "MB-heap")
	b.ReportMetric(float64(len(body))/(1<<20), "MB-body")
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(hwm/(1<<20), "MB-peak-rss")
	}
}

// peakRSS is the process's VmHWM, in bytes; 0 where there is no /proc.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb * 1024
		}
	}
	return 0
}

// A 1 MB JSON body from bytes to every line formatted, sanitized,
// highlighted and wrapped, as the view draws it.
func BenchmarkBody1MBHighlightAll(b *testing.B) {
	body := bigJSON(1 << 20 / 230)
	b.SetBytes(int64(len(body)))
	withColour(b)
	st := NewStyles()
	paints := newPaints(&st)
	if paints[tokKey].pre == "" {
		b.Fatal("no colour")
	}
	lines := 0
	for b.Loop() {
		docs := formatBody(formatInput{resp: *jsonResp(body)})
		v := newBodyView(docs.body, paints)
		v.setSize(56, 36)
		for i := range docs.body.n {
			v.line(i)
			if len(v.cache) > 64 {
				clear(v.cache)
			}
		}
		lines = docs.body.n
	}
	b.ReportMetric(float64(lines), "lines")
}

// withColour draws in true colour for the benchmark, as a terminal would:
// TestMain's ASCII profile writes no styles at all.
func withColour(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	b.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
}
