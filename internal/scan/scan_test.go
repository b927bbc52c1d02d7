package scan

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

func newTestScanner(tb testing.TB) *Scanner {
	tb.Helper()
	det, err := detect.New(detect.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return New(formats.New(extract.Limits{}), det, identity.New(det, identity.Options{}), Options{})
}

func baseMessage(to message.Address) *message.Message {
	return &message.Message{
		From:    message.Address{Name: "Jonas Fisker", Address: "jonas.fisker@aarhus.dk"},
		To:      []message.Address{to},
		Subject: "Afgørelse",
		Bodies:  []message.Body{{ContentType: "text/plain", Content: "Hej\n\nHermed brevet.\n\nMed venlig hilsen\nJonas Fisker\n"}},
	}
}

// A broken attachment gets its own status and the rest of the message is still scanned.
func TestBrokenAttachmentDoesNotHideTheRest(t *testing.T) {
	s := newTestScanner(t)
	m := baseMessage(message.Address{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"})
	m.Attachments = []message.Attachment{
		{Name: "Referat.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog broken")},
		{Name: "Liste.txt", ContentType: "text/plain", Data: []byte("Borger: Søren Ærbø Østergård, CPR-nr. 010190-1234\n")},
	}
	res, err := s.Scan(context.Background(), m, policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]extract.Status{}
	for _, d := range res.Documents {
		status[d.Name] = d.Status
	}
	if status["Referat.pdf"] != extract.Unscannable {
		t.Errorf("corrupt PDF status %q, want unscannable", status["Referat.pdf"])
	}
	if status["Liste.txt"] != extract.Scanned {
		t.Errorf("text attachment status %q, want scanned", status["Liste.txt"])
	}
	var found bool
	for _, f := range res.Findings {
		if f.Kind == detect.KindCPR && f.Document == "Liste.txt" && f.Masked == "010190-xxxx" {
			found = true
		}
	}
	if !found {
		t.Errorf("CPR in the readable attachment not found: %+v", res.Findings)
	}
	if res.Verdict.Action != policy.Block {
		t.Errorf("action %s, want block (another citizen's CPR)", res.Verdict.Action)
	}
	codes := map[string]bool{}
	for _, r := range res.Verdict.Reasons {
		codes[r.Code] = true
	}
	for _, c := range []string{policy.CodeDifferentCitizen, policy.CodeUnreadable, policy.CodePersonalPlain} {
		if !codes[c] {
			t.Errorf("reason %s missing: %+v", c, res.Verdict.Reasons)
		}
	}
}

// The letter bundle of the Aarhus incident: many citizens' letters to one citizen.
func TestLetterBundleToOneCitizenIsBlocked(t *testing.T) {
	pdf, people, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 12, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	s := newTestScanner(t)
	m := baseMessage(message.Address{Name: people[0].Name(), Address: "borger@live.dk"})
	m.Attachments = []message.Attachment{{Name: "Breve samlet.pdf", ContentType: "application/pdf", Data: pdf}}
	res, err := s.Scan(context.Background(), m, policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range res.Findings {
		if f.Kind == detect.KindCPR {
			got[f.Value] = true
		}
	}
	for _, p := range people {
		if !got[p.CPRDigits()] {
			t.Errorf("CPR of page for %s not found", p.CPR[:6])
		}
	}
	if res.Verdict.Action != policy.Block {
		t.Fatalf("action %s, want block", res.Verdict.Action)
	}
	codes := map[string]bool{}
	for _, r := range res.Verdict.Reasons {
		codes[r.Code] = true
	}
	if !codes[policy.CodeBulkCPR] || !codes[policy.CodeDifferentCitizen] {
		t.Errorf("want bulk and different-citizen reasons, got %+v", res.Verdict.Reasons)
	}
	// The employee's message names the document and a masked identifier, never a full CPR.
	for _, r := range res.Verdict.Reasons {
		for _, p := range people {
			if strings.Contains(r.Message, p.CPRDigits()) || strings.Contains(r.Message, p.CPR) {
				t.Errorf("reason message leaks a CPR number: %s", r.Message)
			}
		}
	}
}

func TestCancelledScanFails(t *testing.T) {
	s := newTestScanner(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Scan(ctx, baseMessage(message.Address{Address: "a@b.dk"}), policy.Default()); err == nil {
		t.Error("a cancelled scan returned no error")
	}
}

// BenchmarkScanPDFBundle is a whole scan of a message carrying a ~5 MB PDF bundle: 100 letters,
// each page with a scanned-signature image, as case systems print them. Target: under 300 ms.
func BenchmarkScanPDFBundle(b *testing.B) {
	pdf, _, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 100, Seed: 1, ImageBytes: 50_000})
	if err != nil {
		b.Fatal(err)
	}
	benchScan(b, pdf)
}

// BenchmarkScanPDFTextBundle is the worst case of the same size: ~5 MB of text-only letters.
func BenchmarkScanPDFTextBundle(b *testing.B) {
	pdf, err := testgen.LetterBundlePDF(2400, 1)
	if err != nil {
		b.Fatal(err)
	}
	benchScan(b, pdf)
}

// BenchmarkScanTextMessage is the text-heavy message of test/compare_test.go in process: two
// lists of 2.5 MB of Danish case text (mail-merge data) and a three-page letter.
func BenchmarkScanTextMessage(b *testing.B) {
	pdf, _, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 3, Seed: 500})
	if err != nil {
		b.Fatal(err)
	}
	benchScan(b, pdf,
		message.Attachment{Name: "Bevillinger.txt", ContentType: "text/plain", Data: testgen.DanishText(2_500_000, 1000)},
		message.Attachment{Name: "Bevillinger 2.csv", ContentType: "text/csv", Data: testgen.DanishText(2_500_000, 1001)})
}

