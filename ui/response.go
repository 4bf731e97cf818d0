package ui

import (
	"io"
	"os"
	"sync/atomic"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"patchbay/connection"
)

// responsePane shows one response: the status line, then three tabs —
// Body (JSON pretty-printed and highlighted, text, or what a binary body
// is), Headers (with attempts, redirects and, when debugging, the request
// as sent) and Raw (the body as received) or, for a binary body, Hex.
// Bodies of any size up to the body cap: formatting runs off the UI
// goroutine (body_format.go) and only the lines on screen are drawn
// (body_view.go). Every byte from the server passes through
// connection.CleanText. / searches, f filters by JSON path, y copies, s
// saves (savebody.go).
type responsePane struct {
	env     *env
	spin    spinner.Model
	resp    *connection.Response
	err     error
	sending bool
	focused bool
	empty   string // what to say before anything was sent
	title   string // the pane's title; "" is "Response"
	width   int
	height  int

	// conn, when set, is the connection the response came through: what
	// the server echoes of its secrets is masked unless revealed.
	conn   *connection.Connection
	reveal bool
	// extra are the request's own secret values (Action.Secrets), masked
	// like the connection's wherever the server echoed them.
	extra  []string
	masked bool // what is shown hides something

	// kind is how the body is shown: json (pretty-printed when it is
	// JSON), text, or binary (hex); "" is json. It applies from the next set.
	kind bodyKind
	// debug shows the request exactly as sent, on the Headers tab.
	debug bool
	// attempt is the attempt under way while sending, set by the send's
	// Progress callback from its goroutine and read by the spinner's
	// redraws.
	attempt atomic.Pointer[connection.Attempt]
	// arrived is a big body's start, set by the send's Receiving callback
	// and taken at the next spinner tick; received counts what has arrived.
	// incomplete says resp is that start, shown while the rest arrives.
	arrived    atomic.Pointer[connection.BodyProgress]
	received   atomic.Int64
	sends      atomic.Uint64 // counts start: which send a report is of
	incomplete bool

	// save is the "write body to" prompt, when open.
	save *saveBody

	// docs are the body's documents; until a big body is formatted, its
	// first screenful. seq numbers the format under way (0: none), and
	// pending is that format's Cmd until it is handed to the runtime.
	docs       bodyDocs
	shownKind  bodyKind // what kind docs were made as
	shownDebug bool     // whether headers shows the request as sent
	seq        uint64
	pending    tea.Cmd
	status     string   // the status line (masked), sanitized when drawn
	headers    *bodyDoc // the Headers tab

	tab    paneTab
	views  [numTabs]*bodyView
	paints *paints

	prompt *bodyPrompt // the search or JSON path prompt, when open
	search *bodySearch
	filter *bodyFilter

	// osc52 is whether y may set the clipboard, through clipboard.
	osc52     bool
	clipboard io.Writer
}

// paneTab is a tab of the response pane.
type paneTab int

const (
	tabBody paneTab = iota
	tabHeaders
	tabRaw // Hex for a binary body
	numTabs
)

func (t paneTab) String() string { return [...]string{"Body", "Headers", "Raw"}[t] }

// bodyKind is how a response body is shown (wizard.ResponseType's values).
type bodyKind string

const (
	bodyJSON   bodyKind = "json"
	bodyText   bodyKind = "text"
	bodyBinary bodyKind = "binary"
)

func newResponsePane(e *env, empty string) *responsePane {
	p := &responsePane{
		env:       e,
		spin:      spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		empty:     empty,
		paints:    newPaints(&e.styles),
		osc52:     osc52On(os.Getenv),
		clipboard: os.Stdout,
	}
	for t := range p.views {
		p.views[t] = newBodyView(nil, p.paints)
		p.views[t].marks = p.marks
	}
	return p
}

func (p *responsePane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.sizeViews()
}

// inner is the width inside the pane's border and padding.
func (p *responsePane) inner() int {
	return max(p.width-p.env.styles.FocusedPane.GetHorizontalFrameSize(), 10)
}

// sizeViews gives the views the rows left under the title, status and
// tabs, the note and the prompt.
func (p *responsePane) sizeViews() {
	h := p.height - p.env.styles.FocusedPane.GetVerticalFrameSize() - 4 - len(p.bottomLines())
	if note := p.noteLines(); len(note) > 0 {
		h -= len(note)
	}
	if d := p.docs.raw; d != nil && d.kind == docHex && d.per != hexPerLine(p.inner()) {
		hex := hexDoc(d.text, hexPerLine(p.inner()))
		hex.partial = d.partial
		if p.search != nil && p.search.target == d {
			p.search = nil // its lines are gone
		}
		p.docs.raw = hex
		p.views[tabRaw].setDoc(hex)
	}
	for _, v := range p.allViews() {
		v.setSize(p.inner(), max(h, 1))
	}
}

