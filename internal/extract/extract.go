// Package extract turns attachment bytes into text per document and page. A file that could not be
// read is never reported as clean: it gets its own Status and a Detail saying why.
//
// The package walks containers (archives, mails, embedded objects) under the Limits and reads
// the formats that need no more than Go (Office, OpenDocument, RTF, HTML, text, cards, images).
// Other formats register as a Reader of their kind (extract/pdf), and images are recognised
// through the OCR interface (extract/ocr); extract/formats makes the Extractor with all of them.
package extract

import "time"

// Status is the outcome of extracting one document.
type Status string

const (
	Scanned     Status = "scanned"
	Encrypted   Status = "encrypted"
	Unscannable Status = "unscannable"
	Unsupported Status = "unsupported"
	TooLarge    Status = "too_large"
)

// Page is the text of one page (PDF, slide, sheet) or of a whole flowing document (Number 1; a
// Word or OpenDocument text starts a new Page at an explicit page or section break, so mail-merge
// output gives one Page per letter).
type Page struct {
	Number int
	Text   string
	// Blocks, when set, are the page's blocks in reading order; each covers Text[Start:End]
	// (no leading/trailing newline); consecutive blocks are separated in Text by one blank line
	// ("\n\n"), and no block contains a blank line. Nil when the format has no structure we
	// trust (plain text, HTML, a PDF page whose layout could not be trusted).
	Blocks []Block
}

// Block is a run of lines that belong together on the page: a paragraph, an address block,
// a column of a letterhead or info column, a table cell/row, a header or footer, a text box.
type Block struct {
	Start, End int       // byte offsets into Page.Text
	Kind       BlockKind // BlockBody (""), BlockHeader, BlockFooter, BlockTable, BlockTextBox
	// X0, Y0, X1, Y1 are the block's bounding box as fractions of the page (0,0 top-left; 1,1
	// bottom-right, as the page is displayed) when the format has geometry (PDF); HasBox is
	// false otherwise.
	X0, Y0, X1, Y1 float64
	HasBox         bool
}

// BlockKind says what part of a page a Block is.
type BlockKind string

const (
	BlockBody    BlockKind = ""
	BlockHeader  BlockKind = "header"
	BlockFooter  BlockKind = "footer"
	BlockTable   BlockKind = "table"
	BlockTextBox BlockKind = "textbox"
)

// Document is one file (or body, or archive entry, or attached email) and what could be read of it.
type Document struct {
	// Name is a path for nested documents: "Breve.zip/Brev 1.pdf", "Henvendelse.eml/Lægeerklæring.pdf".
	Name   string
	Type   string // pdf, docx, xlsx, pptx, odt, ods, odp, rtf, html, text, csv, zip, eml, image, ...
	Status Status
	Detail string // why, when Status is not Scanned (English, short, no content)
	Pages  []Page
	Depth  int // 0 for a top-level attachment
	// Truncated is true when Status is Scanned but only part of the document was read because
	// of MaxTextBytes or MaxPages; Detail names the limit. The unread rest was not scanned.
	Truncated bool
}

// Limits bound every entry point. Zero values mean "use the default".
type Limits struct {
	MaxDocumentBytes int64         // one document, after decompression
	MaxTotalBytes    int64         // all documents of one Extract call, across all nesting levels
	MaxEntries       int           // entries in one archive
	MaxRatio         int64         // decompressed:compressed per archive entry (above a 1 MiB floor)
	MaxDepth         int           // nesting of archives/attached emails
	MaxPages         int           // pages per document
	MaxTextBytes     int           // extracted text per document
	Timeout          time.Duration // wall clock per Extract call
	MaxOCRPages      int           // PDF pages OCR'd per document; more makes it TooLarge (the first ones are read)
	OCRPageTimeout   time.Duration // wall clock to render and OCR one page or image
	MaxImagePixels   int64         // width × height of an image to OCR (decompression bombs)
}

// DefaultLimits are the limits used when a field of Limits is zero.
var DefaultLimits = Limits{
	MaxDocumentBytes: 100 << 20,
	MaxTotalBytes:    500 << 20,
	MaxEntries:       10000,
	MaxRatio:         200,
	MaxDepth:         5,
	MaxPages:         2000,
	MaxTextBytes:     32 << 20,
	Timeout:          20 * time.Second,
	MaxOCRPages:      10, // ~1 s per page on 2 busy cores: 10 pages stay within Timeout
	OCRPageTimeout:   15 * time.Second,
	MaxImagePixels:   50_000_000,
}
