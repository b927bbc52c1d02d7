// Package policy is the authority's policy, as data, and its evaluation into a verdict with
// reasons. The default policy (default.yaml, embedded) follows the rules the data protection
// officer signs off: block data about a different citizen, bulk CPR numbers and mail to several
// citizens at once; force secure mail for personal data to external recipients; warn when an
// attachment could not be read.
package policy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Action is what happens to a message.
type Action string

const (
	Allow  Action = "allow"
	Warn   Action = "warn"
	Secure Action = "secure"
	Block  Action = "block"
)

// severity orders actions: block > secure > warn > allow.
func (a Action) severity() int {
	switch a {
	case Warn:
		return 1
	case Secure:
		return 2
	case Block:
		return 3
	}
	return 0
}

// Worse returns the more severe of two actions.
func Worse(a, b Action) Action {
	if b.severity() > a.severity() {
		return b
	}
	return a
}

func (a Action) valid() bool {
	switch a {
	case Allow, Warn, Secure, Block:
		return true
	}
	return false
}

// Policy is one version of the authority's policy.
type Policy struct {
	Name string `yaml:"name"`
	// InternalDomains are the authority's own domains; the sender's domain is always internal.
	InternalDomains []string `yaml:"internal_domains"`
	// TrustedDomains are partners reached over enforced TLS: mail to them is secure in transport.
	TrustedDomains []string  `yaml:"trusted_domains"`
	Secure         Markings  `yaml:"secure"`
	PersonalData   Detection `yaml:"personal_data"`
	Rules          Rules     `yaml:"rules"`
	// FailMode is the action when the scan itself fails (warn or block).
	FailMode Action `yaml:"fail_mode"`
	// OverrideReason is whether sending despite a warning asks for a justification: off (the
	// Send dialog's Send Anyway), optional or required (the task pane asks; the override is
	// audited with the masked justification).
	OverrideReason string `yaml:"override_reason"`
	// Messages are the Danish texts shown to the employee, by reason code. Placeholders:
	// {documents}, {identifier}, {count}, {recipient}, {detail} (see Placeholders).
	Messages map[string]string `yaml:"messages"`
	// Exemptions are senders never checked, and recipients treated like trusted domains.
	Exemptions Exemptions `yaml:"exemptions"`
	// Simulation: decide and audit as usual, but always let the mail go (the audit event is
	// marked simulated and keeps the real action). For introducing a policy safely.
	Simulation bool `yaml:"simulation"`
}

// Exemptions are exceptions from the rules.
type Exemptions struct {
	// Senders (addresses) whose mail is never checked: the verdict is allow with reason "exempt".
	Senders []string `yaml:"senders"`
	// Recipients (addresses) treated like a trusted domain: secure in transport, not external.
	Recipients []string `yaml:"recipients"`
	// Domains treated like trusted domains (subdomains included).
	Domains []string `yaml:"domains"`
}

// Markings say when a message counts as secure (encrypted) mail.
type Markings struct {
	Header      Header   `yaml:"header"`
	SubjectTags []string `yaml:"subject_tags"`
	SMIME       bool     `yaml:"smime"`
	// AddSubjectTag: when the verdict is secure, the add-in also puts the first subject tag in
	// the subject (for transport rules on the subject, and so the employee sees it).
	AddSubjectTag bool `yaml:"add_subject_tag"`
	// Confirm: when the verdict is secure, the mail does not go until the employee chooses "Send
	// som sikker mail"; otherwise the add-in marks it secure and lets it go at once.
	Confirm bool `yaml:"confirm"`
	// SensitivityLabelID is a Microsoft Purview sensitivity label (a GUID) the add-in may apply
	// when the verdict is secure; empty for none.
	SensitivityLabelID string `yaml:"sensitivity_label_id"`
}

// Header is a header field and the value that marks a message secure.
type Header struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// Detection says which findings count as personal data.
type Detection struct {
	// CPRMinConfidence is the confidence from which a CPR-shaped number counts as a CPR number.
	CPRMinConfidence float64 `yaml:"cpr_min_confidence"`
	// NameMinConfidence is the confidence from which a name counts.
	NameMinConfidence float64 `yaml:"name_min_confidence"`
	// SensitiveMinConfidence is the confidence from which a sensitive term counts.
	SensitiveMinConfidence float64 `yaml:"sensitive_min_confidence"`
	// NameWithSensitive makes a person's name together with a sensitive statement personal data.
	NameWithSensitive bool `yaml:"name_with_sensitive"`
	// Categories are the sensitive categories that count.
	Categories []string `yaml:"categories"`
}

// Rules are the per-rule actions and thresholds.
type Rules struct {
	DifferentCitizen Action        `yaml:"different_citizen"`
	BulkCPR          ThresholdRule `yaml:"bulk_cpr"`
	// BulkPersons fires from Threshold distinct persons with personal data (a name with a
	// sensitive or social statement, or a CPR number) other than the recipient, to an external
	// recipient: a list of citizens without CPR numbers is caught like the Aarhus letters.
	BulkPersons        ThresholdRule  `yaml:"bulk_persons"`
	SeveralCitizens    ThresholdRule  `yaml:"several_external_citizens"`
	PersonalDataPlain  Action         `yaml:"personal_data_unencrypted"`
	UnreadableDocument UnreadableRule `yaml:"unreadable_attachment"`
}

