package admin

// The audit pages: the searchable list of verdicts, one verdict's detail and the CSV export.
// The DPO's "was this citizen's data sent?" search takes a CPR number, hashes it at once with
// the installation's key (as the audit does) and searches by the hash: the number itself never
// reaches a URL, a page, a log or the database.

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/store"
)

// AuditStore reads the audit and the false-alarm reports (package store).
type AuditStore interface {
	// ListAudit returns one page of the events f selects, newest first, and how many it
	// selects in all.
	ListAudit(ctx context.Context, f store.AuditFilter) ([]audit.Event, int, error)
	// GetAudit returns one event, or an error wrapping store.ErrNotFound.
	GetAudit(ctx context.Context, id string) (audit.Event, error)
	// AuditStats summarises the events with from <= time < to.
	AuditStats(ctx context.Context, from, to time.Time, includeTests bool) (store.AuditStats, error)
	ListFeedback(ctx context.Context, f store.FeedbackFilter) ([]audit.Feedback, error)
	// ResolveFeedback sets a report's status and who decided, or returns store.ErrNotFound.
	ResolveFeedback(ctx context.Context, id, status, by string, at time.Time) error
}

// auditPageSize is the number of events on one page of the list; the CSV export reads
// csvPageSize at a time.
const (
	auditPageSize = 50
	csvPageSize   = 1000
)

func (a *Admin) auditRoutes(g *echo.Group) {
	if a.cfg.Audit == nil {
		return
	}
	g.GET("/audit", a.auditList, a.requireReader)
	// The filter form posts, so that a typed CPR number never becomes part of a URL (history,
	// proxy and server logs): the answer is a redirect to the list with the number's hash.
	g.POST("/audit", a.auditSearch, a.requireReader)
	g.GET("/audit.csv", a.auditCSV, a.requireReader)
	g.GET("/audit/:id", a.auditDetail, a.requireReader)
	a.feedbackRoutes(g)
}

// auditQuery is the audit filter as the form and the URL carry it.
type auditQuery struct {
	From, To string // dates (YYYY-MM-DD, Danish days), To inclusive
	Action   string
	Reason   string
	User     string
	Source   string
	Tests    bool
	Hash     string // keyed hash of a CPR number (never the number)
	Page     int
}

// values is q as URL query parameters (without the page).
func (q auditQuery) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("from", q.From)
	set("to", q.To)
	set("action", q.Action)
	set("reason", q.Reason)
	set("user", q.User)
	set("source", q.Source)
	set("hash", q.Hash)
	if q.Tests {
		v.Set("tests", "1")
	}
	return v
}

// Encode is q as a query string (without the page).
func (q auditQuery) Encode() string { return q.values().Encode() }

// PageURL is the list's URL for page n of q.
func (q auditQuery) PageURL(n int) string {
	v := q.values()
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/admin/audit"
	}
	return "/admin/audit?" + v.Encode()
}

// WithoutHash is the list's URL for q without the CPR search.
func (q auditQuery) WithoutHash() string {
	q.Hash = ""
	return q.PageURL(1)
}

// readAuditQuery reads the filter from the query string or form (get names a parameter).
func readAuditQuery(get func(string) string) auditQuery {
	q := auditQuery{
		From: strings.TrimSpace(get("from")), To: strings.TrimSpace(get("to")),
		Action: strings.TrimSpace(get("action")), Reason: strings.TrimSpace(get("reason")),
		User: strings.TrimSpace(get("user")), Source: strings.TrimSpace(get("source")),
		Hash: strings.ToLower(strings.TrimSpace(get("hash"))),
	}
	switch get("tests") {
	case "1", "on", "true":
		q.Tests = true
	}
	q.Page = pageParam(get("page"))
	return q
}

