package admin

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/encoding/charmap"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/cprshape"
	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/scan"
	"github.com/sendevagt/sendevagt/internal/store"
)

// DirectoryStore keeps the citizen directory (package store). Rows hold keyed hashes and masked
// forms only.
type DirectoryStore interface {
	ImportDirectory(ctx context.Context, entries []store.DirectoryEntry) (int, error)
	ListDirectory(ctx context.Context, f store.DirectoryFilter) ([]store.DirectoryEntry, int, error)
	DeleteDirectoryEntry(ctx context.Context, id int64) error
	DeleteDirectoryByEmail(ctx context.Context, emailHash string) (int, error)
	PurgeDirectory(ctx context.Context, before time.Time) (int, error)
	SetDirectoryRetention(ctx context.Context, retention time.Duration) error
	CountDirectory(ctx context.Context) (int, error)
	GetSetting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// DirectoryLookupStore finds directory rows by address hash (package store).
type DirectoryLookupStore interface {
	LookupDirectory(ctx context.Context, emailHashes []string) ([]store.DirectoryEntry, error)
}

// NewDirectoryLookup is the citizen directory as the scan consults it (scan.Options.Directory):
// it hashes the recipients' addresses with h and returns the hashes of the citizens behind them.
func NewDirectoryLookup(st DirectoryLookupStore, h *audit.Hasher) scan.Directory {
	return directoryLookup{st: st, h: h}
}

type directoryLookup struct {
	st DirectoryLookupStore
	h  *audit.Hasher
}

func (d directoryLookup) Lookup(ctx context.Context, addresses []string) (map[string][]scan.DirectoryEntry, error) {
	byHash := make(map[string]string, len(addresses))
	hashes := make([]string, 0, len(addresses))
	for _, a := range addresses {
		h := scan.HashEmail(d.h, a)
		if _, ok := byHash[h]; !ok {
			hashes = append(hashes, h)
		}
		byHash[h] = a
	}
	rows, err := d.st.LookupDirectory(ctx, hashes)
	if err != nil {
		return nil, err
	}
	out := map[string][]scan.DirectoryEntry{}
	for _, r := range rows {
		if a, ok := byHash[r.EmailHash]; ok {
			out[a] = append(out[a], scan.DirectoryEntry{CPRHash: r.CPRHash, NameHash: r.NameHash})
		}
	}
	return out, nil
}

// Directory settings and limits.
const (
	retentionSetting = "directory.retention_days"
	// defaultRetentionDays applies until an administrator sets the retention.
	defaultRetentionDays = 365
	maxRetentionDays     = 3650
	maxDirectoryUpload   = 20 << 20
	maxDirectoryRows     = 200_000
	maxRejectedShown     = 500
	directoryPageSize    = 50
)

func (a *Admin) directoryRoutes(g *echo.Group) {
	if a.cfg.Directory == nil {
		return
	}
	if a.cfg.Hasher == nil {
		a.cfg.Logger.Warn("admin: the citizen directory needs a Hasher; its pages are not mounted")
		return
	}
	g.GET("/directory", a.directoryPage, a.requireAdmin)
	g.POST("/directory/import", a.directoryImport, a.requireAdmin)
	g.POST("/directory/retention", a.directoryRetention, a.requireAdmin)
	g.POST("/directory/delete-by-email", a.directoryDeleteByEmail, a.requireAdmin)
	g.POST("/directory/:id/delete", a.directoryDelete, a.requireAdmin)
}

// PurgeDirectory deletes the directory rows whose retention has run out. The pages call it on
// every view and import; the service should also call it periodically (e.g. hourly).
func (a *Admin) PurgeDirectory(ctx context.Context) (int, error) {
	if a.cfg.Directory == nil {
		return 0, nil
	}
	return a.cfg.Directory.PurgeDirectory(ctx, a.cfg.Now())
}

// directoryView is the page's data.
type directoryView struct {
	Count         int
	RetentionDays int
	Retention     string // the retention field as typed
	Purged        int
	Email         string // the address searched for
	Entries       []store.DirectoryEntry
	Total         int
	Page, Pages   int
	PrevURL       string
	NextURL       string
	Report        *importReport
	Errors        map[string]string // field → message
}

// importReport is what an import did. It never holds a value from the file.
type importReport struct {
	Source     string
	Imported   int
	Rejected   int
	Mod11      int // accepted numbers that fail the modulus-11 check
	Rows       []rejectedRow
	More       int // rejected rows not listed
	Separator  string
	Encoding   string
	ExpiresAt  time.Time
	HasNames   bool
	Duplicates int
}

type rejectedRow struct {
	Line   int
	Reason string
}

func (a *Admin) directoryPage(c echo.Context) error {
	v := &directoryView{Errors: map[string]string{}}
	return a.renderDirectory(c, http.StatusOK, v, "")
}

// renderDirectory fills in the counts, the settings and the list, and renders the page.
func (a *Admin) renderDirectory(c echo.Context, status int, v *directoryView, flash string) error {
	ctx := c.Request().Context()
	n, err := a.PurgeDirectory(ctx)
	if err != nil {
		return err
	}
	v.Purged += n
	if v.RetentionDays, err = a.retentionDays(ctx); err != nil {
		return err
	}
	if v.Retention == "" {
		v.Retention = strconv.Itoa(v.RetentionDays)
	}
	if v.Count, err = a.cfg.Directory.CountDirectory(ctx); err != nil {
		return err
	}
	v.Email = strings.TrimSpace(c.QueryParam("email"))
	v.Page = pageParam(c.QueryParam("side"))
	f := store.DirectoryFilter{Limit: directoryPageSize, Offset: (v.Page - 1) * directoryPageSize}
	if v.Email != "" {
		f.EmailHash = scan.HashEmail(a.cfg.Hasher, v.Email)
	}
	if v.Entries, v.Total, err = a.cfg.Directory.ListDirectory(ctx, f); err != nil {
		return err
	}
	v.Pages = max(1, (v.Total+directoryPageSize-1)/directoryPageSize)
	if v.Page > 1 {
		v.PrevURL = "/admin/directory?" + pageQuery(v.Email, v.Page-1)
	}
	if v.Page < v.Pages {
		v.NextURL = "/admin/directory?" + pageQuery(v.Email, v.Page+1)
	}
	return a.render(c, status, "directory.html", Page{Title: "Borgerregister", Section: "directory", Flash: flash, Data: v})
}

func pageQuery(email string, page int) string {
	q := "side=" + strconv.Itoa(page)
	if email != "" {
		q = "email=" + url.QueryEscape(email) + "&" + q
	}
	return q
}

func (a *Admin) retentionDays(ctx context.Context) (int, error) {
	s, err := a.cfg.Directory.GetSetting(ctx, retentionSetting)
	if errors.Is(err, store.ErrNotFound) {
		return defaultRetentionDays, nil
	}
	if err != nil {
		return 0, err
	}
	d, err := strconv.Atoi(s)
	if err != nil || d < 0 {
		return defaultRetentionDays, nil
	}
	return d, nil
}

func (a *Admin) directoryImport(c echo.Context) error {
	r := c.Request()
	v := &directoryView{Errors: map[string]string{}}
	if r.ContentLength > maxDirectoryUpload+1<<20 {
		return apperr.Errorf(apperr.TooLarge, "Filen er større end %d MB. Del den op i flere filer.", maxDirectoryUpload>>20)
	}
	if r.MultipartForm == nil {
		r.Body = http.MaxBytesReader(c.Response(), r.Body, maxDirectoryUpload+1<<20)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Errorf(apperr.TooLarge, "Filen er større end %d MB. Del den op i flere filer.", maxDirectoryUpload>>20)
		}
		v.Errors["file"] = "Vælg en CSV-fil at importere."
		return a.renderDirectory(c, http.StatusUnprocessableEntity, v, "")
	}
	if fh.Size > maxDirectoryUpload {
		return apperr.Errorf(apperr.TooLarge, "Filen er større end %d MB. Del den op i flere filer.", maxDirectoryUpload>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxDirectoryUpload+1))
	_ = f.Close()
	if err != nil {
		return err
	}
	parsed, err := parseDirectoryCSV(data)
	if err != nil {
		v.Errors["file"] = err.Error()
		return a.renderDirectory(c, http.StatusUnprocessableEntity, v, "")
	}
	ctx := r.Context()
	if _, err := a.PurgeDirectory(ctx); err != nil {
		return err
	}
	days, err := a.retentionDays(ctx)
	if err != nil {
		return err
	}
	now := a.cfg.Now().UTC()
	rep := &parsed.report
	rep.Source = cleanSource(fh.Filename) // shown in this answer only; never stored
	if days > 0 {
		rep.ExpiresAt = now.Add(time.Duration(days) * 24 * time.Hour)
	}
	entries := make([]store.DirectoryEntry, 0, len(parsed.rows))
	seen := map[[2]string]bool{}
	for _, row := range parsed.rows {
		e := store.DirectoryEntry{
			EmailHash: scan.HashEmail(a.cfg.Hasher, row.email), CPRHash: scan.HashCPR(a.cfg.Hasher, row.cpr),
			NameHash: scan.HashName(a.cfg.Hasher, row.name), EmailMasked: maskEmail(row.email),
			NameMasked: maskInitials(row.name), CPRMasked: cprshape.Hidden, Source: importLabel(now),
			ImportedAt: now, ExpiresAt: rep.ExpiresAt,
		}
		k := [2]string{e.EmailHash, e.CPRHash}
		if seen[k] {
			rep.Duplicates++
			continue
		}
		seen[k] = true
		entries = append(entries, e)
	}
	if _, err := a.cfg.Directory.ImportDirectory(ctx, entries); err != nil {
		return err
	}
	rep.Imported = len(parsed.rows)
	v.Report = rep
	flash := fmt.Sprintf("%d rækker importeret, %d afvist.", rep.Imported, rep.Rejected)
	a.cfg.Logger.Info("admin: citizen directory imported", "by", userOf(c).Author(),
		"imported", rep.Imported, "rejected", rep.Rejected)
	return a.renderDirectory(c, http.StatusOK, v, flash)
}

