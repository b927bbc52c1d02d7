package extract

import (
	"context"
	"os"
)

// Reader reads one kind of document as a whole, with its own status: the PDF reader
// (extract/pdf). The walker applies the page and text limits to what it returns.
type Reader interface {
	// Kind is the document type it reads, as sniffing names it ("pdf").
	Kind() string
	// Read returns the document's pages, its status and, when the status is not Scanned or
	// only part was read, why (English, short, no content). It honours ctx and lim, which
	// the walker passes complete (no zero fields).
	Read(ctx context.Context, data []byte, lim Limits) (pages []Page, status Status, detail string)
}

// OCR recognises the text of images (implemented by extract/ocr).
type OCR interface {
	// Available reports whether OCR can run.
	Available(ctx context.Context) bool
	// Recognize reads the text of the image file at path (pages split at form feeds), at most
	// maxText bytes (cut: there was more); confident counts the words read surely.
	Recognize(ctx context.Context, path string, maxText int) (text string, cut bool, confident int, err error)
}

// Option configures an Extractor beyond its Limits.
type Option func(*Extractor)

// WithReaders registers readers by the kind they read; a later one replaces an earlier one of
// the same kind. Without a reader, a document of that kind is Unsupported.
func WithReaders(rs ...Reader) Option {
	return func(x *Extractor) {
		if x.readers == nil {
			x.readers = make(map[string]Reader, len(rs))
		}
		for _, r := range rs {
			x.readers[r.Kind()] = r
		}
	}
}

// WithOCR has images, and pictures in documents, read by o. Without it they are treated as
// where OCR is not installed.
func WithOCR(o OCR) Option {
	return func(x *Extractor) { x.ocr = o }
}

// WithStableInput promises that the bytes given to Extract are never changed afterwards and
// may live as long as the text read from them: plain text then becomes its page without a copy
// (a 30 MB text file was held twice, as the file and as its text). The command line reads each
// file into a buffer of its own and can promise it; the service cannot (an attachment is part of
// a request body that a cached text would keep whole).
func WithStableInput() Option {
	return func(x *Extractor) { x.stableInput = true }
}

// ocrAvailable reports whether the Extractor's OCR can run.
func (x *Extractor) ocrAvailable(ctx context.Context) bool {
	return x.ocr != nil && x.ocr.Available(ctx)
}

// WriteTemp writes data to a new file (mode 0600) in dir ("" = the system temp dir) for an
// external tool to read.
func WriteTemp(dir, pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
