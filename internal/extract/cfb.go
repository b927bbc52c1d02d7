package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/richardlehane/mscfb"
)

// cfb is an opened Compound File (OLE2) with its directory indexed by storage path. mscfb parses
// the container (header, FAT chains with cycle checks, directory tree); streams are read here
// within the file's own size, so a chain that loops or a size field that lies cannot make a read
// larger than the file.
type cfb struct {
	size    int64
	streams map[string]map[string]*mscfb.File // storage path ("" root, "ObjectPool/_123") → name → stream
	dirs    map[string][]string               // storage path → child storage names, in directory order
}

// maxCFBEntries bounds the directory entries indexed (mscfb reads at most one per 128 bytes of
// file, so this only matters for very large files).
const maxCFBEntries = 100_000

func openCFB(data []byte) (*cfb, error) {
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("compound file: %w", err)
	}
	c := &cfb{size: int64(len(data)), streams: map[string]map[string]*mscfb.File{}, dirs: map[string][]string{}}
	for i, f := range r.File {
		if i >= maxCFBEntries {
			break
		}
		dir := joinCFBPath(f.Path)
		if f.FileInfo().IsDir() {
			if len(f.Path) == 0 && f.Name == "Root Entry" {
				continue
			}
			c.dirs[dir] = append(c.dirs[dir], f.Name)
			continue
		}
		m := c.streams[dir]
		if m == nil {
			m = map[string]*mscfb.File{}
			c.streams[dir] = m
		}
		if _, dup := m[f.Name]; !dup {
			m[f.Name] = f
		}
	}
	return c, nil
}

func joinCFBPath(p []string) string {
	var b bytes.Buffer
	for i, s := range p {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(s)
	}
	return b.String()
}

// stream returns the stream called name in storage dir, nil when there is none. Names compare
// without regard to case, as in the compound file's own directory ("WORKBOOK" is "Workbook").
func (c *cfb) stream(dir, name string) *mscfb.File {
	m := c.streams[dir]
	if f := m[name]; f != nil {
		return f
	}
	for n, f := range m {
		if strings.EqualFold(n, name) {
			return f
		}
	}
	return nil
}

// has reports whether storage dir holds a stream called name.
func (c *cfb) has(dir, name string) bool { return c.stream(dir, name) != nil }

// errCFBStream is a stream whose declared size cannot be right (larger than the whole file).
var errCFBStream = errors.New("stream larger than its compound file")

// read reads a whole stream of dir, at most max bytes (more is a TooLarge statusError).
func (c *cfb) read(dir, name string, max int64) ([]byte, error) {
	f := c.stream(dir, name)
	if f == nil {
		return nil, errMissing(name)
	}
	return c.readFile(f, max)
}

func (c *cfb) readFile(f *mscfb.File, max int64) ([]byte, error) {
	n := f.Size
	switch {
	case n <= 0:
		return nil, nil
	case n > c.size:
		return nil, errCFBStream
	case n > max:
		return nil, &statusError{TooLarge, fmt.Sprintf("stream larger than %s", sizeString(max))}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("compound file stream: %w", err)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("compound file stream: %w", err)
	}
	return buf, nil
}

// head reads at most n bytes from the start of a stream (nil on any problem).
func (c *cfb) head(dir, name string, n int) []byte {
	f := c.stream(dir, name)
	if f == nil || f.Size <= 0 || f.Size > c.size {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil
	}
	buf := make([]byte, min(int64(n), f.Size))
	m, _ := io.ReadFull(f, buf)
	return buf[:m]
}

// empty reports a compound file without a single stream (in any storage).
func (c *cfb) empty() bool {
	for _, m := range c.streams {
		if len(m) > 0 {
			return false
		}
	}
	return true
}
