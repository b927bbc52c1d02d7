// Package pdf is the PDF reader of the extractor (extract.WithReaders): objects read with
// github.com/ledongthuc/pdf, our own content walker with font maps (simple, CID, embedded
// TrueType/OpenType/CFF programs, glyph names), stream filters, xref rebuild and object
// streams, the layout pass that orders a page's text into blocks, and the fallback to
// pdftotext and OCR (through Tools, implemented by extract/ocr).
package pdf

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ledongthuc/pdf"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// PDF text extraction with github.com/ledongthuc/pdf (see shared/docs/EXTRACT.md §1–2).
//
// Pipeline: pdfShim (header/trailer fix-ups) → pdfImplausible (refuse xref sizes the library
// would allocate without bound) → open → own page-tree walk (cycle-safe) → per page the layout
// walker (walker.go), falling back to the library's Page.GetPlainText for a page the walker
// cannot read → status. Reader.GetPlainText (font caches shared across pages by resource name)
// and Page.Content (inserts "\n" glyphs) are never used.
//
// In-process limits: recover catches the library's panics, but not a fatal out-of-memory or an
// endless loop inside it. Both are known (EXTRACT.md §2); the guards here remove the ones we
// could reproduce, and worker isolation (a later issue) removes the rest.

// Reader is the PDF reader (extract.WithReaders). With Tools, a PDF the Go reader cannot read
// or finds no text in goes to pdftotext, and pages without text to OCR (fallback.go).
type Reader struct {
	Tools Tools // nil: the Go reader only
}

// Kind is "pdf".
func (Reader) Kind() string { return "pdf" }

// Read reads a PDF's text per page (extractPDFWith).
func (r Reader) Read(ctx context.Context, data []byte, lim extract.Limits) ([]extract.Page, extract.Status, string) {
	var fallback pdfFallbackFunc
	if r.Tools != nil {
		fallback = toolFallback{r.Tools}.readPDF
	}
	return extractPDFWith(ctx, data, lim, fallback)
}

// pdfFallbackFunc reads a PDF the native reader could not read (fallback.go: pdftotext, then
// OCR). noText says the native reader read nPages pages and found no text on any. It returns an
// empty status when it found nothing better than the native reader.
type pdfFallbackFunc func(ctx context.Context, data []byte, lim extract.Limits, noText bool, nPages int) (pages []extract.Page, status extract.Status, detail string)

// extractPDF reads a PDF's text per page with the native reader only (see extractPDFWith).
func extractPDF(ctx context.Context, data []byte, lim extract.Limits) (pages []extract.Page, status extract.Status, detail string) {
	return extractPDFWith(ctx, data, lim, nil)
}

// extractPDFWith reads a PDF's text per page. It never panics (every library call wrapped in recover)
// and honours ctx (checked between pages and inside long pages) and lim.MaxPages / lim.MaxTextBytes.
// The fallback, when not nil, is tried when the native reader ends Unscannable (other than by
// timeout, including "no text layer") or Encrypted without a password.
//
// Status: Scanned (pages with text; a page without text is listed with empty Text); Encrypted;
// Unscannable (corrupt, no text layer at all, a page that could not be read, or ctx ended:
// "timed out"); TooLarge (more than MaxPages pages, or more than MaxTextBytes of text). With
// Unscannable and TooLarge the pages read so far are returned too, so detection can run on them.
func extractPDFWith(ctx context.Context, data []byte, lim extract.Limits, fallback pdfFallbackFunc) (pages []extract.Page, status extract.Status, detail string) {
	pages, status, detail, unmapped := pdfNative(ctx, data, lim)
	if fallback != nil && pdfWantsFallback(status, detail) && ctx.Err() == nil {
		noText := status == extract.Unscannable && detail == pdfDetailNoText
		if len(unmapped) > 0 {
			noText = !extract.AnyText(pages) // nothing could be spelled: OCR if pdftotext fails too
		}
		func() {
			defer func() { _ = recover() }()
			fp, fs, fd := fallback(ctx, data, lim, noText, len(pages))
			if fs == "" {
				return
			}
			// For unmapped glyphs, only a fallback that spelled them replaces the native text.
			if len(unmapped) > 0 && fd == detailPDFToText && !pdfFallbackCovers(pages, fp, unmapped) {
				return
			}
			pages, status, detail = fp, fs, fd
		}()
	}
	return pages, status, detail
}

