package identity

import (
	"bytes"
	"strings"

	"github.com/sendevagt/sendevagt/internal/detect"
)

// This file reads the structure of a document: lines and blocks per page, the letters a
// document holds (a bundle is several letters), each letter's addressee block, greeting,
// closing and signature, and quoted mails inside a mail body.

// line is one line of a page: its byte range, text and block.
type line struct {
	start, end int
	text       string
	block      int  // index into pageLayout.blocks
	quoted     bool // the line had a "> " prefix (a quoted mail)
}

type blockInfo struct {
	first, last int // line indexes
	hasBox      bool
	y0          float64
}

// pageLayout is one page read into lines and blocks.
type pageLayout struct {
	page   Page
	lines  []line
	blocks []blockInfo
}

func newPageLayout(p Page) pageLayout {
	pl := pageLayout{page: p}
	s := p.Text
	pl.lines = make([]line, 0, strings.Count(s, "\n")+1)
	for start := 0; start <= len(s); {
		i := strings.IndexByte(s[start:], '\n')
		if i < 0 {
			i = len(s)
		} else {
			i += start
		}
		// A quoted mail's "> " prefix is not part of the line's structure.
		st := start
		if st < i && s[st] == '>' {
			for st < i && (s[st] == '>' || s[st] == ' ') {
				st++
			}
		}
		pl.lines = append(pl.lines, line{start: st, end: i, text: s[st:i], block: -1, quoted: st != start})
		start = i + 1
	}
	if len(p.Blocks) > 0 {
		li := 0
		for _, b := range p.Blocks {
			bi := blockInfo{first: -1, hasBox: b.HasBox, y0: b.Y0}
			for li < len(pl.lines) && pl.lines[li].end <= b.End {
				if pl.lines[li].start >= b.Start && strings.TrimSpace(pl.lines[li].text) != "" {
					pl.lines[li].block = len(pl.blocks)
					if bi.first < 0 {
						bi.first = li
					}
					bi.last = li
				}
				li++
			}
			if bi.first >= 0 {
				pl.blocks = append(pl.blocks, bi)
			}
		}
	}
	// Lines outside any given block (or all lines without Blocks): paragraphs split at blank lines.
	cur := -1
	for i := range pl.lines {
		if pl.lines[i].block >= 0 {
			cur = -1
			continue
		}
		if strings.TrimSpace(pl.lines[i].text) == "" {
			cur = -1
			continue
		}
		if cur < 0 {
			cur = len(pl.blocks)
			pl.blocks = append(pl.blocks, blockInfo{first: i})
		}
		pl.lines[i].block = cur
		pl.blocks[cur].last = i
	}
	return pl
}

// linesOf gives the line of each finding (lineOf of its start), walking the lines along the
// findings when they come in text order (as findingsByPage gives them) rather than searching
// all lines for each: a list's hundred thousand findings each looked up their line four times.
func (pl *pageLayout) linesOf(fs []detect.Finding) []int {
	out := make([]int, len(fs))
	li := 0
	for i := range fs {
		off := fs[i].Start
		if i > 0 && off < fs[i-1].Start {
			li = pl.lineOf(off) // out of order: start again from its line
		}
		for li < len(pl.lines)-1 && pl.lines[li].end < off {
			li++
		}
		out[i] = li
	}
	return out
}