// ThresholdRule fires from Threshold (distinct CPR numbers, or external recipients in To/Cc).
type ThresholdRule struct {
	Action    Action `yaml:"action"`
	Threshold int    `yaml:"threshold"`
}

// UnreadableRule fires for documents with one of Statuses when an external recipient gets them.
type UnreadableRule struct {
	Action   Action   `yaml:"action"`
	Statuses []string `yaml:"statuses"`
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the built-in policy file, with its comments.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Default returns the built-in policy.
func Default() *Policy {
	p, err := Parse(defaultYAML)
	if err != nil {
		panic("policy: embedded default policy is invalid: " + err.Error())
	}
	return p
}

// OverrideReason values: whether sending despite a warning asks for a justification.
const (
	OverrideOff      = "off"
	OverrideOptional = "optional"
	OverrideRequired = "required"
)

// FieldError is a problem with one field of a policy file.
type FieldError struct {
	Line  int
	Field string // the YAML path, e.g. rules.bulk_cpr.threshold
	Msg   string
	// Value is the value at fault ("" when the problem is a missing value), for messages in
	// another language than Msg's English.
	Value string
}

func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

// ErrInvalid is wrapped by every error Parse returns.
var ErrInvalid = errors.New("invalid policy")

// Problems returns the field errors err holds (Parse joins all it finds), in order.
func Problems(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// Parse reads a policy from YAML. Fields not given take the default policy's values; unknown
// fields and bad values are rejected with the line and field at fault.
func Parse(data []byte) (*Policy, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	p := &Policy{}
	if !bytes.Equal(data, defaultYAML) {
		p = Default()
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if problems := p.Validate(); len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, fe := range problems {
			fe.Line = lineOf(&root, strings.Split(fe.Field, ".")...)
			errs[i] = fe
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	p.normalise()
	return p, nil
}

func (p *Policy) normalise() {
	if p.OverrideReason == "" {
		p.OverrideReason = OverrideOff
	}
	for _, list := range [][]string{p.InternalDomains, p.TrustedDomains, p.Exemptions.Senders, p.Exemptions.Recipients, p.Exemptions.Domains} {
		for i, d := range list {
			list[i] = strings.ToLower(strings.TrimSpace(d))
		}
	}
	p.Secure.SensitivityLabelID = strings.ToLower(strings.TrimSpace(p.Secure.SensitivityLabelID))
}

// Statuses are the document statuses rules.unreadable_attachment.statuses may name.
var Statuses = []string{"encrypted", "unscannable", "unsupported", "too_large"}

// Categories are the sensitive categories personal_data.categories may name.
var Categories = []string{"health", "social", "criminal", "ethnicity", "political", "religion", "union", "sexual", "genetic", "biometric"}

// MessageCodes are the reason codes policy messages may be given for, in display order.
var MessageCodes = []string{CodeDifferentCitizen, CodeBulkCPR, CodeBulkPersons, CodeSeveralCitizens, CodePersonalPlain, CodeUnreadable, CodeScanFailed}

// Placeholders are the placeholders a message may use, and what each is replaced by.
var Placeholders = map[string]string{
	"documents":  "the documents involved",
	"identifier": "a masked CPR number or initials",
	"count":      "a number (CPR numbers or recipients)",
	"recipient":  "the recipient's name (or address)",
	"page":       "\" side N\" when the data is on one page of one document",
	"detail":     "why a document could not be read",
}

var (
	knownStatuses   = setOf(Statuses)
	knownCategories = setOf(Categories)
	knownCodes      = setOf(MessageCodes)
	placeholderRE   = regexp.MustCompile(`\{([^{}]*)\}`)
	guidRE          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Validate checks every value and returns all problems found, in the order of the fields (no
// line numbers: Parse adds them). Field is the YAML path ("rules.bulk_cpr.threshold").
func (p *Policy) Validate() []*FieldError {
	var out []*FieldError
	add := func(field, value, format string, args ...any) {
		out = append(out, &FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)})
	}
	for _, f := range []struct {
		field string
		list  []string
	}{{"internal_domains", p.InternalDomains}, {"trusted_domains", p.TrustedDomains}} {
		for _, d := range f.list {
			if !validDomain(d) {
				add(f.field, d, "%q is not a domain name", d)
				break
			}
		}
	}
	if p.Secure.Header.Name != "" && p.Secure.Header.Value == "" {
		add("secure.header.value", "", "must be set when secure.header.name is")
	}
	if n := p.Secure.Header.Name; n != "" && !validHeaderName(n) {
		add("secure.header.name", n, "%q is not a header field name", n)
	}
	for _, t := range p.Secure.SubjectTags {
		if strings.TrimSpace(t) == "" {
			add("secure.subject_tags", "", "a subject tag must not be empty")
			break
		}
	}
	if id := strings.TrimSpace(p.Secure.SensitivityLabelID); id != "" && !guidRE.MatchString(id) {
		add("secure.sensitivity_label_id", id, "%q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", id)
	}
	for _, f := range []struct {
		v    float64
		name string
	}{
		{p.PersonalData.CPRMinConfidence, "cpr_min_confidence"},
		{p.PersonalData.NameMinConfidence, "name_min_confidence"},
		{p.PersonalData.SensitiveMinConfidence, "sensitive_min_confidence"},
	} {
		if f.v < 0 || f.v > 1 {
			add("personal_data."+f.name, strconv.FormatFloat(f.v, 'g', -1, 64), "must be between 0 and 1")
		}
	}
	for _, c := range p.PersonalData.Categories {
		if !knownCategories[c] {
			add("personal_data.categories", c, "unknown category %q", c)
			break
		}
	}
	for _, c := range []struct {
		a     Action
		field string
	}{
		{p.Rules.DifferentCitizen, "rules.different_citizen"},
		{p.Rules.BulkCPR.Action, "rules.bulk_cpr.action"},
		{p.Rules.BulkPersons.Action, "rules.bulk_persons.action"},
		{p.Rules.SeveralCitizens.Action, "rules.several_external_citizens.action"},
		{p.Rules.PersonalDataPlain, "rules.personal_data_unencrypted"},
		{p.Rules.UnreadableDocument.Action, "rules.unreadable_attachment.action"},
	} {
		if !c.a.valid() {
			add(c.field, string(c.a), "unknown action %q (allow, warn, secure, block)", c.a)
		}
		if c.field == "rules.bulk_cpr.action" && p.Rules.BulkCPR.Threshold < 1 {
			add("rules.bulk_cpr.threshold", strconv.Itoa(p.Rules.BulkCPR.Threshold), "must be at least 1")
		}
		if c.field == "rules.bulk_persons.action" && p.Rules.BulkPersons.Threshold < 2 {
			add("rules.bulk_persons.threshold", strconv.Itoa(p.Rules.BulkPersons.Threshold), "must be at least 2")
		}
		if c.field == "rules.several_external_citizens.action" && p.Rules.SeveralCitizens.Threshold < 2 {
			add("rules.several_external_citizens.threshold", strconv.Itoa(p.Rules.SeveralCitizens.Threshold), "must be at least 2")
		}
	}
	for _, s := range p.Rules.UnreadableDocument.Statuses {
		if !knownStatuses[s] {
			add("rules.unreadable_attachment.statuses", s, "unknown status %q", s)
			break
		}
	}
	if p.FailMode != Warn && p.FailMode != Block {
		add("fail_mode", string(p.FailMode), "must be warn or block, not %q", p.FailMode)
	}
	switch p.OverrideReason {
	case "", OverrideOff, OverrideOptional, OverrideRequired:
	default:
		add("override_reason", p.OverrideReason, "must be off, optional or required, not %q", p.OverrideReason)
	}
	codes := make([]string, 0, len(p.Messages))
	for code := range p.Messages {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		field := "messages." + code
		text := p.Messages[code]
		switch {
		case !knownCodes[code]:
			add(field, code, "unknown reason code %q (%s)", code, strings.Join(MessageCodes, ", "))
		case strings.TrimSpace(text) == "":
			add(field, "", "must not be empty")
		default:
			for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
				if _, ok := Placeholders[m[1]]; !ok {
					add(field, m[0], "unknown placeholder {%s}", m[1])
					break
				}
			}
		}
	}
	for _, f := range []struct {
		field string
		list  []string
	}{{"exemptions.senders", p.Exemptions.Senders}, {"exemptions.recipients", p.Exemptions.Recipients}} {
		for _, a := range f.list {
			if !validAddress(a) {
				add(f.field, a, "%q is not an e-mail address", a)
				break
			}
		}
	}
	for _, d := range p.Exemptions.Domains {
		if !validDomain(d) {
			add("exemptions.domains", d, "%q is not a domain name", d)
			break
		}
	}
	return out
}

// validDomain tells whether d looks like a domain name (at least one dot, no spaces or @).
func validDomain(d string) bool {
	d = strings.TrimSpace(d)
	if d == "" || strings.ContainsAny(d, "@ /\t,;") || !strings.Contains(d, ".") ||
		strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	return true
}

// validAddress tells whether a looks like an e-mail address: local@domain.
func validAddress(a string) bool {
	a = strings.TrimSpace(a)
	i := strings.LastIndexByte(a, '@')
	if i <= 0 || strings.ContainsAny(a[:i], " \t<>,;@") {
		return false
	}
	return validDomain(a[i+1:])
}

// validHeaderName: RFC 5322 field names are printable ASCII without space or colon.
func validHeaderName(n string) bool {
	for _, r := range n {
		if r <= ' ' || r > '~' || r == ':' {
			return false
		}
	}
	return n != ""
}

// lineOf finds the line of the value at path in a YAML document, or of the deepest key found.
func lineOf(root *yaml.Node, path ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := 0
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return best
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				best = n.Content[i+1].Line
				n = n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			return best
		}
	}
	return best
}

// Encode writes the policy as YAML.
func (p *Policy) Encode() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
