package detect

import (
	"sort"
	"strings"
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

// maskShapes masks every remaining ddmmyy[-/. ]nnnn with a plausible day and month.
func maskShapes(s string) string {
	var b strings.Builder
	at := 0
	for i := 0; i+10 <= len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			continue
		}
		j := i
		for j < len(s) && j-i < 6 && isDigit(s[j]) {
			j++
		}
		if j-i != 6 {
			continue
		}
		k := j
		if k < len(s) && strings.IndexByte("-/. ", s[k]) >= 0 {
			k++
		}
		e := k
		for e < len(s) && e-k < 4 && isDigit(s[e]) {
			e++
		}
		if e-k != 4 || (e < len(s) && isDigit(s[e])) {
			continue
		}
		day, month := int(s[i]-'0')*10+int(s[i+1]-'0'), int(s[i+2]-'0')*10+int(s[i+3]-'0')
		if day < 1 || day > 31 || month < 1 || month > 12 {
			continue
		}
		b.WriteString(s[at:i])
		b.WriteString(MaskCPR(s[i:j] + s[k:e]))
		at, i = e, e-1
	}
	if at == 0 {
		return s
	}
	b.WriteString(s[at:])
	return b.String()
}
