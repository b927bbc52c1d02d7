package onsend

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/policy"
)

// The Markdown pop-up is cut before it is formatted: whatever the length of the reasons, it stays
// within 500 characters with every emphasis closed and no escape left open.
func TestPopupMarkdownCutBeforeFormatting(t *testing.T) {
	long := strings.Repeat("brev_*_2024.pdf handler om en anden borger ", 20)
	for _, tt := range []struct {
		name    string
		reasons []string
	}{
		{"one long reason", []string{long}},
		{"short then long", []string{"Kort grund.", long, long}},
		{"many", []string{"a", "b", "c", "d", "e"}},
		{"exactly at the edge", []string{strings.Repeat("x", 496)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var v policy.Verdict
			for _, m := range tt.reasons {
				v.Reasons = append(v.Reasons, policy.Reason{Code: "x", Message: m})
			}
			plain, md := popup(v)
			if utf8.RuneCountInString(md) > MaxMessage || utf8.RuneCountInString(plain) > MaxMessage {
				t.Fatalf("lengths %d %d", utf8.RuneCountInString(plain), utf8.RuneCountInString(md))
			}
			if !strings.HasPrefix(md, "**") {
				t.Errorf("markdown does not start with the bold reason: %q", md[:10])
			}
			unescaped := strings.ReplaceAll(strings.ReplaceAll(md, `\\`, ""), `\*`, "")
			if strings.Count(unescaped, "**")%2 != 0 {
				t.Errorf("an emphasis is left open: %q", md)
			}
			for _, line := range strings.Split(md, "\n") {
				if strings.HasSuffix(strings.TrimSuffix(strings.TrimSuffix(line, "**"), "…"), `\`) && !strings.HasSuffix(line, `\\`) {
					t.Errorf("an escape is left open: %q", line)
				}
			}
		})
	}
}
