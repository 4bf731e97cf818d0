package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"patchbay/connection"
)

// The response pane's search and JSON path prompts, what their results do
// to the pane, and copy. Work on a document bigger than asyncLimit runs in
// a tea.Cmd; a smaller one is done at once, which spares a frame.

// asyncLimit is the biggest text searched or filtered inside Update.
const asyncLimit = 1 << 20

// promptKind is what a pane prompt asks for.
type promptKind int

const (
	promptSearch promptKind = iota
	promptFilter
)

func (k promptKind) verb() string { return [...]string{"search", "filter"}[k] }

func (k promptKind) label() string { return [...]string{"Search: ", "JSON path: "}[k] }

// bodyPrompt is the search or JSON path prompt at the foot of the pane.
type bodyPrompt struct {
	kind  promptKind
	input textinput.Model
	err   string
	busy  bool // the path is being applied
	seq   uint64
}

func (b *bodyPrompt) lines(st *Styles, width int) []string {
	line := st.Accent.Render(b.kind.label()) + b.input.View()
	out := []string{truncate(line, width)}
	switch {
	case b.busy:
		out = append(out, st.Faint.Render("selecting…"))
	case b.err != "":
		out = append(out, truncate(st.FieldError.Render("✗ "+connection.CleanText(b.err)), width))
	}
	return out
}

// prompting reports whether the pane is asking for something, when every
// key is the prompt's.
func (p *responsePane) prompting() bool { return p.save != nil || p.prompt != nil }

func (p *responsePane) openPrompt(kind promptKind, value string) {
	in := newTextInput("", false)
	switch kind {
	case promptSearch:
		in.Placeholder = "text to find; a capital letter makes it exact"
	case promptFilter:
		in.Placeholder = "items.#.id, user.name"
	}
	in.Width = max(p.inner()-lipgloss.Width(kind.label())-1, 1)
	in.SetValue(value)
	in.CursorEnd()
	in.Focus()
	p.prompt = &bodyPrompt{kind: kind, input: in}
	p.sizeViews()
}

// promptKey handles a key while a prompt is open: esc clears what the
// prompt is for, enter applies it.
func (p *responsePane) promptKey(msg tea.KeyMsg) tea.Cmd {
	k := &p.env.keys
	pr := p.prompt
	switch {
	case key.Matches(msg, k.Back):
		p.prompt = nil
		if pr.kind == promptSearch {
			p.setSearch(nil)
		} else {
			p.setFilter(nil)
		}
		return nil
	case key.Matches(msg, k.Enter):
		value := strings.TrimSpace(pr.input.Value())
		if pr.kind == promptSearch {
			p.prompt = nil
			if value == "" {
				p.setSearch(nil)
				return nil
			}
			return p.startSearch(value)
		}
		if value == "" {
			p.prompt = nil
			p.setFilter(nil)
			return nil
		}
		return p.startFilter(value)
	}
	var cmd tea.Cmd
	pr.input, cmd = pr.input.Update(msg)
	pr.err = ""
	return cmd
}

// clearSearchOrFilter is esc outside a prompt: the search goes first.
func (p *responsePane) clearSearchOrFilter() {
	if p.search != nil {
		p.setSearch(nil)
		return
	}
	p.setFilter(nil)
}

func (p *responsePane) setSearch(s *bodySearch) {
	p.search = s
	for _, v := range p.allViews() {
		v.invalidate()
	}
	p.sizeViews()
}

func (p *responsePane) setFilter(f *bodyFilter) {
	p.filter = f
	p.sizeViews()
}

// startSearch finds query in the tab shown.
func (p *responsePane) startSearch(query string) tea.Cmd {
	doc := p.view().doc
	s := &bodySearch{query: query, seq: bodySeq.Add(1), target: doc}
	p.setSearch(s)
	size := 0
	if doc != nil {
		size = len(doc.text)
		if doc.kind == docHex {
			size *= 5 // each byte is drawn in five
		}
	}
	if size <= asyncLimit {
		ms, capped := findAll(doc, query)
		return p.searched(bodySearchedMsg{seq: s.seq, doc: doc, matches: ms, capped: capped})
	}
	return searchCmd(s.seq, doc, query)
}

// searched takes the matches, and shows the first at or after the top of
// the view.
func (p *responsePane) searched(msg bodySearchedMsg) tea.Cmd {
	s := p.search
	if s == nil || msg.seq != s.seq {
		return nil
	}
	if msg.doc != p.view().doc {
		return p.startSearch(s.query) // the tab or its document changed meanwhile
	}
	s.doc, s.matches, s.capped = msg.doc, msg.matches, msg.capped
	s.cur = s.from(p.view().top.line)
	p.showMatch()
	return nil
}

// researchIfMoved searches again when the tab shown has another document
// than the search was made in.
func (p *responsePane) researchIfMoved() tea.Cmd {
	if p.search == nil || p.search.target == p.view().doc {
		return nil
	}
	return p.startSearch(p.search.query)
}

