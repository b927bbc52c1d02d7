package scan_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/extract/ocr"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// harmlessCount is the number of ordinary external mails scanned (the kinds take turns).
const harmlessCount = 180

// maxHarmlessWarnRate is the highest share of ordinary external mails that may get anything but
// allow: a guard that warns on more is switched off.
const maxHarmlessWarnRate = 0.01

// TestHarmlessExternalMail scans ordinary external mails (signature logos and signatures set as
// images, icons, photos, calendar invitations, contact cards, S/MIME signatures, newsletters,
// an agenda PDF) from the authority to other organisations, with OCR as installed and with no
// external tools at all, and prints the share that is not allowed; it fails at 1 % or more.
func TestHarmlessExternalMail(t *testing.T) {
	if testing.Short() {
		t.Skip("harmless mail set: not in -short")
	}
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pol := policy.Default()
	pol.InternalDomains = append(pol.InternalDomains, testgen.SenderDomain)
	msgs := testgen.HarmlessMails(harmlessCount, 4711)
	for _, tc := range []struct {
		name  string
		tools *ocr.Tools // nil: as installed
	}{
		{"tools as installed", nil},
		{"no external tools", &ocr.Tools{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := formats.NewWithOptions(extract.Limits{}, formats.Options{Tools: tc.tools})
			s := scan.New(x, det, identity.New(det, identity.Options{}), scan.Options{Concurrency: 2})
			notAllowed := map[string]int{}
			var failures []string
			for _, m := range msgs {
				res := scanEML(t, s, pol, m.Name, m.EML)
				if res.Verdict.Action == policy.Allow {
					continue
				}
				notAllowed[m.Label.Class]++
				why := ""
				for _, r := range res.Verdict.Reasons {
					why += " " + r.Code
				}
				for _, d := range res.Documents {
					if d.Status != extract.Scanned {
						why += fmt.Sprintf(" [%s %s: %s]", d.Type, d.Status, d.Detail)
					}
				}
				failures = append(failures, fmt.Sprintf("%s: %s%s", m.Name, res.Verdict.Action, why))
			}
			n := 0
			var kinds []string
			for k, v := range notAllowed {
				n += v
				kinds = append(kinds, fmt.Sprintf("%s %d", k, v))
			}
			sort.Strings(kinds)
			rate := float64(n) / float64(len(msgs))
			t.Logf("ordinary external mails not allowed: %d of %d (%.1f %%) %v", n, len(msgs), 100*rate, kinds)
			if rate >= maxHarmlessWarnRate {
				for _, f := range failures {
					t.Log(f)
				}
				t.Errorf("warn rate %.1f %% on ordinary external mail, want under %.0f %%", 100*rate, 100*maxHarmlessWarnRate)
			}
		})
	}
}
