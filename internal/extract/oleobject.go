package extract

import (
	"encoding/binary"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/encoding/charmap"
)

// An embedded OLE object (word/embeddings/oleObject1.bin in a DOCX, a storage in a .doc's
// ObjectPool) is a compound file, or a storage of one, that carries another file in one of
// these streams ([MS-OLEDS]; the packager's \x01Ole10Native layout is not specified by
// Microsoft and is read the way Apache POI reads it). mscfb drops the leading control
// character of a stream name (\x01Ole10Native is listed as "Ole10Native").
const (
	streamOle10Native = "Ole10Native" // Packager: a file of any kind with its name
	streamContents    = "CONTENTS"    // Acrobat (AcroExch.Document): the PDF itself
	streamPackage     = "Package"     // an OOXML file embedded as an object (Word.Document.12, ...)
	streamODF         = "EmbeddedOdf" // an OpenDocument file embedded by LibreOffice
	streamCompObj     = "CompObj"     // \x01CompObj: the object's class (user type, ProgID)
	streamOle         = "Ole"         // \x01Ole: present in every embedded or linked object
)

// oleObjectStreams are the payload streams, in the order they are looked for.
var oleObjectStreams = []string{streamOle10Native, streamContents, streamPackage, streamODF}

// isOLEObject reports whether storage dir holds an object's payload stream.
func isOLEObject(c *cfb, dir string) bool {
	for _, s := range oleObjectStreams {
		if c.has(dir, s) {
			return true
		}
	}
	return false
}

// oleObject reads the embedded object in storage dir of c: the file it carries becomes a nested
// document ("Brev.docx/word/embeddings/oleObject1.bin/bilag.pdf"), read like any other. The
// object's own page names the packaged file, as an archive's page lists its entries (a file
// name can carry a CPR number). The native data of other object servers (a Photo Editor
// picture, an MS Draw drawing) is passed on only when it is a format we know by its bytes;
// otherwise the object itself is Unsupported, with its class named.
func (w *walker) oleObject(j *job, c *cfb, dir string) error {
	j.typ = "ole"
	if j.depth >= w.lim.MaxDepth {
		return &statusError{TooLarge, w.depthDetail()}
	}
	for _, s := range oleObjectStreams {
		if !c.has(dir, s) {
			continue
		}
		raw, err := c.read(dir, s, w.lim.MaxDocumentBytes)
		if err != nil {
			return oleStreamError(err)
		}
		name, data := s, raw
		if s == streamOle10Native {
			p := parseOle10Native(raw)
			if p.parsed || isPackager(c, dir) {
				name, data = p.name(), p.data
				j.s.write(name)
				j.s.writeByte('\n')
				w.nested(j, j.name+"/"+name, name, "", data)
				return nil
			}
			data = p.data
		}
		if magicType(data) == "" {
			break
		}
		w.nested(j, j.name+"/"+name, name, "", data)
		return nil
	}
	return &statusError{Unsupported, "unsupported file type: " + oleObjectKind(c, dir)}
}

// isPackager reports an object of the Packager class (or of no stated class), whose
// \x01Ole10Native stream holds a file.
func isPackager(c *cfb, dir string) bool {
	id := compObjProgID(c.head(dir, streamCompObj, 1024))
	first, _, _ := strings.Cut(id, ".")
	return id == "" || first == "Package"
}

// oleStreamError turns a stream read failure into a status.
func oleStreamError(err error) error {
	if se, ok := err.(*statusError); ok {
		return se
	}
	return &statusError{Unscannable, "corrupt OLE compound file: unreadable stream"}
}

// ole10Native is a packaged file: the label shown in the document, the original file name
// (a full path) and the file's bytes.
type ole10Native struct {
	label, file string
	data        []byte
	parsed      bool // the packager's header was read (else data is all there is)
}

// maxOle10Name bounds the label, path and command strings of a package header.
const maxOle10Name = 4096

// parseOle10Native reads the packager's stream: total size (uint32), then either the parsed
// layout (uint16 2, label and file path as NUL-terminated ANSI strings, uint16 0, uint16 3, a
// length-prefixed temporary path, the data's size and the data) or, when that does not fit,
// the data right after the size (the "compact" and unparsed forms). It never fails: what does
// not parse is taken as data, which the walker then sniffs.
func parseOle10Native(b []byte) ole10Native {
	if len(b) < 4 {
		return ole10Native{}
	}
	body := b[4:]
	if total := binary.LittleEndian.Uint32(b); uint64(total) <= uint64(len(body)) {
		body = body[:total]
	}
	if p, ok := parseOle10Parsed(body); ok {
		return p
	}
	if len(body) >= 3 && binary.LittleEndian.Uint16(body) == 2 && body[2] < 0x20 {
		return ole10Native{data: body[2:]} // compact: the flags, then the data
	}
	return ole10Native{data: body}
}

func parseOle10Parsed(b []byte) (ole10Native, bool) {
	if len(b) < 3 || binary.LittleEndian.Uint16(b) != 2 || b[2] < 0x20 {
		return ole10Native{}, false
	}
	p := b[2:]
	label, p, ok1 := cString(p)
	file, p, ok2 := cString(p)
	if !ok1 || !ok2 || len(p) < 8 {
		return ole10Native{}, false
	}
	p = p[4:] // flags2, unknown1
	n := binary.LittleEndian.Uint32(p)
	p = p[4:]
	if n > maxOle10Name || int(n) > len(p) {
		return ole10Native{}, false
	}
	p = p[n:] // the temporary path the packager used
	if len(p) < 4 {
		return ole10Native{}, false
	}
	size := binary.LittleEndian.Uint32(p)
	p = p[4:]
	if uint64(size) > uint64(len(p)) {
		return ole10Native{}, false
	}
	return ole10Native{label: decodeANSI(label), file: decodeANSI(file), data: p[:size], parsed: true}, true
}

