package admin

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/directory"
	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// auditFixture is a real SQLite store with sample events, and the pages on it.
type auditFixture struct {
	s      *store.Store
	h      *audit.Hasher
	now    time.Time
	events []audit.Event // oldest first
	cprs   []string      // the synthetic CPR number of each event (storetest.SampleEvent's scheme)
}

// newAuditFixture stores n sample events, one every six hours back from an hour ago.
func newAuditFixture(t *testing.T, n int) *auditFixture {
	t.Helper()
	s, err := store.Open(t.Context(), "sqlite:"+t.TempDir()+"/a.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	fx := &auditFixture{s: s, h: storetest.Hasher(t), now: time.Now().Truncate(time.Millisecond)}
	for i := range n {
		at := fx.now.Add(-time.Hour - time.Duration(n-1-i)*6*time.Hour)
		e := storetest.SampleEvent(fx.h, fmt.Sprintf("evt-%03d", i), at, i)
		if err := s.InsertAudit(t.Context(), e); err != nil {
			t.Fatalf("InsertAudit(%s): %v", e.ID, err)
		}
		fx.events = append(fx.events, e)
		fx.cprs = append(fx.cprs, fmt.Sprintf("%02d0190-%04d", 1+i%28, 1000+i))
	}
	return fx
}

// client is the pages on the fixture's store, signed in with roles.
func (fx *auditFixture) client(t *testing.T, roles ...string) *testClient {
	t.Helper()
	_, tc := newTestAdmin(t, Config{Audit: fx.s, Keys: directory.NewKeys(fx.h), Now: func() time.Time { return fx.now }}, roles...)
	return tc
}

// want returns the IDs of the events keep selects, newest first.
func (fx *auditFixture) want(keep func(audit.Event) bool) []string {
	var out []string
	for i := len(fx.events) - 1; i >= 0; i-- {
		if keep(fx.events[i]) {
			out = append(out, fx.events[i].ID)
		}
	}
	return out
}

var rowLink = regexp.MustCompile(`<td class="nowrap"><a href="/admin/audit/(evt-\d+)">`)

// listed returns the event IDs of the list page's rows.
func listed(body string) []string {
	var out []string
	for _, m := range rowLink.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestAuditListFilters(t *testing.T) {
	fx := newAuditFixture(t, 40)
	tc := fx.client(t, RoleAuditor)
	local := func(e audit.Event) string { return e.Time.In(copenhagen).Format("2006-01-02") }
	fromDay, toDay := local(fx.events[10]), local(fx.events[25])
	hash7 := fx.events[7].IdentifierHashes[0]
	tests := []struct {
		name  string
		query url.Values
		keep  func(audit.Event) bool
	}{
		{"no filter leaves tests out", nil, func(e audit.Event) bool { return !e.Test }},
		{"include tests", url.Values{"tests": {"1"}}, func(audit.Event) bool { return true }},
		{"action", url.Values{"action": {"block"}}, func(e audit.Event) bool { return !e.Test && e.Action == "block" }},
		{"reason", url.Values{"reason": {"bulk_cpr"}}, func(e audit.Event) bool { return !e.Test && slices.Contains(e.Reasons, "bulk_cpr") }},
		{"user", url.Values{"user": {"sagsbehandler1@testkommune.dk"}}, func(e audit.Event) bool {
			return !e.Test && e.UPN == "Sagsbehandler1@Testkommune.dk"
		}},
		{"source", url.Values{"source": {"inline"}}, func(e audit.Event) bool { return !e.Test && e.Source == "inline" }},
		{"period (whole days, to inclusive)", url.Values{"from": {fromDay}, "to": {toDay}}, func(e audit.Event) bool {
			return !e.Test && local(e) >= fromDay && local(e) <= toDay
		}},
		{"CPR hash", url.Values{"hash": {hash7}, "tests": {"1"}}, func(e audit.Event) bool { return e.ID == "evt-007" }},
		{"combined", url.Values{"action": {"secure"}, "user": {"sagsbehandler2@testkommune.dk"}, "tests": {"1"}}, func(e audit.Event) bool {
			return e.Action == "secure" && e.UPN == "Sagsbehandler2@Testkommune.dk"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tc.get("/admin/audit?" + tt.query.Encode())
			wantStatus(t, w, http.StatusOK)
			want := fx.want(tt.keep)
			if len(want) == 0 {
				t.Fatal("the test data selects nothing: the case proves nothing")
			}
			if got := listed(w.Body.String()); !slices.Equal(got, want) {
				t.Errorf("rows = %v\nwant %v", got, want)
			}
			wantBody(t, w, fmt.Sprintf("%d afgørelser", len(want)))
		})
	}
	t.Run("nothing matches", func(t *testing.T) {
		w := tc.get("/admin/audit?user=nobody@testkommune.dk")
		wantStatus(t, w, http.StatusOK)
		wantBody(t, w, "Ingen afgørelser passer til filteret.")
	})
	t.Run("row content", func(t *testing.T) {
		w := tc.get("/admin/audit?action=secure&tests=1")
		wantBody(t, w, `<span class="badge badge-secure">Sikker mail</span>`, "borger.example, testkommune.dk",
			"Oplysninger om en anden borger end modtageren", "Afgørelse 030190-xxxx.pdf", "(Krypteret)", `<td class="num">2</td>`)
	})
}

func TestAuditListBadFilters(t *testing.T) {
	fx := newAuditFixture(t, 3)
	tc := fx.client(t, RoleAdmin)
	tests := []struct {
		name  string
		query string
		msg   string
	}{
		{"bad date", "from=24-11-2026", "Skriv datoen som åååå-mm-dd."},
		{"to before from", "from=2026-03-10&to=2026-03-01", "Slutdatoen må ikke ligge før startdatoen."},
		{"unknown action", "action=explode", "Vælg en afgørelse fra listen."},
		{"unknown source", "source=fax", "Vælg en kilde fra listen."},
		{"bad hash", "hash=0101901234", "Søgningen på CPR-nummer er ugyldig."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tc.get("/admin/audit?" + tt.query)
			wantStatus(t, w, http.StatusBadRequest)
			wantBody(t, w, tt.msg, `class="field has-error"`)
		})
	}
	// A bad filter posted is shown with the form, the input kept.
	w := tc.post("/admin/audit", url.Values{"from": {"i går"}, "user": {"sagsbehandler1@testkommune.dk"}})
	wantStatus(t, w, http.StatusBadRequest)
	wantBody(t, w, "Skriv datoen som åååå-mm-dd.", `value="i går"`, `value="sagsbehandler1@testkommune.dk"`)
}

func TestAuditCPRSearch(t *testing.T) {
	fx := newAuditFixture(t, 12)
	tc := fx.client(t, RoleAuditor)
	cpr := fx.cprs[5] // evt-005
	digits := strings.ReplaceAll(cpr, "-", "")
	hash := fx.h.Hash("cpr", digits)
	noCPR := func(t *testing.T, s string) {
		t.Helper()
		for _, form := range []string{cpr, digits, url.QueryEscape(cpr), cpr[7:]} {
			if strings.Contains(s, form) {
				t.Errorf("the CPR number (%q) appears in:\n%s", form, s)
			}
		}
	}
	for _, typed := range []string{cpr, digits, " " + cpr[:6] + " " + cpr[7:] + " "} {
		t.Run("post "+typed, func(t *testing.T) {
			w := tc.post("/admin/audit", url.Values{"cpr": {typed}, "tests": {"1"}})
			wantStatus(t, w, http.StatusSeeOther)
			loc := w.Header().Get("Location")
			noCPR(t, loc)
			if !strings.Contains(loc, "hash="+hash) {
				t.Errorf("Location %q lacks the hash", loc)
			}
			w = tc.get(loc)
			wantStatus(t, w, http.StatusOK)
			if got := listed(w.Body.String()); !slices.Equal(got, []string{"evt-005"}) {
				t.Errorf("rows = %v, want evt-005", got)
			}
			noCPR(t, w.Body.String())
			wantBody(t, w, hash[:12]+"…", "Fjern CPR-søgningen")
		})
	}
	t.Run("CPR in a GET URL is replaced by its hash", func(t *testing.T) {
		w := tc.get("/admin/audit?tests=1&cpr=" + url.QueryEscape(cpr))
		wantStatus(t, w, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		noCPR(t, loc)
		if !strings.Contains(loc, "hash="+hash) || !strings.Contains(loc, "tests=1") {
			t.Errorf("Location = %q", loc)
		}
	})
	t.Run("not ten digits", func(t *testing.T) {
		for _, bad := range []string{"1234567", "010190-12345", "010190-12ab"} {
			w := tc.post("/admin/audit", url.Values{"cpr": {bad}})
			wantStatus(t, w, http.StatusBadRequest)
			wantBody(t, w, "Skriv et CPR-nummer med 10 cifre")
			if strings.Contains(w.Body.String(), bad) {
				t.Errorf("the typed value %q is echoed back", bad)
			}
		}
	})
	t.Run("CSV refuses a CPR number", func(t *testing.T) {
		w := tc.get("/admin/audit.csv?cpr=" + digits)
		wantStatus(t, w, http.StatusBadRequest)
		noCPR(t, w.Body.String())
	})
	t.Run("a number nobody has", func(t *testing.T) {
		w := tc.post("/admin/audit", url.Values{"cpr": {"3112999999"}})
		wantStatus(t, w, http.StatusSeeOther)
		w = tc.get(w.Header().Get("Location"))
		wantBody(t, w, "Ingen afgørelser passer til filteret.")
	})
}

func TestAuditPagination(t *testing.T) {
	fx := newAuditFixture(t, 130)
	tc := fx.client(t, RoleAuditor)
	all := fx.want(func(e audit.Event) bool { return !e.Test }) // 104
	var got []string
	for page := 1; page <= 3; page++ {
		w := tc.get(fmt.Sprintf("/admin/audit?page=%d", page))
		wantStatus(t, w, http.StatusOK)
		rows := listed(w.Body.String())
		if want := min(50, len(all)-(page-1)*50); len(rows) != want {
			t.Errorf("page %d: %d rows, want %d", page, len(rows), want)
		}
		got = append(got, rows...)
		wantBody(t, w, fmt.Sprintf("Side %d af 3", page))
		if has := strings.Contains(w.Body.String(), `rel="next"`); has != (page < 3) {
			t.Errorf("page %d: next link %v", page, has)
		}
		if has := strings.Contains(w.Body.String(), `rel="prev"`); has != (page > 1) {
			t.Errorf("page %d: previous link %v", page, has)
		}
	}
	if !slices.Equal(got, all) {
		t.Errorf("the pages together = %v\nwant %v", got, all)
	}
	// Links keep the filter.
	w := tc.get("/admin/audit?tests=1&page=2")
	wantBody(t, w, `href="/admin/audit?page=3&amp;tests=1"`, `href="/admin/audit?tests=1"`)
}

func TestAuditDetail(t *testing.T) {
	fx := newAuditFixture(t, 6)
	ctx := t.Context()
	e := fx.events[5] // warn, inline, error "graph unavailable", policy version 2
	if err := fx.s.InsertFeedback(ctx, audit.Feedback{ID: "fb-1", EventID: e.ID, Time: fx.now, Kind: audit.FeedbackFalseAlarm,
		Comment: "Borgeren har selv bedt om det", UPN: "sagsbehandler2@testkommune.dk", Status: audit.FeedbackOpen}); err != nil {
		t.Fatal(err)
	}
	admin := fx.client(t, RoleAdmin)
	w := admin.get("/admin/audit/" + e.ID)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	wantBody(t, w, e.ID, "Sagsbehandler2@Testkommune.dk", e.ObjectID, e.TenantID, "borger.example, testkommune.dk",
		`<span class="badge badge-warn">Advarsel</span>`, "Outlook (indhold sendt med)", "<dt>Politikversion</dt><dd>2</dd>",
		"Hentning 15 ms · kontrol 105 ms · i alt 130 ms", "graph unavailable",
		"Afgørelse 060190-xxxx.pdf", "application/pdf", "Krypteret", "password protected",
		"CPR-nummer: <span class=\"mono\">060190-xxxx</span>, side 2, sikkerhed 97 %",
		"Følsom oplysning (health)", e.IdentifierHashes[0][:12]+"…",
		"Borgeren har selv bedt om det", "/admin/feedback/fb-1/confirm", `name="back" value="/admin/audit/evt-005"`)
	if strings.Contains(body, e.IdentifierHashes[0]) {
		t.Error("the detail shows a whole hash; it should shorten it")
	}
	if strings.Contains(body, fx.cprs[5]) {
		t.Error("the detail shows the CPR number")
	}
	// Simulated and test flags.
	w = admin.get("/admin/audit/evt-004") // test scan
	wantBody(t, w, "Ja, en scanning fra testkonsollen")
	w = admin.get("/admin/audit/evt-003") // simulated
	wantBody(t, w, `<span class="badge badge-neutral">Simuleret</span>`)
	// An auditor sees the reports but no buttons.
	w = fx.client(t, RoleAuditor).get("/admin/audit/" + e.ID)
	wantStatus(t, w, http.StatusOK)
	if strings.Contains(w.Body.String(), "/admin/feedback/fb-1/confirm") {
		t.Error("an auditor is offered the confirm button")
	}
	wantStatus(t, admin.get("/admin/audit/evt-nope"), http.StatusNotFound)
}

func TestAuditCSV(t *testing.T) {
	fx := newAuditFixture(t, 0)
	ctx := t.Context()
	// Enough events for several export pages, some with cells a spreadsheet would evaluate.
	const n = 2*csvPageSize + 17
	tricky := map[int]string{3: "=HYPERLINK(\"http://x\")", 4: "+1+2", 5: "-3", 6: "@SUM(A1)", 7: "\tTab", 8: "\rCR"}
	for i := range n {
		e := storetest.SampleEvent(fx.h, fmt.Sprintf("evt-%04d", i), fx.now.Add(-time.Duration(n-i)*time.Minute), i)
		e.Test = false
		if s, ok := tricky[i]; ok {
			e.Documents[0].Name = s
			e.Error = s
		}
		if err := fx.s.InsertAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		fx.events = append(fx.events, e)
	}
	tc := fx.client(t, RoleAuditor)

	w := tc.get("/admin/audit.csv")
	wantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="sendevagt-revisionslog-`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	raw := w.Body.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatal("no UTF-8 byte order mark")
	}
	if !bytes.Contains(raw, []byte("\r\n")) {
		t.Error("lines do not end in CRLF")
	}
	r := csv.NewReader(bytes.NewReader(raw[3:]))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(records[0], auditCSVHeader) || !strings.HasPrefix(string(raw[3:]), "Tidspunkt;Scan-id;Kilde;") {
		t.Errorf("header = %v", records[0])
	}
	if len(records) != n+1 {
		t.Fatalf("%d rows, want %d (every event, across export pages)", len(records)-1, n)
	}
	seen := map[string]bool{}
	for _, rec := range records[1:] {
		if seen[rec[1]] {
			t.Errorf("event %s exported twice", rec[1])
		}
		seen[rec[1]] = true
		for j, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %s column %s: a formula cell %q", rec[1], auditCSVHeader[j], cell)
			}
		}
	}
	byID := map[string][]string{}
	for _, rec := range records[1:] {
		byID[rec[1]] = rec
	}
	if got := byID["evt-0003"][18]; got != `'=HYPERLINK("http://x")` {
		t.Errorf("neutralised error cell = %q", got)
	}
	if got := byID["evt-0006"][11]; !strings.HasPrefix(got, "'@SUM(A1) (Kontrolleret)") {
		t.Errorf("neutralised documents cell = %q", got)
	}
	first := byID["evt-0002"]
	want := []string{first[0], "evt-0002", "Testkonsol", "nej", "nej", "Sagsbehandler2@Testkommune.dk",
		"0b9c8d7e-0000-4000-8000-000000000002", "borger.example, testkommune.dk", "Sikker mail",
		"Oplysninger om en anden borger end modtageren; unencrypted_sensitive", "different_citizen unencrypted_sensitive",
		"Brødtekst (Kontrolleret); Afgørelse 030190-xxxx.pdf (Kontrolleret); bilag.zip (Krypteret)", "2",
		"030190-xxxx, helbred", "1", "12", "102", "124", "", ""}
	if !slices.Equal(first, want) {
		t.Errorf("row = %q\nwant  %q", first, want)
	}
	if _, err := time.ParseInLocation("2006-01-02 15:04:05", first[0], copenhagen); err != nil {
		t.Errorf("time cell %q: %v", first[0], err)
	}
	// No CPR number in the file.
	for i := range n {
		cpr := fmt.Sprintf("%02d0190-%04d", 1+i%28, 1000+i)
		if bytes.Contains(raw, []byte(cpr)) || bytes.Contains(raw, []byte(strings.ReplaceAll(cpr, "-", ""))) {
			t.Fatalf("the CSV holds the CPR number of event %d", i)
		}
	}

	// The same filters as the list.
	w = tc.get("/admin/audit.csv?action=block&reason=bulk_cpr")
	wantStatus(t, w, http.StatusOK)
	r = csv.NewReader(bytes.NewReader(w.Body.Bytes()[3:]))
	r.Comma = ';'
	records, err = r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantN := len(fx.want(func(e audit.Event) bool { return e.Action == "block" && slices.Contains(e.Reasons, "bulk_cpr") }))
	if len(records)-1 != wantN || wantN == 0 {
		t.Errorf("filtered export: %d rows, want %d", len(records)-1, wantN)
	}
	for _, rec := range records[1:] {
		if rec[8] != "Blokeret" {
			t.Errorf("filtered export holds %v", rec)
		}
	}
	wantStatus(t, tc.get("/admin/audit.csv?from=yesterday"), http.StatusBadRequest)
}

func TestAuditCSVSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""}, {"plain", "plain"}, {"=1+1", "'=1+1"}, {"+45 12345678", "'+45 12345678"}, {"-2", "'-2"},
		{"@cmd", "'@cmd"}, {"\tx", "'\tx"}, {"\rx", "'\rx"}, {"a=b", "a=b"}, {"'quoted", "'quoted"}, {"Æblegrød", "Æblegrød"},
	}
	for _, tt := range tests {
		if got := auditCSVSafe(tt.in); got != tt.want {
			t.Errorf("auditCSVSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAuditRoles(t *testing.T) {
	fx := newAuditFixture(t, 2)
	for _, path := range []string{"/admin/audit", "/admin/audit/evt-000", "/admin/audit.csv", "/admin/feedback", "/admin/"} {
		// Signed in without a Sendevagt role: refused.
		_, norole := newTestAdmin(t, Config{Audit: fx.s, Keys: directory.NewKeys(fx.h)}, "Some.Other.Role")
		wantStatus(t, norole.get(path), http.StatusForbidden)
		// Anonymous: sent to sign in.
		_, anon := newTestAdmin(t, Config{Audit: fx.s, Keys: directory.NewKeys(fx.h)})
		if w := anon.get(path); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/login") {
			t.Errorf("anonymous %s: %d %q", path, w.Code, w.Header().Get("Location"))
		}
	}
}

// An event of a long list names how many findings it does not list, and counts them.
func TestAuditDetailOmittedFindings(t *testing.T) {
	fx := newAuditFixture(t, 1)
	e := storetest.SampleEvent(fx.h, "evt-list", fx.now.Add(-time.Minute), 7)
	if len(e.Documents) == 0 {
		t.Fatal("sample event without documents")
	}
	e.Documents[0].FindingsOmitted = 1234
	if err := fx.s.InsertAudit(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	w := fx.client(t, RoleAdmin).get("/admin/audit/evt-list")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, "og 1234 fund mere", fmt.Sprintf("og fund (%d)", findingCount(e)))
	if findingCount(e) < 1234 {
		t.Errorf("findingCount %d does not count the omitted findings", findingCount(e))
	}
}
