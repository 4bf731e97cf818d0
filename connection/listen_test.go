package connection

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// startListener starts a listener for the test and closes it after.
func startListener(t *testing.T, opts ListenOptions) *Listener {
	t.Helper()
	l, err := Listen(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// next waits for the next capture.
func next(t *testing.T, l *Listener) Capture {
	t.Helper()
	select {
	case c, ok := <-l.Requests():
		if !ok {
			t.Fatal("Requests closed")
		}
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no capture within 10s")
	}
	return Capture{}
}

func TestListenerCapturesRequests(t *testing.T) {
	l := startListener(t, ListenOptions{Status: http.StatusAccepted})
	if host, _, _ := net.SplitHostPort(l.Addr()); host != "127.0.0.1" {
		t.Fatalf("bound to %s, want 127.0.0.1", l.Addr())
	}
	for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		t.Run(method, func(t *testing.T) {
			body := `{"event":"push","n":1}`
			req, _ := http.NewRequest(method, l.URL()+"/hooks/gh?b=2&a=1&a=%20x", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Add("X-Tag", "one")
			req.Header.Add("X-Tag", "two")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			reply, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted || string(reply) != ListenReply {
				t.Errorf("answer %d %q, want 202 %q", resp.StatusCode, reply, ListenReply)
			}
			c := next(t, l)
			if c.Method != method || c.Target != "/hooks/gh?b=2&a=1&a=%20x" || string(c.Body) != body ||
				c.Size != int64(len(body)) || c.Truncated || c.Err != "" {
				t.Errorf("capture = %+v", c)
			}
			if c.Headers[0] != (KV{"Host", l.Addr()}) {
				t.Errorf("first header %v, want Host", c.Headers[0])
			}
			var tags []string
			for _, h := range c.Headers {
				if h.Key == "X-Tag" {
					tags = append(tags, h.Value)
				}
			}
			if fmt.Sprint(tags) != "[one two]" || c.Header("content-type") != "application/json" {
				t.Errorf("headers = %v", c.Headers)
			}
			if !strings.HasPrefix(c.RemoteAddr, "127.0.0.1:") || c.Proto != "HTTP/1.1" || c.Time.IsZero() {
				t.Errorf("remote %q proto %q time %v", c.RemoteAddr, c.Proto, c.Time)
			}
		})
	}
}

// A 5 MiB body: the first MiB is kept, all of it counted, and the sender
// still gets its answer.
func TestListenerCapsBody(t *testing.T) {
	l := startListener(t, ListenOptions{})
	big := bytes.Repeat([]byte("0123456789abcdef"), 5<<20/16)
	resp, err := http.Post(l.URL()+"/big", "application/octet-stream", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	c := next(t, l)
	if len(c.Body) != ListenBodyLimit || c.Size != 5<<20 || !c.Truncated || c.Err != "" {
		t.Errorf("kept %d, size %d, truncated %v, err %q", len(c.Body), c.Size, c.Truncated, c.Err)
	}
	if !bytes.Equal(c.Body, big[:ListenBodyLimit]) {
		t.Error("the kept bytes are not the body's first MiB")
	}
}

func TestListenerConcurrentSenders(t *testing.T) {
	l := startListener(t, ListenOptions{})
	const senders, each = 16, 8
	var wg sync.WaitGroup
	errs := make(chan error, senders*each)
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				resp, err := http.Post(fmt.Sprintf("%s/s%d/r%d", l.URL(), s, i), "text/plain", strings.NewReader("x"))
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
			}
		})
	}
	seen := map[string]bool{}
	for range senders * each {
		seen[next(t, l).Target] = true
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != senders*each {
		t.Errorf("%d distinct requests captured, want %d", len(seen), senders*each)
	}
}

