package extract

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sendevagt/sendevagt/internal/message"
)

// Extractor turns attachment bytes into Documents within its Limits, with the readers and OCR
// it was made with (Option). It holds no other state and is safe for concurrent use.
type Extractor struct {
	lim Limits
	// readers read whole documents by kind (WithReaders: the PDF reader); nil: none.
	readers map[string]Reader
	// ocr reads images (WithOCR); nil: OCR not available.
	ocr OCR
	// stableInput: the caller's bytes may become page text without a copy (WithStableInput).
	stableInput bool
	// noRecover lets parser panics escape (fuzz tests use it to see them); never set in production.
	noRecover bool
	// testHook, when set, runs before each document's parser with its type (tests use it to
	// simulate a stuck or panicking parser).
	testHook func(typ string)
}

// New returns an Extractor with the given limits; zero (or negative) fields take the value from
// DefaultLimits. The formats read here (containers, mails, Office, OpenDocument, RTF, HTML,
// text, images) need no option; others (PDF) come with WithReaders and OCR with WithOCR
// (extract/formats makes the Extractor with all of them). The zero Extractor is usable too and
// has DefaultLimits, no readers and no OCR.
func New(lim Limits, opts ...Option) *Extractor {
	x := &Extractor{lim: lim.withDefaults()}
	for _, o := range opts {
		o(x)
	}
	return x
}

// withDefaults fills zero or negative fields from DefaultLimits.
func (lim Limits) withDefaults() Limits {
	d := DefaultLimits
	if lim.MaxDocumentBytes <= 0 {
		lim.MaxDocumentBytes = d.MaxDocumentBytes
	}
	if lim.MaxTotalBytes <= 0 {
		lim.MaxTotalBytes = d.MaxTotalBytes
	}
	if lim.MaxEntries <= 0 {
		lim.MaxEntries = d.MaxEntries
	}
	if lim.MaxRatio <= 0 {
		lim.MaxRatio = d.MaxRatio
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = d.MaxDepth
	}
	if lim.MaxPages <= 0 {
		lim.MaxPages = d.MaxPages
	}
	if lim.MaxTextBytes <= 0 {
		lim.MaxTextBytes = d.MaxTextBytes
	}
	if lim.Timeout <= 0 {
		lim.Timeout = d.Timeout
	}
	if lim.MaxOCRPages <= 0 {
		lim.MaxOCRPages = d.MaxOCRPages
	}
	if lim.OCRPageTimeout <= 0 {
		lim.OCRPageTimeout = d.OCRPageTimeout
	}
	if lim.MaxImagePixels <= 0 {
		lim.MaxImagePixels = d.MaxImagePixels
	}
	return lim
}

// Limits returns the effective limits (defaults filled in).
func (x *Extractor) Limits() Limits { return x.lim.withDefaults() }

// errTimeLimit is the cancellation cause when Limits.Timeout expires.
var errTimeLimit = errors.New("extraction time limit reached")

// Extract reads one attachment. It returns the document itself first, then every nested document
// (archive entries, attached emails and their attachments, ...) depth first, in order. A document
// that could not be read fully has Status Encrypted, Unscannable, Unsupported or TooLarge and a
// Detail saying why; it is never returned as an empty Scanned document.
//
// The whole extraction runs in a goroutine bounded by Limits.Timeout and ctx. When either expires
// Extract returns at once with the document Unscannable ("timed out after ..."). The goroutine
// notices the cancellation at its next check (between archive entries, XML tokens, read calls)
// but a parser stuck inside a library call keeps running until it returns: that goroutine leaks.
// Moving extraction into worker processes that can be killed (DESIGN.md, EXTRACT.md §3) removes
// this; until then the caller must not modify data after Extract returns.
func (x *Extractor) Extract(ctx context.Context, name, contentType string, data []byte) []Document {
	return x.ExtractInput(ctx, Input{Name: name, ContentType: contentType, Data: data})
}

// Input is one attachment to extract with what its source says about it.
type Input struct {
	Name, ContentType string
	Data              []byte
	// Inline says the attachment belongs to the mail body's layout (a picture with a Content-ID
	// that the HTML body shows; Graph's and Office.js's isInline): an image of it that OCR cannot
	// read is taken as decorative unless it looks like a page.
	Inline bool
	// Message is an attached email that the message parser (or Graph) has already read: it is
	// extracted as it is (its headers, bodies and attachments), never written out as bytes to
	// be parsed again; Data is then empty. ContentType says how it came ("message/rfc822" for
	// MIME, otherwise an Outlook item), which names its document type.
	Message *message.Message
}

