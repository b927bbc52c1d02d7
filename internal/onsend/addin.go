package onsend

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/store"
)

// AuditReader reads recorded verdicts (store.Store).
type AuditReader interface {
	GetAudit(ctx context.Context, id string) (audit.Event, error)
}

// FeedbackStore keeps employees' reports on verdicts (store.Store).
type FeedbackStore interface {
	InsertFeedback(ctx context.Context, f audit.Feedback) error
	ListFeedback(ctx context.Context, f store.FeedbackFilter) ([]audit.Feedback, error)
}

// PrescanRequest is the body of POST /api/v1/prescan: attachments the employee just added.
type PrescanRequest struct {
	Attachments []InlineAttachment `json:"attachments"`
}

// PrescanResponse says, per attachment and in the request's order, its content hash (which the
// add-in sends on Send instead of the content) and whether it could be read.
type PrescanResponse struct {
	PolicyVersion int             `json:"policyVersion"`
	Attachments   []PrescanResult `json:"attachments"`
}

// PrescanResult is one pre-scanned attachment.
type PrescanResult struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256,omitempty"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Prescan reads attachments ahead of Send and keeps their documents in the cache. It has its
// own, longer budget (PrescanBudget): this is where OCR of scanned paper fits, not on Send.
func (s *Service) Prescan(ctx context.Context, user *auth.User, req *PrescanRequest) (*PrescanResponse, error) {
	if user == nil {
		return nil, apperr.Errorf(apperr.Unauthorized, "no user")
	}
	if s.cfg.Preparer == nil || s.cfg.Cache == nil {
		return nil, apperr.Errorf(apperr.Unavailable, "pre-scan is not available on this service")
	}
	if len(req.Attachments) == 0 {
		return nil, invalid("attachments: at least one is required")
	}
	for i, a := range req.Attachments {
		if !a.ContentBase64.Present && a.SHA256 != "" {
			return nil, invalid("attachments[%d]: a pre-scan needs the content, not a hash", i)
		}
	}
	ctx, cancel := context.WithTimeout(s.asCaller(ctx, user.TenantID, user.ObjectID), s.cfg.PrescanBudget)
	defer cancel()
	msg := (&Request{Inline: &Inline{Attachments: req.Attachments}}).inlineMessage()
	start := s.cfg.Now()
	prepared := s.cfg.Preparer.Prepare(ctx, msg.Attachments)
	_, version := s.cfg.Policies.Current()
	resp := &PrescanResponse{PolicyVersion: version, Attachments: make([]PrescanResult, len(prepared))}
	statuses := make([]string, 0, len(prepared))
	for i, p := range prepared {
		status, detail := summary(p.Documents)
		resp.Attachments[i] = PrescanResult{Name: req.Attachments[i].Name, SHA256: p.SHA256, Status: status, Detail: detail}
		statuses = append(statuses, status)
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer.Prescanned(statuses)
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "pre-scan", slog.Int("attachments", len(prepared)),
		slog.Int64("ms", s.cfg.Now().Sub(start).Milliseconds()))
	return resp, nil
}

// summary is an attachment's status: scanned when every document in it was read in full,
// otherwise the first document that was not, with its detail.
func summary(docs []extract.Document) (status, detail string) {
	for _, d := range docs {
		st := d.Status
		if st == extract.Scanned && d.Truncated {
			st = extract.TooLarge
		}
		if st != extract.Scanned {
			return string(st), d.Detail
		}
	}
	return string(extract.Scanned), ""
}

// ScanDetail is one of the caller's own verdicts as the task pane shows it: masked values only.
type ScanDetail struct {
	ScanID        string           `json:"scanId"`
	Time          time.Time        `json:"time"`
	Action        string           `json:"action"`
	Source        string           `json:"source"`
	PolicyVersion int              `json:"policyVersion"`
	Reasons       []DetailReason   `json:"reasons"`
	Documents     []Document       `json:"documents"`
	Findings      []Finding        `json:"findings"`
	Feedback      []FeedbackAnswer `json:"feedback"`
}

// DetailReason is a reason code of a recorded verdict.
type DetailReason struct {
	Code string `json:"code"`
}

