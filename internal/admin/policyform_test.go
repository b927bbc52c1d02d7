package admin

import (
	"testing"

	"github.com/sendevagt/sendevagt/internal/policy"
)

// Every field of the policy has what its input needs, and every option set its tags name exists.
func TestPolicyTagsComplete(t *testing.T) {
	choices := policyChoices()
	kinds := map[string]bool{"text": true, "textarea": true, "number": true, "checkbox": true, "select": true, "checks": true}
	sections := 0
	for i, s := range policySpecs() {
		if s.section != nil {
			sections++
			if s.section.ID == "" || s.section.Legend == "" {
				t.Errorf("%s starts a section without id or legend", s.name)
			}
		}
		if i == 0 && s.section == nil {
			t.Errorf("the first field %s starts no section", s.name)
		}
		if !kinds[s.kind] {
			t.Errorf("%s: form kind %q", s.name, s.kind)
		}
		if !s.isMap() && (s.label == "" || s.help == "") {
			t.Errorf("%s: no label or help", s.name)
		}
		if s.options != "" && len(choices[s.options].options) == 0 {
			t.Errorf("%s: unknown option set %q", s.name, s.options)
		}
		if (s.kind == "select" || s.kind == "checks" || s.isMap()) && s.options == "" {
			t.Errorf("%s: a %s without options", s.name, s.kind)
		}
		if s.kind == "number" && s.min == "" {
			t.Errorf("%s: a number without min", s.name)
		}
	}
	if sections < 2 {
		t.Errorf("%d sections", sections)
	}
}

// Every problem Validate finds gets a Danish message from the tags, not Validate's English.
func TestPolicyProblemsInDanish(t *testing.T) {
	p := policy.Default()
	p.InternalDomains = []string{"ikke et domæne"}
	p.TrustedDomains = []string{"x"}
	p.Secure.Header = policy.Header{Name: "X Bad:"}
	p.Secure.SubjectTags = []string{" "}
	p.Secure.SensitivityLabelID = "nope"
	p.PersonalData.CPRMinConfidence = 2
	p.PersonalData.NameMinConfidence = -1
	p.PersonalData.SensitiveMinConfidence = 1.5
	p.PersonalData.Categories = []string{"astrology"}
	p.Rules.DifferentCitizen = "stop"
	p.Rules.BulkCPR = policy.ThresholdRule{Action: "x", Threshold: 0}
	p.Rules.BulkPersons = policy.ThresholdRule{Action: "x", Threshold: 1}
	p.Rules.SeveralCitizens = policy.ThresholdRule{Action: "x", Threshold: 1}
	p.Rules.PersonalDataPlain = "x"
	p.Rules.UnreadableDocument = policy.UnreadableRule{Action: "x", Statuses: []string{"lost"}}
	p.FailMode = policy.Allow
	p.OverrideReason = "always"
	p.Messages = map[string]string{policy.CodeBulkCPR: "{antal}", policy.CodeUnreadable: " ", "no_such_code": "x"}
	p.Exemptions = policy.Exemptions{Senders: []string{"a"}, Recipients: []string{"b"}, Domains: []string{"c"}}
	problems := p.Validate()
	if len(problems) < 20 {
		t.Fatalf("only %d problems: %v", len(problems), problems)
	}
	for _, fe := range problems {
		if da := policyProblemDa(fe); da == fe.Msg || da == "" {
			t.Errorf("%s (%s): no Danish message", fe.Field, fe.Msg)
		}
	}
}

// The form reads back what it shows.
func TestPolicyFormRoundTrip(t *testing.T) {
	p := policy.Default()
	p.TrustedDomains = []string{"randers.dk", "regionmidtjylland.dk"}
	p.Secure.SubjectTags = []string{"[sikker, fortrolig]"}
	p.Rules.BulkCPR.Threshold = 7
	p.PersonalData.CPRMinConfidence = 0.65
	p.PersonalData.Categories = []string{"health"}
	p.Simulation = true
	errs := map[string]string{}
	got := policyFromForm(policyFormValues(p), errs)
	if len(errs) > 0 {
		t.Fatalf("errors %v", errs)
	}
	want, _ := p.Encode()
	if b, _ := got.Encode(); string(b) != string(want) {
		t.Errorf("read back:\n%s\nwant:\n%s", b, want)
	}
}
