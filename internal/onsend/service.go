// Package onsend answers the Outlook add-in's question on Send: it takes the draft (from Microsoft
// Graph by item id, or the content the add-in sent), scans it, applies the policy, records the
// verdict in the audit and returns what the pop-up shows. Package web only decodes and encodes
// HTTP around it.
package onsend

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/graph"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
)

// Scanner scans one message under a policy (package scan).
type Scanner interface {
	Scan(ctx context.Context, msg *message.Message, pol *policy.Policy) (*scan.Result, error)
}

// Fetcher reads a draft through Microsoft Graph (package graph).
type Fetcher interface {
	FetchMessage(ctx context.Context, u graph.User, mailbox, itemID string) (*message.Message, error)
}

// Recorder stores audit events durably (package audit).
type Recorder interface {
	Record(ctx context.Context, e audit.Event) error
}

// Policies gives the policy in force and its version.
type Policies interface {
	Current() (*policy.Policy, int)
}

// Redactor masks CPR numbers and person names in short strings such as attachment names
// (detect.Engine).
type Redactor interface {
	Redact(text string) string
}

// Preparer extracts attachments ahead of Send into the cache (scan.Scanner).
type Preparer interface {
	Prepare(ctx context.Context, atts []message.Attachment) []scan.Prepared
}

// Cache tells whether pre-scanned documents are still held (doccache.Cache).
type Cache interface {
	Has(key string) bool
}

// Observer receives metrics.
type Observer interface {
	Scanned(source, action string, statuses []string)
	Prescanned(statuses []string)
	AuditFailed()
}

// Config wires a Service. Fetcher may be nil: Graph is off and only inline content is accepted.
type Config struct {
	Scanner  Scanner
	Fetcher  Fetcher
	Recorder Recorder
	Policies Policies
	Hasher   *audit.Hasher
	Redactor Redactor
	Observer Observer
	Logger   *slog.Logger
	// Preparer and Cache serve the add-in's pre-scan; without them POST /prescan is refused and
	// attachments sent by hash only are "content_required".
	Preparer Preparer
	Cache    Cache
	// Audit and Feedback serve the task pane: a user's own scans, and false-alarm reports.
	Audit    AuditReader
	Feedback FeedbackStore
	// PrescanBudget bounds one pre-scan request (default 2 minutes: OCR of a scanned letter).
	PrescanBudget time.Duration
	// Budget is the time for one verdict, fetch included (default 4 s: Outlook shows its "taking
	// longer than expected" dialog at 5 s, add-in load included).
	Budget time.Duration
	// FetchBudget is the part of Budget Graph may use (default 2.5 s); the scan gets the rest.
	FetchBudget time.Duration
	Limits      Limits
	// Now is the clock (tests).
	Now func() time.Time
}

// Service answers on-send requests. It is safe for concurrent use.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Scanner == nil || cfg.Recorder == nil || cfg.Policies == nil || cfg.Hasher == nil {
		return nil, errors.New("onsend: scanner, recorder, policies and hasher are required")
	}
	if cfg.Budget <= 0 {
		cfg.Budget = 4 * time.Second
	}
	if cfg.FetchBudget <= 0 || cfg.FetchBudget > cfg.Budget {
		cfg.FetchBudget = cfg.Budget * 5 / 8
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PrescanBudget <= 0 {
		cfg.PrescanBudget = 2 * time.Minute
	}
	return &Service{cfg: cfg}, nil
}

// GraphEnabled tells whether drafts can be fetched by item id.
func (s *Service) GraphEnabled() bool { return s.cfg.Fetcher != nil }

// Reason codes the service adds to the policy's.
const (
	// CodeNotSynced: Graph does not have the draft yet (classic Outlook in cached mode); the
	// add-in resends with inline content.
	CodeNotSynced = "item_not_synced"
	// CodeFetchFailed: Graph could not be read (down, throttled, consent missing); the add-in may
	// resend with inline content, and the verdict meanwhile follows the fail mode.
	CodeFetchFailed = "fetch_failed"
	// CodeContentRequired: an attachment was sent by its hash only and its pre-scan is no longer
	// cached (evicted, or pre-scanned on another replica); the add-in resends with content.
	CodeContentRequired = "content_required"
)

