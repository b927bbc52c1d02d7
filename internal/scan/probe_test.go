package scan

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// candidates are CPR numbers of one (synthetic) birth date; the directory holds the first.
var candidates = []string{"010190-1234", "010190-1242", "010190-1250", "010190-1269", "010190-1277", "010190-1285"}

func candidateMail(to message.Address, cprs ...string) *message.Message {
	m := mailTo(to, "Hej\n\nSe de vedhæftede breve.\n\nMed venlig hilsen\nJonas Fisker\n")
	for i, c := range cprs {
		m.Attachments = append(m.Attachments, message.Attachment{Name: fmt.Sprintf("Brev %d.txt", i+1), ContentType: "text/plain",
			Data: []byte("Afgørelse\n\nCPR-nr.: " + c + "\n\nDin sag om hjælp til medicin er afsluttet.\n")})
	}
	return m
}

func differentDocs(v policy.Verdict) []string {
	for _, r := range v.Reasons {
		if r.Code == policy.CodeDifferentCitizen {
			return slices.Sorted(slices.Values(r.Documents))
		}
	}
	return nil
}

// Several candidate numbers in one mail to a directory address: the answer does not tell which
// one the directory holds (every document is listed alike).
func TestDirectoryDoesNotTellWhichDocumentMatched(t *testing.T) {
	h := testHasher(t)
	to := message.Address{Address: "borger77@hotmail.com"}
	dir := &fakeDirectory{entries: map[string][]DirectoryEntry{to.Address: {{CPRHash: HashCPR(h, candidates[0])}}}}
	s := directoryScanner(t, dir, h)
	res, err := s.Scan(context.Background(), candidateMail(to, candidates...), policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	got := differentDocs(res.Verdict)
	if res.Verdict.Action != policy.Block || len(got) != len(candidates) {
		t.Errorf("action %s, documents of different_citizen %v: want block listing all %d documents", res.Verdict.Action, got, len(candidates))
	}
}

// One caller checking many distinct numbers against one directory address is cut off: past the
// limit the directory confirms nothing (right and wrong numbers are both blocked), the probe is
// reported once, and another caller is not affected.
func TestDirectoryProbeLimit(t *testing.T) {
	h := testHasher(t)
	to := message.Address{Address: "borger77@hotmail.com"}
	dir := &fakeDirectory{entries: map[string][]DirectoryEntry{to.Address: {{CPRHash: HashCPR(h, candidates[0])}}}}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	var reports []int
	guard := NewProbeGuard(3, time.Hour, func() time.Time { return now }, func(caller Caller, address string, n int) {
		if caller.Key != "mallory" || caller.ObjectID != "o-mallory" || address == to.Address {
			t.Errorf("report for caller %q address %q: want the caller key and a hashed address", caller, address)
		}
		reports = append(reports, n)
	})
	s := directoryScanner(t, dir, h)
	s.opts.Probes = guard
	verdict := func(caller, cpr string) policy.Action {
		ctx := WithCaller(context.Background(), Caller{Key: caller, TenantID: "t", ObjectID: "o-" + caller})
		res, err := s.Scan(ctx, candidateMail(to, cpr), policy.Default())
		if err != nil {
			t.Fatal(err)
		}
		return res.Verdict.Action
	}
	right := verdict("alice", candidates[0])
	wrong := verdict("alice", candidates[1])
	if right == wrong {
		t.Fatalf("the directory decides nothing in this test: right and wrong give %s", right)
	}
	for _, c := range candidates[1:4] { // three distinct wrong numbers: at the limit
		if got := verdict("mallory", c); got != wrong {
			t.Errorf("%s: %s, want %s", c, got, wrong)
		}
	}
	if got := verdict("mallory", candidates[0]); got != wrong {
		t.Errorf("the fourth distinct number (the right one): %s, want %s like a wrong one", got, wrong)
	}
	if got := verdict("mallory", candidates[4]); got != wrong {
		t.Errorf("past the limit: %s, want %s", got, wrong)
	}
	if len(reports) != 1 || reports[0] != 4 {
		t.Errorf("reports %v, want one at 4 distinct numbers", reports)
	}
	if got := verdict("alice", candidates[0]); got != right {
		t.Errorf("another caller: %s, want %s", got, right)
	}
	now = now.Add(time.Hour)
	if got := verdict("mallory", candidates[0]); got != right {
		t.Errorf("after the window: %s, want %s", got, right)
	}
}
