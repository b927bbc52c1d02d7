// Package storetest is the conformance suite every store.Store implementation (SQLite now,
// PostgreSQL with issue 7) must pass, and sample audit events for tests. It holds synthetic
// data only.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/store"
)

// Opener returns a new, empty, migrated store for one test; it registers its own cleanup.
type Opener func(t *testing.T) *store.Store

// RunConformance runs the whole suite against the stores open returns.
func RunConformance(t *testing.T, open Opener) {
	t.Run("Ping", func(t *testing.T) { testPing(t, open(t)) })
	t.Run("AuditRoundTrip", func(t *testing.T) { testAuditRoundTrip(t, open(t)) })
	t.Run("AuditIdempotent", func(t *testing.T) { testAuditIdempotent(t, open(t)) })
	t.Run("AuditRefusesCPR", func(t *testing.T) { testAuditRefusesCPR(t, open(t)) })
	t.Run("AuditFilters", func(t *testing.T) { testAuditFilters(t, open(t)) })
	t.Run("AuditPagination", func(t *testing.T) { testAuditPagination(t, open(t)) })
	t.Run("AuditConcurrentInserts", func(t *testing.T) { testAuditConcurrent(t, open(t)) })
	t.Run("Policies", func(t *testing.T) { testPolicies(t, open(t)) })
	t.Run("PoliciesConcurrent", func(t *testing.T) { testPoliciesConcurrent(t, open(t)) })
	t.Run("ContextCancelled", func(t *testing.T) { testContextCancelled(t, open(t)) })
	t.Run("Feedback", func(t *testing.T) { testFeedback(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })             // sessions.go
	t.Run("PolicyVersions", func(t *testing.T) { testPolicyVersions(t, open(t)) }) // policyversions.go
	t.Run("AuditStats", func(t *testing.T) { testAuditStats(t, open(t)) })         // stats.go
	t.Run("Directory", func(t *testing.T) { testDirectory(t, open(t)) })           // directory.go
}

func testFeedback(t *testing.T, s *store.Store) {
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	fb := func(id, event string, i int) audit.Feedback {
		return audit.Feedback{
			ID: id, EventID: event, Time: base.Add(time.Duration(i) * time.Minute), Kind: audit.FeedbackFalseAlarm,
			Comment: "Borgeren har selv bedt om brevet", TenantID: "6f1d2c3b-0000-4000-8000-00000000000a",
			ObjectID: "0b9c8d7e-0000-4000-8000-000000000001", UPN: "sagsbehandler1@testkommune.dk", Status: audit.FeedbackOpen,
		}
	}
	for i, f := range []audit.Feedback{fb("fb1", "ev1", 0), fb("fb2", "ev1", 1), fb("fb3", "ev2", 2), fb("fb1", "ev1", 0)} {
		if err := s.InsertFeedback(ctx, f); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	got, err := s.ListFeedback(ctx, store.FeedbackFilter{EventID: "ev1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "fb2" || got[1].ID != "fb1" {
		t.Fatalf("feedback for ev1 = %+v, want fb2, fb1 (newest first, fb1 once)", got)
	}
	if !reflect.DeepEqual(got[1], fb("fb1", "ev1", 0)) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got[1], fb("fb1", "ev1", 0))
	}
	at := base.Add(time.Hour)
	if err := s.ResolveFeedback(ctx, "fb2", audit.FeedbackDismissed, "dpo@testkommune.dk", at); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveFeedback(ctx, "nope", audit.FeedbackConfirmed, "dpo", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("resolving unknown feedback: %v, want ErrNotFound", err)
	}
	if err := s.ResolveFeedback(ctx, "fb1", "maybe", "dpo", at); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("resolving with a bad status: %v, want ErrInvalid", err)
	}
	open, err := s.ListFeedback(ctx, store.FeedbackFilter{Status: audit.FeedbackOpen})
	if err != nil || len(open) != 2 {
		t.Fatalf("open feedback = %d (%v), want 2", len(open), err)
	}
	dismissed, err := s.ListFeedback(ctx, store.FeedbackFilter{Status: audit.FeedbackDismissed})
	if err != nil || len(dismissed) != 1 || dismissed[0].ResolvedBy != "dpo@testkommune.dk" || !dismissed[0].ResolvedAt.Equal(at) {
		t.Fatalf("dismissed feedback = %+v (%v)", dismissed, err)
	}
	bad := fb("fb9", "ev3", 9)
	bad.Comment = "Det drejer sig om 010190-1234" // synthetic
	if err := s.InsertFeedback(ctx, bad); !errors.Is(err, audit.ErrInvalidEvent) {
		t.Errorf("feedback with a CPR number: %v, want ErrInvalidEvent", err)
	}
}