// ExtractInput is Extract for an Input.
func (x *Extractor) ExtractInput(ctx context.Context, in Input) []Document {
	name, contentType, data := in.Name, in.ContentType, in.Data
	if ctx == nil {
		ctx = context.Background()
	}
	lim := x.lim.withDefaults()
	ctx, cancel := context.WithTimeoutCause(ctx, lim.Timeout, errTimeLimit)
	defer cancel()

	done := make(chan []Document, 1)
	go func() {
		w := &walker{x: x, ctx: ctx, lim: lim}
		defer func() {
			if r := recover(); r != nil {
				if x.noRecover {
					panic(r)
				}
				done <- []Document{{Name: name, Type: quickType(name, contentType, data), Status: Unscannable, Detail: "parser failed"}}
			}
		}()
		if in.Message != nil {
			w.budget = w.lim.MaxTotalBytes
			w.extractJob(&job{name: name, ctype: contentType, msg: in.Message})
		} else {
			w.top(name, contentType, data, in.Inline)
		}
		done <- w.docs
	}()
	select {
	case docs := <-done:
		return docs
	case <-ctx.Done():
		return []Document{{Name: name, Type: quickType(name, contentType, data), Status: Unscannable, Detail: ctxDetail(ctx, lim)}}
	}
}

// ctxDetail says why ctx ended, naming the limit when it was ours.
func ctxDetail(ctx context.Context, lim Limits) string {
	switch {
	case errors.Is(context.Cause(ctx), errTimeLimit):
		return fmt.Sprintf("timed out after %s (Timeout)", lim.Timeout)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "timed out (caller's deadline)"
	default:
		return "extraction cancelled"
	}
}

// walker is the state of one Extract call.
type walker struct {
	x      *Extractor
	ctx    context.Context
	lim    Limits
	budget int64 // bytes left of MaxTotalBytes
	docs   []Document
}

// job is one document being extracted.
type job struct {
	name, ctype string
	data        []byte
	depth       int
	typ         string
	zr          *zip.Reader // set by sniff for zip-based formats
	s           *sink
	// notes are parts left unread although the document itself was read (Detail, Truncated).
	notes []string
	// msg is an attached email already parsed by the message package (typ "msg"; data empty).
	msg *message.Message
	// oleDir, for an object embedded in a legacy Office file, is the storage of data (a compound
	// file) that holds it; the object is read in place ("" for a whole file).
	oleDir string
	// inline: the document is an image of the mail body's layout (Input.Inline).
	inline bool
	// pics are the document's pictures, read after its text (docpictures.go).
	pics []picRef
}

// embeddings extracts the documents embedded in an OOXML package under dir, noting when the
// nesting limit left them unread.
func (w *walker) embeddings(j *job, p *pkg, dir string) {
	if w.embedded(j, p, dir) {
		j.notes = append(j.notes, "embedded documents not read: "+w.depthDetail())
	}
}

func (w *walker) top(name, ctype string, data []byte, inline bool) {
	w.budget = w.lim.MaxTotalBytes
	n := int64(len(data))
	if n > w.budget && n <= w.lim.MaxDocumentBytes {
		w.docs = append(w.docs, Document{Name: name, Type: quickType(name, ctype, data), Status: TooLarge, Detail: w.totalDetail()})
		return
	}
	w.budget -= min(n, w.budget) // an oversized document is rejected by document() unread
	w.extractJob(&job{name: name, ctype: ctype, data: data, inline: inline})
}

func (w *walker) docDetail() string {
	return fmt.Sprintf("document larger than %s (MaxDocumentBytes)", sizeString(w.lim.MaxDocumentBytes))
}

func (w *walker) totalDetail() string {
	return fmt.Sprintf("all documents together larger than %s (MaxTotalBytes)", sizeString(w.lim.MaxTotalBytes))
}

func (w *walker) ratioDetail() string {
	return fmt.Sprintf("compression ratio above %d:1 (MaxRatio, possible zip bomb)", w.lim.MaxRatio)
}

func (w *walker) depthDetail() string {
	if w.lim.MaxDepth == 1 {
		return "nested deeper than 1 level (MaxDepth)"
	}
	return fmt.Sprintf("nested deeper than %d levels (MaxDepth)", w.lim.MaxDepth)
}

func (w *walker) entriesDetail() string {
	return fmt.Sprintf("archive has more than %d entries (MaxEntries); only the first %d read", w.lim.MaxEntries, w.lim.MaxEntries)
}

// document extracts one document and appends it, then its nested documents, to w.docs. The
// caller has already charged data against the total budget.
func (w *walker) document(name, ctype string, data []byte, depth int) {
	w.extractJob(&job{name: name, ctype: ctype, data: data, depth: depth})
}

