package worker

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
)

// EnvTestWorker makes this test binary act as a worker (TestMain): the pool tests start workers
// by re-executing the test binary, which is much cheaper than building the real one.
const envTestWorker = "SENDEVAGT_TEST_WORKER"

// envTestWorkerMode makes the test worker another one: "gob" speaks the gob frames of protocol
// version 1 (after the hello, for BenchmarkMessage), "v1" acts as a worker binary of version 1
// meeting our hello, "v99" says hello with a version from the future.
const envTestWorkerMode = "SENDEVAGT_TEST_WORKER_MODE"

// testWorker is the body of the test binary acting as a worker.
func testWorker() int {
	opt := ServeOptions{
		NewExtractor: func(lim extract.Limits) Extractor { return formats.New(lim) },
		TestHooks:    os.Getenv(EnvTestHooks) == "1",
	}
	switch os.Getenv(envTestWorkerMode) {
	case "gob":
		opt.codec = gobCodec{}
	case "v1": // the version-1 worker read a 4-byte frame length first and refused above 1 GiB
		var h [4]byte
		io.ReadFull(os.Stdin, h[:])
		if n := binary.BigEndian.Uint32(h[:]); n > MaxRequestFrame {
			fmt.Fprintf(os.Stderr, "sendevagt worker: reading request: frame of %d bytes larger than %d\n", n, MaxRequestFrame)
			return 1
		}
		return 0
	case "v99":
		os.Stdout.Write(binary.BigEndian.AppendUint32([]byte(helloMagic), 99))
		io.Copy(io.Discard, os.Stdin)
		return 0
	}
	return Main(opt)
}

func TestMain(m *testing.M) {
	if os.Getenv(envTestWorker) == "1" {
		// The test binary is the worker here: the hooks are on when the pool test asks for them.
		os.Exit(testWorker())
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// testConfig is a pool of test-binary workers with the misbehaving test documents enabled.
func testConfig(size int) Config {
	return Config{
		Size:    size,
		Command: []string{os.Args[0]},
		Env:     []string{envTestWorker + "=1", EnvTestHooks + "=1"},
	}
}

func newTestPool(t testing.TB, cfg Config) *Pool {
	t.Helper()
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// A synthetic letter; the person and CPR number are made up.
const letter = "Søren Ærbø Østergård\nDamagervej 83\n4180 Sorø\n\nCPR-nr.: 010190-1234\n\nKære Søren Ærbø Østergård\n\nVi har lagt vægt på din diagnose.\n"

type zent struct {
	name string
	data []byte
}

func buildZip(t testing.TB, entries ...zent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func buildDOCX(t testing.TB, paragraphs ...string) []byte {
	t.Helper()
	body := ""
	for _, p := range paragraphs {
		body += `<w:p><w:r><w:t xml:space="preserve">` + p + `</w:t></w:r></w:p>`
	}
	return buildZip(t,
		zent{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)},
		zent{"_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)},
		zent{"word/document.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`)},
	)
}

func buildPDF(t testing.TB, pages int, lines ...string) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(true)
	p.SetFont("Helvetica", "", 12)
	tr := p.UnicodeTranslatorFromDescriptor("cp1252")
	for range pages {
		p.AddPage()
		for _, l := range lines {
			p.Cell(0, 8, tr(l))
			p.Ln(8)
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func buildXLSX(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellValue("Sheet1", "A1", "Navn")
	f.SetCellValue("Sheet1", "B1", "CPR")
	f.SetCellValue("Sheet1", "A2", "Søren Ærbø Østergård")
	f.SetCellValue("Sheet1", "B2", "010190-1234")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
