package test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// TestRobustness runs every file under a folder through the real binary, one `sendevagt scan
// --json` per file, and fails on a crash (a signal, a panic, an exit status that is neither a
// verdict nor a clear error), a hang (no answer within robustHang), or a PDF whose pdftotext
// text has at least 10 words while ours is "scanned" with under half of them (a page read
// as clean that was not). It prints the figures: files, statuses, errors, word fidelity against
// pdftotext, and time against pdftotext.
//
// SENDEVAGT_ROBUST_DIR names the folder (real-world corpora fetched outside the repo: pdf.js's
// test/pdfs, Apache POI's test-data, mail-library fixtures). Without it the test runs on a
// generated folder (letters as PDF and DOCX, Outlook messages, mails, archives and damaged
// files), which is what CI runs. SENDEVAGT_ROBUST_PARALLEL sets the number of files scanned at
// once (default 2).
func TestRobustness(t *testing.T) {
	dir := os.Getenv("SENDEVAGT_ROBUST_DIR")
	if dir == "" {
		dir = t.TempDir()
		writeRobustSet(t, dir)
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no files under %s", dir)
	}
	sort.Strings(files)
	par := 2
	if v, err := strconv.Atoi(os.Getenv("SENDEVAGT_ROBUST_PARALLEL")); err == nil && v > 0 {
		par = v
	}
	pdftotext, _ := exec.LookPath("pdftotext")

	bin := buildBinary(t)
	results := make([]robustResult, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = robustScan(bin, pdftotext, files[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()

	var sum robustSummary
	for i, r := range results {
		rel, _ := filepath.Rel(dir, files[i])
		sum.add(r)
		if r.failure != "" {
			t.Errorf("%s: %s", rel, r.failure)
		}
	}
	for _, line := range sum.lines() {
		t.Log(line)
	}
}

// robustHang is how long one file may take before it counts as a hang: the CLI's own limits
// (30 s a message, 20 s an attachment) end well before it.
const robustHang = 90 * time.Second

// robustResult is what one file gave.
type robustResult struct {
	exit     int
	status   string // the top document's status; "" when the run gave no report
	words    int    // words we read in the top document
	refWords int    // pdftotext's words; -1 when not a PDF or pdftotext is absent
	took     time.Duration
	refTook  time.Duration
	failure  string // why the file fails the test; "" when it passes
}

func robustScan(bin, pdftotext, file string) robustResult {
	r := robustResult{refWords: -1}
	ctx, cancel := context.WithTimeout(context.Background(), robustHang)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "scan", "--json", "--to", "modtager@example.net", file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r.took = time.Since(start)
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.failure = fmt.Sprintf("hang: no verdict within %s", robustHang)
		return r
	case errors.As(err, &ee):
		r.exit = ee.ExitCode()
		if r.exit < 0 {
			r.failure = "crash: " + ee.String()
			return r
		}
	case err != nil:
		r.failure = "could not run: " + err.Error()
		return r
	}
	if strings.Contains(stderr.String(), "panic:") || strings.Contains(stderr.String(), "goroutine ") {
		r.failure = "crash: panic"
		return r
	}
	switch r.exit {
	case 0, 3, 4, 5: // a verdict (allow, warn, secure, block)
	case 1: // a clear error: counted, not a failure
		r.status = "error"
		return r
	default:
		r.failure = fmt.Sprintf("exit status %d", r.exit)
		return r
	}
	var rep struct {
		Documents []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Words  int    `json:"words"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(firstJSON(stdout.Bytes()), &rep); err != nil {
		r.failure = "no report on stdout"
		return r
	}
	if len(rep.Documents) == 0 { // a message with no body and no attachment (a blank .msg)
		r.status = "empty message"
		return r
	}
	top := rep.Documents[0]
	r.status, r.words = top.Status, top.Words
	if top.Type == "pdf" && pdftotext != "" {
		r.refWords, r.refTook = referenceWords(pdftotext, file)
		if r.status == "scanned" && r.refWords >= 10 && 2*r.words < r.refWords {
			r.failure = fmt.Sprintf("scanned with %d words, pdftotext reads %d", r.words, r.refWords)
		}
	}
	return r
}

// firstJSON is the first line of out (one JSON object a message).
func firstJSON(out []byte) []byte {
	if i := bytes.IndexByte(out, '\n'); i >= 0 {
		return out[:i]
	}
	return out
}

// referenceWords runs pdftotext on file and counts its words (-1 when it fails).
func referenceWords(pdftotext, file string) (int, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), robustHang)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, pdftotext, "-q", "-enc", "UTF-8", file, "-").Output()
	took := time.Since(start)
	if err != nil && len(out) == 0 {
		return -1, took
	}
	return countWords(string(out)), took
}

// countWords counts runs of letters or digits, as the report's word count does.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// robustSummary adds up the results.
type robustSummary struct {
	files, failures int
	statuses        map[string]int
	exits           map[int]int
	pdfs, pdfMatch  int // PDFs pdftotext reads (≥ 10 words); ours within ±10 % of its word count
	pdfHalf         int // ... where we read at least half of its words
	took, refTook   time.Duration
	pdfTook         time.Duration // our time on the PDFs pdftotext read
	slowest         time.Duration
}

func (s *robustSummary) add(r robustResult) {
	if s.statuses == nil {
		s.statuses, s.exits = map[string]int{}, map[int]int{}
	}
	s.files++
	if r.failure != "" {
		s.failures++
	}
	st := r.status
	if st == "" {
		st = "none"
	}
	s.statuses[st]++
	s.exits[r.exit]++
	s.took += r.took
	s.slowest = max(s.slowest, r.took)
	if r.refWords >= 10 {
		s.pdfs++
		s.refTook += r.refTook
		s.pdfTook += r.took
		if 2*r.words >= r.refWords {
			s.pdfHalf++
		}
		if d := r.words - r.refWords; 10*d <= r.refWords && -10*d <= r.refWords {
			s.pdfMatch++
		}
	}
}

func (s *robustSummary) lines() []string {
	var st []string
	for k, v := range s.statuses {
		st = append(st, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(st)
	var ex []string
	for k, v := range s.exits {
		ex = append(ex, fmt.Sprintf("%d:%d", k, v))
	}
	sort.Strings(ex)
	out := []string{
		fmt.Sprintf("files %d, failures %d, top-document status: %s", s.files, s.failures, strings.Join(st, ", ")),
		fmt.Sprintf("exit codes (0 allow, 1 error, 3 warn, 4 secure, 5 block): %s", strings.Join(ex, " ")),
		fmt.Sprintf("wall time %s in all, slowest file %s", s.took.Round(time.Millisecond), s.slowest.Round(time.Millisecond)),
	}
	if s.pdfs > 0 {
		out = append(out,
			fmt.Sprintf("PDFs pdftotext reads (≥10 words): %d; ours within ±10%% of its words: %d (%.0f %%); at least half: %d (%.0f %%)",
				s.pdfs, s.pdfMatch, 100*float64(s.pdfMatch)/float64(s.pdfs), s.pdfHalf, 100*float64(s.pdfHalf)/float64(s.pdfs)),
			fmt.Sprintf("time on those PDFs: sendevagt scan %s (whole CLI run), pdftotext %s",
				s.pdfTook.Round(time.Millisecond), s.refTook.Round(time.Millisecond)))
	}
	return out
}

// writeRobustSet writes the generated folder CI runs: letters as PDF and DOCX, Outlook
// messages, mails, an archive, and damaged and odd files that must still get a verdict or a
// clear error.
func writeRobustSet(t *testing.T, dir string) {
	t.Helper()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		seed := int64(7100 + i)
		pdf, err := testgen.LetterBundlePDF(2+i, seed)
		if err != nil {
			t.Fatal(err)
		}
		write(fmt.Sprintf("breve-%d.pdf", i), pdf)
		// Damaged copies: cut short, and with the cross-reference offsets pointing nowhere.
		write(fmt.Sprintf("afkortet-%d.pdf", i), pdf[:len(pdf)*2/3])
		write(fmt.Sprintf("xref-%d.pdf", i), bytes.ReplaceAll(pdf, []byte(" 00000 n"), []byte(" 00000 f")))
	}
	for _, m := range testgen.Messages(1, 7200)[:8] {
		write(m.Name, m.EML)
		// The same mail as some clients save it: white space before the header.
		write("indrykket-"+m.Name, append([]byte("   \r\n"), m.EML...))
	}
	write("notat.msg", testgen.OutlookMSG(testgen.MSGSpec{Subject: "Notat", Body: "Mødet flyttes til torsdag."}))
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for i := range 2 {
		pdf, err := testgen.LetterBundlePDF(1, int64(7300+i))
		if err != nil {
			t.Fatal(err)
		}
		f, _ := zw.Create(fmt.Sprintf("brev-%d.pdf", i))
		f.Write(pdf)
	}
	zw.Close()
	write("breve.zip", zbuf.Bytes())
	write("tom.pdf", nil)
	write("støj.bin", bytes.Repeat([]byte{0x00, 0xFF, 0x13, 0x37}, 4096))
	write("ikke-en.pdf", []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF"))
	write("ikke-en.docx", []byte("PK\x03\x04 truncated"))
}
