package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// spoolKey authenticates the tests' spool files (synthetic).
var spoolKey = []byte("synthetic-spool-key-0123456789abcdef")

// Writer failure modes.
const (
	ok         int32 = iota
	failBefore       // error, nothing written
	failAfter        // written, then an error (a commit whose answer was lost)
	flaky            // failBefore or failAfter or ok, at random
)

// testWriter is the real SQLite store behind a switch that makes it fail.
type testWriter struct {
	s     *store.Store
	mode  atomic.Int32
	mu    sync.Mutex
	order []string // IDs in the order they were written
}

func (w *testWriter) InsertAudit(ctx context.Context, e audit.Event) error {
	mode := w.mode.Load()
	if mode == flaky {
		mode = []int32{ok, ok, failBefore, failAfter}[rand.IntN(4)]
	}
	if mode == failBefore {
		return errors.New("synthetic database failure")
	}
	if err := w.s.InsertAudit(ctx, e); err != nil {
		return err
	}
	w.mu.Lock()
	w.order = append(w.order, e.ID)
	w.mu.Unlock()
	if mode == failAfter {
		return errors.New("synthetic failure after commit")
	}
	return nil
}

// countingObserver counts what the Recorder reports.
type countingObserver struct{ spooled, replayed, failed atomic.Int64 }

func (o *countingObserver) Spooled()       { o.spooled.Add(1) }
func (o *countingObserver) Replayed(n int) { o.replayed.Add(int64(n)) }
func (o *countingObserver) ReplayFailed()  { o.failed.Add(1) }

