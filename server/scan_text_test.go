package main

import (
	"bytes"
	"testing"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
)

// TestWriteText pins the text report's layout: the verdict, its reasons, the documents and one
// aligned line per finding, the masked form unless values are shown, and the confidence rounded
// as the JSON report rounds it (0.845 is 0.85 there, where %.2f would print 0.84).
func TestWriteText(t *testing.T) {
	res := &scan.Result{
		Verdict: policy.Verdict{Action: policy.Block, Reasons: []policy.Reason{{Code: "cpr_external", Message: "CPR til ekstern"}}},
		Documents: []extract.Document{{Name: "brev.pdf", Type: "pdf", Status: extract.Scanned},
			{Name: "scan.png", Type: "image", Status: extract.Unscannable, Detail: "no text"}},
		Findings: []detect.Finding{
			{Kind: detect.KindCPR, Document: "brev.pdf", Page: 1, Value: "0101901234", Masked: "010190-xxxx", Confidence: 0.845},
			{Kind: detect.KindSensitive, Document: "brev.pdf", Page: 12, Value: "diabetes", Masked: "d…", Confidence: 0.7, Category: "health"},
		},
	}
	tests := []struct {
		name       string
		showValues bool
		want       string
	}{
		{"masked", false, `x.eml
  Verdict: BLOCK  – mailen må ikke sendes
  - [cpr_external] CPR til ekstern
  Documents:
    scanned      pdf    brev.pdf  
    unscannable  image  scan.png  no text
  Findings:
    cpr        brev.pdf p.1   010190-xxxx  0.85  
    sensitive  brev.pdf p.12  d…           0.70  health
`},
		{"values", true, `x.eml
  Verdict: BLOCK  – mailen må ikke sendes
  - [cpr_external] CPR til ekstern
  Documents:
    scanned      pdf    brev.pdf  
    unscannable  image  scan.png  no text
  Findings:
    cpr        brev.pdf p.1   0101901234  0.85  
    sensitive  brev.pdf p.12  diabetes    0.70  health
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			writeText(&b, "x.eml", res, tt.showValues)
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}
