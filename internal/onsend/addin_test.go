package onsend

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/auth"
	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/doccache"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/store"
)

// memAudit is the audit and feedback store of these tests.
type memAudit struct {
	events   map[string]audit.Event
	feedback []audit.Feedback
}

func (m *memAudit) Record(_ context.Context, e audit.Event) error { m.events[e.ID] = e; return nil }
func (m *memAudit) GetAudit(_ context.Context, id string) (audit.Event, error) {
	e, ok := m.events[id]
	if !ok {
		return audit.Event{}, store.ErrNotFound
	}
	return e, nil
}
func (m *memAudit) InsertFeedback(_ context.Context, f audit.Feedback) error {
	m.feedback = append(m.feedback, f)
	return nil
}
func (m *memAudit) ListFeedback(_ context.Context, f store.FeedbackFilter) ([]audit.Feedback, error) {
	var out []audit.Feedback
	for _, fb := range m.feedback {
		if fb.EventID == f.EventID {
			out = append(out, fb)
		}
	}
	return out, nil
}

func newAddinService(t *testing.T) (*Service, *memAudit, *doccache.Cache) {
	t.Helper()
	return newAddinServiceWith(t, policy.Default())
}

// newAddinServiceWith is newAddinService under the policy pol.
func newAddinServiceWith(t *testing.T, pol *policy.Policy) (*Service, *memAudit, *doccache.Cache) {
	t.Helper()
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cache := doccache.New(doccache.Options{})
	sc := scan.New(formats.New(extract.DefaultLimits), det, identity.New(det, identity.Options{}), scan.Options{Cache: cache})
	h, err := audit.NewHasher([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	mem := &memAudit{events: map[string]audit.Event{}}
	svc, err := New(Config{Scanner: sc, Preparer: sc, Cache: cache, Recorder: mem, Audit: mem, Feedback: mem,
		Policies: staticPolicy{pol}, Hasher: h, Redactor: det})
	if err != nil {
		t.Fatal(err)
	}
	return svc, mem, cache
}

func TestPrescanThenSendByHash(t *testing.T) {
	svc, _, _ := newAddinService(t)
	ctx := context.Background()
	pre, err := svc.Prescan(ctx, user, &PrescanRequest{Attachments: []InlineAttachment{
		{Name: "Afgørelse.txt", ContentType: "text/plain", ContentBase64: b64(letter)},
		{Name: "Kaput.pdf", ContentType: "application/pdf", ContentBase64: b64("%PDF-1.7 broken")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if pre.PolicyVersion != 7 || len(pre.Attachments) != 2 {
		t.Fatalf("prescan answer %+v", pre)
	}
	if a := pre.Attachments[0]; a.Status != "scanned" || a.SHA256 != scan.ContentHash([]byte(letter)) {
		t.Errorf("letter: %+v", a)
	}
	if a := pre.Attachments[1]; a.Status != "unscannable" || a.Detail == "" {
		t.Errorf("broken PDF: %+v", a)
	}

	req := inlineLetter("karen.olsen@gmail.com", "Afgørelse.txt")
	req.Inline.Attachments[0] = InlineAttachment{Name: "Afgørelse.txt", ContentType: "text/plain", SHA256: strings.ToUpper(pre.Attachments[0].SHA256)}
	resp, err := svc.Check(ctx, user, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Action != policy.Block || resp.ResendInline {
		t.Fatalf("send by hash: action %s resend %v %+v, want block from the cached letter", resp.Action, resp.ResendInline, resp.Reasons)
	}

	// Another user (another tenant, or the same tenant) who knows the hash, name and type gets
	// neither the findings nor a hint that the file was pre-scanned.
	for _, other := range []*auth.User{
		{TenantID: user.TenantID, ObjectID: "o2", UPN: "kollega@aarhus.dk", Token: "t"},
		{TenantID: "t2", ObjectID: user.ObjectID, UPN: user.UPN, Token: "t"},
	} {
		resp, err := svc.Check(ctx, other, req)
		if err != nil {
			t.Fatal(err)
		}
		if !resp.ResendInline || resp.Reasons[0].Code != CodeContentRequired || len(resp.Findings) != 0 {
			t.Errorf("user %s/%s sending %s's hash: %s %+v findings %d, want content_required", other.TenantID, other.ObjectID,
				user.ObjectID, resp.Action, resp.Reasons, len(resp.Findings))
		}
	}

	req.Inline.Attachments[0].SHA256 = scan.ContentHash([]byte("never pre-scanned"))
	resp, err = svc.Check(ctx, user, req)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.ResendInline || len(resp.Reasons) == 0 || resp.Reasons[0].Code != CodeContentRequired || resp.Action != policy.Warn {
		t.Fatalf("unknown hash: %+v, want content_required with resendInline under the fail mode", resp)
	}
}

func TestPrescanRefusals(t *testing.T) {
	svc, _, _ := newAddinService(t)
	cases := []struct {
		name string
		req  PrescanRequest
	}{
		{"no attachments", PrescanRequest{}},
		{"hash instead of content", PrescanRequest{Attachments: []InlineAttachment{{Name: "a.txt", SHA256: strings.Repeat("a", 64)}}}},
		{"bad hash", PrescanRequest{Attachments: []InlineAttachment{{Name: "a.txt", ContentBase64: b64("x"), SHA256: "xyz"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Prescan(context.Background(), user, &tc.req)
			if tc.name == "bad hash" {
				// a hash beside content is ignored by the pre-scan, which hashes the content itself
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("err %v, want invalid", err)
			}
		})
	}
	if err := inlineLetter("a@b.dk", "x.txt"); err != nil {
		r := *err
		r.Inline.Attachments[0].SHA256 = "not-hex"
		if _, e := svc.Check(context.Background(), user, &r); apperr.CodeOf(e) != apperr.Invalid {
			t.Errorf("on-send with a malformed sha256: %v, want invalid", e)
		}
	}
}

func TestScanDetailAndFeedback(t *testing.T) {
	svc, mem, _ := newAddinService(t)
	ctx := context.Background()
	resp, err := svc.Check(ctx, user, inlineLetter("karen.olsen@gmail.com", "Afgørelse 010190-1234.txt"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.Scan(ctx, user, resp.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Action != "block" || len(d.Findings) == 0 || len(d.Reasons) == 0 {
		t.Fatalf("detail %+v", d)
	}
	for _, f := range d.Findings {
		if f.Kind == "cpr" && f.Masked != "010190-xxxx" {
			t.Errorf("finding not masked: %+v", f)
		}
	}
	for _, doc := range d.Documents {
		if strings.Contains(doc.Name, "1234") {
			t.Errorf("document name carries the full CPR number: %q", doc.Name)
		}
	}

	other := &auth.User{TenantID: "t1", ObjectID: "someone-else"}
	if _, err := svc.Scan(ctx, other, resp.ScanID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another user's scan: %v, want not found", err)
	}
	if _, err := svc.Feedback(ctx, other, &FeedbackRequest{ScanID: resp.ScanID}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("feedback on another user's scan: %v, want not found", err)
	}
	if _, err := svc.Feedback(ctx, user, &FeedbackRequest{ScanID: resp.ScanID, Kind: "praise"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown kind: %v, want invalid", err)
	}
	if _, err := svc.Feedback(ctx, user, &FeedbackRequest{ScanID: resp.ScanID, Comment: strings.Repeat("x", 501)}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("long comment: %v, want invalid", err)
	}

	fb, err := svc.Feedback(ctx, user, &FeedbackRequest{ScanID: resp.ScanID, Comment: "Karen har fuldmagt, hendes CPR 010190-1234 står i sagen"})
	if err != nil {
		t.Fatal(err)
	}
	if fb.Status != audit.FeedbackOpen || fb.Kind != audit.FeedbackFalseAlarm || time.Since(fb.Time) > time.Minute {
		t.Errorf("feedback answer %+v", fb)
	}
	if got := mem.feedback[0].Comment; strings.Contains(got, "1234") || !strings.Contains(got, "fuldmagt") {
		t.Errorf("stored comment %q: the CPR number must be masked, the rest kept", got)
	}
	d, _ = svc.Scan(ctx, user, resp.ScanID)
	if len(d.Feedback) != 1 || d.Feedback[0].ID != fb.ID {
		t.Errorf("scan detail feedback %+v", d.Feedback)
	}
}
