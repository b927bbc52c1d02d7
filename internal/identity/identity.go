// Package identity works out whom the personal data in a message is about and how each of those
// persons relates to each recipient: the same person, a person linked to the addressee of a
// letter written to the recipient (a child, a spouse), clearly a different person, or unknown.
//
// It reads documents the way Danish letters and mails are built, not by the order of words: a
// document is split into letters (a bundle holds several: a new addressee block, "Side 1 af N",
// a page that starts with a greeting); a letter's addressee is the name at the top of a block of
// short lines ending in a postcode and town from the postcode register, in the upper part of its
// first page; the greeting names whom a mail is written to; the closing ("Med venlig hilsen") and
// the lines below it are the sender's side; a quoted or forwarded mail is written to no one here.
// Persons are built from CPR numbers with the name beside them (on the line, in a "Navn:" field,
// or just above), from names beside a sensitive statement, and from the addressee of a letter
// that holds personal data. Every person and every relation carries its evidence in masked form.
package identity

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/message"
)

// Page is the text of one page. Blocks, when the extractor knows them, are the page's blocks in
// reading order (offsets into Text); without them, blocks are the paragraphs between blank lines.
type Page struct {
	Number int
	Text   string
	Blocks []Block
}

// Block is a run of lines that belong together on the page; Y0 is its top as a fraction of
// the page height when HasBox.
type Block struct {
	Start, End int
	HasBox     bool
	Y0         float64
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
// use them for comparison only, never log or store them; Why and RelationWhy are masked.
type Person struct {
	Document   string
	Page       int
	Letter     int // the letter of the document the person was found in (0 for the first)
	Name       string
	NameMasked string
	CPR        string // 10 digits, "" if none
	CPRMasked  string
	Evidence   Evidence
	// HasCPR: a CPR number concerns this person (for an addressee: the letter holds one that
	// belongs to no one else).
	HasCPR bool
	// Sensitive: a sensitive statement concerns this person; Categories names the categories.
	Sensitive  bool
	Categories []string
	// Link is how the person is linked to the letter's addressee: "addressee", "child",
	// "spouse" or "".
	Link string
	// Key tells persons apart for counting (the CPR number, or the folded name); in memory only.
	Key string
	// Why explains how the person was found (masked: no name, no full number).
	Why []string
	// Relations holds the relation to each recipient, in the order the recipients were given;
	// RelationWhy says why, masked.
	Relations   []Relation
	RelationWhy []string
}

// Options tune the analysis; zero values mean the defaults.
type Options struct {
	// NameWindow is how many characters around a sensitive statement a name may stand and
	// still be the person it is about (default 300, never across a paragraph when farther than
	// half of it).
	NameWindow int
	// CPRLines is how many lines above a CPR number its owner's name may stand (default 4).
	CPRLines int
	// HeaderLines is how many non-empty lines at the top of a letter's first page an addressee
	// block may end in (default 30: letterheads run to 20 lines).
	HeaderLines int
	// Now is the clock for "a CPR number showing a minor"; nil means time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.NameWindow <= 0 {
		o.NameWindow = 300
	}
	if o.CPRLines <= 0 {
		o.CPRLines = 4
	}
	if o.HeaderLines <= 0 {
		o.HeaderLines = 30
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Analyzer builds persons and relations. It is immutable and safe for concurrent use.
type Analyzer struct {
	lists NameLists
	opts  Options
	rules *rules
}

// New returns an Analyzer that uses lists to tell names from other words. It panics only if
// the embedded rule files are broken (a build defect caught by every test).
func New(lists NameLists, opts Options) *Analyzer {
	r, err := loadRules()
	if err != nil {
		panic(err)
	}
	return &Analyzer{lists: lists, opts: opts.withDefaults(), rules: r}
}

// Analyze returns the persons the documents carry data about, each with its relation to every
// recipient. staff are the sender and internal colleagues: their names (signatures, "Deltagere:
// ...") are not data about citizens.
func (a *Analyzer) Analyze(docs []Document, recipients, staff []message.Address) []Person {
	c := &context{a: a, parsed: map[string]nameParts{}, keys: map[string]string{}, whys: map[personWhy]string{}}
	c.rcpt = make([]recipientName, len(recipients))
	for i, r := range recipients {
		c.rcpt[i] = describeRecipient(r, a.lists, a.rules)
	}
	for _, s := range staff {
		if rn := describeRecipient(s, a.lists, a.rules); rn.person && len(rn.tokens) >= 2 {
			c.staff = append(c.staff, rn.tokens)
		}
	}
	var persons []Person
	for _, d := range docs {
		persons = append(persons, c.document(d)...)
	}
	return persons
}

// context is one Analyze call.
type context struct {
	a      *Analyzer
	rcpt   []recipientName
	staff  []nameParts
	parsed map[string]nameParts // parseName per name as written: a bundle repeats its names
	keys   map[string]string    // key per name as written
	whys   map[personWhy]string // the explanations of persons, each made once
}

func (c *context) parse(name string) nameParts {
	if p, ok := c.parsed[name]; ok {
		return p
	}
	p := c.a.rules.parseName(name)
	c.parsed[name] = p
	return p
}

// key is the person key of a name as written ("name:" and its parts): a name beside many
// sensitive statements asks for it once per statement.
func (c *context) key(name string, parts nameParts) string {
	if k, ok := c.keys[name]; ok {
		return k
	}
	k := "name:" + strings.Join(parts, " ")
	c.keys[name] = k
	return k
}

// personWhy is what a person's explanation says: for a name beside a sensitive statement its
// category and whether the name is in the statement's sentence (bound); for a CPR number's
// owner how the name was found (how) and how many lines above the number it stands (lines).
// A list explains thousands of persons alike; each explanation is made once.
type personWhy struct {
	owner         bool
	category, how string
	bound         bool
	lines         int
}

func (c *context) explain(w personWhy) string {
	if s, ok := c.whys[w]; ok {
		return s
	}
	var s string
	switch {
	case w.owner:
		s = fmt.Sprintf("CPR number with a name (%s) on %s", w.how, lineWord(w.lines))
	case w.bound:
		s = "name in the same sentence as a sensitive statement (" + w.category + ")"
	default:
		s = "name near a sensitive statement (" + w.category + ")"
	}
	c.whys[w] = s
	return s
}

// isStaffFirst: a first name of the sender or an internal colleague ("Hej Kim").
func (c *context) isStaffFirst(t string) bool {
	for _, s := range c.staff {
		if tokenEq(s[0], t) {
			return true
		}
	}
	return false
}

func (c *context) isStaff(p nameParts) bool {
	for _, s := range c.staff {
		if tokensMatch(p, s) {
			return true
		}
	}
	return false
}

// pos is a place in a document: page index and line index.
type pos struct{ page, line int }

func (p pos) before(q pos) bool { return p.page < q.page || (p.page == q.page && p.line < q.line) }

// letter is one letter of a document (or the mail itself, or a quoted mail).
type letter struct {
	from       pos
	quoted     bool
	addressees []addresseeLine
	org        bool     // addressed to an organisation
	greeted    []string // names in the greeting
	headEnd    pos      // end of the letter's head (addressee block, info column): before the greeting
	// rel[i] is how the letter's addressee relates to recipient i, and relWhy why.
	rel    []Relation
	relWhy []string
}

// document analyses one document.
func (c *context) document(d Document) []Person {
	a := c.a
	pages := make([]pageLayout, len(d.Pages))
	pageIdx := map[int]int{}
	for i, p := range d.Pages {
		pages[i] = newPageLayout(p)
		pageIdx[p.Number] = i
	}
	// Signature regions: the closing line and the lines below it, up to eight non-empty ones.
	sig := make([][]bool, len(pages))
	var signers []nameParts
	for pi := range pages {
		sig[pi] = make([]bool, len(pages[pi].lines))
		for li := 0; li < len(pages[pi].lines); li++ {
			if !a.rules.isClosing(pages[pi].lines[li].text) {
				continue
			}
			sig[pi][li] = true
			n := 0
			for j := li + 1; j < len(pages[pi].lines) && n < 8; j++ {
				t := strings.TrimSpace(pages[pi].lines[j].text)
				if t == "" {
					if n > 0 {
						break
					}
					continue
				}
				if a.rules.quoteStart(pages[pi].lines, j) || pageMarkerFirst(t) {
					break
				}
				sig[pi][j] = true
				n++
				if n <= 2 && (a.rules.nameLike(t) || a.listName(t)) {
					sp := c.parse(t)
					known := false
					for _, s := range signers {
						if slices.Equal(s, sp) {
							known = true
							break
						}
					}
					if !known {
						signers = append(signers, sp)
					}
				}
			}
		}
	}
	isSigner := func(p nameParts) bool {
		for _, s := range signers {
			if tokensMatch(p, s) {
				return true
			}
		}
		return false
	}

	letters := c.letters(pages, d.Name)
	letterAt := func(p pos) int {
		// the last letter that starts at or before p (letters are in document order)
		k := sort.Search(len(letters), func(i int) bool { return p.before(letters[i].from) }) - 1
		return max(k, 0)
	}

	byPage := findingsByPage(d.Findings, pageIdx, len(pages))
	type nameAt struct {
		text string
		// masked is the detector's masked form of a listed name; other names are masked only
		// when a person is made of them (most names by shape never are).
		masked     string
		parts      nameParts
		page, line int
		start, end int
		why        string
	}
	maskOf := func(n nameAt) string {
		if n.masked != "" {
			return n.masked
		}
		return maskName(n.text)
	}
	// One person per CPR number at most, plus the names near sensitive statements: sized for the
	// numbers, so a list of thousands does not hold two arrays of persons while growing.
	cprs := 0
	for i := range d.Findings {
		if d.Findings[i].Kind == detect.KindCPR {
			cprs++
		}
	}
	out := make([]Person, 0, cprs)
	type sensKey struct {
		letter, page int
		key, link    string
	}
	sensIdx := map[sensKey]int{}             // a name with sensitive statements: its entry in out
	letterCPR := make([]bool, len(letters))  // a CPR number in the letter that belongs to no one else
	letterSens := make([]bool, len(letters)) // a sensitive statement in the letter
	letterCats := make([][]string, len(letters))
	runs := lineRuns{a: a}
	for pi := range pages {
		pl := &pages[pi]
		fs := byPage[pi]
		fline := pl.linesOf(fs) // each finding's line
		// Names on this page: the detector's, and names from structure.
		var names []nameAt
		// The names standing on each line, as lists linked through onLine from the line's head
		// (1-based, 0 ends a list): the first name found keeps its place and an overlapping one
		// is dropped, which is a question about one or two lines, not about every name of the
		// page (a mail-merge list has a hundred thousand). Flat arrays, not a map of slices:
		// every name of a list passes here.
		type nameOnLine struct{ name, next int32 }
		head := make([]int32, len(pl.lines))
		var onLine []nameOnLine
		addName := func(n nameAt) {
			if len(n.parts) < 2 || c.isStaff(n.parts) || isSigner(n.parts) || sig[pi][n.line] {
				return
			}
			if a.roleBefore(pl.page.Text, n.start) {
				return
			}
			last := n.line // a name on one line (nearly all) needs no search for its last line
			if l := pl.lines[n.line]; n.start < l.start || max(n.start, n.end-1) > l.end {
				last = max(n.line, pl.lineOf(max(n.start, n.end-1)))
			}
			for li := n.line; li <= last; li++ {
				for e := head[li]; e != 0; e = onLine[e-1].next {
					if m := names[onLine[e-1].name]; m.start < n.end && n.start < m.end {
						return
					}
				}
			}
			for li := n.line; li <= last; li++ {
				onLine = append(onLine, nameOnLine{int32(len(names)), head[li]})
				head[li] = int32(len(onLine))
			}
			names = append(names, n)
		}
		for i, f := range fs {
			if f.Kind == detect.KindName {
				li := fline[i]
				addName(nameAt{text: f.Value, masked: f.Masked, parts: c.parse(f.Value), page: pi, line: li,
					start: f.Start, end: f.End, why: "name (lists)"})
			}
		}
		for li, l := range pl.lines {
			if v, off, ok := a.fieldName(l.text); ok {
				addName(nameAt{text: v, parts: c.parse(v), page: pi, line: li,
					start: l.start + off, end: l.start + off + len(v), why: "name in a name field"})
			}
		}
		// Names by shape are looked for only where a name can matter: on the lines of and above
		// a CPR number (CPRLines), and within NameWindow bytes of a sensitive statement.
		wanted := make([]bool, len(pl.lines))
		for i, f := range fs {
			switch f.Kind {
			case detect.KindCPR:
				li := fline[i]
				for j := max(0, li-a.opts.CPRLines); j <= li; j++ {
					wanted[j] = true
				}
			case detect.KindSensitive:
				// names by shape near a sensitive word: the sentence around it (about two lines)
				for j := pl.lineOf(max(0, f.Start-160)); j < len(pl.lines) && pl.lines[j].start <= f.Start+160; j++ {
					wanted[j] = true
				}
			}
		}
		var singles []nameAt // a known first name alone: used only in quoted mails
		for li, l := range pl.lines {
			if !wanted[li] {
				continue
			}
			for _, run := range runs.of(l.text) {
				v := l.text[run[0]:run[1]]
				parts := c.parse(v)
				// A first name alone is kept only in a quoted mail, where it is used.
				if len(parts) == 0 || len(parts) == 1 && (sig[pi][li] || !letters[letterAt(pos{pi, li})].quoted) {
					continue
				}
				n := nameAt{text: v, parts: parts, page: pi, line: li,
					start: l.start + run[0], end: l.start + run[1], why: "name: a first name from the lists and a family name by its shape"}
				if len(n.parts) >= 2 {
					addName(n)
				} else if _, greet := a.rules.greetingNames(l.text); !greet {
					singles = append(singles, n)
				}
			}
		}
		for i, f := range fs {
			if f.Kind != detect.KindCPR {
				continue
			}
			li := fline[i]
			if v, off, ok := a.besideCPR(pl.lines[li], f); ok {
				addName(nameAt{text: v, parts: c.parse(v), page: pi, line: li,
					start: pl.lines[li].start + off, end: pl.lines[li].start + off + len(v), why: "name beside the CPR number"})
			}
		}
		// Starts are distinct (a name overlapping one found before is dropped), so any sort
		// gives the same order.
		slices.SortFunc(names, func(x, y nameAt) int { return x.start - y.start })
		// from is the first of list (in text order) that starts at or after off: each finding
		// looks only at the names within its reach, never at all names of the page.
		from := func(list []nameAt, off int) int {
			return sort.Search(len(list), func(i int) bool { return list[i].start >= off })
		}
		cprBack := max(a.opts.CPRLines, 2) // how many lines above a CPR number its owner may stand

		for i, f := range fs {
			li := fline[i]
			if sig[pi][li] {
				continue
			}
			at := pos{pi, li}
			k := letterAt(at)
			L := &letters[k]
			switch f.Kind {
			case detect.KindCPR:
				per := Person{Document: d.Name, Page: pl.page.Number, Letter: k, CPR: f.Value, CPRMasked: f.Masked,
					HasCPR: true, Evidence: EvidenceCPR, Key: "cpr:" + f.Value}
				// The owner: a name on the same line (nearest), else the nearest name above in
				// the same block within CPRLines, else within two lines above in any block.
				best, bestScore := -1, 1<<30
				for i := from(names, pl.lines[max(0, li-cprBack)].start); i < len(names) && names[i].line <= li; i++ {
					n := names[i]
					if letterAt(pos{pi, n.line}) != k {
						continue
					}
					dl := li - n.line
					score := -1
					switch {
					case dl == 0:
						score = absInt(n.start - f.Start)
						if n.start > f.Start {
							score += 200 // a name after the number: only when none is before it
						}
					case dl > 0 && dl <= a.opts.CPRLines && pl.lines[n.line].block == pl.lines[li].block:
						score = 1000 * dl
					case dl > 0 && dl <= 2:
						score = 5000 * dl
					}
					if score >= 0 && score < bestScore {
						best, bestScore = i, score
					}
				}
				if best >= 0 {
					n := names[best]
					per.Name, per.NameMasked, per.Evidence = n.text, maskOf(n), EvidenceCPRName
					per.Key = c.key(n.text, n.parts)
					per.Why = append(per.Why, c.explain(personWhy{owner: true, how: n.why, lines: li - n.line}))
				} else if L.headEnd.page == pi && li < L.headEnd.line && len(L.addressees) > 0 {
					// A CPR number in the letter's head (info column): the addressee's own.
					per.Link = "addressee"
					per.Key = "name:" + strings.Join(L.addressees[0].parts, " ") // one person with the addressee
					per.Why = append(per.Why, "CPR number in the letter's head: the addressee's")
				} else {
					per.Why = append(per.Why, "CPR number without a name beside it")
				}
				if per.Name == "" || c.isAddressee(L, c.parse(per.Name)) {
					letterCPR[k] = true
				}
				if a.minor(f.Value) {
					per.Why = append(per.Why, "the number shows a minor")
				}
				out = append(out, per)
			case detect.KindSensitive:
				letterSens[k] = true
				letterCats[k] = addCategory(letterCats[k], f.Category)
				win := a.opts.NameWindow
				lo, hi := from(names, f.Start-win), from(names, f.Start+win+1)
				cands := slices.Clip(names[lo:hi])
				if L.quoted {
					// In a quoted mail between colleagues a child is often named by first name
					// alone ("Leopold er anbragt akut"): in the same sentence, that is a person.
					// (singles are in text order; a sentence is within 200 bytes.)
					for i := from(singles, f.Start-200); i < len(singles) && singles[i].start <= f.Start+200; i++ {
						n := singles[i]
						if letterAt(pos{pi, n.line}) == k && sameSentence(pl.page.Text, n.start, f.Start) && f.Confidence >= 0.6 && !c.isStaffFirst(n.parts[0]) {
							cands = append(cands, n)
						}
					}
				}
				for _, n := range cands {
					if letterAt(pos{pi, n.line}) != k || !near(pl.page.Text, n.start, f.Start, a.opts.NameWindow) {
						continue
					}
					sw := personWhy{category: f.Category, bound: sameSentence(pl.page.Text, n.start, f.Start) && f.Confidence >= 0.6}
					link := ""
					if sw.bound {
						link = "bound"
					}
					key := c.key(n.text, n.parts)
					// The same name near more statements on the same page of the same letter is
					// one entry, joined as dedupe would join them after relate (same letter, key
					// and link give the same relations): a list of a thousand lines holds a
					// thousand names beside as many statements, not a million entries.
					sk := sensKey{k, pl.page.Number, key, link}
					if i, ok := sensIdx[sk]; ok {
						q := &out[i]
						q.Categories = addCategory(q.Categories, f.Category)
						if w := c.explain(sw); !containsString(q.Why, w) {
							q.Why = append(q.Why, w)
						}
						continue
					}
					sensIdx[sk] = len(out)
					out = append(out, Person{Document: d.Name, Page: pl.page.Number, Letter: k, Name: n.text, NameMasked: maskOf(n),
						Evidence: EvidenceNameSensitive, Sensitive: true, Categories: []string{f.Category},
						Link: link, Key: key, Why: []string{c.explain(sw)}})
				}
			}
		}
	}

	// The addressee of each letter that holds personal data.
	for k, L := range letters {
		if L.quoted || len(L.addressees) == 0 || !(letterCPR[k] || letterSens[k]) {
			continue
		}
		for _, ad := range L.addressees {
			per := Person{Document: d.Name, Page: d.Pages[ad.page].Number, Letter: k, Name: ad.name, NameMasked: maskName(ad.name),
				Evidence: EvidenceAddressee, HasCPR: letterCPR[k], Sensitive: letterSens[k], Categories: letterCats[k],
				Link: "addressee", Key: "name:" + strings.Join(ad.parts, " "),
				Why: []string{fmt.Sprintf("%s (page %d, line %d)", ad.why, d.Pages[ad.page].Number, ad.line+1)}}
			out = append(out, per)
		}
	}

	// Relations.
	for i := range out {
		c.relate(&out[i], &letters[out[i].Letter], pages)
	}
	// A CPR owner with a sensitive statement about the same name in the same letter is one
	// person: dedupe merges them by the name's key and joins what is known.
	return dedupe(out)
}

// letters splits a document into letters and quoted mails and reads each letter's head.
func (c *context) letters(pages []pageLayout, docName string) []letter {
	a := c.a
	var out []letter
	isBody := strings.HasPrefix(docName, "(mailtekst)")
	for pi := range pages {
		pl := &pages[pi]
		// The head: lines before the greeting, at most HeaderLines non-empty ones.
		zoneEnd, greetLine := len(pl.lines), -1
		var greeted []string
		nonEmpty := 0
		for li, l := range pl.lines {
			t := strings.TrimSpace(l.text)
			if t == "" {
				continue
			}
			nonEmpty++
			if names, ok := a.rules.greetingNames(t); ok {
				greetLine, greeted = li, names
				zoneEnd = li
				break
			}
			if nonEmpty > a.opts.HeaderLines || a.rules.isClosing(t) || a.rules.quoteStart(pl.lines, li) {
				zoneEnd = li
				break
			}
		}
		var blk *addressBlock
		if !isBody {
			blk = a.findAddressBlock(pl, pi, zoneEnd)
		}
		startsLetter := pi == 0 || blk != nil
		if !startsLetter {
			for li := 0; li < len(pl.lines) && li < 60; li++ {
				if pageMarkerFirst(pl.lines[li].text) {
					startsLetter = true
					break
				}
			}
		}
		if !startsLetter && greetLine >= 0 && nonEmpty <= 8 {
			startsLetter = true // a page break before a greeting
		}
		if startsLetter {
			L := letter{from: pos{pi, 0}, headEnd: pos{pi, zoneEnd}, greeted: greeted}
			if greetLine < 0 {
				L.headEnd = pos{pi, 0}
			}
			if blk != nil {
				L.addressees, L.org = blk.persons, blk.org
				if blk.last+1 > L.headEnd.line || greetLine < 0 {
					L.headEnd = pos{pi, max(zoneEnd, blk.last+1)}
					if greetLine < 0 {
						L.headEnd = pos{pi, blk.last + 1}
					}
				}
			}
			out = append(out, L)
		} else if len(out) > 0 && len(out[len(out)-1].greeted) == 0 && greeted != nil {
			out[len(out)-1].greeted = greeted
		}
		// Quoted mails start their own scope (to the end of the page's text or the next quote).
		for li := range pl.lines {
			if a.rules.quoteStart(pl.lines, li) {
				if n := len(out); n > 0 && out[n-1].quoted && out[n-1].from.page == pi && li-out[n-1].from.line < 4 {
					continue
				}
				out = append(out, letter{from: pos{pi, li}, quoted: true, headEnd: pos{pi, li}})
			}
		}
	}
	if len(out) == 0 {
		out = append(out, letter{})
	}
	// How each letter's addressee (or greeting) relates to each recipient.
	for k := range out {
		L := &out[k]
		L.rel = make([]Relation, len(c.rcpt))
		L.relWhy = make([]string, len(c.rcpt))
		for i, r := range c.rcpt {
			L.rel[i], L.relWhy[i] = Unknown, "the letter names no addressee"
			if L.quoted {
				L.relWhy[i] = "quoted or forwarded mail: written to someone else"
				continue
			}
			if L.org {
				L.relWhy[i] = "addressed to an organisation"
			}
			for _, ad := range L.addressees {
				rel, why := compareName(ad.parts, r)
				if rel == Same || L.rel[i] == Unknown {
					L.rel[i], L.relWhy[i] = rel, "addressee block: "+why
				}
			}
			if L.rel[i] == Same {
				continue
			}
			for _, g := range L.greeted {
				gp := c.parse(g)
				if len(gp) == 0 || len(r.tokens) == 0 {
					continue
				}
				if len(gp) == 1 && tokenEq(gp[0], r.tokens[0]) {
					L.rel[i], L.relWhy[i] = Same, "greeting with the recipient's first name"
					break
				}
				if len(gp) >= 2 {
					if rel, why := compareName(gp, r); rel == Same {
						L.rel[i], L.relWhy[i] = Same, "greeting: "+why
						break
					} else if len(L.addressees) == 0 && rel == Different {
						L.rel[i], L.relWhy[i] = Different, "greeting: "+why
					}
				}
			}
		}
	}
	return out
}

func (c *context) isAddressee(L *letter, p nameParts) bool {
	for _, ad := range L.addressees {
		if tokensMatch(p, ad.parts) {
			return true
		}
	}
	return false
}

// relate sets a person's relation to every recipient.
func (c *context) relate(per *Person, L *letter, pages []pageLayout) {
	per.Relations = make([]Relation, len(c.rcpt))
	per.RelationWhy = make([]string, len(c.rcpt))
	parts := c.parse(per.Name)
	if per.Link == "" && per.Name != "" && c.isAddressee(L, parts) {
		per.Link = "addressee"
	}
	link := per.Link
	if link == "" || link == "bound" {
		if l := c.linkToAddressee(per, L, parts, pages); l != "" {
			link = l
			per.Why = append(per.Why, "linked to the addressee: "+l)
		}
	}
	for i, r := range c.rcpt {
		var rel Relation
		var why string
		switch {
		case per.Name != "":
			rel, why = compareName(parts, r)
		default:
			rel, why = Unknown, "no name"
		}
		switch {
		case rel == Same:
		case link == "addressee":
			rel, why = L.rel[i], L.relWhy[i]
		case (link == "child" || link == "spouse") && L.rel[i] == Same:
			rel, why = Addressed, "the letter is addressed to the recipient and the person is the addressee's "+link
		case L.rel[i] == Same && len(parts) >= 2 && len(r.tokens) >= 2 && anyTokenEq(parts[1:], r.tokens[len(r.tokens)-1]) && len(r.tokens[len(r.tokens)-1]) > 2:
			rel, why = Addressed, "the letter is addressed to the recipient and the person has the recipient's surname"
		case per.Name == "" && L.rel[i] == Same:
			rel, why = Addressed, "a number without a name in a letter addressed to the recipient"
		case per.Name == "":
		case rel == Different && L.rel[i] == Same && per.CPR == "" && link != "other":
			// A name with a sensitive statement in a letter or mail written to the recipient:
			// the addressee decides (a parent's mail about the child, whatever the surname),
			// unless the text says the person belongs to another household.
			rel, why = Addressed, "named in a letter addressed to the recipient, not said to be someone else's"
		case L.quoted && per.Link == "bound" && len(parts) == 1 && len(r.tokens) >= 1 && !tokenEq(parts[0], r.tokens[0]):
			rel, why = Different, "a first name in a quoted mail between colleagues, not the recipient's"
		case per.Evidence == EvidenceNameSensitive && rel == Different && per.Link != "bound":
			rel, why = Unknown, "a name near a sensitive word is not proof of whom it is about"
		}
		per.Relations[i], per.RelationWhy[i] = rel, why
	}
}

// linkToAddressee tells whether a person is the addressee's child or spouse: the same surname
// as an addressee, a relation word just before the name or on its line, or (for a child) a CPR
// number showing a minor.
func (c *context) linkToAddressee(per *Person, L *letter, parts nameParts, pages []pageLayout) string {
	if len(L.addressees) == 0 && len(L.greeted) == 0 {
		return ""
	}
	if len(parts) >= 2 {
		for _, ad := range L.addressees {
			if len(ad.parts) >= 2 {
				for _, x := range ad.parts[1:] {
					if len(x) > 2 && anyTokenEq(parts[1:], x) {
						if per.CPR != "" && !c.a.minor(per.CPR) {
							return "spouse"
						}
						return "child"
					}
				}
			}
		}
	}
	if per.CPR != "" && c.a.minor(per.CPR) {
		return "child"
	}
	// A relation word within the line of the person, or the line before.
	for _, pl := range pages {
		if pl.page.Number != per.Page {
			continue
		}
		idx := -1
		if per.Name != "" {
			idx = strings.Index(pl.page.Text, per.Name)
		}
		if idx < 0 {
			return ""
		}
		li := pl.lineOf(idx)
		from := pl.lines[li].start
		if li > 0 {
			from = pl.lines[li-1].start
		}
		ctx := strings.ToLower(pl.page.Text[from:min(len(pl.page.Text), pl.lines[li].end)])
		for _, w := range c.a.rules.otherWords {
			if containsWord(ctx, w) {
				return "other"
			}
		}
		for _, w := range c.a.rules.childWords {
			if containsWord(ctx, w) {
				return "child"
			}
		}
		for _, w := range c.a.rules.spouseWords {
			if containsWord(ctx, w) {
				return "spouse"
			}
		}
	}
	return ""
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isLetterByteOrUTF8(s[j-1])
		after := j+len(w) >= len(s) || !isLetterByteOrUTF8(s[j+len(w)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isLetterByteOrUTF8(b byte) bool {
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0x80
}

// minor tells whether a CPR number belongs to someone under 18 today.
func (a *Analyzer) minor(cpr string) bool {
	born, ok := detect.BirthDate(cpr)
	return ok && a.opts.Now().Before(born.AddDate(18, 0, 0))
}

// fieldName reads a name field: "Navn: Wiesław Kowalczyk", "Barnets navn: ...", "Vedr.: ...".
func (a *Analyzer) fieldName(t string) (string, int, bool) {
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 30 {
		return "", 0, false
	}
	label := strings.ToLower(strings.TrimSpace(t[:i]))
	found := false
	for _, f := range a.rules.field {
		if label == f {
			found = true
			break
		}
	}
	if !found {
		return "", 0, false
	}
	rest := t[i+1:]
	off := i + 1
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest, off = rest[1:], off+1
	}
	// The value ends at a comma followed by more fields, a digit, a parenthesis or a tab.
	end := len(rest)
	for j := 0; j < len(rest); j++ {
		ch := rest[j]
		if isDigitByte(ch) || ch == '(' || ch == '\t' || ch == ';' || ch == '|' || (ch == ',' && !a.rules.nameLike(rest)) {
			end = j
			break
		}
	}
	v := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(rest[:end]), ",-–"))
	v = a.rules.cutAtLabel(v)
	if !a.rules.nameLike(v) && !a.listName(v) {
		return "", 0, false
	}
	return v, off, true
}

// besideCPR reads the words right before a CPR number on its line as a name ("Wiesław
// Kowalczyk, CPR 010190-1234", a table row "Kowalczyk, Wiesław | 010190-1234"), or the words
// right after it when nothing name-like is before it.
func (a *Analyzer) besideCPR(l line, f detect.Finding) (string, int, bool) {
	s := l.text
	startIn, endIn := f.Start-l.start, f.End-l.start
	if startIn < 0 || endIn > len(s) {
		return "", 0, false
	}
	// Before: cut at the last cell separator, strip CPR labels and punctuation.
	before := s[:startIn]
	cand := before[cellStart(strings.TrimRight(before, " \t|;")):]
	// Labels and at most five name words are read: the cell's last dozen words, not all of
	// them (a CPR number at the end of a long sentence).
	var wordBuf [12]string // the words stay on the stack (every CPR number comes here)
	words := lastFields(wordBuf[:0], cand, 12)
	// Drop trailing label words: "CPR-nr.:", "født", "cpr", "personnummer", "(".
	for len(words) > 0 {
		w := strings.ToLower(strings.Trim(words[len(words)-1], ",:;()."))
		if w == "" || strings.HasPrefix(w, "cpr") || w == "født" || w == "f" || strings.HasPrefix(w, "person") || w == "nr" || w == "-" || w == "–" {
			words = words[:len(words)-1]
			continue
		}
		break
	}
	if len(words) >= 2 {
		// The name is the last run of name-like words (at most five).
		k := len(words)
		for k > 0 && len(words)-k < 5 && (wordLike(strings.Trim(words[k-1], ",")) || a.rules.particle[strings.ToLower(words[k-1])] || hasParticlePrefix(strings.ToLower(words[k-1]), a.rules)) {
			k--
		}
		v := strings.TrimRight(strings.Join(words[k:], " "), ",")
		if a.rules.nameLike(v) && !a.rules.isOrganisation(v) {
			return v, strings.Index(s, v), true
		}
	}
	// After: "010190-1234 Wiesław Kowalczyk" (a table with the number first).
	after := strings.TrimLeft(s[endIn:], " \t|;,:")
	words = firstFields(wordBuf[:0], after, 6)
	k := 0
	for k < len(words) && k < 5 && (wordLike(strings.Trim(words[k], ",")) || a.rules.particle[strings.ToLower(words[k])]) {
		if strings.HasSuffix(words[k], ",") && k > 0 {
			k++
			break
		}
		k++
	}
	if k >= 2 {
		v := strings.TrimRight(strings.Join(words[:k], " "), ",")
		if a.rules.nameLike(v) && !a.rules.isOrganisation(v) && !a.rules.postcodeLine(v) {
			if i := strings.Index(s[endIn:], v); i >= 0 {
				return v, endIn + i, true
			}
		}
	}
	return "", 0, false
}

// cellStart is where the last cell of a line's text begins: after the last cell separator (a
// tab, "|", " | ", ";" or two spaces), 0 without one. The separator ending last wins, so the
// text is read once from its end instead of once per separator.
func cellStart(t string) int {
	for e := len(t); e > 0; e-- {
		switch c := t[e-1]; {
		case c == '\t' || c == '|' || c == ';':
			if c == '|' && e >= 2 && t[e-2] == ' ' && e < len(t) && t[e] == ' ' {
				return e + 1 // " | " ends after its space
			}
			return e
		case c == ' ' && e >= 2 && t[e-2] == ' ':
			return e
		}
	}
	return 0
}

// roleBefore: a title or role word right before the name ("psykiater Lars Holm").
func (a *Analyzer) roleBefore(text string, start int) bool {
	i := start
	for i > 0 && (text[i-1] == ' ' || text[i-1] == ',' || text[i-1] == ':') {
		i--
	}
	j := i
	for j > 0 && text[j-1] != ' ' && text[j-1] != '\n' && text[j-1] != '\t' {
		j--
	}
	raw := strings.Trim(text[j:i], ",:()")
	w := strings.TrimRight(raw, ".")
	// "Dr. Lars", "læge Lars": titles as written (with or without their dot); "med Søren" is
	// no title, though "dr. med." is.
	return setHas(a.rules.role, w) || setHas(a.rules.title, raw) || setHas(a.rules.title, w)
}

// near is true when a name and a sensitive statement are within window characters and, if
// farther apart than half of it, in the same paragraph.
func near(text string, a, b, window int) bool {
	lo, hi := a, b
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

// sameSentence: no sentence end or paragraph break between the two offsets.
func sameSentence(text string, a, b int) bool {
	lo, hi := a, b
	if lo > hi {
		lo, hi = hi, lo
	}
	if hi-lo > 200 {
		return false
	}
	seg := text[lo:hi]
	if strings.Contains(seg, "\n\n") {
		return false
	}
	for i := 0; i+1 < len(seg); i++ {
		if (seg[i] == '.' || seg[i] == '!' || seg[i] == '?') && (seg[i+1] == ' ' || seg[i+1] == '\n') {
			// "K. Jensen", "nr. 3": an initial or abbreviation is no sentence end
			if i >= 2 && seg[i-2] != ' ' {
				return false
			}
		}
	}
	return true
}

func lineWord(d int) string {
	switch {
	case d == 0:
		return "the same line"
	case d == 1:
		return "the line above"
	default:
		return fmt.Sprintf("%d lines above", d)
	}
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func addCategory(cats []string, c string) []string {
	for _, x := range cats {
		if x == c {
			return cats
		}
	}
	return append(cats, c)
}

// dedupe merges persons that are the same name (or, without a name, the same CPR number) in the
// same letter of a document: what is known is joined, and the relations of the strongest
// evidence stand (addressee block, then CPR with name, then name beside a sensitive word).
func dedupe(in []Person) []Person {
	type key struct {
		doc    string
		letter int
		k      string
	}
	rank := map[Evidence]int{EvidenceAddressee: 3, EvidenceCPRName: 2, EvidenceNameSensitive: 1, EvidenceCPR: 0}
	idx := map[key]int{}
	var out []Person
	for _, p := range in {
		k := key{p.Document, p.Letter, p.Key}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, p)
			continue
		}
		q := &out[i]
		if rank[p.Evidence] > rank[q.Evidence] {
			p, *q = *q, p
		}
		q.HasCPR = q.HasCPR || p.HasCPR
		q.Sensitive = q.Sensitive || p.Sensitive
		for _, c := range p.Categories {
			q.Categories = addCategory(q.Categories, c)
		}
		if q.CPR == "" && p.CPR != "" {
			q.CPR, q.CPRMasked = p.CPR, p.CPRMasked
		}
		for _, w := range p.Why {
			if !containsString(q.Why, w) {
				q.Why = append(q.Why, w)
			}
		}
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// lineRuns gives nameRuns of a document's lines, reading a line that repeats once: a bundle of
// letters from one template repeats its paragraphs in every letter, and only the lines that
// differ (the names, the numbers) are read again. A document whose lines hardly repeat stops
// looking them up (hashing and storing each line cost more than reading it).
type lineRuns struct {
	a            *Analyzer
	seen         map[string][][2]int
	looked, hits int
	off          bool
}

func (r *lineRuns) of(line string) [][2]int {
	// Short lines are read faster than looked up; the map is bounded; after a trial of
	// lookups, fewer than one hit in eight turns the lookups off.
	const minLen, maxEntries, trial = 48, 1 << 16, 2048
	if r.off || len(line) < minLen {
		return r.a.nameRuns(line)
	}
	r.looked++
	if runs, ok := r.seen[line]; ok {
		r.hits++
		return runs
	}
	if r.looked >= trial && r.hits*8 < r.looked {
		r.off, r.seen = true, nil
		return r.a.nameRuns(line)
	}
	runs := r.a.nameRuns(line)
	if r.seen == nil {
		r.seen = map[string][][2]int{}
	}
	if len(r.seen) < maxEntries {
		r.seen[line] = runs
	}
	return runs
}

// nameRuns finds names the lists only half know: a capitalised known first name followed by
// capitalised words or particle-prefixed family names ("Omar el-Haddad", "Leopold von
// Ekeberg-Qvist"); a first name followed by nothing name-like is returned alone. A word at the
// start of a sentence counts only when the next word is name-like too.
func (a *Analyzer) nameRuns(t string) [][2]int {
	var out [][2]int
	// Tokens are split at spaces and tabs as the loop reaches them: most words of a line are
	// not capitalised and are passed over without being collected.
	token := func(i int) (int, int) {
		for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
			i++
		}
		j := i
		for j < len(t) && t[j] != ' ' && t[j] != '\t' {
			j++
		}
		return i, j
	}
	for next := 0; ; {
		s0, e0 := token(next)
		if s0 == e0 {
			return out
		}
		next = e0
		if c := t[s0]; !(c >= 'A' && c <= 'Z') && c < 0x80 {
			continue // cheap test first: a name starts with a capital
		}
		first := t[s0:e0]
		w := trimPunct(first)
		if len(w) < 2 || !wordLike(w) || allCaps(w) {
			continue
		}
		if !a.lists.IsFirstName(w) || setHas(a.rules.greeting, w) || setHas(a.rules.organisation, w) {
			continue
		}
		end := s0 + len(w)
		if !strings.ContainsAny(first, ",.:;!?)") {
			for n := 1; n < 5; n++ { // at most four more words
				sj, ej := token(next)
				if sj == ej {
					break
				}
				x := t[sj:ej]
				bare := trimPunct(x)
				lw := lowerKey(bare)
				if hasParticlePrefix(lw, a.rules) || (wordLike(bare) && !a.rules.organisation[lw] && !allCaps(bare)) {
					end = sj + len(bare)
					next = ej
					if bare != x {
						break
					}
					continue
				}
				if a.rules.particle[lw] {
					if sk, ek := token(ej); sk < ek && wordLike(strings.TrimRight(t[sk:ek], ",.:;!?)")) {
						next = ej
						continue
					}
				}
				break
			}
		}
		// A sentence-initial word alone is returned too: callers use a lone first name only in
		// the same sentence as a sensitive statement in a quoted mail.
		out = append(out, [2]int{s0, end})
	}
}

// trimPunct drops trailing punctuation from a word ("Hansen," → "Hansen").
func trimPunct(w string) string {
	for len(w) > 0 {
		switch w[len(w)-1] {
		case ',', '.', ':', ';', '!', '?', ')':
			w = w[:len(w)-1]
			continue
		}
		break
	}
	return w
}

// allCaps: a word without lower-case letters (a heading or an abbreviation, not a name by shape).
func allCaps(w string) bool {
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= 'a' && c <= 'z':
			return false
		case c >= 0x80:
			// Other letters are decoded (the ASCII before them holds no lower-case letter).
			for _, r := range w[i:] {
				if unicode.IsLower(r) {
					return false
				}
			}
			return true
		}
	}
	return true
}

// lastFields appends to out the last n (at most) of strings.Fields(s), without splitting all
// of s.
func lastFields(out []string, s string, n int) []string {
	first := len(out)
	end := len(s)
	for len(out)-first < n {
		for end > 0 {
			size, space := runeBefore(s, end)
			if !space {
				break
			}
			end -= size
		}
		if end == 0 {
			break
		}
		st := end
		for st > 0 {
			size, space := runeBefore(s, st)
			if space {
				break
			}
			st -= size
		}
		out = append(out, s[st:end])
		end = st
	}
	slices.Reverse(out[first:])
	return out
}

// firstFields appends to out the first n (at most) of strings.Fields(s), without splitting all
// of s.
func firstFields(out []string, s string, n int) []string {
	first := len(out)
	i := 0
	for len(out)-first < n {
		for i < len(s) {
			size, space := runeAt(s, i)
			if !space {
				break
			}
			i += size
		}
		if i == len(s) {
			break
		}
		st := i
		for i < len(s) {
			size, space := runeAt(s, i)
			if space {
				break
			}
			i += size
		}
		out = append(out, s[st:i])
	}
	return out
}

// runeAt is the size of the rune at s[i] and whether it is white space (unicode.IsSpace);
// runeBefore the same of the rune that ends at s[end]. ASCII is tested without decoding (the
// words beside every CPR number are read with them).
func runeAt(s string, i int) (size int, space bool) {
	if c := s[i]; c < utf8.RuneSelf {
		return 1, asciiSpace(c)
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return size, unicode.IsSpace(r)
}

func runeBefore(s string, end int) (size int, space bool) {
	if c := s[end-1]; c < utf8.RuneSelf {
		return 1, asciiSpace(c)
	}
	r, size := utf8.DecodeLastRuneInString(s[:end])
	return size, unicode.IsSpace(r)
}

// asciiSpace is unicode.IsSpace of an ASCII byte.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// findingsByPage sorts a document's findings by page, each page's in text order. Findings that
// come page by page in text order (as the scan gives them) are read in place: a list of a
// hundred thousand numbers is not copied again. Others are copied, so the caller's findings
// never change order.
func findingsByPage(fs []detect.Finding, pageIdx map[int]int, pages int) [][]detect.Finding {
	byStart := func(a, b detect.Finding) int { return a.Start - b.Start }
	byPage := make([][]detect.Finding, pages)
	first, last, perPage := make([]int, pages), make([]int, pages), make([]int, pages)
	for i := range first {
		first[i] = -1
	}
	for i := range fs {
		if pi, ok := pageIdx[fs[i].Page]; ok {
			if first[pi] < 0 {
				first[pi] = i
			}
			last[pi] = i
			perPage[pi]++
		}
	}
	for pi, n := range perPage {
		if n == 0 {
			continue
		}
		if run := fs[first[pi] : last[pi]+1 : last[pi]+1]; len(run) == n && slices.IsSortedFunc(run, byStart) {
			byPage[pi] = run
			continue
		}
		list := make([]detect.Finding, 0, n)
		for i := first[pi]; i <= last[pi]; i++ {
			if fs[i].Page == fs[first[pi]].Page {
				list = append(list, fs[i])
			}
		}
		slices.SortStableFunc(list, byStart)
		byPage[pi] = list
	}
	return byPage
}
