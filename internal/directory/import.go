package directory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/sendevagt/sendevagt/internal/detect"
)

// Report is what an import did. It never holds a value from the file.
type Report struct {
	Source     string
	Imported   int
	Rejected   int
	Mod11      int        // accepted numbers that fail the modulus-11 check
	Rows       []Rejected // the first rejected rows
	More       int        // rejected rows not listed
	Separator  string
	Encoding   string
	ExpiresAt  time.Time
	HasNames   bool
	Duplicates int
}

// Rejected is a row that was not imported: its line and why, never its values.
type Rejected struct {
	Line   int
	Reason string
}

// row is one accepted row (values in memory only: they are hashed and masked).
type row struct {
	email, cpr, name string // cpr: 10 digits
}

// Import is a read export: its accepted rows (see Keys.Entries) and the report.
type Import struct {
	rows   []row
	Report Report
}

// Limits of an import.
const (
	// maxRows is the most rows one file may have.
	maxRows = 200_000
	// maxRejectedShown is the most rejected rows listed in the report.
	maxRejectedShown = 500
)

var (
	emailHeaders = []string{"e-mail", "email", "mail", "e-mailadresse", "emailadresse", "mailadresse", "e-mail-adresse", "e-mail address", "email address"}
	cprHeaders   = []string{"cpr", "cpr-nummer", "cprnummer", "cpr-nr", "cpr-nr.", "cprnr", "cpr nr", "personnummer"}
	nameHeaders  = []string{"navn", "name", "fulde navn", "fuldt navn", "full name"}
)

// Parse reads a CSV export: a header row naming the columns (Danish or English), ';'
// or ',' (or tab) as separator, UTF-8 with or without BOM or windows-1252. Rows that fail are
// reported by line number and reason, never by value. An error means the file as a whole cannot
// be imported; its text is Danish and safe to show.
func Parse(data []byte) (*Import, error) {
	out := &Import{}
	rep := &out.Report
	rep.Encoding = "UTF-8"
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		data = data[3:]
		rep.Encoding = "UTF-8 med BOM"
	} else if !utf8.Valid(data) {
		dec, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil, errors.New("Filens tegnsæt kunne ikke læses. Gem den som UTF-8 og prøv igen.")
		}
		data = dec
		rep.Encoding = "Windows-1252"
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("Filen er tom.")
	}
	sep := detectSeparator(data)
	rep.Separator = map[rune]string{';': "semikolon", ',': "komma", '\t': "tabulator"}[sep]
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, errors.New("Første linje kunne ikke læses som CSV.")
	}
	col := map[string]int{"email": -1, "cpr": -1, "name": -1}
	for i, h := range header {
		h = strings.ToLower(strings.Trim(strings.TrimSpace(h), `"'`))
		for key, names := range map[string][]string{"email": emailHeaders, "cpr": cprHeaders, "name": nameHeaders} {
			for _, n := range names {
				if h == n && col[key] < 0 {
					col[key] = i
				}
			}
		}
	}
	var missing []string
	if col["email"] < 0 {
		missing = append(missing, "e-mail")
	}
	if col["cpr"] < 0 {
		missing = append(missing, "cpr")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("Kolonnen %s mangler. Første linje skal navngive kolonnerne, fx »e-mail;cpr;navn« (også »email«, »mail«, »cpr-nummer«, »personnummer«, »name« godtages).",
			strings.Join(missing, " og "))
	}
	rep.HasNames = col["name"] >= 0
	field := func(rec []string, key string) string {
		if i := col[key]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	reject := func(line int, reason string) {
		rep.Rejected++
		if len(rep.Rows) < maxRejectedShown {
			rep.Rows = append(rep.Rows, Rejected{Line: line, Reason: reason})
		} else {
			rep.More++
		}
	}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				reject(pe.StartLine, "Linjen kunne ikke læses som CSV.")
				continue
			}
			return nil, errors.New("Filen kunne ikke læses som CSV.")
		}
		if n >= maxRows {
			return nil, fmt.Errorf("Filen har mere end %d rækker. Del den op i flere filer.", maxRows)
		}
		if blank(rec) {
			continue
		}
		line, _ := r.FieldPos(0)
		email, cprRaw, name := field(rec, "email"), field(rec, "cpr"), field(rec, "name")
		if reason := checkEmail(email); reason != "" {
			reject(line, reason)
			continue
		}
		cpr, mod11, reason := checkCPR(cprRaw)
		if reason != "" {
			reject(line, reason)
			continue
		}
		if !mod11 {
			rep.Mod11++
		}
		if utf8.RuneCountInString(name) > 200 {
			reject(line, "Navnet er længere end 200 tegn.")
			continue
		}
		out.rows = append(out.rows, row{email: strings.ToLower(email), cpr: cpr, name: name})
	}
	return out, nil
}

