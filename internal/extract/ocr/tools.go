// Package ocr runs the external programs that read what the Go readers cannot (shared/docs/
// EXTRACT.md §3): poppler's pdftotext reads PDFs the Go reader rejects, pdftoppm renders pages
// for OCR, tesseract recognises text. Each runs in its own process group, killed as a whole
// when its context ends, with stdout capped and, when prlimit exists, a 1 GiB address-space
// limit. It knows nothing of documents: the extract packages use it through small interfaces.
package ocr

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

// Tools names the external programs an Engine may run, by path. An empty path means the
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

// Engine runs the Tools: text of PDFs, pages rendered and images recognised. It checks the OCR
// language once, on first use, and is safe for concurrent use. The zero Engine has no tools.
type Engine struct {
	tools    Tools
	langOnce sync.Once
	langOK   bool
}

// New returns an Engine for t; an empty OCRLanguage means "dan".
func New(t Tools) *Engine {
	if t.OCRLanguage == "" {
		t.OCRLanguage = "dan"
	}
	return &Engine{tools: t}
}

// Tools returns the programs the Engine runs.
func (t *Engine) Tools() Tools { return t.tools }

// Available reports whether tesseract is there with the OCR language (tesseract --list-langs,
// run once per Engine).
func (t *Engine) Available(ctx context.Context) bool {
	if t == nil || t.tools.Tesseract == "" {
		return false
	}
	t.langOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		out, _, err := t.run(ctx, 64<<10, t.tools.Tesseract, "--list-langs")
		if err != nil && len(out) == 0 {
			return
		}
		// "List of available languages in ...:" then one language per line (tesseract 5).
		for _, l := range strings.Split(string(out), "\n") {
			if strings.TrimSpace(l) == t.tools.OCRLanguage {
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
func (t *Engine) run(ctx context.Context, max int, prog string, args ...string) ([]byte, bool, error) {
	if t.tools.Prlimit != "" {
		args = append([]string{"--as=1073741824", "--", prog}, args...)
		prog = t.tools.Prlimit
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
