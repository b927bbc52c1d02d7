package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAdditions(t *testing.T) {
	p, err := Parse([]byte(`simulation: true
exemptions:
  senders: [" Direktor@Aarhus.dk "]
  recipients: [advokat@firma.dk]
  domains: [Ankestyrelsen.dk]
secure:
  sensitivity_label_id: "8A2B1C3D-0000-4000-8000-00000000ABCD"
`))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Simulation || p.Exemptions.Senders[0] != "direktor@aarhus.dk" || p.Exemptions.Recipients[0] != "advokat@firma.dk" ||
		p.Exemptions.Domains[0] != "ankestyrelsen.dk" || p.Secure.SensitivityLabelID != "8a2b1c3d-0000-4000-8000-00000000abcd" {
		t.Errorf("parsed %+v %+v %q", p.Simulation, p.Exemptions, p.Secure.SensitivityLabelID)
	}
	if p.Secure.Header.Name != "X-Sendevagt-Route" || p.Rules.DifferentCitizen != Block {
		t.Error("defaults lost")
	}
	d := Default()
	if d.Simulation || len(d.Exemptions.Senders)+len(d.Exemptions.Recipients)+len(d.Exemptions.Domains) != 0 || d.Secure.SensitivityLabelID != "" {
		t.Errorf("default additions %+v %+v", d.Simulation, d.Exemptions)
	}

	bad := []struct{ name, yaml, want string }{
		{"bad GUID", "secure:\n  sensitivity_label_id: not-a-guid\n", "line 2: secure.sensitivity_label_id"},
		{"bad sender", "exemptions:\n  senders: [direktor]\n", "line 2: exemptions.senders"},
		{"bad recipient", "exemptions:\n  recipients: [\"@firma.dk\"]\n", "exemptions.recipients"},
		{"bad exempt domain", "exemptions:\n  domains: [localhost]\n", "line 2: exemptions.domains"},
		{"simulation not a bool", "simulation: maybe\n", "invalid policy"},
		{"unknown placeholder", "messages:\n  bulk_cpr: \"{antal} CPR-numre\"\n", "line 2: messages.bulk_cpr: unknown placeholder {antal}"},
		{"unknown message code", "messages:\n  gossip: \"x\"\n", "messages.gossip"},
		{"empty message", "messages:\n  bulk_cpr: \"\"\n", "messages.bulk_cpr: must not be empty"},
		{"bad header name", "secure:\n  header:\n    name: \"X Route\"\n", "secure.header.name"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// Validate reports every problem, not just the first, so a form can show each beside its field.
func TestValidateAll(t *testing.T) {
	p := Default()
	p.TrustedDomains = []string{"randers dk"}
	p.Rules.BulkCPR.Threshold = 0
	p.Rules.DifferentCitizen = "stop"
	p.PersonalData.NameMinConfidence = 2
	p.Secure.SensitivityLabelID = "x"
	got := map[string]bool{}
	for _, fe := range p.Validate() {
		got[fe.Field] = true
	}
	for _, f := range []string{"trusted_domains", "rules.bulk_cpr.threshold", "rules.different_citizen",
		"personal_data.name_min_confidence", "secure.sensitivity_label_id"} {
		if !got[f] {
			t.Errorf("no problem reported for %s (got %v)", f, got)
		}
	}
	if len(Default().Validate()) != 0 {
		t.Errorf("the default policy has problems: %v", Default().Validate())
	}
	_, err := Parse([]byte("rules:\n  bulk_cpr:\n    threshold: 0\nfail_mode: allow\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3: rules.bulk_cpr.threshold") || !strings.Contains(err.Error(), "line 4: fail_mode") {
		t.Errorf("Parse did not report both problems with lines: %v", err)
	}
	if ps := Problems(err); len(ps) != 2 || ps[0].Line != 3 || ps[1].Field != "fail_mode" || ps[1].Value != "allow" {
		t.Errorf("Problems = %+v", ps)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Line == 0 {
		t.Errorf("errors.As(FieldError) = %+v", fe)
	}
}

func TestExemptionsEvaluate(t *testing.T) {
	pol := Default()
	pol.Exemptions = Exemptions{Senders: []string{"jonas.fisker@aarhus.dk"}}
	v := pol.Evaluate(Facts{Message: msg("Breve", []string{"borger@live.dk"}, nil, nil), CPRs: cprs(12)})
	if v.Action != Allow || len(v.Reasons) != 1 || v.Reasons[0].Code != CodeExempt || v.Reasons[0].Action != Allow {
		t.Errorf("exempt sender: %+v", v)
	}

	pol = Default()
	pol.Exemptions = Exemptions{Recipients: []string{"advokat@firma.dk"}, Domains: []string{"ankestyrelsen.dk"}}
	for _, tt := range []struct {
		to   []string
		want Action
	}{
		{[]string{"Advokat@Firma.dk"}, Allow},
		{[]string{"sag@ankestyrelsen.dk"}, Allow},
		{[]string{"x@jura.ankestyrelsen.dk"}, Allow},
		{[]string{"anden@firma.dk"}, Secure},
		{[]string{"advokat@firma.dk", "borger@live.dk"}, Secure},
	} {
		if v := pol.Evaluate(Facts{Message: msg("Sag", tt.to, nil, nil), CPRs: cprs(1)}); v.Action != tt.want {
			t.Errorf("to %v: %s, want %s", tt.to, v.Action, tt.want)
		}
	}
	// Exempted recipients do not count as external citizens either.
	if v := pol.Evaluate(Facts{Message: msg("Sag", []string{"borger@live.dk"}, []string{"advokat@firma.dk"}, nil), CPRs: cprs(1)}); v.Action != Secure {
		t.Errorf("several citizens with one exempt: %s %+v", v.Action, v.Reasons)
	}
	if z := pol.ZoneOf("jonas.fisker@aarhus.dk", "advokat@firma.dk"); z != Trusted {
		t.Errorf("zone %s, want trusted", z)
	}
}

func TestAdditionsRoundTrip(t *testing.T) {
	p := Default()
	p.Simulation = true
	p.Exemptions = Exemptions{Senders: []string{"a@aarhus.dk"}, Domains: []string{"randers.dk"}}
	p.Secure.SensitivityLabelID = "8a2b1c3d-0000-4000-8000-00000000abcd"
	data, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Simulation || q.Exemptions.Senders[0] != "a@aarhus.dk" || q.Exemptions.Domains[0] != "randers.dk" || q.Secure.SensitivityLabelID != p.Secure.SensitivityLabelID {
		t.Errorf("round trip lost the additions: %+v", q)
	}
}
