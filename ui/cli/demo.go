package cli

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"patchbay/connection"
	"patchbay/store"
	"patchbay/ui"
	"patchbay/wizard"
)

const demoUsage = `Usage: patchbay demo

Opens the TUI on a fresh temporary database (removed on exit) holding the
connection "httpbin (demo)" — an httpbin served on 127.0.0.1 by this process,
Basic auth user demo, password demo-pass — and two sample actions, "Get slideshow" and "Create item".
Nothing touches your own database or the network. --no-mouse leaves the mouse
to the terminal.

Examples:
  patchbay demo
  patchbay demo --no-mouse
`

// DemoConnection is the name of the connection SeedDemo creates.
const DemoConnection = "httpbin (demo)"

// demoAction is one sample action SeedDemo creates.
type demoAction struct {
	name, method, url string
	headers           []connection.KV
	bodyType          wizard.BodyType
	body              string
}

var demoActions = []demoAction{
	{name: "Get slideshow", method: "GET", url: "/json", bodyType: wizard.BodyNone},
	{
		name: "Create item", method: "POST", url: "/anything",
		headers:  []connection.KV{{Key: "Content-Type", Value: "application/json"}},
		bodyType: wizard.BodyJSON,
		body:     `{"name": "widget", "price": 9.5}`,
	},
}

func (e *env) demo(args []string) int {
	fs := e.flagSet("demo")
	pos, help, err := parse(fs, args)
	switch {
	case help:
		fmt.Fprint(e.stdout, demoUsage)
		return exitOK
	case err != nil:
		return e.usageError("demo", "%v", err)
	case len(pos) > 0:
		return e.usageError("demo", "demo takes no arguments")
	}

	dir, err := os.MkdirTemp("", "patchbay-demo-")
	if err != nil {
		return e.fail(exitLocal, "cannot make a temporary directory for the demo: %v", err)
	}
	defer os.RemoveAll(dir)

	baseURL, stop, err := StartDemoServer()
	if err != nil {
		return e.fail(exitLocal, "cannot start the demo httpbin: %v", err)
	}
	defer stop()

	st, err := store.OpenWith(filepath.Join(dir, "patchbay.db"), store.Options{Keys: store.EphemeralKeys()})
	if err != nil {
		return e.fail(exitLocal, "%v", err)
	}
	defer st.Close()
	if err := SeedDemo(st, baseURL); err != nil {
		return e.fail(exitLocal, "cannot set up the demo: %v", err)
	}
	return e.runTUI(st, ui.Options{Demo: true})
}

// StartDemoServer serves go-httpbin on a free port of 127.0.0.1 and returns
// its base URL and a stop function that shuts it down (safe to call more
// than once).
func StartDemoServer() (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		Handler:           httpbin.New(),
		ReadHeaderTimeout: 10 * time.Second,
		// The TUI owns the terminal: the server must not write to it.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns ErrServerClosed once stop runs
	}()
	stop = sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-done
	})
	return "http://" + ln.Addr().String(), stop, nil
}

// SeedDemo adds the demo connection to the httpbin at baseURL (Basic auth
// demo, password demo-pass) and the sample actions, built by the wizard as
// `patchbay action add` builds them.
func SeedDemo(st *store.Store, baseURL string) error {
	conn := connection.Connection{
		Name:    DemoConnection,
		BaseURL: baseURL,
		Auth:    connection.Auth{Type: connection.AuthBasic, Username: "demo", Password: "demo-pass"},
		// httpbin answers 401 here unless the credentials are these,
		// so testing the connection really tests it.
		TestPath: "/basic-auth/demo/demo-pass",
	}
	if err := st.CreateConnection(&conn); err != nil {
		return fmt.Errorf("connection %s: %w", quote(conn.Name), err)
	}
	for _, d := range demoActions {
		w := wizard.New(conn)
		w.Name = d.name
		w.Method = d.method
		w.URL = d.url
		w.Headers = d.headers
		w.BodyType = d.bodyType
		w.Body = d.body
		a, errs := w.Draft()
		if len(errs) > 0 {
			return fmt.Errorf("action %s: %w", quote(d.name), errs)
		}
		if a.ConnectionID == 0 {
			a.ConnectionID = conn.ID
		}
		if err := st.CreateAction(&a); err != nil {
			return fmt.Errorf("action %s: %w", quote(d.name), err)
		}
	}
	return nil
}
