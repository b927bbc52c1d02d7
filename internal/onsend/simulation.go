package onsend

import (
	"context"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// simulate applies a policy in simulation mode to an answer: the decision is made and audited
// as usual (the event keeps the real action and is marked Simulated), but the add-in is told to
// allow, with no pop-up and no secure marking. ev must be complete apart from Simulated, and is
// recorded afterwards by the caller.
func simulate(pol *policy.Policy, ev *audit.Event, resp *Response) {
	if !pol.Simulation {
		return
	}
	ev.Simulated = true
	resp.Action = policy.Allow
	resp.Reasons = []Reason{}
	resp.Message, resp.MessageMarkdown = "", ""
	resp.Secure = nil
}

// exempt answers for a sender the policy exempts: the message is not scanned, the verdict is
// allow with reason "exempt", and the audit records that (recipient domains only).
func (s *Service) exempt(ctx context.Context, ev audit.Event, msg *message.Message, pol *policy.Policy) *Response {
	v := pol.Exempt()
	resp := buildResponse(ev.ID, ev.PolicyVersion, pol, v, nil)
	resp.Message, resp.MessageMarkdown = "", "" // nothing to show: the mail goes
	ev.Action = string(v.Action)
	ev.Reasons = []string{policy.CodeExempt}
	ev.RecipientDomains = recipientDomains(msg)
	ev.TotalMillis = s.cfg.Now().Sub(ev.Time).Milliseconds()
	s.record(ctx, ev)
	if s.cfg.Observer != nil {
		s.cfg.Observer.Scanned(ev.Source, string(v.Action), nil)
	}
	return resp
}