func benchScan(b *testing.B, pdf []byte, more ...message.Attachment) {
	s := newTestScanner(b)
	pol := policy.Default()
	m := baseMessage(message.Address{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"})
	m.Attachments = append([]message.Attachment{{Name: "Breve samlet.pdf", ContentType: "application/pdf", Data: pdf}}, more...)
	size := 0
	for _, a := range m.Attachments {
		size += len(a.Data)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		res, err := s.Scan(context.Background(), m, pol)
		if err != nil {
			b.Fatal(err)
		}
		if res.Verdict.Action != policy.Block {
			b.Fatalf("action %s", res.Verdict.Action)
		}
	}
	b.ReportMetric(float64(size)/(1<<20), "MB/msg")
}

// A message whose time runs out still gets a verdict: what was not read is not clean.
func TestTimedOutScanIsNotClean(t *testing.T) {
	s := newTestScanner(t)
	m := baseMessage(message.Address{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"})
	m.Attachments = []message.Attachment{{Name: "Liste.txt", ContentType: "text/plain", Data: []byte("CPR-nr. 010190-1234\n")}}
	ctx, cancel := context.WithTimeout(context.Background(), -1)
	defer cancel()
	res, err := s.Scan(ctx, m, policy.Default())
	if err != nil {
		t.Fatalf("expired scan returned an error instead of a verdict: %v", err)
	}
	if res.Verdict.Action == policy.Allow {
		t.Errorf("expired scan allowed the message: %+v", res.Documents)
	}
}

// A document read only in part counts as too large, and the part that was read is still scanned.
func TestTruncatedDocumentIsTooLarge(t *testing.T) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(formats.New(extract.Limits{MaxTextBytes: 200}), det, identity.New(det, identity.Options{}), Options{})
	m := baseMessage(message.Address{Name: "Søren Ærbø Østergård", Address: "soeren@live.dk"})
	text := "Kære Søren Ærbø Østergård\n\nCPR-nr. 010190-1234\n\n" + strings.Repeat("Ingen personoplysninger her. ", 100)
	m.Attachments = []message.Attachment{{Name: "Lang.txt", ContentType: "text/plain", Data: []byte(text)}}
	res, err := s.Scan(context.Background(), m, policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	var doc extract.Document
	for _, d := range res.Documents {
		if d.Name == "Lang.txt" {
			doc = d
		}
	}
	if doc.Status != extract.TooLarge || doc.Detail == "" {
		t.Errorf("truncated document: status %q detail %q, want too_large with a detail", doc.Status, doc.Detail)
	}
	var cpr bool
	for _, f := range res.Findings {
		cpr = cpr || (f.Kind == detect.KindCPR && f.Document == "Lang.txt")
	}
	if !cpr {
		t.Error("the part that was read was not scanned")
	}
	if res.Verdict.Action != policy.Secure {
		t.Errorf("action %s, want secure", res.Verdict.Action)
	}
}

// A message the parser could read only in part is not clean either.
func TestIncompleteMessageWarns(t *testing.T) {
	s := newTestScanner(t)
	m := baseMessage(message.Address{Address: "borger@live.dk"})
	m.Incomplete = "message: too complex"
	res, err := s.Scan(context.Background(), m, policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict.Action != policy.Warn {
		t.Errorf("action %s, want warn: %+v", res.Verdict.Action, res.Documents)
	}
}

// Attachments beyond the message's byte budget are too large, and the ones within it are read.
func TestMessageByteBudget(t *testing.T) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(formats.New(extract.Limits{}), det, identity.New(det, identity.Options{}), Options{MaxMessageBytes: 100})
	m := baseMessage(message.Address{Address: "borger@live.dk"})
	m.Attachments = []message.Attachment{
		{Name: "a.txt", ContentType: "text/plain", Data: []byte(strings.Repeat("a ", 30))},
		{Name: "b.txt", ContentType: "text/plain", Data: []byte(strings.Repeat("b ", 30))},
	}
	res, err := s.Scan(context.Background(), m, policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]extract.Document{}
	for _, d := range res.Documents {
		got[d.Name] = d
	}
	if got["a.txt"].Status != extract.Scanned {
		t.Errorf("a.txt: %+v", got["a.txt"])
	}
	if got["b.txt"].Status != extract.TooLarge || !strings.Contains(got["b.txt"].Detail, "MaxMessageBytes") {
		t.Errorf("b.txt: %+v, want too_large naming MaxMessageBytes", got["b.txt"])
	}
	if res.Verdict.Action != policy.Warn {
		t.Errorf("action %s, want warn", res.Verdict.Action)
	}
}

// The Aarhus incident: 350 one-page letters to 350 citizens as 350 files. The message is read up
// to the attachment limit, the rest is reported too large, and the mail is blocked (bulk).
func TestMoreAttachmentsThanTheLimitStillGetAVerdict(t *testing.T) {
	pdfs, people, err := testgen.SeparateLetters(350, 13)
	if err != nil {
		t.Fatal(err)
	}
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(formats.New(extract.Limits{}), det, identity.New(det, identity.Options{}), Options{MaxAttachments: 300})
	m := baseMessage(message.Address{Name: people[0].Name(), Address: "borger@live.dk"})
	for i, pdf := range pdfs {
		m.Attachments = append(m.Attachments, message.Attachment{Name: fmt.Sprintf("Brev %03d.pdf", i+1), ContentType: "application/pdf", Data: pdf})
	}
	for _, tc := range []struct {
		name string
		run  func() []extract.Document
	}{
		{"scan", func() []extract.Document {
			res, err := s.Scan(context.Background(), m, policy.Default())
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict.Action != policy.Block || !hasReason(res.Verdict, policy.CodeBulkCPR) {
				t.Errorf("action %s %+v, want block with bulk_cpr", res.Verdict.Action, res.Verdict.Reasons)
			}
			return res.Documents
		}},
		{"prepare", func() []extract.Document {
			var docs []extract.Document
			for _, p := range s.Prepare(context.Background(), m.Attachments) {
				docs = append(docs, p.Documents...)
			}
			return docs
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count := map[extract.Status]int{}
			for _, d := range tc.run() {
				if strings.HasPrefix(d.Name, "Brev ") {
					count[d.Status]++
					if d.Name == "Brev 301.pdf" && (d.Status != extract.TooLarge || !strings.Contains(d.Detail, "more than 300 attachments")) {
						t.Errorf("attachment 301: %s %q", d.Status, d.Detail)
					}
				}
			}
			if count[extract.Scanned] != 300 || count[extract.TooLarge] != 50 {
				t.Errorf("documents by status %v, want 300 scanned and 50 too_large", count)
			}
		})
	}
}
