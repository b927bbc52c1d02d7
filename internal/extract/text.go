package extract

import (
	"bytes"
	"mime"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// decodeText turns the bytes of a text file into UTF-8: a BOM decides (UTF-8, UTF-16LE/BE), then
// valid UTF-8 is taken as it is, then a charset parameter of the content type, else windows-1252
// (what Danish Windows programs write when it is not UTF-8).
func decodeText(data []byte, contentType string) string {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return string(data[3:])
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), data)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), data)
	case utf8.Valid(data):
		return string(data)
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if cs := params["charset"]; cs != "" {
			if e, _ := charset.Lookup(cs); e != nil {
				return decodeWith(e, data)
			}
		}
	}
	return decodeWith(charmap.Windows1252, data)
}

func decodeWith(e encoding.Encoding, data []byte) string {
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		// Decoders replace bad input rather than fail; keep what we have if one does not.
		return string(bytes.ToValidUTF8(data, []byte("\uFFFD")))
	}
	return string(out)
}

// plain reads text and CSV files (one page).
func (w *walker) plain(j *job) error {
	// UTF-8 (the common case) goes onto the page as it is, without a string of it first: a
	// long text was copied once more for nothing.
	data := bytes.TrimPrefix(j.data, []byte("\xEF\xBB\xBF"))
	// Text in its normal form (the common case) is valid UTF-8: one pass tells both, and a page
	// that is just this text skips normalisation when the document is finished.
	normal := isNormal(unsafe.String(unsafe.SliceData(data), len(data)))
	if normal || utf8.Valid(data) {
		j.s.writeText(data, j.depth == 0 && w.x.stableInput, normal)
		return nil
	}
	j.s.write(decodeText(j.data, j.ctype))
	return nil
}
