package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"strings"

	xdraw "golang.org/x/image/draw"
)

// One picture, an image attachment or a picture inside a document, read by OCR when it may hold
// text: small ones scaled up to a size tesseract reads, decorative ones (logos, icons, photos,
// the mail's own layout) recognised as such when OCR is not available, and a warning kept only
// where the picture plausibly is a document that could not be read.

// picMode says where a picture comes from.
type picMode int

const (
	picAttachment picMode = iota // an image attached to a mail (or found in an archive)
	picInline                    // an image that belongs to the mail body's layout (Content-ID, isInline)
	picDocument                  // a picture inside an Office, OpenDocument or RTF document
)

// picOutcome is what became of a picture.
type picOutcome int

const (
	picTiny       picOutcome = iota // cannot hold a line of text: not read
	picDecorative                   // not OCR'd: not a document (a logo, a photo, layout)
	picRead                         // OCR found text
	picNoText                       // OCR found no text, and the picture is not a page
	picPageUnread                   // a page-like picture on which OCR found no readable text
	picNoOCR                        // may hold a document, but OCR is not available
	picTooLarge                     // more pixels than MaxImagePixels
	picFailed                       // corrupt, unsupported format, OCR failed or timed out
)

// picResult is the outcome for one picture with its Document status, detail and OCR text.
type picResult struct {
	outcome picOutcome
	status  Status
	detail  string
	pages   []Page // OCR text (picRead, picPageUnread)
	cut     bool   // OCR text cut at the text limit
	look    imageLook
	// confident counts the words OCR read surely.
	confident int
}

const (
	// maxDecodePixels: larger images are not decoded in the process (a 30 MP RGBA image is
	// 120 MB); they go to tesseract as they are and count as not examined.
	maxDecodePixels = 30_000_000
	// ocrLineHeight: text whose measured line height (capitals and digits) is below this is
	// scaled up to it, at most ocrMaxScale times and to at most ocrMaxScaledPixels: tesseract
	// reads capitals of ~20 px best (a 260×36 strip with 15-px type, capitals ~11 px, is read
	// at 1.8 times). ocrMinSide: where no line height was measured (coloured text), an image
	// whose short side is below this is scaled up by the same bounds.
	ocrLineHeight      = 20
	ocrMinScale        = 1.25 // smaller factors are not worth the resampling
	ocrMinSide         = 300
	ocrMaxScale        = 4
	ocrMaxScaledPixels = 4_000_000
	// ocrPad is the white border added around a rendered image: tesseract misses text that
	// touches the edge.
	ocrPad = 16
	// pageMinWords: a page-like picture on which OCR read fewer words surely was not read.
	pageMinWords = 3
	// lazyDecodeSide: a JPEG attachment at least this large on both sides (a camera's
	// photograph) goes to OCR undecoded; its pixels are examined only when OCR read (almost)
	// nothing and it has a page's proportions. Decoding a 12-MP photograph costs ~0.5 s.
	lazyDecodeSide = 1000
)

func result(o picOutcome, s Status, detail string) picResult {
	return picResult{outcome: o, status: s, detail: detail}
}

// examine reads an image's header and, when it is not too large, its pixels. early is set when
// the picture is settled without OCR (tiny, too large, corrupt, format not read). decode
// reports whether the pixels should be examined when the header leaves OCR to decide: a
// camera's JPEG goes to OCR without (lazyDecodeSide).
func (w *walker) examine(data []byte, mode picMode, decode func(format string, w, h int) bool) (look imageLook, img image.Image, format string, early *picResult) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	switch {
	case errors.Is(err, image.ErrFormat):
		r := result(picFailed, Unscannable, "image format not read by OCR")
		return look, nil, "", &r
	case err != nil:
		if mode != picDocument && !w.x.ocrAvailable(w.ctx) {
			r := result(picNoOCR, Unscannable, DetailOCRUnavailable)
			return look, nil, "", &r
		}
		r := result(picFailed, Unscannable, "corrupt image: unreadable header")
		return look, nil, "", &r
	case cfg.Width <= 0 || cfg.Height <= 0:
		r := result(picFailed, Unscannable, "corrupt image: no pixels")
		return look, nil, "", &r
	}
	look = imageLook{w: cfg.Width, h: cfg.Height}
	if look.tiny() {
		r := result(picTiny, Scanned, detailImageTiny)
		r.look = look
		return look, nil, format, &r
	}
	if int64(cfg.Width)*int64(cfg.Height) > w.lim.MaxImagePixels {
		r := result(picTooLarge, TooLarge, fmt.Sprintf("image larger than %d megapixels (MaxImagePixels)", w.lim.MaxImagePixels/1_000_000))
		r.look = look
		return look, nil, format, &r
	}
	if decode(format, cfg.Width, cfg.Height) {
		img, look = decodeLook(data, look)
	}
	return look, img, format, nil
}

// decodeLook decodes an image not larger than maxDecodePixels and classifies it; otherwise it
// returns look as it is.
func decodeLook(data []byte, look imageLook) (image.Image, imageLook) {
	if int64(look.w)*int64(look.h) > maxDecodePixels {
		return nil, look
	}
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, look
	}
	return m, classify(m)
}

// always decodes every picture examined.
func always(string, int, int) bool { return true }

// readPicture reads an image attachment: examine, then OCR when it may hold text and OCR is
// there (pictures of documents are read by docpictures.go, within the document's OCR limit).
func (w *walker) readPicture(data []byte, mode picMode, maxText int) picResult {
	ocr := w.x.ocrAvailable(w.ctx)
	lazy := false
	look, img, format, early := w.examine(data, mode, func(format string, w, h int) bool {
		lazy = ocr && format == "jpeg" && min(w, h) >= lazyDecodeSide
		return !lazy
	})
	if early != nil {
		return *early
	}
	if !ocr {
		return noOCR(look, mode)
	}
	r := w.ocrPicture(data, img, format, look, maxText)
	if lazy && r.outcome != picFailed && r.confident < pageMinWords && look.pageSized() {
		_, look = decodeLook(data, look)
		r.settle(look)
	}
	return r
}

