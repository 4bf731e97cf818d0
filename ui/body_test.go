package ui

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
)

// bigJSON is an array of n API-like records with nested fields and
// unicode, about 230 bytes each.
func bigJSON(n int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"Zoë Ångström %d","email":"user%d@example.com","tags":["alpha","βeta","ガンマ"],`+
			`"address":{"street":"%d Main St","city":"Zürich","geo":{"lat":47.37,"lng":8.54}},"active":%t,"score":%d.5,"note":null}`,
			i, i, i, i, i%2 == 0, i%100)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func jsonResp(body []byte) *connection.Response {
	return &connection.Response{Status: 200, StatusText: "200 OK", Size: int64(len(body)),
		Headers: []connection.KV{{Key: "Content-Type", Value: "application/json"}}, Body: body}
}

// paneRun runs cmd as the runtime would: its message goes back to the
// pane, batches run in order; it returns the status lines said.
func paneRun(p *responsePane, cmd tea.Cmd) []string {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var said []string
		for _, c := range msg {
			said = append(said, paneRun(p, c)...)
		}
		return said
	case statusMsg:
		return []string{msg.text}
	default:
		return paneRun(p, p.Update(msg))
	}
}

// paneKeys sends keys to the pane and runs what they return.
func paneKeys(p *responsePane, keys ...string) []string {
	var said []string
	for _, k := range keys {
		said = append(said, paneRun(p, p.Update(keyMsg(k)))...)
	}
	return said
}

func viewText(p *responsePane) string { return ansi.Strip(p.View()) }

// The view always fills the pane exactly: every line as wide as the pane,
// as many lines as it is high, whatever the body.
func checkFits(t *testing.T, p *responsePane) {
	t.Helper()
	lines := strings.Split(p.View(), "\n")
	if len(lines) != p.height {
		t.Fatalf("view is %d lines, the pane %d:\n%s", len(lines), p.height, viewText(p))
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w != p.width {
			t.Fatalf("line %d is %d cells wide, the pane %d: %q", i, w, p.width, ansi.Strip(l))
		}
	}
}

var (
	matchSGR   = regexp.MustCompile(`\x1b\[7m([^\x1b]*)\x1b\[0m`)
	currentSGR = regexp.MustCompile(`\x1b\[1;4;7m([^\x1b]*)\x1b\[0m`)
)

// / finds every match, case-insensitively unless the query has a capital;
// n and N move between them and wrap; the position shows; matches are
// drawn reversed, the current one also bold and underlined; esc clears.
func TestSearchCountsMovesAndHighlights(t *testing.T) {
	p := testPane(60, 30)
	p.set(jsonResp([]byte(`{"items":[{"name":"Alpha"},{"name":"beta"},{"name":"ALPHA centauri"},{"name":"gamma alpha"}]}`)), nil)
	paneKeys(p, "/", "alpha", "enter")
	check := func(pos, current string, others ...string) {
		t.Helper()
		v := p.View()
		if !strings.Contains(ansi.Strip(v), "/alpha  "+pos) {
			t.Errorf("position is not %s:\n%s", pos, ansi.Strip(v))
		}
		if got := currentSGR.FindAllStringSubmatch(v, -1); len(got) != 1 || got[0][1] != current {
			t.Errorf("current match drawn as %q, want %q", got, current)
		}
		var drawn []string
		for _, m := range matchSGR.FindAllStringSubmatch(v, -1) {
			drawn = append(drawn, m[1])
		}
		if !reflect.DeepEqual(drawn, others) {
			t.Errorf("other matches drawn as %q, want %q", drawn, others)
		}
		checkFits(t, p)
	}
	check("1/3", "Alpha", "ALPHA", "alpha")
	paneKeys(p, "n")
	check("2/3", "ALPHA", "Alpha", "alpha")
	paneKeys(p, "n", "n")
	check("1/3", "Alpha", "ALPHA", "alpha") // wrapped
	paneKeys(p, "N")
	check("3/3", "alpha", "Alpha", "ALPHA") // wrapped back

	paneKeys(p, "/", "ALPHA", "enter")
	if v := p.View(); !strings.Contains(ansi.Strip(v), "/ALPHA  1/1") || len(currentSGR.FindAllString(v, -1)) != 1 {
		t.Errorf("a capital does not make the search exact:\n%q", v)
	}
	paneKeys(p, "/", "zzz", "enter")
	if !strings.Contains(viewText(p), "no match") {
		t.Errorf("a search without a match does not say so:\n%s", viewText(p))
	}
	paneKeys(p, "esc")
	if v := p.View(); strings.Contains(ansi.Strip(v), "esc clears") || strings.Contains(v, "\x1b[") || p.search != nil {
		t.Errorf("esc does not clear the search:\n%q", v)
	}
	// esc in the prompt clears too.
	paneKeys(p, "/", "beta", "enter", "/", "esc")
	if p.search != nil || p.prompt != nil {
		t.Error("esc in the search prompt leaves a search or the prompt")
	}
}

// A match far down scrolls into view; a search on another tab finds its
// text; switching tabs searches the new one.
func TestSearchScrollsAndFollowsTabs(t *testing.T) {
	p := testPane(60, 20)
	var b strings.Builder
	for i := range 500 {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	b.WriteString("the needle\n")
	resp := &connection.Response{Status: 200, StatusText: "200 OK", Body: []byte(b.String()),
		Headers: []connection.KV{{Key: "X-Needle", Value: "in a header"}}}
	p.set(resp, nil)
	paneKeys(p, "/", "needle", "enter")
	if v := viewText(p); !strings.Contains(v, "the needle") || !strings.Contains(v, "1/1") {
		t.Errorf("the match at the end is not on screen:\n%s", v)
	}
	paneKeys(p, "]") // Headers
	if v := viewText(p); !strings.Contains(v, "X-Needle: in a header") || !strings.Contains(v, "/needle  1/1") {
		t.Errorf("switching tabs does not search the Headers tab:\n%s", v)
	}
	if v := p.View(); !strings.Contains(v, "\x1b[1;4;7mNeedle") {
		t.Errorf("the header's match is not drawn:\n%q", v)
	}
	checkFits(t, p)
}

// f filters a JSON body by a gjson path; a path that selects nothing says
// so by the prompt, which stays; esc shows the whole body again.
func TestFilterByJSONPath(t *testing.T) {
	p := testPane(60, 30)
	body := []byte(`{"items":[{"id":1,"name":"Alpha"},{"id":2,"name":"beta"}],"user":{"name":"Ada"}}`)
	p.set(jsonResp(body), nil)
	paneKeys(p, "f", "items.#.name", "enter")
	v := viewText(p)
	if !strings.Contains(v, `"Alpha",`) || !strings.Contains(v, `"beta"`) || strings.Contains(v, `"id"`) || !strings.Contains(v, "filter items.#.name") {
		t.Fatalf("the filter does not show only the names:\n%s", v)
	}
	if p.prompt != nil {
		t.Error("the prompt stays open after a path that selects something")
	}
	paneKeys(p, "f")
	if got := p.prompt.input.Value(); got != "items.#.name" {
		t.Errorf("f again starts from %q, want the path in use", got)
	}
	p.prompt.input.SetValue("items.#.nope")
	paneKeys(p, "enter")
	if v := viewText(p); !strings.Contains(v, "nothing matches items.#.nope") || !strings.Contains(v, "JSON path: items.#.nope") {
		t.Errorf("a path that selects nothing does not say so by the prompt:\n%s", v)
	}
	p.prompt.input.SetValue("user.name")
	paneKeys(p, "enter")
	if v := viewText(p); !strings.Contains(v, `"Ada"`) || strings.Contains(v, "Alpha") {
		t.Errorf("user.name does not select Ada:\n%s", v)
	}
	paneKeys(p, "esc")
	if v := viewText(p); !strings.Contains(v, `"name": "Alpha"`) || strings.Contains(v, "filter") {
		t.Errorf("esc does not bring the whole body back:\n%s", v)
	}
	checkFits(t, p)

	p.set(&connection.Response{Status: 200, Body: []byte("plain text")}, nil)
	if said := paneKeys(p, "f"); len(said) != 1 || !strings.Contains(said[0], "not JSON") || p.prompt != nil {
		t.Errorf("f on a text body: %q", said)
	}
}

// s (and w) writes the body as received, byte for byte, or with a filter
// on, what the path selects in it.
func TestSaveWritesBodyOrSelection(t *testing.T) {
	dir := t.TempDir()
	p := testPane(80, 30)
	body := []byte("{\"items\": [{\"id\": 1}, {\"id\": 22}],\r\n \"x\": \"\\u00e9\"}")
	p.set(jsonResp(body), nil)
	save := func(key, name string) []byte {
		t.Helper()
		paneKeys(p, key)
		if p.save == nil {
			t.Fatalf("%s opens no prompt", key)
		}
		target := filepath.Join(dir, name)
		p.save.input.SetValue(target)
		said := paneKeys(p, "enter")
		if len(said) != 1 || !strings.HasPrefix(said[0], "Wrote") {
			t.Fatalf("writing said %q", said)
		}
		got, err := os.ReadFile(target)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := save("s", "body.json"); !bytes.Equal(got, body) {
		t.Errorf("s wrote %q, want the body %q", got, body)
	}
	if got := save("w", "alias.json"); !bytes.Equal(got, body) {
		t.Errorf("w wrote %q, want the body", got)
	}
	paneKeys(p, "f", "items.#.id", "enter", "s")
	if !strings.Contains(viewText(p), "Write selection to:") {
		t.Errorf("the prompt does not say it writes the selection:\n%s", viewText(p))
	}
	paneKeys(p, "esc")
	if got := save("s", "sel.json"); string(got) != "[1,22]" {
		t.Errorf("s with a filter wrote %q, want [1,22]", got)
	}
}

// The Headers tab shows the headers, Raw the body as received; the status
// line stays above every tab.
func TestTabsShowHeadersAndRaw(t *testing.T) {
	p := testPane(70, 20)
	body := []byte(`{"a":[1,2],"b":"x"}`)
	resp := jsonResp(body)
	resp.Headers = append(resp.Headers, connection.KV{Key: "X-Request-Id", Value: "abc-123"})
	p.set(resp, nil)
	v := viewText(p)
	if !strings.Contains(v, "[Body]") || !strings.Contains(v, `"a": [`) || strings.Contains(v, "X-Request-Id") {
		t.Errorf("the Body tab:\n%s", v)
	}
	paneKeys(p, "]")
	v = viewText(p)
	if !strings.Contains(v, "[Headers (2)]") || !strings.Contains(v, "X-Request-Id: abc-123") ||
		!strings.Contains(v, "Content-Type: application/json") || strings.Contains(v, `"a"`) {
		t.Errorf("the Headers tab:\n%s", v)
	}
	paneKeys(p, "]")
	v = viewText(p)
	if !strings.Contains(v, "[Raw]") || !strings.Contains(v, string(body)) || !strings.Contains(v, "200 OK") {
		t.Errorf("the Raw tab:\n%s", v)
	}
	paneKeys(p, "]")
	if p.tab != tabBody {
		t.Errorf("] after the last tab goes to %v, want Body", p.tab)
	}
	paneKeys(p, "[")
	if p.tab != tabRaw {
		t.Errorf("[ from the first tab goes to %v, want Raw", p.tab)
	}
}

// hexRow is a line of a hex dump.
var hexRow = regexp.MustCompile(`^[0-9a-f]{8}  ([0-9a-f]{2} )`)

// A binary body — by its type, or because it is not UTF-8 — is never shown
// as text: the Body tab says what it is, the third tab is a hex dump, and
// the body's text appears only inside hex dump lines.
func TestBinaryBodiesAreNeverText(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), []byte("some text inside the image")...)
	for _, tc := range []struct {
		name, ctype string
		body        []byte
		what        string
	}{
		{"png", "image/png", png, fmt.Sprintf("image/png, %d B", len(png))},
		{"octet-stream", "application/octet-stream", []byte("looks like text inside"), "application/octet-stream"},
		{"not UTF-8", "text/plain", []byte("caf\xe9 text inside \xff"), "text/plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPane(90, 30)
			p.set(&connection.Response{Status: 200, StatusText: "200 OK", Body: tc.body,
				Headers: []connection.KV{{Key: "Content-Type", Value: tc.ctype}}}, nil)
			v := viewText(p)
			if !strings.Contains(v, "This is a binary body ("+tc.what) || !strings.Contains(v, "never shown as text") ||
				!strings.Contains(v, "] shows it as hex") || !strings.Contains(v, "s saves it to a file") {
				t.Errorf("the Body tab does not say what the body is:\n%s", v)
			}
			for range numTabs {
				for _, line := range strings.Split(viewText(p), "\n") {
					line = strings.Trim(line, "│ ")
					if strings.Contains(line, "inside") && !hexRow.MatchString(line) {
						t.Errorf("%v tab shows the body as text: %q", p.tab, line)
					}
				}
				paneKeys(p, "]")
			}
			paneKeys(p, "[")
			if v := viewText(p); !strings.Contains(v, "[Hex]") || !hexRow.MatchString(strings.Trim(strings.Split(v, "\n")[5], "│ ")) {
				t.Errorf("the last tab is not a hex dump:\n%s", v)
			}
		})
	}
}

// A 5 MB body shows its first lines at once, from its first screenful;
// the whole body arrives from a Cmd, and G then shows its last line.
func TestLargeBodyScrollsToTheEnd(t *testing.T) {
	body := bigJSON(24_000)
	if len(body) < 5<<20 {
		t.Fatalf("body is %d bytes", len(body))
	}
	p := testPane(80, 30)
	p.set(jsonResp(body), nil)
	v := viewText(p)
	if !strings.Contains(v, `"id": 0,`) || !strings.Contains(v, `"city": "Zürich",`) || !strings.Contains(v, "formatting…") {
		t.Fatalf("the first screenful is not there at once:\n%s", v)
	}
	checkFits(t, p)
	cmd := p.takeFormat()
	if cmd == nil {
		t.Fatal("no Cmd formats the rest")
	}
	paneKeys(p, "G") // within the first screenful only
	if v := viewText(p); strings.Contains(v, `"id": 23999`) || !strings.Contains(v, fmt.Sprintf("/%d+ · formatting…", prefixLines)) {
		t.Fatalf("the end of the body is there before it was formatted:\n%s", v)
	}
	paneRun(p, cmd)
	paneKeys(p, "G")
	v = viewText(p)
	lines := strings.Split(strings.TrimRight(v, "\n"), "\n")
	if !strings.Contains(v, `"note": null`) || strings.Trim(lines[len(lines)-2], "│ ") != "]" || strings.Contains(v, "formatting") {
		t.Errorf("G does not show the last line:\n%s", v)
	}
	if !strings.Contains(v, fmt.Sprintf("/%d", p.docs.body.n)) {
		t.Errorf("the title does not count the lines:\n%s", v)
	}
	paneKeys(p, "pgdown", "down")
	if after := viewText(p); after != v {
		t.Errorf("the view scrolls past the last line:\n%s", after)
	}
	paneKeys(p, "pgup", "g")
	if v := viewText(p); !strings.Contains(v, "lines 1–") || !strings.Contains(v, `"id": 0,`) {
		t.Errorf("g does not go back to the top:\n%s", v)
	}
	checkFits(t, p)
}

// A format that finishes after another response was set is dropped, and so
// is one from another pane.
func TestStaleFormatIsDropped(t *testing.T) {
	p := testPane(80, 30)
	first := bytes.Repeat([]byte("first body line\n"), syncLimit/8)
	second := bytes.Repeat([]byte("second body line\n"), syncLimit/8)
	p.set(&connection.Response{Status: 200, Body: first}, nil)
	stale := p.takeFormat()
	p.set(&connection.Response{Status: 200, Body: second}, nil)
	fresh := p.takeFormat()
	paneRun(p, stale)
	if v := viewText(p); strings.Contains(v, "first body") || !strings.Contains(v, "second body") || !p.docs.raw.partial {
		t.Fatalf("a stale format was taken:\n%s", v)
	}
	other := testPane(80, 30)
	other.set(&connection.Response{Status: 200, Body: first}, nil)
	if msg := other.takeFormat()(); p.Update(msg) != nil || !p.docs.raw.partial {
		t.Fatal("another pane's format was taken")
	}
	paneRun(p, fresh)
	if p.docs.raw.partial || p.docs.raw.n != bytes.Count(second, []byte("\n")) {
		t.Fatalf("the current format was not taken: %d lines, partial %v", p.docs.raw.n, p.docs.raw.partial)
	}
	// Handed out once: by takeFormat, or else with the next Update.
	p.set(&connection.Response{Status: 200, Body: first}, nil)
	if cmd := p.Update(tea.WindowSizeMsg{}); cmd == nil || p.takeFormat() != nil {
		t.Error("the format is not handed out by the next Update, or twice")
	}
}

// y copies through OSC 52 only when PATCHBAY_OSC52=1 turned it on, and
// copies what is shown: the selection with a filter, escapes sanitized.
func TestCopyNeedsOSC52(t *testing.T) {
	p := testPane(80, 30)
	p.set(jsonResp([]byte(`{"a":"x\u001b","b":[1,2]}`)), nil)
	if said := paneKeys(p, "y"); len(said) != 1 || said[0] != copyOff {
		t.Fatalf("y without PATCHBAY_OSC52 said %q", said)
	}
	if !osc52On(func(string) string { return "1" }) || osc52On(func(string) string { return "" }) {
		t.Error("PATCHBAY_OSC52=1 is not read as on, or unset as on")
	}
	var out bytes.Buffer
	p.osc52, p.clipboard = true, &out
	said := paneKeys(p, "y")
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(`{"a":"x\u001b","b":[1,2]}`)) + "\x07"
	if out.String() != want || len(said) != 1 || !strings.HasPrefix(said[0], "Copied the body") {
		t.Errorf("y wrote %q and said %q", out.String(), said)
	}
	out.Reset()
	paneKeys(p, "f", "b", "enter", "y")
	if want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("[1,2]")) + "\x07"; out.String() != want {
		t.Errorf("y with a filter wrote %q, want %q", out.String(), want)
	}
	out.Reset()
	p.set(&connection.Response{Status: 200, Body: []byte("red \x1b[31m text")}, nil)
	paneKeys(p, "y")
	if want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(connection.CleanText("red \x1b[31m text"))) + "\x07"; out.String() != want {
		t.Errorf("y copied a raw escape: %q", out.String())
	}
}

// What the server echoes of a secret is masked in a big body too: in the
// first screenful, in the whole body, and on every tab, until ctrl+r.
func TestBigBodyMasksEchoedSecrets(t *testing.T) {
	secret := "k-echo-12345"
	conn := connection.Connection{Name: "api", Auth: connection.Auth{Type: connection.AuthHeader,
		Headers: []connection.KV{{Key: "X-Api-Key", Value: secret}}}}
	body := append([]byte(`[{"key":"`+secret+`"},`), bigJSON(3000)[1:]...)
	body = append(body[:len(body)-1], []byte(`,{"again":"`+secret+`"}]`)...)
	p := testPane(80, 30)
	p.conn = &conn
	p.set(jsonResp(body), nil)
	if v := viewText(p); strings.Contains(v, secret) || !strings.Contains(v, `"key": "`) || !strings.Contains(v, "secrets masked") {
		t.Fatalf("the first screenful shows the secret, or no word of masking:\n%s", v)
	}
	paneRun(p, p.takeFormat())
	for range numTabs {
		paneKeys(p, "G")
		if v := viewText(p); strings.Contains(v, secret) {
			t.Fatalf("the %v tab shows the secret:\n%s", p.tab, v)
		}
		paneKeys(p, "]")
	}
	paneKeys(p, "ctrl+r")
	paneRun(p, p.takeFormat())
	paneKeys(p, "g")
	if v := viewText(p); !strings.Contains(v, secret) {
		t.Errorf("ctrl+r does not reveal:\n%s", v)
	}
}

// A line wider than the pane wraps; the rows hold all of it, each within
// the pane, and a line longer than maxLine is drawn in pieces that join up.
func TestLongLinesWrap(t *testing.T) {
	var line strings.Builder
	for i := 0; line.Len() < 3*maxLine; i++ {
		fmt.Fprintf(&line, "w%d-ガ ", i)
	}
	p := testPane(50, 400)
	p.set(&connection.Response{Status: 200, Body: []byte(line.String() + "\nnext")}, nil)
	checkFits(t, p)
	var got strings.Builder
	for _, row := range p.view().rows() {
		got.WriteString(ansi.Strip(row))
	}
	if want := line.String() + "next"; got.String() != want {
		t.Errorf("rows join to %d bytes, want the %d of the line", got.Len(), len(want))
	}
}

// On a screen that embeds the pane, esc clears a search before it leaves
// the screen, and a big body is formatted whole through the screen's Cmds.
func TestReplayPaneSearchAndBigBody(t *testing.T) {
	f := newFixture(t)
	body := bigJSON(2000) // 460 KB: past syncLimit
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c := connection.Connection{Name: "big", BaseURL: srv.URL}
	if err := f.st.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	f.sampledActionAt(c, "/records")
	d := f.drive(120, 40)
	d.keys("2", "r")
	rp, ok := d.top().(*replay)
	if !ok {
		t.Fatalf("r did not open the run:\n%s", d.view())
	}
	if rp.resp.docs.body == nil || rp.resp.docs.body.partial || rp.resp.seq != 0 {
		t.Fatal("the replay did not hand out the body's format")
	}
	d.keys("G")
	d.contains(`"id": 1999,`)
	d.lacks("formatting…")
	d.keys("/", "ångström 1999", "enter")
	d.contains("/ångström 1999  1/1", "esc clears")
	d.keys("esc")
	d.lacks("esc clears")
	if _, ok := d.top().(*replay); !ok {
		t.Fatal("esc with a search on left the run instead of clearing the search")
	}
	d.keys("esc")
	if _, ok := d.top().(*home); !ok {
		t.Fatal("esc without a search does not leave the run")
	}
}

// The Cmds that format and search a big body run beside the pane drawing
// and scrolling it (run with -race): they read only what nothing changes.
func TestBodyCmdsRunBesideTheView(t *testing.T) {
	p := testPane(80, 30)
	p.set(jsonResp(bigJSON(10_000)), nil)
	run := func(cmd tea.Cmd) {
		t.Helper()
		done := make(chan tea.Msg)
		go func() { done <- cmd() }()
		for {
			select {
			case msg := <-done:
				paneRun(p, p.Update(msg))
				return
			default:
				p.Update(keyMsg("pgdown"))
				p.View()
			}
		}
	}
	run(p.takeFormat())
	paneKeys(p, "g", "/")
	p.prompt.input.SetValue("zürich")
	cmd := p.Update(keyMsg("enter"))
	if cmd == nil {
		t.Fatal("a search of a big body is not a Cmd")
	}
	run(cmd)
	if p.search == nil || len(p.search.matches) != 10_000 {
		t.Fatalf("search found %v", p.search)
	}
}

// The pane's keys clash with none of the screens that embed it, focused,
// with a search on.
func TestPaneKeysDoNotClash(t *testing.T) {
	f := newFixture(t)
	c := f.basicConn("api", "u", "p")
	f.sampledActionAt(c, "/json")
	d := f.drive(120, 40)
	check := func(where string) {
		t.Helper()
		if got := clashes(d.root().env.keys, d.active()); len(got) > 0 {
			t.Errorf("%s: %s", where, strings.Join(got, "; "))
		}
	}
	d.keys("2", "r", "/", "slide", "enter")
	d.contains("/slide  1/")
	check("a run, its response searched")
	d.keys("esc", "esc", "1", "enter", "Echo", "tab", "tab", "/json", "ctrl+n", "ctrl+s")
	w := d.top().(*wizardScreen)
	w.focusPane(paneResponse)
	d.keys("/", "title", "enter")
	d.contains("/title  1/")
	check("the wizard's response pane, searched")
	d.keys("f")
	check("the wizard's JSON path prompt")
}
