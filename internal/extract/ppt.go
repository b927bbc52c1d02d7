package extract

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// PowerPoint 97-2003 presentations ([MS-PPT]). The "PowerPoint Document" stream is a tree of
// records (an 8-byte header: version and instance, type, length; version 0xF marks a
// container). Text is in TextCharsAtom (UTF-16), TextBytesAtom (8-bit) and CString (UTF-16:
// headers and footers, names) records. Slide text sits in two places: the placeholders' text
// in the document's SlideListWithText, where a SlidePersistAtom starts each slide in show
// order, and the other text boxes in each slide's own container, a top-level record that the
// persist directory maps to the slide's persist id. One page per slide; the text of masters,
// notes and handouts goes on the last page. Every text record is read, including ones an
// incremental save left behind, which errs on the safe side. Embedded OLE objects
// (ExOleObjStg records) become nested documents.

const (
	pptDocument     = 0x03E8
	pptSlide        = 0x03EE
	pptSlidePersist = 0x03F3
	pptSLWT         = 0x0FF0
	pptTextChars    = 0x0FA0
	pptTextBytes    = 0x0FA8
	pptCString      = 0x0FBA
	pptPersistDir   = 0x1772
	pptExOleObjStg  = 0x1011
	pptMaxDepth     = 32 // container nesting followed
	pptMaxSlides    = 1 << 16
	pptDualStorage  = "PP97_DUALSTORAGE" // PowerPoint 95/97 dual-format files keep the 97 version here
	pptDocumentName = "PowerPoint Document"
	pptPowerPoint4  = "PP40" // the only stream of a PowerPoint 4.0 file
)

// pptBreaks turns PowerPoint's paragraph (CR) and line (VT) breaks into newlines.
var pptBreaks = strings.NewReplacer("\r", "\n", "\v", "\n")

func (w *walker) ppt(j *job, c *cfb, dir string) error {
	dual := pptDualStorage
	if dir != "" {
		dual = dir + "/" + dual
	}
	switch {
	case c.has(dual, pptDocumentName):
		dir = dual
	case !c.has(dir, pptDocumentName):
		return &statusError{Unsupported, "PowerPoint 4.0 presentation (.ppt) not read"}
	}
	b, err := c.read(dir, pptDocumentName, w.lim.MaxDocumentBytes)
	if err != nil {
		if se, ok := err.(*statusError); ok {
			return se
		}
		return &statusError{Unscannable, "corrupt PowerPoint presentation: unreadable stream"}
	}
	p := &pptText{w: w, left: w.lim.MaxTextBytes + 1, slideOf: map[uint32]int{}}
	p.readPersistDirs(b)
	p.readSlideList(b)
	p.walkTop(b)
	if p.err != nil {
		return p.err
	}
	if p.records == 0 {
		return &statusError{Unscannable, "corrupt PowerPoint presentation: no records"}
	}
	for _, s := range p.slides {
		j.s.startPage()
		j.s.write(s.String())
	}
	if p.extra.Len() > 0 {
		j.s.resumeLastPage()
		j.s.newline()
		j.s.write(p.extra.String())
	}
	w.pptObjects(j, p.objects)
	if pics := c.stream(dir, "Pictures"); pics != nil && pics.Size > 0 && p.slideLetters() < minLegacyText {
		return &statusError{Unscannable, detailLegacyPictures}
	}
	return nil
}

// slideLetters counts the letters and digits on the slides (masters and notes not counted).
func (p *pptText) slideLetters() int {
	n := 0
	for _, s := range p.slides {
		for _, r := range s.String() {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				n++
			}
		}
	}
	return n
}

// pptObjects extracts the embedded OLE objects (ExOleObjStg: a compound file, zlib-compressed
// when the record's instance is 1) as nested documents "Dias.ppt/ExOleObjStg 1".
func (w *walker) pptObjects(j *job, objs []pptObject) {
	for i, o := range objs {
		if !w.moreObjects(j, i) {
			return
		}
		base := fmt.Sprintf("ExOleObjStg %d", i+1)
		name := j.name + "/" + base
		data := o.data
		if o.compressed {
			var err error
			if data, err = w.inflateObject(o.data); err != nil {
				st, detail := Unscannable, "corrupt embedded object: compressed data unreadable"
				if se, ok := err.(*statusError); ok {
					st, detail = se.status, se.detail
				}
				w.docs = append(w.docs, Document{Name: name, Type: "ole", Status: st, Detail: detail, Depth: j.depth + 1})
				continue
			}
		}
		w.nested(j, name, base, "", data)
	}
}

// inflateObject decompresses an ExOleObjStg: the decompressed size (uint32), then zlib data,
// within MaxDocumentBytes and the ratio limit (never trusting the stated size).
func (w *walker) inflateObject(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, io.ErrUnexpectedEOF
	}
	zr, err := zlib.NewReader(bytes.NewReader(b[4:]))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	limit := min(w.lim.MaxDocumentBytes, max(int64(len(b))*w.lim.MaxRatio, ratioFloor))
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	switch {
	case int64(len(out)) > limit && limit == w.lim.MaxDocumentBytes:
		return nil, &statusError{TooLarge, w.docDetail()}
	case int64(len(out)) > limit:
		return nil, &statusError{TooLarge, w.ratioDetail()}
	case err != nil && int64(len(out)) < int64(binary.LittleEndian.Uint32(b)):
		return nil, err
	}
	// Some writers end the zlib stream without its checksum: all the stated bytes arrived.
	return out, nil
}

