package extract

import (
	"encoding/binary"
	"strings"
)

// PowerPoint 97-2003 presentations ([MS-PPT]). The "PowerPoint Document" stream is a tree of
// records (an 8-byte header: version and instance, type, length; version 0xF marks a
// container). The text of slides, notes and masters is in TextCharsAtom (UTF-16) and
// TextBytesAtom (8-bit) records, in the document's SlideListWithText and in the text boxes of
// the slides' drawings. All of them are read in stream order onto one page: following the
// persist directory to separate slides (and to leave out text an incremental save replaced)
// is not done, so old text may be read too, which errs on the safe side.

const (
	pptTextChars = 0x0FA0
	pptTextBytes = 0x0FA8
	pptMaxDepth  = 32 // container nesting followed
)

// pptBreaks turns PowerPoint's paragraph (CR) and line (VT) breaks into newlines.
var pptBreaks = strings.NewReplacer("\r", "\n", "\v", "\n")

func (w *walker) ppt(j *job, c *cfb, dir string) error {
	b, err := c.read(dir, "PowerPoint Document", w.lim.MaxDocumentBytes)
	if err != nil {
		if se, ok := err.(*statusError); ok {
			return se
		}
		return &statusError{Unscannable, "corrupt PowerPoint presentation: unreadable stream"}
	}
	if len(b) < 8 {
		return &statusError{Unscannable, "corrupt PowerPoint presentation: no records"}
	}
	p := &pptText{w: w, s: j.s}
	p.walk(b, 0)
	if p.err != nil {
		return p.err
	}
	if p.records == 0 {
		return &statusError{Unscannable, "corrupt PowerPoint presentation: no records"}
	}
	return nil
}

type pptText struct {
	w       *walker
	s       *sink
	records int
	err     error
}

// walk reads the records in b; a record whose length runs past its container is cut to it.
func (p *pptText) walk(b []byte, depth int) {
	le := binary.LittleEndian
	for len(b) >= 8 && p.err == nil && !p.s.full() {
		p.records++
		if p.records&4095 == 0 {
			if err := p.w.ctx.Err(); err != nil {
				p.err = err
				return
			}
		}
		verInst, typ, n := le.Uint16(b), le.Uint16(b[2:]), le.Uint32(b[4:])
		body := b[8:]
		if uint64(n) < uint64(len(body)) {
			body = body[:n]
		}
		b = b[8+len(body):]
		switch {
		case verInst&0x0F == 0x0F:
			if depth < pptMaxDepth {
				p.walk(body, depth+1)
			}
		case typ == pptTextChars:
			p.s.write(pptBreaks.Replace(decodeUTF16LE(body)))
			p.s.writeByte('\n')
		case typ == pptTextBytes:
			p.s.write(pptBreaks.Replace(decodeLatin1(body)))
			p.s.writeByte('\n')
		}
	}
}