// filter checks q and turns it into a store filter.
func (q auditQuery) filter() (store.AuditFilter, []formError) {
	f := store.AuditFilter{Action: q.Action, Reason: q.Reason, User: q.User, Source: q.Source,
		Identifier: q.Hash, IncludeTests: q.Tests}
	var errs []formError
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, copenhagen)
		if err != nil {
			errs = append(errs, formError{field, "Skriv datoen som åååå-mm-dd."})
		}
		return t
	}
	f.From = day("from", q.From)
	if to := day("to", q.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole last day
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs = append(errs, formError{"to", "Slutdatoen må ikke ligge før startdatoen."})
	}
	if q.Action != "" && !slices.Contains(auditActions, q.Action) {
		errs = append(errs, formError{"action", "Vælg en afgørelse fra listen."})
	}
	if q.Source != "" && auditSourceLabels[q.Source] == "" {
		errs = append(errs, formError{"source", "Vælg en kilde fra listen."})
	}
	if len(q.Reason) > 64 {
		errs = append(errs, formError{"reason", "Vælg en årsag fra listen."})
	}
	if utf8.RuneCountInString(q.User) > 320 {
		errs = append(errs, formError{"user", "Brugeren er for lang."})
	}
	if q.Hash != "" && !isAuditHash(q.Hash) {
		errs = append(errs, formError{"cpr", "Søgningen på CPR-nummer er ugyldig. Skriv nummeret igen."})
	}
	return f, errs
}

var auditActions = []string{"allow", "warn", "secure", "block"}

var auditSourceLabels = map[string]string{
	"graph":   "Outlook (hentet via Graph)",
	"inline":  "Outlook (indhold sendt med)",
	"console": "Testkonsol",
	"cli":     "Kommandolinje",
}

func auditSourceLabel(s string) string {
	if l, ok := auditSourceLabels[s]; ok {
		return l
	}
	return s
}

var auditFindingKinds = map[string]string{
	"cpr": "CPR-nummer", "name": "Navn", "address": "Adresse", "sensitive": "Følsom oplysning",
}

// auditCPRHash returns the keyed hash of a typed CPR number, or ok false unless it has exactly ten
// digits (separators such as '-' and spaces are allowed).
func (a *Admin) auditCPRHash(typed string) (string, bool) {
	var digits strings.Builder
	for _, r := range typed {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '-' || r == ' ' || r == '.' || r == '/':
		default:
			return "", false
		}
	}
	if digits.Len() != 10 || a.cfg.Keys == nil {
		return "", false
	}
	return a.cfg.Keys.CPR(digits.String()), true
}

func isAuditHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// auditListData is the list page's data.
type auditListData struct {
	Q         auditQuery
	Errors    map[string]string
	Rows      []auditRow
	Total     int
	Page      int
	Pages     int
	Actions   []auditOption
	Reasons   []auditOption
	Sources   []auditOption
	CanSearch bool // a Hasher is configured: the CPR search is available
	HashShort string
}

type auditOption struct{ Value, Label string }

// auditRow is one event of the list.
type auditRow struct {
	audit.Event
	Findings int
}

func findingCount(e audit.Event) int {
	n := 0
	for _, d := range e.Documents {
		n += len(d.Findings) + d.FindingsOmitted
	}
	return n
}

// auditList shows one page of the filtered audit.
func (a *Admin) auditList(c echo.Context) error {
	// A CPR number typed into a URL is hashed and the URL replaced at once.
	if cpr := c.QueryParam("cpr"); cpr != "" {
		q := readAuditQuery(c.QueryParam)
		hash, ok := a.auditCPRHash(cpr)
		if !ok {
			q.Hash = ""
			return a.renderAuditList(c, http.StatusBadRequest, q, []formError{{"cpr", auditCPRError}})
		}
		q.Hash = hash
		return redirect(c, q.PageURL(1))
	}
	return a.renderAuditList(c, http.StatusOK, readAuditQuery(c.QueryParam), nil)
}

const auditCPRError = "Skriv et CPR-nummer med 10 cifre, fx 010190-1234."

// auditSearch takes the posted filter form, hashes a typed CPR number and redirects to the
// list.
func (a *Admin) auditSearch(c echo.Context) error {
	q := readAuditQuery(c.FormValue)
	if cpr := strings.TrimSpace(c.FormValue("cpr")); cpr != "" {
		hash, ok := a.auditCPRHash(cpr)
		if !ok {
			return a.renderAuditList(c, http.StatusBadRequest, q, []formError{{"cpr", auditCPRError}})
		}
		q.Hash = hash
	}
	if _, errs := q.filter(); len(errs) > 0 {
		return a.renderAuditList(c, http.StatusBadRequest, q, errs)
	}
	return redirect(c, q.PageURL(1))
}

