package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
)

// BenchmarkInsertAuditList is the audit of mail-merge lists on SQLite: events of 2,500 keyed
// hashes each, into a database that already holds 40 of them (100,000 hashes).
func BenchmarkInsertAuditList(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "a.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	n := 0
	event := func() audit.Event {
		n++
		hs := make([]string, 2500)
		for i := range hs {
			var r [32]byte
			rand.Read(r[:])
			hs[i] = hex.EncodeToString(r[:])
		}
		sort.Strings(hs)
		return audit.Event{ID: fmt.Sprintf("%032x", n), Time: time.Now(), Source: "inline", TenantID: "t", ObjectID: "o",
			UPN: "ansat@kommune.dk", Action: "block", IdentifierHashes: hs}
	}
	for range 40 {
		if err := s.InsertAudit(b.Context(), event()); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if err := s.InsertAudit(b.Context(), event()); err != nil {
			b.Fatal(err)
		}
	}
}
