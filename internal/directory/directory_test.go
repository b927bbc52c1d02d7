package directory

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// rowsByEmail is a LookupStore over fixed rows.
type rowsByEmail []store.DirectoryEntry

func (r rowsByEmail) LookupDirectory(_ context.Context, hashes []string) ([]store.DirectoryEntry, error) {
	var out []store.DirectoryEntry
	for _, e := range r {
		if slices.Contains(hashes, e.EmailHash) {
			out = append(out, e)
		}
	}
	return out, nil
}

func TestLookup(t *testing.T) {
	h := storetest.Hasher(t)
	k := NewKeys(h)
	imp, err := Parse([]byte("e-mail;cpr;navn\nanna@example.dk;0708814318;Anna Berg\nanna@example.dk;0101901234;Anna Berg\nbo@example.dk;0101901234;Bo Holm\n"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	got, err := NewLookup(rowsByEmail(k.Entries(imp, now, time.Time{})), h).Lookup(t.Context(),
		[]string{"ANNA@example.dk", "ukendt@example.dk"})
	if err != nil {
		t.Fatal(err)
	}
	want := []scan.DirectoryEntry{
		{CPRHash: scan.HashCPR(h, "0708814318"), NameHash: scan.HashName(h, "Anna Berg")},
		{CPRHash: scan.HashCPR(h, "0101901234"), NameHash: scan.HashName(h, "Anna Berg")},
	}
	if len(got) != 1 || !slices.Equal(got["ANNA@example.dk"], want) {
		t.Errorf("Lookup = %v, want the two citizens behind ANNA@example.dk only", got)
	}
}
