package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/store"
)

// directorySample is a synthetic directory row for citizen i, imported at at.
func directorySample(t *testing.T, i int, at time.Time, keep time.Duration) store.DirectoryEntry {
	h := Hasher(t)
	e := store.DirectoryEntry{
		EmailHash:   h.Hash("directory-email", fmt.Sprintf("borger%d@example.dk", i)),
		CPRHash:     h.Hash("cpr", fmt.Sprintf("%02d0190%04d", 1+i%28, 1000+i)),
		NameHash:    h.Hash("directory-name", fmt.Sprintf("borger nummer%d", i)),
		EmailMasked: fmt.Sprintf("b…%d@example.dk", i%10),
		NameMasked:  "B. N.",
		CPRMasked:   "xxxxxx-xxxx",
		Source:      "CSV-import",
		ImportedAt:  at.UTC().Truncate(time.Millisecond),
	}
	if keep > 0 {
		e.ExpiresAt = e.ImportedAt.Add(keep)
	}
	return e
}

func testDirectory(t *testing.T, s *store.Store) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var entries []store.DirectoryEntry
	for i := range 5 {
		entries = append(entries, directorySample(t, i, now.Add(time.Duration(i)*time.Second), 0))
	}
	// Citizen 5 shares citizen 0's address (a family address); citizen 6 has expired.
	fam := directorySample(t, 5, now.Add(5*time.Second), 0)
	fam.EmailHash = entries[0].EmailHash
	old := directorySample(t, 6, now.Add(-48*time.Hour), time.Hour)
	entries = append(entries, fam, old)
	if n, err := s.ImportDirectory(ctx, entries); err != nil || n != len(entries) {
		t.Fatalf("ImportDirectory = %d, %v", n, err)
	}
	if n, err := s.CountDirectory(ctx); err != nil || n != 7 {
		t.Fatalf("CountDirectory = %d, %v; want 7", n, err)
	}
	// Importing the same address and CPR again updates the row instead of adding one.
	again := entries[1]
	again.NameMasked, again.Source, again.ImportedAt = "B. M. N.", "ny.csv", now.Add(time.Minute)
	if _, err := s.ImportDirectory(ctx, []store.DirectoryEntry{again}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountDirectory(ctx); n != 7 {
		t.Errorf("after re-import: %d rows, want 7", n)
	}

	// List: newest import first, paged, filtered by address hash.
	all, total, err := s.ListDirectory(ctx, store.DirectoryFilter{})
	if err != nil || total != 7 || len(all) != 7 {
		t.Fatalf("ListDirectory = %d rows, total %d, %v", len(all), total, err)
	}
	if all[0].NameMasked != "B. M. N." || all[0].Source != "ny.csv" || !all[0].ImportedAt.Equal(again.ImportedAt) {
		t.Errorf("first row %+v, want the re-imported one", all[0])
	}
	got := all[1]
	want := fam
	want.ID = got.ID
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	page, total, err := s.ListDirectory(ctx, store.DirectoryFilter{Limit: 2, Offset: 2})
	if err != nil || total != 7 || len(page) != 2 || page[0].ID != all[2].ID {
		t.Errorf("page 2 = %+v, total %d, %v", page, total, err)
	}
	byMail, total, err := s.ListDirectory(ctx, store.DirectoryFilter{EmailHash: entries[0].EmailHash})
	if err != nil || total != 2 || len(byMail) != 2 {
		t.Errorf("by address = %d rows (total %d), %v; want 2", len(byMail), total, err)
	}
	if _, _, err := s.ListDirectory(ctx, store.DirectoryFilter{Limit: -1}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("negative limit: %v, want ErrInvalid", err)
	}

	// Lookup: every row of the asked addresses, the expired one left out.
	found, err := s.LookupDirectory(ctx, []string{entries[0].EmailHash, old.EmailHash, Hasher(t).Hash("directory-email", "ukendt@example.dk")})
	if err != nil || len(found) != 2 {
		t.Fatalf("LookupDirectory = %+v, %v; want the two rows of the family address", found, err)
	}
	for _, e := range found {
		if e.EmailHash != entries[0].EmailHash {
			t.Errorf("lookup returned a row of another address: %+v", e)
		}
	}
	if found, err := s.LookupDirectory(ctx, nil); err != nil || len(found) != 0 {
		t.Errorf("LookupDirectory(nil) = %v, %v", found, err)
	}

	// Retention: the expired row goes, rows without expiry stay.
	if n, err := s.PurgeDirectory(ctx, now); err != nil || n != 1 {
		t.Errorf("PurgeDirectory = %d, %v; want 1", n, err)
	}
	if err := s.SetDirectoryRetention(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PurgeDirectory(ctx, now.Add(30*time.Minute)); err != nil || n != 0 {
		t.Errorf("PurgeDirectory within the new retention = %d, %v; want 0", n, err)
	}
	if n, err := s.PurgeDirectory(ctx, now.Add(2*time.Hour)); err != nil || n != 6 {
		t.Errorf("PurgeDirectory after the new retention = %d, %v; want 6", n, err)
	}
	if _, err := s.ImportDirectory(ctx, entries[:3]); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDirectoryRetention(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PurgeDirectory(ctx, now.Add(1000*time.Hour)); err != nil || n != 0 {
		t.Errorf("PurgeDirectory without retention = %d, %v; want 0", n, err)
	}

	// Delete one row, then all rows of an address.
	rows, _, _ := s.ListDirectory(ctx, store.DirectoryFilter{})
	if err := s.DeleteDirectoryEntry(ctx, rows[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDirectoryEntry(ctx, rows[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if n, err := s.DeleteDirectoryByEmail(ctx, entries[0].EmailHash); err != nil || n != 1 {
		t.Errorf("DeleteDirectoryByEmail = %d, %v; want 1", n, err)
	}
	if n, _ := s.CountDirectory(ctx); n != 1 {
		t.Errorf("%d rows left, want 1", n)
	}

	// Plain values are refused.
	for name, mutate := range map[string]func(*store.DirectoryEntry){
		"plain address":      func(e *store.DirectoryEntry) { e.EmailHash = "borger1@example.dk" },
		"plain cpr":          func(e *store.DirectoryEntry) { e.CPRHash = "0101901234" },
		"cpr in mask":        func(e *store.DirectoryEntry) { e.CPRMasked = "010190-1234" },
		"birth date in mask": func(e *store.DirectoryEntry) { e.CPRMasked = "010190-xxxx" },
		"cpr in source":      func(e *store.DirectoryEntry) { e.Source = "borgere 01.01.90-1234.csv" },
		"unmasked mail":      func(e *store.DirectoryEntry) { e.EmailMasked = "borger1@example.dk" },
		"no time":            func(e *store.DirectoryEntry) { e.ImportedAt = time.Time{} },
	} {
		e := directorySample(t, 9, now, 0)
		mutate(&e)
		if _, err := s.ImportDirectory(ctx, []store.DirectoryEntry{e}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}

	// Settings.
	if _, err := s.GetSetting(ctx, "directory.retention_days"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unset setting: %v, want ErrNotFound", err)
	}
	for _, v := range []string{"365", "30"} {
		if err := s.SetSetting(ctx, "directory.retention_days", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := s.GetSetting(ctx, "directory.retention_days"); err != nil || v != "30" {
		t.Errorf("GetSetting = %q, %v; want 30", v, err)
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.ImportDirectory(cancelled, entries[:1]); !errors.Is(err, context.Canceled) {
		t.Errorf("ImportDirectory(cancelled) = %v", err)
	}
}

// DatabaseFiles returns the bytes of a SQLite database file and its -wal file, for tests that
// prove a value is not stored in plain text.
func DatabaseFiles(t testing.TB, path string) []byte {
	t.Helper()
	var out []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(filepath.Clean(p))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return bytes.Clone(out)
}
