package cli_test

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"
)

// BenchmarkRunVsCurl compares a saved action replayed from the shell —
// `patchbay run` started afresh each time, so it pays for the process, the
// store (open, unseal the connection's secret) and one request — with curl
// sending the same request: both are run 200 times in a row against a local
// httpbin with Basic auth, and the metrics are each one's time per
// invocation and their ratio. Run it as
//
//	go test ./ui/cli/ -run '^$' -bench RunVsCurl -benchtime 1x
func BenchmarkRunVsCurl(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl is not installed")
	}
	const runs = 200
	srv := httptest.NewServer(httpbin.New())
	b.Cleanup(srv.Close)
	dir := b.TempDir()
	bin := buildBinary(b, dir)
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		b.Fatal(err)
	}
	db := filepath.Join(dir, "bench.db")
	env := append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "DBUS_SESSION_BUS_ADDRESS=")
	patchbay := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
		cmd.Env = env
		return cmd
	}
	for _, args := range [][]string{
		{"connection", "add", "bin", "--auth", "basic", "--base-url", srv.URL, "--field", "username=u", "--field", "password=p4ss-w0rd"},
		{"action", "add", "get", "--connection", "bin", "--method", "GET", "--url", "/basic-auth/u/p4ss-w0rd"},
	} {
		if out, err := patchbay(args...).CombinedOutput(); err != nil {
			b.Fatalf("patchbay %v: %v\n%s", args, err, out)
		}
	}
	time200 := func(cmd func() *exec.Cmd) time.Duration {
		start := time.Now()
		for range runs {
			if out, err := cmd().CombinedOutput(); err != nil {
				b.Fatalf("%v: %v\n%s", cmd().Args, err, out)
			}
		}
		return time.Since(start)
	}
	b.ResetTimer()
	for range b.N {
		pb := time200(func() *exec.Cmd { return patchbay("run", "get") })
		c := time200(func() *exec.Cmd {
			return exec.Command(curl, "-sf", "-u", "u:p4ss-w0rd", srv.URL+"/basic-auth/u/p4ss-w0rd")
		})
		b.ReportMetric(float64(pb.Microseconds())/runs/1000, "ms/run")
		b.ReportMetric(float64(c.Microseconds())/runs/1000, "ms/curl")
		b.ReportMetric(float64(pb)/float64(c), "run/curl")
	}
}