// cString splits a NUL-terminated string (of at most maxOle10Name bytes) off b.
func cString(b []byte) (s, rest []byte, ok bool) {
	for i := 0; i < len(b) && i <= maxOle10Name; i++ {
		if b[i] == 0 {
			return b[:i], b[i+1:], true
		}
	}
	return nil, nil, false
}

// decodeANSI decodes a string the packager wrote in the system's ANSI code page (windows-1252 on
// Danish Windows).
func decodeANSI(b []byte) string {
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return ""
	}
	return string(s)
}

// name is the packaged file's base name (else the label's), safe as one path element.
func (p ole10Native) name() string {
	for _, s := range []string{p.file, p.label} {
		s = strings.ReplaceAll(s, "\\", "/")
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, path.Base(s))
		s = strings.TrimSpace(s)
		if s != "" && s != "." && s != "/" && s != ".." {
			if r := []rune(s); len(r) > 255 {
				s = string(r[:255])
			}
			return s
		}
	}
	return "pakke"
}

// knownProgIDs name the common object classes that carry no file we read.
var knownProgIDs = map[string]string{
	"Equation":       "Equation Editor equation",
	"Visio":          "Visio drawing",
	"Paint":          "Paint picture",
	"PBrush":         "Paint picture",
	"MSGraph":        "Microsoft Graph chart",
	"MSPhotoEd":      "Photo Editor picture",
	"Word":           "Word document",
	"Excel":          "Excel workbook",
	"PowerPoint":     "PowerPoint presentation",
	"AcroExch":       "Acrobat document",
	"Package":        "packaged file",
	"SoundRec":       "sound recording",
	"WordPad":        "WordPad document",
	"MediaPlayer":    "media clip",
	"ShockwaveFlash": "Flash movie",
}

// progIDSafe is what a ProgID looks like; anything else (or a run of digits that could be a CPR
// number) is not repeated in a Detail.
var (
	progIDSafe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,30}(\.[A-Za-z0-9_]{1,30}){0,3}$`)
	digitRun   = regexp.MustCompile(`\d{5}`)
)

// oleObjectKind names the object class of storage dir for a Detail: "embedded OLE object
// (Equation Editor equation, Equation.3)", or "OLE compound file" when it is no object.
func oleObjectKind(c *cfb, dir string) string {
	if !c.has(dir, streamCompObj) && !c.has(dir, streamOle) {
		return "OLE compound file"
	}
	id := compObjProgID(c.head(dir, streamCompObj, 1024))
	if id == "" || !progIDSafe.MatchString(id) || digitRun.MatchString(id) {
		return "embedded OLE object"
	}
	first, _, _ := strings.Cut(id, ".")
	if n, ok := knownProgIDs[first]; ok {
		return "embedded OLE object (" + n + ", " + id + ")"
	}
	return "embedded OLE object (" + id + ")"
}

// compObjProgID reads the ProgID of a \x01CompObj stream ([MS-OLEDS] 2.3.8): a 28-byte header,
// the user type (length-prefixed ANSI), the clipboard format (a marker and an id, or a
// length-prefixed name), then the ProgID (length-prefixed ANSI). "" when absent or malformed.
func compObjProgID(b []byte) string {
	if len(b) < 28 {
		return ""
	}
	p := b[28:]
	skip := func() bool {
		if len(p) < 4 {
			return false
		}
		n := binary.LittleEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-4) {
			return false
		}
		p = p[4+n:]
		return true
	}
	if !skip() { // user type
		return ""
	}
	if len(p) < 4 {
		return ""
	}
	if m := binary.LittleEndian.Uint32(p); m == 0xFFFFFFFF || m == 0xFFFFFFFE {
		if len(p) < 8 {
			return ""
		}
		p = p[8:]
	} else if !skip() {
		return ""
	}
	if len(p) < 4 {
		return ""
	}
	n := binary.LittleEndian.Uint32(p)
	if n == 0 || uint64(n) > uint64(len(p)-4) || n > 64 {
		return ""
	}
	s, _, _ := strings.Cut(string(p[4:4+n]), "\x00")
	return s
}

// storageObjects extracts the objects embedded in a legacy Office file: each storage of c under
// parent whose name passes keep (a Word document's ObjectPool/_1234, an Excel workbook's
// MBD0001234) becomes a nested document, read in place from the same bytes.
func (w *walker) storageObjects(j *job, c *cfb, parent string, keep func(string) bool) {
	for i, name := range c.dirs[parent] {
		if !keep(name) {
			continue
		}
		if !w.moreObjects(j, i) {
			return
		}
		sub := name
		if parent != "" {
			sub = parent + "/" + name
		}
		w.extractJob(&job{name: j.name + "/" + sub, data: j.data, depth: j.depth + 1, oleDir: sub})
	}
}

// moreObjects tells whether the i-th embedded object of j may still be read; when time, the
// nesting depth or MaxEntries stops the reading, it notes why in j (the document is then read
// only in part) and returns false.
func (w *walker) moreObjects(j *job, i int) bool {
	switch {
	case w.ctx.Err() != nil:
		return false
	case j.depth >= w.lim.MaxDepth:
		j.notes = append(j.notes, "embedded objects not read: "+w.depthDetail())
		return false
	case i >= w.lim.MaxEntries:
		j.notes = append(j.notes, fmt.Sprintf("only the first %d embedded objects read (MaxEntries)", w.lim.MaxEntries))
		return false
	}
	return true
}
