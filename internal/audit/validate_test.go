package audit

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validEvent(t *testing.T) Event {
	h := mustHasher(t, keyA)
	return Event{
		ID: "k3j2h4g5f6d7s8a9q2w3e4r5t6", Time: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), Source: "graph",
		TenantID: "6f1d2c3b-0000-4000-8000-00000000000a", ObjectID: "0b9c8d7e-0000-4000-8000-000000000001",
		UPN: "sagsbehandler@testkommune.dk", RecipientDomains: []string{"borger.example"},
		Action: "block", Reasons: []string{"different_citizen"},
		Documents: []Document{{Name: "Afgørelse 010190-xxxx.pdf", Type: "application/pdf", Status: "scanned",
			Detail: "12 pages", Findings: []Finding{{Kind: "cpr", Page: 1, Masked: "010190-xxxx", Confidence: 0.9, Hash: h.Hash("cpr", "0101901234")}}}},
		IdentifierHashes: []string{h.Hash("cpr", "0101901234")},
		PolicyVersion:    3, TotalMillis: 120,
	}
}

func TestValidateEventAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *Event)
	}{
		{"as is", func(*Event) {}},
		{"masked CPR in a name", func(e *Event) { e.Documents[0].Name = "Brev til 010190-xxxx og 020291-XXXX.docx" }},
		{"11 digits", func(e *Event) { e.Documents[0].Name = "Journal 01019012345.pdf" }},
		{"9 digits", func(e *Event) { e.Documents[0].Name = "Sag 010190123.pdf" }},
		{"not a date (month 34)", func(e *Event) { e.Documents[0].Name = "Faktura 1234567890.pdf" }},
		{"not a date (31 April)", func(e *Event) { e.Documents[0].Name = "Bilag 310490-1234.pdf" }},
		{"phone number", func(e *Event) { e.Documents[0].Detail = "+45 12 34 56 78" }},
		{"GUID ids that look CPR-like", func(e *Event) {
			e.ID = "ab010190-1234-4abc-8def-0123456789ab"
			e.TenantID = "ab010190-1234-4abc-8def-0123456789ab"
			e.ObjectID = "cd150275-4321-4abc-8def-a0101901234b"
		}},
		{"no hashes", func(e *Event) { e.IdentifierHashes = nil; e.Documents[0].Findings[0].Hash = "" }},
		{"id with allowed punctuation", func(e *Event) { e.ID = "scan:2026.04_01-abc" }},
		{"NewID", func(e *Event) { e.ID = NewID() }},
		{"random hex id with a CPR-like run", func(e *Event) { e.ID = "ab0101901234cdef0123456789abcdef" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := validEvent(t)
			tc.edit(&e)
			if err := ValidateEvent(e); err != nil {
				t.Errorf("ValidateEvent: %v", err)
			}
		})
	}
}

func TestValidateEventRefusesCPR(t *testing.T) {
	cprs := []string{"0101901234", "010190-1234", "010190 1234", "010190\u00a01234", "010190\u20131234",
		"010190 - 1234", "290200/1234", "311299.1234", "010190\t1234",
		// issue 13: spellings the first guard let through
		"010190--1234", "01-01-90-1234", "01.01.90-1234", "010190  1234", "\uff10\uff11\uff10\uff11\uff19\uff10-\uff11\uff12\uff13\uff14"}
	fields := []struct {
		name string
		set  func(e *Event, v string)
	}{
		{"id", func(e *Event, v string) {
			e.ID = "scan-" + strings.NewReplacer(" ", "", "\u00a0", "", "\u2013", "-", "/", "-", "\t", "").Replace(v)
		}},
		{"source", func(e *Event, v string) { e.Source = v }},
		{"tenantId", func(e *Event, v string) { e.TenantID = "t" + v }},
		{"objectId", func(e *Event, v string) { e.ObjectID = v }},
		{"upn", func(e *Event, v string) { e.UPN = v + "@testkommune.dk" }},
		{"recipientDomains", func(e *Event, v string) { e.RecipientDomains = append(e.RecipientDomains, v+".example") }},
		{"action", func(e *Event, v string) { e.Action = v }},
		{"reasons", func(e *Event, v string) { e.Reasons = append(e.Reasons, "x"+v) }},
		{"documents.name", func(e *Event, v string) { e.Documents[0].Name = "Afgørelse " + v + ".pdf" }},
		{"documents.type", func(e *Event, v string) { e.Documents[0].Type = v }},
		{"documents.status", func(e *Event, v string) { e.Documents[0].Status = v }},
		{"documents.detail", func(e *Event, v string) { e.Documents[0].Detail = "cpr " + v }},
		{"findings.kind", func(e *Event, v string) { e.Documents[0].Findings[0].Kind = v }},
		{"findings.masked", func(e *Event, v string) { e.Documents[0].Findings[0].Masked = v }},
		{"findings.category", func(e *Event, v string) { e.Documents[0].Findings[0].Category = v }},
		{"error", func(e *Event, v string) { e.Error = "failed on " + v }},
	}
	for _, f := range fields {
		for _, c := range cprs {
			t.Run(f.name+"/"+c, func(t *testing.T) {
				e := validEvent(t)
				f.set(&e, c)
				if f.name == "id" && !idChars(e.ID) {
					return // ids are ASCII: refused for their characters already
				}
				err := ValidateEvent(e)
				if !errors.Is(err, ErrInvalidEvent) || !errors.Is(err, ErrCPR) {
					t.Fatalf("ValidateEvent with %q in %s: %v, want ErrInvalidEvent and ErrCPR", c, f.name, err)
				}
				if strings.Contains(err.Error(), c) || strings.Contains(err.Error(), "1234") {
					t.Errorf("error shows the value: %v", err)
				}
			})
		}
	}
}

