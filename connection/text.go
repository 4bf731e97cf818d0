package connection

// CleanText makes untrusted text (response bodies and headers, server error
// messages) safe to put on a terminal: it removes escape sequences (CSI, OSC,
// DCS, ...), C0 controls other than newline and tab, C1 controls
// (U+0080–U+009F, including the single-character CSI U+009B), carriage
// returns, backspaces, and Unicode bidi overrides and isolates
// (U+202A–U+202E, U+2066–U+2069), and replaces invalid UTF-8 with U+FFFD.
func CleanText(s string) string {
	panic("TODO")
}
