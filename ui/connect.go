package ui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"patchbay/connection"
)

// urlsShownMsg carries the URLs Authorize shows before it waits.
type urlsShownMsg struct{ authorize, callback string }

// deviceCodeShownMsg carries the user code and verification URL that
// DeviceAuthorize shows before it waits.
type deviceCodeShownMsg struct{ userCode, verificationURL string }

// connectedMsg is the end of an authorization attempt.
type connectedMsg struct {
	token connection.Token
	err   error
}

// connectScreen runs the OAuth2 authorization code flow: it shows the
// authorize URL (opened in a browser where there is one) and the callback
// URL to register, waits for the loopback callback, and takes a pasted
// redirect URL instead when the browser cannot reach this machine (SSH).
// A connection with a device URL logs in with the device authorization
// grant instead: the screen shows the user code and the verification URL,
// and waits for the approval.
type connectScreen struct {
	env       *env
	conn      connection.Connection
	authorize string
	callback  string
	device    bool // the device authorization grant, not the code flow
	userCode  string
	verifyURL string
	codes     chan deviceCodeShownMsg
	paste     textinput.Model
	pasted    chan string
	urls      chan urlsShownMsg
	cancel    context.CancelFunc
	spin      spinner.Model
	err       error
	width     int
	height    int
}

func newConnectScreen(e *env, c connection.Connection) *connectScreen {
	in := newTextInput("paste the URL the browser was sent to, then enter", false)
	in.Focus()
	return &connectScreen{env: e, conn: c, paste: in, device: c.HasDeviceFlow(),
		pasted: make(chan string, 1), urls: make(chan urlsShownMsg, 1), codes: make(chan deviceCodeShownMsg, 1),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
}

func (s *connectScreen) Init() tea.Cmd {
	if s.cancel != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if s.device {
		return s.initDevice(ctx)
	}
	conn, urls, pasted, open := s.conn, s.urls, s.pasted, s.env.openBrowser
	authorize := func() tea.Msg {
		tok, err := connection.Authorize(ctx, conn, connection.AuthorizeOptions{
			OpenBrowser: open,
			ShowURL: func(a, c string) {
				urls <- urlsShownMsg{a, c}
			},
			Pasted: pasted,
		})
		return connectedMsg{token: tok, err: err}
	}
	shown := func() tea.Msg {
		select {
		case m := <-urls:
			return m
		case <-ctx.Done():
			return nil
		}
	}
	return tea.Batch(s.spin.Tick, authorize, shown)
}

// initDevice starts the device authorization grant: the code and URL come
// back as a deviceCodeShownMsg, the end as a connectedMsg.
func (s *connectScreen) initDevice(ctx context.Context) tea.Cmd {
	conn, codes, open := s.conn, s.codes, s.env.openBrowser
	authorize := func() tea.Msg {
		tok, err := connection.DeviceAuthorize(ctx, conn, func(userCode, verificationURL string) {
			codes <- deviceCodeShownMsg{userCode, verificationURL}
			if open != nil {
				_ = open(verificationURL) // shown on screen either way
			}
		})
		return connectedMsg{token: tok, err: err}
	}
	shown := func() tea.Msg {
		select {
		case m := <-codes:
			return m
		case <-ctx.Done():
			return nil
		}
	}
	return tea.Batch(s.spin.Tick, authorize, shown)
}

func (s *connectScreen) Title() string    { return "Connect '" + s.conn.Name + "'" }
func (s *connectScreen) SetSize(w, h int) { s.width, s.height = w, h; s.paste.Width = max(w-8, 20) }
func (s *connectScreen) Capturing() bool  { return true }
func (s *connectScreen) Keys() []key.Binding {
	k := s.env.keys
	if s.device {
		return []key.Binding{withHelp(k.Back, "esc", "cancel")}
	}
	return []key.Binding{withHelp(k.Enter, "enter", "use pasted URL"), withHelp(k.Back, "esc", "cancel")}
}

func (s *connectScreen) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case urlsShownMsg:
		s.authorize, s.callback = msg.authorize, msg.callback
		return s, nil
	case deviceCodeShownMsg:
		s.userCode, s.verifyURL = msg.userCode, msg.verificationURL
		return s, nil
	case connectedMsg:
		s.cancel()
		if msg.err != nil {
			s.err = msg.err
			return s, nil
		}
		return s, pop(fmt.Sprintf("Connected '%s'%s.", s.conn.Name, expiresSuffix(msg.token, time.Now())))
	case spinner.TickMsg:
		if s.err != nil {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case tea.KeyMsg:
		k := s.env.keys
		switch {
		case key.Matches(msg, k.Back):
			s.cancel()
			return s, pop("Connect canceled.")
		case s.device:
			return s, nil // nothing to type
		case key.Matches(msg, k.Enter):
			if u := strings.TrimSpace(s.paste.Value()); u != "" {
				select {
				case s.pasted <- u:
				default:
				}
				s.paste.SetValue("")
			}
			return s, nil
		}
		var cmd tea.Cmd
		s.paste, cmd = s.paste.Update(msg)
		return s, cmd
	}
	return s, nil
}

