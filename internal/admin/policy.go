package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/store"
)

// PolicyStore keeps policy versions (package store).
type PolicyStore interface {
	// LatestPolicy returns the newest version, or an error wrapping store.ErrNotFound when none
	// was saved (the built-in default is in force).
	LatestPolicy(ctx context.Context) (store.PolicyVersion, error)
	// SavePolicy stores yaml as the next version and returns it.
	SavePolicy(ctx context.Context, yaml []byte, author, comment string) (store.PolicyVersion, error)
	// ListPolicies returns every version, newest first.
	ListPolicies(ctx context.Context) ([]store.PolicyVersion, error)
	// GetPolicy returns one version, or an error wrapping store.ErrNotFound.
	GetPolicy(ctx context.Context, version int) (store.PolicyVersion, error)
}

// maxPolicyBytes bounds an imported policy file.
const maxPolicyBytes = 256 << 10

// maxPolicyComment bounds the comment of a policy version.
const maxPolicyComment = 500

func (a *Admin) policyRoutes(g *echo.Group) {
	if a.cfg.Policies == nil {
		return
	}
	g.GET("/policy", a.policyPage, a.requireAdmin)
	g.POST("/policy", a.policySave, a.requireAdmin)
	g.GET("/policy/versions", a.policyVersions, a.requireAdmin)
	g.GET("/policy/versions/:v", a.policyVersion, a.requireAdmin)
	g.POST("/policy/versions/:v/restore", a.policyRestore, a.requireAdmin)
	g.GET("/policy/export", a.policyExport, a.requireAdmin)
	g.GET("/policy/import", a.policyImportPage, a.requireAdmin)
	g.POST("/policy/import", a.policyImport, a.requireAdmin)
}

// policyDefaultVersion is "version 0": the built-in policy, in force while none is saved.
func policyDefaultVersion() store.PolicyVersion {
	return store.PolicyVersion{Version: 0, YAML: policy.DefaultYAML(), Comment: "Standard"}
}

// currentPolicy returns the version in force (version 0 when none is saved).
func (a *Admin) currentPolicy(ctx context.Context) (store.PolicyVersion, error) {
	pv, err := a.cfg.Policies.LatestPolicy(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return policyDefaultVersion(), nil
	}
	return pv, err
}

// policyAt returns version v (0: the built-in default); an unknown version is a 404.
func (a *Admin) policyAt(ctx context.Context, v int) (store.PolicyVersion, error) {
	if v == 0 {
		return policyDefaultVersion(), nil
	}
	pv, err := a.cfg.Policies.GetPolicy(ctx, v)
	if errors.Is(err, store.ErrNotFound) {
		return store.PolicyVersion{}, apperr.Errorf(apperr.NotFound, "Politikken findes ikke i version %d.", v)
	}
	return pv, err
}

// policyOfPath returns the version the path names (:v) and the policy saved as it.
func (a *Admin) policyOfPath(c echo.Context) (int, store.PolicyVersion, error) {
	v, err := policyVersionParam(c.Param("v"))
	if err != nil {
		return 0, store.PolicyVersion{}, err
	}
	pv, err := a.policyAt(c.Request().Context(), v)
	return v, pv, err
}

// policyVersionParam reads a version number from the path or query.
func policyVersionParam(s string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 {
		return 0, apperr.Errorf(apperr.NotFound, "%q er ikke et versionsnummer.", s)
	}
	return v, nil
}

// ---- the form ----

// policyFormData is the policy page's data.
type policyFormData struct {
	Version  store.PolicyVersion // the version in force
	Base     int                 // the version the form was opened on
	Sections []policySection
	Comment  policyField
	SendMode string
	// SendModeHelp explains the manifest's send mode.
	SendModeHelp string
	Simulation   bool // the policy in force is in simulation mode
	Errors       int  // number of fields with errors
}

