package onsend

import (
	"context"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/graph"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
)

// newPolicyService is newService with a policy of the test's own.
func newPolicyService(t *testing.T, pol *policy.Policy, f Fetcher, rec *fakeRecorder) *Service {
	t.Helper()
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := scan.New(formats.New(extract.DefaultLimits), det, identity.New(det, identity.Options{}), scan.Options{})
	h, err := audit.NewHasher([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Scanner: sc, Recorder: rec, Policies: staticPolicy{pol}, Hasher: h, Redactor: det}
	if f != nil {
		cfg.Fetcher = f
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestSimulation(t *testing.T) {
	tests := []struct {
		name       string
		simulation bool
		to         string
		wantResp   policy.Action
		wantAudit  string
		wantReason string
	}{
		{"simulated block", true, "karen.olsen@gmail.com", policy.Allow, "block", policy.CodeDifferentCitizen},
		{"simulated secure", true, "jens.hansen@gmail.com", policy.Allow, "secure", policy.CodePersonalPlain},
		{"simulated allow", true, "kollega@aarhus.dk", policy.Allow, "allow", ""},
		{"enforced block", false, "karen.olsen@gmail.com", policy.Block, "block", policy.CodeDifferentCitizen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := policy.Default()
			pol.Simulation = tt.simulation
			rec := &fakeRecorder{}
			svc := newPolicyService(t, pol, nil, rec)
			resp, err := svc.Check(context.Background(), user, inlineLetter(tt.to, "Afgørelse Jens Hansen 010190-1234.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Action != tt.wantResp {
				t.Errorf("the add-in got %s, want %s", resp.Action, tt.wantResp)
			}
			if tt.simulation && (len(resp.Reasons) != 0 || resp.Message != "" || resp.MessageMarkdown != "" || resp.Secure != nil) {
				t.Errorf("a simulated verdict would show a pop-up or mark the mail: %+v", resp)
			}
			if len(rec.events) != 1 {
				t.Fatalf("%d audit events, want 1", len(rec.events))
			}
			ev := rec.events[0]
			if ev.Simulated != tt.simulation || ev.Action != tt.wantAudit {
				t.Errorf("audit: simulated %v action %s, want %v %s", ev.Simulated, ev.Action, tt.simulation, tt.wantAudit)
			}
			if tt.wantReason != "" && (len(ev.Reasons) == 0 || ev.Reasons[0] != tt.wantReason) {
				t.Errorf("audit reasons %v, want first %s", ev.Reasons, tt.wantReason)
			}
			if tt.wantAudit != "allow" && len(ev.Documents) == 0 {
				t.Error("a simulated scan lost its documents in the audit")
			}
		})
	}
}

// A failure of Graph under simulation: the add-in gets allow (still asked to resend inline), the
// audit the fail mode's action.
func TestSimulationFailMode(t *testing.T) {
	pol := policy.Default()
	pol.Simulation, pol.FailMode = true, policy.Block
	rec := &fakeRecorder{}
	svc := newPolicyService(t, pol, &fakeFetcher{err: graph.ErrUnavailable}, rec)
	resp, err := svc.Check(context.Background(), user, &Request{ItemID: "AAMk", Recipients: Recipients{To: []Address{{Address: "b@gmail.com"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Action != policy.Allow || !resp.ResendInline || resp.Message != "" {
		t.Errorf("response %+v", resp)
	}
	if ev := rec.events[0]; !ev.Simulated || ev.Action != "block" || ev.Reasons[0] != CodeFetchFailed {
		t.Errorf("audit %+v", ev)
	}
}

func TestExemptions(t *testing.T) {
	tests := []struct {
		name       string
		exemptions policy.Exemptions
		to         string
		want       policy.Action
		reasons    string // audit reason codes
		documents  bool   // whether the audit lists scanned documents
	}{
		{"exempt sender is not checked", policy.Exemptions{Senders: []string{"Jonas.Hassan@aarhus.dk"}}, "karen.olsen@gmail.com", policy.Allow, "exempt", false},
		{"exempt recipient address", policy.Exemptions{Recipients: []string{"karen.olsen@gmail.com"}}, "karen.olsen@gmail.com", policy.Allow, "", true},
		{"exempt domain", policy.Exemptions{Domains: []string{"gmail.com"}}, "karen.olsen@gmail.com", policy.Allow, "", true},
		{"another recipient is still checked", policy.Exemptions{Recipients: []string{"jens.hansen@gmail.com"}, Senders: []string{"x@aarhus.dk"}}, "karen.olsen@gmail.com", policy.Block, "different_citizen", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := policy.Default()
			pol.Exemptions = tt.exemptions
			rec := &fakeRecorder{}
			svc := newPolicyService(t, pol, nil, rec)
			resp, err := svc.Check(context.Background(), user, inlineLetter(tt.to, "Afgørelse Jens Hansen 010190-1234.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Action != tt.want {
				t.Errorf("action %s %+v, want %s", resp.Action, resp.Reasons, tt.want)
			}
			if tt.want == policy.Allow && resp.Message != "" {
				t.Errorf("a pop-up text for allow: %q", resp.Message)
			}
			ev := rec.events[0]
			if ev.Action != string(tt.want) || !strings.HasPrefix(strings.Join(ev.Reasons, ","), tt.reasons) || (len(ev.Documents) > 0) != tt.documents {
				t.Errorf("audit %+v", ev)
			}
			if ev.Simulated {
				t.Error("marked simulated")
			}
		})
	}
}
