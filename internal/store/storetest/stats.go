package storetest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/store"
)

// testAuditStats checks AuditStats: per-day counts by action in Danish calendar days (an event
// at 23:30 UTC belongs to the next day, also across the change to summer time), reasons,
// documents that could not be scanned, test scans left out unless asked for, the period's
// bounds, and the open false-alarm count.
func testAuditStats(t *testing.T, s *store.Store) {
	ctx := t.Context()
	h := Hasher(t)
	cph := store.StatsLocation
	utc := func(mo time.Month, d, hh, mm int) time.Time { return time.Date(2026, mo, d, hh, mm, 0, 0, time.UTC) }
	ev := func(id string, at time.Time, i int, action string, reasons []string, mod func(*audit.Event)) audit.Event {
		e := SampleEvent(h, id, at, i)
		e.Action, e.Reasons, e.Test, e.Simulated = action, reasons, false, false
		if mod != nil {
			mod(&e)
		}
		return e
	}
	allScanned := func(e *audit.Event) { e.Documents[2].Status = "scanned" }
	events := []audit.Event{
		// Sample documents: two scanned and one encrypted zip.
		ev("s1", utc(3, 10, 9, 0), 1, "block", []string{"bulk_cpr", "different_citizen"}, nil),
		ev("s2", utc(3, 10, 22, 30), 2, "warn", []string{"bulk_cpr"}, allScanned), // 23:30 on the 10th in Copenhagen
		ev("s3", utc(3, 10, 23, 30), 3, "block", []string{"bulk_cpr"}, func(e *audit.Event) { // 00:30 on the 11th
			e.Documents[1].Status = "unscannable"
			e.Documents = append(e.Documents, audit.Document{Name: "video.mp4", Type: "video/mp4", Status: "too_large"})
		}),
		ev("s4", utc(3, 12, 12, 0), 4, "allow", nil, func(e *audit.Event) { e.Test = true }),
		ev("s5", utc(3, 12, 13, 0), 5, "secure", []string{"different_citizen"}, func(e *audit.Event) { e.Simulated = true }),
		ev("s6", utc(3, 12, 23, 0), 6, "block", []string{"bulk_cpr"}, nil),    // 00:00 on the 13th: after the period
		ev("s7", utc(3, 9, 22, 59), 7, "block", []string{"scan_failed"}, nil), // 23:59 on the 9th: before it
		// Across the change to summer time (29 March 2026, 02:00 → 03:00).
		ev("d1", utc(3, 28, 23, 30), 8, "warn", nil, allScanned),   // 00:30 CET on the 29th
		ev("d2", utc(3, 29, 21, 30), 9, "allow", nil, allScanned),  // 23:30 CEST on the 29th
		ev("d3", utc(3, 29, 22, 30), 10, "block", nil, allScanned), // 00:30 CEST on the 30th
	}
	for _, e := range events {
		if err := s.InsertAudit(ctx, e); err != nil {
			t.Fatalf("InsertAudit(%s): %v", e.ID, err)
		}
	}
	for i, st := range []string{audit.FeedbackOpen, audit.FeedbackOpen, audit.FeedbackDismissed} {
		f := audit.Feedback{ID: fmt.Sprintf("f%d", i), EventID: "s1", Time: utc(3, 11, 8, i), Kind: audit.FeedbackFalseAlarm,
			UPN: "sagsbehandler1@testkommune.dk", Status: st}
		if err := s.InsertFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}

	from, to := time.Date(2026, 3, 10, 0, 0, 0, 0, cph), time.Date(2026, 3, 13, 0, 0, 0, 0, cph)
	type day struct {
		date     string
		byAction map[string]int
	}
	check := func(t *testing.T, got store.AuditStats, total int, byAction map[string]int, days []day,
		reasons, unscanned []store.Count, docs, evs int) {
		t.Helper()
		if got.Total != total || !maps.Equal(got.ByAction, byAction) {
			t.Errorf("Total, ByAction = %d, %v; want %d, %v", got.Total, got.ByAction, total, byAction)
		}
		if len(got.Days) != len(days) {
			t.Fatalf("Days = %+v, want %d days", got.Days, len(days))
		}
		for i, d := range days {
			g := got.Days[i]
			sum := 0
			for _, n := range d.byAction {
				sum += n
			}
			if g.Day.Format("2006-01-02") != d.date || g.Day.Location() != cph || g.Day.Hour() != 0 ||
				!maps.Equal(g.ByAction, d.byAction) || g.Total != sum {
				t.Errorf("Days[%d] = %s %v (total %d), want %s %v (total %d)", i, g.Day, g.ByAction, g.Total, d.date, d.byAction, sum)
			}
		}
		if !reflect.DeepEqual(got.Reasons, reasons) {
			t.Errorf("Reasons = %v, want %v", got.Reasons, reasons)
		}
		if !reflect.DeepEqual(got.Unscanned, unscanned) || got.UnscannedDocs != docs || got.UnscannedEvents != evs {
			t.Errorf("Unscanned = %v (%d documents in %d events), want %v (%d in %d)",
				got.Unscanned, got.UnscannedDocs, got.UnscannedEvents, unscanned, docs, evs)
		}
		if got.OpenFeedback != 2 {
			t.Errorf("OpenFeedback = %d, want 2", got.OpenFeedback)
		}
	}

	t.Run("without tests", func(t *testing.T) {
		got, err := s.AuditStats(ctx, from, to, false)
		if err != nil {
			t.Fatal(err)
		}
		check(t, got, 4, map[string]int{"block": 2, "warn": 1, "secure": 1},
			[]day{{"2026-03-10", map[string]int{"block": 1, "warn": 1}}, {"2026-03-11", map[string]int{"block": 1}},
				{"2026-03-12", map[string]int{"secure": 1}}},
			[]store.Count{{Key: "bulk_cpr", Count: 3}, {Key: "different_citizen", Count: 2}},
			[]store.Count{{Key: "encrypted", Count: 3}, {Key: "too_large", Count: 1}, {Key: "unscannable", Count: 1}}, 5, 3)
		if got.Simulated != 1 || !got.From.Equal(from) || !got.To.Equal(to) {
			t.Errorf("Simulated = %d, period %v–%v", got.Simulated, got.From, got.To)
		}
		wantTypes := []store.TypeCount{{Status: "encrypted", Type: "application/zip", Count: 3},
			{Status: "too_large", Type: "video/mp4", Count: 1}, {Status: "unscannable", Type: "application/pdf", Count: 1}}
		if !reflect.DeepEqual(got.UnscannedByType, wantTypes) {
			t.Errorf("UnscannedByType = %v, want %v", got.UnscannedByType, wantTypes)
		}
	})
	t.Run("with tests", func(t *testing.T) {
		got, err := s.AuditStats(ctx, from, to, true)
		if err != nil {
			t.Fatal(err)
		}
		check(t, got, 5, map[string]int{"block": 2, "warn": 1, "secure": 1, "allow": 1},
			[]day{{"2026-03-10", map[string]int{"block": 1, "warn": 1}}, {"2026-03-11", map[string]int{"block": 1}},
				{"2026-03-12", map[string]int{"secure": 1, "allow": 1}}},
			[]store.Count{{Key: "bulk_cpr", Count: 3}, {Key: "different_citizen", Count: 2}},
			[]store.Count{{Key: "encrypted", Count: 4}, {Key: "too_large", Count: 1}, {Key: "unscannable", Count: 1}}, 6, 4)
	})
	t.Run("summer time", func(t *testing.T) {
		got, err := s.AuditStats(ctx, time.Date(2026, 3, 28, 0, 0, 0, 0, cph), time.Date(2026, 3, 31, 0, 0, 0, 0, cph), false)
		if err != nil {
			t.Fatal(err)
		}
		check(t, got, 3, map[string]int{"warn": 1, "allow": 1, "block": 1},
			[]day{{"2026-03-28", map[string]int{}}, {"2026-03-29", map[string]int{"warn": 1, "allow": 1}},
				{"2026-03-30", map[string]int{"block": 1}}}, nil, nil, 0, 0)
	})
	t.Run("empty period", func(t *testing.T) {
		got, err := s.AuditStats(ctx, time.Date(2025, 1, 1, 0, 0, 0, 0, cph), time.Date(2025, 1, 8, 0, 0, 0, 0, cph), true)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != 0 || len(got.Days) != 7 || len(got.Reasons) != 0 || len(got.Unscanned) != 0 || got.ByAction == nil {
			t.Errorf("empty period = %+v", got)
		}
	})
	t.Run("bad periods", func(t *testing.T) {
		for _, p := range [][2]time.Time{{to, from}, {from, from}, {{}, to}, {from, {}}, {from, from.AddDate(2, 0, 0)}} {
			if _, err := s.AuditStats(ctx, p[0], p[1], false); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("AuditStats(%v, %v) error = %v, want ErrInvalid", p[0], p[1], err)
			}
		}
	})
}