func pdfWantsFallback(status extract.Status, detail string) bool {
	switch status {
	case extract.Unscannable:
		return detail != pdfDetailTimeout
	case extract.Encrypted:
		return detail != pdfDetailPassword
	}
	return false
}

const (
	pdfDetailTimeout   = "timed out"
	pdfDetailPassword  = "PDF is password-protected"
	pdfDetail256       = "PDF uses 256-bit encryption"
	pdfDetailEncrypted = "PDF uses encryption the reader does not support"
	pdfDetailNoText    = "PDF has no text layer (scanned image; OCR not available)"
)

// pdfNative is the in-process reader. unmapped lists the pages whose glyphs it could not spell
// (then status is Unscannable). A file whose structure is corrupt is read a second time with a
// cross-reference table rebuilt from its objects (rebuild.go), and the better reading wins.
func pdfNative(ctx context.Context, data []byte, lim extract.Limits) (pages []extract.Page, status extract.Status, detail string, unmapped []pdfUnmappedPage) {
	defer func() {
		if r := recover(); r != nil {
			status, detail = extract.Unscannable, "corrupt PDF: unreadable structure"
		}
	}()
	maxPages := lim.MaxPages
	if maxPages <= 0 {
		maxPages = extract.DefaultLimits.MaxPages
	}
	maxText := lim.MaxTextBytes
	if maxText <= 0 {
		maxText = extract.DefaultLimits.MaxTextBytes
	}
	if ctx.Err() != nil {
		return nil, extract.Unscannable, pdfDetailTimeout, nil
	}

	images, why := pdfShim(data)
	if why != "" {
		return nil, extract.Unscannable, "corrupt PDF: " + why, nil
	}
	if why := pdfImplausible(images[0]); why != "" {
		return nil, extract.Unscannable, "corrupt PDF: " + why, nil
	}
	var res pdfResult
	r, img, st, det := pdfOpen(images)
	switch {
	case r != nil:
		if img2, r2 := pdfInlineObjStms(img, r); r2 != nil {
			img, r = img2, r2
		}
		res = pdfReadDoc(ctx, r, img, maxPages, maxText)
	case st == extract.Encrypted:
		return nil, st, det, nil
	default:
		res = pdfResult{status: st, detail: det}
	}
	if res.corrupt() && ctx.Err() == nil {
		for _, img := range pdfRebuild(images[0]) {
			if ctx.Err() != nil {
				break
			}
			r, err := pdfNewReader(img)
			if err != nil {
				if st, det := pdfEncryptionStatus(err, img); st != "" {
					return nil, st, det, nil
				}
				continue
			}
			if img2, r2 := pdfInlineObjStms(img, r); r2 != nil {
				img, r = img2, r2
			}
			if again := pdfReadDoc(ctx, r, img, maxPages, maxText); again.better(res) {
				res = again
			}
			if !res.corrupt() {
				break
			}
		}
	}
	return res.pages, res.status, res.detail, res.unmapped
}

// pdfResult is one reading of a document.
type pdfResult struct {
	pages    []extract.Page
	status   extract.Status
	detail   string
	unmapped []pdfUnmappedPage
}

// corrupt reports a reading that failed on the file's structure (which a rebuilt
// cross-reference table may mend).
func (r pdfResult) corrupt() bool {
	return r.status == extract.Unscannable && strings.HasPrefix(r.detail, "corrupt PDF:")
}

