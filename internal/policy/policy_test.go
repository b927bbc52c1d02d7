package policy

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/message"
)

func msg(subject string, to, cc []string, header map[string]string) *message.Message {
	m := &message.Message{From: message.Address{Name: "Jonas Fisker", Address: "jonas.fisker@aarhus.dk"}, Subject: subject, Header: textproto.MIMEHeader{}}
	for _, a := range to {
		m.To = append(m.To, message.Address{Address: a})
	}
	for _, a := range cc {
		m.Cc = append(m.Cc, message.Address{Address: a})
	}
	for k, v := range header {
		m.Header.Set(k, v)
	}
	return m
}

func cprs(n int) []CPR {
	var out []CPR
	for i := 0; i < n; i++ {
		out = append(out, CPR{Document: "Breve.pdf", Key: string(rune('a' + i)), Masked: "010190-xxxx"})
	}
	return out
}

func TestEvaluate(t *testing.T) {
	pol := Default()
	pol.TrustedDomains = []string{"randers.dk"}
	citizen := "borger@live.dk"
	tests := []struct {
		name  string
		facts Facts
		want  Action
		codes []string
	}{
		{"nothing personal", Facts{Message: msg("Hej", []string{citizen}, nil, nil)}, Allow, nil},
		{"CPR to external, plain", Facts{Message: msg("Brev", []string{citizen}, nil, nil), CPRs: cprs(1)}, Secure, []string{CodePersonalPlain}},
		{"CPR to external, subject tag any case", Facts{Message: msg("Brev [SIKKER]", []string{citizen}, nil, nil), CPRs: cprs(1)}, Allow, nil},
		{"CPR to external, secure header", Facts{Message: msg("Brev", []string{citizen}, nil, map[string]string{"X-Sendevagt-Route": "Secure"}), CPRs: cprs(1)}, Allow, nil},
		{"CPR to internal only", Facts{Message: msg("Liste", []string{"kollega@aarhus.dk"}, nil, nil), CPRs: cprs(15)}, Allow, nil},
		{"CPR to trusted subdomain", Facts{Message: msg("Liste", []string{"x@sub.randers.dk"}, nil, nil), CPRs: cprs(12)}, Allow, nil},
		{"bulk: 10 distinct CPRs", Facts{Message: msg("Breve", []string{citizen}, nil, nil), CPRs: cprs(10)}, Block, []string{CodeBulkCPR, CodePersonalPlain}},
		{"9 CPRs are not bulk", Facts{Message: msg("Breve", []string{citizen}, nil, nil), CPRs: cprs(9)}, Secure, []string{CodePersonalPlain}},
		{"bulk even when secure", Facts{Message: msg("[sikker] Breve", []string{citizen}, nil, nil), CPRs: cprs(10)}, Block, []string{CodeBulkCPR}},
		{"two external citizens in To/Cc", Facts{Message: msg("Referat", []string{citizen}, []string{"b@yahoo.dk"}, nil), CPRs: cprs(1)}, Block, []string{CodeSeveralCitizens, CodePersonalPlain}},
		{"two external citizens, no personal data", Facts{Message: msg("Vejarbejde", []string{citizen, "b@yahoo.dk"}, nil, nil)}, Allow, nil},
		{"different citizen, even when secure", Facts{Message: msg("[sikker]", []string{citizen}, nil, nil), CPRs: cprs(1),
			Persons: []Person{{Document: "Afgørelse.pdf", Identifier: "010190-xxxx", HasCPR: true, Relations: []string{"different"}}}}, Block, []string{CodeDifferentCitizen}},
		{"addressed to the recipient", Facts{Message: msg("Brev", []string{citizen}, nil, nil), CPRs: cprs(1),
			Persons: []Person{{Document: "Brev.pdf", Identifier: "010190-xxxx", HasCPR: true, Relations: []string{"addressed"}}}}, Secure, []string{CodePersonalPlain}},
		{"name and sensitive statement", Facts{Message: msg("Svar", []string{citizen}, nil, nil),
			Persons: []Person{{Document: "(mailtekst)", Identifier: "F. L.", Sensitive: true, Relations: []string{"unknown"}}}}, Secure, []string{CodePersonalPlain}},
		{"different person without personal data does not block", Facts{Message: msg("Brev", []string{citizen}, nil, nil),
			Persons: []Person{{Document: "Brev.pdf", Identifier: "F. L.", Relations: []string{"different"}}}}, Allow, nil},
		{"unreadable attachment to external", Facts{Message: msg("Brev", []string{citizen}, nil, nil),
			Documents: []Document{{Name: "Brev.pdf", Status: "encrypted", Detail: "PDF is password-protected"}}}, Warn, []string{CodeUnreadable}},
		{"unreadable attachment to internal", Facts{Message: msg("Brev", []string{"kollega@aarhus.dk"}, nil, nil),
			Documents: []Document{{Name: "Brev.pdf", Status: "unscannable"}}}, Allow, nil},
		{"S/MIME encrypted", Facts{Message: func() *message.Message { m := msg("Brev", []string{citizen}, nil, nil); m.Encrypted = true; return m }(), CPRs: cprs(1)}, Allow, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := pol.Evaluate(tt.facts)
			if v.Action != tt.want {
				t.Errorf("action %s, want %s (reasons %+v)", v.Action, tt.want, v.Reasons)
			}
			var codes []string
			for _, r := range v.Reasons {
				codes = append(codes, r.Code)
				if r.Message == "" || strings.Contains(r.Message, "{") {
					t.Errorf("reason %s has an unfilled message %q", r.Code, r.Message)
				}
			}
			if strings.Join(codes, ",") != strings.Join(tt.codes, ",") {
				t.Errorf("codes %v, want %v", codes, tt.codes)
			}
		})
	}
}

