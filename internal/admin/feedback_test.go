package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/store"
)

// feedbackFixture adds three open reports to an audit fixture: two on stored verdicts, one on
// a verdict not (yet) in the audit.
func feedbackFixture(t *testing.T) *auditFixture {
	t.Helper()
	fx := newAuditFixture(t, 4)
	for i, f := range []struct{ id, event, comment string }{
		{"fb-1", "evt-001", "Borgeren har selv bedt om brevet"},
		{"fb-2", "evt-003", ""},
		{"fb-3", "evt-spooled", "Sendt til egen kommune"},
	} {
		err := fx.s.InsertFeedback(t.Context(), audit.Feedback{ID: f.id, EventID: f.event, Time: fx.now.Add(time.Duration(i) * time.Minute),
			Kind: audit.FeedbackFalseAlarm, Comment: f.comment, UPN: "sagsbehandler1@testkommune.dk", Status: audit.FeedbackOpen})
		if err != nil {
			t.Fatal(err)
		}
	}
	return fx
}

func feedbackStatus(t *testing.T, fx *auditFixture, id string) audit.Feedback {
	t.Helper()
	list, err := fx.s.ListFeedback(t.Context(), store.FeedbackFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range list {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no feedback %s", id)
	return audit.Feedback{}
}

func TestFeedbackList(t *testing.T) {
	fx := feedbackFixture(t)
	admin := fx.client(t, RoleAdmin)
	w := admin.get("/admin/feedback")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "Falske alarmer", "Åbne rapporter", "Borgeren har selv bedt om brevet", "Ingen kommentar", "Sendt til egen kommune",
		`href="/admin/audit/evt-001"`, `<span class="badge badge-warn">Advarsel</span>`, "Mange CPR-numre",
		"Afgørelsen (<span class=\"mono\">evt-spooled</span>) er ikke i revisionsloggen endnu.",
		"/admin/feedback/fb-1/confirm", "/admin/feedback/fb-1/dismiss", `aria-current="page">Åbne</a>`)
	// Newest first.
	body := w.Body.String()
	if i3, i1 := strings.Index(body, "Sendt til egen kommune"), strings.Index(body, "Borgeren har selv bedt"); i3 > i1 {
		t.Error("reports are not newest first")
	}
	w = admin.get("/admin/feedback?status=confirmed")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "Ingen rapporter.")
	wantStatus(t, admin.get("/admin/feedback?status=maybe"), http.StatusBadRequest)

	// An auditor reads, without buttons.
	aud := fx.client(t, RoleAuditor)
	w = aud.get("/admin/feedback")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "Borgeren har selv bedt om brevet")
	if strings.Contains(w.Body.String(), "/confirm") || strings.Contains(w.Body.String(), "/dismiss") {
		t.Error("an auditor is offered confirm/dismiss")
	}
}

func TestFeedbackResolve(t *testing.T) {
	fx := feedbackFixture(t)
	admin := fx.client(t, RoleAdmin)

	tests := []struct {
		name, id, verb, back string
		status, location     string
	}{
		{"confirm", "fb-1", "confirm", "", audit.FeedbackConfirmed, "/admin/feedback?status=open&ok="},
		{"dismiss from the detail page", "fb-2", "dismiss", "/admin/audit/evt-003", audit.FeedbackDismissed, "/admin/audit/evt-003?ok="},
		{"change of mind, from the confirmed tab", "fb-1", "dismiss", "/admin/feedback?status=confirmed&page=1&ok=old",
			audit.FeedbackDismissed, "/admin/feedback?page=1&status=confirmed&ok="},
		{"no open redirect", "fb-3", "confirm", "https://evil.example/admin/feedback", audit.FeedbackConfirmed, "/admin/feedback?status=open&ok="},
		{"no protocol-relative redirect", "fb-3", "confirm", "//evil.example/admin/audit/x", audit.FeedbackConfirmed, "/admin/feedback?status=open&ok="},
		{"no redirect elsewhere", "fb-3", "confirm", "/admin/policy", audit.FeedbackConfirmed, "/admin/feedback?status=open&ok="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			if tt.back != "" {
				form.Set("back", tt.back)
			}
			w := admin.post("/admin/feedback/"+tt.id+"/"+tt.verb, form)
			wantStatus(t, w, http.StatusSeeOther)
			if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, tt.location) || strings.Contains(loc, "ok=old") {
				t.Errorf("Location = %q, want %q…", loc, tt.location)
			}
			f := feedbackStatus(t, fx, tt.id)
			if f.Status != tt.status || f.ResolvedBy != "dpo@testkommune.dk" || !f.ResolvedAt.Equal(fx.now) {
				t.Errorf("feedback = %+v, want %s by dpo@testkommune.dk at %v", f, tt.status, fx.now)
			}
		})
	}
	// The flash is shown after the redirect.
	w := admin.get("/admin/feedback?status=dismissed&ok=feedback-dismissed")
	wantBody(t, w, `<p class="flash" role="status">Rapporten er afvist: afgørelsen var rigtig.</p>`, "Afvist", "dpo@testkommune.dk")

	wantStatus(t, admin.post("/admin/feedback/fb-nope/confirm", nil), http.StatusNotFound)
	// Without the CSRF token: refused.
	wantStatus(t, admin.postRaw("/admin/feedback/fb-3/dismiss", url.Values{}), http.StatusForbidden)
	if f := feedbackStatus(t, fx, "fb-3"); f.Status != audit.FeedbackConfirmed {
		t.Errorf("a post without CSRF token changed the report: %+v", f)
	}
}

func TestFeedbackAuditorCannotResolve(t *testing.T) {
	fx := feedbackFixture(t)
	aud := fx.client(t, RoleAuditor)
	for _, verb := range []string{"confirm", "dismiss"} {
		w := aud.post("/admin/feedback/fb-1/"+verb, nil)
		wantStatus(t, w, http.StatusForbidden)
	}
	if f := feedbackStatus(t, fx, "fb-1"); f.Status != audit.FeedbackOpen || f.ResolvedBy != "" {
		t.Errorf("an auditor changed a report: %+v", f)
	}
}

func TestSafeBack(t *testing.T) {
	def := "/admin/feedback?status=open"
	tests := []struct{ in, want string }{
		{"", def},
		{"/admin/feedback?status=dismissed", "/admin/feedback?status=dismissed"},
		{"/admin/feedback?status=open&ok=x", "/admin/feedback?status=open"},
		{"/admin/audit/evt-1", "/admin/audit/evt-1"},
		{"/admin/audit", def},
		{"/admin/policy", def},
		{"https://evil.example/admin/audit/1", def},
		{"//evil.example/admin/audit/1", def},
		{"/\\evil.example/admin/audit/1", def},
		{"/admin/audit/1#x", def},
		{"javascript:alert(1)", def},
	}
	for _, tt := range tests {
		if got := safeBack(tt.in, def); got != tt.want {
			t.Errorf("safeBack(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
