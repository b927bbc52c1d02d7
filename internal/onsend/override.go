package onsend

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// OverrideRequest is the body of POST /api/v1/override: the employee sends despite warning
// ScanID, with a justification (policy override_reason).
type OverrideRequest struct {
	ScanID string `json:"scanId"`
	Reason string `json:"reason"`
}

// OverrideAnswer names the recorded override: the add-in passes OverrideID with the next Send
// of the same draft, which is then allowed and audited as an override.
type OverrideAnswer struct {
	OverrideID string `json:"overrideId"`
	// Justification is the reason as it was stored (masked, cut to MaxJustification).
	Justification string `json:"justification"`
}

// overrideLifetime is how long a recorded override lets the draft go.
const overrideLifetime = 30 * time.Minute

// minJustification is the shortest justification the required setting accepts.
const minJustification = 5

// Override records that the employee sends despite warning ScanID: an audit event with reason
// "override" (and the warning's reasons), the warning's recipient domains and the masked
// justification (CPR numbers and names masked by the same redaction as the audit's document
// names, cut to audit.MaxJustification characters). Only the caller's own warnings can be
// overridden; a required justification must have at least a few characters.
func (s *Service) Override(ctx context.Context, user *auth.User, req *OverrideRequest) (*OverrideAnswer, error) {
	if s.cfg.Audit == nil {
		return nil, apperr.Errorf(apperr.Unavailable, "overrides are not available on this service")
	}
	pol, version := s.cfg.Policies.Current()
	reason := strings.Join(strings.Fields(req.Reason), " ")
	if !utf8.ValidString(reason) {
		return nil, invalid("reason must be valid text")
	}
	if pol.OverrideReason == policy.OverrideRequired && utf8.RuneCountInString(reason) < minJustification {
		return nil, invalid("a justification of at least %d characters is required", minJustification)
	}
	warned, err := s.ownEvent(ctx, user, req.ScanID)
	if err != nil {
		return nil, err
	}
	if warned.Action != string(policy.Warn) || slices.Contains(warned.Reasons, audit.ReasonOverride) {
		return nil, invalid("only a warning can be overridden")
	}
	if s.cfg.Redactor != nil {
		reason = s.cfg.Redactor.Redact(reason)
	}
	if r := []rune(reason); len(r) > audit.MaxJustification {
		reason = string(r[:audit.MaxJustification-1]) + "…"
	}
	ev := audit.Event{
		ID: audit.NewID(), Time: s.cfg.Now().UTC(), Source: warned.Source, TenantID: user.TenantID, ObjectID: user.ObjectID,
		UPN: user.UPN, RecipientDomains: warned.RecipientDomains, Action: warned.Action,
		Reasons: append([]string{audit.ReasonOverride}, warned.Reasons...), PolicyVersion: version,
		Justification: reason,
	}
	if err := audit.ValidateEvent(ev); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "the justification could not be stored: leave personal data out of it")
	}
	if err := s.cfg.Recorder.Record(context.WithoutCancel(ctx), ev); err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "the override could not be recorded; try again")
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "warning overridden", slog.String("scan_id", warned.ID), slog.String("override_id", ev.ID))
	return &OverrideAnswer{OverrideID: ev.ID, Justification: reason}, nil
}

// applyOverride lets a warned Send go when the request names the caller's own recent override of
// the same warnings (no reason the override did not name):
// the answer becomes allow and the audit event keeps the warning with reason "override" added.
// A block or secure verdict is never overridden.
func (s *Service) applyOverride(ctx context.Context, user *auth.User, req *Request, resp *Response, ev *audit.Event) {
	if req == nil || user == nil || req.OverrideID == "" || resp.Action != policy.Warn || s.cfg.Audit == nil {
		return
	}
	o, err := s.ownEvent(ctx, user, req.OverrideID)
	if err != nil || !slices.Contains(o.Reasons, audit.ReasonOverride) || s.cfg.Now().Sub(o.Time) > overrideLifetime {
		return
	}
	for _, r := range resp.Reasons {
		if !slices.Contains(o.Reasons, r.Code) {
			return // a warning the employee did not see when overriding
		}
	}
	resp.Action = policy.Allow
	resp.OverrideReason = ""
	ev.Reasons = append(ev.Reasons, audit.ReasonOverride)
	ev.Justification = o.Justification
}
