package identity

import (
	"strings"
	"unicode"

	"github.com/sendevagt/sendevagt/internal/message"
)

// NameLists tells whether a word is a known first name or surname (any case). detect.Engine
// satisfies it.
type NameLists interface {
	IsFirstName(w string) bool
	IsSurname(w string) bool
}

// Fold is fold for other packages (the citizen directory keys names the way identity compares
// them).
func Fold(s string) string { return fold(s) }

// fold lower-cases a name and spells the Danish and other usual letters the way they are written
// in mail addresses: æ→ae, ø→oe, å→aa, ä→ae, ö→oe, ü→ue, é→e. Everything that is not a letter
// becomes a space.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'æ', 'ä':
			b.WriteString("ae")
		case 'ø', 'ö':
			b.WriteString("oe")
		case 'å':
			b.WriteString("aa")
		case 'ü':
			b.WriteString("ue")
		case 'é', 'è', 'ê', 'ë':
			b.WriteByte('e')
		case 'á', 'à', 'â':
			b.WriteByte('a')
		case 'ó', 'ò', 'ô':
			b.WriteByte('o')
		case 'í', 'ì', 'ï':
			b.WriteByte('i')
		case 'ú', 'ù':
			b.WriteByte('u')
		default:
			if unicode.IsLetter(r) {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

// variants gives the spellings of one folded token that mail addresses use: "mueller" is also
// written "muller", "aarhus" also "arhus", "soeren" also "soren".
func variants(tok string) []string {
	out := []string{tok}
	for _, p := range [][2]string{{"ue", "u"}, {"oe", "o"}, {"ae", "a"}, {"aa", "a"}} {
		for _, v := range out {
			if strings.Contains(v, p[0]) {
				out = append(out, strings.ReplaceAll(v, p[0], p[1]))
			}
		}
	}
	return out
}

// nameTokens splits a name into folded tokens. Hyphenated parts ("Møller-Ærenlund") stay
// separate tokens; initials ("K.") are one-letter tokens.
func nameTokens(s string) []string {
	return strings.Fields(fold(s))
}

// recipientName is what a recipient's address tells about the person behind it.
type recipientName struct {
	tokens  []string // from the display name, or from a name-like local part
	compact string   // local part, letters only ("annemariethoegersen"), "" if none
	person  bool     // the display name or the local part looks like a person's name
}

// describeRecipient works out the name of a recipient from the display name ("Last, First" is
// turned around) or, without one, from the local part of the address (s.olesen92 → s olesen).
func describeRecipient(a message.Address, lists NameLists) recipientName {
	var rn recipientName
	local := a.Address
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	rn.compact = strings.ReplaceAll(fold(local), " ", "")
	name := strings.TrimSpace(strings.Trim(a.Name, `"'`))
	if name != "" && !strings.Contains(name, "@") {
		if i := strings.IndexByte(name, ','); i > 0 {
			name = strings.TrimSpace(name[i+1:]) + " " + strings.TrimSpace(name[:i])
		}
		rn.tokens = nameTokens(name)
		rn.person = len(rn.tokens) > 0 && len(rn.tokens) <= 6 && isFirstName(lists, rn.tokens[0])
		if rn.person {
			return rn
		}
	}
	toks := nameTokens(local)
	if len(toks) > 0 && (isFirstName(lists, toks[0]) || (len(toks[0]) == 1 && len(toks) > 1 && isSurname(lists, toks[len(toks)-1]))) {
		rn.tokens = toks
		rn.person = true
		return rn
	}
	// One run of letters ("sarahougaard"): a person if it is a first name followed (possibly
	// after middle names) by a known surname.
	if len(toks) == 1 && len(toks[0]) >= 7 {
		rn.person = firstThenSurname(lists, toks[0])
	}
	if !rn.person {
		rn.compact = ""
	}
	return rn
}

// Relation is how a person found in a document relates to one recipient.
type Relation string

const (
	Same      Relation = "same"      // the recipient is the person
	Addressed Relation = "addressed" // the document is addressed to the recipient: the addressee decides
	Different Relation = "different" // clearly another person than the recipient
	Unknown   Relation = "unknown"   // not enough to tell
)

// compareName tells whether a person's name (tokens, first to last) is the recipient.
// Middle names are optional and initials match the name they abbreviate.
func compareName(person []string, r recipientName) Relation {
	if len(person) == 0 || (!r.person && r.compact == "") {
		return Unknown
	}
	if len(r.tokens) > 0 && tokensMatch(person, r.tokens) {
		return Same
	}
	if r.compact != "" && compactMatch(person, r.compact) {
		return Same
	}
	if len(r.tokens) == 0 {
		// Only a run of letters: the person is clearly someone else if neither their first nor
		// their last name appears in it.
		if len(person) >= 2 && !containsVariant(r.compact, person[0]) && !containsVariant(r.compact, person[len(person)-1]) {
			return Different
		}
		return Unknown
	}
	if len(person) == 1 || len(r.tokens) == 1 {
		// A first name alone ("Kære Lærke") cannot show that two people differ unless the
		// first names differ outright.
		if !tokenEq(person[0], r.tokens[0]) && len(person[0]) > 1 && len(r.tokens[0]) > 1 {
			if len(person) >= 2 {
				return Different
			}
		}
		return Unknown
	}
	return Different
}

func tokensMatch(p, r []string) bool {
	pf, pl := p[0], p[len(p)-1]
	rf, rl := r[0], r[len(r)-1]
	if len(p) == 1 || len(r) == 1 {
		return false
	}
	if !firstCompatible(pf, rf) {
		return false
	}
	if tokenEq(pl, rl) {
		return true
	}
	// Surnames given in part: "Lise Lotte Lauridsen-Juhl" vs "Lise Lauridsen".
	for _, a := range p[1:] {
		for _, b := range r[1:] {
			if len(a) > 1 && tokenEq(a, b) {
				return true
			}
		}
	}
	return false
}

func firstCompatible(a, b string) bool {
	if len(a) == 1 || len(b) == 1 {
		return a[0] == b[0]
	}
	return tokenEq(a, b)
}

func tokenEq(a, b string) bool {
	if a == b {
		return true
	}
	for _, va := range variants(a) {
		for _, vb := range variants(b) {
			if va == vb {
				return true
			}
		}
	}
	return false
}

func containsVariant(s, tok string) bool {
	for _, v := range variants(tok) {
		if len(v) > 2 && strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// compactMatch compares a name with a local part without separators: "annemariethoegersen",
// "marcusdahldanielsen", "mbech" and "johanmuller" all match their owners.
func compactMatch(p []string, compact string) bool {
	if len(p) < 2 || compact == "" {
		return false
	}
	first, last := p[0], p[len(p)-1]
	cands := []string{strings.Join(p, ""), first + last, first[:1] + last}
	for _, c := range cands {
		for _, v := range variants(c) {
			if v == compact {
				return true
			}
		}
	}
	return false
}

// unfold gives the Danish spellings a folded token may stand for ("laerke" → "lærke").
func unfold(tok string) []string {
	out := []string{tok}
	for _, p := range [][2]string{{"ae", "æ"}, {"oe", "ø"}, {"aa", "å"}} {
		for _, v := range out {
			if strings.Contains(v, p[0]) {
				out = append(out, strings.ReplaceAll(v, p[0], p[1]))
			}
		}
	}
	return out
}

func isFirstName(lists NameLists, tok string) bool {
	for _, v := range unfold(tok) {
		if lists.IsFirstName(v) {
			return true
		}
	}
	return false
}

func isSurname(lists NameLists, tok string) bool {
	for _, v := range unfold(tok) {
		if lists.IsSurname(v) {
			return true
		}
	}
	return false
}

// firstThenSurname is true for a run of letters that starts with a first name of at least four
// letters and ends with a surname of at least four, or starts with a first name of at least four
// letters followed by at least four more letters (surnames beyond the list: "johanmuller").
func firstThenSurname(lists NameLists, run string) bool {
	for i := 4; i <= len(run)-4; i++ {
		if isFirstName(lists, run[:i]) {
			return true
		}
	}
	for j := len(run) - 4; j >= 3; j-- {
		if !isSurname(lists, run[j:]) {
			continue
		}
		for i := 4; i <= j; i++ {
			if isFirstName(lists, run[:i]) {
				return true
			}
		}
	}
	return false
}
