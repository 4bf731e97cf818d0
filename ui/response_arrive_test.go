package ui

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"patchbay/connection"
)

// arrivingJSON is a JSON array of n items, the first one named first-item, as
// its opening (without the closing bracket) and the rest.
func arrivingJSON(n int) (head, rest []byte) {
	var b bytes.Buffer
	b.WriteString(`[{"name":"first-item","n":0}`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `,{"name":"item-%d","n":%d,"pad":"%s"}`, i, i, strings.Repeat("x", 40))
	}
	all := b.Bytes()
	return all[:len(all)/2], append(all[len(all)/2:], ']')
}

// While a big body arrives the pane shows its start, masked like any
// body, says how much has come, and keeps what needs the whole body (save,
// copy, filter, search) for when it is all there; the response replaces
// it.
func TestPaneShowsABodyWhileItArrives(t *testing.T) {
	p := testPane(100, 30)
	p.conn = &connection.Connection{Auth: connection.Auth{Type: connection.AuthBasic, Username: "u", Password: "hunter2-secret"}}
	stale := p.receiver() // of a send canceled before this one
	p.start()
	receiving := p.receiver()
	head, _ := arrivingJSON(40000)
	head = append([]byte(`[{"echo":"hunter2-secret"},`), head[1:]...)
	receiving(connection.BodyProgress{Status: 200, StatusText: "200 OK", Head: head[:1<<20], Received: 1 << 20})
	receiving(connection.BodyProgress{Received: 3 << 20})
	stale(connection.BodyProgress{Status: 500, StatusText: "500 Stale", Head: []byte("stale body"), Received: 9 << 20})
	p.Update(spinner.TickMsg{})
	v := ansi.Strip(p.View())
	for _, want := range []string{"receiving… " + formatSize(3<<20) + " so far", "200 OK  " + formatSize(3<<20) + " so far", "first-item", "/400+", connection.Redacted} {
		if !strings.Contains(v, want) {
			t.Errorf("view while arriving lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "hunter2") {
		t.Errorf("the start of the body shows the echoed password:\n%s", v)
	}
	if strings.Contains(v, "Stale") || strings.Contains(v, "stale body") {
		t.Errorf("a canceled send's report shows as this one's:\n%s", v)
	}
	for _, k := range []string{"s", "y", "f", "/"} {
		msg := runCmd(p.Update(keyMsg(k)))
		if st, ok := msg.(statusMsg); !ok || !strings.Contains(st.text, "still arriving") {
			t.Errorf("%s while arriving: %#v, want a status saying the body is still arriving", k, msg)
		}
	}
	if p.save != nil || p.prompt != nil {
		t.Error("a prompt opened while the body was arriving")
	}

	all := []byte(`{"whole":true}`)
	p.set(&connection.Response{Status: 200, StatusText: "200 OK", Body: all, Size: int64(len(all))}, nil)
	v = ansi.Strip(p.View())
	if strings.Contains(v, "receiving") || strings.Contains(v, "arriving") || !strings.Contains(v, `"whole"`) {
		t.Errorf("view once the response came:\n%s", v)
	}
}

// esc while a body arrives leaves no half body shown as if it were the
// response.
func TestPaneCanceledWhileArriving(t *testing.T) {
	p := testPane(100, 30)
	p.start()
	head, _ := arrivingJSON(40000)
	p.receiver()(connection.BodyProgress{Status: 200, StatusText: "200 OK", Head: head[:1<<20], Received: 2 << 20})
	p.Update(spinner.TickMsg{})
	p.stop()
	v := ansi.Strip(p.View())
	if strings.Contains(v, "first-item") || !strings.Contains(v, "canceled while the body was arriving, after "+formatSize(2<<20)) {
		t.Errorf("view after esc:\n%s", v)
	}
}

func runCmd(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

// The whole way, in the wizard: a server sends the first half of a big
// JSON body and holds the rest until the screen shows the first item.
func TestWizardShowsABigBodyWhileItArrives(t *testing.T) {
	f := newFixture(t)
	head, rest := arrivingJSON(60000)
	total := len(head) + len(rest)
	open := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(head)
		w.(http.Flusher).Flush()
		select {
		case <-open:
		case <-r.Context().Done():
			return
		}
		io.Copy(w, bytes.NewReader(rest))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-open:
		default:
			close(open)
		}
	})
	c := connection.Connection{Name: "big", BaseURL: srv.URL}
	if err := f.st.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, f.model(), teatest.WithInitialTermSize(120, 40))
	waitAll(t, tm, "big")
	tm.Send(keyMsg("enter"))
	waitAll(t, tm, "1 Method & URL")
	for _, k := range []string{"Big", "tab", "tab", "/big", "ctrl+n"} {
		tm.Send(keyMsg(k))
	}
	waitAll(t, tm, "Nothing sent yet")
	tm.Send(keyMsg("ctrl+s"))
	waitAll(t, tm, "receiving…", "first-item", "so far")
	close(open)
	waitAll(t, tm, "· "+formatSize(int64(total)))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	w := final.top().(*wizardScreen)
	if w.resp.incomplete || w.resp.resp == nil || len(w.resp.resp.Body) != total {
		t.Fatalf("the pane ended incomplete %v with %v", w.resp.incomplete, w.resp.resp != nil)
	}
}
