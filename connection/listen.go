package connection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The webhook listener: an HTTP server on 127.0.0.1 that answers every
// request with a fixed status and hands each one over, as received, as a
// Capture. Nothing in a request is interpreted: its bytes are kept for the
// screen or the shell, which show them through CleanText.

// Limits of a Listener, each one the default of its ListenOptions field.
const (
	ListenBodyLimit         = 1 << 20 // bytes of each body kept; the rest is counted
	ListenBuffer            = 256     // captures held for a slow reader
	ListenReadHeaderTimeout = 10 * time.Second
	ListenReadTimeout       = 60 * time.Second
	// listenMaxHeaderBytes bounds a request's header block, which net/http
	// reads whole before the handler runs.
	listenMaxHeaderBytes = 64 << 10
	// listenCloseGrace is how long Close waits for requests under way to
	// finish before it cuts their connections.
	listenCloseGrace = 2 * time.Second
)

// ListenReply is the body every request is answered with.
const ListenReply = "received by patchbay\n"

// ErrListenerClosed is what Start returns once Close has run.
var ErrListenerClosed = errors.New("the listener is closed")

// ListenOptions tune a Listener. The zero value listens on any free port of
// 127.0.0.1 and answers 200.
type ListenOptions struct {
	Port              int   // 0: any free port
	Status            int   // the status every request gets; 0 is 200
	BodyLimit         int64 // bytes of each body kept; 0 is ListenBodyLimit
	Buffer            int   // captures held until read; 0 is ListenBuffer
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration // the whole request, body included
	// Now is the clock of Capture.Time and Took; tests fix it.
	Now func() time.Time
}

// Capture is one request as the listener received it.
type Capture struct {
	Time   time.Time     `json:"time"`
	Took   time.Duration `json:"took"` // from the handler's start to the body's end
	Method string        `json:"method"`
	// Target is the path and query exactly as on the request line.
	Target string `json:"target"`
	Proto  string `json:"proto"`
	// Headers are sorted by name (net/http loses the wire order), one entry
	// per value, with Host first.
	Headers []KV   `json:"headers"`
	Body    []byte `json:"body,omitempty"`
	// Size is the size of the whole body, even past the limit.
	Size int64 `json:"size"`
	// Truncated says Body is not the whole body: it holds only the first
	// BodyLimit bytes, or the body broke off (Err says why).
	Truncated  bool   `json:"truncated"`
	RemoteAddr string `json:"remote_addr"`
	// Err says in words why the body broke off; "" when it arrived whole.
	Err string `json:"error,omitempty"`
}

// Header returns the first value of the named header (case-insensitive).
func (c Capture) Header(name string) string {
	v, _ := HeaderValue(c.Headers, name)
	return v
}

// Listener receives requests on 127.0.0.1 — never on another interface:
// webhooks reach it through the machine itself, or a tunnel the user runs.
// Captures come out of Requests, a buffered channel; when the reader falls
// behind by more than the buffer, the oldest capture waiting is dropped
// (and counted by Dropped), so a slow screen never stalls the server.
type Listener struct {
	opts ListenOptions
	srv  *http.Server
	addr net.Addr
	out  chan Capture
	done chan struct{} // closed when Serve has returned

	dropped atomic.Int64

	mu       sync.Mutex
	started  bool
	closed   bool
	inFlight map[*http.ResponseController]struct{}
	handlers sync.WaitGroup
	close    sync.Once
}

// NewListener makes a listener that is not yet listening: Start binds it.
// Close may come first; Start then fails with ErrListenerClosed.
func NewListener(opts ListenOptions) *Listener {
	if opts.Status == 0 {
		opts.Status = http.StatusOK
	}
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = ListenBodyLimit
	}
	if opts.Buffer <= 0 {
		opts.Buffer = ListenBuffer
	}
	if opts.ReadHeaderTimeout <= 0 {
		opts.ReadHeaderTimeout = ListenReadHeaderTimeout
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = ListenReadTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	l := &Listener{opts: opts, out: make(chan Capture, opts.Buffer), done: make(chan struct{}),
		inFlight: map[*http.ResponseController]struct{}{}}
	l.srv = &http.Server{
		Handler:           l,
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		ReadTimeout:       opts.ReadTimeout,
		// Counted from the end of the headers, so it must outlast the body.
		WriteTimeout:   opts.ReadTimeout + 10*time.Second,
		IdleTimeout:    opts.ReadTimeout,
		MaxHeaderBytes: listenMaxHeaderBytes,
		// The TUI owns the terminal; what a bad client causes is its problem.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	return l
}

// Listen makes a listener and starts it.
func Listen(opts ListenOptions) (*Listener, error) {
	l := NewListener(opts)
	if err := l.Start(); err != nil {
		return nil, err
	}
	return l, nil
}

// Start binds 127.0.0.1 on the port asked for and serves in the background.
func (l *Listener) Start() error {
	if l.opts.Port < 0 || l.opts.Port > 65535 {
		return fmt.Errorf("port %d is not a port: use 1 to 65535, or 0 for any free one", l.opts.Port)
	}
	if l.opts.Status < 100 || l.opts.Status > 999 {
		return fmt.Errorf("status %d is not an HTTP status: use 100 to 999", l.opts.Status)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return ErrListenerClosed
	case l.started:
		return errors.New("the listener is already started")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(l.opts.Port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %d of 127.0.0.1 is in use by another program: pick another, or 0 for any free one", l.opts.Port)
		}
		return fmt.Errorf("cannot listen on 127.0.0.1:%d: %w", l.opts.Port, err)
	}
	l.started = true
	l.addr = ln.Addr()
	go func() {
		defer close(l.done)
		_ = l.srv.Serve(ln) // ErrServerClosed once Close runs
	}()
	return nil
}

// Addr is the address bound, "127.0.0.1:PORT"; "" before Start.
func (l *Listener) Addr() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.addr == nil {
		return ""
	}
	return l.addr.String()
}

