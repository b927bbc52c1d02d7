package identity

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/message"
)

// NameLists tells whether a word is a known first name or surname (any case). detect.Engine
// satisfies it.
type NameLists interface {
	IsFirstName(w string) bool
	IsSurname(w string) bool
}

// nameParts are the folded tokens of a person's name, titles and particles removed, in the order
// written (after "Surname, First" is turned around). Initials are one-letter tokens.
type nameParts []string

// parseName reads a name as written: titles ("Dr.", "advokat") are dropped, "Holm, Bente" becomes
// Bente Holm, particles ("von", "de la", "al-") are dropped, ALL CAPS is read like any case.
func (r *rules) parseName(raw string) nameParts {
	s := strings.TrimSpace(strings.Trim(raw, `"'`))
	if i := strings.IndexByte(s, ','); i > 0 && strings.Count(s, ",") == 1 {
		last, first := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		if first != "" && last != "" && !strings.ContainsAny(first, "0123456789") {
			s = first + " " + last
		}
	}
	var out nameParts
	for _, w := range strings.Fields(s) {
		if setHas(r.title, w) || setHas(r.title, strings.TrimRight(w, ",")) || setHas(r.title, strings.TrimRight(w, ".,")) {
			continue
		}
		for _, t := range strings.Fields(fold(w)) {
			if r.particle[t] {
				continue
			}
			out = append(out, t)
		}
	}
	return out
}

// initials of the tokens: "mkj" for Mette Kjær Jensen.
func (n nameParts) initials() string {
	var b strings.Builder
	for _, t := range n {
		b.WriteByte(t[0])
	}
	return b.String()
}

// nameLike is the structural test of a name outside the lists: 2–6 words, each capitalised or
// ALL CAPS (particles may be lower case, initials "K." count), letters only (hyphen and
// apostrophe inside), at least two words that are not particles or titles, no organisation,
// label, greeting or closing word. "Surname, First" passes.
func (r *rules) nameLike(line string) bool {
	t := strings.TrimSpace(line)
	if t == "" || len(t) > 60 {
		return false
	}
	if i := strings.IndexByte(t, ','); i > 0 {
		if strings.Count(t, ",") > 1 {
			return false
		}
		t = strings.TrimSpace(t[i+1:]) + " " + strings.TrimSpace(t[:i])
	}
	// The words and their lower-case forms are kept on the stack: every CPR number asks
	// whether the words beside it are a name.
	var words [8]string
	n := 0
	for w := range strings.FieldsSeq(t) {
		if n == len(words) {
			return false
		}
		words[n] = w
		n++
	}
	if n < 2 {
		return false
	}
	real := 0
	var buf [128]byte
	for i, w := range words[:n] {
		lw := appendLower(buf[:0], w)
		bare := bytes.TrimRight(lw, ".:")
		if r.organisation[string(bare)] || r.greeting[string(bare)] {
			return false
		}
		if r.title[string(lw)] || r.title[string(bare)] {
			if i == 0 || i == n-1 {
				continue
			}
			return false
		}
		prefixed := r.particlePrefixed(lw)
		if r.particle[string(bare)] || prefixed {
			if i == 0 && !prefixed {
				return false // a name does not start with "de" or "von" alone
			}
			if !prefixed {
				continue
			}
		}
		if !wordLike(w) {
			return false
		}
		real++
	}
	if real < 2 {
		return false
	}
	t = strings.TrimSpace(line)
	return !hasPhraseFold(t, r.label) && !hasPhraseFold(t, r.closing)
}

// appendLower appends s in lower case as strings.ToLower writes it (rune by rune, invalid bytes
// as U+FFFD), for map lookups without a string per word.
func appendLower(b []byte, s string) []byte {
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, byte(c+'a'-'A'))
		case c < utf8.RuneSelf:
			b = append(b, byte(c))
		default:
			b = utf8.AppendRune(b, unicode.ToLower(c))
		}
	}
	return b
}

// particlePrefixed is hasParticlePrefix of a lower-case word given as bytes.
func (r *rules) particlePrefixed(lw []byte) bool {
	if i := bytes.IndexAny(lw, "-'’"); i > 0 && i < len(lw)-1 {
		return r.particle[string(lw[:i])]
	}
	return false
}

// hasParticlePrefix: "al-Hassan", "el-Amin", "d'Almeida".
func hasParticlePrefix(lw string, r *rules) bool {
	if i := strings.IndexAny(lw, "-'’"); i > 0 && i < len(lw)-1 {
		return r.particle[lw[:i]]
	}
	return false
}

