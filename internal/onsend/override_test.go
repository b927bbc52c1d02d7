package onsend

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/policy"
)

func newOverrideService(t *testing.T, mode string) (*Service, *memAudit) {
	t.Helper()
	pol := policy.Default()
	pol.OverrideReason = mode
	svc, mem, _ := newAddinServiceWith(t, pol)
	return svc, mem
}

// warnedRequest is a mail to an external recipient with an attachment that cannot be read: the
// default policy warns (unreadable_attachment).
func warnedRequest() *Request {
	return &Request{
		Subject:    "Bilag",
		From:       &Address{Address: "jonas.hassan@aarhus.dk"},
		Recipients: Recipients{To: []Address{{Address: "advokat@example.org"}}},
		Inline: &Inline{
			Body:        &InlineBody{ContentType: "text", Content: "Se bilag."},
			Attachments: []InlineAttachment{{Name: "Kaput.pdf", ContentType: "application/pdf", ContentBase64: b64("%PDF-1.7 broken")}},
		},
	}
}

// Sending despite a warning with a justification: the warning names the policy's setting, the
// override is audited with the masked reason and the warning's reasons, the next Send naming it
// is allowed and audited as an override, and nothing else can be overridden.
func TestOverrideWithReason(t *testing.T) {
	ctx := context.Background()
	svc, mem := newOverrideService(t, policy.OverrideRequired)
	warned, err := svc.Check(ctx, user, warnedRequest())
	if err != nil {
		t.Fatal(err)
	}
	if warned.Action != policy.Warn || warned.OverrideReason != policy.OverrideRequired {
		t.Fatalf("check: %s %q %+v", warned.Action, warned.OverrideReason, warned.Reasons)
	}

	for _, tt := range []struct {
		name, scan, reason string
		who                *auth.User
		code               string
	}{
		{"empty reason", warned.ScanID, "  ", user, apperr.Invalid},
		{"too short", warned.ScanID, "ok", user, apperr.Invalid},
		{"another user's scan", warned.ScanID, "Aftalt med borgeren", &auth.User{TenantID: "t1", ObjectID: "o2"}, apperr.NotFound},
		{"no such scan", "nope", "Aftalt med borgeren", user, apperr.NotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Override(ctx, tt.who, &OverrideRequest{ScanID: tt.scan, Reason: tt.reason})
			if apperr.CodeOf(err) != tt.code {
				t.Errorf("err %v, want %s", err, tt.code)
			}
		})
	}

	long := "Advokaten skal bruge bilaget til sagen om Jens Hansen, CPR 010190-1234. " + strings.Repeat("Mere tekst. ", 40)
	o, err := svc.Override(ctx, user, &OverrideRequest{ScanID: warned.ScanID, Reason: long})
	if err != nil {
		t.Fatal(err)
	}
	ev := mem.events[o.OverrideID]
	if !slices.Equal(ev.Reasons, []string{audit.ReasonOverride, "unreadable_attachment"}) || ev.Action != "warn" ||
		!slices.Equal(ev.RecipientDomains, []string{"example.org"}) {
		t.Errorf("override event %+v", ev)
	}
	if strings.Contains(ev.Justification, "010190-1234") || strings.Contains(ev.Justification, "Jens Hansen") ||
		len([]rune(ev.Justification)) > audit.MaxJustification || !strings.HasPrefix(ev.Justification, "Advokaten skal bruge bilaget") {
		t.Errorf("justification not masked or not cut: %q", ev.Justification)
	}
	if err := audit.ValidateEvent(ev); err != nil {
		t.Errorf("stored event invalid: %v", err)
	}
	if _, err := svc.Override(ctx, user, &OverrideRequest{ScanID: o.OverrideID, Reason: "igen igen"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("an override overridden: %v", err)
	}

	req := warnedRequest()
	req.OverrideID = o.OverrideID
	sent, err := svc.Check(ctx, user, req)
	if err != nil {
		t.Fatal(err)
	}
	last := mem.events[sent.ScanID]
	if sent.Action != policy.Allow || !slices.Contains(last.Reasons, audit.ReasonOverride) || last.Action != "warn" || last.Justification != ev.Justification {
		t.Errorf("send with override: %s, audit %+v", sent.Action, last)
	}

	// An allow cannot be overridden.
	allowed, err := svc.Check(ctx, user, &Request{Subject: "Hej", Recipients: Recipients{To: []Address{{Address: "kollega@aarhus.dk"}}},
		Inline: &Inline{Body: &InlineBody{ContentType: "text", Content: "Hej"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Override(ctx, user, &OverrideRequest{ScanID: allowed.ScanID, Reason: "Aftalt med borgeren"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("allow overridden: %v", err)
	}
}

// With override_reason off the warning does not ask for a reason; optional accepts none.
func TestOverrideReasonSettings(t *testing.T) {
	ctx := context.Background()
	off, _ := newOverrideService(t, policy.OverrideOff)
	if r, err := off.Check(ctx, user, warnedRequest()); err != nil || r.OverrideReason != "" {
		t.Errorf("off: %v %q", err, r.OverrideReason)
	}
	opt, mem := newOverrideService(t, policy.OverrideOptional)
	r, err := opt.Check(ctx, user, warnedRequest())
	if err != nil || r.OverrideReason != policy.OverrideOptional {
		t.Fatalf("optional: %v %q", err, r.OverrideReason)
	}
	o, err := opt.Override(ctx, user, &OverrideRequest{ScanID: r.ScanID})
	if err != nil || mem.events[o.OverrideID].Justification != "" {
		t.Errorf("optional without reason: %v", err)
	}
}

// A preview (the info bar's check while writing) is decided like a Send but not audited.
func TestPreviewNotAudited(t *testing.T) {
	svc, mem := newOverrideService(t, policy.OverrideOff)
	req := warnedRequest()
	req.Preview = true
	resp, err := svc.Check(context.Background(), user, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Action != policy.Warn || resp.ScanID == "" {
		t.Errorf("preview: %s", resp.Action)
	}
	if len(mem.events) != 0 {
		t.Errorf("a preview was audited: %+v", mem.events)
	}
}
