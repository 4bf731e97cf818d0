package wizard

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"patchbay/connection"
)

// Part is one part of a multipart/form-data body: a form field's value, or
// a file streamed from disk when the request is sent. {{name}} variables
// work in Value and File.
type Part struct {
	Name        string `json:"name"`
	Value       string `json:"value,omitempty"`        // a form field's value
	File        string `json:"file,omitempty"`         // a file's path: the part is that file, streamed
	FileName    string `json:"file_name,omitempty"`    // default: base name of File
	ContentType string `json:"content_type,omitempty"` // default: by extension, else application/octet-stream
}

// blank reports whether nothing was typed in p: forms keep such rows for
// typing, and they are not sent.
func (p Part) blank() bool {
	return strings.TrimSpace(p.Name) == "" && strings.TrimSpace(p.Value) == "" && strings.TrimSpace(p.File) == "" &&
		strings.TrimSpace(p.FileName) == "" && strings.TrimSpace(p.ContentType) == ""
}

// sentFileName is the file name the server is told: FileName, else the base
// name of File.
func (p Part) sentFileName() string {
	if p.FileName != "" {
		return p.FileName
	}
	return filepath.Base(p.File)
}

// sentContentType is the part's Content-Type: ContentType, else for a file
// the type its name's extension says, else application/octet-stream. A
// value without ContentType has none (text/plain, RFC 7578).
func (p Part) sentContentType() string {
	switch {
	case p.ContentType != "":
		return p.ContentType
	case p.File == "":
		return ""
	}
	if t := mime.TypeByExtension(filepath.Ext(p.sentFileName())); t != "" {
		return t
	}
	return "application/octet-stream"
}

// header is the part's MIME header in the body.
func (p Part) header() textproto.MIMEHeader {
	h := textproto.MIMEHeader{}
	if p.File != "" {
		h.Set("Content-Disposition", multipart.FileContentDisposition(p.Name, p.sentFileName()))
	} else {
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"`, escapeQuotes(p.Name)))
	}
	if ct := p.sentContentType(); ct != "" {
		h.Set("Content-Type", ct)
	}
	return h
}

// escapeQuotes escapes a parameter value of Content-Disposition the way
// mime/multipart does.
var escapeQuotes = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "%0D", "\n", "%0A").Replace

// FileError is a multipart part whose file cannot be read. Like a
// *VariableError it is the caller's to fix (exit code 2 for `patchbay
// run`), and it comes before anything is sent.
type FileError struct {
	Part string // the part's name
	Path string // the file's path, as rendered
	Err  error
}

func (e *FileError) Error() string {
	return fmt.Sprintf("part '%s': %s", e.Part, fileProblem(e.Path, e.Err))
}

func (e *FileError) Unwrap() error { return e.Err }

// errNotRegular is why a directory cannot be a part.
var errNotRegular = errors.New("is a directory")

