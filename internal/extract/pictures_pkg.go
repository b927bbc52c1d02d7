package extract

import (
	"bytes"
	"path"
	"regexp"
	"strings"
)

// Collecting the pictures of zip-based documents by their structure: in OOXML the pictures a
// part shows are its relationships of type .../image (a header's or a slide master's pictures
// belong to those parts, so the letterhead is never collected); in OpenDocument the pictures
// under Pictures/ that the master pages and styles (styles.xml: headers, footers, page
// backgrounds) do not use.

var (
	reDocxPictureParts = regexp.MustCompile(`(?i)^word/(footnotes|endnotes|comments)\.xml$`)
	reXlsxDrawing      = regexp.MustCompile(`(?i)^xl/drawings/drawing\d+\.xml$`)
	reODFPicture       = regexp.MustCompile(`^Pictures/[^/]+$`)
)

// relPictures adds the pictures part shows to j.pics, on the given page (0: unknown). seen
// keeps a picture shown twice from being read twice.
func (p *pkg) relPictures(j *job, part string, page int, seen map[string]bool) {
	for _, r := range p.rels(part) {
		if !strings.HasSuffix(r.Type, "/image") || !p.has(r.Target) {
			continue
		}
		k := strings.ToLower(r.Target)
		if seen[k] {
			continue
		}
		seen[k] = true
		target := r.Target
		j.pics = append(j.pics, picRef{page: page, load: func() ([]byte, error) { return p.read(target) }})
	}
}

// docxPictures collects the pictures of a Word document's body, notes and comments.
func (p *pkg) docxPictures(j *job, main string) {
	seen := map[string]bool{}
	p.relPictures(j, main, 0, seen)
	for _, part := range p.partsMatching(reDocxPictureParts) {
		p.relPictures(j, part, 0, seen)
	}
}

// pptxPictures collects the pictures of each slide (slides[i] is on page i+1).
func (p *pkg) pptxPictures(j *job, slides []string) {
	seen := map[string]bool{}
	for i, s := range slides {
		p.relPictures(j, s, i+1, seen)
	}
}

// xlsxPictures collects the pictures of a workbook's drawings (pictures placed on sheets).
func (p *pkg) xlsxPictures(j *job) {
	seen := map[string]bool{}
	for _, d := range p.partsMatching(reXlsxDrawing) {
		p.relPictures(j, d, 0, seen)
	}
}

// odfPictures collects the pictures of an OpenDocument file that its styles do not use.
func (p *pkg) odfPictures(j *job) {
	var styles []byte
	if p.has("styles.xml") {
		styles, _ = p.read("styles.xml")
	}
	for _, name := range p.partsMatching(reODFPicture) {
		if styles != nil && bytes.Contains(styles, []byte(name)) {
			continue
		}
		if strings.EqualFold(path.Ext(name), ".svm") {
			continue // StarView metafile: vector drawing, not a scan
		}
		j.pics = append(j.pics, picRef{load: func() ([]byte, error) { return p.read(name) }})
	}
}