func (s *connectScreen) View() string {
	st := s.env.styles
	w := max(s.width-4, 20)
	var b strings.Builder
	b.WriteString(st.SectionTitle.Render("Log in to "+connection.CleanText(s.conn.Name)) + "\n\n")
	if s.err != nil {
		b.WriteString(st.Error.Render(ansi.Wrap("✗ "+connection.CleanText(s.err.Error()), w, " ")) + "\n\n")
		b.WriteString(st.Faint.Render("esc goes back; press c on the connection to try again.") + "\n")
		return st.Indent.Render(b.String())
	}
	if s.device {
		return st.Indent.Render(b.String() + s.deviceView(w))
	}
	if s.authorize == "" {
		b.WriteString(s.spin.View() + " starting…\n")
		return st.Indent.Render(b.String())
	}
	b.WriteString("Open this URL in a browser (it was opened for you where one is available):\n\n")
	// Hard-wrapped so a terminal selection copies it whole.
	b.WriteString(st.Accent.Render(ansi.Hardwrap(s.authorize, w, false)) + "\n\n")
	b.WriteString(st.Faint.Render("The provider sends the browser back to "+s.callback+" — register that as the redirect URI.") + "\n\n")
	b.WriteString(s.spin.View() + " waiting for the callback (up to 5 minutes)…\n\n")
	b.WriteString("Browser on another machine? After logging in, paste the address it ended on:\n")
	b.WriteString(s.paste.View() + "\n")
	return st.Indent.Render(b.String())
}

// deviceView is the device login: the verification URL, and the code to
// enter there, big.
func (s *connectScreen) deviceView(w int) string {
	st := s.env.styles
	if s.userCode == "" {
		return s.spin.View() + " asking for a code…\n"
	}
	var b strings.Builder
	b.WriteString("On any device, open this URL (it was opened for you where a browser is available):\n\n")
	// Hard-wrapped so a terminal selection copies it whole.
	b.WriteString(st.Accent.Render(ansi.Hardwrap(connection.CleanText(s.verifyURL), w, false)) + "\n\n")
	b.WriteString("and enter the code:\n\n")
	b.WriteString(st.FocusedPane.Render(st.Title.Render(connection.CleanText(s.userCode))) + "\n\n")
	b.WriteString(s.spin.View() + " waiting for the login to be approved…\n")
	return b.String()
}

// openBrowser opens url with the system's opener where there is a display
// to open it on; over SSH there is none, and the URL on screen is the way.
func openBrowser(url string) error {
	switch runtime.GOOS {
	case "darwin":
		return exec.Command("open", url).Start()
	case "windows":
		return exec.Command("rundll32", "url.dll,FileProtocolHandler", url).Start()
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return fmt.Errorf("no display to open a browser on")
	}
	cmd := exec.Command("xdg-open", url)
	cmd.Stdout, cmd.Stderr = nil, nil
	return cmd.Start()
}

// expiresSuffix is " (token expires in 59m)" for a token with an expiry.
func expiresSuffix(t connection.Token, now time.Time) string {
	if t.Expiry.IsZero() {
		return ""
	}
	return " (token " + connection.ExpiresIn(t, now) + ")"
}