// better reports whether r is a better reading than o: a better status, else more pages with
// text, else more text.
func (r pdfResult) better(o pdfResult) bool {
	rank := func(x pdfResult) int {
		switch {
		case x.status == extract.Scanned:
			return 3
		case x.status == extract.TooLarge:
			return 2
		case x.status == extract.Unscannable && !x.corrupt():
			return 1
		}
		return 0
	}
	if a, b := rank(r), rank(o); a != b {
		return a > b
	}
	count := func(x pdfResult) (pages, text int) {
		for _, p := range x.pages {
			if p.Text != "" {
				pages++
			}
			text += len(p.Text)
		}
		return pages, text
	}
	rp, rt := count(r)
	op, ot := count(o)
	if rp != op {
		return rp > op
	}
	return rt > ot
}

// pdfReadDoc reads the pages of a document the library opened on img.
func pdfReadDoc(ctx context.Context, r *pdf.Reader, img *pdfImage, maxPages, maxText int) (res pdfResult) {
	defer func() {
		if x := recover(); x != nil {
			res.status, res.detail, res.unmapped = extract.Unscannable, "corrupt PDF: unreadable structure", nil
		}
	}()
	encrypted := false
	pdfSafe(func() { encrypted = !r.Trailer().Key("Encrypt").IsNull() })

	refs, more, broken, treeErr := pdfPages(ctx, r, maxPages)
	if ctx.Err() != nil {
		return pdfResult{status: extract.Unscannable, detail: pdfDetailTimeout}
	}
	if len(refs) == 0 {
		if encrypted {
			return pdfResult{status: extract.Encrypted, detail: pdfDetailEncrypted}
		}
		if treeErr != nil || broken > 0 {
			return pdfResult{status: extract.Unscannable, detail: "corrupt PDF: broken page tree"}
		}
		return pdfResult{status: extract.Unscannable, detail: "corrupt PDF: no pages"}
	}

	doc := &pdfDoc{ctx: ctx, fonts: map[string]*pdfFont{}}
	if !encrypted {
		doc.raw = img
	}
	used := 0
	failed := broken
	anyText := false
	textCut := false
	for i, ref := range refs {
		if ctx.Err() != nil {
			return pdfResult{pages: res.pages, status: extract.Unscannable, detail: pdfDetailTimeout}
		}
		text, blocks, cut, ok, stats := doc.readPage(ref, maxText-used)
		if ctx.Err() != nil {
			res.pages = append(res.pages, extract.Page{Number: i + 1, Text: text, Blocks: blocks})
			return pdfResult{pages: res.pages, status: extract.Unscannable, detail: pdfDetailTimeout}
		}
		if !ok {
			failed++
		}
		if text != "" {
			anyText = true
		}
		used += len(text)
		if stats.unreadable() {
			res.unmapped = append(res.unmapped, pdfUnmappedPage{index: i, unmapped: stats.unmapped, cjk: stats.nonCJK == 0})
		}
		res.pages = append(res.pages, extract.Page{Number: i + 1, Text: text, Blocks: blocks})
		if cut {
			textCut = true
			break
		}
	}

	res.status = extract.Unscannable
	switch {
	case failed > 0 && encrypted:
		res.status, res.detail = extract.Encrypted, pdfDetailEncrypted
	case failed > 0:
		total := len(refs) + broken
		res.detail = fmt.Sprintf("corrupt PDF: %d of %d pages could not be read", failed, total)
		if failed >= total {
			res.detail = "corrupt PDF: no page could be read"
		}
	case len(res.unmapped) > 0:
		res.detail = pdfUnmappedDetail(res.unmapped)
		return res
	case textCut:
		res.status, res.detail = extract.TooLarge, fmt.Sprintf("PDF has more than %d bytes of text", maxText)
	case more:
		res.status, res.detail = extract.TooLarge, fmt.Sprintf("PDF has more than %d pages", maxPages)
	case !anyText:
		res.detail = pdfDetailNoText
	default:
		res.status = extract.Scanned
	}
	res.unmapped = nil
	return res
}

