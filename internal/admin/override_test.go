package admin

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// Overrides (sending despite a warning) are audit events with reason "override": the audit list
// filters on them by their Danish label, and the detail shows the masked justification.
func TestAuditOverrides(t *testing.T) {
	fx := newAuditFixture(t, 4)
	o := storetest.SampleEvent(fx.h, "evt-100", fx.now.Add(-10*60*1e9), 1)
	o.Action, o.Reasons, o.Test, o.Documents, o.IdentifierHashes = "warn", []string{audit.ReasonOverride, "unreadable_attachment"}, false, nil, nil
	o.Justification = "Advokaten skal bruge bilaget i sagen om J. H."
	if err := fx.s.InsertAudit(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	tc := fx.client(t, RoleAuditor)
	w := tc.get("/admin/audit?reason=override")
	wantStatus(t, w, http.StatusOK)
	if got := listed(w.Body.String()); !slices.Equal(got, []string{"evt-100"}) {
		t.Errorf("rows = %v", got)
	}
	w = tc.get("/admin/audit")
	wantBody(t, w, `<option value="override"`, "Sendt trods advarsel")
	w = tc.get("/admin/audit/evt-100")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "<dt>Begrundelse</dt><dd>Advokaten skal bruge bilaget i sagen om J. H.</dd>", "Sendt trods advarsel")
	w = tc.get("/admin/audit.csv?reason=override")
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), ";Advokaten skal bruge bilaget i sagen om J. H.") {
		t.Errorf("the CSV export lacks the justification:\n%s", w.Body)
	}
	if strings.Contains(tc.get("/admin/audit/evt-001").Body.String(), "Begrundelse") {
		t.Error("an event without a justification shows one")
	}
}
