package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// tidyText's shortcut (the text is its own tidy form but for its end) gives what the copy gives.
func TestTidyTextShortcut(t *testing.T) {
	pieces := []string{"Navn", "CPR 010190-1234", " ", "\t", "\n", "\n", "\n\n", "  \n", "\f", "æøå"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := tidyText(s), tidyCopy(s); got != want {
			t.Fatalf("tidyText(%q) = %q, want %q", s, got, want)
		}
	}
}