func TestValidateEventRefusesMalformed(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *Event)
	}{
		{"no id", func(e *Event) { e.ID = "" }},
		{"id with space", func(e *Event) { e.ID = "a b" }},
		{"id with slash", func(e *Event) { e.ID = "a/b" }},
		{"id too long", func(e *Event) { e.ID = strings.Repeat("a", maxIDLen+1) }},
		{"no time", func(e *Event) { e.Time = time.Time{} }},
		{"identifier not a hash", func(e *Event) { e.IdentifierHashes = []string{"0101901234"} }},
		{"identifier upper-case hex", func(e *Event) { e.IdentifierHashes[0] = strings.ToUpper(e.IdentifierHashes[0]) }},
		{"finding hash not a hash", func(e *Event) { e.Documents[0].Findings[0].Hash = "abc" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := validEvent(t)
			tc.edit(&e)
			if err := ValidateEvent(e); !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("ValidateEvent error = %v, want ErrInvalidEvent", err)
			}
		})
	}
}

func TestHasCPR(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"0101901234", true},
		{"x0101901234y", true},
		{"a 290296-1234 b", true},
		{"010190 - 1234", true},
		{"010190   1234", true},
		{"010190    1234", false}, // four spaces: too far apart
		{"0101901234 5", true},
		{"00019012345", false},
		{"0001901234", false}, // day 00
		{"3102901234", false}, // 31 February
		{"2902901234", true},  // 29 February: some year has it
		{"0113901234", false}, // month 13
		{"010190-12345", false},
		{"1010190-1234", false},
		{"010190-xxxx", false},
		{"", false},
		{"0101", false},
		{"010190-", false},
		{"999999 010190-1234", true},
	}
	for _, tc := range tests {
		if got := hasCPR(tc.s); got != tc.want {
			t.Errorf("hasCPR(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

// FuzzHasCPR: a full CPR number between spaces is found whatever surrounds it, and nothing panics.
func FuzzHasCPR(f *testing.F) {
	for _, s := range []string{"", "0101901234", "010190-1234", "7", "a\u2013b", "310490.1234"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		_ = hasCPR(before + after)
		for _, c := range []string{"0101901234", "010190-1234", "010190 1234"} {
			if s := before + " " + c + " " + after; !hasCPR(s) {
				t.Fatalf("hasCPR(%q) = false", s)
			}
		}
	})
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 20000 {
		id := NewID()
		if len(id) != 26 || !idChars(id) || hasCPR(id) || strings.ContainsAny(id, "0189") {
			t.Fatalf("NewID() = %q", id)
		}
		if seen[id] {
			t.Fatalf("NewID repeated %q", id)
		}
		seen[id] = true
	}
}

func TestDomains(t *testing.T) {
	got := Domains("Borger@Example.DK", "<sagsbehandler@testkommune.dk>", "x@example.dk", "no-at", "y@", " z@Borger.Example. ", "a@b@c.dk")
	want := []string{"borger.example", "c.dk", "example.dk", "testkommune.dk"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Domains = %v, want %v", got, want)
	}
	if Domains() != nil {
		t.Error("Domains() should be nil")
	}
}