func (p *responsePane) allViews() []*bodyView {
	vs := p.views[:]
	if p.filter != nil && p.filter.view != nil {
		vs = append(vs[:len(vs):len(vs)], p.filter.view)
	}
	return vs
}

// start shows the spinner; the returned command ticks it.
func (p *responsePane) start() tea.Cmd {
	p.sending = true
	p.sends.Add(1)
	p.attempt.Store(nil)
	p.arrived.Store(nil)
	p.received.Store(0)
	return p.spin.Tick
}

// progress is the Progress callback of a send shown in this pane.
func (p *responsePane) progress(a connection.Attempt) { p.attempt.Store(&a) }

// set shows a response, or the error that came instead. A body bigger
// than syncLimit shows its first screenful now; the Cmd that formats the
// rest is handed out by takeFormat, or by the pane's next Update.
func (p *responsePane) set(resp *connection.Response, err error) {
	p.show(resp, err, false)
}

// show is set, with incomplete telling that resp is the start of a body
// still arriving.
func (p *responsePane) show(resp *connection.Response, err error, incomplete bool) {
	p.sending = false
	if resp == p.resp && err == p.err && p.shownKind == p.kind && p.shownDebug == p.debug && p.headers != nil {
		return // the same response again (the wizard pushes its state back)
	}
	// The whole of a body whose start was shown keeps the place the user
	// scrolled to while it arrived.
	arrived := p.incomplete && resp != nil
	p.resp, p.err, p.incomplete = resp, err, incomplete
	// A prompt being typed in stays, with what was typed, for the new
	// response (closing it would turn the next letters into commands); what
	// was found or filtered in the old one goes.
	p.search, p.filter = nil, nil
	if p.prompt != nil {
		p.prompt.busy, p.prompt.err = false, ""
	}
	p.refresh()
	if !arrived {
		for _, v := range p.views {
			v.toTop()
		}
	}
	if p.debug && resp != nil {
		p.tab = tabHeaders // it starts with the request as sent, which debug asked for
	}
}

// takeFormat hands out the Cmd formatting the body, once.
func (p *responsePane) takeFormat() tea.Cmd {
	cmd := p.pending
	p.pending = nil
	return cmd
}

// refresh makes the documents again: a new response, or secrets revealed
// or masked.
func (p *responsePane) refresh() {
	p.seq, p.pending, p.masked = 0, nil, false
	p.docs, p.headers, p.status = bodyDocs{}, nil, ""
	if p.resp == nil {
		p.setDocs()
		return
	}
	r := *p.resp
	meta := r
	meta.Body = nil
	if p.conn != nil && !p.reveal {
		meta = p.conn.RedactEchoes(meta, p.extra...)
		p.masked = !sameKVs(meta.Headers, r.Headers)
	}
	p.status = meta.StatusLine()
	p.headers = metaDoc(p.metaLines(meta))
	p.shownDebug = p.debug
	in := formatInput{resp: r, reveal: p.reveal, kind: p.kind, extra: p.extra}
	if p.conn != nil {
		c := *p.conn
		in.conn = &c
	}
	p.shownKind = p.kind
	switch {
	case p.incomplete:
		p.docs = formatPrefix(in) // the rest is on its way
	case len(r.Body) <= syncLimit:
		p.docs = formatBody(in)
	default:
		p.docs = formatPrefix(in)
		p.seq = bodySeq.Add(1)
		p.pending = formatCmd(p.seq, in)
	}
	p.masked = p.masked || p.docs.masked
	p.setDocs()
}

func sameKVs(a, b []connection.KV) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// setDocs puts the documents in their views.
func (p *responsePane) setDocs() {
	p.views[tabBody].setDoc(p.docs.body)
	p.views[tabHeaders].setDoc(p.headers)
	p.views[tabRaw].setDoc(p.docs.raw)
	p.sizeViews()
}

// Update scrolls, switches tabs, searches, filters, copies and saves when
// focused, takes the results of its Cmds, and ticks the spinner while
// sending. A body format not yet handed out goes with whatever it returns.
func (p *responsePane) Update(msg tea.Msg) tea.Cmd {
	cmd := p.update(msg)
	if p.pending != nil {
		return tea.Batch(cmd, p.takeFormat())
	}
	return cmd
}