var policySendModeHelp = map[string]string{
	"SoftBlock":  "SoftBlock: en mail, som Sendevagt standser, kan ikke sendes, før den er rettet. Kan tilføjelsesprogrammet ikke indlæses eller svare, sendes mailen alligevel.",
	"Block":      "Block: som SoftBlock, men kan tilføjelsesprogrammet ikke indlæses eller svare, kan mailen slet ikke sendes.",
	"PromptUser": "PromptUser: medarbejderen kan altid vælge »Send alligevel«. Kan tilføjelsesprogrammet ikke indlæses, sendes mailen.",
}

// renderPolicyForm shows the form with values and errors.
func (a *Admin) renderPolicyForm(c echo.Context, status int, cur store.PolicyVersion, base int, v url.Values, errs map[string]string, problem string) error {
	pol, err := policy.Parse(cur.YAML)
	sim := err == nil && pol.Simulation
	d := policyFormData{
		Version: cur, Base: base, Sections: policySections(v, errs), SendMode: a.cfg.SendMode,
		Simulation: sim, Errors: len(errs),
		Comment: policyField{Name: "comment", ID: "f-comment", Label: "Kommentar til ændringen",
			Help: "Skriv kort hvad der er ændret og hvorfor. Kommentaren gemmes med versionen og din konto.",
			Kind: "textarea", Rows: 2, Value: v.Get("comment"), Error: errs["comment"]},
	}
	if d.SendMode == "" {
		d.SendMode = "SoftBlock"
	}
	d.SendModeHelp = policySendModeHelp[d.SendMode]
	if problem == "" && len(errs) > 0 {
		problem = fmt.Sprintf("Politikken blev ikke gemt: %d felter skal rettes. Se markeringerne ved felterne.", len(errs))
	}
	return a.render(c, status, "policy.html", Page{Title: "Politik", Section: "policy", Error: problem, Data: d})
}

func (a *Admin) policyPage(c echo.Context) error {
	ctx := c.Request().Context()
	cur, err := a.currentPolicy(ctx)
	if err != nil {
		return err
	}
	pol, err := policy.Parse(cur.YAML)
	problem := ""
	if err != nil {
		// A saved version the program no longer accepts (Live keeps the previous one in force):
		// show the default to start from.
		a.cfg.Logger.Warn("saved policy does not parse", "version", cur.Version, "error", err.Error())
		problem = fmt.Sprintf("Version %d kan ikke læses af denne version af Sendevagt; formularen viser standardpolitikken.", cur.Version)
		pol = policy.Default()
	}
	return a.renderPolicyForm(c, http.StatusOK, cur, cur.Version, policyFormValues(pol), map[string]string{}, problem)
}

func (a *Admin) policySave(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return badRequest("Formularen kunne ikke læses.")
	}
	cur, err := a.currentPolicy(ctx)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	p := policyFromForm(form, errs)
	for _, fe := range p.Validate() {
		if _, done := errs[fe.Field]; !done {
			errs[fe.Field] = policyProblemDa(fe)
		}
	}
	comment := strings.TrimSpace(form.Get("comment"))
	switch {
	case comment == "":
		errs["comment"] = "Skriv en kommentar til ændringen."
	case len([]rune(comment)) > maxPolicyComment:
		errs["comment"] = fmt.Sprintf("Kommentaren må højst være %d tegn.", maxPolicyComment)
	}
	base, _ := strconv.Atoi(form.Get("base"))
	if len(errs) > 0 {
		return a.renderPolicyForm(c, http.StatusBadRequest, cur, base, form, errs, "")
	}
	if base != cur.Version {
		// Someone saved meanwhile: show the form again (the input kept) so the admin can look
		// at the newer version first; saving once more overwrites it.
		return a.renderPolicyForm(c, http.StatusConflict, cur, cur.Version, form, errs,
			fmt.Sprintf("Politikken er ændret, mens du redigerede den: version %d er gemt af %s %s. Se ændringen under Versioner, eller gem igen for at erstatte den med din udgave.",
				cur.Version, cur.Author, cur.Created.In(copenhagen).Format("02-01-2006 15:04")))
	}
	data, err := p.Encode()
	if err != nil {
		return err
	}
	if _, err := policy.Parse(data); err != nil {
		// Validate and Parse disagree: a bug, not the admin's fault.
		return fmt.Errorf("admin: encoded policy does not parse: %w", err)
	}
	saved, err := a.cfg.Policies.SavePolicy(ctx, data, userOf(c).Author(), comment)
	if err != nil {
		return err
	}
	a.cfg.Logger.Info("policy saved", "version", saved.Version, "author", saved.Author)
	return redirect(c, "/admin/policy?"+flashQuery(flashPolicySaved, saved.Version))
}