func (a *Admin) renderAuditList(c echo.Context, status int, q auditQuery, errs []formError) error {
	d := auditListData{Q: q, Page: q.Page, CanSearch: a.cfg.Keys != nil}
	f, ferrs := q.filter()
	errs = append(errs, ferrs...)
	if len(errs) == 0 {
		f.Limit, f.Offset = auditPageSize, (q.Page-1)*auditPageSize
		events, total, err := a.cfg.Audit.ListAudit(c.Request().Context(), f)
		if err != nil {
			return err
		}
		d.Total = total
		for _, e := range events {
			d.Rows = append(d.Rows, auditRow{Event: e, Findings: findingCount(e)})
		}
	} else if status == http.StatusOK {
		status = http.StatusBadRequest
	}
	d.Pages = max(1, (d.Total+auditPageSize-1)/auditPageSize)
	d.Errors = map[string]string{}
	for _, e := range errs {
		if d.Errors[e.Field] == "" {
			d.Errors[e.Field] = e.Msg
		}
	}
	if q.Hash != "" && isAuditHash(q.Hash) {
		d.HashShort = shortAuditHash(q.Hash)
	}
	for _, ac := range auditActions {
		d.Actions = append(d.Actions, auditOption{ac, actionLabel(ac)})
	}
	d.Reasons = reasonOptions(q.Reason)
	for _, s := range []string{"graph", "inline", "console", "cli"} {
		d.Sources = append(d.Sources, auditOption{s, auditSourceLabels[s]})
	}
	p := Page{Title: "Revisionslog", Section: "audit", Data: d}
	if len(errs) > 0 {
		p.Error = "Filteret kunne ikke bruges. Ret felterne markeret nedenfor."
	}
	return a.render(c, status, "audit.html", p)
}

// reasonOptions lists the known reason codes by Danish label, plus current if it is unknown.
func reasonOptions(current string) []auditOption {
	var out []auditOption
	for code, label := range reasonLabels {
		out = append(out, auditOption{code, label})
	}
	if current != "" && reasonLabels[current] == "" {
		out = append(out, auditOption{current, current})
	}
	slices.SortFunc(out, func(a, b auditOption) int { return strings.Compare(a.Label, b.Label) })
	return out
}

// shortAuditHash shortens a keyed hash for display.
func shortAuditHash(h string) string {
	if len(h) <= 12 {
		return h
	}
	return h[:12] + "…"
}

// auditDetailData is the detail page's data.
type auditDetailData struct {
	E          audit.Event
	Source     string
	Hashes     []string
	Docs       []auditDocView
	Findings   int
	Feedback   []feedbackRow
	CanResolve bool
	Back       string
}

type auditDocView struct {
	audit.Document
	Findings []auditFindingView
}

type auditFindingView struct {
	audit.Finding
	KindLabel string
	HashShort string
}

func (a *Admin) auditDetail(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	e, err := a.cfg.Audit.GetAudit(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.Errorf(apperr.NotFound, "Afgørelsen findes ikke i revisionsloggen.")
	}
	if err != nil {
		return err
	}
	fb, err := a.cfg.Audit.ListFeedback(ctx, store.FeedbackFilter{EventID: e.ID, Limit: store.MaxAuditLimit})
	if err != nil {
		return err
	}
	d := auditDetailData{E: e, Source: auditSourceLabel(e.Source), Findings: findingCount(e),
		CanResolve: userOf(c).IsAdmin(), Back: "/admin/audit/" + url.PathEscape(e.ID)}
	for _, f := range fb {
		d.Feedback = append(d.Feedback, feedbackRow{F: f, Event: &e})
	}
	for _, h := range e.IdentifierHashes {
		d.Hashes = append(d.Hashes, shortAuditHash(h))
	}
	for _, doc := range e.Documents {
		dv := auditDocView{Document: doc}
		for _, f := range doc.Findings {
			kind := auditFindingKinds[f.Kind]
			if kind == "" {
				kind = f.Kind
			}
			fv := auditFindingView{Finding: f, KindLabel: kind}
			if f.Hash != "" {
				fv.HashShort = shortAuditHash(f.Hash)
			}
			dv.Findings = append(dv.Findings, fv)
		}
		d.Docs = append(d.Docs, dv)
	}
	return a.render(c, http.StatusOK, "audit_detail.html", Page{Title: "Afgørelse " + auditWhen(e.Time), Section: "audit", Data: d})
}

func auditWhen(t time.Time) string { return t.In(copenhagen).Format("02-01-2006 15:04") }

