package policy

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sendevagt/sendevagt/internal/message"
)

// Reason codes, stable for the audit and the add-in.
const (
	CodeDifferentCitizen = "different_citizen"
	CodeBulkCPR          = "bulk_cpr"
	CodeBulkPersons      = "bulk_persons"
	CodeSeveralCitizens  = "several_external_citizens"
	CodePersonalPlain    = "personal_data_unencrypted"
	CodeUnreadable       = "unreadable_attachment"
	CodeScanFailed       = "scan_failed"
	// CodeExempt: the sender is exempted by the policy; the message was not checked.
	CodeExempt = "exempt"
)

// Zone is where a recipient sits.
type Zone string

const (
	Internal Zone = "internal"
	Trusted  Zone = "trusted"
	External Zone = "external"
)

// Document is what the policy needs of one scanned document.
type Document struct {
	Name   string
	Status string // scanned, encrypted, unscannable, unsupported, too_large
	Detail string
}

// CPR is one CPR number found. Key identifies the number for counting distinct numbers (the
// number itself or a keyed hash of it).
type CPR struct {
	Document string
	Key      string
	Masked   string
}

// Person is someone the message carries data about (see package identity). Relations holds the
// relation ("same", "addressed", "different", "unknown") to each of Message.Recipients().
type Person struct {
	Document   string
	Page       int    // the page the person was found on (0 if unknown)
	Identifier string // masked: initials and masked CPR number
	// Key tells persons apart for counting (a CPR number or a folded name, or a keyed hash of
	// either); "" counts every person as distinct.
	Key       string
	HasCPR    bool
	Sensitive bool
	Relations []string
}

// Facts are everything the policy decides on. Findings below the policy's thresholds must
// already be left out (see Counts).
type Facts struct {
	Message   *message.Message
	Documents []Document
	CPRs      []CPR
	Persons   []Person
	// Citizens tells, for each of Message.Recipients(), whether the recipient is a private
	// person (see identity.IsCitizen); nil counts every external recipient as a citizen.
	Citizens []bool
}

// Reason explains one part of a verdict.
type Reason struct {
	Code      string   `json:"code"`
	Action    Action   `json:"action"`
	Message   string   `json:"message"`
	Documents []string `json:"documents"`
}

// Verdict is the policy's decision on one message.
type Verdict struct {
	Action  Action
	Reasons []Reason
	// AlreadySecure: the message is secure mail (header, subject tag or S/MIME).
	AlreadySecure bool
}

// CountsCPR tells whether a CPR finding of this confidence counts.
func (p *Policy) CountsCPR(conf float64) bool { return conf >= p.PersonalData.CPRMinConfidence }

// CountsName tells whether a name finding of this confidence counts.
func (p *Policy) CountsName(conf float64) bool { return conf >= p.PersonalData.NameMinConfidence }

// CountsSensitive tells whether a sensitive finding counts.
func (p *Policy) CountsSensitive(category string, conf float64) bool {
	if conf < p.PersonalData.SensitiveMinConfidence || !p.PersonalData.NameWithSensitive {
		return false
	}
	for _, c := range p.PersonalData.Categories {
		if c == category {
			return true
		}
	}
	return false
}

// ZoneOf classifies an address: the sender's domain and InternalDomains are internal,
// TrustedDomains (and their subdomains), exempted domains and exempted recipient addresses
// trusted, the rest external.
func (p *Policy) ZoneOf(sender, addr string) Zone {
	d := domainOf(addr)
	if d == "" {
		return External
	}
	if sd := domainOf(sender); sd != "" && d == sd {
		return Internal
	}
	if matchDomain(d, p.InternalDomains) {
		return Internal
	}
	if matchDomain(d, p.TrustedDomains) || matchDomain(d, p.Exemptions.Domains) || p.exemptRecipient(addr) {
		return Trusted
	}
	return External
}

// ExemptSender tells whether mail from addr is exempted from the check.
func (p *Policy) ExemptSender(addr string) bool {
	return containsAddress(p.Exemptions.Senders, addr)
}

func (p *Policy) exemptRecipient(addr string) bool {
	return containsAddress(p.Exemptions.Recipients, addr)
}

func containsAddress(list []string, addr string) bool {
	addr = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(addr)), ".")
	if addr == "" {
		return false
	}
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), addr) {
			return true
		}
	}
	return false
}

