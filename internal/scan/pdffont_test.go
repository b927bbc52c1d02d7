package scan

import (
	"context"
	"testing"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// A PDF whose text is in a Type0/Identity-H font without a ToUnicode map (issue 14, class 5):
// read through the embedded font's own cmap it holds a CPR number and a diagnosis, so the mail
// is not allowed; without the font nobody can read it, and the document warns instead of
// counting as clean (before issue 14 the heading alone made the page read and the mail allowed).
func TestPDFIdentityFontIsNeverClean(t *testing.T) {
	const text = "Borger Jens Kragh CPR-nr. 010190-1234 er indlagt med skizofreni"
	tests := []struct {
		name     string
		embedded bool
		status   extract.Status
	}{
		{"font embedded", true, extract.Scanned},
		{"font not embedded", false, extract.Unscannable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestScanner(t)
			m := baseMessage(message.Address{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"})
			m.Attachments = []message.Attachment{{Name: "Journal.pdf", ContentType: "application/pdf", Data: testgen.Type0PDF("Journalnotat", text, tc.embedded)}}
			res, err := s.Scan(context.Background(), m, policy.Default())
			if err != nil {
				t.Fatal(err)
			}
			var doc *extract.Document
			for i := range res.Documents {
				if res.Documents[i].Name == "Journal.pdf" {
					doc = &res.Documents[i]
				}
			}
			if doc == nil || doc.Status != tc.status {
				t.Fatalf("document %+v, want status %s", doc, tc.status)
			}
			if res.Verdict.Action == policy.Allow {
				t.Errorf("allowed: %+v", res.Verdict)
			}
			cpr := false
			for _, f := range res.Findings {
				cpr = cpr || f.Kind == detect.KindCPR && f.Document == "Journal.pdf"
			}
			if cpr != tc.embedded {
				t.Errorf("CPR found %v, want %v", cpr, tc.embedded)
			}
			t.Logf("%s: %s %s, action %s", tc.name, doc.Status, doc.Detail, res.Verdict.Action)
		})
	}
}
