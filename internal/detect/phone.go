package detect

import "strings"

// Phone recognizer (data/phone.txt). Its findings are evidence for the CPR recognizer, never
// reported: a CPR-shaped number inside a phone number is none. Danish numbers have eight digits
// (the first 2–9) written together, 2-2-2-2 or 4-4, optionally after +45 or 0045; any number
// right after "+" is an international one. Eight digits written together are a phone number
// only after a context word (tlf., mobil, ring på): a CVR number or an amount looks the same.

const kindPhone Kind = "phone"

type phoneRecognizer struct {
	context                                 wordSet
	window                                  int
	withContext, spaced, together, intlConf float64
	why                                     [][]string // by phoneWhy
}

func newPhoneRecognizer() (*phoneRecognizer, error) {
	const file = "phone.txt"
	v, lines, err := loadSettings(file, "window", "context", "spaced", "together", "international")
	if err != nil {
		return nil, err
	}
	words := wordsOf(lines, "context")
	if len(words) == 0 {
		return nil, errNoSection(file, "context")
	}
	p := &phoneRecognizer{context: newWordSet(words), window: int(v[0]),
		withContext: v[1], spaced: v[2], together: v[3], intlConf: v[4], why: make([][]string, len(phoneReasons))}
	for i, w := range phoneReasons {
		p.why[i] = []string{w}
	}
	return p, nil
}

// The reasons of a phone hit (hit.z) and their explanations.
const (
	whyPhoneContext = iota
	whyPhoneSpaced
	whyPhoneTogether
	whyPhoneIntl
	whyPhone45
)

var phoneReasons = [...]string{"eight digits after a phone word", "eight digits spaced as a phone number",
	"eight digits, no phone word", "international number (+)", "Danish number with +45 or 0045"}

func (p *phoneRecognizer) Name() string    { return string(kindPhone) }
func (p *phoneRecognizer) Reads() []string { return nil }

// Find walks the digit runs: a run after "+" starts an international number, a run of 0045
// prefixes a Danish one, and eight digits in one of the Danish shapes are one.
func (p *phoneRecognizer) Find(in *input, _ *evidence, out []hit) []hit {
	s, runs := in.s, in.digitRuns()
	for i := 0; i < len(runs); {
		r := runs[i]
		if i > 0 && adjacent(s, runs[i-1], r) {
			i++ // inside a longer number
			continue
		}
		start, end, next, why, conf := -1, 0, i+1, 0, 0.0
		switch {
		case r.j > 0 && s[r.j-1] == '+':
			// "+" and the groups after it, up to the 15 digits of an international number
			// (what follows belongs to the text, whatever it is).
			digits, k := r.k-r.j, i
			for k+1 < len(runs) && adjacent(s, runs[k], runs[k+1]) && digits+runs[k+1].k-runs[k+1].j <= 15 {
				k++
				digits += runs[k].k - runs[k].j
			}
			if digits >= 6 && digits <= 15 {
				start, end, next, why, conf = r.j-1, runs[k].k, k+1, whyPhoneIntl, p.intlConf
				if strings.HasPrefix(s[r.j:], "45") && digits == 10 {
					why = whyPhone45
				}
			}
		case r.k-r.j == 4 && s[r.j:r.k] == "0045" && i+1 < len(runs) && blankBetween(s, r, runs[i+1]):
			if k, ok := danishShape(s, runs, i+1); ok {
				start, end, next, why, conf = r.j, runs[k].k, k+1, whyPhone45, p.spaced
			}
		default:
			if k, ok := danishShape(s, runs, i); ok {
				start, end, next = r.j, runs[k].k, k+1
				why, conf = whyPhoneTogether, p.together
				if k > i {
					why, conf = whyPhoneSpaced, p.spaced
				}
			}
		}
		if start < 0 || (why != whyPhoneIntl && why != whyPhone45 || s[start] != '+') && next < len(runs) && adjacent(s, runs[next-1], runs[next]) {
			i++
			continue
		}
		if why == whyPhoneTogether && p.context.near(s, start, p.window) {
			// Eight digits together are a phone number by a context word; spaced and
			// international numbers are by their shape.
			why, conf = whyPhoneContext, p.withContext
		}
		out = append(out, hit{start: int32(start), end: int32(end), conf: hundredths(conf), z: uint16(why)})
		i = next
	}
	return out
}

// Finding makes the finding of a phone number (only for the tests: it is never reported).
func (p *phoneRecognizer) Finding(in *input, h hit) Finding {
	return Finding{Kind: kindPhone, Start: int(h.start), End: int(h.end), Value: in.s[h.start:h.end],
		Masked: "phone number", Confidence: h.confidence(), Why: p.why[h.z]}
}

// danishShape reports whether the runs from i form eight digits starting 2–9: together, 4-4 or
// 2-2-2-2 with one kind of blank (a hyphen makes "2024-2025" a range of years), and returns the index of the last run.
func danishShape(s string, runs []digitRun, i int) (int, bool) {
	r := runs[i]
	if s[r.j] < '2' {
		return 0, false
	}
	switch r.k - r.j {
	case 8:
		return i, true
	case 4:
		if i+1 < len(runs) && runs[i+1].k-runs[i+1].j == 4 && blankBetween(s, r, runs[i+1]) {
			return i + 1, true
		}
	case 2:
		if i+3 >= len(runs) {
			return 0, false
		}
		sep := s[r.k:runs[i+1].j]
		for k := i + 1; k <= i+3; k++ {
			if runs[k].k-runs[k].j != 2 || !blankBetween(s, runs[k-1], runs[k]) || s[runs[k-1].k:runs[k].j] != sep {
				return 0, false
			}
		}
		return i + 3, true
	}
	return 0, false
}

// adjacent reports whether two digit runs may be groups of one number: one to three of the
// separators a CPR number may have between them (sepAt: blanks, hyphens and dashes, '/', '.').
func adjacent(s string, a, b digitRun) bool {
	n := 0
	for i := a.k; i < b.j; n++ {
		l, _ := sepAt(s, i)
		if l == 0 || n == 3 {
			return false
		}
		i += l
	}
	return n > 0
}

// blankBetween reports one space or NBSP between two digit runs.
func blankBetween(s string, a, b digitRun) bool {
	sep := s[a.k:b.j]
	return sep == " " || sep == "\u00a0"
}
