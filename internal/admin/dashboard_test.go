package admin

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
)

var svgRE = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// cardValue returns the number on the dashboard card with this label.
func cardValue(t *testing.T, body, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<div class="stat"><a href="[^"]*">([0-9.]+)</a></div>\s*<div class="stat-label"><strong>` + regexp.QuoteMeta(label) + `</strong>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no card %q in:\n%s", label, body)
	}
	return m[1]
}

func TestDashboard(t *testing.T) {
	fx := newAuditFixture(t, 40) // one event every six hours: ten days
	for i, id := range []string{"evt-001", "evt-002"} {
		if err := fx.s.InsertFeedback(t.Context(), audit.Feedback{ID: fmt.Sprintf("fb-%d", i), EventID: id, Time: fx.now,
			Kind: audit.FeedbackFalseAlarm, Status: audit.FeedbackOpen}); err != nil {
			t.Fatal(err)
		}
	}
	today := fx.now.In(copenhagen)
	tests := []struct {
		name, query string
		days        int
	}{
		{"default 30 days", "", 30},
		{"7 days", "?days=7", 7},
		{"90 days", "?days=90", 90},
		{"unknown period falls back to 30", "?days=1000", 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := fx.client(t, RoleAuditor)
			w := tc.get("/admin/" + tt.query)
			wantStatus(t, w, http.StatusOK)
			body := w.Body.String()

			first := time.Date(today.Year(), today.Month(), today.Day()-tt.days+1, 0, 0, 0, 0, copenhagen)
			in := func(e audit.Event) bool { return !e.Test && !e.Time.Before(first) }
			total, byAction, pairs := 0, map[string]int{}, map[string]bool{}
			for _, e := range fx.events {
				if in(e) {
					total++
					byAction[e.Action]++
					pairs[e.Time.In(copenhagen).Format("2006-01-02")+e.Action] = true
				}
			}
			if total == 0 {
				t.Fatal("no events in the period: the case proves nothing")
			}
			for label, want := range map[string]int{"Afgørelser": total, "Blokeret": byAction["block"],
				"Sikker mail": byAction["secure"], "Advarsler": byAction["warn"], "Åbne falske alarmer": 2} {
				if got := cardValue(t, body, label); got != fmt.Sprint(want) {
					t.Errorf("card %s = %s, want %d", label, got, want)
				}
			}
			wantBody(t, w, fmt.Sprintf(`aria-current="true">%d dage</a>`, tt.days),
				first.Format("02-01-2006")+" – "+today.Format("02-01-2006"))

			svgs := svgRE.FindAllString(body, -1)
			if len(svgs) != 3 {
				t.Fatalf("%d charts, want 3 (days, reasons, documents)", len(svgs))
			}
			days := parseSVG(t, svgs[0])
			if days.Role != "img" || days.Title != "Afgørelser pr. dag efter afgørelse" ||
				!strings.Contains(days.Desc, fmt.Sprintf("i alt %d, heraf %d tilladt", total, byAction["allow"])) {
				t.Errorf("days chart: role %q, title %q, desc %q", days.Role, days.Title, days.Desc)
			}
			if len(days.Rects) != len(pairs) {
				t.Errorf("days chart has %d bars, want %d (one per day and action)", len(days.Rects), len(pairs))
			}
			reasons := parseSVG(t, svgs[1])
			if reasons.Role != "img" || !strings.Contains(strings.Join(reasons.Texts, "|"), "Mange CPR-numre") {
				t.Errorf("reasons chart: %+v", reasons)
			}
			docs := parseSVG(t, svgs[2])
			if len(docs.Rects) != 1 || !strings.Contains(strings.Join(docs.Texts, "|"), "Krypteret") ||
				!strings.Contains(strings.Join(docs.Texts, "|"), fmt.Sprint(total)) {
				t.Errorf("documents chart: %+v (want one bar: Krypteret %d)", docs, total)
			}
			// The numbers as tables, with the reasons linking to the filtered audit.
			wantBody(t, w, `<th scope="col" class="num">Blokeret</th>`, "application/zip",
				`href="/admin/audit?from=`+first.Format("2006-01-02")+`&amp;reason=bulk_cpr&amp;to=`+today.Format("2006-01-02")+`"`,
				`<span class="legend-block">Blokeret</span>`)
		})
	}
}

func TestDashboardEmpty(t *testing.T) {
	fx := newAuditFixture(t, 0)
	w := fx.client(t, RoleAdmin).get("/admin/")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "Ingen afgørelser i perioden.", "Ingen afgørelser med en årsag i perioden.",
		"Alle dokumenter i perioden kunne kontrolleres.")
	if svgRE.MatchString(w.Body.String()) {
		t.Error("charts drawn for no data")
	}
	// Without an audit store the page still answers (the landing page after sign-in).
	_, tc := newTestAdmin(t, Config{}, RoleAdmin)
	w = tc.get("/admin/")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "Revisionsloggen er ikke tilgængelig")
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1.000", 1234567: "1.234.567", -4500: "-4.500"} {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
}
