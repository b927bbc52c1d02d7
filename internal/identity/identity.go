// Package identity works out whom the personal data in a message is about (persons built from
// findings: a CPR number with the name beside it, the addressee block of a letter, a name next to
// a sensitive statement) and how each of them relates to each recipient: the same person, the
// addressee of the document, clearly a different person, or unknown.
package identity

import (
	"sort"
	"strings"
	"unicode"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/message"
)

// Page is the text of one page of a document.
type Page struct {
	Number int
	Text   string
}

// Document is one readable document with the findings the detectors made in it. A finding's
// Page is the Number of the page it was found on; Start and End are offsets into that page's Text.
type Document struct {
	Name     string
	Pages    []Page
	Findings []detect.Finding
}

// Evidence is what a person was built from.
type Evidence string

const (
	EvidenceAddressee     Evidence = "addressee"      // the name of a letter's addressee block
	EvidenceCPRName       Evidence = "cpr-name"       // a CPR number with the name beside it
	EvidenceCPR           Evidence = "cpr"            // a CPR number without a name
	EvidenceNameSensitive Evidence = "name-sensitive" // a name next to a sensitive statement
)

// Person is someone the message carries data about. Name and CPR are values from the message:
// use them for comparison only, never log or store them.
type Person struct {
	Document   string
	Page       int
	Name       string
	NameMasked string
	CPR        string // 10 digits, "" if none
	CPRMasked  string
	Evidence   Evidence
	// HasCPR: a CPR number concerns this person (for an addressee: the letter holds one).
	HasCPR bool
	// Sensitive: a sensitive statement concerns this person (for an addressee: the letter
	// holds one); Categories names the categories.
	Sensitive  bool
	Categories []string
	// Relations holds the relation to each recipient, in the order the recipients were given.
	Relations []Relation
}

// Options tune the analysis; zero values mean the defaults.
type Options struct {
	// NameWindow is how many characters around a sensitive statement a name may stand and
	// still be the person it is about (default 300, and never across a blank line's paragraph
	// when the name is farther than half the window).
	NameWindow int
	// CPRLines is how many lines above or below a CPR number its owner's name may stand
	// (default 6).
	CPRLines int
	// HeaderLines is how many non-empty lines at the top of a page an addressee block may
	// start in (default 15).
	HeaderLines int
}

func (o Options) withDefaults() Options {
	if o.NameWindow <= 0 {
		o.NameWindow = 300
	}
	if o.CPRLines <= 0 {
		o.CPRLines = 6
	}
	if o.HeaderLines <= 0 {
		o.HeaderLines = 15
	}
	return o
}

// Analyzer builds persons and relations. It is immutable and safe for concurrent use.
type Analyzer struct {
	lists NameLists
	opts  Options
}

// New returns an Analyzer that uses lists to tell names from other words.
func New(lists NameLists, opts Options) *Analyzer {
	return &Analyzer{lists: lists, opts: opts.withDefaults()}
}

// Analyze returns the persons the documents carry data about, each with its relation to every
// recipient. staff are the sender and internal colleagues: their own names (signatures,
// "Deltagere: ...") are not data about citizens.
func (a *Analyzer) Analyze(docs []Document, recipients, staff []message.Address) []Person {
	rcpt := make([]recipientName, len(recipients))
	for i, r := range recipients {
		rcpt[i] = describeRecipient(r, a.lists)
	}
	staffNames := make([]recipientName, 0, len(staff))
	for _, s := range staff {
		if rn := describeRecipient(s, a.lists); rn.person {
			staffNames = append(staffNames, rn)
		}
	}
	isStaff := func(name string) bool {
		toks := nameTokens(name)
		for _, s := range staffNames {
			if compareName(toks, s) == Same {
				return true
			}
		}
		return false
	}
	var persons []Person
	for _, d := range docs {
		persons = append(persons, a.document(d, rcpt, isStaff)...)
	}
	return persons
}

