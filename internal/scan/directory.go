package scan

import (
	"context"
	"log/slog"
	"strings"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
)

// DirectoryEntry is what the citizen directory knows about one citizen behind an address: keyed
// hashes only (see HashCPR and HashName), never a value.
type DirectoryEntry struct {
	CPRHash  string
	NameHash string // "" when the directory has no name for the entry
}

// Directory is the citizen directory imported by the administrators: which citizens an e-mail
// address belongs to. Lookup gets the recipients' addresses (lower-cased) and returns the entries
// of those it knows, keyed by the address as given; addresses it does not know are left out.
type Directory interface {
	Lookup(ctx context.Context, addresses []string) (map[string][]DirectoryEntry, error)
}

// Hash kinds of the directory. The CPR kind is the audit's: the directory's CPR hash of a citizen
// is the hash the audit keeps for the same number found in a document.
const (
	HashKindCPR   = "cpr"
	HashKindName  = "directory-name"
	HashKindEmail = "directory-email"
)

// HashCPR is the keyed hash of a CPR number (separators ignored).
func HashCPR(h *audit.Hasher, cpr string) string { return h.Hash(HashKindCPR, cpr) }

// HashName is the keyed hash of a person's name, folded the way the identity check compares
// names ("Søren Østergård" and "soeren oestergaard" hash alike); "" for a name without letters.
func HashName(h *audit.Hasher, name string) string {
	k := NameKey(name)
	if k == "" {
		return ""
	}
	return h.Hash(HashKindName, k)
}

// HashEmail is the keyed hash of an e-mail address (trimmed, any case).
func HashEmail(h *audit.Hasher, addr string) string {
	return h.Hash(HashKindEmail, strings.ToLower(strings.TrimSpace(addr)))
}

// NameKey folds a name for comparison: lower case, æ→ae, ø→oe, å→aa (and the usual accents),
// every run of non-letters one space. "Hansen, Jens" is turned around to "jens hansen".
func NameKey(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.IndexByte(name, ','); i > 0 {
		name = strings.TrimSpace(name[i+1:]) + " " + strings.TrimSpace(name[:i])
	}
	return strings.Join(strings.Fields(identity.Fold(name)), " ")
}

// applyDirectory corrects the persons' relations to the recipients the citizen directory
// knows. For a recipient with entries, a person with a CPR number is the recipient when the
// number's hash is among the entries, and clearly someone else otherwise; a person known only by
// name is the recipient when the name's hash is among the entries (otherwise the name
// comparison stands). A document addressed to the recipient stays "addressed" unless the person
// is the recipient: the addressee decides (a parent's letter about the child). A failing
// directory never fails the scan: the relations are left as the names gave them.
func (s *Scanner) applyDirectory(ctx context.Context, recipients []message.Address, persons []identity.Person) {
	if s.opts.Directory == nil || s.opts.Hasher == nil || len(persons) == 0 || len(recipients) == 0 {
		return
	}
	addrs := make([]string, 0, len(recipients))
	keys := make([]string, len(recipients))
	seen := map[string]bool{}
	for i, r := range recipients {
		a := strings.ToLower(strings.TrimSpace(r.Address))
		keys[i] = a
		if a != "" && !seen[a] {
			seen[a] = true
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return
	}
	known, err := s.opts.Directory.Lookup(ctx, addrs)
	if err != nil {
		if s.opts.Logger != nil {
			s.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "citizen directory lookup failed; names alone decide",
				slog.String("error", err.Error()))
		}
		return
	}
	if len(known) == 0 {
		return
	}
	cprHash := map[string]string{} // CPR value → hash
	var hashes []string            // distinct, in order
	for _, p := range persons {
		if _, ok := cprHash[p.CPR]; p.CPR != "" && !ok {
			cprHash[p.CPR] = HashCPR(s.opts.Hasher, p.CPR)
			hashes = append(hashes, cprHash[p.CPR])
		}
	}
	// Per recipient the directory knows: does it contradict any of the numbers? When it
	// contradicts one, it confirms none: the answer must not tell which of several numbers in one
	// mail is the recipient's (they all concern someone else as far as the verdict goes: the mail
	// is blocked either way). A caller past the probe limit for the address gets no confirmation
	// at all until the window has passed: every number counts as someone else's.
	contradicted := make([]bool, len(keys))
	for i, key := range keys {
		entries := known[key]
		if len(entries) == 0 || len(hashes) == 0 {
			continue
		}
		if s.opts.Probes != nil && !s.opts.Probes.Allow(CallerOf(ctx), HashEmail(s.opts.Hasher, key), hashes) {
			contradicted[i] = true
			continue
		}
		for _, h := range hashes {
			if !hasEntry(entries, func(e DirectoryEntry) bool { return e.CPRHash == h }) {
				contradicted[i] = true
			}
		}
	}
	nameHash := map[string]string{} // name → hash
	for pi := range persons {
		p := &persons[pi]
		for i, key := range keys {
			entries := known[key]
			if len(entries) == 0 || i >= len(p.Relations) {
				continue
			}
			switch {
			case p.CPR != "":
				h := cprHash[p.CPR]
				if !contradicted[i] && hasEntry(entries, func(e DirectoryEntry) bool { return e.CPRHash == h }) {
					p.Relations[i] = identity.Same
				} else if p.Relations[i] != identity.Addressed {
					p.Relations[i] = identity.Different
				}
			case p.Name != "":
				h, ok := nameHash[p.Name]
				if !ok {
					h = HashName(s.opts.Hasher, p.Name)
					nameHash[p.Name] = h
				}
				if h != "" && hasEntry(entries, func(e DirectoryEntry) bool { return e.NameHash == h }) {
					p.Relations[i] = identity.Same
				}
			}
		}
	}
}

func hasEntry(entries []DirectoryEntry, match func(DirectoryEntry) bool) bool {
	for _, e := range entries {
		if match(e) {
			return true
		}
	}
	return false
}