func (p *responsePane) moveMatch(by int) {
	s := p.search
	if s == nil || len(s.matches) == 0 {
		return
	}
	s.cur = (s.cur + by + len(s.matches)) % len(s.matches)
	p.showMatch()
}

func (p *responsePane) showMatch() {
	v := p.view()
	v.invalidate()
	if s := p.search; len(s.matches) > 0 {
		m := s.matches[s.cur]
		v.show(int(m.line), int(m.start))
	}
}

// marks are the search matches on line i of d.
func (p *responsePane) marks(d *bodyDoc, i int) []lineMark {
	if p.search == nil {
		return nil
	}
	return p.search.marks(d, i)
}

// openFilter asks for a JSON path, when the body is JSON.
func (p *responsePane) openFilter() tea.Cmd {
	switch {
	case p.resp == nil || len(p.resp.Body) == 0:
		return errStatus("There is no body to filter.")
	case p.seq != 0:
		return errStatus("The body is still being formatted; filter it in a moment.")
	case !p.docs.json:
		return errStatus("A JSON path filters a JSON body; this one is not JSON.")
	}
	path := ""
	if p.filter != nil {
		path = p.filter.path
	}
	p.openPrompt(promptFilter, path)
	return nil
}

// startFilter selects path in the body as shown.
func (p *responsePane) startFilter(path string) tea.Cmd {
	pr := p.prompt
	pr.seq, pr.err = bodySeq.Add(1), ""
	if len(p.docs.shown) <= asyncLimit {
		return p.filtered(selectPath(pr.seq, p.docs.shown, path))
	}
	pr.busy = true
	return filterCmd(pr.seq, p.docs.shown, path)
}

// filtered shows the selection, or says by the prompt why there is none.
func (p *responsePane) filtered(msg bodyFilteredMsg) tea.Cmd {
	pr := p.prompt
	if pr == nil || pr.kind != promptFilter || msg.seq != pr.seq {
		return nil
	}
	pr.busy = false
	if msg.err != "" {
		pr.err = msg.err
		return nil
	}
	p.prompt = nil
	p.tab = tabBody
	v := newBodyView(msg.doc, p.paints)
	v.marks = p.marks
	p.setFilter(&bodyFilter{path: msg.path, sel: msg.sel, view: v})
	return p.researchIfMoved()
}

// copy puts the body as shown, or the selection, on the clipboard.
func (p *responsePane) copy() tea.Cmd {
	switch {
	case p.resp == nil || len(p.resp.Body) == 0:
		return errStatus("There is no body to copy.")
	case !p.osc52:
		return errStatus("%s", copyOff)
	case p.docs.binary:
		return errStatus("A binary body is not copied as text; s saves it to a file.")
	case p.seq != 0:
		return errStatus("The body is still being formatted; copy it in a moment.")
	}
	text, what := p.docs.shown, "the body"
	if p.filter != nil {
		text, what = p.filter.sel, "the selection"
	}
	if len(text) > maxCopy {
		return errStatus("%s is %s, too big to copy through the terminal; s saves it to a file.",
			strings.ToUpper(what[:1])+what[1:], formatSize(int64(len(text))))
	}
	if p.masked {
		what += ", secrets masked"
	}
	return copyCmd(p.clipboard, text, what)
}

// view is the view of the tab shown.
func (p *responsePane) view() *bodyView {
	if p.tab == tabBody && p.filter != nil && p.filter.view != nil {
		return p.filter.view
	}
	return p.views[p.tab]
}

func (p *responsePane) switchTab(by int) tea.Cmd {
	if p.resp == nil {
		return nil
	}
	p.tab = (p.tab + paneTab(by) + numTabs) % numTabs
	p.sizeViews()
	return p.researchIfMoved()
}

// scroll moves a viewport for the up, down and page keys; it reports whether
// the key was one of them. (The drift and review screens use it.)
func scroll(vp *viewport.Model, msg tea.KeyMsg, k *KeyMap) bool {
	switch {
	case key.Matches(msg, k.Up):
		vp.ScrollUp(1)
	case key.Matches(msg, k.Down):
		vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		vp.PageUp()
	case key.Matches(msg, k.PageDown):
		vp.PageDown()
	default:
		return false
	}
	return true
}

// scroll moves the view for the up, down, page, top and bottom keys.
func (p *responsePane) scroll(msg tea.KeyMsg) {
	k := &p.env.keys
	v := p.view()
	switch {
	case key.Matches(msg, k.Up):
		v.up(1)
	case key.Matches(msg, k.Down):
		v.down(1)
	case key.Matches(msg, k.PageUp):
		v.up(v.height)
	case key.Matches(msg, k.PageDown):
		v.down(v.height)
	case key.Matches(msg, k.Top):
		v.toTop()
	case key.Matches(msg, k.Bottom):
		v.toBottom()
	}
}