// pptObject is the data of one ExOleObjStg record.
type pptObject struct {
	data       []byte
	compressed bool
}

type pptText struct {
	w       *walker
	records int
	err     error
	left    int // bytes of text still worth collecting

	persist map[uint32]uint32 // stream offset of a top-level record → its persist id
	slideOf map[uint32]int    // persist id of a slide → its page
	slides  []*strings.Builder
	extra   strings.Builder // masters, notes, handouts, document-level strings
	fixed   bool            // the slide list gave the slides (else slides come in stream order)
	objects []pptObject     // embedded OLE objects
}

// records calls fn for each record in b with its offset, cutting a record whose length runs
// past b to what is there.
func pptRecords(b []byte, fn func(off int, verInst, typ uint16, body []byte) bool) {
	le := binary.LittleEndian
	for off := 0; off+8 <= len(b); {
		verInst, typ, n := le.Uint16(b[off:]), le.Uint16(b[off+2:]), le.Uint32(b[off+4:])
		body := b[off+8:]
		if uint64(n) < uint64(len(body)) {
			body = body[:n]
		}
		if !fn(off, verInst, typ, body) {
			return
		}
		off += 8 + len(body)
	}
}

// readPersistDirs maps stream offsets to persist ids from every PersistDirectoryAtom (a later
// save's entries override an earlier one's).
func (p *pptText) readPersistDirs(b []byte) {
	p.persist = map[uint32]uint32{}
	le := binary.LittleEndian
	pptRecords(b, func(_ int, _, typ uint16, body []byte) bool {
		if typ != pptPersistDir {
			return true
		}
		for len(body) >= 4 {
			h := le.Uint32(body)
			id, n := h&0xFFFFF, int(h>>20)
			body = body[4:]
			for k := 0; k < n && len(body) >= 4 && len(p.persist) < pptMaxSlides*4; k++ {
				p.persist[le.Uint32(body)] = id + uint32(k)
				body = body[4:]
			}
		}
		return true
	})
}

// readSlideList reads the slides' placeholder text from the SlideListWithText (instance 0) of
// the last document container, a page per SlidePersistAtom, and the masters' and notes'
// lists into extra.
func (p *pptText) readSlideList(b []byte) {
	var doc []byte
	pptRecords(b, func(_ int, _, typ uint16, body []byte) bool {
		if typ == pptDocument {
			doc = body
		}
		return true
	})
	pptRecords(doc, func(_ int, verInst, typ uint16, body []byte) bool {
		if typ != pptSLWT {
			p.walk(body, verInst, typ, &p.extra, 1)
			return true
		}
		slides := verInst>>4 == 0
		cur := &p.extra
		pptRecords(body, func(_ int, vi, t uint16, rec []byte) bool {
			if t == pptSlidePersist && slides && len(rec) >= 4 && len(p.slides) < pptMaxSlides {
				id := binary.LittleEndian.Uint32(rec)
				cur = &strings.Builder{}
				p.slides = append(p.slides, cur)
				p.slideOf[id] = len(p.slides) - 1
				p.fixed = true
				return true
			}
			p.walk(rec, vi, t, cur, 2)
			return true
		})
		return true
	})
}

// walkTop reads the text of the top-level records other than the document container: a slide's
// text goes on its page, the rest into extra.
func (p *pptText) walkTop(b []byte) {
	pptRecords(b, func(off int, verInst, typ uint16, body []byte) bool {
		p.records++
		switch typ {
		case pptDocument:
			return true // read by readSlideList
		case pptExOleObjStg:
			if len(p.objects) < pptMaxSlides {
				p.objects = append(p.objects, pptObject{data: body, compressed: verInst>>4 == 1})
			}
			return true
		}
		to := &p.extra
		if typ == pptSlide {
			id, ok := p.persist[uint32(off)]
			page, known := p.slideOf[id]
			switch {
			case ok && known:
				to = p.slides[page]
			case !p.fixed && len(p.slides) < pptMaxSlides:
				to = &strings.Builder{}
				p.slides = append(p.slides, to)
			}
		}
		p.walk(body, verInst, typ, to, 1)
		return p.err == nil
	})
}

// walk writes the text records in (and including) one record to out.
func (p *pptText) walk(body []byte, verInst, typ uint16, out *strings.Builder, depth int) {
	if p.err != nil || p.left <= 0 {
		return
	}
	p.records++
	if p.records&4095 == 0 {
		if err := p.w.ctx.Err(); err != nil {
			p.err = err
			return
		}
	}
	var s string
	switch {
	case verInst&0x0F == 0x0F:
		if depth < pptMaxDepth {
			pptRecords(body, func(_ int, vi, t uint16, rec []byte) bool {
				p.walk(rec, vi, t, out, depth+1)
				return p.err == nil && p.left > 0
			})
		}
		return
	case typ == pptTextChars, typ == pptCString:
		s = decodeUTF16LE(body)
	case typ == pptTextBytes:
		s = decodeLatin1(body)
	default:
		return
	}
	s = pptBreaks.Replace(s)
	if strings.TrimSpace(s) == "" {
		return
	}
	p.left -= len(s) + 1
	out.WriteString(s)
	out.WriteByte('\n')
}
