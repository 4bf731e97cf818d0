package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// SetWidth sizes every input to the form's width.
func (f *form) SetWidth(w int) {
	f.width = w
	iw := max(w-f.labelW-2, 10)
	for _, fl := range f.fields {
		fl.input.Width = iw - 1
		if fl.kind == kindArea {
			fl.area.SetWidth(iw)
		}
		nw, vw := f.kvWidths()
		for i := range fl.rows {
			fl.rows[i].name.Width = nw - 1
			fl.rows[i].value.Width = vw - 1
		}
	}
}

// View renders the visible fields, each error under its field.
func (f *form) View() string {
	cur, _ := f.current()
	var b strings.Builder
	for _, fl := range f.fields {
		if !fl.visible() {
			continue
		}
		focused := cur.field == fl
		label := f.st.Label
		marker := "  "
		if focused {
			label = f.st.LabelFocused
			marker = f.st.Cursor.Render("› ")
		}
		head := marker + label.Width(f.labelW-2).Render(fl.label)
		indent := strings.Repeat(" ", f.labelW)
		switch fl.kind {
		case kindKV:
			for i, r := range fl.rows {
				prefix := indent
				if i == 0 {
					prefix = head
				}
				nw, vw := f.kvWidths()
				name := r.name.View()
				if fl.fixedNames {
					name = f.st.Accent.Render("{{" + r.name.Value() + "}}")
				}
				b.WriteString(prefix + cell(name, nw) + f.st.Faint.Render(" : ") + cell(r.value.View(), vw) + "\n")
				if msg := fl.rowErrs[i]; msg != "" {
					b.WriteString(f.note(f.st.FieldError, "✗ "+msg))
				}
			}
		case kindArea:
			lines := strings.Split(fl.area.View(), "\n")
			for i, l := range lines {
				prefix := indent
				if i == 0 {
					prefix = head
				}
				b.WriteString(prefix + l + "\n")
			}
		default:
			b.WriteString(head + f.fieldView(fl, focused) + "\n")
		}
		if fl.err != "" {
			b.WriteString(f.note(f.st.FieldError, "✗ "+fl.err))
		} else if focused && fl.hint != "" {
			b.WriteString(f.note(f.st.FieldHelp, fl.hint))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// kvWidths splits the input column between a row's name and value.
func (f *form) kvWidths() (name, value int) {
	iw := max(f.width-f.labelW-2, 10)
	name = max(iw*2/5, 8)
	return name, max(iw-name-3, 6)
}

// cell pads or cuts s (which may hold styles) to exactly width cells, so
// columns line up whatever an input renders.
func cell(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return ansi.Truncate(s, width, "")
}

// note renders an error or hint under a field, wrapped to the input column.
func (f *form) note(style lipgloss.Style, text string) string {
	indent := strings.Repeat(" ", f.labelW)
	width := max(f.width-f.labelW, 20)
	var b strings.Builder
	for _, l := range strings.Split(ansi.Wrap(text, width, " "), "\n") {
		b.WriteString(indent + style.Render(l) + "\n")
	}
	return b.String()
}

// choiceWindow joins a choice row's parts, or, when they are wider than the
// input column, as many as fit around the chosen one, with … where the row
// goes on.
func (f *form) choiceWindow(parts []string, chosen int) string {
	avail := f.width - f.labelW
	width := func(from, to int) int {
		w := 0
		for _, p := range parts[from:to] {
			w += lipgloss.Width(p)
		}
		return w
	}
	if avail <= 0 || width(0, len(parts)) <= avail {
		return strings.Join(parts, "")
	}
	from, to := chosen, chosen+1
	for grown := true; grown; {
		grown = false
		// Two cells are kept for the ellipses.
		if to < len(parts) && width(from, to+1)+2 <= avail {
			to, grown = to+1, true
		}
		if from > 0 && width(from-1, to)+2 <= avail {
			from, grown = from-1, true
		}
	}
	row := strings.Join(parts[from:to], "")
	if from > 0 {
		row = f.st.Faint.Render("…") + row
	}
	if to < len(parts) {
		row += f.st.Faint.Render("…")
	}
	return row
}

func (f *form) fieldView(fl *field, focused bool) string {
	switch fl.kind {
	case kindChoice:
		parts := make([]string, len(fl.titles))
		for i, t := range fl.titles {
			switch {
			case i == fl.choice && focused:
				parts[i] = f.st.ButtonFocused.Render("[" + t + "]")
			case i == fl.choice:
				parts[i] = f.st.Selected.Render("[" + t + "]")
			default:
				parts[i] = f.st.Faint.Render(" " + t + " ")
			}
		}
		return f.choiceWindow(parts, fl.choice)
	case kindToggle:
		if fl.on {
			return f.st.Selected.Render("[x] yes")
		}
		return f.st.Faint.Render("[ ] no")
	}
	return fl.input.View()
}
