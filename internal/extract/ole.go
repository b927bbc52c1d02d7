package extract

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"unicode/utf16"

	"github.com/sendevagt/sendevagt/internal/message"
)

const encryptedOffice = "password-protected Office document"

// ole handles Compound File Binary files. A password-protected DOCX/XLSX/PPTX is such a file
// holding an EncryptedPackage stream; an Outlook message (.msg) is read like an attached email
// (type "msg"); Word, Excel and PowerPoint 97-2003 files are read (doc.go, xls.go, ppt.go) and
// so is an embedded OLE object (oleobject.go). Anything else is Unsupported with its kind named.
func (w *walker) ole(j *job) error {
	if !bytes.HasPrefix(j.data, magicOLE) {
		// Named like an Office 97-2003 file but not a compound file.
		switch {
		case isOldBIFF(j.data):
			j.typ = "xls"
			return &statusError{Unsupported, "Excel 2.x-4.0 worksheet (.xls) not read"}
		case bytes.HasPrefix(j.data, []byte("\xFFWPC")):
			return &statusError{Unsupported, "unsupported file type: WordPerfect document"}
		case bytes.HasPrefix(j.data, []byte{0x31, 0xBE, 0, 0}), bytes.HasPrefix(j.data, []byte{0x32, 0xBE, 0, 0}):
			return &statusError{Unsupported, "unsupported file type: Word for DOS or Windows Write document"}
		case bytes.HasPrefix(j.data, []byte{0xDB, 0xA5}), bytes.HasPrefix(j.data, []byte{0x9B, 0xA5}):
			j.typ = "doc"
			return &statusError{Unsupported, "Word for Windows 1.x/2.0 document (.doc) not read"}
		case isText(j.data):
			// Web systems export tables as text (or HTML, sniffed before) named .xls.
			j.typ = "text"
			return w.plain(j)
		}
		return &statusError{Unsupported, "unsupported file type"}
	}
	c, err := openCFB(j.data)
	if err != nil {
		// The container is damaged; the directory entries may still be readable in place.
		if oleRawHasStream(j.data, "EncryptedPackage") {
			return &statusError{Encrypted, encryptedOffice}
		}
		return &statusError{Unscannable, "corrupt OLE compound file"}
	}
	dir := j.oleDir
	switch oleKindOf(c, dir) {
	case oleEncrypted:
		return &statusError{Encrypted, encryptedOffice}
	case oleMessage:
		j.typ = "msg"
		if j.depth >= w.lim.MaxDepth {
			return &statusError{TooLarge, w.depthDetail()}
		}
		msg, err := message.ParseMSG(j.data)
		if msg == nil {
			if errors.Is(err, message.ErrTooLarge) {
				return &statusError{TooLarge, "email larger than the message parser's size limit"}
			}
			return &statusError{Unscannable, "corrupt Outlook message"}
		}
		return w.email(j, msg, err)
	case oleWord:
		j.typ = "doc"
		return w.doc(j, c, dir)
	case oleExcel:
		j.typ = "xls"
		return w.xls(j, c, dir)
	case olePowerPoint:
		j.typ = "ppt"
		if c.has(dir, "EncryptedSummary") {
			return &statusError{Encrypted, "password-protected PowerPoint presentation"}
		}
		return w.ppt(j, c, dir)
	case oleEmbedded:
		return w.oleObject(j, c, dir)
	case oleEmpty:
		return nil // read, and there is nothing in it
	}
	return &statusError{Unsupported, "unsupported file type: " + oleObjectKind(c, dir)}
}

// Kinds of compound file, from the streams of the root storage.
const (
	oleOther = iota
	oleEncrypted
	oleMessage
	oleWord
	oleExcel
	olePowerPoint
	oleEmbedded
	oleEmpty // no stream at all
)

func oleKindOf(c *cfb, dir string) int {
	for name := range c.streams[dir] {
		if dir == "" && (strings.HasPrefix(name, "__substg1.0_") || name == "__properties_version1.0") {
			if !c.has(dir, "EncryptedPackage") {
				return oleMessage
			}
		}
	}
	switch {
	case c.has(dir, "EncryptedPackage"):
		return oleEncrypted
	case c.has(dir, "WordDocument"):
		return oleWord
	case c.has(dir, "Workbook"), c.has(dir, "Book"):
		return oleExcel
	case c.has(dir, pptDocumentName), c.has(dir, pptPowerPoint4), c.has(dir, pptDualStorage+"/"+pptDocumentName):
		return olePowerPoint
	case isOLEObject(c, dir):
		return oleEmbedded
	case c.empty():
		return oleEmpty
	}
	return oleOther
}

// oleRawHasStream looks for a directory entry called name without following the FAT: directory
// entries are 128 bytes, aligned to 128 bytes after the 512-byte header, and start with the name
// in UTF-16LE followed at offset 64 by its length in bytes (with the terminating NUL).
func oleRawHasStream(data []byte, name string) bool {
	u := utf16.Encode([]rune(name))
	want := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		want = binary.LittleEndian.AppendUint16(want, c)
	}
	want = append(want, 0, 0)
	for off := 512; off+128 <= len(data); off += 128 {
		e := data[off : off+128]
		if bytes.HasPrefix(e, want) && int(binary.LittleEndian.Uint16(e[64:66])) == len(want) && e[66] == 2 {
			return true
		}
	}
	return false
}

// isOldBIFF recognises an Excel 2.x-4.0 worksheet: a bare BIFF2/3/4 stream (no compound file)
// starting with its BOF record.
func isOldBIFF(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	switch binary.LittleEndian.Uint16(b) {
	case 0x0009, 0x0209, 0x0409:
		n := binary.LittleEndian.Uint16(b[2:])
		return n >= 4 && n <= 16
	}
	return false
}