// testKey is the synthetic hash key of the samples.
var testKey = []byte("sendevagt-storetest-key-0123456789abcdef")

// Hasher returns a Hasher with a fixed test key.
func Hasher(t testing.TB) *audit.Hasher {
	t.Helper()
	h, err := audit.NewHasher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// SampleEvent returns a synthetic audit event with every field set. i varies the user and the
// contents; at is its time (UTC, whole milliseconds so it survives storage unchanged).
func SampleEvent(h *audit.Hasher, id string, at time.Time, i int) audit.Event {
	actions := []string{"allow", "warn", "secure", "block"}
	sources := []string{"graph", "inline", "console", "cli"}
	reasons := [][]string{nil, {"bulk_cpr"}, {"different_citizen", "unencrypted_sensitive"}, {"scan_failed", "bulk_cpr"}}
	cpr := fmt.Sprintf("%02d0190-%04d", 1+i%28, 1000+i) // synthetic, hashed and masked only
	return audit.Event{
		ID:               id,
		Time:             at.UTC().Truncate(time.Millisecond),
		Source:           sources[i%len(sources)],
		Test:             i%5 == 4,
		Simulated:        i%7 == 3,
		TenantID:         "6f1d2c3b-0000-4000-8000-00000000000a",
		ObjectID:         fmt.Sprintf("0b9c8d7e-0000-4000-8000-%012d", i%3),
		UPN:              fmt.Sprintf("Sagsbehandler%d@Testkommune.dk", i%3),
		RecipientDomains: []string{"borger.example", "testkommune.dk"},
		Action:           actions[i%len(actions)],
		Reasons:          reasons[i%len(reasons)],
		Documents: []audit.Document{
			{Name: "Brødtekst", Type: "text/plain", Status: "scanned"},
			{Name: fmt.Sprintf("Afgørelse %s.pdf", cpr[:7]+"xxxx"), Type: "application/pdf", Status: "scanned",
				Findings: []audit.Finding{
					{Kind: "cpr", Page: 2, Masked: cpr[:7] + "xxxx", Confidence: 0.97, Hash: h.Hash("cpr", cpr)},
					{Kind: "sensitive", Page: 3, Masked: "helbred", Category: "health", Confidence: 0.6},
				}},
			{Name: "bilag.zip", Type: "application/zip", Status: "encrypted", Detail: "password protected"},
		},
		IdentifierHashes: []string{h.Hash("cpr", cpr)},
		PolicyVersion:    1 + i%2,
		FetchMillis:      int64(10 + i),
		ScanMillis:       int64(100 + i),
		TotalMillis:      int64(120 + 2*i),
		Error:            map[bool]string{true: "graph unavailable"}[i%6 == 5],
	}
}

func testPing(t *testing.T, s *store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testAuditRoundTrip(t *testing.T, s *store.Store) {
	ctx := t.Context()
	h := Hasher(t)
	at := time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)
	full := SampleEvent(h, "evt-full", at, 2)
	full.Test, full.Simulated, full.Error = true, true, "graph unavailable"
	minimal := audit.Event{ID: "evt-min", Time: at.Add(time.Second), Action: "allow", Source: "inline"}
	local := SampleEvent(h, "evt-local", time.Date(2026, 3, 14, 11, 0, 0, 0, time.FixedZone("CET", 3600)), 1)

	for _, e := range []audit.Event{full, minimal, local} {
		if err := s.InsertAudit(ctx, e); err != nil {
			t.Fatalf("InsertAudit(%s): %v", e.ID, err)
		}
		got, err := s.GetAudit(ctx, e.ID)
		if err != nil {
			t.Fatalf("GetAudit(%s): %v", e.ID, err)
		}
		want := e
		want.Time = e.Time.UTC()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GetAudit(%s) =\n%+v\nwant\n%+v", e.ID, got, want)
		}
		if got.Time.Location() != time.UTC {
			t.Errorf("GetAudit(%s).Time in %v, want UTC", e.ID, got.Time.Location())
		}
	}
	// Sub-millisecond precision is dropped, not rounded up.
	sub := audit.Event{ID: "evt-sub", Time: at.Add(999_999), Action: "warn", Source: "cli"}
	if err := s.InsertAudit(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetAudit(ctx, sub.ID); err != nil || !got.Time.Equal(at) {
		t.Errorf("GetAudit(sub) time = %v, %v; want %v", got.Time, err, at)
	}
	if _, err := s.GetAudit(ctx, "evt-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAudit(missing) error = %v, want ErrNotFound", err)
	}
	if n, err := s.CountAudit(ctx); err != nil || n != 4 {
		t.Errorf("CountAudit = %d, %v; want 4", n, err)
	}
}