func (a *Admin) directoryRetention(c echo.Context) error {
	raw := strings.TrimSpace(c.FormValue("days"))
	d, err := strconv.Atoi(raw)
	if err != nil || d < 0 || d > maxRetentionDays {
		v := &directoryView{Errors: map[string]string{
			"days": fmt.Sprintf("Angiv et helt antal dage mellem 0 og %d (0 = indtil rækkerne slettes).", maxRetentionDays)},
			Retention: raw}
		return a.renderDirectory(c, http.StatusUnprocessableEntity, v, "")
	}
	ctx := c.Request().Context()
	if err := a.cfg.Directory.SetSetting(ctx, retentionSetting, strconv.Itoa(d)); err != nil {
		return err
	}
	if err := a.cfg.Directory.SetDirectoryRetention(ctx, time.Duration(d)*24*time.Hour); err != nil {
		return err
	}
	return redirect(c, "/admin/directory?"+flashQuery(flashRetentionSet, d))
}

func (a *Admin) directoryDelete(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return badRequest("Ukendt række.")
	}
	if err := a.cfg.Directory.DeleteDirectoryEntry(c.Request().Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Errorf(apperr.NotFound, "Rækken findes ikke (den er måske allerede slettet).")
		}
		return err
	}
	return redirect(c, "/admin/directory?"+flashQuery(flashRowDeleted, 0))
}