// errContentRequired is the cause of a content_required verdict.
var errContentRequired = errors.New("pre-scanned attachment no longer cached")

// Check decides one on-send request of user. The returned error is an apperr.Error for a bad
// request; a failure of Graph or of the scan is a verdict under the policy's fail mode instead.
func (s *Service) Check(ctx context.Context, user *auth.User, req *Request) (*Response, error) {
	start := s.cfg.Now()
	if user == nil {
		return nil, apperr.Errorf(apperr.Unauthorized, "no user")
	}
	if err := req.validate(s.cfg.Limits); err != nil {
		return nil, err
	}
	if req.Inline == nil && s.cfg.Fetcher == nil {
		return nil, apperr.Errorf(apperr.Invalid, "this service does not read drafts through Microsoft Graph: send the content inline")
	}
	ctx, cancel := context.WithTimeout(s.asCaller(ctx, user.TenantID, user.ObjectID), s.cfg.Budget)
	defer cancel()
	pol, version := s.cfg.Policies.Current()
	ev := audit.Event{
		ID: audit.NewID(), Time: start.UTC(), TenantID: user.TenantID, ObjectID: user.ObjectID, UPN: user.UPN,
		PolicyVersion: version,
	}

	var msg *message.Message
	var fetchErr error
	if req.Inline != nil {
		ev.Source = "inline"
		if req.Preview {
			ev.Source = SourcePreview
		}
		msg = req.inlineMessage()
		if s.missingPrescan(ctx, msg) {
			req.applyEnvelope(msg, s.cfg.Limits, pol.Secure.Header.Name)
			return s.failed(ctx, ev, msg, pol, errContentRequired, start)
		}
	} else {
		ev.Source = "graph"
		fctx, fcancel := context.WithTimeout(ctx, s.cfg.FetchBudget)
		msg, fetchErr = s.cfg.Fetcher.FetchMessage(fctx, graph.User{TenantID: user.TenantID, ObjectID: user.ObjectID, Assertion: user.Token},
			mailboxFor(user, req.Mailbox), req.ItemID)
		fcancel()
		ev.FetchMillis = s.cfg.Now().Sub(start).Milliseconds()
	}
	if fetchErr != nil {
		if errors.Is(fetchErr, context.Canceled) && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, apperr.Wrap(apperr.Unavailable, fetchErr, "request cancelled")
		}
		msg = &message.Message{}
		req.applyEnvelope(msg, s.cfg.Limits, pol.Secure.Header.Name)
		return s.failed(ctx, ev, msg, pol, fetchErr, start)
	}
	req.applyEnvelope(msg, s.cfg.Limits, pol.Secure.Header.Name)
	if msg.From.Address == "" && user.UPN != "" {
		msg.From = message.Address{Address: user.UPN}
	}
	if pol.ExemptSender(msg.From.Address) {
		return s.exempt(ctx, ev, msg, pol), nil
	}

	scanStart := s.cfg.Now()
	res, err := s.cfg.Scanner.Scan(ctx, msg, pol)
	ev.ScanMillis = s.cfg.Now().Sub(scanStart).Milliseconds()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, apperr.Wrap(apperr.Unavailable, err, "request cancelled")
		}
		return s.failed(ctx, ev, msg, pol, err, start)
	}
	return s.decided(ctx, user, req, ev, msg, pol, version, res, start), nil
}

// decided turns a scan into the add-in's answer, records the audit event and counts it.
func (s *Service) decided(ctx context.Context, user *auth.User, req *Request, ev audit.Event, msg *message.Message, pol *policy.Policy, version int, res *scan.Result, start time.Time) *Response {
	resp := buildResponse(ev.ID, version, pol, res.Verdict, res)
	s.fillAudit(&ev, msg, res)
	s.applyOverride(ctx, user, req, resp, &ev)
	simulate(pol, &ev, resp)
	ev.TotalMillis = s.cfg.Now().Sub(start).Milliseconds()
	s.record(ctx, ev)
	if s.cfg.Observer != nil {
		statuses := make([]string, len(res.Documents))
		for i, d := range res.Documents {
			statuses[i] = string(d.Status)
		}
		s.cfg.Observer.Scanned(ev.Source, string(resp.Action), statuses)
	}
	return resp
}

