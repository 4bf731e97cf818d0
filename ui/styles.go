package ui

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// palette is the small set of semantic colours every style is built from.
// Names say what a colour means, not what it looks like.
type palette struct {
	Text, Faint, Accent, Error, Warning, Success lipgloss.AdaptiveColor
	FocusedBorder, BlurredBorder                 lipgloss.AdaptiveColor
}

func defaultPalette() palette {
	return palette{
		Text:          lipgloss.AdaptiveColor{Light: "#1a1a1a", Dark: "#dddddd"},
		Faint:         lipgloss.AdaptiveColor{Light: "#6b6b6b", Dark: "#8a8a8a"},
		Accent:        lipgloss.AdaptiveColor{Light: "#5a3fc0", Dark: "#a48cf2"},
		Error:         lipgloss.AdaptiveColor{Light: "#c0262d", Dark: "#ff6b6b"},
		Warning:       lipgloss.AdaptiveColor{Light: "#a15c00", Dark: "#f2b84b"},
		Success:       lipgloss.AdaptiveColor{Light: "#1d7a34", Dark: "#5fd787"},
		FocusedBorder: lipgloss.AdaptiveColor{Light: "#5a3fc0", Dark: "#a48cf2"},
		BlurredBorder: lipgloss.AdaptiveColor{Light: "#c4c4c4", Dark: "#444444"},
	}
}

// Styles holds every lipgloss style the screens use, built once.
type Styles struct {
	Text, Faint, Accent, Bold  lipgloss.Style
	Error, Warning, Success    lipgloss.Style
	Title, Badge               lipgloss.Style
	TabActive, TabInactive     lipgloss.Style
	StepActive, StepDone, Step lipgloss.Style
	Label, LabelFocused        lipgloss.Style
	FieldError, FieldHelp      lipgloss.Style
	Selected, Cursor           lipgloss.Style
	FocusedPane, BlurredPane   lipgloss.Style
	Button, ButtonFocused      lipgloss.Style
	Status1xx3xx, Status2xx    lipgloss.Style
	Status4xx, Status5xx       lipgloss.Style
	HelpKey, HelpDesc, HelpSep lipgloss.Style
	Secret                     lipgloss.Style
	Header, Footer, StatusLine lipgloss.Style
	Confirm                    lipgloss.Style
	SectionTitle, SectionFaint lipgloss.Style
	Method                     lipgloss.Style
	EmptyState                 lipgloss.Style
	Body, Indent               lipgloss.Style
	// A JSON body's tokens, and search matches in a response body.
	JSONKey, JSONString        lipgloss.Style
	JSONNumber, JSONLiteral    lipgloss.Style
	JSONPunct                  lipgloss.Style
	SearchMatch, SearchCurrent lipgloss.Style
}

// NewStyles builds the styles from the palette. NO_COLOR turns colour off.
func NewStyles() Styles {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	p := defaultPalette()
	s := Styles{}
	s.Text = lipgloss.NewStyle().Foreground(p.Text)
	s.Faint = lipgloss.NewStyle().Foreground(p.Faint)
	s.Accent = lipgloss.NewStyle().Foreground(p.Accent)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Error = lipgloss.NewStyle().Foreground(p.Error)
	s.Warning = lipgloss.NewStyle().Foreground(p.Warning)
	s.Success = lipgloss.NewStyle().Foreground(p.Success)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(p.Accent)
	s.Badge = lipgloss.NewStyle().Foreground(p.Warning).Bold(true)
	s.TabActive = lipgloss.NewStyle().Bold(true).Foreground(p.Accent).Underline(true)
	s.TabInactive = lipgloss.NewStyle().Foreground(p.Faint)
	s.StepActive = lipgloss.NewStyle().Bold(true).Foreground(p.Accent)
	s.StepDone = lipgloss.NewStyle().Foreground(p.Success)
	s.Step = lipgloss.NewStyle().Foreground(p.Faint)
	s.Label = lipgloss.NewStyle().Foreground(p.Faint)
	s.LabelFocused = lipgloss.NewStyle().Foreground(p.Accent).Bold(true)
	s.FieldError = lipgloss.NewStyle().Foreground(p.Error)
	s.FieldHelp = lipgloss.NewStyle().Foreground(p.Faint).Italic(true)
	s.Selected = lipgloss.NewStyle().Foreground(p.Accent).Bold(true)
	s.Cursor = lipgloss.NewStyle().Foreground(p.Accent)
	s.FocusedPane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.FocusedBorder).Padding(0, 1)
	s.BlurredPane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.BlurredBorder).Padding(0, 1)
	s.Button = lipgloss.NewStyle().Foreground(p.Faint)
	s.ButtonFocused = lipgloss.NewStyle().Foreground(p.Accent).Bold(true).Reverse(true)
	s.Status2xx = lipgloss.NewStyle().Bold(true).Foreground(p.Success)
	s.Status1xx3xx = lipgloss.NewStyle().Bold(true).Foreground(p.Accent)
	s.Status4xx = lipgloss.NewStyle().Bold(true).Foreground(p.Warning)
	s.Status5xx = lipgloss.NewStyle().Bold(true).Foreground(p.Error)
	s.HelpKey = lipgloss.NewStyle().Foreground(p.Text).Bold(true)
	s.HelpDesc = lipgloss.NewStyle().Foreground(p.Faint)
	s.HelpSep = lipgloss.NewStyle().Foreground(p.BlurredBorder)
	s.Secret = lipgloss.NewStyle().Foreground(p.Faint)
	s.Header = lipgloss.NewStyle().Padding(0, 1)
	s.Footer = lipgloss.NewStyle().Padding(0, 1)
	s.StatusLine = lipgloss.NewStyle().Padding(0, 1)
	s.Confirm = lipgloss.NewStyle().Foreground(p.Warning).Bold(true)
	s.SectionTitle = lipgloss.NewStyle().Bold(true).Foreground(p.Text)
	s.SectionFaint = lipgloss.NewStyle().Foreground(p.Faint)
	s.Method = lipgloss.NewStyle().Bold(true).Foreground(p.Accent)
	s.EmptyState = lipgloss.NewStyle().Foreground(p.Faint).Padding(1, 2)
	s.Body = lipgloss.NewStyle()
	s.Indent = lipgloss.NewStyle().PaddingLeft(2)
	s.JSONKey = lipgloss.NewStyle().Foreground(p.Accent)
	s.JSONString = lipgloss.NewStyle().Foreground(p.Success)
	s.JSONNumber = lipgloss.NewStyle().Foreground(p.Warning)
	s.JSONLiteral = lipgloss.NewStyle().Foreground(p.Warning).Bold(true)
	s.JSONPunct = lipgloss.NewStyle().Foreground(p.Faint)
	s.SearchMatch = lipgloss.NewStyle().Foreground(p.Warning).Reverse(true)
	s.SearchCurrent = lipgloss.NewStyle().Foreground(p.Accent).Reverse(true).Bold(true).Underline(true)
	return s
}

// status picks the style for an HTTP status by its class.
func (s Styles) status(code int) lipgloss.Style {
	switch {
	case code >= 500:
		return s.Status5xx
	case code >= 400:
		return s.Status4xx
	case code >= 200 && code < 300:
		return s.Status2xx
	}
	return s.Status1xx3xx
}
