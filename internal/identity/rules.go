package identity

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
)

//go:embed data/words.txt data/postcodes.txt
var dataFS embed.FS

// rules are the word lists of data/words.txt and the postcode register, parsed once.
type rules struct {
	greeting, greetingGroup, particle, title, role, organisation map[string]bool
	closing, label, field, childWords, spouseWords, quote        []string
	personalDomains, otherWords, orgDomainWords                  []string
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

// hasPhrase reports whether the lower-cased line equals one of the phrases or starts with one
// followed by a non-letter.
func hasPhrase(low string, phrases []string) (string, bool) {
	for _, p := range phrases {
		if low == p {
			return p, true
		}
		if strings.HasPrefix(low, p) {
			rest := low[len(p):]
			if rest != "" && !isLetterStart(rest) {
				return p, true
			}
		}
	}
	return "", false
}

func isLetterStart(s string) bool {
	for _, r := range s {
		return isLetter(r)
	}
	return false
}