// Exempt is the verdict for a message from an exempted sender: allow, reason "exempt".
func (p *Policy) Exempt() Verdict {
	return Verdict{Action: Allow, Reasons: []Reason{{Code: CodeExempt, Action: Allow,
		Message: "Afsenderen er undtaget fra kontrollen i politikken.", Documents: []string{}}}}
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(strings.TrimSuffix(addr[i+1:], ".")))
}

func matchDomain(d string, list []string) bool {
	for _, x := range list {
		if d == x || strings.HasSuffix(d, "."+x) {
			return true
		}
	}
	return false
}

// IsSecure tells whether the message is secure mail by the policy's markings.
func (p *Policy) IsSecure(m *message.Message) bool {
	if p.Secure.SMIME && m.Encrypted {
		return true
	}
	if h := p.Secure.Header; h.Name != "" {
		for _, v := range m.Header.Values(h.Name) {
			if strings.EqualFold(strings.TrimSpace(v), h.Value) {
				return true
			}
		}
	}
	subj := strings.ToLower(m.Subject)
	for _, t := range p.Secure.SubjectTags {
		if t != "" && strings.Contains(subj, strings.ToLower(t)) {
			return true
		}
	}
	return false
}

// Evaluate decides on one message.
func (p *Policy) Evaluate(f Facts) Verdict {
	m := f.Message
	if p.ExemptSender(m.From.Address) {
		v := p.Exempt()
		v.AlreadySecure = p.IsSecure(m)
		return v
	}
	v := Verdict{Action: Allow, AlreadySecure: p.IsSecure(m)}
	rcpts := m.Recipients()
	var external []int
	externalToCc := map[string]bool{}
	for i, r := range rcpts {
		if p.ZoneOf(m.From.Address, r.Address) == External {
			external = append(external, i)
			if i < len(m.To)+len(m.Cc) && (f.Citizens == nil || (i < len(f.Citizens) && f.Citizens[i])) {
				externalToCc[strings.ToLower(r.Address)] = true
			}
		}
	}
	if len(external) == 0 {
		return v // internal and trusted recipients: secure in transport
	}

	personal := personalPersons(f.Persons)
	hasPersonal := len(f.CPRs) > 0 || len(personal) > 0

	// Block: a different citizen's data.
	if hasPersonal {
		seen := map[string]bool{}
		var docs, ids []string
		pages := map[int]bool{}
		var to string
		for _, per := range personal {
			for _, i := range external {
				if i < len(per.Relations) && per.Relations[i] == "different" && !seen[per.Document+per.Identifier] {
					seen[per.Document+per.Identifier] = true
					docs = appendUnique(docs, per.Document)
					pages[per.Page] = true
					if len(ids) < 3 {
						ids = appendUnique(ids, per.Identifier)
					}
					if to == "" {
						to = rcpts[i].Name
						if to == "" {
							to = rcpts[i].Address
						}
					}
				}
			}
		}
		if len(docs) > 0 {
			page := ""
			if len(docs) == 1 && len(pages) == 1 {
				for n := range pages {
					if n > 0 {
						page = " side " + strconv.Itoa(n)
					}
				}
			}
			v.add(p, CodeDifferentCitizen, p.Rules.DifferentCitizen, docs, map[string]string{
				"identifier": strings.Join(ids, "; "), "recipient": to, "page": page,
			})
		}
	}

	// Block: many distinct CPR numbers.
	distinct := map[string]bool{}
	var cprDocs []string
	for _, c := range f.CPRs {
		distinct[c.Key] = true
		cprDocs = appendUnique(cprDocs, c.Document)
	}
	if len(distinct) >= p.Rules.BulkCPR.Threshold {
		v.add(p, CodeBulkCPR, p.Rules.BulkCPR.Action, cprDocs, map[string]string{"count": strconv.Itoa(len(distinct))})
	}

	// Block: many distinct persons with personal data other than the recipient.
	if p.Rules.BulkPersons.Threshold > 0 {
		keys := map[string]bool{}
		var docs []string
		n := 0
		for _, per := range personal {
			if sameAsAnExternal(per, external) {
				continue
			}
			if per.Key == "" {
				n++
			} else if !keys[per.Key] {
				keys[per.Key] = true
				n++
			} else {
				continue
			}
			docs = appendUnique(docs, per.Document)
		}
		if n >= p.Rules.BulkPersons.Threshold {
			v.add(p, CodeBulkPersons, p.Rules.BulkPersons.Action, docs, map[string]string{"count": strconv.Itoa(n)})
		}
	}

	// Block: several external citizens in To/Cc and personal data.
	if hasPersonal && len(externalToCc) >= p.Rules.SeveralCitizens.Threshold {
		docs, ids := personalDocs(f)
		v.add(p, CodeSeveralCitizens, p.Rules.SeveralCitizens.Action, docs, map[string]string{
			"count": strconv.Itoa(len(externalToCc)), "identifier": strings.Join(ids, ", "),
		})
	}

	// Secure: personal data to an external recipient in plain mail.
	if hasPersonal && !v.AlreadySecure {
		docs, ids := personalDocs(f)
		v.add(p, CodePersonalPlain, p.Rules.PersonalDataPlain, docs, map[string]string{"identifier": strings.Join(ids, ", ")})
	}

	// Warn: documents that could not be read.
	var unread []string
	var details []string
	for _, d := range f.Documents {
		for _, s := range p.Rules.UnreadableDocument.Statuses {
			if d.Status == s {
				unread = append(unread, d.Name)
				details = appendUnique(details, d.Detail)
			}
		}
	}
	if len(unread) > 0 {
		v.add(p, CodeUnreadable, p.Rules.UnreadableDocument.Action, unread, map[string]string{"detail": strings.Join(details, "; ")})
	}

	sort.SliceStable(v.Reasons, func(i, j int) bool {
		return v.Reasons[i].Action.severity() > v.Reasons[j].Action.severity()
	})
	return v
}

