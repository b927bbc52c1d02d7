// Package directory is the citizen directory's domain: which e-mail addresses belong to which
// citizens, as the authority exports them (CSV: e-mail, CPR number, name). It reads an export
// under its rules, turns the rows into keyed hashes and masked forms (never a value kept), and
// answers the scan's question "whose addresses are these" (scan.Directory). The CPR rules are
// package detect's; the hashes are package scan's.
package directory

import (
	"context"
	"fmt"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/cprshape"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/store"
)

// Keys makes the keyed hashes the directory is stored and searched by.
type Keys struct{ h *audit.Hasher }

// NewKeys makes hashes with h (the installation's secret).
func NewKeys(h *audit.Hasher) Keys { return Keys{h: h} }

// CPR is the keyed hash of a CPR number's ten digits.
func (k Keys) CPR(digits string) string { return scan.HashCPR(k.h, digits) }

// Email is the keyed hash of an e-mail address (any case).
func (k Keys) Email(addr string) string { return scan.HashEmail(k.h, addr) }

// Entries turns the accepted rows of imp into directory rows imported at now that expire at
// expires (zero: never): keyed hashes and masked forms only. A row repeating an earlier row's
// address and CPR number is merged into it and counted in imp.Report.Duplicates.
func (k Keys) Entries(imp *Import, now, expires time.Time) []store.DirectoryEntry {
	entries := make([]store.DirectoryEntry, 0, len(imp.rows))
	seen := map[[2]string]bool{}
	for _, row := range imp.rows {
		e := store.DirectoryEntry{
			EmailHash: k.Email(row.email), CPRHash: k.CPR(row.cpr), NameHash: scan.HashName(k.h, row.name),
			EmailMasked: maskEmail(row.email), NameMasked: maskInitials(row.name), CPRMasked: cprshape.Hidden,
			Source: importLabel(now), ImportedAt: now, ExpiresAt: expires,
		}
		key := [2]string{e.EmailHash, e.CPRHash}
		if seen[key] {
			imp.Report.Duplicates++
			continue
		}
		seen[key] = true
		entries = append(entries, e)
	}
	return entries
}

// LookupStore finds directory rows by address hash (package store).
type LookupStore interface {
	LookupDirectory(ctx context.Context, emailHashes []string) ([]store.DirectoryEntry, error)
}

// NewLookup is the citizen directory as the scan consults it (scan.Options.Directory): it
// hashes the recipients' addresses and returns the hashes of the citizens behind them.
func NewLookup(st LookupStore, h *audit.Hasher) scan.Directory {
	return lookup{st: st, h: h}
}

type lookup struct {
	st LookupStore
	h  *audit.Hasher
}

func (d lookup) Lookup(ctx context.Context, addresses []string) (map[string][]scan.DirectoryEntry, error) {
	byHash := make(map[string]string, len(addresses))
	hashes := make([]string, 0, len(addresses))
	for _, a := range addresses {
		h := scan.HashEmail(d.h, a)
		if _, ok := byHash[h]; !ok {
			hashes = append(hashes, h)
		}
		byHash[h] = a
	}
	rows, err := d.st.LookupDirectory(ctx, hashes)
	if err != nil {
		return nil, fmt.Errorf("directory: lookup: %w", err)
	}
	out := map[string][]scan.DirectoryEntry{}
	for _, r := range rows {
		if a, ok := byHash[r.EmailHash]; ok {
			out[a] = append(out[a], scan.DirectoryEntry{CPRHash: r.CPRHash, NameHash: r.NameHash})
		}
	}
	return out, nil
}