type fixture struct {
	dbPath   string
	spoolDir string
	store    *store.Store
	w        *testWriter
	obs      *countingObserver
	logs     *syncBuffer
	h        *audit.Hasher
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{dbPath: filepath.Join(dir, "audit.db"), spoolDir: filepath.Join(dir, "spool"),
		obs: &countingObserver{}, logs: &syncBuffer{}, h: storetest.Hasher(t)}
	s, err := store.Open(t.Context(), f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	f.store = s
	f.w = &testWriter{s: s}
	return f
}

func (f *fixture) recorder(t *testing.T, writeTimeout, retryEvery time.Duration) *audit.Recorder {
	t.Helper()
	r, err := audit.NewRecorder(f.w, audit.Options{
		SpoolKey: spoolKey, SpoolDir: f.spoolDir, WriteTimeout: writeTimeout, RetryEvery: retryEvery,
		Logger: slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Observer: f.obs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func (f *fixture) event(i int, at time.Time) audit.Event {
	return storetest.SampleEvent(f.h, fmt.Sprintf("rec-%05d", i), at, i)
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// assertStored checks that exactly the events with these IDs are stored, once each.
func assertStored(t *testing.T, s *store.Store, want []string) {
	t.Helper()
	got, total, err := s.ListAudit(t.Context(), store.AuditFilter{IncludeTests: true, Limit: store.MaxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, total)
	for off := 0; ; off += store.MaxAuditLimit {
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		if off+store.MaxAuditLimit >= total {
			break
		}
		if got, _, err = s.ListAudit(t.Context(), store.AuditFilter{IncludeTests: true, Limit: store.MaxAuditLimit, Offset: off + store.MaxAuditLimit}); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(ids)
	want = slices.Sorted(slices.Values(want))
	if total != len(want) || !slices.Equal(ids, want) {
		t.Fatalf("stored %d events (%d listed), want %d; missing or extra: %v", total, len(ids), len(want), diff(ids, want))
	}
}

func diff(got, want []string) []string {
	var out []string
	for _, w := range want {
		if _, found := slices.BinarySearch(got, w); !found {
			out = append(out, "-"+w)
		}
	}
	for _, g := range got {
		if _, found := slices.BinarySearch(want, g); !found {
			out = append(out, "+"+g)
		}
	}
	if len(out) > 10 {
		out = append(out[:10], "...")
	}
	return out
}

func TestRecordWritesDirectly(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, time.Hour)
	e := f.event(1, time.Now())
	if err := r.Record(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.GetAudit(t.Context(), e.ID)
	if err != nil {
		t.Fatalf("not written at once: %v", err)
	}
	if got.ID != e.ID || r.Pending() != 0 || f.obs.spooled.Load() != 0 {
		t.Errorf("got %s, pending %d, spooled %d", got.ID, r.Pending(), f.obs.spooled.Load())
	}
}

func TestRecordSpoolsAndReplays(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, 50*time.Millisecond)
	f.w.mode.Store(failBefore)
	var want []string
	base := time.Now().UTC()
	for i := range 20 {
		e := f.event(i, base.Add(time.Duration(i)*time.Millisecond))
		if err := r.Record(t.Context(), e); err != nil {
			t.Fatalf("Record with a failing database: %v", err)
		}
		want = append(want, e.ID)
		if p := r.Pending(); p != i+1 {
			t.Fatalf("Pending = %d after %d events, want %d", p, i+1, i+1)
		}
	}
	if n, _ := f.store.CountAudit(t.Context()); n != 0 {
		t.Fatalf("%d events in the database while it was failing", n)
	}
	if f.obs.spooled.Load() != 20 {
		t.Errorf("Spooled reported %d times, want 20", f.obs.spooled.Load())
	}
	waitFor(t, "a failed replay pass", 2*time.Second, func() bool { return f.obs.failed.Load() > 0 })

	f.w.mode.Store(ok) // the database is back: the replayer writes the spool without help
	waitFor(t, "the spool to drain", 5*time.Second, func() bool { return r.Pending() == 0 })
	assertStored(t, f.store, want)
	if f.obs.replayed.Load() != 20 {
		t.Errorf("Replayed reported %d, want 20", f.obs.replayed.Load())
	}
	// Replay kept time order.
	f.w.mu.Lock()
	order := slices.Clone(f.w.order)
	f.w.mu.Unlock()
	if !slices.Equal(order, want) {
		t.Errorf("replay order %v, want %v", order, want)
	}
	// Back to direct writes.
	e := f.event(99, time.Now())
	if err := r.Record(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.GetAudit(t.Context(), e.ID); err != nil || r.Pending() != 0 {
		t.Errorf("after recovery the event was not written directly: %v, pending %d", err, r.Pending())
	}
}

func TestReplayInTimeOrder(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, time.Hour)
	f.w.mode.Store(failBefore)
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	offsets := []int{5, 1, 9, 3, 7, 0}
	for i, off := range offsets {
		if err := r.Record(t.Context(), f.event(i, base.Add(time.Duration(off)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	f.w.mode.Store(ok)
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{"rec-00005", "rec-00001", "rec-00003", "rec-00000", "rec-00004", "rec-00002"}
	if !slices.Equal(f.w.order, want) {
		t.Errorf("replay order %v, want %v (by event time)", f.w.order, want)
	}
}

func TestFailedAfterCommitIsStoredOnce(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, time.Hour)
	f.w.mode.Store(failAfter)
	e := f.event(1, time.Now())
	if err := r.Record(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 1 {
		t.Fatalf("Pending = %d, want 1", r.Pending())
	}
	f.w.mode.Store(ok)
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	assertStored(t, f.store, []string{e.ID})
}

func TestRestartReplaysSpool(t *testing.T) {
	f := newFixture(t)
	r1 := f.recorder(t, 200*time.Millisecond, time.Hour)
	f.w.mode.Store(failBefore)
	var want []string
	for i := range 10 {
		e := f.event(i, time.Now())
		if err := r1.Record(t.Context(), e); err != nil {
			t.Fatal(err)
		}
		want = append(want, e.ID)
	}
	if err := r1.Close(); err != nil { // final flush fails: the spool stays
		t.Fatal(err)
	}
	if p := r1.Pending(); p != 10 {
		t.Fatalf("Pending after Close = %d, want 10", p)
	}
	// Recorded after Close: still durable, in the spool.
	late := f.event(10, time.Now())
	if err := r1.Record(t.Context(), late); err != nil {
		t.Fatal(err)
	}
	want = append(want, late.ID)
	if err := r1.Flush(t.Context()); !errors.Is(err, audit.ErrClosed) {
		t.Errorf("Flush after Close = %v, want ErrClosed", err)
	}

	f.w.mode.Store(ok)
	r2 := f.recorder(t, time.Second, time.Hour) // RetryEvery an hour: only the start-up replay can do it
	waitFor(t, "the new recorder to replay the old spool", 5*time.Second, func() bool { return r2.Pending() == 0 })
	assertStored(t, f.store, want)
}

func TestConcurrentRecordWithFlakyDatabase(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, 20*time.Millisecond)
	f.w.mode.Store(flaky)
	const goroutines, each = 200, 5
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	ids := make(chan string, goroutines*each)
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				e := f.event(g*each+i, time.Now())
				errs <- r.Record(context.Background(), e)
				ids <- e.ID
			}
		})
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		if err != nil {
			t.Fatalf("Record: %v", err)
		}
	}
	var want []string
	for id := range ids {
		want = append(want, id)
	}
	if f.obs.spooled.Load() == 0 {
		t.Fatal("nothing was spooled: the flaky database did not fail")
	}
	f.w.mode.Store(ok)
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 0 {
		t.Fatalf("Pending = %d after the database came back", r.Pending())
	}
	assertStored(t, f.store, want)
}

// TestLockedDatabase: another connection holds the SQLite write lock. Record answers within
// WriteTimeout (plus slack for the spool's fsyncs) and the events reach the database once the
// lock is released.
func TestLockedDatabase(t *testing.T) {
	f := newFixture(t)
	const writeTimeout = 300 * time.Millisecond
	r := f.recorder(t, writeTimeout, 50*time.Millisecond)

	locker, err := sql.Open("sqlite", f.dbPath+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	conn, err := locker.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 5 {
		e := f.event(i, time.Now())
		start := time.Now()
		if err := r.Record(t.Context(), e); err != nil {
			t.Fatalf("Record on a locked database: %v", err)
		}
		if took := time.Since(start); took > writeTimeout+700*time.Millisecond {
			t.Errorf("Record #%d took %v on a locked database, want at most WriteTimeout %v + slack", i, took, writeTimeout)
		}
		want = append(want, e.ID)
	}
	if r.Pending() != 5 {
		t.Errorf("Pending = %d while locked, want 5", r.Pending())
	}
	time.Sleep(200 * time.Millisecond) // replay attempts fail against the lock
	if n, _ := f.store.CountAudit(t.Context()); n != 0 {
		t.Errorf("%d events written through an exclusive lock", n)
	}
	if _, err := conn.ExecContext(t.Context(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the spool to drain after the lock was released", 5*time.Second, func() bool { return r.Pending() == 0 })
	assertStored(t, f.store, want)
}

// hangingWriter never answers until released, and ignores ctx.
type hangingWriter struct{ release chan struct{} }

func (w hangingWriter) InsertAudit(context.Context, audit.Event) error {
	<-w.release
	return errors.New("too late")
}

func TestRecordDoesNotWaitForAHungWriter(t *testing.T) {
	w := hangingWriter{release: make(chan struct{})}
	r, err := audit.NewRecorder(w, audit.Options{SpoolKey: spoolKey, SpoolDir: t.TempDir(), WriteTimeout: 100 * time.Millisecond, RetryEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := r.Record(t.Context(), validEvent(t, "hung-1")); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 800*time.Millisecond {
		t.Errorf("Record took %v with a hung writer and WriteTimeout 100ms", took)
	}
	if r.Pending() != 1 {
		t.Errorf("Pending = %d, want 1", r.Pending())
	}
	close(w.release)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRecordCallerContextCancelled(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	e := f.event(1, time.Now())
	if err := r.Record(ctx, e); err != nil {
		t.Fatalf("Record with a cancelled ctx: %v (the request may be gone; the audit must not be)", err)
	}
	// A cancelled caller does not make the recorder treat the database as failing.
	if strings.Contains(f.logs.String(), "database write failed") {
		t.Errorf("a cancelled caller was taken for a database failure:\n%s", f.logs.String())
	}
	e2 := f.event(2, time.Now())
	if err := r.Record(t.Context(), e2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.GetAudit(t.Context(), e2.ID); err != nil {
		t.Errorf("the next event was not written directly: %v", err)
	}
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	assertStored(t, f.store, []string{e.ID, e2.ID})
}

func TestCorruptSpoolFileMovedAside(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, time.Hour)
	f.w.mode.Store(failBefore)
	good := f.event(1, time.Now())
	if err := r.Record(t.Context(), good); err != nil {
		t.Fatal(err)
	}
	// A truncated file sorting first, and a file whose event carries a CPR number.
	corrupt := "0000000000000000001-0000000001-deadbeef.json"
	if err := os.WriteFile(filepath.Join(f.spoolDir, corrupt), []byte(`{"format":1,"event":{"id":"x","documents":[{"name":"Hemmelig`), 0o600); err != nil {
		t.Fatal(err)
	}
	withCPR := "0000000000000000002-0000000002-deadbeef.json"
	if err := os.WriteFile(filepath.Join(f.spoolDir, withCPR),
		[]byte(`{"format":1,"event":{"id":"y","time":"2026-01-01T00:00:00Z","error":"0101901234"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 3 {
		t.Fatalf("Pending = %d, want 3", r.Pending())
	}
	f.w.mode.Store(ok)
	if err := r.Flush(t.Context()); err != nil {
		t.Fatalf("Flush: %v (a bad file must not block the rest)", err)
	}
	assertStored(t, f.store, []string{good.ID})
	for _, name := range []string{corrupt, withCPR} {
		if _, err := os.Stat(filepath.Join(f.spoolDir, name+".bad")); err != nil {
			t.Errorf("%s not moved aside: %v", name, err)
		}
	}
	if r.Pending() != 0 {
		t.Errorf("Pending = %d, want 0 (bad files do not count)", r.Pending())
	}
	logs := f.logs.String()
	if !strings.Contains(logs, corrupt) {
		t.Errorf("the corrupt file is not named in the log:\n%s", logs)
	}
	if strings.Contains(logs, "Hemmelig") || strings.Contains(logs, "0101901234") {
		t.Errorf("the log shows spool content:\n%s", logs)
	}
}

// nameRedactor stands for detect.Engine: it masks the one synthetic name the tests use.
type nameRedactor struct{}

func (nameRedactor) Redact(s string) string {
	return strings.ReplaceAll(s, "Birthe Kjær Andersen", "B. K. A.")
}

// TestRecordMasksInsteadOfDropping: issue 13 found verdicts without an audit row because a
// CPR shape in free text made ValidateEvent refuse the event. Every such event is now stored,
// masked, both written directly and through the spool.
func TestRecordMasksInsteadOfDropping(t *testing.T) {
	cases := []struct {
		name string
		edit func(e *audit.Event)
	}{
		{"recipient domain in Bcc", func(e *audit.Event) { e.RecipientDomains = append(e.RecipientDomains, "010190-1234.dk") }},
		{"file name with a double space", func(e *audit.Event) { e.Documents[1].Name = "Afgørelse 010190  1234.pdf" }},
		{"broken docx part named with a CPR", func(e *audit.Event) {
			e.Documents[1].Detail = "corrupt Word document: malformed XML (line 1) in word/010190-1234.xml"
		}},
		{"part named with a person", func(e *audit.Event) {
			e.Documents[1].Detail = "corrupt Word document: truncated data in word/Birthe Kjær Andersen.xml"
		}},
		{"omitted attachment's size", func(e *audit.Event) {
			e.Documents[1].Status, e.Documents[1].Detail = "too_large", "content not sent by the add-in (1503991234 bytes)"
		}},
		{"double dash", func(e *audit.Event) { e.Documents[1].Name = "Sag 010190--1234.pdf" }},
		{"dashes between date parts", func(e *audit.Event) { e.Documents[1].Name = "Sag 01-01-90-1234.pdf" }},
		{"dots between date parts", func(e *audit.Event) { e.Error = "01.01.90-1234" }},
		{"full-width digits", func(e *audit.Event) {
			e.Documents[1].Name = "Sag \uff10\uff11\uff10\uff11\uff19\uff10\uff0d\uff11\uff12\uff13\uff14.pdf"
		}},
		{"upn", func(e *audit.Event) { e.UPN = "0101901234@testkommune.dk" }},
	}
	for _, spooled := range []bool{false, true} {
		for i, tc := range cases {
			t.Run(fmt.Sprintf("%s/spooled=%v", tc.name, spooled), func(t *testing.T) {
				f := newFixture(t)
				r, err := audit.NewRecorder(f.w, audit.Options{SpoolKey: spoolKey, SpoolDir: f.spoolDir, RetryEvery: time.Hour,
					Redactor: nameRedactor{}, Logger: slog.New(slog.NewJSONHandler(f.logs, nil))})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = r.Close() })
				if spooled {
					f.w.mode.Store(failBefore)
				}
				e := f.event(i, time.Now())
				tc.edit(&e)
				if err := r.Record(t.Context(), e); err != nil {
					t.Fatalf("Record: %v (the verdict would have no audit row)", err)
				}
				if spooled {
					f.w.mode.Store(ok)
					if err := r.Flush(t.Context()); err != nil {
						t.Fatal(err)
					}
				}
				got, err := f.store.GetAudit(t.Context(), e.ID)
				if err != nil {
					t.Fatalf("event not stored: %v", err)
				}
				raw, _ := json.Marshal(got)
				for _, leak := range []string{"1234", "\\uff11\\uff12", "Birthe", "Andersen", "010190"} {
					if strings.Contains(string(raw), leak) {
						t.Errorf("stored event holds %q: %s", leak, raw)
					}
				}
				if err := audit.ValidateEvent(got); err != nil {
					t.Errorf("stored event fails validation: %v", err)
				}
			})
		}
	}
}

// TestForgedSpoolFileNotImported: a file put into the spool by anyone but the Recorder (no tag,
// a tag made with another key, a tagged event edited afterwards) is moved aside, never stored.
func TestForgedSpoolFileNotImported(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, time.Hour)
	f.w.mode.Store(failBefore)
	genuine := f.event(1, time.Now())
	if err := r.Record(t.Context(), genuine); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(f.spoolDir, "*.json"))
	if len(names) != 1 {
		t.Fatalf("spool holds %v", names)
	}
	data, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	forged := f.event(2, time.Now())
	forged.Action = "allow"
	ev, _ := json.Marshal(forged)
	write := func(name string, v any) {
		b, _ := json.Marshal(v)
		if err := os.WriteFile(filepath.Join(f.spoolDir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("0000000000000000001-0000000001-00000001.json", map[string]any{"format": 1, "event": forged})
	write("0000000000000000002-0000000002-00000002.json", map[string]any{"format": 2, "event": json.RawMessage(ev), "mac": strings.Repeat("ab", 32)})
	// the genuine file with its event edited, its tag kept
	edited := strings.Replace(string(data), `"action":"`+genuine.Action+`"`, `"action":"allow","x":"`, 1)
	if edited == string(data) {
		t.Fatal("test bug: nothing edited")
	}
	if err := os.WriteFile(filepath.Join(f.spoolDir, "0000000000000000003-0000000003-00000003.json"), []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	f.w.mode.Store(ok)
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	assertStored(t, f.store, []string{genuine.ID})
	bad, _ := filepath.Glob(filepath.Join(f.spoolDir, "*.bad"))
	if len(bad) != 3 {
		t.Errorf("moved aside: %v, want the 3 forged files", bad)
	}
}

func TestSpoolRefusesAnOpenDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.NewRecorder(&testWriter{}, audit.Options{SpoolKey: spoolKey, SpoolDir: dir}); err == nil {
		t.Error("NewRecorder accepted a world-writable spool directory")
	}
	if _, err := audit.NewRecorder(&testWriter{}, audit.Options{SpoolKey: spoolKey[:8], SpoolDir: t.TempDir()}); err == nil {
		t.Error("NewRecorder accepted a short spool key")
	}
}

func TestSpoolPermissions(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, time.Hour)
	f.w.mode.Store(failBefore)
	if err := r.Record(t.Context(), f.event(1, time.Now())); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(f.spoolDir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("spool directory mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	entries, err := os.ReadDir(f.spoolDir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("spool holds %d entries, %v; want 1", len(entries), err)
	}
	info, err := entries[0].Info()
	if err != nil || info.Mode().Perm() != 0o600 || !strings.HasSuffix(info.Name(), ".json") {
		t.Errorf("spool file %s mode %v, %v; want a .json file with mode 0600", info.Name(), info.Mode().Perm(), err)
	}
}

func TestRecordFailsWhenDatabaseAndSpoolFail(t *testing.T) {
	f := newFixture(t)
	r := f.recorder(t, time.Second, time.Hour)
	f.w.mode.Store(failBefore)
	// Replace the spool directory by a file: even root cannot create files in it.
	if err := os.RemoveAll(f.spoolDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.spoolDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.Record(t.Context(), f.event(1, time.Now())); !errors.Is(err, audit.ErrNotRecorded) {
		t.Errorf("Record = %v, want ErrNotRecorded", err)
	}
}

func TestLeftoverTempFileRemoved(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, ".tmp-123")
	if err := os.WriteFile(tmp, []byte(`{"format":1,"ev`), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := audit.NewRecorder(hangingWriter{release: make(chan struct{})}, audit.Options{SpoolKey: spoolKey, SpoolDir: dir, RetryEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial temp file still there: %v", err)
	}
	if r.Pending() != 0 {
		t.Errorf("Pending = %d, want 0", r.Pending())
	}
}

func TestNewRecorderOptions(t *testing.T) {
	if _, err := audit.NewRecorder(nil, audit.Options{SpoolKey: spoolKey, SpoolDir: t.TempDir()}); err == nil {
		t.Error("NewRecorder(nil writer) succeeded")
	}
	if _, err := audit.NewRecorder(&testWriter{}, audit.Options{}); err == nil {
		t.Error("NewRecorder without a spool directory succeeded")
	}
}

func validEvent(t testing.TB, id string) audit.Event {
	return storetest.SampleEvent(storetest.Hasher(t), id, time.Now(), 1)
}

func BenchmarkRecord(b *testing.B) {
	dir := b.TempDir()
	s, err := store.Open(b.Context(), filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r, err := audit.NewRecorder(s, audit.Options{SpoolKey: spoolKey, SpoolDir: filepath.Join(dir, "spool")})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	h := storetest.Hasher(b)
	i := 0
	for b.Loop() {
		if err := r.Record(b.Context(), storetest.SampleEvent(h, fmt.Sprintf("bench-%d", i), time.Now(), i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkRecordSpooled(b *testing.B) {
	dir := b.TempDir()
	w := &testWriter{}
	w.mode.Store(failBefore)
	r, err := audit.NewRecorder(w, audit.Options{SpoolKey: spoolKey, SpoolDir: dir, RetryEvery: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	h := storetest.Hasher(b)
	i := 0
	for b.Loop() {
		if err := r.Record(b.Context(), storetest.SampleEvent(h, fmt.Sprintf("bench-%d", i), time.Now(), i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