// wordLike: a capitalised word or an ALL CAPS word or an initial, letters with inner hyphens
// and apostrophes.
func wordLike(w string) bool {
	w = strings.TrimRight(w, ".")
	if w == "" {
		return false
	}
	if like, ok := wordLikeASCII(w); ok {
		return like
	}
	return wordLikeRunes(w)
}

// wordLikeRunes is wordLike of a word without trailing dots, read rune by rune.
func wordLikeRunes(w string) bool {
	first, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(first) {
		// particle-prefixed ("al-Hassan"): the part after the prefix is capitalised
		if i := strings.IndexAny(w, "-'’"); i > 0 && i < len(w)-1 {
			r2, _ := utf8.DecodeRuneInString(w[i+1:])
			if !unicode.IsUpper(r2) {
				return false
			}
		} else {
			return false
		}
	}
	prevSep := false
	for _, c := range w {
		switch {
		case unicode.IsLetter(c):
			prevSep = false
		case c == '-' || c == '\'' || c == '’':
			if prevSep {
				return false
			}
			prevSep = true
		default:
			return false
		}
	}
	return !prevSep
}

// wordLikeASCII is wordLike for a capitalised ASCII word without decoding runes (names by shape
// test every capitalised word of the lines near personal data); ok is false for other words.
func wordLikeASCII(w string) (like, ok bool) {
	if !(w[0] >= 'A' && w[0] <= 'Z') {
		return false, false
	}
	prevSep := false
	for i := 1; i < len(w); i++ {
		switch c := w[i]; {
		case c >= 0x80:
			return false, false
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			prevSep = false
		case c == '-' || c == '\'':
			if prevSep {
				return false, true
			}
			prevSep = true
		default:
			return false, true
		}
	}
	return !prevSep, true
}

// recipientName is what a recipient's address tells about the person behind it.
type recipientName struct {
	tokens  nameParts // from the display name, or from a name-like local part
	compact string    // local part, letters only ("idamariekjaerholm"), "" if none
	person  bool      // the display name or the local part looks like a person's name
	display bool      // tokens come from the display name
}

// describeRecipient works out the name of a recipient from the display name ("Last, First" is
// turned around, titles dropped) or, without one, from the local part of the address
// (k.holm71 → k holm).
func describeRecipient(a message.Address, lists NameLists, r *rules) recipientName {
	var rn recipientName
	local := a.Address
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	rn.compact = strings.ReplaceAll(fold(local), " ", "")
	name := strings.TrimSpace(strings.Trim(a.Name, `"'`))
	if name != "" && !strings.Contains(name, "@") {
		toks := r.parseName(name)
		org := r.isOrganisation(name) || r.orgDomain(a.Address)
		if !org && len(toks) >= 2 && len(toks) <= 6 && (anyKnownName(lists, toks) || r.nameLike(name)) {
			rn.tokens, rn.person, rn.display = toks, true, true
			return rn
		}
		if !org && len(toks) == 1 && isFirstName(lists, toks[0]) {
			rn.tokens, rn.person, rn.display = toks, true, true
			return rn
		}
	}
	if r.orgDomain(a.Address) {
		return recipientName{} // an organisation: its staff are not the citizens a letter is about
	}
	toks := nameParts(strings.Fields(fold(local)))
	// At a private mail provider, "first.last" is a person's name whether or not it is in the
	// lists ("juergen.gross", "gulsen.aydin").
	private := false
	if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
		private = r.isPersonalDomain(strings.ToLower(a.Address[at+1:]))
	}
	if private && len(toks) >= 2 && len(toks) <= 4 && len(toks[0]) >= 2 && len(toks[len(toks)-1]) >= 2 {
		rn.tokens = toks
		rn.person = true
		return rn
	}
	if len(toks) > 0 && (isFirstName(lists, toks[0]) || (len(toks[0]) == 1 && len(toks) > 1 && len(toks[len(toks)-1]) > 2)) {
		rn.tokens = toks
		rn.person = true
		return rn
	}
	// One run of letters ("idakjaerholm"): a person if it is a first name followed (possibly
	// after middle names) by a known surname; 2–4 letters are initials ("mkj").
	if len(toks) == 1 && len(toks[0]) >= 7 {
		rn.person = firstThenSurname(lists, toks[0])
	}
	if len(toks) == 1 && len(toks[0]) >= 2 && len(toks[0]) <= 3 {
		rn.person = true // initials: "mkj", "lv"
	}
	if !rn.person {
		rn.compact = ""
	}
	return rn
}

func anyKnownName(lists NameLists, toks nameParts) bool {
	for _, t := range toks {
		if len(t) > 1 && (isFirstName(lists, t) || isSurname(lists, t)) {
			return true
		}
	}
	return false
}

