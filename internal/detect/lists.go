package detect

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
)

// The recognizers are data-driven: word lists, context words and category terms are text files
// under data/ (see data/README.md for their origin). The small ones are embedded and parsed by
// New; the long name and street lists are compiled by `go generate` into data/words.tab (see
// wordtable.go) and the automaton of the sensitive terms into data/sensitive.ac (actable.go);
// TestGeneratedTablesUpToDate fails when either is stale.
//
//go:generate go test -run ^TestGeneratedTablesUpToDate$ -update
//go:embed data/cpr.txt data/name.txt data/address.txt data/sensitive.txt data/da_health_terms.txt
//go:embed data/phone.txt data/account.txt
var dataFS embed.FS

//go:embed data/words.tab
var wordsTab string

//go:embed data/sensitive.ac
var sensitiveAC string

func readData(name string) (string, error) {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return "", fmt.Errorf("detect: embedded list %s: %w", name, err)
	}
	return string(b), nil
}

// forEachLine calls fn for every non-empty line of data that is not a comment, trimmed.
func forEachLine(data string, fn func(line string)) {
	for len(data) > 0 {
		var line string
		if i := strings.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, ""
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if line == "" || line[0] == '#' {
			continue
		}
		fn(line)
	}
}

// sectionLine is one line of a sectioned list file ("[section ARGS]" headers).
type sectionLine struct {
	section string // first word of the header, lower case
	arg     string // rest of the header
	line    string
	lineNo  int
}

// parseSections splits a sectioned list file into its lines, each tagged with its section.
func parseSections(name, data string) ([]sectionLine, error) {
	var out []sectionLine
	section, arg := "", ""
	no := 0
	var err error
	forEachLine(data, func(line string) {
		no++
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			f := strings.Fields(line[1 : len(line)-1])
			if len(f) == 0 {
				err = fmt.Errorf("detect: %s: empty section header", name)
				return
			}
			section, arg = strings.ToLower(f[0]), strings.Join(f[1:], " ")
			return
		}
		if section == "" && err == nil {
			err = fmt.Errorf("detect: %s: line %q before any section", name, line)
			return
		}
		out = append(out, sectionLine{section: section, arg: arg, line: line, lineNo: no})
	})
	return out, err
}

// settings are the numbers of a data file's [settings] section: one "NAME VALUE" a line.
type settings map[string]float64

// parseSettings reads the lines of section into settings.
func parseSettings(name string, lines []sectionLine, section string) (settings, error) {
	s := settings{}
	for _, l := range lines {
		if l.section != section {
			continue
		}
		f := strings.Fields(l.line)
		if len(f) != 2 {
			return nil, fmt.Errorf("detect: %s: line %d: want NAME VALUE", name, l.lineNo)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return nil, fmt.Errorf("detect: %s: line %d: %w", name, l.lineNo, err)
		}
		s[f[0]] = v
	}
	return s, nil
}

// need returns the settings named, in order, or an error naming the first one missing.
func (s settings) need(name string, keys ...string) ([]float64, error) {
	out := make([]float64, len(keys))
	for i, k := range keys {
		v, ok := s[k]
		if !ok {
			return nil, fmt.Errorf("detect: %s: setting %q missing", name, k)
		}
		out[i] = v
	}
	return out, nil
}

// wordsOf returns the lower-case entries of section, one a line (phrases keep their spaces).
func wordsOf(lines []sectionLine, section string) []string {
	var out []string
	for _, l := range lines {
		if l.section == section {
			out = append(out, lowerString(strings.Join(strings.Fields(l.line), " ")))
		}
	}
	return out
}

// loadSections reads an embedded data file into its sectioned lines.
// loadSettings reads a recognizer's data file and its [settings] section, and returns the
// values of the keys it needs (in that order) with the file's lines for its other sections.
func loadSettings(name string, keys ...string) ([]float64, []sectionLine, error) {
	lines, err := loadSections(name)
	if err != nil {
		return nil, nil, err
	}
	set, err := parseSettings(name, lines, "settings")
	if err != nil {
		return nil, nil, err
	}
	v, err := set.need(name, keys...)
	return v, lines, err
}

