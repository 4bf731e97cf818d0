package ui

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"patchbay/connection"
	"patchbay/wizard"
)

// hostile are issue 8's hostile strings, each with texts that come after
// one of its sequences and must still be seen, and the exact text
// CleanText shows for the whole string.
var hostile = []struct {
	name, s string
	after   []string
	shown   string
}{
	{"OSC 52", "a\x1b]52;c;ZXZpbA==\x07b", []string{"ZXZpbA==", "b"}, `a␛]52;c;ZXZpbA==\x07b`},
	{"OSC 8", "\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\", []string{"http://evil/", "click"}, `␛]8;;http://evil/␛\click␛]8;;␛\`},
	{"title and reports", "\x1b]0;PWNED\x07\x1b[21t\x1b[6n", []string{"PWNED", "[21t", "[6n"}, `␛]0;PWNED\x07␛[21t␛[6n`},
	{"DECRQSS", "\x1bP$qm\x1b\\", []string{"P$qm"}, `␛P$qm␛\`},
	{"CR and BS", "good\rbad\b\b\bXY", []string{"good", "bad", "XY"}, `good\x0dbad\x08\x08\x08XY`},
	{"C1 CSI", "a\u009b31m", []string{"31m"}, `a\x9b31m`},
	{"RLO", "abc\u202edcb", []string{"abc", "dcb"}, "abc<U+202E>dcb"},
	{"unterminated OSC", "safe\x1b]52;c;rest", []string{"safe", "rest"}, "safe␛]52;c;rest"},
}

// TestHostileResponsesAreShownNotObeyed serves each hostile string as a
// body, a header value and a reason phrase from a server that writes its
// bytes by hand, runs an action against it, and reads the screen as the
// terminal would get it: the run in each tab of its response pane (] goes
// to the next one), then the History tab and the run opened from it. No
// sequence reaches the terminal, and what came after one is still on the
// screen, shown the way CleanText shows it.
func TestHostileResponsesAreShownNotObeyed(t *testing.T) {
	for _, h := range hostile {
		for _, place := range []string{"body", "header", "reason"} {
			t.Run(h.name+"/"+place, func(t *testing.T) {
				var resp string
				switch place {
				case "body":
					resp = fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(h.s), h.s)
				case "header":
					resp = "HTTP/1.1 200 OK\r\nX-Hostile: " + h.s + "\r\nContent-Length: 2\r\n\r\nok"
				case "reason":
					// net/http knows no 299, so its reason phrase is the server's.
					resp = "HTTP/1.1 299 " + h.s + "\r\nContent-Length: 2\r\n\r\nok"
				}
				f := newFixture(t)
				c := connection.Connection{Name: "raw", BaseURL: rawServer(t, resp)}
				if err := f.st.CreateConnection(&c); err != nil {
					t.Fatal(err)
				}
				a := wizard.Action{Name: "Hostile", ConnectionID: c.ID, Method: "GET", URL: "/x"}
				if err := f.st.CreateAction(&a); err != nil {
					t.Fatal(err)
				}
				d := f.drive(300, 50)
				d.keys("2", "r")
				if _, ok := d.top().(*replay); !ok {
					t.Fatalf("r did not open the run:\n%s", d.terminal())
				}
				screen := d.eachTab()
				switch {
				// The header parser of net/http refuses control bytes in a
				// value: then the failure is what is shown, with the line
				// quoted by net/http.
				case place == "header" && strings.ContainsFunc(h.s, func(r rune) bool { return r < ' ' }):
					if !strings.Contains(screen, "malformed MIME header") {
						t.Errorf("no response and no error for a header net/http refuses:\n%s", screen)
					}
				case place == "header":
					seen(t, screen, "X-Hostile: "+h.shown)
				case place == "reason":
					seen(t, screen, "299 "+h.shown)
				default:
					seen(t, screen, h.shown)
				}
				for _, s := range h.after {
					seen(t, screen, s)
				}

				d.keys("esc", "3")
				d.terminal()
				d.keys("enter")
				if _, ok := d.top().(*historyRun); !ok {
					t.Fatalf("enter on the History tab did not open the run:\n%s", d.terminal())
				}
				screen = d.eachTab()
				if place == "body" || place == "reason" {
					for _, s := range h.after {
						seen(t, screen, s)
					}
				}
			})
		}
	}
}

// sgr matches Select Graphic Rendition: patchbay's own styling, the only
// escape sequence it may write (with the ASCII profile of the tests, it
// writes none).
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// terminal is the view as the terminal gets it, less patchbay's styling.
// It fails the test if anything in it would act on the terminal: an
// escape, a C0 control but newline and tab, DEL, a C1 control, a bidi
// control, or bytes that are not UTF-8.
func (d *driver) terminal() string {
	d.t.Helper()
	v := sgr.ReplaceAllString(d.m.View(), "")
	if !utf8.ValidString(v) {
		d.t.Fatalf("the view is not valid UTF-8: %q", v)
	}
	for i, r := range v {
		if r < ' ' && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f ||
			r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			d.t.Fatalf("the view holds %U at byte %d: %q", r, i, v)
		}
	}
	return v
}

// eachTab is the screen (checked by terminal) in each tab of the response
// pane that has the keys, one after the other. It presses ] as many times
// as there are tabs, which leaves the first one shown.
func (d *driver) eachTab() string {
	d.t.Helper()
	const tabs = 3 // body, headers, raw
	screens := []string{d.terminal()}
	for range tabs - 1 {
		d.keys("]")
		screens = append(screens, d.terminal())
	}
	d.keys("]")
	return strings.Join(screens, "\n")
}

// seen fails unless screen shows s.
func seen(t *testing.T, screen, s string) {
	t.Helper()
	if !strings.Contains(screen, s) {
		t.Errorf("the screen does not show %q:\n%s", s, screen)
	}
}

// rawServer answers every request on a loopback listener with resp,
// byte for byte, and closes the connection: net/http's own server would
// refuse to send most of these bytes. It returns the base URL.
func rawServer(t *testing.T, resp string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				// Read the request (it has no body) before answering.
				if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
					return
				}
				conn.Write([]byte(resp))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}
