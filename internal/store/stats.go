package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the dashboard's days are Copenhagen days even where the OS has no zoneinfo

	"github.com/sendevagt/sendevagt/internal/audit"
)

// StatsLocation is the time zone whose calendar days AuditStats counts by: Danish local time,
// the day a municipal DPO thinks in. Its UTC offset is always a whole number of hours, which
// lets the database group by UTC hour and Go fold the hours into local days.
var StatsLocation = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return time.UTC
	}
	return l
}()

// MaxStatsDays bounds the period AuditStats summarises.
const MaxStatsDays = 400

// AuditStats summarises the audit events of a period, for the dashboard.
type AuditStats struct {
	From, To time.Time // the period asked for: From inclusive, To exclusive
	Total    int       // events
	// Simulated is how many events were decided in simulation mode (their Action is what would
	// have happened; the mail was allowed).
	Simulated int
	ByAction  map[string]int // events per action (allow, warn, secure, block)
	// Days has one entry per calendar day (StatsLocation) from From's day to the day of the
	// last instant before To, oldest first, days without events included.
	Days []DayStats
	// Reasons counts events per reason code, most frequent first (ties by code).
	Reasons []Count
	// Unscanned counts documents that could not be scanned (any status other than "scanned":
	// encrypted, unscannable, unsupported, too_large, ...) per status, most frequent first;
	// UnscannedByType splits them by status and type.
	Unscanned       []Count
	UnscannedByType []TypeCount
	UnscannedDocs   int // documents that could not be scanned
	UnscannedEvents int // events with at least one such document
	// OpenFeedback is the number of false-alarm reports still open (of any time).
	OpenFeedback int
}

// DayStats is one calendar day of AuditStats.
type DayStats struct {
	Day      time.Time      // midnight, in StatsLocation
	ByAction map[string]int // events per action
	Total    int
}

// Count is a key (reason code, document status) and how often it occurred.
type Count struct {
	Key   string
	Count int
}

// TypeCount is how many documents of one type had one status.
type TypeCount struct {
	Status, Type string
	Count        int
}