// ErrScan is what a caller wraps when the scan itself failed; Failed turns it into a verdict.
var ErrScan = errors.New("scan failed")

// Failed is the verdict when the scan could not be completed: the policy's fail mode.
func (p *Policy) Failed() Verdict {
	v := Verdict{Action: Allow}
	v.add(p, CodeScanFailed, p.FailMode, nil, nil)
	return v
}

func (v *Verdict) add(p *Policy, code string, a Action, docs []string, vars map[string]string) {
	if a == Allow {
		return
	}
	v.Action = Worse(v.Action, a)
	v.Reasons = append(v.Reasons, Reason{Code: code, Action: a, Message: p.render(code, docs, vars), Documents: docs})
}

// render fills a message template; a document list is named in Danish quotes.
func (p *Policy) render(code string, docs []string, vars map[string]string) string {
	t, ok := p.Messages[code]
	if !ok {
		t = code
	}
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = "»" + d + "«"
	}
	docText := "Mailen"
	switch {
	case len(names) == 1:
		docText = names[0]
	case len(names) > 1 && len(names) <= 3:
		docText = strings.Join(names[:len(names)-1], ", ") + " og " + names[len(names)-1]
	case len(names) > 3:
		docText = fmt.Sprintf("%s, %s og %d andre dokumenter", names[0], names[1], len(names)-2)
	}
	t = strings.ReplaceAll(t, "{documents}", docText)
	for k, val := range vars {
		t = strings.ReplaceAll(t, "{"+k+"}", val)
	}
	return t
}

// sameAsAnExternal: the person is (or is linked to) one of the external recipients.
func sameAsAnExternal(per Person, external []int) bool {
	for _, i := range external {
		if i < len(per.Relations) && (per.Relations[i] == "same" || per.Relations[i] == "addressed") {
			return true
		}
	}
	return false
}

func personalPersons(ps []Person) []Person {
	var out []Person
	for _, p := range ps {
		if p.HasCPR || p.Sensitive {
			out = append(out, p)
		}
	}
	return out
}

// personalDocs lists the documents with personal data and up to three identifiers.
func personalDocs(f Facts) (docs, ids []string) {
	for _, c := range f.CPRs {
		docs = appendUnique(docs, c.Document)
		if len(ids) < 3 {
			ids = appendUnique(ids, c.Masked)
		}
	}
	for _, p := range personalPersons(f.Persons) {
		docs = appendUnique(docs, p.Document)
		if len(ids) < 3 && p.Identifier != "" {
			ids = appendUnique(ids, p.Identifier)
		}
	}
	return docs, ids
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}
