package onsend

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/report"
	"github.com/sendevagt/sendevagt/internal/scan"
)

// Response is the answer to POST /api/v1/onsend.
type Response struct {
	ScanID  string        `json:"scanId"`
	Action  policy.Action `json:"action"`
	Reasons []Reason      `json:"reasons"`
	// Message is the Danish text for Outlook's pop-up (errorMessage: plain, at most 500
	// characters); MessageMarkdown the same with emphasis (errorMessageMarkdown, Mailbox 1.15).
	Message         string     `json:"message"`
	MessageMarkdown string     `json:"messageMarkdown"`
	Secure          *Secure    `json:"secure"`
	Findings        []Finding  `json:"findings"`
	Documents       []Document `json:"documents"`
	// Persons are whom the data is about, masked, with the evidence and the relation to each
	// recipient (the same masked report the CLI prints; package report).
	Persons       []report.Person `json:"persons"`
	PolicyVersion int             `json:"policyVersion"`
	// ResendInline asks the add-in to send the draft's content inline: Graph could not read it
	// (not yet synchronised, or unavailable). The verdict meanwhile follows the fail mode.
	ResendInline bool `json:"resendInline,omitempty"`
	// OverrideReason, on a warning, is the policy's override_reason when it asks for a
	// justification (optional or required): the add-in then sends through the task pane.
	OverrideReason string `json:"overrideReason,omitempty"`
}

// Reason is one rule that fired.
type Reason struct {
	Code      string        `json:"code"`
	Action    policy.Action `json:"action"`
	Message   string        `json:"message"`
	Documents []string      `json:"documents"`
}

// Secure tells the add-in how to mark the mail as secure mail.
type Secure struct {
	Header     Header `json:"header"`
	SubjectTag string `json:"subjectTag,omitempty"`
	// Confirm: the employee must choose "Markér som sikker" (the task pane marks it) before the mail goes.
	Confirm bool `json:"confirm"`
	// SensitivityLabelID is a Microsoft Purview sensitivity label (GUID) the add-in applies
	// where Outlook supports it (Mailbox 1.13), as well as the header.
	SensitivityLabelID string `json:"sensitivityLabelId,omitempty"`
}

// Header is a header field to set on the draft.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Finding and Document are the masked report's (package report): the add-in, the command line
// and the console read the same form.
type (
	Finding  = report.Finding
	Document = report.Document
)

// MaxMessage is Outlook's limit on the pop-up text (characters).
const MaxMessage = 500

// MaxFindings caps the findings in a response; the audit keeps them all.
const MaxFindings = 200

func buildResponse(id string, version int, pol *policy.Policy, v policy.Verdict, res *scan.Result) *Response {
	r := &Response{ScanID: id, Action: v.Action, PolicyVersion: version,
		Reasons: []Reason{}, Findings: []Finding{}, Documents: []Document{}, Persons: []report.Person{}}
	for _, re := range v.Reasons {
		docs := re.Documents
		if docs == nil {
			docs = []string{}
		}
		r.Reasons = append(r.Reasons, Reason{Code: re.Code, Action: re.Action, Message: re.Message, Documents: docs})
	}
	if v.Action == policy.Warn && pol.OverrideReason != "" && pol.OverrideReason != policy.OverrideOff {
		r.OverrideReason = pol.OverrideReason
	}
	if v.Action == policy.Secure {
		s := &Secure{Header: Header{Name: pol.Secure.Header.Name, Value: pol.Secure.Header.Value}, Confirm: pol.Secure.Confirm,
			SensitivityLabelID: pol.Secure.SensitivityLabelID}
		if pol.Secure.AddSubjectTag && len(pol.Secure.SubjectTags) > 0 {
			s.SubjectTag = pol.Secure.SubjectTags[0]
		}
		r.Secure = s
	}
	if res != nil {
		for _, d := range res.Documents {
			r.Documents = append(r.Documents, Document{Name: d.Name, Type: d.Type, Status: string(d.Status), Detail: d.Detail})
		}
		for _, f := range res.Findings {
			if len(r.Findings) == MaxFindings {
				break
			}
			r.Findings = append(r.Findings, Finding{Kind: string(f.Kind), Document: f.Document, Page: f.Page,
				Masked: f.Masked, Confidence: round2(f.Confidence), Category: f.Category, Why: f.Why})
		}
		r.Persons = report.Persons(res)
		if len(r.Persons) > MaxFindings {
			r.Persons = r.Persons[:MaxFindings]
		}
	}
	r.Message, r.MessageMarkdown = popup(v)
	return r
}

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }

