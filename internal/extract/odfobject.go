package extract

import (
	"io"
	"regexp"
	"strings"
)

// Objects embedded in an OpenDocument file: LibreOffice keeps an embedded OpenDocument object
// (a chart, a formula, a spreadsheet in a letter) as a directory "Object 1/" with its own
// content.xml, and a foreign object (an OLE object from Microsoft Office) as a file "Object 1"
// holding the object's bytes. ObjectReplacements/ holds only their preview pictures.
var (
	reODFObjectFile = regexp.MustCompile(`^(\./)?Object \d+$`)
	reODFObjectXML  = regexp.MustCompile(`^(\./)?Object \d+/content\.xml$`)
)

// odfObjects reads the embedded objects of p: the text of embedded OpenDocument objects goes on
// the document's last page; embedded files become nested documents.
func (w *walker) odfObjects(j *job, p *pkg) error {
	for _, f := range p.zr.File {
		if w.ctx.Err() != nil {
			return w.ctx.Err()
		}
		switch {
		case reODFObjectXML.MatchString(f.Name):
			if j.s.full() {
				continue
			}
			j.s.resumeLastPage()
			j.s.newline()
			err := p.streamPart(f.Name, func(r io.Reader) error { return odfText(w.ctx, j.s, r, "", false, nil) })
			if err != nil {
				return err
			}
		case reODFObjectFile.MatchString(f.Name) && !strings.HasSuffix(f.Name, "/"):
			if j.depth >= w.lim.MaxDepth {
				j.notes = append(j.notes, "embedded objects not read: "+w.depthDetail())
				return nil
			}
			w.entry(j, f)
		}
	}
	return nil
}