func (p *responsePane) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !p.sending {
			return nil
		}
		p.showArrived()
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case bodyFormattedMsg:
		return p.formatted(msg)
	case bodySearchedMsg:
		return p.searched(msg)
	case bodyFilteredMsg:
		return p.filtered(msg)
	case bodySavedMsg:
		return p.saved(msg)
	case tea.KeyMsg:
		if !p.focused {
			return nil
		}
		return p.handleKey(msg)
	}
	return nil
}

// formatted takes the whole body's documents, unless they are stale.
func (p *responsePane) formatted(msg bodyFormattedMsg) tea.Cmd {
	if msg.seq != p.seq || p.seq == 0 {
		return nil
	}
	p.seq = 0
	p.docs = msg.docs
	p.masked = p.masked || msg.docs.masked
	p.setDocs()
	return p.researchIfMoved()
}

// wantsKey reports whether the pane takes msg before its screen does: a
// prompt takes every key, and esc clears a search or a filter.
func (p *responsePane) wantsKey(msg tea.KeyMsg) bool {
	return p.prompting() || p.focused && key.Matches(msg, p.env.keys.Back) && (p.search != nil || p.filter != nil)
}

func (p *responsePane) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := &p.env.keys
	switch {
	case p.save != nil:
		return p.saveKey(msg)
	case p.prompt != nil:
		return p.promptKey(msg)
	case key.Matches(msg, k.Back):
		p.clearSearchOrFilter()
	case p.incomplete && key.Matches(msg, k.SaveFile, k.SaveBody, k.Copy, k.JSONPath, k.Search):
		return errStatus("The body is still arriving (%s so far); that works once it is all here.", formatSize(p.received.Load()))
	case key.Matches(msg, k.SaveFile, k.SaveBody):
		return p.startSave()
	case key.Matches(msg, k.Reveal):
		p.reveal = !p.reveal
		return p.reshow()
	case key.Matches(msg, k.Search):
		p.openPrompt(promptSearch, "")
	case key.Matches(msg, k.NextMatch):
		p.moveMatch(1)
	case key.Matches(msg, k.PrevMatch):
		p.moveMatch(-1)
	case key.Matches(msg, k.JSONPath):
		return p.openFilter()
	case key.Matches(msg, k.Copy):
		return p.copy()
	case key.Matches(msg, k.NextTab):
		return p.switchTab(1)
	case key.Matches(msg, k.PrevTab):
		return p.switchTab(-1)
	default:
		p.scroll(msg)
	}
	return nil
}

// reshow makes the documents again (secrets revealed or masked), keeping
// the tab and the position.
func (p *responsePane) reshow() tea.Cmd {
	var tops [numTabs]bodyPos
	for t, v := range p.views {
		tops[t] = v.top
	}
	p.search, p.filter, p.prompt = nil, nil, nil
	p.refresh()
	for t, v := range p.views {
		v.top = tops[t]
		v.setDoc(v.doc)
	}
	return nil
}

func (p *responsePane) keys() []key.Binding {
	k := p.env.keys
	switch {
	case p.save != nil:
		return []key.Binding{withHelp(k.Enter, "enter", "write"), withHelp(k.Back, "esc", "cancel")}
	case p.prompt != nil:
		return []key.Binding{withHelp(k.Enter, "enter", p.prompt.kind.verb()), withHelp(k.Back, "esc", "clear")}
	}
	keys := []key.Binding{withHelp(k.Up, "↑/↓", "scroll"), k.PageUp, k.PageDown}
	if p.resp == nil {
		return keys
	}
	keys = append(keys, withHelp(k.NextTab, "[/]", "tabs"), k.Search)
	if p.search != nil && len(p.search.matches) > 0 {
		keys = append(keys, withHelp(k.NextMatch, "n/N", "next/previous match"))
	}
	if p.docs.json {
		keys = append(keys, k.JSONPath)
	}
	if len(p.resp.Body) > 0 {
		if p.osc52 {
			keys = append(keys, withHelp(k.Copy, "y", "copy (OSC 52)"))
		} else {
			keys = append(keys, k.Copy)
		}
		keys = append(keys, k.SaveFile)
	}
	keys = append(keys, withHelp(k.Top, "g/G", "top/bottom"))
	if p.masked || p.reveal {
		keys = append(keys, k.Reveal)
	}
	return keys
}
