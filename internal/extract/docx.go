package extract

import (
	"io"
	"path"
	"regexp"
	"sort"
	"strings"
)

// reDocxExtra are the parts of a Word document read after its body.
var reDocxExtra = regexp.MustCompile(`(?i)^word/(header\d*|footer\d*|footnotes|endnotes|comments)\.xml$`)

// docx reads a Word document: the body, then headers and footers, footnotes, endnotes and
// comments, as one page.
func (w *walker) docx(j *job) error {
	p, err := w.openPkg(j)
	if err != nil {
		return err
	}
	main := p.mainPart("word/document.xml")
	if !p.has(main) {
		return errMissing(main)
	}
	extra := p.partsMatching(reDocxExtra)
	// Headers before footers before notes before comments, each group in natural order.
	rank := func(name string) int {
		n := strings.ToLower(path.Base(name))
		switch {
		case strings.HasPrefix(n, "header"):
			return 1
		case strings.HasPrefix(n, "footer"):
			return 2
		case strings.HasPrefix(n, "footnotes"):
			return 3
		case strings.HasPrefix(n, "endnotes"):
			return 4
		}
		return 5
	}
	sort.SliceStable(extra, func(a, b int) bool { return rank(extra[a]) < rank(extra[b]) })
	var styles []byte
	if sp := p.relOfType(main, "/styles"); sp != "" {
		styles, _ = p.read(sp) // without styles: Word's defaults
	} else if p.has("word/styles.xml") {
		styles, _ = p.read("word/styles.xml")
	}
	st := parseDocxStyles(styles)
	stream := func(part string, kind BlockKind, main bool) error {
		f := &textFlow{s: j.s, styles: st, kind: kind, breaks: main}
		err := p.streamPart(part, func(r io.Reader) error { return ooxmlFlowText(w.ctx, j.s, r, f) })
		j.s.newline()
		j.s.endBlock()
		return err
	}
	// Headers go first, on the first page, where a reader sees the letterhead; footers, notes
	// and comments go after the body, on its last page.
	for _, part := range extra {
		if rank(part) == 1 && !j.s.full() {
			if err := stream(part, BlockHeader, false); err != nil {
				return err
			}
		}
	}
	if err := stream(main, BlockBody, true); err != nil {
		return err
	}
	j.s.resumeLastPage()
	for _, part := range extra {
		if rank(part) == 1 || strings.EqualFold(part, main) || j.s.full() {
			continue
		}
		kind := BlockBody
		if rank(part) == 2 {
			kind = BlockFooter
		}
		if err := stream(part, kind, false); err != nil {
			return err
		}
	}
	w.embeddings(j, p, "word/embeddings/")
	p.docxPictures(j, main)
	return nil
}
