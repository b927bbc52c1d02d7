package extract

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Pictures inside documents (word/media, ppt/media, xl/media, ODF Pictures, RTF \pict) go
// through the same reading as image attachments once the document's own text has been read:
// those that may hold text are OCR'd, at most Limits.MaxOCRPages per document, their text added
// to the document (on the slide they are on, or as pages of their own after the document's
// pages, so that a scanned letter pasted into Word reads like a scanned page). Pictures of the
// letterhead (headers, footers, masters) are not looked at; photographs and coloured shapes
// are decorative. A picture that may hold a document but was not read makes the document warn.

// picRef is a picture of a document, loaded only when it is read.
type picRef struct {
	page int // the page (slide) it is on, 1-based; 0 when unknown
	load func() ([]byte, error)
}

const (
	// maxDocPicturePixels bounds the pixels decoded to examine the pictures of one document
	// (~3 s of decoding); pictures beyond it are not examined.
	maxDocPicturePixels = 200_000_000
	// ocrTimeMargin: no OCR run starts with less than this left of the document's Timeout,
	// so that what was read is returned rather than lost to the time limit.
	ocrTimeMargin = 3 * time.Second
)

// docPictures tallies what became of a document's pictures.
type docPictures struct {
	read, noOCR, pageUnread, overLimit, tooLarge, failed, late int
	failDetail                                                 string
	tooMany                                                    bool // more than maxDocPictures
}

// pictures reads the pictures collected in j.pics into doc, a document whose text was read.
func (w *walker) pictures(j *job, doc *Document) {
	if len(j.pics) == 0 || doc.Status != Scanned {
		return
	}
	used := 0
	for _, p := range doc.Pages {
		used += len(p.Text)
	}
	var tally docPictures
	pics := j.pics
	if len(pics) > maxDocPictures {
		pics, tally.tooMany = pics[:maxDocPictures], true
	}
	ocrRuns, decoded := 0, int64(0)
	ocr := w.x.ocrAvailable(w.ctx)
	for _, ref := range pics {
		if w.ctx.Err() != nil || w.timeLeft() < ocrTimeMargin {
			// Decoding a 12-MP photograph takes ~0.5 s on a busy core: a deck of many is
			// examined as far as time allows, and what is left is reported, not lost.
			tally.late++
			continue
		}
		data, err := ref.load()
		var se *statusError
		switch {
		case err != nil && w.ctx.Err() != nil:
			tally.late++
			continue
		case errors.As(err, &se) && se.status != Scanned:
			tally.tooLarge++ // a byte limit of the document or of the whole call
			continue
		case err != nil || len(data) == 0:
			continue // a damaged part: no picture Word or LibreOffice would show
		}
		if decoded > maxDocPicturePixels {
			if ocr {
				tally.overLimit++
			} else {
				tally.noOCR++
			}
			continue
		}
		look, img, format, early := w.examine(data, picDocument, always)
		if w.ctx.Err() != nil {
			tally.late++
			continue
		}
		decoded += int64(look.w) * int64(look.h)
		if early != nil {
			if early.outcome == picTooLarge {
				tally.tooLarge++
			}
			continue // tiny, or a format or content no viewer shows (EMF, WMF, SVG, corrupt)
		}
		switch {
		case !ocr:
			if noOCR(look, picDocument).outcome == picNoOCR {
				tally.noOCR++
			}
			continue
		case look.analysed && !look.textual:
			continue // a photograph, coloured shapes: decorative
		case ocrRuns >= w.lim.MaxOCRPages:
			// Beyond the limit only pictures that can hold a line of personal data count as
			// unread: a form's many small check boxes and arrows do not make it warn.
			if look.holdsLine() {
				tally.overLimit++
			}
			continue
		case w.timeLeft() < ocrTimeMargin:
			tally.late++
			continue
		}
		ocrRuns++
		r := w.ocrPicture(data, img, format, look, max(w.lim.MaxTextBytes-used, 1))
		switch r.outcome {
		case picFailed:
			tally.failed++
			if tally.failDetail == "" {
				tally.failDetail = r.detail
			}
			continue
		case picPageUnread:
			tally.pageUnread++
		case picRead:
			tally.read++
		}
		used += w.addPictureText(doc, ref.page, r, used)
	}
	tally.apply(doc, w.lim)
}