// Relation is how a person found in a document relates to one recipient.
type Relation string

const (
	Same      Relation = "same"      // the recipient is the person
	Addressed Relation = "addressed" // the document is addressed to the recipient and the person is linked to the addressee (a child, a spouse)
	Different Relation = "different" // clearly another person than the recipient
	Unknown   Relation = "unknown"   // not enough to tell
)

// compareName tells whether a person's name is the recipient, and why.
func compareName(person nameParts, r recipientName) (Relation, string) {
	if len(person) == 0 || (!r.person && r.compact == "") {
		return Unknown, "recipient has no person's name"
	}
	if len(r.tokens) > 0 && tokensMatch(person, r.tokens) {
		if r.display {
			return Same, "name matches the recipient's display name"
		}
		return Same, "name matches the recipient's address"
	}
	if r.compact != "" && compactMatch(person, r.compact) {
		return Same, "name matches the recipient's address"
	}
	if len(r.tokens) == 0 {
		// Only a run of letters: the person is clearly someone else if neither their first nor
		// their last name appears in it, and it is not their initials.
		if len(person) >= 2 && len(r.compact) > 3 && !containsVariant(r.compact, person[0]) && !containsVariant(r.compact, person[len(person)-1]) {
			return Different, "neither first nor last name in the recipient's address"
		}
		if len(person) >= 2 && len(r.compact) <= 3 && r.compact != person.initials() &&
			r.compact != person[0][:1]+person[len(person)-1][:1] {
			return Different, "initials differ from the recipient's address"
		}
		return Unknown, "recipient's address does not tell"
	}
	if len(person) == 1 || len(r.tokens) == 1 {
		// A first name alone ("Kære Lærke") cannot show that two people differ unless the
		// first names differ outright.
		if len(person) >= 2 && len(r.tokens) == 1 && !anyTokenEq(person, r.tokens[0]) && len(r.tokens[0]) > 1 {
			return Different, "recipient's first name is not in the name"
		}
		return Unknown, "a first name alone"
	}
	return Different, "name differs from the recipient's"
}

func anyTokenEq(p nameParts, t string) bool {
	for _, x := range p {
		if tokenEq(x, t) {
			return true
		}
	}
	return false
}

// tokensMatch: the same person written two ways. First and last name match (middle names
// optional, initials match the names they abbreviate), or — for names written family name first
// or in another order — every full token of the shorter name is in the longer one.
func tokensMatch(p, r nameParts) bool {
	if len(p) < 2 || len(r) < 2 {
		return false
	}
	if firstCompatible(p[0], r[0]) {
		if tokenEq(p[len(p)-1], r[len(r)-1]) {
			return true
		}
		// Surnames given in part: "Ane Marie Kjær-Holm" vs "Ane Holm".
		for _, a := range p[1:] {
			for _, b := range r[1:] {
				if len(a) > 1 && tokenEq(a, b) {
					return true
				}
			}
		}
	}
	// Any order ("Nguyen Van Minh" vs "Minh Nguyen"): all full tokens of the shorter name in the
	// longer, at least two of them.
	short, long := p, r
	if len(long) < len(short) {
		short, long = long, short
	}
	full := 0
	for _, a := range short {
		if len(a) == 1 {
			continue
		}
		if !anyTokenEq(long, a) {
			return false
		}
		full++
	}
	return full >= 2
}

func firstCompatible(a, b string) bool {
	if len(a) == 1 || len(b) == 1 {
		return a[0] == b[0]
	}
	return tokenEq(a, b)
}

// compactMatch compares a name with a local part without separators: "idamariekjaerholm",
// "kurtvindholm", "kholm", "mkj" and "juergengross" all match their owners.
func compactMatch(p nameParts, compact string) bool {
	if len(p) < 2 || compact == "" {
		return false
	}
	first, last := p[0], p[len(p)-1]
	cands := []string{strings.Join(p, ""), first + last, first[:1] + last, last + first, first + last[:1]}
	if len(compact) <= 3 {
		cands = append(cands, p.initials(), first[:1]+last[:1])
	}
	for _, c := range cands {
		if tokenEq(c, compact) {
			return true
		}
	}
	return false
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
// letters followed by at least four more letters (surnames beyond the list: "juergengross").
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

// maskName keeps the initials: "Søren Ærbø Østergård" → "S. Æ. Ø.".
func maskName(name string) string {
	var parts []string
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsLetter(r) {
			continue
		}
		parts = append(parts, string(unicode.ToUpper(r))+".")
	}
	return strings.Join(parts, " ")
}