// detectSeparator picks the separator that occurs most often outside quotes on the first line.
func detectSeparator(data []byte) rune {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(line) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ';' || r == ',' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// checkEmail returns why an address is not plausible, or "".
func checkEmail(s string) string {
	if s == "" {
		return "E-mailadressen mangler."
	}
	at := strings.LastIndexByte(s, '@')
	if len(s) > 254 || strings.Count(s, "@") != 1 || at < 1 || strings.ContainsAny(s, " \t<>,;\"()[]\\") {
		return "E-mailadressen er ikke gyldig."
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "E-mailadressens domæne er ikke gyldigt."
	}
	if a, err := mail.ParseAddress(s); err != nil || !strings.EqualFold(a.Address, s) {
		return "E-mailadressen er ikke gyldig."
	}
	return ""
}

// checkCPR returns the 10 digits of a CPR number written with or without a dash (or a space)
// after the birth date, whether it passes the modulus-11 check (numbers issued since 2007 need
// not: a failure is only noted), or why it is refused. The CPR rules (the 7th-digit century rule,
// real dates, modulus 11) are detect's: this function only reads the form a person typed.
func checkCPR(s string) (digits string, mod11 bool, reason string) {
	if s == "" {
		return "", false, "CPR-nummeret mangler."
	}
	d := s
	if len(s) == 11 && (s[6] == '-' || s[6] == ' ') {
		d = s[:6] + s[7:]
	}
	if len(d) != 10 {
		return "", false, "CPR-nummeret skal være 10 cifre, med eller uden bindestreg."
	}
	for i := 0; i < 10; i++ {
		if d[i] < '0' || d[i] > '9' {
			return "", false, "CPR-nummeret skal være 10 cifre, med eller uden bindestreg."
		}
	}
	if _, ok := detect.BirthDate(d); !ok {
		return "", false, "CPR-nummerets fødselsdato findes ikke."
	}
	return d, detect.Mod11(d), ""
}

// maskEmail keeps the first and last character of the local part and the domain:
// "jens.hansen@gmail.com" → "j…n@gmail.com".
func maskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	local, domain := []rune(addr[:at]), strings.ToLower(addr[at+1:])
	first, last := string(local[0]), ""
	if len(local) > 1 {
		last = string(local[len(local)-1])
	}
	if isDigitString(first) {
		first = "x"
	}
	if isDigitString(last) {
		last = "x"
	}
	return first + "…" + last + "@" + domain
}

func isDigitString(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// maskInitials keeps the initials of a name: "Søren Ærbø Østergård" → "S. Æ. Ø.".
func maskInitials(name string) string {
	var parts []string
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		parts = append(parts, strings.ToUpper(string(r[0]))+".")
	}
	return strings.Join(parts, " ")
}

var longNumber = regexp.MustCompile(`[0-9][0-9 -]{4,}[0-9]`)

// CleanSource is the uploaded file's name as the directory keeps it: the base name, at most 100
// characters, long numbers (a CPR number in a file name) masked.
func CleanSource(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		name = ""
	}
	name = longNumber.ReplaceAllStringFunc(name, func(s string) string {
		if strings.Count(s, "")-1-strings.Count(s, "-")-strings.Count(s, " ") >= 10 {
			return strings.Repeat("x", len(s))
		}
		return s
	})
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	return name
}

// importLabel is what a directory row keeps about its import: the kind and the time, never the
// uploaded file's name, which may name a citizen ("borgere Birthe Kjær Andersen.csv").
func importLabel(now time.Time) string {
	return "CSV-import " + now.UTC().Format("2.1.2006 kl. 15.04") + " UTC"
}