// timeLeft is how long until the walker's context ends (a long time when it has no deadline).
func (w *walker) timeLeft() time.Duration {
	if d, ok := w.ctx.Deadline(); ok {
		return time.Until(d)
	}
	return time.Hour
}

// addPictureText adds a picture's OCR text to doc: appended to the page it is on when that page
// has no blocks (a slide), else as a page of its own after the last. It returns the bytes added.
func (w *walker) addPictureText(doc *Document, page int, r picResult, used int) int {
	pages, truncated, note := finishPages(r.pages, r.cut, false, max(w.lim.MaxTextBytes-used, 0), w.lim.MaxPages)
	text := ""
	for _, p := range pages {
		if t := strings.TrimSpace(p.Text); t != "" {
			if text != "" {
				text += "\n\n"
			}
			text += t
		}
	}
	if truncated {
		doc.Truncated = true
		doc.Detail = joinDetail(doc.Detail, note)
	}
	if text == "" {
		return 0
	}
	if page > 0 && page <= len(doc.Pages) && doc.Pages[page-1].Number == page && doc.Pages[page-1].Blocks == nil {
		p := &doc.Pages[page-1]
		if strings.TrimSpace(p.Text) != "" {
			text = "\n\n" + text
		}
		p.Text += text
		return len(text)
	}
	if len(doc.Pages) >= w.lim.MaxPages {
		doc.Truncated = true
		doc.Detail = joinDetail(doc.Detail, fmt.Sprintf("only the first %d pages read (MaxPages)", w.lim.MaxPages))
		return 0
	}
	n := 1
	if len(doc.Pages) > 0 {
		n = doc.Pages[len(doc.Pages)-1].Number + 1
	}
	doc.Pages = append(doc.Pages, Page{Number: n, Text: text})
	return len(text)
}

// apply sets the document's status and detail from the tally: a picture that may hold a
// document and was not read makes it warn, the reasons most serious first.
func (t docPictures) apply(doc *Document, lim Limits) {
	var unscannable, tooLarge []string
	if t.failed > 0 {
		unscannable = append(unscannable, fmt.Sprintf("%s (%s)", count(t.failed, "picture", "pictures")+" not read", t.failDetail))
	}
	if t.pageUnread > 0 {
		unscannable = append(unscannable, count(t.pageUnread, "picture looks", "pictures look")+" like a scanned page but OCR found no readable text")
	}
	if t.noOCR > 0 {
		unscannable = append(unscannable, "document holds pictures that were not read (OCR not available)")
	}
	if t.late > 0 {
		unscannable = append(unscannable, count(t.late, "picture", "pictures")+" not read by OCR within the time limit (Timeout)")
	}
	if t.overLimit > 0 {
		tooLarge = append(tooLarge, fmt.Sprintf("more than %d pictures to OCR (MaxOCRPages); the first %d were read", lim.MaxOCRPages, lim.MaxOCRPages))
	}
	if t.tooMany {
		tooLarge = append(tooLarge, fmt.Sprintf("more than %d pictures; the rest were not examined", maxDocPictures))
	}
	if t.tooLarge > 0 {
		tooLarge = append(tooLarge, count(t.tooLarge, "picture", "pictures")+" not read: beyond the size limits")
	}
	notes := append(unscannable, tooLarge...)
	if t.read > 0 {
		notes = append(notes, count(t.read, "picture", "pictures")+" read by OCR")
	}
	switch {
	case len(unscannable) > 0:
		doc.Status = Unscannable
	case len(tooLarge) > 0:
		doc.Status = TooLarge
	}
	for _, n := range notes {
		doc.Detail = joinDetail(doc.Detail, n)
	}
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