func testAuditIdempotent(t *testing.T, s *store.Store) {
	ctx := t.Context()
	h := Hasher(t)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	first := SampleEvent(h, "evt-same", at, 1)
	second := SampleEvent(h, "evt-same", at.Add(time.Hour), 2) // same ID, other content
	for i, e := range []audit.Event{first, first, second} {
		if err := s.InsertAudit(ctx, e); err != nil {
			t.Fatalf("InsertAudit #%d: %v", i, err)
		}
	}
	if n, err := s.CountAudit(ctx); err != nil || n != 1 {
		t.Fatalf("CountAudit = %d, %v; want 1", n, err)
	}
	got, err := s.GetAudit(ctx, "evt-same")
	if err != nil || !reflect.DeepEqual(got, first) {
		t.Errorf("GetAudit = %+v, %v; want the first insert %+v", got, err, first)
	}
	// The reason and identifier rows were not duplicated either.
	for _, f := range []store.AuditFilter{{Reason: "bulk_cpr"}, {Identifier: first.IdentifierHashes[0]}} {
		if _, total, err := s.ListAudit(ctx, f); err != nil || total != 1 {
			t.Errorf("ListAudit(%+v) total = %d, %v; want 1", f, total, err)
		}
	}
}

func testAuditRefusesCPR(t *testing.T, s *store.Store) {
	ctx := t.Context()
	e := SampleEvent(Hasher(t), "evt-cpr", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), 0)
	e.Documents[1].Name = "Afgørelse 010190-1234.pdf"
	if err := s.InsertAudit(ctx, e); !errors.Is(err, audit.ErrInvalidEvent) || !errors.Is(err, audit.ErrCPR) {
		t.Fatalf("InsertAudit(event with a CPR number) error = %v, want ErrInvalidEvent and ErrCPR", err)
	}
	if _, err := s.GetAudit(ctx, e.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("refused event was stored (GetAudit error %v)", err)
	}
}

// dataset inserts n sample events one minute apart starting at base, returns them newest first.
func dataset(t *testing.T, s *store.Store, base time.Time, n int) []audit.Event {
	t.Helper()
	h := Hasher(t)
	var evs []audit.Event
	for i := range n {
		// Every fourth pair shares a time, so ordering must fall back to the ID.
		at := base.Add(time.Duration(i-i%4/3) * time.Minute)
		e := SampleEvent(h, fmt.Sprintf("evt-%03d", i), at, i)
		if err := s.InsertAudit(t.Context(), e); err != nil {
			t.Fatalf("InsertAudit(%s): %v", e.ID, err)
		}
		evs = append(evs, e)
	}
	slices.SortFunc(evs, func(a, b audit.Event) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		if a.ID > b.ID {
			return -1
		}
		return 1
	})
	return evs
}

