package scan_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/extract/ocr"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/testenv"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// TestHiddenContent scans mails whose CPR number and diagnosis sit where a reader that skips
// real-world shapes would miss them (a multipart declared quoted-printable, also inside a zip;
// a file packaged as an OLE object in a Word document; a scanned page pasted into a Word
// document; a small picture strip; a PDF font without ToUnicode). The verdict must be secure
// with the CPR number found — or, where the content is only in a picture and OCR is not
// available, warn — and never allow.
func TestHiddenContent(t *testing.T) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pol := policy.Default()
	pol.InternalDomains = append(pol.InternalDomains, testgen.SenderDomain)
	cases, err := testgen.HiddenCases(99)
	if err != nil {
		t.Fatal(err)
	}
	hasOCR := ocr.LookupTools().Tesseract != ""
	if !hasOCR && testenv.Required(testenv.OCR) {
		testenv.Missing(t, testenv.OCR, "tesseract not found")
	}
	for _, tools := range []struct {
		name  string
		tools *ocr.Tools
		ocr   bool
	}{
		{"tools as installed", nil, hasOCR},
		{"no external tools", &ocr.Tools{}, false},
	} {
		x := formats.NewWithOptions(extract.Limits{}, formats.Options{Tools: tools.tools})
		s := scan.New(x, det, identity.New(det, identity.Options{}), scan.Options{})
		for _, c := range cases {
			t.Run(tools.name+"/"+c.Class, func(t *testing.T) {
				res := scanEML(t, s, pol, c.Class, c.EML)
				var docs string
				for _, d := range res.Documents {
					docs += fmt.Sprintf(" [%s %s %s: %s]", d.Name, d.Type, d.Status, d.Detail)
				}
				want := policy.Secure
				if c.NeedsOCR && !tools.ocr {
					want = policy.Warn
				}
				if res.Verdict.Action != want {
					t.Fatalf("verdict %s, want %s;%s", res.Verdict.Action, want, docs)
				}
				if want == policy.Secure && !foundCPR(res, c.CPR) {
					t.Errorf("CPR number not found;%s", docs)
				}
			})
		}
	}
}

// scanEML parses a generated mail and scans it end to end within a minute, ending the test on
// an error.
func scanEML(t *testing.T, s *scan.Scanner, pol *policy.Policy, name string, eml []byte) *scan.Result {
	t.Helper()
	msg, err := message.Parse(eml)
	if err != nil {
		t.Fatalf("%s: parse: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := s.Scan(ctx, msg, pol)
	if err != nil {
		t.Fatalf("%s: scan: %v", name, err)
	}
	return res
}

func foundCPR(res *scan.Result, cpr string) bool {
	digits := cpr[:6] + cpr[7:]
	for _, f := range res.Findings {
		if f.Kind == detect.KindCPR && (f.Value == digits || f.Value == cpr) {
			return true
		}
	}
	return false
}