// failed answers under the policy's fail mode when the draft could not be read or scanned.
func (s *Service) failed(ctx context.Context, ev audit.Event, msg *message.Message, pol *policy.Policy, cause error, start time.Time) (*Response, error) {
	v := pol.Failed()
	code, errText := CodeFetchFailed, "scan failed"
	switch {
	case errors.Is(cause, errContentRequired):
		code, errText = CodeContentRequired, "pre-scanned attachment no longer cached"
	case errors.Is(cause, graph.ErrNotSynced):
		code, errText = CodeNotSynced, "draft not yet synchronised to Exchange Online"
	case errors.Is(cause, graph.ErrThrottled):
		errText = "graph throttled"
	case errors.Is(cause, graph.ErrConsent):
		errText = "graph consent missing"
	case errors.Is(cause, graph.ErrAccessDenied):
		errText = "graph access denied"
	case errors.Is(cause, graph.ErrUnavailable), errors.Is(cause, context.DeadlineExceeded):
		errText = "graph unavailable"
	case ev.Source == "inline" || ev.Source == SourcePreview:
		code = policy.CodeScanFailed
	}
	for i := range v.Reasons {
		v.Reasons[i].Code = code
	}
	resp := buildResponse(ev.ID, ev.PolicyVersion, pol, v, nil)
	resp.ResendInline = ev.Source == "graph" || code == CodeContentRequired
	ev.Action = string(v.Action)
	ev.Reasons = []string{code}
	ev.Error = errText
	ev.RecipientDomains = recipientDomains(msg)
	simulate(pol, &ev, resp)
	ev.TotalMillis = s.cfg.Now().Sub(start).Milliseconds()
	s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "verdict without scan",
		slog.String("scan_id", ev.ID), slog.String("reason", code), slog.String("error", errText),
		slog.String("cause", safeCause(cause)))
	s.record(ctx, ev)
	if s.cfg.Observer != nil {
		s.cfg.Observer.Scanned(ev.Source, string(v.Action), nil)
	}
	return resp, nil
}

// missingPrescan tells whether an attachment sent by its hash only is no longer in the cache.
func (s *Service) missingPrescan(ctx context.Context, msg *message.Message) bool {
	for _, a := range msg.Attachments {
		if a.SHA256 != "" && len(a.Data) == 0 && (s.cfg.Cache == nil || !s.cfg.Cache.Has(scan.CacheKey(scan.CallerOf(ctx).Key, a.SHA256, a.Name, a.ContentType))) {
			return true
		}
	}
	return false
}

// record stores the event. The recorder spools when the database is down, so an error here means
// the disk failed too: the verdict still goes out (mail must not stop on audit storage), and the
// failure is logged and counted.
func (s *Service) record(ctx context.Context, ev audit.Event) {
	if ev.Source == SourcePreview {
		return // a check while writing: nothing was sent, the Send is audited
	}
	// The audit write must not be cut short by the request's deadline: it has its own.
	if err := s.cfg.Recorder.Record(context.WithoutCancel(ctx), ev); err != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelError, "audit event not stored", slog.String("scan_id", ev.ID), slog.String("error", err.Error()))
		if s.cfg.Observer != nil {
			s.cfg.Observer.AuditFailed()
		}
	}
}

// asCaller marks ctx with the user's key (a keyed hash of tenant and object id): the scanner
// keeps pre-scanned documents and counts directory look-ups per user by it.
func (s *Service) asCaller(ctx context.Context, tenantID, objectID string) context.Context {
	return scan.WithCaller(ctx, scan.Caller{Key: s.cfg.Hasher.Hash("caller", tenantID+"/"+objectID), TenantID: tenantID, ObjectID: objectID})
}

// SourcePreview is the source of the add-in's checks while the mail is written (Request.Preview):
// answered, counted in the metrics, never audited.
const SourcePreview = "preview"

// mailboxFor is "" (the user's own mailbox, /me) unless the draft is in another mailbox.
func mailboxFor(u *auth.User, mailbox string) string {
	if mailbox == "" || strings.EqualFold(mailbox, u.UPN) {
		return ""
	}
	return mailbox
}

// safeCause is an error text for the log. Errors from graph and scan never carry content or
// tokens; this also cuts them short.
func safeCause(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