func (a *Admin) directoryDeleteByEmail(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	if email == "" {
		return badRequest("Angiv den e-mailadresse, hvis rækker skal slettes.")
	}
	n, err := a.cfg.Directory.DeleteDirectoryByEmail(c.Request().Context(), scan.HashEmail(a.cfg.Hasher, email))
	if err != nil {
		return err
	}
	return redirect(c, "/admin/directory?"+flashQuery(flashRowsDeleted, n))
}

// CSV parsing.

// directoryRow is one accepted row (values in memory only: they are hashed and masked).
type directoryRow struct {
	email, cpr, name string // cpr: 10 digits
}

type parsedDirectory struct {
	rows   []directoryRow
	report importReport
}

var (
	emailHeaders = []string{"e-mail", "email", "mail", "e-mailadresse", "emailadresse", "mailadresse", "e-mail-adresse", "e-mail address", "email address"}
	cprHeaders   = []string{"cpr", "cpr-nummer", "cprnummer", "cpr-nr", "cpr-nr.", "cprnr", "cpr nr", "personnummer"}
	nameHeaders  = []string{"navn", "name", "fulde navn", "fuldt navn", "full name"}
)

// parseDirectoryCSV reads a CSV export: a header row naming the columns (Danish or English), ';'
// or ',' (or tab) as separator, UTF-8 with or without BOM or windows-1252. Rows that fail are
// reported by line number and reason, never by value. An error means the file as a whole cannot
// be imported; its text is Danish and safe to show.
func parseDirectoryCSV(data []byte) (*parsedDirectory, error) {
	out := &parsedDirectory{}
	rep := &out.report
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
			rep.Rows = append(rep.Rows, rejectedRow{Line: line, Reason: reason})
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
		if n >= maxDirectoryRows {
			return nil, fmt.Errorf("Filen har mere end %d rækker. Del den op i flere filer.", maxDirectoryRows)
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
		out.rows = append(out.rows, directoryRow{email: strings.ToLower(email), cpr: cpr, name: name})
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

// cleanSource is the uploaded file's name as the directory keeps it: the base name, at most 100
// characters, long numbers (a CPR number in a file name) masked.
func cleanSource(name string) string {
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