func ids(evs []audit.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func testAuditFilters(t *testing.T, s *store.Store) {
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	all := dataset(t, s, base, 40)
	hashOf7 := all[slices.IndexFunc(all, func(e audit.Event) bool { return e.ID == "evt-007" })].IdentifierHashes[0]
	tests := []struct {
		name string
		f    store.AuditFilter
		keep func(audit.Event) bool
	}{
		{"default leaves tests out", store.AuditFilter{}, func(e audit.Event) bool { return !e.Test }},
		{"include tests", store.AuditFilter{IncludeTests: true}, func(audit.Event) bool { return true }},
		{"from inclusive", store.AuditFilter{From: base.Add(20 * time.Minute), IncludeTests: true},
			func(e audit.Event) bool { return !e.Time.Before(base.Add(20 * time.Minute)) }},
		{"to exclusive", store.AuditFilter{To: base.Add(10 * time.Minute), IncludeTests: true},
			func(e audit.Event) bool { return e.Time.Before(base.Add(10 * time.Minute)) }},
		{"period", store.AuditFilter{From: base.Add(5 * time.Minute), To: base.Add(15 * time.Minute)},
			func(e audit.Event) bool {
				return !e.Test && !e.Time.Before(base.Add(5*time.Minute)) && e.Time.Before(base.Add(15*time.Minute))
			}},
		{"action", store.AuditFilter{Action: "block", IncludeTests: true}, func(e audit.Event) bool { return e.Action == "block" }},
		{"reason", store.AuditFilter{Reason: "bulk_cpr", IncludeTests: true}, func(e audit.Event) bool { return slices.Contains(e.Reasons, "bulk_cpr") }},
		{"reason second of two", store.AuditFilter{Reason: "unencrypted_sensitive"}, func(e audit.Event) bool {
			return !e.Test && slices.Contains(e.Reasons, "unencrypted_sensitive")
		}},
		{"user by UPN any case", store.AuditFilter{User: "sagsbehandler1@testkommune.DK", IncludeTests: true},
			func(e audit.Event) bool { return e.UPN == "Sagsbehandler1@Testkommune.dk" }},
		{"user by object id", store.AuditFilter{User: "0b9c8d7e-0000-4000-8000-000000000002", IncludeTests: true},
			func(e audit.Event) bool { return e.ObjectID == "0b9c8d7e-0000-4000-8000-000000000002" }},
		{"source", store.AuditFilter{Source: "console", IncludeTests: true}, func(e audit.Event) bool { return e.Source == "console" }},
		{"identifier hash", store.AuditFilter{Identifier: hashOf7, IncludeTests: true},
			func(e audit.Event) bool { return slices.Contains(e.IdentifierHashes, hashOf7) }},
		{"combined", store.AuditFilter{Action: "secure", Reason: "different_citizen", User: "Sagsbehandler2@testkommune.dk", From: base.Add(3 * time.Minute)},
			func(e audit.Event) bool {
				return !e.Test && e.Action == "secure" && slices.Contains(e.Reasons, "different_citizen") &&
					e.UPN == "Sagsbehandler2@Testkommune.dk" && !e.Time.Before(base.Add(3*time.Minute))
			}},
		{"nothing matches", store.AuditFilter{Action: "nope"}, func(audit.Event) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.DeleteFunc(slices.Clone(all), func(e audit.Event) bool { return !tc.keep(e) })
			tc.f.Limit = 1000
			got, total, err := s.ListAudit(t.Context(), tc.f)
			if err != nil {
				t.Fatalf("ListAudit: %v", err)
			}
			if total != len(want) || !slices.Equal(ids(got), ids(want)) {
				t.Errorf("ListAudit(%+v) = %v (total %d)\nwant %v (total %d)", tc.f, ids(got), total, ids(want), len(want))
			}
			if tc.name != "nothing matches" && len(want) == 0 {
				t.Errorf("test data selects nothing for %q: the case proves nothing", tc.name)
			}
		})
	}
	// The listed events are whole.
	got, _, err := s.ListAudit(t.Context(), store.AuditFilter{IncludeTests: true, Limit: 1})
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], all[0]) {
		t.Errorf("ListAudit first event = %+v, %v; want %+v", got, err, all[0])
	}
}

func testAuditPagination(t *testing.T, s *store.Store) {
	ctx := t.Context()
	all := dataset(t, s, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), 23)
	var pages []audit.Event
	for off := 0; off < 30; off += 5 {
		page, total, err := s.ListAudit(ctx, store.AuditFilter{IncludeTests: true, Limit: 5, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if total != len(all) {
			t.Errorf("offset %d: total = %d, want %d", off, total, len(all))
		}
		if wantLen := min(5, max(0, len(all)-off)); len(page) != wantLen {
			t.Errorf("offset %d: %d events, want %d", off, len(page), wantLen)
		}
		pages = append(pages, page...)
	}
	if !slices.Equal(ids(pages), ids(all)) {
		t.Errorf("pages = %v\nwant %v (newest first, ties by ID descending)", ids(pages), ids(all))
	}
	// Default and maximum page sizes; negative values refused.
	if page, _, err := s.ListAudit(ctx, store.AuditFilter{IncludeTests: true}); err != nil || len(page) != min(len(all), store.DefaultAuditLimit) {
		t.Errorf("default limit: %d events, %v", len(page), err)
	}
	for _, f := range []store.AuditFilter{{Limit: -1}, {Offset: -1}} {
		if _, _, err := s.ListAudit(ctx, f); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ListAudit(%+v) error = %v, want ErrInvalid", f, err)
		}
	}
}