// fileProblem says in plain words why path cannot be sent.
func fileProblem(path string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("file %s does not exist", path)
	case errors.Is(err, errNotRegular):
		return fmt.Sprintf("%s is a directory, not a file", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("cannot read %s: permission denied", path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("cannot read %s: %v", path, pe.Err)
	}
	return fmt.Sprintf("cannot send %s: %v", path, err)
}

// partFile is a part's file as it was when the request was built.
type partFile struct {
	path    string // ~ expanded
	size    int64  // -1 when not a regular file (a pipe): the body is chunked
	modTime time.Time
}

// statPartFile checks that path can be sent: it exists, is not a directory
// and, when it is a regular file, can be opened.
func statPartFile(path string) (partFile, error) {
	pf := partFile{path: connection.ExpandHome(path), size: -1}
	fi, err := os.Stat(pf.path)
	if err != nil {
		return pf, err
	}
	if fi.IsDir() {
		return pf, errNotRegular
	}
	pf.modTime = fi.ModTime()
	if fi.Mode().IsRegular() {
		// Opening a regular file does not block (a FIFO's would), and
		// tells whether it can be read.
		f, err := os.Open(pf.path)
		if err != nil {
			return pf, err
		}
		f.Close()
		pf.size = fi.Size()
	}
	return pf, nil
}

// multipartBody is a multipart/form-data body of normalised, filled parts,
// with the boundary fixed when the request was built, so every Open (a
// retry, a redirect) produces the same bytes.
type multipartBody struct {
	boundary string
	parts    []Part
	files    []partFile // files[i].path is "" for a value part
}

// newMultipartBody checks the parts' files; a file that cannot be read is
// a *FileError.
func newMultipartBody(parts []Part, boundary string) (*multipartBody, error) {
	m := &multipartBody{boundary: boundary, parts: parts, files: make([]partFile, len(parts))}
	for i, p := range parts {
		if p.File == "" {
			continue
		}
		pf, err := statPartFile(p.File)
		if err != nil {
			return nil, &FileError{Part: p.Name, Path: p.File, Err: err}
		}
		m.files[i] = pf
	}
	return m, nil
}

// source is the body as connection sends it.
func (m *multipartBody) source() *connection.BodySource {
	src := &connection.BodySource{Open: m.open, Length: m.length(), Summary: m.summary()}
	remember(src, m)
	return src
}

// length is the exact size of the body, or -1 when a file's size is not
// known: the framing is written by mime/multipart to a counter, the same
// way open writes it, and the files' sizes are added.
func (m *multipartBody) length() int64 {
	var c counter
	mw := multipart.NewWriter(&c)
	if err := mw.SetBoundary(m.boundary); err != nil {
		return -1
	}
	var total int64
	for i, p := range m.parts {
		w, err := mw.CreatePart(p.header())
		if err != nil {
			return -1
		}
		if p.File == "" {
			io.WriteString(w, p.Value)
			continue
		}
		if m.files[i].size < 0 {
			return -1
		}
		total += m.files[i].size
	}
	if mw.Close() != nil {
		return -1
	}
	return total + c.n
}

// counter counts what is written to it.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// summary is what the request as sent shows instead of the bytes:
// `multipart/form-data: field "name" (5 B), file "photo" = photo.jpg (image/jpeg, 12.3 KiB)`.
func (m *multipartBody) summary() string {
	items := make([]string, len(m.parts))
	for i, p := range m.parts {
		if p.File == "" {
			items[i] = fmt.Sprintf("field %q (%s)", p.Name, FormatSize(int64(len(p.Value))))
			continue
		}
		size := "size unknown"
		if m.files[i].size >= 0 {
			size = FormatSize(m.files[i].size)
		}
		items[i] = fmt.Sprintf("file %q = %s (%s, %s)", p.Name, p.sentFileName(), p.sentContentType(), size)
	}
	return "multipart/form-data: " + strings.Join(items, ", ")
}

// open opens every file first, so that one that has gone is a *FileError
// before a byte is sent, then streams the body through a pipe: files are
// copied, never read whole into memory. Closing the reader stops the
// writer and closes the files.
func (m *multipartBody) open() (io.ReadCloser, error) {
	files := make([]*os.File, len(m.parts))
	closeAll := func() {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}
	for i, pf := range m.files {
		if pf.path == "" {
			continue
		}
		f, err := os.Open(pf.path)
		if err != nil {
			closeAll()
			return nil, &FileError{Part: m.parts[i].Name, Path: m.parts[i].File, Err: err}
		}
		files[i] = f
		if pf.size < 0 {
			continue
		}
		if fi, err := f.Stat(); err != nil || fi.Size() != pf.size {
			closeAll()
			if err == nil {
				err = fmt.Errorf("its size changed from %s to %s since the request was built — send it again",
					FormatSize(pf.size), FormatSize(fi.Size()))
			}
			return nil, &FileError{Part: m.parts[i].Name, Path: m.parts[i].File, Err: err}
		}
	}
	pr, pw := io.Pipe()
	go func() {
		defer closeAll()
		pw.CloseWithError(m.write(pw, files))
	}()
	return pr, nil
}

// write writes the body to w, the files from files.
func (m *multipartBody) write(w io.Writer, files []*os.File) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(m.boundary); err != nil {
		return err
	}
	for i, p := range m.parts {
		pw, err := mw.CreatePart(p.header())
		if err != nil {
			return err
		}
		switch f := files[i]; {
		case f == nil:
			_, err = io.WriteString(pw, p.Value)
		case m.files[i].size < 0:
			_, err = io.Copy(pw, f)
		default:
			// Exactly the size the Length was computed with.
			_, err = io.CopyN(pw, f, m.files[i].size)
			if errors.Is(err, io.EOF) {
				err = &FileError{Part: p.Name, Path: p.File, Err: errors.New("it got shorter while it was being sent")}
			}
		}
		if err != nil {
			return err
		}
	}
	return mw.Close()
}

// same reports whether m and o send the same parts with the same files as
// they were; the boundary does not count.
func (m *multipartBody) same(o *multipartBody) bool {
	return slices.Equal(m.parts, o.parts) && slices.EqualFunc(m.files, o.files, func(a, b partFile) bool {
		return a.path == b.path && a.size == b.size && a.modTime.Equal(b.modTime)
	})
}

// secrets lists the values of the parts whose names look like credentials.
func (m *multipartBody) secrets() []string {
	var out []string
	for _, p := range m.parts {
		if p.File == "" && p.Value != "" && IsSecret(p.Name) {
			out = append(out, p.Value)
		}
	}
	return out
}

// newBoundary is a random boundary, as mime/multipart makes them.
func newBoundary() string {
	return multipart.NewWriter(io.Discard).Boundary()
}

// multipartContentType finds the request's Content-Type among headers and
// says which boundary the body must use: the one the user's multipart
// Content-Type names, else a new one. at is the header's index, -1 when
// there is none; add is true when the header must be given the boundary
// (none set, or a multipart type without a boundary). A user's
// Content-Type that is not multipart is left as it is: that is their call.
func multipartContentType(headers []connection.KV) (at int, boundary string, add bool, err error) {
	at = slices.IndexFunc(headers, func(kv connection.KV) bool { return strings.EqualFold(kv.Key, "Content-Type") })
	if at < 0 {
		return -1, newBoundary(), true, nil
	}
	mt, params, perr := mime.ParseMediaType(headers[at].Value)
	if perr != nil || !strings.HasPrefix(mt, "multipart/") {
		return at, newBoundary(), false, nil
	}
	b, ok := params["boundary"]
	if !ok {
		return at, newBoundary(), true, nil
	}
	if err := multipart.NewWriter(io.Discard).SetBoundary(b); err != nil {
		return at, "", false, fmt.Errorf("the Content-Type's boundary %q cannot be used: it must be 1 to 70 letters, digits and '()+_,-./:=? characters", b)
	}
	return at, b, false, nil
}
