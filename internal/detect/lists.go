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
func loadSections(name string) ([]sectionLine, error) {
	data, err := readData(name)
	if err != nil {
		return nil, err
	}
	return parseSections(name, data)
}

// wordBefore reports whether the line before s[pos], ignoring up to gap bytes of blanks and
// ":.#-", ends with one of the lower-case words or phrases (a whole word), and which.
func wordBefore(s string, pos, gap int, words []string) (string, bool) {
	ls := lineStart(s, pos, 64)
	e := pos
	for e > ls && pos-e < gap && strings.IndexByte(" \t:.#-\u00a0\xc2", s[e-1]) >= 0 {
		e--
	}
	var buf [64]byte
	n := lowerInto(buf[:], s[max(ls, e-len(buf)):e])
	if n < 0 {
		return "", false
	}
	w := string(buf[:n])
	for _, c := range words {
		c = strings.TrimRight(c, ".")
		if strings.HasSuffix(w, c) && (len(w) == len(c) || !wordCharBefore(w, len(w)-len(c))) {
			return c, true
		}
	}
	return "", false
}

// wordNear reports whether one of the lower-case words or phrases occurs as a whole word in the
// window bytes of the line before s[pos].
func wordNear(s string, pos, window int, words []string) (string, bool) {
	ls := lineStart(s, pos, window)
	var buf [128]byte
	from := max(ls, pos-min(window, len(buf)))
	for from < pos && s[from]&0xC0 == 0x80 {
		from++ // not inside a rune
	}
	n := lowerInto(buf[:], s[from:pos])
	if n < 0 {
		return "", false
	}
	w := string(buf[:n])
	for _, c := range words {
		for i := 0; ; {
			k := strings.Index(w[i:], c)
			if k < 0 {
				break
			}
			at := i + k
			if !wordCharBefore(w, at) && (at+len(c) == len(w) || letterAt(w, at+len(c)) == 0) {
				return c, true
			}
			i = at + 1
		}
	}
	return "", false
}

func errNoSection(file, section string) error {
	return fmt.Errorf("detect: %s: section [%s] missing or empty", file, section)
}
