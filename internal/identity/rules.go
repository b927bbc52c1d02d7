package identity

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed data/words.txt data/postcodes.txt
var dataFS embed.FS

// rules are the word lists of data/words.txt and the postcode register, parsed once.
type rules struct {
	greeting, greetingGroup, particle, title, role, organisation map[string]bool
	closing, label, field, childWords, spouseWords, quote        []string
	personalDomains, otherWords, orgDomainWords                  []string
	labelSet                                                     map[string]bool // label, as a set of single words
	// closingFirst marks the first bytes closings start with (a prefilter).
	closingFirst [256]bool
	// postcodes maps a postcode to its folded town name.
	postcodes map[string]string
}

func loadRules() (*rules, error) {
	data, err := dataFS.ReadFile("data/words.txt")
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	r := &rules{postcodes: map[string]string{}}
	sets := map[string]*map[string]bool{
		"greeting": &r.greeting, "greeting_group": &r.greetingGroup, "particle": &r.particle,
		"title": &r.title, "role": &r.role, "organisation": &r.organisation,
	}
	lists := map[string]*[]string{
		"closing": &r.closing, "label": &r.label, "field": &r.field, "relation_child": &r.childWords,
		"relation_spouse": &r.spouseWords, "quote": &r.quote, "personal_domain": &r.personalDomains,
		"relation_other": &r.otherWords, "organisation_domain": &r.orgDomainWords,
	}
	for _, m := range sets {
		*m = map[string]bool{}
	}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			if sets[section] == nil && lists[section] == nil {
				return nil, fmt.Errorf("identity: words.txt:%d: unknown section %q", n, section)
			}
			continue
		}
		w := strings.ToLower(line)
		switch {
		case sets[section] != nil:
			(*sets[section])[w] = true
		case lists[section] != nil:
			*lists[section] = append(*lists[section], w)
		default:
			return nil, fmt.Errorf("identity: words.txt:%d: entry outside a section", n)
		}
	}
	for _, c := range r.closing {
		r.closingFirst[c[0]] = true
	}
	r.labelSet = map[string]bool{}
	for _, l := range r.label {
		r.labelSet[l] = true
	}
	pc, err := dataFS.ReadFile("data/postcodes.txt")
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	for _, l := range strings.Split(string(pc), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		code, town, ok := strings.Cut(l, "\t")
		if !ok || len(code) != 4 {
			return nil, fmt.Errorf("identity: postcodes.txt: bad line %q", l)
		}
		r.postcodes[code] = strings.Join(strings.Fields(fold(town)), " ")
	}
	return r, nil
}

func isLetterStart(s string) bool {
	for _, r := range s {
		return isLetter(r)
	}
	return false
}

// setHas looks a word up in a lower-case set without allocating: the word is lower-cased into a
// buffer on the stack (the structure tests look up words of every line).
func setHas(set map[string]bool, w string) bool {
	var buf [64]byte
	b := buf[:0]
	for _, r := range w {
		if len(b) > len(buf)-4 {
			return set[strings.ToLower(w)]
		}
		if r < 0x80 {
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	return set[string(b)]
}

// hasPhraseFold reports whether the line equals one of the phrases or starts with one followed
// by a non-letter, in any case, without lower-casing the line.
func hasPhraseFold(t string, phrases []string) bool {
	for _, p := range phrases {
		if len(t) < len(p) || !strings.EqualFold(t[:len(p)], p) {
			continue
		}
		if len(t) == len(p) || !isLetterStart(t[len(p):]) {
			return true
		}
	}
	return false
}