func policySavedMessage(v int) string {
	return fmt.Sprintf("Politikken er gemt som version %d. Den træder i kraft på alle servere inden for få sekunder.", v)
}

// ---- versions ----

type policyVersionRow struct {
	store.PolicyVersion
	Current bool
}

type policyVersionsData struct {
	Versions []policyVersionRow
	Default  store.PolicyVersion
	None     bool // no version saved: the default is in force
}

func (a *Admin) policyVersions(c echo.Context) error {
	list, err := a.cfg.Policies.ListPolicies(c.Request().Context())
	if err != nil {
		return err
	}
	d := policyVersionsData{Default: policyDefaultVersion(), None: len(list) == 0}
	for i, p := range list {
		d.Versions = append(d.Versions, policyVersionRow{PolicyVersion: p, Current: i == 0})
	}
	return a.render(c, http.StatusOK, "policy_versions.html", Page{Title: "Politikkens versioner", Section: "policy", Data: d})
}

// policyDiffLine is one line of a rendered diff.
type policyDiffLine struct {
	Class string // add, del, ctx, or "" for a hunk header
	Text  string
}

type policyVersionData struct {
	Version  store.PolicyVersion
	Current  bool
	Against  int
	Others   []store.PolicyVersion // versions to compare with
	Lines    []string              // the YAML
	Diff     []policyDiffLine
	Same     bool
	Problems []string // why this version does not parse now (then it cannot be restored)
}

// policyYAMLForDiff is a version's YAML as compared: the policy it means, written the way the
// editor writes it (every field, no comments), so versions saved from a short file, from the
// form or by an import differ only where a setting changed. A version that no longer parses
// is compared as stored.
func policyYAMLForDiff(pv store.PolicyVersion) string {
	p := policy.Default()
	if pv.Version != 0 {
		var err error
		if p, err = policy.Parse(pv.YAML); err != nil {
			return string(pv.YAML)
		}
	}
	if b, err := p.Encode(); err == nil {
		return string(b)
	}
	return string(pv.YAML)
}

// policyUnifiedDiff renders the line diff from old to new with three lines of context.
func policyUnifiedDiff(oldName, newName, old, new string) ([]policyDiffLine, error) {
	if !strings.HasSuffix(old, "\n") && old != "" {
		old += "\n"
	}
	if !strings.HasSuffix(new, "\n") && new != "" {
		new += "\n"
	}
	u, err := udiff.ToUnifiedDiff(oldName, newName, old, udiff.Lines(old, new), udiff.DefaultContextLines)
	if err != nil {
		return nil, err
	}
	var out []policyDiffLine
	if len(u.Hunks) > 0 {
		out = append(out, policyDiffLine{Class: "del", Text: "--- " + oldName}, policyDiffLine{Class: "add", Text: "+++ " + newName})
	}
	for _, h := range u.Hunks {
		var dels, adds int
		for _, l := range h.Lines {
			switch l.Kind {
			case udiff.Delete:
				dels++
			case udiff.Insert:
				adds++
			default:
				dels++
				adds++
			}
		}
		out = append(out, policyDiffLine{Class: "ctx", Text: fmt.Sprintf("@@ -%s +%s @@", policyHunkRange(h.FromLine, dels), policyHunkRange(h.ToLine, adds))})
		for _, l := range h.Lines {
			text := strings.TrimSuffix(l.Content, "\n")
			switch l.Kind {
			case udiff.Delete:
				out = append(out, policyDiffLine{Class: "del", Text: "-" + text})
			case udiff.Insert:
				out = append(out, policyDiffLine{Class: "add", Text: "+" + text})
			default:
				out = append(out, policyDiffLine{Class: "ctx", Text: " " + text})
			}
		}
	}
	return out, nil
}

func policyHunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start-1)
	}
	if n == 1 {
		return strconv.Itoa(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

func policyVersionName(v int) string {
	if v == 0 {
		return "standard"
	}
	return "version " + strconv.Itoa(v)
}

func (a *Admin) policyVersion(c echo.Context) error {
	ctx := c.Request().Context()
	v, pv, err := a.policyOfPath(c)
	if err != nil {
		return err
	}
	against := v - 1
	if s := c.QueryParam("against"); s != "" {
		if against, err = policyVersionParam(s); err != nil {
			return badRequest("%q er ikke et versionsnummer.", s)
		}
	}
	if against < 0 {
		against = 0
	}
	list, err := a.cfg.Policies.ListPolicies(ctx)
	if err != nil {
		return err
	}
	d := policyVersionData{Version: pv, Against: against, Current: len(list) > 0 && list[0].Version == v || len(list) == 0 && v == 0}
	for _, p := range list {
		if p.Version != v {
			d.Others = append(d.Others, p)
		}
	}
	if v != 0 {
		d.Others = append(d.Others, policyDefaultVersion())
	}
	d.Lines = strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(pv.YAML), "\r\n", "\n"), "\n"), "\n")
	if against != v {
		old, err := a.policyAt(ctx, against)
		if err != nil {
			return err
		}
		if d.Diff, err = policyUnifiedDiff(policyVersionName(against), policyVersionName(v), policyYAMLForDiff(old), policyYAMLForDiff(pv)); err != nil {
			return err
		}
		d.Same = len(d.Diff) == 0
	}
	if _, err := policy.Parse(pv.YAML); err != nil {
		d.Problems = policyImportProblems(err)
	}
	title := fmt.Sprintf("Politik version %d", v)
	if v == 0 {
		title = "Standardpolitikken"
	}
	return a.render(c, http.StatusOK, "policy_version.html", Page{Title: title, Section: "policy", Data: d})
}

func (a *Admin) policyRestore(c echo.Context) error {
	ctx := c.Request().Context()
	v, pv, err := a.policyOfPath(c)
	if err != nil {
		return err
	}
	if _, err := policy.Parse(pv.YAML); err != nil {
		return badRequest("Version %d kan ikke gendannes, fordi denne version af Sendevagt ikke kan læse den: %s", v, strings.Join(policyImportProblems(err), " "))
	}
	comment := fmt.Sprintf("Gendannet fra version %d", v)
	if v == 0 {
		comment = "Gendannet fra standardpolitikken"
	}
	if extra := strings.TrimSpace(c.FormValue("comment")); extra != "" {
		if len([]rune(extra)) > maxPolicyComment {
			return badRequest("Kommentaren må højst være %d tegn.", maxPolicyComment)
		}
		comment += ": " + extra
	}
	saved, err := a.cfg.Policies.SavePolicy(ctx, pv.YAML, userOf(c).Author(), comment)
	if err != nil {
		return err
	}
	a.cfg.Logger.Info("policy restored", "version", saved.Version, "from", v, "author", saved.Author)
	return redirect(c, "/admin/policy/versions?"+flashQuery(flashPolicySaved, saved.Version))
}

// ---- export and import ----