func loadSections(name string) ([]sectionLine, error) {
	data, err := readData(name)
	if err != nil {
		return nil, err
	}
	return parseSections(name, data)
}

// wordSet is a set of lower-case words and two-word phrases, looked up without allocating.
// Entries are normalised as tokens are (tokenizer): each word trimmed of "-._:#".
type wordSet struct {
	words map[string]struct{}
	// lengths[b] has bit L set when an entry of L bytes starts with byte b (a prefilter).
	lengths [256]uint64
}

func newWordSet(entries []string) wordSet {
	ws := wordSet{words: make(map[string]struct{}, len(entries))}
	for _, e := range entries {
		f := strings.Fields(e)
		for i := range f {
			f[i] = normToken(f[i])
		}
		w := strings.Join(f, " ")
		if w == "" || len(w) >= 64 {
			continue
		}
		ws.words[w] = struct{}{}
		ws.lengths[w[0]] |= 1 << len(w)
	}
	return ws
}

// has reports whether the lower-case w is in the set.
func (ws *wordSet) has(w []byte) bool {
	if len(w) == 0 || len(w) >= 64 || ws.lengths[w[0]]&(1<<len(w)) == 0 {
		return false
	}
	_, ok := ws.words[string(w)]
	return ok
}

// hasToken reports whether the token s[ts:te] (any case), or it with the token before it as
// a phrase (s[ps:pe], ps < 0 for none), is in the set.
func (ws *wordSet) hasToken(s string, ps, pe, ts, te int) bool {
	var buf [64]byte
	if n := lowerInto(buf[:], s[ts:te]); n > 0 && ws.has(buf[:n]) {
		return true
	}
	if ps < 0 || pe-ps+1+te-ts > len(buf) {
		return false
	}
	n := lowerInto(buf[:], s[ps:pe])
	buf[n] = ' '
	m := lowerInto(buf[n+1:], s[ts:te])
	return ws.has(buf[:n+1+m])
}

// near reports whether a word or phrase of the set is among the tokens of the line in the
// window bytes before s[pos].
func (ws *wordSet) near(s string, pos, window int) bool {
	ps, pe := -1, -1
	for tk := newTokenizer(s, lineStart(s, pos, window), pos); ; {
		ts, te, ok := tk.next()
		if !ok {
			return false
		}
		if ws.hasToken(s, ps, pe, ts, te) {
			return true
		}
		ps, pe = ts, te
	}
}

// before reports whether the last token before s[pos] on its line, with at most gap bytes of
// blanks and ":.#-" between, is a word of the set (alone or as the end of a phrase).
func (ws *wordSet) before(s string, pos, gap int) bool {
	ls := lineStart(s, pos, 64)
	e := pos
	for e > ls && pos-e < gap && strings.IndexByte(" \t:.#-\u00a0\xc2", s[e-1]) >= 0 {
		e--
	}
	if e == pos && pos > ls && tokenByte(s[pos-1]) {
		return false // glued to the word before
	}
	found := false
	ps, pe := -1, -1
	for tk := newTokenizer(s, ls, e); ; {
		ts, te, ok := tk.next()
		if !ok {
			return found
		}
		found = te >= e-1 && ws.hasToken(s, ps, pe, ts, te) // te < e: a trailing "." trimmed
		ps, pe = ts, te
	}
}

// is reports whether text, trimmed of blanks and ":.#-", is a word or phrase of the set.
func (ws *wordSet) is(text string) bool {
	t := strings.Trim(text, " \t:.#-\u00a0")
	var buf [64]byte
	n := lowerInto(buf[:], t)
	return n > 0 && ws.has(buf[:n])
}

func errNoSection(file, section string) error {
	return fmt.Errorf("detect: %s: section [%s] missing or empty", file, section)
}