func TestReasonMessageNamesDocumentAndIdentifier(t *testing.T) {
	v := Default().Evaluate(Facts{Message: msg("Brev", []string{"borger@live.dk"}, nil, nil), CPRs: cprs(1),
		Persons: []Person{{Document: "Afgørelse.pdf", Identifier: "010190-xxxx", HasCPR: true, Relations: []string{"different"}}}})
	if len(v.Reasons) == 0 {
		t.Fatal("no reasons")
	}
	m := v.Reasons[0].Message
	for _, want := range []string{"»Afgørelse.pdf«", "010190-xxxx", "borger@live.dk"} {
		if !strings.Contains(m, want) {
			t.Errorf("message %q does not contain %q", m, want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, yaml string
		wantErr    string // substring; "" = valid
	}{
		{"empty file keeps the defaults", "", ""},
		{"override one rule", "rules:\n  bulk_cpr:\n    action: warn\n    threshold: 5\n", ""},
		{"unknown field", "name: x\nrulez: {}\n", "line 2"},
		{"bad action", "rules:\n  different_citizen: stop\n", "line 2: rules.different_citizen"},
		{"bad fail mode", "fail_mode: allow\n", "line 1: fail_mode"},
		{"bad threshold", "rules:\n  bulk_cpr:\n    threshold: 0\n", "line 3: rules.bulk_cpr.threshold"},
		{"bad status", "rules:\n  unreadable_attachment:\n    statuses: [broken]\n", "rules.unreadable_attachment.statuses"},
		{"bad category", "personal_data:\n  categories: [health, gossip]\n", "personal_data.categories"},
		{"bad confidence", "personal_data:\n  cpr_min_confidence: 2\n", "line 2: personal_data.cpr_min_confidence"},
		{"bad trusted domain", "trusted_domains: [\"randers dk\"]\n", "line 1: trusted_domains: \"randers dk\" is not a domain"},
		{"bad internal domain", "name: x\ninternal_domains: [\"@aarhus.dk\"]\n", "line 2: internal_domains"},
		{"not YAML", "rules: [\n", "invalid policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if p.Rules.DifferentCitizen != Block {
					t.Errorf("defaults lost: different_citizen = %s", p.Rules.DifferentCitizen)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v, want one containing %q wrapping ErrInvalid", err, tt.wantErr)
			}
		})
	}
	p, _ := Parse([]byte("rules:\n  bulk_cpr:\n    action: warn\n    threshold: 5\n"))
	if p.Rules.BulkCPR.Action != Warn || p.Rules.BulkCPR.Threshold != 5 || p.Rules.SeveralCitizens.Threshold != 2 {
		t.Errorf("override not applied or defaults lost: %+v", p.Rules)
	}
	if p.Messages[CodeBulkCPR] == "" {
		t.Error("default messages lost")
	}
}

func TestDefaultRoundTrip(t *testing.T) {
	data, err := Default().Encode()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data)
	if err != nil {
		t.Fatalf("exported default does not parse: %v", err)
	}
	if p.Rules.BulkCPR.Threshold != 10 || p.Secure.Header.Name != "X-Sendevagt-Route" {
		t.Errorf("round trip lost values: %+v", p)
	}
}
