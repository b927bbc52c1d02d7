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
	// Messages are the Danish texts shown to the employee, by reason code. Placeholders:
	// {documents}, {identifier}, {count}, {recipient}.
	Messages map[string]string `yaml:"messages"`
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
	DifferentCitizen   Action         `yaml:"different_citizen"`
	BulkCPR            ThresholdRule  `yaml:"bulk_cpr"`
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

// Default returns the built-in policy.
func Default() *Policy {
	p, err := Parse(defaultYAML)
	if err != nil {
		panic("policy: embedded default policy is invalid: " + err.Error())
	}
	return p
}

// FieldError is a problem with one field of a policy file.
type FieldError struct {
	Line  int
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

// ErrInvalid is wrapped by every error Parse returns.
var ErrInvalid = errors.New("invalid policy")

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
	if err := p.validate(&root); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	p.normalise()
	return p, nil
}

func (p *Policy) normalise() {
	for i, d := range p.InternalDomains {
		p.InternalDomains[i] = strings.ToLower(strings.TrimSpace(d))
	}
	for i, d := range p.TrustedDomains {
		p.TrustedDomains[i] = strings.ToLower(strings.TrimSpace(d))
	}
}

var knownStatuses = map[string]bool{"encrypted": true, "unscannable": true, "unsupported": true, "too_large": true}

var knownCategories = map[string]bool{
	"health": true, "social": true, "criminal": true, "ethnicity": true, "political": true,
	"religion": true, "union": true, "sexual": true, "genetic": true, "biometric": true,
}

// validate checks values; root is the parsed document so errors can name their line.
func (p *Policy) validate(root *yaml.Node) error {
	line := func(path ...string) int { return lineOf(root, path...) }
	check := func(a Action, path ...string) error {
		if !a.valid() {
			return &FieldError{Line: line(path...), Field: strings.Join(path, "."), Msg: fmt.Sprintf("unknown action %q (allow, warn, secure, block)", a)}
		}
		return nil
	}
	for _, c := range []struct {
		a    Action
		path []string
	}{
		{p.Rules.DifferentCitizen, []string{"rules", "different_citizen"}},
		{p.Rules.BulkCPR.Action, []string{"rules", "bulk_cpr", "action"}},
		{p.Rules.SeveralCitizens.Action, []string{"rules", "several_external_citizens", "action"}},
		{p.Rules.PersonalDataPlain, []string{"rules", "personal_data_unencrypted"}},
		{p.Rules.UnreadableDocument.Action, []string{"rules", "unreadable_attachment", "action"}},
	} {
		if err := check(c.a, c.path...); err != nil {
			return err
		}
	}
	if p.FailMode != Warn && p.FailMode != Block {
		return &FieldError{Line: line("fail_mode"), Field: "fail_mode", Msg: fmt.Sprintf("must be warn or block, not %q", p.FailMode)}
	}
	if p.Rules.BulkCPR.Threshold < 1 {
		return &FieldError{Line: line("rules", "bulk_cpr", "threshold"), Field: "rules.bulk_cpr.threshold", Msg: "must be at least 1"}
	}
	if p.Rules.SeveralCitizens.Threshold < 2 {
		return &FieldError{Line: line("rules", "several_external_citizens", "threshold"), Field: "rules.several_external_citizens.threshold", Msg: "must be at least 2"}
	}
	for _, s := range p.Rules.UnreadableDocument.Statuses {
		if !knownStatuses[s] {
			return &FieldError{Line: line("rules", "unreadable_attachment", "statuses"), Field: "rules.unreadable_attachment.statuses", Msg: fmt.Sprintf("unknown status %q", s)}
		}
	}
	for _, c := range p.PersonalData.Categories {
		if !knownCategories[c] {
			return &FieldError{Line: line("personal_data", "categories"), Field: "personal_data.categories", Msg: fmt.Sprintf("unknown category %q", c)}
		}
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
			return &FieldError{Line: line("personal_data", f.name), Field: "personal_data." + f.name, Msg: "must be between 0 and 1"}
		}
	}
	for field, list := range map[string][]string{"internal_domains": p.InternalDomains, "trusted_domains": p.TrustedDomains} {
		for _, d := range list {
			if d == "" || strings.ContainsAny(d, "@ /") || !strings.Contains(d, ".") {
				return &FieldError{Line: line(field), Field: field, Msg: fmt.Sprintf("%q is not a domain name", d)}
			}
		}
	}
	if p.Secure.Header.Name != "" && p.Secure.Header.Value == "" {
		return &FieldError{Line: line("secure", "header"), Field: "secure.header.value", Msg: "must be set when secure.header.name is"}
	}
	return nil
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
	return yaml.Marshal(p)
}
