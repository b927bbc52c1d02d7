package admin

// The false-alarm reports employees make from the add-in's task pane: listed by status, each
// with the verdict it is about; an admin confirms ("it was a false alarm") or dismisses ("the
// verdict was right") them.

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/store"
)

// feedbackPageSize is the number of reports on one page.
const feedbackPageSize = 50

// feedbackRoutes is mounted by auditRoutes (the reports live in the audit store).
func (a *Admin) feedbackRoutes(g *echo.Group) {
	g.GET("/feedback", a.feedbackList, a.requireReader)
	g.POST("/feedback/:id/confirm", a.resolveFeedback(audit.FeedbackConfirmed), a.requireAdmin)
	g.POST("/feedback/:id/dismiss", a.resolveFeedback(audit.FeedbackDismissed), a.requireAdmin)
}

// feedbackStatuses are the list's tabs, in order.
var feedbackStatuses = []struct{ Status, Label, Help string }{
	{audit.FeedbackOpen, "Åbne", "Rapporter, der venter på en vurdering."},
	{audit.FeedbackConfirmed, "Bekræftede", "Rapporter, hvor afgørelsen var en falsk alarm."},
	{audit.FeedbackDismissed, "Afviste", "Rapporter, hvor afgørelsen var rigtig."},
}

type feedbackTab struct {
	Status, Label, URL string
	Current            bool
}

type feedbackRow struct {
	F     audit.Feedback
	Event *audit.Event // nil while the verdict is not (yet) in the audit
}

type feedbackData struct {
	Status     string
	StatusHelp string
	Tabs       []feedbackTab
	Rows       []feedbackRow
	Page       int
	PrevURL    string
	NextURL    string
	CanResolve bool
	Back       string // where confirm/dismiss return to
}

// StatusLabel names the report's status in Danish.
func (r feedbackRow) StatusLabel() string { return feedbackStatusLabel(r.F.Status) }

// Open tells whether the report awaits a decision.
func (r feedbackRow) Open() bool { return r.F.Status == audit.FeedbackOpen }

func feedbackStatusLabel(s string) string {
	switch s {
	case audit.FeedbackOpen:
		return "Åben"
	case audit.FeedbackConfirmed:
		return "Bekræftet falsk alarm"
	case audit.FeedbackDismissed:
		return "Afvist"
	}
	return s
}

func feedbackURL(status string, page int) string {
	v := url.Values{"status": {status}}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/admin/feedback?" + v.Encode()
}

func (a *Admin) feedbackList(c echo.Context) error {
	ctx := c.Request().Context()
	status := c.QueryParam("status")
	if status == "" {
		status = audit.FeedbackOpen
	}
	d := feedbackData{Status: status, CanResolve: userOf(c).IsAdmin()}
	known := false
	for _, s := range feedbackStatuses {
		cur := s.Status == status
		known = known || cur
		if cur {
			d.StatusHelp = s.Help
		}
		d.Tabs = append(d.Tabs, feedbackTab{Status: s.Status, Label: s.Label, URL: feedbackURL(s.Status, 1), Current: cur})
	}
	if !known {
		return badRequest("Ukendt status for falske alarmer: vælg åbne, bekræftede eller afviste.")
	}
	d.Page = pageParam(c.QueryParam("page"))
	d.Back = feedbackURL(status, d.Page)
	// One more than a page tells whether there is a next page.
	list, err := a.cfg.Audit.ListFeedback(ctx, store.FeedbackFilter{Status: status, Limit: feedbackPageSize + 1,
		Offset: (d.Page - 1) * feedbackPageSize})
	if err != nil {
		return err
	}
	if len(list) > feedbackPageSize {
		list = list[:feedbackPageSize]
		d.NextURL = feedbackURL(status, d.Page+1)
	}
	if d.Page > 1 {
		d.PrevURL = feedbackURL(status, d.Page-1)
	}
	events := map[string]*audit.Event{}
	for _, f := range list {
		e, seen := events[f.EventID]
		if !seen {
			ev, err := a.cfg.Audit.GetAudit(ctx, f.EventID)
			switch {
			case err == nil:
				e = &ev
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			events[f.EventID] = e
		}
		d.Rows = append(d.Rows, feedbackRow{F: f, Event: e})
	}
	return a.render(c, http.StatusOK, "feedback.html", Page{Title: "Falske alarmer", Section: "feedback", Data: d})
}

// resolveFeedback records an admin's decision on a report and returns to where it was made.
func (a *Admin) resolveFeedback(status string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Param("id")
		err := a.cfg.Audit.ResolveFeedback(c.Request().Context(), id, status, userOf(c).Author(), a.cfg.Now())
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Errorf(apperr.NotFound, "Rapporten findes ikke.")
		}
		if err != nil {
			return err
		}
		code := flashFeedbackConfirmed
		if status == audit.FeedbackDismissed {
			code = flashFeedbackDismissed
		}
		back := safeBack(c.FormValue("back"), feedbackURL(audit.FeedbackOpen, 1))
		sep := "?"
		if strings.Contains(back, "?") {
			sep = "&"
		}
		return redirect(c, back+sep+flashQuery(code, 0))
	}
}

// safeBack returns back when it is a path on the audit or feedback pages, else def (no open
// redirect).
func safeBack(back, def string) string {
	u, err := url.Parse(back)
	if back == "" || err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "" ||
		strings.Contains(back, "\\") || strings.HasPrefix(back, "//") ||
		(u.Path != "/admin/feedback" && !strings.HasPrefix(u.Path, "/admin/audit/")) {
		return def
	}
	v := u.Query()
	v.Del("ok")
	v.Del("n")
	if len(v) == 0 {
		return u.EscapedPath()
	}
	return u.EscapedPath() + "?" + v.Encode()
}