// popup writes the pop-up text: the most severe reason in full, the others by a line each, cut
// to Outlook's 500 characters. The Markdown is cut before it is formatted, a piece at a time, so
// a cut never leaves an emphasis or an escape open.
func popup(v policy.Verdict) (plain, markdown string) {
	if len(v.Reasons) == 0 {
		return "", ""
	}
	var p, m []string
	left := MaxMessage
	addMD := func(prefix, text, suffix string) bool {
		sep := 0
		if len(m) > 0 {
			sep = 2 // "\n\n"
		}
		room := left - sep - utf8.RuneCountInString(prefix) - utf8.RuneCountInString(suffix)
		if room < 2 {
			return false
		}
		body := mdEscape(text)
		cut := false
		if utf8.RuneCountInString(body) > room {
			body, cut = truncate(body, room), true
		}
		piece := prefix + body + suffix
		m = append(m, piece)
		left -= sep + utf8.RuneCountInString(piece)
		return !cut
	}
	for i, r := range v.Reasons {
		if i == 0 {
			p = append(p, r.Message)
			if !addMD("**", r.Message, "**") {
				break
			}
			continue
		}
		if i == 3 {
			more := fmt.Sprintf("Og %d andre forhold.", len(v.Reasons)-3)
			p = append(p, more)
			addMD("", more, "")
			break
		}
		p = append(p, r.Message)
		if !addMD("- ", r.Message, "") {
			break
		}
	}
	return truncate(strings.Join(p, "\n"), MaxMessage), strings.Join(m, "\n\n")
}

// mdEscape keeps document names such as "brev_*_2024.pdf" from turning into emphasis.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// truncate cuts s to at most n characters, ending with an ellipsis when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	cut := strings.TrimRight(string(rs[:n-1]), " \n\\")
	return cut + "…"
}

// fillAudit puts what the audit keeps about a scan on ev: never content, never a full value.
func (s *Service) fillAudit(ev *audit.Event, msg *message.Message, res *scan.Result) {
	ev.Action = string(res.Verdict.Action)
	for _, r := range res.Verdict.Reasons {
		ev.Reasons = append(ev.Reasons, r.Code)
	}
	ev.RecipientDomains = recipientDomains(msg)
	byDoc := map[string]int{}
	for _, d := range res.Documents {
		byDoc[d.Name] = len(ev.Documents)
		ev.Documents = append(ev.Documents, audit.Document{Name: s.redact(d.Name), Type: d.Type, Status: string(d.Status), Detail: d.Detail})
	}
	// Every CPR number's keyed hash, each number hashed once; the findings and persons listed
	// up to the audit's limits per document, the rest counted.
	hashes := map[string]string{} // CPR number → keyed hash
	for _, f := range res.Findings {
		i, ok := byDoc[f.Document]
		if !ok {
			continue
		}
		hash := ""
		if f.Kind == detect.KindCPR {
			if hash, ok = hashes[f.Value]; !ok {
				hash = s.cfg.Hasher.Hash(string(f.Kind), f.Value)
				hashes[f.Value] = hash
			}
		}
		doc := &ev.Documents[i]
		if len(doc.Findings) >= audit.MaxDocumentFindings {
			doc.FindingsOmitted++
			continue
		}
		af := audit.Finding{Kind: string(f.Kind), Page: f.Page, Masked: f.Masked, Category: f.Category, Confidence: round2(f.Confidence), Hash: hash}
		if f.Kind == detect.KindName {
			af.Hash = s.cfg.Hasher.Hash(string(f.Kind), f.Value)
		}
		doc.Findings = append(doc.Findings, af)
	}
	for _, p := range report.Persons(res) {
		i, ok := byDoc[p.Document]
		if !ok {
			continue
		}
		doc := &ev.Documents[i]
		if len(doc.Persons) >= audit.MaxDocumentPersons {
			doc.PersonsOmitted++
			continue
		}
		ap := audit.Person{Identifier: p.Identifier, Page: p.Page, Evidence: p.Evidence, Link: p.Link, Why: p.Why}
		for _, r := range p.Relations {
			ap.Relations = append(ap.Relations, r.Relation)
		}
		doc.Persons = append(doc.Persons, ap)
	}
	ev.IdentifierHashes = make([]string, 0, len(hashes))
	for _, h := range hashes {
		ev.IdentifierHashes = append(ev.IdentifierHashes, h)
	}
	sort.Strings(ev.IdentifierHashes)
	ev.IdentifierHashes = slices.Compact(ev.IdentifierHashes)
}

func (s *Service) redact(name string) string {
	if s.cfg.Redactor == nil {
		return name
	}
	return s.cfg.Redactor.Redact(name)
}

// recipientDomains are the recipients' domains, sorted and unique: the audit never holds a
// citizen's address.
func recipientDomains(msg *message.Message) []string {
	rs := msg.Recipients()
	addrs := make([]string, len(rs))
	for i, r := range rs {
		addrs[i] = r.Address
	}
	return audit.Domains(addrs...)
}