// addressee is the person a page (and the pages after it up to the next addressee) is written to.
type addressee struct {
	name     string
	fromHead bool // an addressee block, not only a greeting
}

func (a *Analyzer) document(d Document, rcpt []recipientName, isStaff func(string) bool) []Person {
	byPage := map[int][]detect.Finding{}
	for _, f := range d.Findings {
		byPage[f.Page] = append(byPage[f.Page], f)
	}
	var out []Person
	var current *addressee
	var scope []Person // persons under the current addressee
	var scopeCPR, scopeSensitive bool
	var scopeCats []string
	flush := func() {
		if current == nil {
			out = append(out, scope...)
			scope = nil
			return
		}
		toks := nameTokens(current.name)
		rels := make([]Relation, len(rcpt))
		addressed := make([]bool, len(rcpt))
		for i, r := range rcpt {
			rels[i] = compareName(toks, r)
			addressed[i] = rels[i] == Same
		}
		// The addressee decides: what a document addressed to the recipient says about others
		// (a parent's child) is not data about a different citizen.
		for pi := range scope {
			for i := range rcpt {
				if addressed[i] && scope[pi].Relations[i] != Same {
					scope[pi].Relations[i] = Addressed
				}
			}
		}
		if current.fromHead && (scopeCPR || scopeSensitive) {
			out = append(out, Person{
				Document: d.Name, Name: current.name, NameMasked: maskName(current.name),
				Evidence: EvidenceAddressee, HasCPR: scopeCPR, Sensitive: scopeSensitive,
				Categories: scopeCats, Relations: rels,
			})
		}
		out = append(out, scope...)
		scope, scopeCPR, scopeSensitive, scopeCats = nil, false, false, nil
	}
	for _, p := range d.Pages {
		fs := byPage[p.Number]
		sort.Slice(fs, func(i, j int) bool { return fs[i].Start < fs[j].Start })
		lines := splitLines(p.Text)
		if ad := a.findAddressee(p.Text, lines, fs, isStaff); ad != nil {
			flush()
			current = ad
		}
		for _, f := range fs {
			switch f.Kind {
			case detect.KindCPR:
				scopeCPR = true
			case detect.KindSensitive:
				scopeSensitive = true
				scopeCats = addCategory(scopeCats, f.Category)
			}
		}
		for _, per := range a.pagePersons(d.Name, p, lines, fs, isStaff) {
			per.Relations = make([]Relation, len(rcpt))
			toks := nameTokens(per.Name)
			for i, r := range rcpt {
				rel := Unknown
				if per.Name != "" {
					rel = compareName(toks, r)
				}
				if per.Evidence == EvidenceNameSensitive && rel == Different {
					rel = Unknown // a name beside a sensitive word is not proof of who it is about
				}
				per.Relations[i] = rel
			}
			scope = append(scope, per)
		}
	}
	flush()
	return dedupe(out)
}

func addCategory(cats []string, c string) []string {
	for _, x := range cats {
		if x == c {
			return cats
		}
	}
	return append(cats, c)
}

// line is one line of a page: its byte range and text.
type line struct {
	start, end int
	text       string
}

func splitLines(s string) []line {
	var out []line
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '\n' {
			out = append(out, line{start: start, end: i, text: s[start:i]})
			start = i + 1
		}
	}
	return out
}

func lineOf(lines []line, off int) int {
	return sort.Search(len(lines), func(i int) bool { return lines[i].end >= off })
}

var greetings = []string{"kære", "hej", "til", "dear", "hi", "goddag"}

var closings = []string{"med venlig hilsen", "venlig hilsen", "mvh", "hilsen", "kind regards", "best regards"}

// isClosing is true for the line that ends a letter before the signature.
func isClosing(t string) bool {
	low := strings.ToLower(strings.TrimRight(t, ",.! "))
	for _, c := range closings {
		if low == c {
			return true
		}
	}
	return false
}

