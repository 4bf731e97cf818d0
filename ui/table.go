package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// table renders rows of cells in aligned columns, the row under the cursor
// marked. The last column takes what width is left and is cut to fit.
type table struct {
	st      *Styles
	headers []string
	rows    [][]string
	cursor  int
	width   int
	height  int
}

func (t table) View() string {
	if len(t.rows) == 0 {
		return ""
	}
	cols := len(t.headers)
	widths := make([]int, cols)
	for i, h := range t.headers {
		widths[i] = lipgloss.Width(h)
	}
	for _, r := range t.rows {
		for i := 0; i < cols-1 && i < len(r); i++ {
			widths[i] = max(widths[i], min(lipgloss.Width(r[i]), 40))
		}
	}
	used := 2
	for i := 0; i < cols-1; i++ {
		used += widths[i] + 2
	}
	widths[cols-1] = max(t.width-used, 10)

	line := func(cells []string, style func(i int) lipgloss.Style) string {
		parts := make([]string, cols)
		for i := 0; i < cols; i++ {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			parts[i] = style(i).Width(widths[i]).MaxWidth(widths[i]).Render(truncate(c, widths[i]))
		}
		return strings.Join(parts, "  ")
	}
	var b strings.Builder
	b.WriteString("  " + line(t.headers, func(int) lipgloss.Style { return t.st.SectionFaint }) + "\n")

	// Scroll so the cursor stays in view.
	visible := max(t.height-1, 1)
	first := 0
	if t.cursor >= visible {
		first = t.cursor - visible + 1
	}
	for i := first; i < len(t.rows) && i < first+visible; i++ {
		marker := "  "
		style := func(c int) lipgloss.Style {
			if c == 0 {
				return t.st.Text
			}
			return t.st.Faint
		}
		if i == t.cursor {
			marker = t.st.Cursor.Render("› ")
			style = func(int) lipgloss.Style { return t.st.Selected }
		}
		b.WriteString(marker + line(t.rows[i], style) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
