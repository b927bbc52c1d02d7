// Package test holds end-to-end tests: the real sendevagt binary against the labelled corpus.
package test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/report"
	"github.com/sendevagt/sendevagt/internal/testenv"
)

// label is one line of ../shared/corpus/cases.jsonl.
type label struct {
	File     string   `json:"file"`
	Action   string   `json:"action"`
	CPRs     []string `json:"cprs"`
	Scenario string   `json:"scenario"`
}

func readLabels(t *testing.T, dir string) []label {
	f, err := os.Open(filepath.Join(dir, "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []label
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("cases.jsonl: %v", err)
		}
		out = append(out, l)
	}
	return out
}

var exitAction = map[int]string{0: "allow", 3: "warn", 4: "secure", 5: "block"}

// TestCorpus scans every labelled message exactly as the corpus README says and scores the
// verdicts (at least 95 % right) and the CPR numbers found (precision and recall at least 0.98).
func TestCorpus(t *testing.T) {
	dir := testenv.CorpusDir(t)
	bin := buildBinary(t)
	labels := readLabels(t, dir)
	if len(labels) == 0 {
		t.Fatal("no labelled cases")
	}
	var right, tp, fp, fn int
	perScenario := map[string][2]int{}
	for _, l := range labels {
		cmd := exec.Command(bin, "scan", "--json", "--show-values",
			"--trusted-domain", "randers.dk", "--trusted-domain", "regionmidtjylland.dk",
			filepath.Join(dir, l.File))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", l.File, err)
		}
		var out report.Report // the CLI prints the one masked report
		if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
			t.Errorf("%s: exit %d, bad JSON: %v\nstderr: %s", l.File, code, jerr, stderr.String())
			continue
		}
		if exitAction[code] != string(out.Action) {
			t.Errorf("%s: exit status %d does not match action %q", l.File, code, out.Action)
		}
		s := perScenario[l.Scenario]
		s[1]++
		if string(out.Action) == l.Action {
			right++
			s[0]++
		} else {
			var docs []string
			for _, d := range out.Documents {
				docs = append(docs, fmt.Sprintf("%s=%s %s", d.Name, d.Status, d.Detail))
			}
			t.Logf("MISS %s: got %s, want %s (documents: %s)", l.File, out.Action, l.Action, strings.Join(docs, "; "))
		}
		perScenario[l.Scenario] = s

		want := map[string]bool{}
		for _, c := range l.CPRs {
			want[c] = true
		}
		got := map[string]bool{}
		for _, f := range out.Findings {
			if f.Kind == "cpr" {
				got[digits(f.Value)] = true
			}
		}
		for c := range got {
			if want[c] {
				tp++
			} else {
				fp++
				t.Logf("FALSE CPR %s: %s-xxxx", l.File, c[:min(6, len(c))])
			}
		}
		for c := range want {
			if !got[c] {
				fn++
				t.Logf("MISSED CPR %s: %s-xxxx", l.File, c[:6])
			}
		}
	}
	n := len(labels)
	accuracy := float64(right) / float64(n)
	precision := ratio(tp, tp+fp)
	recall := ratio(tp, tp+fn)
	var names []string
	for k := range perScenario {
		names = append(names, k)
	}
	sort.Strings(names)
	t.Logf("corpus: %d messages, action right %d (%.1f %%); CPR precision %.3f, recall %.3f (tp %d, fp %d, fn %d)",
		n, right, 100*accuracy, precision, recall, tp, fp, fn)
	for _, k := range names {
		t.Logf("  %-24s %d/%d", k, perScenario[k][0], perScenario[k][1])
	}
	fmt.Printf("corpus score: action %d/%d (%.1f %%), CPR precision %.3f recall %.3f\n", right, n, 100*accuracy, precision, recall)
	if accuracy < 0.95 {
		t.Errorf("action accuracy %.3f < 0.95", accuracy)
	}
	if precision < 0.98 || recall < 0.98 {
		t.Errorf("CPR precision %.3f / recall %.3f below 0.98", precision, recall)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