// findAddressee looks for an addressee block near the top of the page (a name line right above
// an address) or, failing that, a greeting with a full name ("Kære Tine Koch").
func (a *Analyzer) findAddressee(text string, lines []line, fs []detect.Finding, isStaff func(string) bool) *addressee {
	// An addressee block stands at the top: within the first lines, before the greeting, the
	// first paragraph and the closing ("Med venlig hilsen") that a signature block follows.
	nonEmpty := 0
	limit := len(lines)
	greetingLine := -1
	for i, l := range lines {
		t := strings.TrimSpace(l.text)
		if t == "" {
			continue
		}
		nonEmpty++
		if greetingLine < 0 && greetingName(t) != "" {
			greetingLine = i
		}
		if nonEmpty > a.opts.HeaderLines || len(t) > 90 || isClosing(t) {
			limit = i
			break
		}
	}
	blockLimit := limit
	if greetingLine >= 0 && greetingLine < blockLimit {
		blockLimit = greetingLine
	}
	for _, f := range fs {
		if f.Kind != detect.KindAddress {
			continue
		}
		li := lineOf(lines, f.Start)
		if li >= blockLimit {
			break
		}
		// The name is the nearest non-empty line above the street line (a "c/o" line may sit
		// between).
		for j, seen := li-1, 0; j >= 0 && seen < 2; j-- {
			t := strings.TrimSpace(lines[j].text)
			if t == "" {
				continue
			}
			seen++
			if strings.HasPrefix(strings.ToLower(t), "c/o") {
				continue
			}
			if looksLikeName(t, a.lists) && !isStaff(t) {
				return &addressee{name: t, fromHead: true}
			}
			break
		}
	}
	for i := 0; i < limit; i++ {
		if g := greetingName(lines[i].text); g != "" && len(nameTokens(g)) >= 2 && !isStaff(g) {
			return &addressee{name: g}
		}
	}
	return nil
}

// greetingName returns the name after "Kære"/"Hej" at the start of a line, up to the first
// punctuation; "" when the line is no greeting or greets several people.
func greetingName(l string) string {
	t := strings.TrimSpace(l)
	low := strings.ToLower(t)
	for _, g := range greetings {
		if strings.HasPrefix(low, g+" ") {
			rest := strings.TrimSpace(t[len(g):])
			if i := strings.IndexAny(rest, ",!.:;"); i >= 0 {
				rest = rest[:i]
			}
			for _, w := range strings.Fields(rest) {
				if strings.EqualFold(w, "og") || strings.EqualFold(w, "and") {
					return ""
				}
				r := []rune(w)
				if !unicode.IsUpper(r[0]) {
					return ""
				}
			}
			return rest
		}
	}
	return ""
}

// looksLikeName is true for a line of 2–5 capitalised words without digits whose first word is a
// known first name (or an initial).
func looksLikeName(t string, lists NameLists) bool {
	words := strings.Fields(t)
	if len(words) < 2 || len(words) > 5 {
		return false
	}
	for _, w := range words {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			return false
		}
		for _, c := range r {
			if unicode.IsDigit(c) {
				return false
			}
		}
	}
	first := strings.TrimRight(words[0], ".")
	return len([]rune(first)) == 1 || lists.IsFirstName(first)
}