// Scan returns the recorded verdict id if the user made it (NotFound otherwise: another
// employee's scan does not exist for this one).
func (s *Service) Scan(ctx context.Context, user *auth.User, id string) (*ScanDetail, error) {
	ev, err := s.ownEvent(ctx, user, id)
	if err != nil {
		return nil, err
	}
	d := &ScanDetail{ScanID: ev.ID, Time: ev.Time, Action: ev.Action, Source: ev.Source, PolicyVersion: ev.PolicyVersion,
		Reasons: []DetailReason{}, Documents: []Document{}, Findings: []Finding{}, Feedback: []FeedbackAnswer{}}
	for _, r := range ev.Reasons {
		d.Reasons = append(d.Reasons, DetailReason{Code: r})
	}
	for _, doc := range ev.Documents {
		d.Documents = append(d.Documents, Document{Name: doc.Name, Type: doc.Type, Status: doc.Status, Detail: doc.Detail})
		for _, f := range doc.Findings {
			d.Findings = append(d.Findings, Finding{Kind: f.Kind, Document: doc.Name, Page: f.Page, Masked: f.Masked,
				Confidence: f.Confidence, Category: f.Category})
		}
	}
	if s.cfg.Feedback != nil {
		fbs, err := s.cfg.Feedback.ListFeedback(ctx, store.FeedbackFilter{EventID: ev.ID})
		if err != nil {
			return nil, apperr.Wrap(apperr.Unavailable, err, "the audit could not be read")
		}
		for _, f := range fbs {
			if f.ObjectID == user.ObjectID {
				d.Feedback = append(d.Feedback, feedbackAnswer(f))
			}
		}
	}
	return d, nil
}

// ownEvent reads an audit event and checks that user made it.
func (s *Service) ownEvent(ctx context.Context, user *auth.User, id string) (audit.Event, error) {
	if user == nil {
		return audit.Event{}, apperr.Errorf(apperr.Unauthorized, "no user")
	}
	if s.cfg.Audit == nil {
		return audit.Event{}, apperr.Errorf(apperr.Unavailable, "the audit is not available on this service")
	}
	if id == "" || len(id) > 128 {
		return audit.Event{}, apperr.Errorf(apperr.NotFound, "no such scan")
	}
	ev, err := s.cfg.Audit.GetAudit(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return audit.Event{}, apperr.Errorf(apperr.NotFound, "no such scan")
	}
	if err != nil {
		return audit.Event{}, apperr.Wrap(apperr.Unavailable, err, "the audit could not be read")
	}
	if ev.TenantID != user.TenantID || ev.ObjectID != user.ObjectID {
		return audit.Event{}, apperr.Errorf(apperr.NotFound, "no such scan")
	}
	return ev, nil
}

// FeedbackRequest is the body of POST /api/v1/feedback.
type FeedbackRequest struct {
	ScanID  string `json:"scanId"`
	Kind    string `json:"kind"`
	Comment string `json:"comment"`
}

// FeedbackAnswer is a stored report as the add-in sees it.
type FeedbackAnswer struct {
	ID     string    `json:"id"`
	ScanID string    `json:"scanId"`
	Kind   string    `json:"kind"`
	Status string    `json:"status"`
	Time   time.Time `json:"time"`
}

func feedbackAnswer(f audit.Feedback) FeedbackAnswer {
	return FeedbackAnswer{ID: f.ID, ScanID: f.EventID, Kind: f.Kind, Status: f.Status, Time: f.Time}
}

// Feedback records an employee's report that a verdict of theirs was a false alarm. The comment
// is stored with CPR numbers and recognised names masked.
func (s *Service) Feedback(ctx context.Context, user *auth.User, req *FeedbackRequest) (*FeedbackAnswer, error) {
	if s.cfg.Feedback == nil {
		return nil, apperr.Errorf(apperr.Unavailable, "feedback is not available on this service")
	}
	kind := req.Kind
	if kind == "" {
		kind = audit.FeedbackFalseAlarm
	}
	if kind != audit.FeedbackFalseAlarm {
		return nil, invalid("kind must be %q", audit.FeedbackFalseAlarm)
	}
	comment := strings.TrimSpace(req.Comment)
	if !utf8.ValidString(comment) || utf8.RuneCountInString(comment) > audit.MaxFeedbackComment {
		return nil, invalid("comment must be valid text of at most %d characters", audit.MaxFeedbackComment)
	}
	ev, err := s.ownEvent(ctx, user, req.ScanID)
	if err != nil {
		return nil, err
	}
	if s.cfg.Redactor != nil {
		comment = s.cfg.Redactor.Redact(comment)
	}
	f := audit.Feedback{
		ID: audit.NewID(), EventID: ev.ID, Time: s.cfg.Now().UTC().Truncate(time.Millisecond), Kind: kind, Comment: comment,
		TenantID: user.TenantID, ObjectID: user.ObjectID, UPN: user.UPN, Status: audit.FeedbackOpen,
	}
	if err := audit.ValidateFeedback(f); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "the comment could not be stored: leave personal data out of it")
	}
	if err := s.cfg.Feedback.InsertFeedback(ctx, f); err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "the report could not be stored; try again")
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "false alarm reported", slog.String("scan_id", ev.ID), slog.String("feedback_id", f.ID))
	a := feedbackAnswer(f)
	return &a, nil
}
