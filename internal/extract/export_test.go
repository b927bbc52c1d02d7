package extract

// FullExtractor makes the Extractor with every reader (PDF) and OCR by the tools in PATH:
// extract/formats.New. The tests of this package cannot import formats (it imports this
// package); formats_hook_test.go, in the external test package, sets it before they run.
// The tests of nested PDFs (attached mails, OLE objects, TNEF), the corpus and the fuzz
// targets use it.
var FullExtractor func(Limits) *Extractor