// pagePersons builds the persons of one page: each CPR number with the nearest name, and each
// name that stands next to a sensitive statement.
func (a *Analyzer) pagePersons(doc string, p Page, lines []line, fs []detect.Finding, isStaff func(string) bool) []Person {
	type nameAt struct {
		f    detect.Finding
		line int
	}
	var names []nameAt
	for _, f := range fs {
		if f.Kind == detect.KindName && len(nameTokens(f.Value)) >= 2 && !isStaff(f.Value) {
			names = append(names, nameAt{f, lineOf(lines, f.Start)})
		}
	}
	var out []Person
	for _, f := range fs {
		switch f.Kind {
		case detect.KindCPR:
			li := lineOf(lines, f.Start)
			per := Person{Document: doc, Page: p.Number, CPR: f.Value, CPRMasked: f.Masked, HasCPR: true, Evidence: EvidenceCPR}
			best, bestScore := -1, 1<<30
			for i, n := range names {
				d := n.line - li
				score := 0
				switch {
				case d == 0:
					score = abs(n.f.Start - f.Start) // same line: nearest in characters
				case d < 0 && -d <= a.opts.CPRLines:
					score = 1000 * (-d) * 2 // above: preferred at equal distance
				case d > 0 && d <= a.opts.CPRLines:
					score = 1000*d*2 + 1000
				default:
					continue
				}
				if score < bestScore {
					best, bestScore = i, score
				}
			}
			if best >= 0 {
				per.Name = names[best].f.Value
				per.NameMasked = names[best].f.Masked
				per.Evidence = EvidenceCPRName
			}
			out = append(out, per)
		case detect.KindSensitive:
			for _, n := range names {
				if near(p.Text, n.f, f, a.opts.NameWindow) {
					out = append(out, Person{
						Document: doc, Page: p.Number, Name: n.f.Value, NameMasked: n.f.Masked,
						Evidence: EvidenceNameSensitive, Sensitive: true, Categories: []string{f.Category},
					})
				}
			}
		}
	}
	// A CPR owner with a sensitive statement in the same paragraph is marked sensitive too.
	for i := range out {
		if out[i].Evidence != EvidenceCPRName {
			continue
		}
		for _, o := range out {
			if o.Evidence == EvidenceNameSensitive && o.Name == out[i].Name {
				out[i].Sensitive = true
				for _, c := range o.Categories {
					out[i].Categories = addCategory(out[i].Categories, c)
				}
			}
		}
	}
	return out
}

// near is true when a name and a sensitive statement are within window characters and, if
// farther apart than half of it, in the same paragraph.
func near(text string, a, b detect.Finding, window int) bool {
	lo, hi := a.Start, b.Start
	if lo > hi {
		lo, hi = hi, lo
	}
	if hi-lo > window {
		return false
	}
	if hi-lo > window/2 && strings.Contains(text[lo:hi], "\n\n") {
		return false
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// maskName keeps the initials: "Søren Ærbø Østergård" → "S. Æ. Ø.".
func maskName(name string) string {
	var parts []string
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		parts = append(parts, string(r[0])+".")
	}
	return strings.Join(parts, " ")
}

// dedupe merges persons that are the same name and CPR in the same document, keeping the
// strongest evidence and joining what is known. A name beside a sensitive word merges into a
// person with the same name built from stronger evidence in the same document.
func dedupe(in []Person) []Person {
	type key struct{ doc, name, cpr string }
	idx := map[key]int{}
	strong := map[key]int{} // doc+name → first person from stronger evidence
	var out []Person
	for _, p := range in {
		nk := key{p.Document, strings.Join(nameTokens(p.Name), " "), ""}
		k := nk
		k.cpr = p.CPR
		if p.Evidence == EvidenceNameSensitive {
			k.cpr = "-"
			if i, ok := strong[nk]; ok {
				k = key{out[i].Document, nk.name, out[i].CPR}
			}
		}
		if i, ok := idx[k]; ok {
			q := &out[i]
			q.HasCPR = q.HasCPR || p.HasCPR
			q.Sensitive = q.Sensitive || p.Sensitive
			for _, c := range p.Categories {
				q.Categories = addCategory(q.Categories, c)
			}
			continue
		}
		idx[k] = len(out)
		if p.Evidence != EvidenceNameSensitive && nk.name != "" {
			if _, ok := strong[nk]; !ok {
				strong[nk] = len(out)
			}
		}
		out = append(out, p)
	}
	return out
}