func (a *Admin) policyExport(c echo.Context) error {
	ctx := c.Request().Context()
	var (
		pv  store.PolicyVersion
		err error
	)
	if s := c.QueryParam("version"); s != "" {
		v, perr := policyVersionParam(s)
		if perr != nil {
			return perr
		}
		pv, err = a.policyAt(ctx, v)
	} else {
		pv, err = a.currentPolicy(ctx)
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sendevagt-politik-v%d.yaml"`, pv.Version))
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", pv.YAML)
}

type policyImportData struct {
	YAML     string
	Comment  string
	Problems []string
	Errors   map[string]string
}

func (a *Admin) policyImportPage(c echo.Context) error {
	return a.render(c, http.StatusOK, "policy_import.html", Page{Title: "Importér politik", Section: "policy",
		Data: policyImportData{Errors: map[string]string{}}})
}

// policyImportProblems lists a Parse error's problems in Danish, with their lines.
func policyImportProblems(err error) []string {
	var out []string
	for _, fe := range policy.Problems(err) {
		msg := policyProblemDa(fe)
		if fe.Line > 0 {
			out = append(out, fmt.Sprintf("Linje %d: %s: %s", fe.Line, fe.Field, msg))
		} else {
			out = append(out, fe.Field+": "+msg)
		}
	}
	if len(out) == 0 && err != nil {
		// A YAML syntax error or an unknown field: yaml names the line.
		msg := strings.TrimPrefix(err.Error(), policy.ErrInvalid.Error()+": ")
		msg = strings.TrimPrefix(msg, "yaml: ")
		msg = strings.Replace(msg, "unmarshal errors:\n", "", 1)
		for _, l := range strings.Split(msg, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, "YAML-fejl: "+strings.Replace(l, "line ", "linje ", 1))
			}
		}
	}
	return out
}

func (a *Admin) policyImport(c echo.Context) error {
	ctx := c.Request().Context()
	d := policyImportData{Errors: map[string]string{}}
	d.YAML = strings.ReplaceAll(c.FormValue("yaml"), "\r\n", "\n")
	d.Comment = strings.TrimSpace(c.FormValue("comment"))
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		if fh.Size > maxPolicyBytes {
			d.Errors["file"] = fmt.Sprintf("Filen er for stor (højst %d KB).", maxPolicyBytes>>10)
		} else {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			b, err := io.ReadAll(io.LimitReader(f, maxPolicyBytes+1))
			_ = f.Close()
			if err != nil {
				return err
			}
			d.YAML = strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	} else if err != nil && !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		return badRequest("Filen kunne ikke læses.")
	}
	switch {
	case len(d.Errors) > 0:
	case strings.TrimSpace(d.YAML) == "":
		d.Errors["yaml"] = "Indsæt politikken som YAML, eller vælg en fil."
	case len(d.YAML) > maxPolicyBytes:
		d.Errors["yaml"] = fmt.Sprintf("Politikken er for stor (højst %d KB).", maxPolicyBytes>>10)
	default:
		if _, err := policy.Parse([]byte(d.YAML)); err != nil {
			d.Problems = policyImportProblems(err)
			d.Errors["yaml"] = "Politikken er ikke gyldig. Ret fejlene, der er vist ovenfor."
		}
	}
	switch {
	case d.Comment == "":
		d.Errors["comment"] = "Skriv en kommentar til importen."
	case len([]rune(d.Comment)) > maxPolicyComment:
		d.Errors["comment"] = fmt.Sprintf("Kommentaren må højst være %d tegn.", maxPolicyComment)
	}
	if len(d.Errors) > 0 {
		return a.render(c, http.StatusBadRequest, "policy_import.html", Page{Title: "Importér politik", Section: "policy",
			Error: "Politikken blev ikke importeret.", Data: d})
	}
	saved, err := a.cfg.Policies.SavePolicy(ctx, []byte(d.YAML), userOf(c).Author(), d.Comment)
	if err != nil {
		return err
	}
	a.cfg.Logger.Info("policy imported", "version", saved.Version, "author", saved.Author)
	return redirect(c, "/admin/policy?"+flashQuery(flashPolicySaved, saved.Version))
}
