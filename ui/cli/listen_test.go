package cli

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listening is a `patchbay listen` running in the test: its URL, its
// stdout line by line, and its exit code once it stops.
type listening struct {
	url   string
	lines *bufio.Scanner
	code  chan int
}

// ttyPipe is a pipe that says it is a terminal.
type ttyPipe struct{ *io.PipeWriter }

func (ttyPipe) terminal() bool { return true }

// startListen runs Main with listen and args until stopListen, and waits
// for the line on stderr that says where it listens.
func startListen(t *testing.T, onTerminal bool, args ...string) *listening {
	t.Helper()
	// The test process gets the Ctrl+C too: it must not die of it should
	// listen have stopped watching for it.
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, os.Interrupt)
	t.Cleanup(func() { signal.Stop(caught) })

	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	var stdout io.Writer = outW
	if onTerminal {
		stdout = ttyPipe{outW}
	}
	l := &listening{lines: bufio.NewScanner(outR), code: make(chan int, 1)}
	l.lines.Buffer(nil, 4<<20)
	go func() {
		code := Main(append([]string{"listen"}, args...), strings.NewReader(""), stdout, errW)
		outW.Close()
		errW.Close()
		l.code <- code
	}()
	stderr := bufio.NewReader(errR)
	first, err := stderr.ReadString('\n')
	if err != nil {
		t.Fatalf("no line on stderr: %v", err)
	}
	go io.Copy(io.Discard, stderr)
	rest, ok := strings.CutPrefix(first, "Listening on ")
	if !ok || !strings.HasSuffix(first, " — Ctrl+C to stop\n") {
		t.Fatalf("stderr starts %q", first)
	}
	l.url = strings.TrimSuffix(rest, " — Ctrl+C to stop\n")
	if !strings.HasPrefix(l.url, "http://127.0.0.1:") {
		t.Fatalf("listens on %s, want 127.0.0.1", l.url)
	}
	return l
}

// stop sends the process a Ctrl+C and returns listen's exit code.
func (l *listening) stop(t *testing.T) int {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() { // what listen still prints must not block it
		for l.lines.Scan() {
		}
	}()
	select {
	case code := <-l.code:
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("listen did not stop within 10s of Ctrl+C")
	}
	return -1
}

func post(t *testing.T, url, contentType string, body []byte) {
	t.Helper()
	resp, err := http.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("answered %d, want the --status given", resp.StatusCode)
	}
}

// Two webhooks, JSON and binary, each printed as one JSON line as it
// arrives; Ctrl+C stops listen with exit 0.
func TestListenPrintsJSONLines(t *testing.T) {
	l := startListen(t, false, "--port", "0", "--status", "201", "--json")

	post(t, l.url+"/hooks/gh?ref=main", "application/json", []byte(`{"action":"opened","n":7}`))
	if !l.lines.Scan() {
		t.Fatal("no line for the first request")
	}
	type line struct {
		Method, Target, Body, Time string
		BodyEncoding               string `json:"body_encoding"`
		Size                       int64
		Headers                    map[string][]string
		RemoteAddr                 string `json:"remote_addr"`
	}
	got := decode[line](t, l.lines.Text())
	if got.Method != "POST" || got.Target != "/hooks/gh?ref=main" || got.Body != `{"action":"opened","n":7}` ||
		got.BodyEncoding != "" || got.Size != 25 || got.Headers["Content-Type"][0] != "application/json" ||
		!strings.HasPrefix(got.RemoteAddr, "127.0.0.1:") || got.Time == "" {
		t.Errorf("first line: %s", l.lines.Text())
	}

	binary := []byte{0xff, 0x00, 0xfe, 'x'}
	post(t, l.url+"/bin", "application/octet-stream", binary)
	if !l.lines.Scan() {
		t.Fatal("no line for the second request")
	}
	got = decode[line](t, l.lines.Text())
	if raw, _ := base64.StdEncoding.DecodeString(got.Body); got.BodyEncoding != "base64" || !bytes.Equal(raw, binary) {
		t.Errorf("binary body printed as %s", l.lines.Text())
	}

	if code := l.stop(t); code != exitOK {
		t.Errorf("exit %d after Ctrl+C, want 0", code)
	}
	if _, err := net.Dial("tcp", strings.TrimPrefix(l.url, "http://")); err == nil {
		t.Error("the port still accepts connections after listen stopped")
	}
}

// On a terminal a request is printed as headers and body, with what a
// terminal would act on escaped.
func TestListenOnTerminalEscapes(t *testing.T) {
	l := startListen(t, true, "--status", "201")
	post(t, l.url+"/t", "text/plain", []byte("hi \x1b]0;pwned\x07 there"))
	var out strings.Builder
	for l.lines.Scan() {
		out.WriteString(l.lines.Text() + "\n")
		if strings.Contains(l.lines.Text(), "there") {
			break
		}
	}
	text := out.String()
	if strings.ContainsAny(text, "\x1b\x07") {
		t.Errorf("raw control characters reached the terminal: %q", text)
	}
	for _, want := range []string{"POST /t  19 B  from 127.0.0.1:", "Content-Type: text/plain", "]0;pwned"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if code := l.stop(t); code != exitOK {
		t.Errorf("exit %d after Ctrl+C, want 0", code)
	}
}

func TestListenUsage(t *testing.T) {
	db := newDB(t)
	wantExit(t, patchbay(t, db, "listen", "--port", "-1"), exitUsage, "is not a port")
	wantExit(t, patchbay(t, db, "listen", "--status", "42"), exitUsage, "is not an HTTP status")
	wantExit(t, patchbay(t, db, "listen", "extra"), exitUsage, "takes no arguments")

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, port, _ := net.SplitHostPort(taken.Addr().String())
	wantExit(t, patchbay(t, db, "listen", "--port", port), exitNetwork, "is in use by another program")

	for _, args := range [][]string{{"help", "listen"}, {"listen", "--help"}} {
		if r := must(t, db, args...); !strings.Contains(r.stdout, "Usage: patchbay listen") {
			t.Errorf("%v printed %q", args, r.stdout)
		}
	}
	if r := must(t, db, "help"); !strings.Contains(r.stdout, "listen [--port N]") {
		t.Error("patchbay help does not list listen")
	}
}
