package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Marks of the expected findings in a true-positive example.
const (
	markOpen  = "⟦"
	markClose = "⟧"
)

// TestRecognizerExamples runs the examples every registered recognizer ships beside its data
// (gitleaks' rule-carries-its-examples): testdata/<name>/tp holds texts in which the recognizer
// finds exactly the spans marked ⟦…⟧ at or above the threshold, testdata/<name>/fp texts in which
// it finds nothing at or above it. The recognizer runs as Detect runs it (after the recognizers
// it reads).
func TestRecognizerExamples(t *testing.T) {
	e := testEngine(t)
	for _, reg := range e.reg {
		name := reg.rec.Name()
		for _, set := range []string{"tp", "fp"} {
			t.Run(name+"/"+set, func(t *testing.T) {
				examples, err := readExamples(filepath.Join("testdata", name, set))
				if err != nil {
					t.Fatal(err)
				}
				if len(examples) == 0 {
					t.Fatalf("no examples: every recognizer ships true and false positives")
				}
				for _, ex := range examples {
					text, want, err := unmark(ex)
					if err != nil {
						t.Errorf("%q: %v", ex, err)
						continue
					}
					if set == "tp" && len(want) == 0 {
						t.Errorf("%q: a true-positive example without a marked finding", ex)
					}
					if set == "fp" && len(want) > 0 {
						t.Errorf("%q: a false-positive example with a marked finding", ex)
					}
					var got []string
					for _, f := range e.findWith(name, text) {
						if f.Confidence >= Threshold {
							got = append(got, fmt.Sprintf("%q", text[f.Start:f.End]))
						}
						if len(f.Why) == 0 || f.Masked == "" {
							t.Errorf("%q: finding without Why or Masked: %+v", ex, f)
						}
					}
					var wanted []string
					for _, w := range want {
						wanted = append(wanted, fmt.Sprintf("%q", text[w[0]:w[1]]))
					}
					if strings.Join(got, " ") != strings.Join(wanted, " ") {
						t.Errorf("%s\n  found %v\n  want  %v", ex, got, wanted)
					}
				}
			})
		}
	}
}

// readExamples reads an example file: examples separated by lines "---"; lines starting with
// "#" are comments.
func readExamples(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	var cur []string
	flush := func() {
		if ex := strings.Trim(strings.Join(cur, "\n"), "\n"); ex != "" {
			out = append(out, ex)
		}
		cur = cur[:0]
	}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case line == "---":
			flush()
		case strings.HasPrefix(line, "#"):
		default:
			cur = append(cur, line)
		}
	}
	flush()
	return out, nil
}

// unmark removes the marks from an example and returns the text with the marked spans.
func unmark(ex string) (string, [][2]int, error) {
	var b strings.Builder
	var spans [][2]int
	open := -1
	for len(ex) > 0 {
		switch {
		case strings.HasPrefix(ex, markOpen):
			if open >= 0 {
				return "", nil, fmt.Errorf("nested %s", markOpen)
			}
			open = b.Len()
			ex = ex[len(markOpen):]
		case strings.HasPrefix(ex, markClose):
			if open < 0 {
				return "", nil, fmt.Errorf("%s without %s", markClose, markOpen)
			}
			spans = append(spans, [2]int{open, b.Len()})
			open = -1
			ex = ex[len(markClose):]
		default:
			b.WriteByte(ex[0])
			ex = ex[1:]
		}
	}
	if open >= 0 {
		return "", nil, fmt.Errorf("%s not closed", markOpen)
	}
	return b.String(), spans, nil
}

// TestRegistryOrder: a recognizer is registered after the ones it reads, once.
func TestRegistryOrder(t *testing.T) {
	phone, err := newPhoneRecognizer()
	if err != nil {
		t.Fatal(err)
	}
	cpr, err := newCPRRecognizer(func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	account, err := newAccountRecognizer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		order []recognizer
		ok    bool
	}{
		{"readers after what they read", []recognizer{phone, account, cpr}, true},
		{"cpr before the phone numbers it reads", []recognizer{cpr, phone, account}, false},
		{"cpr without the account numbers it reads", []recognizer{phone, cpr}, false},
		{"twice", []recognizer{phone, phone}, false},
	} {
		var reg registry
		var err error
		for _, r := range tc.order {
			if err = reg.register(r, true); err != nil {
				break
			}
		}
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
	// A recognizer read as evidence runs only around its reader's spans: it cannot read others.
	var reg registry
	for _, r := range []recognizer{phone, account} {
		if err := reg.register(r, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.register(cpr, false); err == nil {
		t.Error("an evidence-only recognizer that reads others was registered")
	}
}

// TestDetectReportsNoEvidence: phone and account numbers weigh on the CPR recognizer but are
// not Detect's findings.
func TestDetectReportsNoEvidence(t *testing.T) {
	e := testEngine(t)
	text := "Tlf. 86 12 34 56, reg.nr. 5470 konto 1203851235, IBAN DK50 0040 0440 1162 43"
	if got := e.findWith(string(kindPhone), text); len(got) == 0 {
		t.Fatal("the phone recognizer found nothing")
	}
	if got := e.findWith(string(kindAccount), text); len(got) < 2 {
		t.Fatalf("the account recognizer found %d, want the account and the IBAN", len(got))
	}
	for _, f := range e.Detect(text) {
		if f.Kind == kindPhone || f.Kind == kindAccount {
			t.Errorf("Detect reports %s", f.Kind)
		}
	}
}

// TestMergeHits: one list sorted by start, then length, ties in the order of the lists, runs
// of one list kept whole.
func TestMergeHits(t *testing.T) {
	h := func(list, start, end int) hit { return hit{start: int32(start), end: int32(end), x: int32(list)} }
	a := []hit{h(0, 0, 5), h(0, 1, 2), h(0, 2, 3), h(0, 10, 12)}
	b := []hit{h(1, 1, 2), h(1, 1, 3), h(1, 11, 12)}
	c := []hit{h(2, 0, 4), h(2, 20, 21)}
	var got []string
	for _, x := range mergeHits(nil, a, b, c) {
		got = append(got, fmt.Sprintf("%c%d-%d", 'a'+x.x, x.start, x.end))
	}
	want := "c0-4 a0-5 a1-2 b1-2 b1-3 a2-3 a10-12 b11-12 c20-21"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if n := len(mergeHits(nil)); n != 0 {
		t.Errorf("no lists: %d hits", n)
	}
}