// AuditStats summarises the events with from <= time < to; test-console scans are counted
// only when includeTests is set. The period must be non-empty and at most MaxStatsDays long.
func (s *Store) AuditStats(ctx context.Context, from, to time.Time, includeTests bool) (AuditStats, error) {
	if from.IsZero() || to.IsZero() || !to.After(from) {
		return AuditStats{}, fmt.Errorf("%w: stats need a period with from before to", ErrInvalid)
	}
	if to.Sub(from) > MaxStatsDays*24*time.Hour+2*time.Hour {
		return AuditStats{}, fmt.Errorf("%w: stats period longer than %d days", ErrInvalid, MaxStatsDays)
	}
	st := AuditStats{From: from, To: to, ByAction: map[string]int{}}
	st.Days = statsDays(from, to)
	dayIndex := make(map[time.Time]int, len(st.Days))
	for i, d := range st.Days {
		dayIndex[d.Day] = i
	}
	where, args := auditWhere(AuditFilter{From: from, To: to, IncludeTests: includeTests})

	// One read transaction, so the parts agree.
	tx, err := s.db.BeginTx(ctx, s.d.readTx)
	if err != nil {
		return AuditStats{}, wrap(ctx, "audit stats", err)
	}
	defer func() { _ = tx.Rollback() }()

	// Events per UTC hour, action and simulation flag; Go folds the hours into local days.
	// (3600000 ms is an hour; integer division in SQLite and PostgreSQL alike.)
	const hour = int64(time.Hour / time.Millisecond)
	rows, err := tx.QueryContext(ctx, s.q(`SELECT e.time_ms / 3600000, e.action, e.simulated, COUNT(*)
		FROM audit_events e`+where+` GROUP BY e.time_ms / 3600000, e.action, e.simulated`), args...)
	if err != nil {
		return AuditStats{}, wrap(ctx, "audit stats", err)
	}
	for rows.Next() {
		var (
			h         int64
			action    string
			simulated bool
			n         int
		)
		if err := rows.Scan(&h, &action, &simulated, &n); err != nil {
			rows.Close()
			return AuditStats{}, wrap(ctx, "audit stats", err)
		}
		st.Total += n
		st.ByAction[action] += n
		if simulated {
			st.Simulated += n
		}
		if i, ok := dayIndex[dayOf(time.UnixMilli(h*hour))]; ok {
			st.Days[i].ByAction[action] += n
			st.Days[i].Total += n
		}
	}
	if err := closeRows(rows); err != nil {
		return AuditStats{}, wrap(ctx, "audit stats", err)
	}

	// Reasons.
	rows, err = tx.QueryContext(ctx, s.q(`SELECT r.code, COUNT(*) FROM audit_reasons r
		JOIN audit_events e ON e.id = r.event_id`+where+` GROUP BY r.code`), args...)
	if err != nil {
		return AuditStats{}, wrap(ctx, "audit stats", err)
	}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.Count); err != nil {
			rows.Close()
			return AuditStats{}, wrap(ctx, "audit stats", err)
		}
		st.Reasons = append(st.Reasons, c)
	}
	if err := closeRows(rows); err != nil {
		return AuditStats{}, wrap(ctx, "audit stats", err)
	}
	sortCounts(st.Reasons)

	// Documents that could not be scanned. The documents are a JSON list written by
	// encoding/json (compact, see InsertAudit), so an event all of whose documents were
	// scanned has no `"status":"` left once every `"status":"scanned"` is removed: only the
	// other events are read and decoded here.
	docWhere := where + " AND "
	if where == "" {
		docWhere = " WHERE "
	}
	docWhere += `REPLACE(e.documents, '"status":"scanned"', '') LIKE '%"status":"%'`
	rows, err = tx.QueryContext(ctx, s.q(`SELECT e.id, e.documents FROM audit_events e`+docWhere), args...)
	if err != nil {
		return AuditStats{}, wrap(ctx, "audit stats", err)
	}
	byStatus := map[string]int{}
	byType := map[[2]string]int{}
	for rows.Next() {
		var id, raw string
		if err := rows.Scan(&id, &raw); err != nil {
			rows.Close()
			return AuditStats{}, wrap(ctx, "audit stats", err)
		}
		var docs []struct{ Type, Status string }
		if err := json.Unmarshal([]byte(raw), &docs); err != nil {
			rows.Close()
			return AuditStats{}, wrap(ctx, "audit stats", fmt.Errorf("decode documents of %q: %w", id, err))
		}
		counted := false
		for _, d := range docs {
			if !Unscanned(d.Status) {
				continue
			}
			byStatus[d.Status]++
			byType[[2]string{d.Status, d.Type}]++
			st.UnscannedDocs++
			counted = true
		}
		if counted {
			st.UnscannedEvents++
		}
	}
	if err := closeRows(rows); err != nil {
		return AuditStats{}, wrap(ctx, "audit stats", err)
	}
	for k, n := range byStatus {
		st.Unscanned = append(st.Unscanned, Count{Key: k, Count: n})
	}
	sortCounts(st.Unscanned)
	for k, n := range byType {
		st.UnscannedByType = append(st.UnscannedByType, TypeCount{Status: k[0], Type: k[1], Count: n})
	}
	slices.SortFunc(st.UnscannedByType, func(a, b TypeCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if c := strings.Compare(a.Status, b.Status); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})

	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM feedback WHERE status = ?`), audit.FeedbackOpen).
		Scan(&st.OpenFeedback); err != nil {
		return AuditStats{}, wrap(ctx, "audit stats", err)
	}
	return st, nil
}

// Unscanned tells whether a document status means the document could not be scanned: any
// status but "scanned" (an empty status is unknown and not counted).
func Unscanned(status string) bool { return status != "" && status != "scanned" }

// statsDays returns the empty days from from's day to the day of the last instant before to.
func statsDays(from, to time.Time) []DayStats {
	var days []DayStats
	last := dayOf(to.Add(-time.Millisecond))
	for d := dayOf(from); !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, DayStats{Day: d, ByAction: map[string]int{}})
	}
	return days
}

// dayOf is the midnight (StatsLocation) starting t's day.
func dayOf(t time.Time) time.Time {
	y, m, d := t.In(StatsLocation).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, StatsLocation)
}

func sortCounts(cs []Count) {
	slices.SortFunc(cs, func(a, b Count) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key, b.Key)
	})
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