func testAuditConcurrent(t *testing.T, s *store.Store) {
	h := Hasher(t)
	const workers, each = 8, 25
	base := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				n := w*each + i
				e := SampleEvent(h, fmt.Sprintf("c-%04d", n), base.Add(time.Duration(n)*time.Second), n)
				// Every event twice, racing its duplicate from another worker.
				errs <- s.InsertAudit(context.Background(), e)
				errs <- s.InsertAudit(context.Background(), e)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.CountAudit(t.Context()); err != nil || n != workers*each {
		t.Errorf("CountAudit = %d, %v; want %d", n, err, workers*each)
	}
}

func testPolicies(t *testing.T, s *store.Store) {
	ctx := t.Context()
	if _, err := s.LatestPolicy(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LatestPolicy on an empty store: %v, want ErrNotFound", err)
	}
	if _, err := s.SavePolicy(ctx, nil, "a", "c"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SavePolicy(empty) error = %v, want ErrInvalid", err)
	}
	var saved []store.PolicyVersion
	for i := range 3 {
		before := time.Now().UTC().Truncate(time.Millisecond)
		yaml := fmt.Appendf(nil, "version: %d\npersonal_data:\n  cpr_min_confidence: 0.%d\n", i, 5+i)
		p, err := s.SavePolicy(ctx, yaml, fmt.Sprintf("admin%d@testkommune.dk", i), "ændring æøå")
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != i+1 || string(p.YAML) != string(yaml) || p.Created.Before(before) || p.Created.After(time.Now()) {
			t.Errorf("SavePolicy #%d = %+v", i, p)
		}
		saved = append(saved, p)
	}
	got, err := s.LatestPolicy(ctx)
	if err != nil || !reflect.DeepEqual(got, saved[2]) {
		t.Errorf("LatestPolicy = %+v, %v; want %+v", got, err, saved[2])
	}
}

func testPoliciesConcurrent(t *testing.T, s *store.Store) {
	const n = 16
	versions := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := s.SavePolicy(context.Background(), fmt.Appendf(nil, "v: %d\n", i), "admin@testkommune.dk", "")
			if err != nil {
				t.Error(err)
				return
			}
			versions <- p.Version
		})
	}
	wg.Wait()
	close(versions)
	var got []int
	for v := range versions {
		got = append(got, v)
	}
	slices.Sort(got)
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(got, want) {
		t.Errorf("concurrent versions = %v, want %v", got, want)
	}
	if p, err := s.LatestPolicy(t.Context()); err != nil || p.Version != n {
		t.Errorf("LatestPolicy = %d, %v; want %d", p.Version, err, n)
	}
}

func testContextCancelled(t *testing.T, s *store.Store) {
	e := SampleEvent(Hasher(t), "evt-ctx", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	calls := map[string]func(ctx context.Context) error{
		"Ping":        func(ctx context.Context) error { return s.Ping(ctx) },
		"InsertAudit": func(ctx context.Context) error { return s.InsertAudit(ctx, e) },
		"GetAudit":    func(ctx context.Context) error { _, err := s.GetAudit(ctx, "evt-ctx"); return err },
		"ListAudit":   func(ctx context.Context) error { _, _, err := s.ListAudit(ctx, store.AuditFilter{}); return err },
		"CountAudit":  func(ctx context.Context) error { _, err := s.CountAudit(ctx); return err },
		"LatestPolicy": func(ctx context.Context) error {
			_, err := s.LatestPolicy(ctx)
			return err
		},
		"SavePolicy": func(ctx context.Context) error {
			_, err := s.SavePolicy(ctx, []byte("x: 1\n"), "a", "")
			return err
		},
	}
	for name, call := range calls {
		if err := call(cancelled); !errors.Is(err, context.Canceled) {
			t.Errorf("%s(cancelled ctx) error = %v, want context.Canceled", name, err)
		}
		if err := call(expired); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s(expired ctx) error = %v, want context.DeadlineExceeded", name, err)
		}
	}
	// Nothing was written.
	if n, err := s.CountAudit(t.Context()); err != nil || n != 0 {
		t.Errorf("CountAudit = %d, %v; want 0", n, err)
	}
	if _, err := s.LatestPolicy(t.Context()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestPolicy = %v, want ErrNotFound", err)
	}
}
