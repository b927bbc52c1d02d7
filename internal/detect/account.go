package detect

// Bank account recognizer (data/account.txt). Its findings are evidence for the CPR
// recognizer, never reported: a CPR-shaped number that is the account part of a bank account is
// none. Danish accounts are a 4-digit registration number (reg.nr.) and an account number of up
// to 10 digits ("5470 4012345678", "Reg.nr. 5470 Kontonr. 4012345678"), an account number
// after its label ("Kontonr.: 4012345678"), or an IBAN (DK, two check digits, the 14 digits
// of reg.nr. and account, checked by modulus 97).

const kindAccount Kind = "account"

type accountRecognizer struct {
	regLabels, accountLabels  wordSet
	accountMin, accountMax    int
	labelGap                  int
	labelled, shape, ibanConf float64
	why                       [][]string // by the reasons below
}

// The reasons of an account hit (hit.z) and their explanations.
const (
	whyAccountPair = iota
	whyAccountPairLabelled
	whyAccountLabel
	whyAccountIBAN
)

var accountReasons = [...][]string{{"reg.nr. group and account number"}, {"reg.nr. group and account number", "labelled"},
	{"account number after its label"}, {"IBAN DK, check digits ok"}}

func newAccountRecognizer() (*accountRecognizer, error) {
	const file = "account.txt"
	v, lines, err := loadSettings(file, "account_min", "account_max", "label_gap", "labelled", "shape", "iban")
	if err != nil {
		return nil, err
	}
	a := &accountRecognizer{regLabels: newWordSet(wordsOf(lines, "reg_label")), accountLabels: newWordSet(wordsOf(lines, "account_label")),
		accountMin: int(v[0]), accountMax: int(v[1]), labelGap: int(v[2]), labelled: v[3], shape: v[4], ibanConf: v[5],
		why: accountReasons[:]}
	for _, sec := range []string{"reg_label", "account_label"} {
		if len(wordsOf(lines, sec)) == 0 {
			return nil, errNoSection(file, sec)
		}
	}
	return a, nil
}

func (a *accountRecognizer) Name() string    { return string(kindAccount) }
func (a *accountRecognizer) Reads() []string { return nil }

// Find walks the digit runs for the three forms.
func (a *accountRecognizer) Find(in *input, _ *evidence, out []hit) []hit {
	s, runs := in.s, in.digitRuns()
	add := func(start, end int, conf float64, why int) {
		out = append(out, hit{start: int32(start), end: int32(end), conf: hundredths(conf), z: uint16(why)})
	}
	for i := 0; i < len(runs); i++ {
		r := runs[i]
		if k, ok := a.iban(s, runs, i); ok {
			add(r.j-2, runs[k].k, a.ibanConf, whyAccountIBAN)
			i = k
			continue
		}
		if i > 0 && adjacent(s, runs[i-1], r) {
			continue // inside a longer number
		}
		if r.k-r.j == 4 && i+1 < len(runs) {
			if k, ok := a.accountRuns(s, runs, i+1); ok {
				between := s[r.k:runs[i+1].j]
				labelled := false
				switch {
				case between == " " || between == "\u00a0" || between == "-":
					labelled = a.regLabels.before(s, r.j, a.labelGap)
				case a.accountLabels.is(between):
					labelled = true
				default:
					ok = false
				}
				if ok {
					if labelled {
						add(r.j, runs[k].k, a.labelled, whyAccountPairLabelled)
					} else {
						add(r.j, runs[k].k, a.shape, whyAccountPair)
					}
					i = k
					continue
				}
			}
		}
		if k, ok := a.accountRuns(s, runs, i); ok {
			if a.accountLabels.before(s, r.j, a.labelGap) {
				add(r.j, runs[k].k, a.labelled, whyAccountLabel)
				i = k
			}
		}
	}
	return out
}

// Finding makes the finding of an account number (only for the tests: it is never reported).
func (a *accountRecognizer) Finding(in *input, h hit) Finding {
	return Finding{Kind: kindAccount, Start: int(h.start), End: int(h.end), Value: in.s[h.start:h.end],
		Masked: "bank account number", Confidence: h.confidence(), Why: a.why[h.z]}
}

// accountRuns reports whether the runs from i are an account number of accountMin–accountMax
// digits, in one group or two ("4012345678", "401234 5678"), and returns its last run.
func (a *accountRecognizer) accountRuns(s string, runs []digitRun, i int) (int, bool) {
	n := runs[i].k - runs[i].j
	if i+1 < len(runs) && adjacent(s, runs[i], runs[i+1]) {
		if m := n + runs[i+1].k - runs[i+1].j; m >= a.accountMin && m <= a.accountMax {
			return i + 1, true
		}
	}
	return i, n >= a.accountMin && n <= a.accountMax
}

// iban reports an IBAN DK starting before run i ("DK50 0040 0440 1162 43", "DK5000400440116243")
// with valid check digits, and returns the index of its last run.
func (a *accountRecognizer) iban(s string, runs []digitRun, i int) (int, bool) {
	r := runs[i]
	if r.j < 2 || s[r.j-2]|0x20 != 'd' || s[r.j-1]|0x20 != 'k' || wordCharBefore(s, r.j-2) {
		return 0, false
	}
	var d [16]byte
	n, k := 0, i
	for {
		run := s[runs[k].j:runs[k].k]
		if n+len(run) > len(d) {
			return 0, false
		}
		n += copy(d[n:], run)
		if n == len(d) || k+1 >= len(runs) || s[runs[k].k:runs[k+1].j] != " " {
			break
		}
		k++
	}
	if n != len(d) || (k+1 < len(runs) && adjacent(s, runs[k], runs[k+1])) {
		return 0, false
	}
	// ISO 13616: the account digits, then the country as digits (D=13, K=20) and the check
	// digits, modulo 97 is 1.
	m := 0
	for _, c := range string(d[2:]) + "1320" + string(d[:2]) {
		m = (m*10 + int(c-'0')) % 97
	}
	return k, m == 1
}