// auditCSVHeader names the export's columns (Danish, for the DPO's spreadsheet).
var auditCSVHeader = []string{
	"Tidspunkt", "Scan-id", "Kilde", "Test", "Simuleret", "Bruger", "Objekt-id", "Modtagerdomæner",
	"Afgørelse", "Årsager", "Årsagskoder", "Dokumenter", "Antal fund", "Maskerede fund",
	"Politikversion", "Hentetid (ms)", "Scantid (ms)", "Samlet tid (ms)", "Fejl", "Begrundelse",
}

// auditCSV exports every event the filter selects as CSV for Excel: UTF-8 with a byte order
// mark, ';' between fields, CRLF line ends, and any cell that a spreadsheet would read as a
// formula prefixed with an apostrophe.
func (a *Admin) auditCSV(c echo.Context) error {
	q := readAuditQuery(c.QueryParam)
	if c.QueryParam("cpr") != "" {
		return badRequest("Søg på CPR-nummer i revisionsloggen først, og eksportér derfra.")
	}
	f, errs := q.filter()
	if len(errs) > 0 {
		return badRequest("Filteret kunne ikke bruges: %s", errs[0].Msg)
	}
	// Events recorded while the export runs would shift the pages: export up to now.
	now := a.cfg.Now()
	if f.To.IsZero() || f.To.After(now) {
		f.To = now
	}
	ctx := c.Request().Context()
	f.Limit = csvPageSize
	// Read the first page before answering, so a database failure is still an error page.
	events, _, err := a.cfg.Audit.ListAudit(ctx, f)
	if err != nil {
		return err
	}
	res := c.Response()
	name := "sendevagt-revisionslog-" + now.In(copenhagen).Format("2006-01-02-1504") + ".csv"
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	res.WriteHeader(http.StatusOK)
	if _, err := res.Write([]byte("\ufeff")); err != nil {
		return nil // the client went away
	}
	w := csv.NewWriter(res)
	w.Comma, w.UseCRLF = ';', true
	if err := w.Write(auditCSVHeader); err != nil {
		return nil
	}
	for {
		for _, e := range events {
			if err := w.Write(auditCSVRow(e)); err != nil {
				return nil
			}
		}
		w.Flush()
		if w.Error() != nil {
			return nil
		}
		res.Flush()
		if len(events) < csvPageSize {
			return nil
		}
		f.Offset += csvPageSize
		if events, _, err = a.cfg.Audit.ListAudit(ctx, f); err != nil {
			// The status line is sent: end the file with a line saying it is incomplete.
			a.cfg.Logger.Error("audit CSV export failed", "err", err)
			_ = w.Write([]string{"FEJL: eksporten blev afbrudt og er ufuldstændig"})
			w.Flush()
			return nil
		}
	}
}

// auditCSVRow is one event as CSV cells.
func auditCSVRow(e audit.Event) []string {
	var reasons []string
	for _, r := range e.Reasons {
		reasons = append(reasons, reasonLabel(r))
	}
	var docs, masked []string
	for _, d := range e.Documents {
		docs = append(docs, d.Name+" ("+statusLabel(d.Status)+")")
		for _, f := range d.Findings {
			masked = append(masked, f.Masked)
		}
	}
	yes := func(b bool) string {
		if b {
			return "ja"
		}
		return "nej"
	}
	row := []string{
		e.Time.In(copenhagen).Format("2006-01-02 15:04:05"), e.ID, auditSourceLabel(e.Source), yes(e.Test), yes(e.Simulated),
		e.UPN, e.ObjectID, strings.Join(e.RecipientDomains, ", "),
		actionLabel(e.Action), strings.Join(reasons, "; "), strings.Join(e.Reasons, " "),
		strings.Join(docs, "; "), strconv.Itoa(findingCount(e)), strings.Join(masked, ", "),
		strconv.Itoa(e.PolicyVersion), strconv.FormatInt(e.FetchMillis, 10), strconv.FormatInt(e.ScanMillis, 10),
		strconv.FormatInt(e.TotalMillis, 10), e.Error, e.Justification,
	}
	for i, cell := range row {
		row[i] = auditCSVSafe(cell)
	}
	return row
}

// auditCSVSafe neutralises a cell a spreadsheet would evaluate as a formula (= + - @, or a leading
// tab or carriage return) by prefixing an apostrophe.
func auditCSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
