package extract

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

const ratioFloor = 1 << 20 // entries up to 1 MiB are never rejected for their ratio

// errMissing is returned when a required part of a package is absent.
type errMissing string

func (e errMissing) Error() string { return "missing " + string(e) }

// errSummary describes a parser error in a few words that never contain document content.
func errSummary(err error) string {
	var syn *xml.SyntaxError
	var miss errMissing
	var corrupt flate.CorruptInputError
	var pe *partError
	switch {
	case errors.As(err, &pe):
		return errSummary(pe.err) + " in " + partLabel(pe.part)
	case errors.As(err, &miss):
		return miss.Error()
	case errors.Is(err, zip.ErrFormat):
		return "not a valid ZIP archive or entry"
	case errors.Is(err, zip.ErrChecksum):
		return "checksum error"
	case errors.Is(err, zip.ErrAlgorithm):
		return "unsupported compression method"
	case errors.As(err, &corrupt):
		return "corrupt compressed data"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "truncated data"
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed XML (line %d)", syn.Line)
	}
	return "unreadable"
}

func formatName(typ string) string {
	switch typ {
	case "eml":
		return "email"
	case "text":
		return "text file"
	case "ole":
		return "OLE compound file"
	}
	return strings.ToUpper(typ)
}

// capReader reads a zip entry within the document, total and ratio limits, failing with a
// TooLarge statusError once one is exceeded and with ctx's error once it is done. It never relies
// on the sizes the archive declares.
type capReader struct {
	r        io.Reader
	w        *walker
	docLeft  *int64 // bytes left for the document this entry belongs to (shared by its parts)
	ratioCap int64  // bytes left before the entry exceeds the ratio cap
	err      error
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if err := c.w.ctx.Err(); err != nil {
		c.err = err
		return 0, err
	}
	// Never ask for more than one byte past the tightest limit.
	lim := min(*c.docLeft, c.w.budget, c.ratioCap)
	if lim < 0 {
		lim = 0
	}
	if int64(len(p)) > lim+1 {
		p = p[:lim+1]
	}
	n, err := c.r.Read(p)
	*c.docLeft -= int64(n)
	c.w.budget -= int64(n)
	c.ratioCap -= int64(n)
	switch {
	case c.ratioCap < 0:
		c.err = &statusError{TooLarge, c.w.ratioDetail()}
	case *c.docLeft < 0:
		c.err = &statusError{TooLarge, c.w.docDetail()}
	case c.w.budget < 0:
		c.err = &statusError{TooLarge, c.w.totalDetail()}
	}
	if c.err != nil {
		return n, c.err
	}
	return n, err
}

// entryEncrypted reports a traditional-PKWARE or WinZip-AES encrypted entry.
func entryEncrypted(f *zip.File) bool { return f.Flags&1 != 0 || f.Method == 99 }

// ratioCap is the most an entry may decompress to.
func (w *walker) ratioCap(f *zip.File) int64 {
	c := int64(math.MaxInt64)
	if f.CompressedSize64 < uint64(math.MaxInt64/w.lim.MaxRatio) {
		c = int64(f.CompressedSize64) * w.lim.MaxRatio
	}
	return max(c, ratioFloor)
}

// openEntry opens a zip entry for reading within the limits. docLeft is the document's remaining
// allowance. Sizes declared in the archive reject early; the reader enforces them regardless.
func (w *walker) openEntry(f *zip.File, docLeft *int64) (io.ReadCloser, error) {
	if entryEncrypted(f) {
		return nil, &statusError{Encrypted, "password-protected ZIP entry"}
	}
	rc := w.ratioCap(f)
	declared := f.UncompressedSize64
	switch {
	case declared > uint64(rc):
		return nil, &statusError{TooLarge, w.ratioDetail()}
	case declared > uint64(max(*docLeft, 0)):
		return nil, &statusError{TooLarge, w.docDetail()}
	case declared > uint64(max(w.budget, 0)):
		return nil, &statusError{TooLarge, w.totalDetail()}
	}
	r, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, &statusError{Unsupported, fmt.Sprintf("unsupported ZIP compression method %d", f.Method)}
		}
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{&capReader{r: r, w: w, docLeft: docLeft, ratioCap: rc}, r}, nil
}

// readEntry reads a whole zip entry within the limits.
func (w *walker) readEntry(f *zip.File, docLeft *int64) ([]byte, error) {
	rc, err := w.openEntry(f, docLeft)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	// The declared size passed the checks above, so it is a bounded hint.
	if f.UncompressedSize64 < 64<<20 {
		buf.Grow(int(f.UncompressedSize64) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(rc)
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pkg is an opened zip-based document (OOXML, ODF) with case-insensitive part lookup.
type pkg struct {
	w       *walker
	zr      *zip.Reader
	parts   map[string]*zip.File
	docLeft int64
}

func (w *walker) openPkg(j *job) (*pkg, error) {
	zr := j.zr
	if zr == nil {
		var err error
		zr, err = openZip(j.data)
		if err != nil {
			return nil, err
		}
	}
	if len(zr.File) > w.lim.MaxEntries {
		return nil, &statusError{TooLarge, fmt.Sprintf("archive has more than %d entries (MaxEntries)", w.lim.MaxEntries)}
	}
	p := &pkg{w: w, zr: zr, parts: make(map[string]*zip.File, len(zr.File)), docLeft: w.lim.MaxDocumentBytes}
	for _, f := range zr.File {
		k := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if _, dup := p.parts[k]; !dup {
			p.parts[k] = f
		}
	}
	return p, nil
}

func (p *pkg) has(name string) bool {
	_, ok := p.parts[strings.ToLower(name)]
	return ok
}

// open opens a part; a missing part is errMissing.
func (p *pkg) open(name string) (io.ReadCloser, error) {
	f, ok := p.parts[strings.ToLower(name)]
	if !ok {
		return nil, errMissing(name)
	}
	return p.w.openEntry(f, &p.docLeft)
}

// read reads a whole (small) part.
func (p *pkg) read(name string) ([]byte, error) {
	f, ok := p.parts[strings.ToLower(name)]
	if !ok {
		return nil, errMissing(name)
	}
	return p.w.readEntry(f, &p.docLeft)
}

// openZip opens an archive in memory. Entry names that would be unsafe as paths (zip-slip) do
// not matter here, since nothing is written to disk: with GODEBUG=zipinsecurepath=0 the reader
// is still used.
func openZip(data []byte) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && errors.Is(err, zip.ErrInsecurePath) && zr != nil {
		return zr, nil
	}
	return zr, err
}
