package admin

// The dashboard (/admin/): the verdicts of the last 7, 30 or 90 days as cards and server-side
// SVG charts (verdicts per day by action, top reasons, documents that could not be scanned),
// each chart with its numbers in a table too. Days are Danish calendar days
// (store.StatsLocation); test-console scans are left out.

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/store"
)

// dashboardPeriods are the periods (in days) the dashboard offers; the first is the default.
var dashboardPeriods = []int{30, 7, 90}

// dashboardTopReasons is how many reasons the reasons chart shows.
const dashboardTopReasons = 10

func (a *Admin) dashboardRoutes(g *echo.Group) {
	g.GET("/", a.dashboard, a.requireReader)
	g.GET("", a.dashboard, a.requireReader)
}

type dashboardData struct {
	Available bool // an audit store is configured
	Days      int
	Periods   []dashboardPeriod
	First     time.Time // the period's first day
	Last      time.Time // its last day (today)
	S         store.AuditStats
	Cards     []dashboardCard

	Legend       []chartSeries
	VerdictChart string
	DayRows      []dashboardDayRow

	ReasonChart string
	Reasons     []dashboardCount

	UnscannedChart string
	Unscanned      []dashboardCount
	UnscannedTypes []dashboardTypeRow
}

type dashboardPeriod struct {
	Days    int
	URL     string
	Current bool
}

type dashboardCard struct {
	Label, Value, Help, URL string
}

type dashboardDayRow struct {
	Day    time.Time
	Counts []int // in the order of Legend
	Total  int
}

type dashboardCount struct {
	Key, Label, URL string
	Count           int
}

type dashboardTypeRow struct {
	Status, Type string
	Count        int
}

// dashboardSeries are the actions in stacking order (allow at the bottom).
var dashboardSeries = []chartSeries{
	{"allow", "Tilladt", actionColours["allow"]},
	{"warn", "Advarsel", actionColours["warn"]},
	{"secure", "Sikker mail", actionColours["secure"]},
	{"block", "Blokeret", actionColours["block"]},
}

func (a *Admin) dashboard(c echo.Context) error {
	days := dashboardPeriods[0]
	if n, err := strconv.Atoi(c.QueryParam("days")); err == nil && slices.Contains(dashboardPeriods, n) {
		days = n
	}
	loc := store.StatsLocation
	y, m, d := a.cfg.Now().In(loc).Date()
	to := time.Date(y, m, d+1, 0, 0, 0, 0, loc) // the end of today
	from := time.Date(y, m, d+1-days, 0, 0, 0, 0, loc)
	data := dashboardData{Days: days, First: from, Last: to.AddDate(0, 0, -1), Legend: dashboardSeries}
	for _, p := range []int{7, 30, 90} {
		data.Periods = append(data.Periods, dashboardPeriod{Days: p, URL: "/admin/?days=" + strconv.Itoa(p), Current: p == days})
	}
	if a.cfg.Audit == nil {
		return a.render(c, http.StatusOK, "dashboard.html", Page{Title: "Oversigt", Section: "dashboard", Data: data})
	}
	st, err := a.cfg.Audit.AuditStats(c.Request().Context(), from, to, false)
	if err != nil {
		return err
	}
	data.Available, data.S = true, st
	period := fmt.Sprintf("%s til %s", from.Format("02-01-2006"), data.Last.Format("02-01-2006"))
	auditURL := func(extra ...string) string {
		q := auditQuery{From: from.Format("2006-01-02"), To: data.Last.Format("2006-01-02")}
		for i := 0; i+1 < len(extra); i += 2 {
			switch extra[i] {
			case "action":
				q.Action = extra[i+1]
			case "reason":
				q.Reason = extra[i+1]
			}
		}
		return q.PageURL(1)
	}

	// Cards.
	n := func(v int) string { return formatCount(v) }
	data.Cards = []dashboardCard{
		{"Afgørelser", n(st.Total), fmt.Sprintf("De seneste %d dage", days), auditURL()},
		{"Blokeret", n(st.ByAction["block"]), "Mails, der ikke måtte sendes", auditURL("action", "block")},
		{"Sikker mail", n(st.ByAction["secure"]), "Mails, der skulle sendes som sikker mail", auditURL("action", "secure")},
		{"Advarsler", n(st.ByAction["warn"]), "Medarbejderen blev advaret før afsendelse", auditURL("action", "warn")},
		{"Åbne falske alarmer", n(st.OpenFeedback), "Rapporter fra medarbejdere, der venter på en vurdering", feedbackURL("open", 1)},
	}

	// Verdicts per day.
	var cols []chartColumn
	busiest := store.DayStats{}
	for _, day := range st.Days {
		cols = append(cols, chartColumn{Label: day.Day.Format("02-01"), Full: day.Day.Format("02-01-2006"), Values: day.ByAction})
		row := dashboardDayRow{Day: day.Day, Total: day.Total}
		for _, s := range dashboardSeries {
			row.Counts = append(row.Counts, day.ByAction[s.Key])
		}
		data.DayRows = append(data.DayRows, row)
		if day.Total > busiest.Total {
			busiest = day
		}
	}
	desc := fmt.Sprintf("Afgørelser pr. dag fra %s: i alt %d, heraf %d tilladt, %d advarsler, %d sikker mail og %d blokeret.",
		period, st.Total, st.ByAction["allow"], st.ByAction["warn"], st.ByAction["secure"], st.ByAction["block"])
	if busiest.Total > 0 {
		desc += fmt.Sprintf(" Flest på én dag: %d den %s.", busiest.Total, busiest.Day.Format("02-01-2006"))
	}
	data.VerdictChart = stackedColumns("chart-days", "Afgørelser pr. dag efter afgørelse", desc, cols, dashboardSeries)

	// Top reasons.
	var bars []chartBar
	for i, r := range st.Reasons {
		if i == dashboardTopReasons {
			break
		}
		data.Reasons = append(data.Reasons, dashboardCount{Key: r.Key, Label: reasonLabel(r.Key), Count: r.Count, URL: auditURL("reason", r.Key)})
		bars = append(bars, chartBar{Label: reasonLabel(r.Key), Value: r.Count})
	}
	if len(bars) > 0 {
		desc := fmt.Sprintf("De hyppigste årsager fra %s. Flest: %s (%d).", period, bars[0].Label, bars[0].Value)
		data.ReasonChart = horizontalBars("chart-reasons", "De hyppigste årsager", desc, bars)
	}

	// Documents that could not be scanned.
	bars = nil
	for _, u := range st.Unscanned {
		data.Unscanned = append(data.Unscanned, dashboardCount{Key: u.Key, Label: statusLabel(u.Key), Count: u.Count})
		bars = append(bars, chartBar{Label: statusLabel(u.Key), Value: u.Count})
	}
	for _, t := range st.UnscannedByType {
		data.UnscannedTypes = append(data.UnscannedTypes, dashboardTypeRow{Status: statusLabel(t.Status), Type: t.Type, Count: t.Count})
	}
	if len(bars) > 0 {
		desc := fmt.Sprintf("%d dokumenter i %d mails kunne ikke kontrolleres fra %s. Flest: %s (%d).",
			st.UnscannedDocs, st.UnscannedEvents, period, bars[0].Label, bars[0].Value)
		data.UnscannedChart = horizontalBars("chart-unscanned", "Dokumenter, der ikke kunne kontrolleres, efter status", desc, bars)
	}
	return a.render(c, http.StatusOK, "dashboard.html", Page{Title: "Oversigt", Section: "dashboard", Data: data})
}

// formatCount writes n with Danish thousands separators: 12.345.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + formatCount(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}
