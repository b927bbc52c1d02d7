package detect

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func TestZZFullLocal(t *testing.T) {
	b, err := os.ReadFile("/tmp/corp/all.json")
	if err != nil {
		t.Skip()
	}
	var all map[string][][2]string
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	_, cases := loadCorpus(t)
	e := testEngine(t)
	tp, fp, fn := 0, 0, 0
	for _, c := range cases {
		parts := all[filepath.Base(c.File)]
		label := map[string]bool{}
		for _, d := range c.CPRs {
			label[d] = true
		}
		got := map[string]bool{}
		for _, p := range parts {
			for _, f := range e.CPR(p[1]) {
				if os.Getenv("V") != "" {
					fmt.Printf("  %s %s %s %.2f %v\n", c.File, p[0], f.Value, f.Confidence, f.Why)
				}
				if f.Confidence < Threshold {
					continue
				}
				if !got[f.Value] {
					got[f.Value] = true
					if label[f.Value] {
						tp++
					} else {
						fp++
						fmt.Printf("FP %s %s %s %.2f %v\n", c.File, p[0], f.Value, f.Confidence, f.Why)
					}
				}
			}
		}
		var miss []string
		for d := range label {
			if !got[d] {
				fn++
				miss = append(miss, d)
			}
		}
		sort.Strings(miss)
		if len(miss) > 0 {
			fmt.Printf("MISS %s %v\n", c.File, miss)
		}
	}
	fmt.Printf("FULL: tp %d fp %d fn %d\n", tp, fp, fn)
}
