package detect

import (
	"sort"
	"strings"

	"github.com/sendevagt/sendevagt/internal/cprshape"
)

// Redact returns text with every CPR-shaped number (whatever its confidence, and also numbers
// the scanner rejects, such as "Faktura_1101562261") and every person name it recognises
// replaced by the masked form. It is for short strings that leave the scan:
// attachment names and subjects that go to the audit or a log ("Afgørelse Jens Hansen
// 010190-1234.pdf" → "Afgørelse J. H. 010190-xxxx.pdf"). Underscores count as spaces, as in
// file names.
func (e *Engine) Redact(text string) string {
	// '_' and ' ' are one byte each, so offsets in norm are offsets in text.
	norm := strings.ReplaceAll(text, "_", " ")
	spans := append(e.CPR(norm), e.Names(norm)...)
	if len(spans) == 0 {
		return maskShapes(text)
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	var b strings.Builder
	at := 0
	for _, f := range spans {
		if f.Start < at || f.End > len(text) {
			continue // overlaps a span already masked
		}
		b.WriteString(text[at:f.Start])
		b.WriteString(f.Masked)
		at = f.End
	}
	b.WriteString(text[at:])
	return maskShapes(b.String())
}

// maskShapes masks every remaining CPR shape (internal/cprshape, the definition the audit checks
// against) as ddmmyy-xxxx.
func maskShapes(s string) string { return cprshape.Mask(s) }