// readPage returns a page's text. The walker comes first; if it fails, the library's per-page
// GetPlainText is tried, and the longer text wins. ok is false when neither could read the page.
func (d *pdfDoc) readPage(ref pdfPageRef, maxText int) (text string, blocks []extract.Block, truncated, ok bool, stats pdfGlyphStats) {
	text, blocks, truncated, stats, err := d.pageText(ref, maxText)
	if err == nil {
		return text, blocks, truncated, true, stats
	}
	if d.ctx.Err() != nil {
		return text, nil, truncated, false, stats
	}
	if fb, fbErr := pdfPlainText(ref, maxText); fbErr == nil && len(fb.b) > len(text) {
		return fb.String(), nil, fb.truncated, true, pdfGlyphStats{}
	}
	if errors.Is(err, errPDFPageBudget) || errors.Is(err, errPDFContentLimit) {
		return text, nil, truncated, false, stats
	}
	return text, nil, truncated, text != "", stats
}

// pdfPlainText is the library's per-page reader, run through the same text clean-up.
func pdfPlainText(ref pdfPageRef, maxText int) (out pdfTextBuf, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errPDFLibraryPanic
		}
	}()
	// GetPlainText finds the page's resources through /Parent links; refuse a cyclic chain.
	v := ref.v
	for i := 0; ; i++ {
		if i > 64 {
			return out, errors.New("parent chain too long")
		}
		v = v.Key("Parent")
		if v.IsNull() {
			break
		}
	}
	s, err := pdf.Page{V: ref.v}.GetPlainText(nil)
	out.max = maxText
	out.writeString(s)
	return out, err
}

// pdfOpen opens the first image the library accepts and maps its errors to a status.
func pdfOpen(images []*pdfImage) (*pdf.Reader, *pdfImage, extract.Status, string) {
	var first error
	for _, img := range images {
		r, err := pdfNewReader(img)
		if err == nil {
			return r, img, extract.Scanned, ""
		}
		if st, det := pdfEncryptionStatus(err, img); st != "" {
			return nil, nil, st, det
		}
		if first == nil {
			first = err
		}
	}
	return nil, nil, extract.Unscannable, "corrupt PDF: " + pdfErrorReason(first)
}

func pdfNewReader(img *pdfImage) (r *pdf.Reader, err error) {
	defer func() {
		if x := recover(); x != nil {
			r, err = nil, fmt.Errorf("malformed PDF: %v", x)
		}
	}()
	return pdf.NewReader(img, img.size())
}

// pdfEncryptionStatus maps an open error of an encrypted file to Encrypted.
func pdfEncryptionStatus(err error, img *pdfImage) (extract.Status, string) {
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, pdf.ErrInvalidPassword) || strings.Contains(msg, "password"):
		return extract.Encrypted, pdfDetailPassword
	case strings.Contains(msg, "256-bit"):
		return extract.Encrypted, pdfDetail256
	case strings.Contains(msg, "encrypt"):
		return extract.Encrypted, pdfDetailEncrypted
	case pdfHasEncrypt(img.data):
		return extract.Encrypted, pdfDetailEncrypted
	}
	return "", ""
}

// pdfErrorReason turns a library error into a short reason that never quotes the file: some
// library messages print the objects they choked on.
func pdfErrorReason(err error) string {
	if err == nil {
		return "unreadable structure"
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "invalid header"):
		return "bad header"
	case strings.Contains(msg, "%%eof"):
		return "missing %%EOF"
	case strings.Contains(msg, "startxref"):
		return "missing startxref"
	case strings.Contains(msg, "xref") || strings.Contains(msg, "cross-reference"):
		return "broken cross-reference table"
	case strings.Contains(msg, "trailer"):
		return "broken trailer"
	case strings.Contains(msg, "unexpected eof") || strings.Contains(msg, "reading at offset"):
		return "truncated file"
	case strings.Contains(msg, "zlib") || strings.Contains(msg, "flate"):
		return "broken compressed stream"
	case strings.Contains(msg, "filter"):
		return "unsupported stream filter"
	}
	return "unreadable structure"
}

