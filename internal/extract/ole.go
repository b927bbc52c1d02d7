package extract

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
	"github.com/sendevagt/sendevagt/internal/message"
)

const encryptedOffice = "password-protected Office document"

// ole handles Compound File Binary files. A password-protected DOCX/XLSX/PPTX is such a file
// holding an EncryptedPackage stream; an Outlook message (.msg) is read like an attached email
// (type "msg"); legacy .doc/.xls/.ppt are not read yet, but their own password protection is
// still recognised.
func (w *walker) ole(j *job) error {
	kind, encrypted := oleInspect(j.data)
	if encrypted {
		return &statusError{Encrypted, encryptedOffice}
	}
	if kind == outlookMessage {
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
	}
	return &statusError{Unsupported, "unsupported file type: " + kind}
}

const outlookMessage = "Outlook message (.msg)"

// oleInspect names the kind of compound file and reports whether it is password protected.
func oleInspect(data []byte) (kind string, encrypted bool) {
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		// The container is damaged; the directory entries may still be readable in place.
		return "damaged OLE compound file", oleRawHasStream(data, "EncryptedPackage")
	}
	streams := map[string]*mscfb.File{}
	msg := false
	for _, f := range r.File {
		if len(f.Path) == 0 {
			if _, dup := streams[f.Name]; !dup {
				streams[f.Name] = f
			}
		}
		if strings.HasPrefix(f.Name, "__substg1.0_") || f.Name == "__properties_version1.0" {
			msg = true
		}
	}
	switch {
	case streams["EncryptedPackage"] != nil:
		return "encrypted Office document", true
	case streams["WordDocument"] != nil:
		// FIB: flags at offset 0x0A, fEncrypted is bit 8.
		h := oleHead(streams["WordDocument"], 12)
		return "Word 97-2003 document (.doc)", len(h) == 12 && binary.LittleEndian.Uint16(h[10:12])&0x0100 != 0
	case streams["Workbook"] != nil || streams["Book"] != nil:
		f := streams["Workbook"]
		if f == nil {
			f = streams["Book"]
		}
		return "Excel 97-2003 workbook (.xls)", xlsFilePass(oleHead(f, 1024))
	case streams["PowerPoint Document"] != nil:
		return "PowerPoint 97-2003 presentation (.ppt)", streams["EncryptedSummary"] != nil
	case msg:
		return outlookMessage, false
	}
	return "OLE compound file", false
}

func oleHead(f *mscfb.File, n int) []byte {
	buf := make([]byte, n)
	m, _ := io.ReadFull(f, buf)
	return buf[:m]
}

// xlsFilePass reports a FILEPASS record (0x002F) right after the workbook globals' BOF record.
func xlsFilePass(b []byte) bool {
	if len(b) < 4 || binary.LittleEndian.Uint16(b) != 0x0809 {
		return false
	}
	off := 4 + int(binary.LittleEndian.Uint16(b[2:]))
	// A few records (e.g. INTERFACEHDR) may come first in some writers: look at the next eight.
	for i := 0; i < 8 && off+4 <= len(b); i++ {
		typ := binary.LittleEndian.Uint16(b[off:])
		if typ == 0x002F {
			return true
		}
		off += 4 + int(binary.LittleEndian.Uint16(b[off+2:]))
	}
	return false
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