// URL is where to send requests: "http://127.0.0.1:PORT".
func (l *Listener) URL() string { return "http://" + l.Addr() }

// Requests delivers the captures, oldest first; it is closed by Close.
func (l *Listener) Requests() <-chan Capture { return l.out }

// Dropped counts the captures dropped because nobody read them in time.
func (l *Listener) Dropped() int64 { return l.dropped.Load() }

// Close stops listening and returns once every request handler has ended:
// bodies still arriving are cut off at once, the connections closed, and
// Requests closed. It may be called more than once, and before Start.
func (l *Listener) Close() error {
	var err error
	l.close.Do(func() {
		l.mu.Lock()
		l.closed = true
		started := l.started
		// A body still arriving would hold Shutdown for as long as the
		// client likes: its next read fails now instead.
		for rc := range l.inFlight {
			_ = rc.SetReadDeadline(time.Now())
		}
		l.mu.Unlock()
		if started {
			ctx, cancel := context.WithTimeout(context.Background(), listenCloseGrace)
			defer cancel()
			if err = l.srv.Shutdown(ctx); err != nil {
				err = l.srv.Close()
			}
			<-l.done
		}
		l.handlers.Wait()
		l.mu.Lock()
		close(l.out)
		l.mu.Unlock()
	})
	return err
}

// ServeHTTP captures one request and answers it.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := l.opts.Now()
	rc := http.NewResponseController(w)
	if !l.enter(rc) {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	defer l.leave(rc)

	body, size, readErr := readCapped(r.Body, l.opts.BodyLimit)
	c := Capture{
		Time:       start,
		Method:     r.Method,
		Target:     r.RequestURI,
		Proto:      r.Proto,
		Headers:    captureHeaders(r),
		Body:       body,
		Size:       size,
		Truncated:  size > int64(len(body)) || readErr != nil,
		RemoteAddr: r.RemoteAddr,
	}
	c.Took = l.opts.Now().Sub(start)
	if readErr != nil {
		c.Err = bodyBrokeOff(readErr)
	}
	if !l.deliver(c) || readErr != nil {
		// Closing, or the client is gone or too slow: no answer, since
		// net/http would send a 200 for a handler that writes nothing.
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(l.opts.Status)
	_, _ = io.WriteString(w, ListenReply)
}

// enter registers a handler under way; false once the listener is closing.
func (l *Listener) enter(rc *http.ResponseController) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.inFlight[rc] = struct{}{}
	l.handlers.Add(1)
	return true
}

func (l *Listener) leave(rc *http.ResponseController) {
	l.mu.Lock()
	delete(l.inFlight, rc)
	l.mu.Unlock()
	l.handlers.Done()
}

// deliver queues c, dropping the oldest capture waiting when the buffer is
// full; it never waits for the reader. false once the listener is closing.
func (l *Listener) deliver(c Capture) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	for {
		select {
		case l.out <- c:
			return true
		default:
		}
		select {
		case <-l.out:
			l.dropped.Add(1)
		default:
		}
	}
}

// readCapped reads r to its end, keeping the first limit bytes and
// counting them all.
func readCapped(r io.Reader, limit int64) ([]byte, int64, error) {
	var kept []byte
	buf := make([]byte, 32<<10)
	var size int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if room := limit - int64(len(kept)); room > 0 {
				kept = append(kept, buf[:min(int64(n), room)]...)
			}
			size += int64(n)
		}
		if err == io.EOF {
			return kept, size, nil
		}
		if err != nil {
			return kept, size, err
		}
	}
}

// bodyBrokeOff says in words why a body did not arrive whole.
func bodyBrokeOff(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "the body stopped arriving before the read timeout; it is cut"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the client closed the connection before the body ended; it is cut"
	}
	return "the body broke off: " + err.Error()
}

// captureHeaders lists r's headers, Host first, then by name, one entry per
// value in the order received.
func captureHeaders(r *http.Request) []KV {
	kvs := make([]KV, 0, len(r.Header)+2)
	if r.Host != "" {
		kvs = append(kvs, KV{Key: "Host", Value: r.Host})
	}
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range r.Header[name] {
			kvs = append(kvs, KV{Key: name, Value: v})
		}
	}
	// net/http takes Transfer-Encoding out of the headers; it was there.
	for _, te := range r.TransferEncoding {
		kvs = append(kvs, KV{Key: "Transfer-Encoding", Value: te})
	}
	return kvs
}
