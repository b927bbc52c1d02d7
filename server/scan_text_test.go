package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/report"
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
	const head = `x.eml
  Verdict: BLOCK  – mailen må ikke sendes
  - [cpr_external] CPR til ekstern
  Documents:
    scanned      pdf    brev.pdf  
    unscannable  image  scan.png  no text
  Findings:
`
	tests := []struct {
		name       string
		showValues bool
		want       string
	}{
		{"masked", false, head + `    cpr        brev.pdf p.1   010190-xxxx  0.85  
    sensitive  brev.pdf p.12  d…           0.70  health
`},
		{"values", true, head + `    cpr        brev.pdf p.1   0101901234  0.85  
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

// TestFindingTableAsTabwriter: the hand-aligned findings are laid out as text/tabwriter lays out
// the same cells, over more than one block of random findings with letters beyond ASCII, and a
// tab or line break in a document's name becomes a space.
func TestFindingTableAsTabwriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	kinds := []detect.Kind{detect.KindCPR, detect.KindName, detect.KindAddress, detect.KindSensitive}
	docs := []string{"brev.pdf", "Bilag æøå.docx", "(mailtekst)", "Sag 2026/Notat – Ærø.pdf", "x"}
	values := []string{"010190-xxxx", "Å. Ø.", "S. H.", "d…", "Ærøgade 1", "0101901234"}
	cats := []string{"", "health", "social", "criminal"}
	fs := make([]detect.Finding, findingsBlock+rng.IntN(findingsBlock))
	for i := range fs {
		v := values[rng.IntN(len(values))]
		fs[i] = detect.Finding{Kind: kinds[rng.IntN(len(kinds))], Document: docs[rng.IntN(len(docs))], Page: 1 + rng.IntN(300),
			Value: v + strings.Repeat("ø", rng.IntN(3)), Masked: v, Confidence: rng.Float64(), Category: cats[rng.IntN(len(cats))]}
	}
	for _, showValues := range []bool{false, true} {
		var want bytes.Buffer
		tw := tabwriter.NewWriter(&want, 2, 4, 2, ' ', 0)
		for i, f := range fs {
			v := f.Masked
			if showValues {
				v = f.Value
			}
			fmt.Fprintf(tw, "    %s\t%s p.%d\t%s\t%.2f\t%s\n", f.Kind, f.Document, f.Page, v, report.Confidence(f.Confidence), f.Category)
			if (i+1)%findingsBlock == 0 {
				tw.Flush()
			}
		}
		tw.Flush()
		var got bytes.Buffer
		tab := findingTable{showValues: showValues}
		for i := 0; i < len(fs); i += findingsBlock {
			tab.write(&got, fs[i:min(i+findingsBlock, len(fs))])
		}
		if got.String() != want.String() {
			g, w := strings.Split(got.String(), "\n"), strings.Split(want.String(), "\n")
			for i := range min(len(g), len(w)) {
				if g[i] != w[i] {
					t.Fatalf("showValues %v, line %d:\n got %q\nwant %q", showValues, i, g[i], w[i])
				}
			}
			t.Fatalf("showValues %v: %d lines, want %d", showValues, len(g), len(w))
		}
	}
	var b bytes.Buffer
	tab := findingTable{}
	tab.write(&b, []detect.Finding{{Kind: detect.KindCPR, Document: "a\tb\nc.pdf", Page: 1, Masked: "010190-xxxx", Confidence: 1}})
	if want := "    cpr  a b c.pdf p.1  010190-xxxx  1.00  \n"; b.String() != want {
		t.Errorf("a name with a tab and a line break: %q, want %q", b.String(), want)
	}
}