// pdfSafe runs f, reporting whether it returned without panicking.
func pdfSafe(f func()) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f()
	return true
}

// pdfPageRef is a page dictionary with the resources and page boxes it inherits.
type pdfPageRef struct {
	v   pdf.Value
	res pdf.Value
	inh pdfInheritedBoxes
}

// pdfInheritedBoxes are the inheritable page attributes the layout pass needs, carried down the
// page tree (resolving them through /Parent per page would re-read the parent objects each time).
type pdfInheritedBoxes struct {
	media, crop, rotate pdf.Value
}

// pdfPages walks the page tree in order, collecting up to max pages (more reports a further
// page). The library's Reader.Page loops forever on a page tree that contains itself and its
// Page.Resources on a /Parent cycle; this walk remembers the nodes it entered and carries
// inherited resources downwards instead. broken counts kids that did not resolve to a dictionary.
func pdfPages(ctx context.Context, r *pdf.Reader, max int) (pages []pdfPageRef, more bool, broken int, err error) {
	type item struct {
		v     pdf.Value
		res   pdf.Value
		inh   pdfInheritedBoxes
		depth int
	}
	var root pdf.Value
	if !pdfSafe(func() { root = r.Trailer().Key("Root").Key("Pages") }) || root.Kind() != pdf.Dict {
		return nil, false, 0, errors.New("no page tree")
	}
	stack := []item{{v: root}}
	seen := map[string]bool{}
	budget := 4*max + 10000
	for visits := 0; len(stack) > 0; visits++ {
		if visits > budget {
			return pages, false, broken + 1, errors.New("page tree too large")
		}
		if visits%256 == 0 && ctx.Err() != nil {
			return pages, false, broken, ctx.Err()
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var (
			isNode bool
			res    = it.res
			inh    = it.inh
			kids   pdf.Value
			key    string
		)
		ok := pdfSafe(func() {
			if it.v.Kind() != pdf.Dict {
				return
			}
			if rv := it.v.Key("Resources"); rv.Kind() == pdf.Dict {
				res = rv
			}
			if b := it.v.Key("MediaBox"); b.Kind() == pdf.Array {
				inh.media = b
			}
			if b := it.v.Key("CropBox"); b.Kind() == pdf.Array {
				inh.crop = b
			}
			if r := it.v.Key("Rotate"); r.Kind() == pdf.Integer {
				inh.rotate = r
			}
			kids = it.v.Key("Kids")
			typ := it.v.Key("Type").Name()
			isNode = typ == "Pages" || (typ != "Page" && kids.Kind() == pdf.Array)
			if isNode {
				key = it.v.String()
			}
		})
		if !ok || it.v.Kind() != pdf.Dict {
			broken++
			continue
		}
		if !isNode {
			if len(pages) == max {
				return pages, true, broken, nil
			}
			pages = append(pages, pdfPageRef{v: it.v, res: res, inh: inh})
			continue
		}
		if seen[key] || it.depth > 64 {
			broken++ // a cycle
			continue
		}
		seen[key] = true
		n := kids.Len()
		if n > budget {
			n = budget
		}
		children := make([]item, 0, n)
		for i := 0; i < n; i++ {
			var kid pdf.Value
			if !pdfSafe(func() { kid = kids.Index(i) }) {
				broken++
				continue
			}
			children = append(children, item{v: kid, res: res, inh: inh, depth: it.depth + 1})
		}
		for i := len(children) - 1; i >= 0; i-- {
			stack = append(stack, children[i])
		}
	}
	return pages, false, broken, nil
}
