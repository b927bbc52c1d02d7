package extract

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// External programs (shared/docs/EXTRACT.md §3): poppler's pdftotext reads PDFs the Go reader
// rejects, pdftoppm renders pages for OCR, tesseract recognises text. Each runs in its own
// process group, killed as a whole when its context ends, with stdout capped and, when prlimit
// exists, a 1 GiB address-space limit.

// Tools names the external programs an Extractor may run, by path. An empty path means the
// program is not available: the PDF fallback or OCR that needs it is skipped.
type Tools struct {
	PDFToText string // poppler-utils
	PDFToPPM  string // poppler-utils
	Tesseract string // tesseract-ocr; OCR also needs OCRLanguage installed (checked once, on first use)
	Prlimit   string // util-linux; when set, every tool runs under prlimit --as=1 GiB
	// OCRLanguage is tesseract's -l argument; "" means "dan" (tesseract-ocr-dan).
	OCRLanguage string
}

// LookupTools finds the programs in PATH (exec.LookPath). It does not run them.
func LookupTools() Tools {
	var t Tools
	for _, e := range []struct {
		dst  *string
		name string
	}{{&t.PDFToText, "pdftotext"}, {&t.PDFToPPM, "pdftoppm"}, {&t.Tesseract, "tesseract"}, {&t.Prlimit, "prlimit"}} {
		if p, err := exec.LookPath(e.name); err == nil {
			*e.dst = p
		}
	}
	return t
}

// Options configure an Extractor beyond its Limits.
type Options struct {
	// Tools are the external programs to use. Nil: LookupTools() when the Extractor is made.
	// &Tools{}: none (no pdftotext fallback, images and image-only PDFs "OCR not available").
	Tools *Tools
	// NoOCR turns OCR off whatever Tools say (the other tools stay): images, pictures in
	// documents and image-only PDFs are then treated as where tesseract is not installed.
	NoOCR bool
}

// NewWithOptions returns an Extractor with the given limits (zero fields take DefaultLimits)
// and options.
func NewWithOptions(lim Limits, opt Options) *Extractor {
	var t Tools
	if opt.Tools != nil {
		t = *opt.Tools
	} else {
		t = LookupTools()
	}
	if t.OCRLanguage == "" {
		t.OCRLanguage = "dan"
	}
	if opt.NoOCR {
		t.Tesseract = ""
	}
	return &Extractor{lim: lim.withDefaults(), tools: &toolSet{Tools: t}}
}

// toolSet is an Extractor's tools with the lazily checked OCR language.
type toolSet struct {
	Tools
	langOnce sync.Once
	langOK   bool
}

// ocrAvailable reports whether tesseract is there with the OCR language (tesseract --list-langs,
// run once per Extractor).
func (t *toolSet) ocrAvailable(ctx context.Context) bool {
	if t == nil || t.Tesseract == "" {
		return false
	}
	t.langOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		out, _, err := t.run(ctx, 64<<10, t.Tesseract, "--list-langs")
		if err != nil && len(out) == 0 {
			return
		}
		// "List of available languages in ...:" then one language per line (tesseract 5).
		for _, l := range strings.Split(string(out), "\n") {
			if strings.TrimSpace(l) == t.OCRLanguage {
				t.langOK = true
			}
		}
	})
	return t.langOK
}

// errToolOutput means a tool wrote more than the cap to stdout (the output kept is the first part).
var errToolOutput = errors.New("tool output limit reached")

// run runs a tool with args under ctx: own process group killed on cancellation, stdout kept up
// to max bytes (further output stops the tool: errToolOutput), stderr dropped, environment with
// OMP_THREAD_LIMIT=1, and the prlimit memory cap when prlimit is available.
func (t *toolSet) run(ctx context.Context, max int, prog string, args ...string) ([]byte, bool, error) {
	if t.Prlimit != "" {
		args = append([]string{"--as=1073741824", "--", prog}, args...)
		prog = t.Prlimit
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	out := &cappedWriter{max: max}
	cmd.Stdout = out
	cmd.Stderr = nil
	cmd.Stdin = nil
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1", "LC_ALL=C.UTF-8")
	isolateTool(cmd)
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if out.over {
		return out.buf.Bytes(), true, errToolOutput
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return out.buf.Bytes(), false, err
}

// cappedWriter keeps the first max bytes; a write beyond that fails, which closes the pipe and
// ends the writing process.
type cappedWriter struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	room := w.max - w.buf.Len()
	if len(p) > room {
		w.buf.Write(p[:max(room, 0)])
		w.over = true
		return max(room, 0), errToolOutput
	}
	return w.buf.Write(p)
}

// writeTemp writes data to a new file (mode 0600) in dir ("" = the system temp dir).
func writeTemp(dir, pattern string, data []byte) (string, error) {
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
