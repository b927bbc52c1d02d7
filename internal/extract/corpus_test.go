package extract

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/message"

	"github.com/sendevagt/sendevagt/internal/testenv"
)

type corpusCase struct {
	File     string   `json:"file"`
	Action   string   `json:"action"`
	CPRs     []string `json:"cprs"`
	Scenario string   `json:"scenario"`
}

func loadCorpus(t *testing.T) (string, []corpusCase) {
	t.Helper()
	corpusDir := testenv.CorpusDir(t)
	f, err := os.Open(filepath.Join(corpusDir, "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return corpusDir, out
}

// cprLike finds the CPR shapes the corpus uses: 010190-1234, 0101901234, 010190 1234.
var cprLike = regexp.MustCompile(`(?:^|[^0-9])([0-3][0-9][01][0-9][0-9]{2})[- ]?([0-9]{4})(?:[^0-9]|$)`)

// unscannableScenario is the corpus label of messages with an attachment that cannot be read.
const unscannableScenario = "unscannable"

// TestCorpusAttachments extracts every attachment of every corpus message the way the scan does
// (message.Parse, then Extract per attachment): a document is not read exactly in the cases
// labelled unscannable, and then with a status and a reason. (Which reason each kind of damage
// gives is tested on files built in the tests: extract_test.go.)
func TestCorpusAttachments(t *testing.T) {
	x := FullExtractor(Limits{})
	corpusDir, cases := loadCorpus(t)
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join(corpusDir, c.File))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := message.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		var docs []Document
		for _, a := range msg.Attachments {
			docs = append(docs, x.Extract(context.Background(), a.Name, a.ContentType, a.Data)...)
		}
		unread := 0
		for _, d := range docs {
			if d.Status == "" || (d.Status != Scanned && d.Detail == "") {
				t.Errorf("%s: %s: status %q detail %q", c.File, d.Name, d.Status, d.Detail)
			}
			if d.Status == Unscannable && d.Detail == "parser failed" {
				t.Errorf("%s: %s: parser failed", c.File, d.Name)
			}
			if d.Status == Scanned {
				continue
			}
			unread++
			// Only cases labelled unscannable have documents we cannot read.
			if c.Scenario != unscannableScenario {
				t.Errorf("%s: %s: %s %s", c.File, d.Name, d.Status, d.Detail)
			}
		}
		if c.Scenario == unscannableScenario && unread == 0 {
			t.Errorf("%s: labelled %s, but every document was read", c.File, unscannableScenario)
		}
	}
}

// TestCorpusWholeMessages extracts each corpus message as one .eml document (body and attachments,
// nested) and checks that every labelled CPR number appears in the text of some document.
func TestCorpusWholeMessages(t *testing.T) {
	x := FullExtractor(Limits{})
	corpusDir, cases := loadCorpus(t)
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join(corpusDir, c.File))
		if err != nil {
			t.Fatal(err)
		}
		docs := x.Extract(context.Background(), filepath.Base(c.File), "message/rfc822", data)
		if docs[0].Type != "eml" {
			t.Fatalf("%s: type %s", c.File, docs[0].Type)
		}
		var text strings.Builder
		for _, d := range docs {
			text.WriteString(allText(d))
		}
		for _, cpr := range c.CPRs {
			if !hasCPR(text.String(), cpr) {
				t.Errorf("%s: CPR %s…%s not found in extracted text", c.File, cpr[:6], "xxxx")
			}
		}
	}
}

func hasCPR(text, digits string) bool {
	for _, m := range cprLike.FindAllStringSubmatch(text, -1) {
		if m[1]+m[2] == digits {
			return true
		}
	}
	return false
}
