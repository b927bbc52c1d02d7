package detect

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/sendevagt/sendevagt/internal/testenv"
)

// The labelled corpus lives in ../shared/corpus beside the repository (see its README). This test
// reads the text parts of every message (text/plain, text/html, text/csv, also inside attached
// messages) with the standard library only and runs the CPR recognizer on them:
//
//   - precision: every CPR found at confidence ≥ 0.5 must be one of the case's labelled cprs,
//     and on the false-positive cases nothing may be found at all;
//   - recall: of the labelled numbers visible in those text parts, how many are found.
//
// PDF, DOCX and XLSX contents are not visible here; the full pipeline is scored elsewhere.

type corpusCase struct {
	File     string   `json:"file"`
	Action   string   `json:"action"`
	CPRs     []string `json:"cprs"`
	Scenario string   `json:"scenario"`
}

func loadCorpus(t testing.TB) (string, []corpusCase) {
	dir := testenv.CorpusDir(t)
	f, err := os.Open(filepath.Join(dir, "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("cases.jsonl: %v", err)
		}
		cases = append(cases, c)
	}
	return dir, cases
}

// textPart is one decoded text part of a message.
type textPart struct {
	name string
	text string
}

// messageTexts parses an RFC 5322 message and returns its decoded subject and text parts.
func messageTexts(raw []byte, name string) ([]textPart, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var out []textPart
	dec := new(mime.WordDecoder)
	if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil && subj != "" {
		out = append(out, textPart{name + "#subject", subj})
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return nil, err
	}
	err = walkPart(textprotoHeader(msg.Header), body, name, &out, 0)
	return out, err
}

type partHeader interface{ Get(string) string }

func textprotoHeader(h mail.Header) partHeader { return h }

func walkPart(h partHeader, body []byte, name string, out *[]textPart, depth int) error {
	if depth > 8 {
		return nil
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = "text/plain"
	}
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		mr := multipart.NewReader(bytes.NewReader(data), params["boundary"])
		for i := 0; ; i++ {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			b, err := io.ReadAll(p)
			if err != nil {
				return err
			}
			pn := fmt.Sprintf("%s/%d", name, i)
			if fn := p.FileName(); fn != "" {
				pn = name + "/" + fn
			}
			if err := walkPart(p.Header, b, pn, out, depth+1); err != nil {
				return err
			}
		}
	case mt == "message/rfc822":
		texts, err := messageTexts(data, name+"/message")
		if err != nil {
			return err
		}
		*out = append(*out, texts...)
	case mt == "text/plain" || mt == "text/csv" || mt == "text/html":
		text := decodeCharset(params["charset"], data)
		if mt == "text/html" {
			text = stripHTML(text)
		}
		*out = append(*out, textPart{name, text})
	}
	return nil
}

func decodeTransfer(enc string, body []byte) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, body)
		return base64.StdEncoding.DecodeString(string(clean))
	}
	return body, nil
}

func decodeCharset(cs string, b []byte) string {
	switch strings.ToLower(cs) {
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		out, err := charmap.ISO8859_1.NewDecoder().Bytes(b)
		if err == nil {
			return string(out)
		}
	case "windows-1252", "cp1252":
		out, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err == nil {
			return string(out)
		}
	}
	return strings.TrimPrefix(string(b), "\ufeff")
}

var (
	reBlock = regexp.MustCompile(`(?i)<(br|/p|/tr|/div|/li|/h[1-6]|/table)[^>]*>`)
	reCell  = regexp.MustCompile(`(?i)</t[dh]>`)
	reTag   = regexp.MustCompile(`<[^>]*>`)
)

// stripHTML removes tags crudely: block ends become line breaks, cell ends tabs.
func stripHTML(s string) string {
	s = reBlock.ReplaceAllString(s, "\n")
	s = reCell.ReplaceAllString(s, "\t")
	s = reTag.ReplaceAllString(s, " ")
	return html.UnescapeString(s)
}

// visible reports whether the CPR digits occur in text as 6 digits, at most three separator
// bytes, 4 digits.
func visible(text, d string) bool {
	for i := 0; ; {
		k := strings.Index(text[i:], d[:6])
		if k < 0 {
			return false
		}
		p := i + k + 6
		for q := p; q <= p+3 && q+4 <= len(text); q++ {
			if text[q:q+4] == d[6:] {
				return true
			}
			if q < len(text) && isDigit(text[q]) {
				break
			}
		}
		i += k + 1
	}
}

func TestCorpusCPR(t *testing.T) {
	dir, cases := loadCorpus(t)
	e := testEngine(t)
	var found, visibleTotal, allLabels, fpFindings, fpCaseFindings int
	fpCases := map[string]bool{}
	for _, c := range cases {
		raw, err := os.ReadFile(filepath.Join(dir, c.File))
		if err != nil {
			t.Fatal(err)
		}
		parts, err := messageTexts(raw, c.File)
		if err != nil {
			t.Errorf("%s: %v", c.File, err)
			continue
		}
		label := map[string]bool{}
		for _, d := range c.CPRs {
			label[d] = true
		}
		allLabels += len(c.CPRs)
		got := map[string]bool{}
		for _, p := range parts {
			for _, f := range e.CPR(p.text) {
				if f.Confidence < Threshold {
					continue
				}
				got[f.Value] = true
				if !label[f.Value] {
					fpFindings++
					t.Errorf("%s: %s: %s at %.2f is not a labelled CPR (why: %v)", c.File, p.name, f.Masked, f.Confidence, f.Why)
					if c.Scenario == "false-positive" {
						fpCaseFindings++
					}
				}
			}
		}
		if c.Scenario == "false-positive" {
			fpCases[c.File] = true
		}
		var missed []string
		for _, d := range c.CPRs {
			vis := false
			for _, p := range parts {
				if visible(p.text, d) {
					vis = true
					break
				}
			}
			if !vis {
				continue
			}
			visibleTotal++
			if got[d] {
				found++
			} else {
				missed = append(missed, MaskCPR(d))
			}
		}
		if len(missed) > 0 {
			sort.Strings(missed)
			t.Logf("%s: missed visible %v", c.File, missed)
		}
	}
	// Without false-positive cases and visible numbers the precision and recall checks below
	// would hold by default; how many of each there are is the corpus's business, not the test's.
	if len(fpCases) == 0 {
		t.Error("no case labelled false-positive: the check that nothing is found there checked nothing")
	}
	if visibleTotal == 0 {
		t.Error("no labelled CPR number is visible in any text part: recall was not measured")
	}
	if fpCaseFindings > 0 {
		t.Errorf("false-positive cases: %d findings at ≥ %.1f, want 0", fpCaseFindings, Threshold)
	}
	recall := 1.0
	if visibleTotal > 0 {
		recall = float64(found) / float64(visibleTotal)
	}
	precision := 1.0
	if found+fpFindings > 0 {
		precision = float64(found) / float64(found+fpFindings)
	}
	fmt.Printf("corpus CPR (text parts only): %d cases, %d labelled CPRs, %d visible in text parts; "+
		"found %d, false %d: precision %.3f, recall %.3f; false-positive cases: %d findings\n",
		len(cases), allLabels, visibleTotal, found, fpFindings, precision, recall, fpCaseFindings)
	if recall < 0.95 {
		t.Errorf("recall %.3f on visible CPR numbers, want ≥ 0.95", recall)
	}
}