// lineOf returns the index of the line holding byte offset off.
func (pl *pageLayout) lineOf(off int) int {
	lo, hi := 0, len(pl.lines)
	for lo < hi {
		m := (lo + hi) / 2
		if pl.lines[m].end < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo >= len(pl.lines) {
		lo = len(pl.lines) - 1
	}
	return lo
}

// addresseeLine is a person named in a letter's addressee block.
type addresseeLine struct {
	name  string
	parts nameParts
	page  int // index into the document's pages
	line  int
	known bool // a word of the name is in the name lists
	why   string
}

// addressBlock is what findAddressBlock found: the persons (none for an organisation), where the
// block ends, and its score.
type addressBlock struct {
	persons []addresseeLine
	org     bool
	score   int
	last    int // line index of the postcode line
}

// postcodeLine tells whether a line is (or ends in) a Danish postcode and its town: "8000 Aarhus C",
// "DK-2100 København Ø", "Vestergade 3, 5000 Odense C". The town must be the register's town for
// that code; text after the town (an info column on the same line) is allowed when the town is
// followed by two spaces or a label.
func (r *rules) postcodeLine(t string) bool {
	t = strings.TrimSpace(t)
	for i := 0; i+4 <= len(t); i++ {
		if !(isDigitByte(t[i]) && isDigitByte(t[i+1]) && isDigitByte(t[i+2]) && isDigitByte(t[i+3])) {
			continue
		}
		if i > 0 && (isDigitByte(t[i-1]) || (t[i-1] != ' ' && t[i-1] != '-' && t[i-1] != ',')) {
			continue
		}
		if i+4 < len(t) && t[i+4] != ' ' {
			continue
		}
		town, ok := r.postcodes[t[i:i+4]]
		if !ok {
			continue
		}
		rest := strings.Join(strings.Fields(fold(t[i+4:])), " ")
		if rest == town || strings.HasPrefix(rest, town+" ") {
			return true
		}
	}
	return false
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// cutAtLabel cuts a line at the first label word of an info column sharing the line
// ("Hanne Berg Dato: 3. marts 2026" → "Hanne Berg").
func (r *rules) cutAtLabel(t string) string {
	words := strings.Fields(t)
	for i := 1; i < len(words); i++ {
		if setHas(r.labelSet, strings.TrimRight(words[i], ".:")) {
			return strings.Join(words[:i], " ")
		}
	}
	return t
}

// findAddressBlock looks in the upper part of a page (the window-envelope zone, or the lines
// before the greeting) for a block of 2–7 short lines ending in a postcode-town line, and reads
// the name lines at its top. The sender's own address (an organisation) is recognised and
// passed over.
func (a *Analyzer) findAddressBlock(pl *pageLayout, pageIdx, zoneEnd int) *addressBlock {
	var best *addressBlock
	for i := 0; i < zoneEnd && i < len(pl.lines); i++ {
		if !a.rules.postcodeLine(pl.lines[i].text) {
			continue
		}
		b := pl.lines[i].block
		if b >= 0 && pl.blocks[b].hasBox && pl.blocks[b].y0 > 0.55 {
			continue // below the window-envelope zone
		}
		// The lines of the block above the postcode line (at most six).
		var group []int
		for j := i - 1; j >= 0 && len(group) < 6; j-- {
			if strings.TrimSpace(pl.lines[j].text) == "" || (b >= 0 && pl.lines[j].block != b) {
				break
			}
			group = append([]int{j}, group...)
		}
		cand := &addressBlock{last: i}
		// Street: the line right above the postcode line, or the postcode line itself
		// ("Vestergade 3, 5000 Odense C"). Name lines: the lines above the street.
		nameLines := group
		if len(nameLines) > 0 && !strings.Contains(strings.TrimSpace(pl.lines[i].text)[1:], ",") {
			nameLines = nameLines[:len(nameLines)-1]
		}
		// Walk up from the street: c/o and postal notes are passed, the name lines right above
		// the street are the addressees, and the first other line ends the addressee part (a
		// sender's or letterhead's lines in the same block above it do not count). An
		// organisation right above the street, or an "Att." line, makes the letter one to an
		// organisation.
		var persons []addresseeLine
		for k := len(nameLines) - 1; k >= 0; k-- {
			j := nameLines[k]
			t := strings.TrimSpace(pl.lines[j].text)
			low := strings.ToLower(t)
			if strings.HasPrefix(low, "c/o") {
				continue
			}
			if strings.HasPrefix(low, "att") && (len(low) == 3 || !isLetterStart(low[3:])) {
				cand.org = true // "Att.": a letter to an organisation for someone's attention
				continue
			}
			if hasPhraseFold(t, a.rules.label) {
				if len(persons) > 0 {
					break
				}
				continue
			}
			if a.rules.isOrganisation(t) {
				if len(persons) == 0 {
					cand.org = true
				}
				break
			}
			t = a.rules.cutAtLabel(t)
			if !a.rules.nameLike(t) && !a.listName(t) {
				break
			}
			parts := a.rules.parseName(t)
			al := addresseeLine{name: t, parts: parts, page: pageIdx, line: j, known: a.knownParts(parts),
				why: "addressee block with a checked postcode"}
			persons = append([]addresseeLine{al}, persons...)
			cand.score += 2
			if al.known {
				cand.score += 2
			}
			if len(persons) == 2 {
				break // two people at one address: a couple; more lines are no addressee
			}
		}
		cand.persons = persons
		if cand.org {
			// "Firma ApS / Att. Lone Hansen": the person is reached at an organisation.
			cand.persons = nil
		}
		if b >= 0 && pl.blocks[b].hasBox && pl.blocks[b].y0 > 0.05 && pl.blocks[b].y0 < 0.4 {
			cand.score++
		}
		if cand.org {
			cand.score = 1
		}
		if best == nil || cand.score > best.score {
			best = cand
		}
	}
	if best != nil && len(best.persons) == 0 && !best.org {
		return nil
	}
	return best
}

// listName: a line of two to five words whose first word is a known first name or last word a
// known surname (the detector's lists), for names in a layout where nameLike is too strict.
func (a *Analyzer) listName(t string) bool {
	w := strings.Fields(t)
	if len(w) < 2 || len(w) > 5 {
		return false
	}
	for _, x := range w {
		if !wordLike(x) {
			return false
		}
	}
	parts := a.rules.parseName(t)
	return len(parts) >= 2 && (isFirstName(a.lists, parts[0]) || isSurname(a.lists, parts[len(parts)-1]))
}

func (a *Analyzer) knownParts(p nameParts) bool {
	for _, t := range p {
		if len(t) > 1 && (isFirstName(a.lists, t) || isSurname(a.lists, t)) {
			return true
		}
	}
	return false
}

// isOrganisation: a line naming an organisation or a unit.
func (r *rules) isOrganisation(t string) bool {
	var buf [64]byte
	for w := range strings.FieldsSeq(t) {
		w = strings.Trim(w, ".,:;()")
		if setHas(r.organisation, w) {
			return true
		}
		if len(w) < 8 {
			continue // no compound below ("…huset", "…firma" need a word before them)
		}
		lw := appendLower(buf[:0], w)
		// compounds: "Socialforvaltningen", "Børnehuset", "Advokatfirmaet"
		for _, suf := range []string{"forvaltning", "forvaltningen", "kommune", "afdeling", "afdelingen", "centret", "center", "firma", "firmaet", "huset", "skolen", "styrelsen"} {
			if len(lw) > len(suf)+2 && bytes.HasSuffix(lw, []byte(suf)) {
				return true
			}
		}
	}
	return false
}

// greeting returns the names a line greets ("Kære Lone og Mikkel" → Lone, Mikkel), ok when the
// line is a greeting (also to a group, then names is empty).
func (r *rules) greetingNames(t string) (names []string, ok bool) {
	t = strings.TrimSpace(t)
	// Cheap test first (every line of every page comes here): the first word is a greeting.
	end := strings.IndexAny(t, " \t,!.:")
	if end < 0 {
		end = len(t)
	}
	if end == 0 || end > 12 || !setHas(r.greeting, t[:end]) {
		return nil, false
	}
	words := strings.Fields(t)
	if len(words) == 0 {
		return nil, false
	}
	first := strings.ToLower(strings.TrimRight(words[0], ",!.:"))
	if !r.greeting[first] {
		return nil, false
	}
	if len(words) == 1 {
		return nil, true
	}
	rest := strings.TrimSpace(t[len(words[0]):])
	if i := strings.IndexAny(rest, ",!.:;\n"); i >= 0 {
		rest = rest[:i]
	}
	if len(strings.Fields(rest)) > 8 {
		return nil, false // a sentence, not a greeting
	}
	for _, part := range splitNames(rest) {
		ws := strings.Fields(part)
		if len(ws) == 0 {
			continue
		}
		if r.greetingGroup[strings.ToLower(ws[0])] {
			return nil, true
		}
		okName := true
		for _, w := range ws {
			if !wordLike(w) && !r.particle[strings.ToLower(w)] && !r.title[strings.ToLower(w)] {
				okName = false
			}
		}
		if !okName {
			return nil, false // "Hej og farvel ...": a sentence, not a greeting
		}
		names = append(names, part)
	}
	return names, true
}

func splitNames(s string) []string {
	s = strings.NewReplacer(" og ", "|", " and ", "|", " & ", "|", " samt ", "|").Replace(" " + s + " ")
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// closing: the line that ends a letter before its signature.
func (r *rules) isClosing(t string) bool {
	t = strings.TrimSpace(t)
	if t == "" || len(t) > 48 || !r.closingFirst[lowerASCII(t[0])] {
		return false // cheap test first: every line of every page comes here
	}
	t = strings.TrimRight(t, ",.!")
	if t == "" || len(t) > 45 {
		return false
	}
	return hasPhraseFold(t, r.closing)
}

// quoteStart: a line that starts a quoted or forwarded mail.
func (r *rules) quoteStart(lines []line, i int) bool {
	if lines[i].quoted && (i == 0 || !lines[i-1].quoted) {
		return true
	}
	raw := strings.TrimSpace(lines[i].text)
	if raw == "" {
		return false
	}
	// Cheap test first: quote markers start with '-', "fra:", "from:", "begin", "videresendt",
	// "den ... skrev", "on ... wrote".
	switch lowerASCII(raw[0]) {
	case '-', 'f', 'b', 'v', 'd', 'o':
	default:
		return false
	}
	// The line is compared without lower-casing it whole: many lines of a letter start with
	// "D" ("Du kan klage …") and a copy of each was most of a long text's identity cost.
	for _, q := range r.quote {
		if hasPrefixFold(raw, q) {
			return true
		}
	}
	// "Fra: ..." followed by "Sendt:"/"Dato:"/"Til:" within three lines (Outlook's header block).
	if hasPrefixFold(raw, "fra:") || hasPrefixFold(raw, "from:") {
		for j := i + 1; j < len(lines) && j <= i+3; j++ {
			u := strings.TrimSpace(lines[j].text)
			for _, h := range [...]string{"sendt:", "dato:", "sent:", "date:", "til:", "to:"} {
				if hasPrefixFold(u, h) {
					return true
				}
			}
		}
	}
	// "Den 3. marts 2026 kl. 10.12 skrev Lone Bak <...>:" / "On ... wrote:"
	if strings.HasSuffix(raw, ":") {
		if hasPrefixFold(raw, "den ") && strings.Contains(strings.ToLower(raw), " skrev ") {
			return true
		}
		if hasPrefixFold(raw, "on ") && len(raw) >= len("wrote:") && strings.EqualFold(raw[len(raw)-len("wrote:"):], "wrote:") {
			return true
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix of the lower-cased s, for a lower-case ASCII prefix.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// pageMarkerFirst: "Side 1 af 3", "Side 1/3", "Page 1 of 2" — a letter's first page.
func pageMarkerFirst(t string) bool {
	if !strings.Contains(t, "1") {
		return false
	}
	low := strings.ToLower(strings.TrimSpace(t))
	for _, p := range []string{"side 1 af ", "side 1/", "page 1 of ", "side 1 / "} {
		if i := strings.Index(low, p); i >= 0 {
			rest := low[i+len(p):]
			return rest != "" && isDigitByte(rest[0])
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// lowerKey lower-cases a short word for a map lookup without allocating when it is ASCII
// already in lower case (the common case); other words go through strings.ToLower.
func lowerKey(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 0x80 || (c >= 'A' && c <= 'Z') {
			return strings.ToLower(w)
		}
	}
	return w
}
