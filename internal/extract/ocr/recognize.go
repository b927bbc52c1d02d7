package ocr

import (
	"context"
	"errors"
	"strconv"
	"unicode/utf8"
)

// OCR with tesseract (EXTRACT.md §3): images (PNG, JPEG, TIFF) directly, PDF pages without a
// text layer after rendering with pdftoppm -r 300 -gray. Always with OMP_THREAD_LIMIT=1 and
// -l dan (with eng, "Søren Ærbø Østergård" came out "Sgren Arbg Ostergard").

// ocrText is what tesseract recognised: the text (pages split at form feeds) and how sure it was.
type ocrText struct {
	text string
	cut  bool // output beyond the cap
	// words counts the words kept; confident those with a confidence of at least
	// ocrConfident. Without confidences (plain output) every word counts as confident.
	words, confident int
}

const (
	// ocrWordFloor: words recognised with a lower confidence (0-100) are noise (a photograph's
	// texture, speckles of a scan) and left out of the text.
	ocrWordFloor = 30
	// ocrConfident: a word recognised at least this surely counts as readable text.
	ocrConfident = 60
)

// errNotInstalled: the program a call needs is not among the Tools.
var errNotInstalled = errors.New("tool not installed")

// Recognize reads the text of the image file at path in one tesseract run with word
// confidences (TSV output), building the text from the words (pages split at form feeds);
// maxText caps it (cut). confident counts the words read surely.
func (t *Engine) Recognize(ctx context.Context, path string, maxText int) (text string, cut bool, confident int, err error) {
	if t.tools.Tesseract == "" {
		return "", false, 0, errNotInstalled
	}
	// TSV is ~6 times the text (positions and confidences per word).
	capOut := min(max(maxText, 1<<16)*8, 512<<20)
	out, cut, err := t.run(ctx, capOut, t.tools.Tesseract, path, "stdout", "-l", t.tools.OCRLanguage, "tsv")
	if cut {
		err = nil
	}
	if err != nil {
		return "", false, 0, err
	}
	r := parseTesseract(out, cut)
	if len(r.text) > maxText {
		r.text, r.cut = cutRunes(r.text, maxText), true
	}
	return r.text, r.cut, r.confident, nil
}

// cutRunes cuts s to at most n bytes on a rune boundary.
func cutRunes(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:min(n, len(s))]
}

// PDFToText runs pdftotext on the PDF at path for pages 1..lastPage, the text (pages ended by
// form feeds) capped at maxText bytes: cut says there was more.
func (t *Engine) PDFToText(ctx context.Context, path string, maxText, lastPage int) (out []byte, cut bool, err error) {
	if t.tools.PDFToText == "" {
		return nil, false, errNotInstalled
	}
	return t.run(ctx, maxText, t.tools.PDFToText, "-enc", "UTF-8", "-l", strconv.Itoa(lastPage), path, "-")
}

// CanRender reports whether PDF pages can be rendered and recognised (pdftoppm and OCR).
func (t *Engine) CanRender(ctx context.Context) bool {
	return t.tools.PDFToPPM != "" && t.Available(ctx)
}

// RenderPage renders one page of the PDF at path as a 300 dpi grey PNG at prefix+".png".
func (t *Engine) RenderPage(ctx context.Context, path, prefix string, page int) error {
	if t.tools.PDFToPPM == "" {
		return errNotInstalled
	}
	p := strconv.Itoa(page)
	_, _, err := t.run(ctx, 1<<10, t.tools.PDFToPPM, "-r", "300", "-gray", "-png", "-f", p, "-l", p, "-singlefile", path, prefix)
	return err
}
