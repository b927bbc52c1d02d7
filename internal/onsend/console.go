package onsend

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// ConsoleUser is the administrator who runs a message through the admin test console.
type ConsoleUser struct {
	TenantID string
	ObjectID string
	UPN      string
}

// Console scans msg as Check would scan the same draft (same scanner, policy, budget, exempt
// senders, simulation mode and response) for the admin test console. Nothing is stored but one audit event marked as a test
// (Source "console", Test true). A message without a sender is sent by the administrator.
func (s *Service) Console(ctx context.Context, user ConsoleUser, msg *message.Message) (*Response, error) {
	if msg == nil {
		return nil, apperr.Errorf(apperr.Invalid, "no message")
	}
	start := s.cfg.Now()
	ctx, cancel := context.WithTimeout(s.asCaller(ctx, user.TenantID, user.ObjectID), s.cfg.Budget)
	defer cancel()
	pol, version := s.cfg.Policies.Current()
	ev := audit.Event{
		ID: audit.NewID(), Time: start.UTC(), Source: "console", Test: true,
		TenantID: user.TenantID, ObjectID: user.ObjectID, UPN: user.UPN, PolicyVersion: version,
	}
	if msg.From.Address == "" && user.UPN != "" {
		msg.From = message.Address{Address: user.UPN}
	}
	if pol.ExemptSender(msg.From.Address) {
		return s.exempt(ctx, ev, msg, pol), nil
	}
	res, err := s.cfg.Scanner.Scan(ctx, msg, pol)
	ev.ScanMillis = s.cfg.Now().Sub(start).Milliseconds()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, apperr.Wrap(apperr.Unavailable, err, "request cancelled")
		}
		return s.consoleFailed(ctx, ev, msg, pol, err, start), nil
	}
	return s.decided(ctx, nil, nil, ev, msg, pol, version, res, start), nil
}

// consoleFailed answers under the policy's fail mode when the scan itself failed.
func (s *Service) consoleFailed(ctx context.Context, ev audit.Event, msg *message.Message, pol *policy.Policy, cause error, start time.Time) *Response {
	v := pol.Failed()
	for i := range v.Reasons {
		v.Reasons[i].Code = policy.CodeScanFailed
	}
	resp := buildResponse(ev.ID, ev.PolicyVersion, pol, v, nil)
	ev.Action = string(v.Action)
	ev.Reasons = []string{policy.CodeScanFailed}
	ev.Error = "scan failed"
	ev.RecipientDomains = recipientDomains(msg)
	simulate(pol, &ev, resp)
	ev.TotalMillis = s.cfg.Now().Sub(start).Milliseconds()
	s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "console verdict without scan",
		slog.String("scan_id", ev.ID), slog.String("error", safeCause(cause)))
	s.record(ctx, ev)
	if s.cfg.Observer != nil {
		s.cfg.Observer.Scanned(ev.Source, string(v.Action), nil)
	}
	return resp
}