// extractJob is document for a job that may carry an already parsed email (j.msg).
func (w *walker) extractJob(j *job) {
	name, ctype, data, depth := j.name, j.ctype, j.data, j.depth
	idx := len(w.docs)
	w.docs = append(w.docs, Document{Name: name, Depth: depth})
	doc := Document{Name: name, Depth: depth, Type: quickType(name, ctype, data)}
	defer func() { w.docs[idx] = doc }()

	if w.ctx.Err() != nil {
		doc.Status, doc.Detail = Unscannable, ctxDetail(w.ctx, w.lim)
		return
	}
	if int64(len(data)) > w.lim.MaxDocumentBytes {
		doc.Status, doc.Detail = TooLarge, w.docDetail()
		return
	}
	j.s = newSink(w.lim)
	w.guard(&doc, func() {
		if j.msg != nil {
			j.typ = "msg"
			if isMIMEMessage(j.ctype) {
				j.typ = "eml"
			}
		} else {
			j.typ = sniff(j)
		}
		doc.Type = j.typ
		if isContainer(j.typ) && depth >= w.lim.MaxDepth {
			doc.Status, doc.Detail = TooLarge, w.depthDetail()
			return
		}
		if w.x.testHook != nil {
			w.x.testHook(j.typ)
		}
		if r, ok := w.x.readers[j.typ]; ok {
			w.read(r, j, &doc)
			return
		}
		if j.typ == "image" {
			w.image(j, &doc)
			return
		}
		err := w.parse(j)
		doc.Type = j.typ // a parser may name the kind more precisely (an OLE file that is a .msg)
		pages, truncated, note := j.s.result()
		doc.Pages = pages
		if err != nil {
			doc.Status, doc.Detail = w.classify(j.typ, err)
			return
		}
		if len(j.notes) > 0 {
			truncated = true
			if note != "" {
				j.notes = append([]string{note}, j.notes...)
			}
			note = strings.Join(j.notes, "; ")
		}
		doc.Status, doc.Detail, doc.Truncated = Scanned, note, truncated
		w.pictures(j, &doc)
	})
}

// guard runs a parser, turning a panic into Unscannable "parser failed" (the panic value may
// hold content, so it is not reported).
func (w *walker) guard(doc *Document, f func()) {
	if !w.x.noRecover {
		defer func() {
			if r := recover(); r != nil {
				doc.Status, doc.Detail, doc.Pages, doc.Truncated = Unscannable, "parser failed", nil, false
			}
		}()
	}
	f()
}

// isMIMEMessage says whether a media type is an Internet message (an attached .eml).
func isMIMEMessage(ctype string) bool {
	return strings.EqualFold(ctype, "message/rfc822") || strings.EqualFold(ctype, "message/global")
}

func isContainer(typ string) bool { return typ == "zip" || typ == "eml" || typ == "msg" }

// parse dispatches to the format's parser. A nil error means the document was read.
func (w *walker) parse(j *job) error {
	switch j.typ {
	case "text", "csv":
		return w.plain(j)
	case "html":
		return w.html(j)
	case "rtf":
		return w.rtf(j)
	case "docx":
		return w.docx(j)
	case "pptx":
		return w.pptx(j)
	case "xlsx":
		return w.xlsx(j)
	case "xlsb":
		return w.xlsb(j)
	case "odt", "ods", "odp":
		return w.odf(j)
	case "zip":
		return w.zip(j)
	case "eml":
		if j.msg != nil {
			return w.email(j, j.msg, nil)
		}
		return w.eml(j)
	case "ole":
		return w.ole(j)
	case "msg":
		if j.msg != nil {
			return w.email(j, j.msg, nil)
		}
	case "image":
		return &statusError{Unscannable, DetailOCRUnavailable} // read by w.image
	case "smime":
		return &statusError{Encrypted, "S/MIME-encrypted content"}
	case "p7s":
		return w.signedData(j)
	case "ical", "vcard":
		return w.card(j)
	case "tnef":
		return w.tnef(j)
	}
	if d, ok := unsupportedKinds[j.typ]; ok {
		return &statusError{Unsupported, "unsupported file type: " + d}
	}
	return &statusError{Unsupported, "unsupported file type"}
}

// read calls a registered reader and applies the common page and text limits to its result.
func (w *walker) read(r Reader, j *job, doc *Document) {
	pages, status, detail := r.Read(w.ctx, j.data, w.lim)
	if w.ctx.Err() != nil && status != Scanned {
		doc.Status, doc.Detail = Unscannable, ctxDetail(w.ctx, w.lim)
		return
	}
	out, truncated, note := finishPages(pages, false, false, w.lim.MaxTextBytes, w.lim.MaxPages)
	doc.Pages = out
	if status == "" {
		status = Scanned
	}
	doc.Status, doc.Detail = status, detail
	if status == Scanned && truncated {
		doc.Truncated = true
		if detail != "" {
			doc.Detail = detail + "; " + note
		} else {
			doc.Detail = note
		}
	}
	if status != Scanned && detail == "" {
		doc.Detail = formatName(j.typ) + " could not be read"
	}
}

// statusError ends a document with a given status and detail.
type statusError struct {
	status Status
	detail string
}

func (e *statusError) Error() string { return string(e.status) + ": " + e.detail }

// classify maps a parser error to a status and detail without content.
func (w *walker) classify(typ string, err error) (Status, string) {
	var se *statusError
	switch {
	case errors.As(err, &se):
		return se.status, se.detail
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), w.ctx.Err() != nil:
		return Unscannable, ctxDetail(w.ctx, w.lim)
	}
	return Unscannable, "corrupt " + formatName(typ) + ": " + errSummary(err)
}