// Nobody reads: the server keeps answering, the newest captures stay and
// the oldest are dropped and counted.
func TestListenerDropsOldestForSlowReader(t *testing.T) {
	l := startListener(t, ListenOptions{Buffer: 2})
	for i := range 5 {
		resp, err := http.Get(fmt.Sprintf("%s/%d", l.URL(), i))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := []string{next(t, l).Target, next(t, l).Target}; fmt.Sprint(got) != "[/3 /4]" {
		t.Errorf("kept %v, want the newest two", got)
	}
	if l.Dropped() != 3 {
		t.Errorf("dropped %d, want 3", l.Dropped())
	}
}

// The port is bound on loopback only: the machine's other addresses refuse.
func TestListenerLoopbackOnly(t *testing.T) {
	l := startListener(t, ListenOptions{})
	_, port, _ := net.SplitHostPort(l.Addr())
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok || ipnet.IP.IsLoopback() || ipnet.IP.IsLinkLocalUnicast() {
			continue
		}
		tried++
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(ipnet.IP.String(), port), 2*time.Second)
		if err == nil {
			conn.Close()
			t.Errorf("the listener answers on %s", ipnet.IP)
		}
	}
	if tried == 0 {
		t.Log("no address but loopback on this machine: only the bound address was checked")
	}
}

// Close during an upload that never ends returns at once, not after the
// grace period: the body is cut, the sender gets an error, Requests ends
// and the port is free.
func TestListenerCloseWhileRequestInFlight(t *testing.T) {
	l := startListener(t, ListenOptions{})
	pr, pw := io.Pipe()
	defer pw.Close()
	sent := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", l.URL()+"/slow", pr)
		req.ContentLength = 1000
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		sent <- err
	}()
	if _, err := pw.Write([]byte("first bytes")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the handler to start", func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.inFlight) == 1
	})
	began := time.Now()
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if took := time.Since(began); took >= listenCloseGrace {
		t.Errorf("Close took %s: it waited for the body instead of cutting it", took)
	}
	if _, ok := <-l.Requests(); ok {
		t.Error("a cut request was delivered after Close")
	}
	// The client's transport waits for its body writer before reporting.
	pw.CloseWithError(errors.New("the test is done"))
	if err := <-sent; err == nil {
		t.Error("the cut upload got an answer")
	}
	if conn, err := net.Dial("tcp", l.Addr()); err == nil {
		conn.Close()
		t.Error("the port still accepts connections after Close")
	}
}

// A client that sends its headers a byte at a time, or stops, is cut off
// by the header timeout; one that stalls in its body by the read timeout,
// and what came of it is captured with the reason.
func TestListenerSlowClientTimesOut(t *testing.T) {
	l := startListener(t, ListenOptions{ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	t.Run("headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", l.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "POST /x HTTP/1.1\r\nHost: a\r\n")
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = io.ReadAll(conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server still held the connection after 10s")
		}
	})
	t.Run("body", func(t *testing.T) {
		conn, err := net.Dial("tcp", l.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "POST /stall HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789")
		c := next(t, l)
		if c.Target != "/stall" || string(c.Body) != "0123456789" || !c.Truncated || !strings.Contains(c.Err, "timeout") {
			t.Errorf("capture = %+v", c)
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadAll(conn); err != nil {
			t.Errorf("the connection was not closed: %v", err)
		}
	})
}

func TestListenerStartAndCloseOrder(t *testing.T) {
	l := NewListener(ListenOptions{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Start(); !errors.Is(err, ErrListenerClosed) {
		t.Errorf("Start after Close: %v", err)
	}
	if _, ok := <-l.Requests(); ok {
		t.Error("Requests open after Close")
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestListenerPortProblems(t *testing.T) {
	taken := startListener(t, ListenOptions{})
	_, port, _ := net.SplitHostPort(taken.Addr())
	var p int
	fmt.Sscan(port, &p)
	for _, tc := range []struct {
		opts ListenOptions
		want string
	}{
		{ListenOptions{Port: p}, "is in use by another program"},
		{ListenOptions{Port: 70000}, "is not a port"},
		{ListenOptions{Status: 42}, "is not an HTTP status"},
	} {
		if _, err := Listen(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Listen(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
}

// waitFor polls cond until it holds, for at most 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