// noOCR settles a picture that OCR cannot read: a warning where it may hold personal data,
// decorative otherwise. A picture of the mail's layout (a signature, a newsletter's banner)
// warns only when it looks like a page; an attached image when it is a picture of text that
// can hold a line (a strip cut from a form: "CPR-nr. 010190-1234"); a picture in a document
// when it holds lines of text like a page, a screenshot or a pasted note (a letterhead's
// banner, a signature or a caption does not).
func noOCR(look imageLook, mode picMode) picResult {
	var warn bool
	switch mode {
	case picInline:
		warn = look.pageLike()
	case picAttachment:
		warn = look.holdsLine() && (look.textual || !look.analysed)
	default:
		warn = look.documentLike()
	}
	r := result(picDecorative, Scanned, detailDecorative)
	if warn {
		r = result(picNoOCR, Unscannable, DetailOCRUnavailable)
	}
	r.look = look
	return r
}

// ocrPicture runs tesseract on the picture (as it is, or rendered grey, on white, scaled up
// when small) within OCRPageTimeout.
func (w *walker) ocrPicture(data []byte, img image.Image, format string, look imageLook, maxText int) picResult {
	dir, err := os.MkdirTemp("", "sendevagt-ocr-")
	if err != nil {
		return result(picFailed, Unscannable, "OCR failed: no temporary directory")
	}
	defer os.RemoveAll(dir)
	ext, native := ocrFormats[format]
	var in string
	switch {
	case img != nil && format != "tiff" && (!native || needsRender(img, look)):
		// A multi-page TIFF goes as it is: decoding keeps its first page only.
		rendered, err := renderForOCR(img, ocrScale(img, look))
		if err != nil {
			return result(picFailed, Unscannable, "OCR failed: image could not be prepared")
		}
		in, err = WriteTemp(dir, "image-*.png", rendered)
	case native:
		in, err = WriteTemp(dir, "image-*"+ext, data)
	default:
		return result(picFailed, Unscannable, "image format not read by OCR ("+strings.ToUpper(format)+")")
	}
	if err != nil {
		return result(picFailed, Unscannable, "OCR failed: no temporary file")
	}
	ctx, cancel := context.WithTimeout(w.ctx, w.lim.OCRPageTimeout)
	defer cancel()
	text, cut, confident, err := w.x.ocr.Recognize(ctx, in, maxText)
	if w.ctx.Err() != nil {
		return result(picFailed, Unscannable, ctxDetail(w.ctx, w.lim))
	}
	if err != nil {
		return result(picFailed, Unscannable, OCRFailure(ctx, w.lim, 0))
	}
	r := picResult{pages: SplitPages(text), cut: cut, confident: confident}
	r.settle(look)
	return r
}

// settle sets the outcome of an OCR run from what it read and what the picture looks like.
func (r *picResult) settle(look imageLook) {
	r.look = look
	switch {
	case look.pageLike() && look.ink > 0 && r.confident < pageMinWords:
		// A page with marks on it of which OCR read (almost) nothing: a poor scan, handwriting,
		// a page photographed askew. It may hold anything.
		r.outcome, r.status, r.detail = picPageUnread, Unscannable, detailPageUnread
	case !AnyText(r.pages):
		r.outcome, r.status, r.detail = picNoText, Scanned, DetailOCRNone
	default:
		r.outcome, r.status, r.detail = picRead, Scanned, DetailOCR
	}
}

// needsRender: small text is scaled up, a transparent image put on white (tesseract reads a
// transparent background as black).
func needsRender(img image.Image, look imageLook) bool {
	if ocrScale(img, look) > 1 {
		return true
	}
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return !o.Opaque()
	}
	return true
}

// ocrScale is the factor by which img is scaled up for OCR: from the measured height of its
// text when there is one, else from its short side; 1 when no scaling helps.
func ocrScale(img image.Image, look imageLook) float64 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := 1.0
	switch {
	case look.lineHeight > 0:
		scale = float64(ocrLineHeight) / float64(look.lineHeight)
	case min(w, h) > 0:
		scale = float64(ocrMinSide) / float64(min(w, h))
	}
	scale = min(scale, ocrMaxScale)
	for scale > 1 && float64(w)*float64(h)*scale*scale > ocrMaxScaledPixels {
		scale -= 0.25
	}
	if scale < ocrMinScale {
		return 1
	}
	return scale
}

// renderForOCR draws img in grey on a white canvas with a margin, scaled by scale (≥ 1), and
// encodes it as PNG.
func renderForOCR(img image.Image, scale float64) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	sw, sh := int(float64(w)*scale+0.5), int(float64(h)*scale+0.5)
	dst := image.NewGray(image.Rect(0, 0, sw+2*ocrPad, sh+2*ocrPad))
	for i := range dst.Pix {
		dst.Pix[i] = 0xff
	}
	r := image.Rect(ocrPad, ocrPad, ocrPad+sw, ocrPad+sh)
	if scale == 1 {
		xdraw.Draw(dst, r, img, b.Min, xdraw.Over)
	} else {
		xdraw.CatmullRom.Scale(dst, r, img, b, xdraw.Over, nil)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, dst); err != nil {
		return nil, fmt.Errorf("encoding PNG for OCR: %w", err)
	}
	return buf.Bytes(), nil
}
