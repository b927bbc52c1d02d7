package detect

import (
	"embed"
	"fmt"
	"strings"
)

// The recognizers are data-driven: word lists, context words and category terms are text files
// under data/ (see data/README.md for their origin). The small ones are embedded and parsed by
// New; the long name and street lists are compiled by `go generate` into data/words.tab (see
// wordtable.go) and the automaton of the sensitive terms into data/sensitive.ac (actable.go);
// TestGeneratedTablesUpToDate fails when either is stale.
//
//go:generate go test -run ^TestGeneratedTablesUpToDate$ -update
//go:embed data/cpr_context.txt data/name_words.txt data/sensitive_da.txt data/da_health_terms.txt
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
