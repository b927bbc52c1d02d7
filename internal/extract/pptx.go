package extract

import (
	"encoding/xml"
	"io"
	"regexp"
	"strings"
)

// reSlide matches the slides of a presentation.
var reSlide = regexp.MustCompile(`(?i)^ppt/slides/slide\d+\.xml$`)

// pptx reads a presentation: one page per slide in presentation order, with the slide's notes.
func (w *walker) pptx(j *job) error {
	p, err := w.openPkg(j)
	if err != nil {
		return err
	}
	pres := p.mainPart("ppt/presentation.xml")
	if !p.has(pres) {
		return errMissing(pres)
	}
	slides := p.slideOrder(pres)
	if len(slides) == 0 {
		slides = p.partsMatching(reSlide)
	}
	for _, slide := range slides {
		j.s.startPage()
		if j.s.full() {
			break
		}
		if err := p.streamPart(slide, func(r io.Reader) error { return ooxmlText(w.ctx, j.s, r) }); err != nil {
			return err
		}
		if notes := p.relOfType(slide, "/notesSlide"); notes != "" {
			j.s.newline()
			if err := p.streamPart(notes, func(r io.Reader) error { return ooxmlText(w.ctx, j.s, r) }); err != nil {
				return err
			}
		}
	}
	w.embeddings(j, p, "ppt/embeddings/")
	p.pptxPictures(j, slides)
	return nil
}

// slideOrder lists slide parts in the order of presentation.xml's p:sldIdLst.
func (p *pkg) slideOrder(pres string) []string {
	targets := map[string]string{}
	for _, r := range p.rels(pres) {
		if strings.HasSuffix(r.Type, "/slide") {
			targets[r.ID] = r.Target
		}
	}
	if len(targets) == 0 {
		return nil
	}
	var order []string
	err := p.streamPart(pres, func(r io.Reader) error {
		d := newXMLDecoder(r)
		for {
			tok, err := d.Token()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			if se.Name.Local == "sldMasterIdLst" || se.Name.Local == "notesMasterIdLst" {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			if se.Name.Local != "sldId" {
				continue
			}
			for _, a := range se.Attr {
				if a.Name.Local == "id" && a.Name.Space != "" {
					if t, ok := targets[a.Value]; ok && p.has(t) {
						order = append(order, t)
					}
				}
			}
		}
	})
	if err != nil {
		return nil
	}
	return order
}
