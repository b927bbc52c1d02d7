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

// policySection is a fieldset of the policy form.
type policySection struct {
	ID     string
	Legend string
	Intro  string
	Fields []policyField
}

// policyField is one input of the policy form. Name is the policy's YAML path (the input's name
// and the key of its error).
type policyField struct {
	Name    string
	ID      string
	Label   string
	Help    string
	Kind    string // text, textarea, number, checkbox, select, checks
	Value   string
	Checked bool
	Options []policyOption
	Min     string
	Max     string
	Step    string
	Rows    int
	Code    bool // monospace
	Error   string
}

// policyOption is a choice of a select or a checkbox group.
type policyOption struct {
	Value, Label string
	Selected     bool
}

func policyFieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(name)
}

var policyActionOptions = []policyOption{
	{Value: "allow", Label: "Tillad"}, {Value: "warn", Label: "Advarsel"},
	{Value: "secure", Label: "Send som sikker mail"}, {Value: "block", Label: "Blokér"},
}

var policyFailModeOptions = []policyOption{{Value: "warn", Label: "Advarsel"}, {Value: "block", Label: "Blokér"}}

var policyOverrideOptions = []policyOption{
	{Value: policy.OverrideOff, Label: "Nej (Outlooks »Send alligevel«)"},
	{Value: policy.OverrideOptional, Label: "Valgfri begrundelse"},
	{Value: policy.OverrideRequired, Label: "Begrundelse påkrævet"},
}

var policyCategoryLabels = map[string]string{
	"health": "Helbred", "social": "Sociale forhold", "criminal": "Strafbare forhold", "ethnicity": "Race og etnisk oprindelse",
	"political": "Politisk overbevisning", "religion": "Religion og filosofisk overbevisning", "union": "Fagforeningsforhold",
	"sexual": "Seksuelle forhold og orientering", "genetic": "Genetiske data", "biometric": "Biometriske data",
}

var policyStatusOptions = []policyOption{
	{Value: "encrypted", Label: "Krypteret eller beskyttet med adgangskode"},
	{Value: "unscannable", Label: "Kunne ikke læses (fx skannet uden tekst)"},
	{Value: "unsupported", Label: "Filtype der ikke understøttes"},
	{Value: "too_large", Label: "For stor til at blive kontrolleret"},
}

// policyMessageHelp describes each message and the placeholders it may use.
var policyMessageHelp = map[string]struct{ Label, Help string }{
	policy.CodeDifferentCitizen: {"Anden borger end modtageren",
		"Vises når et dokument handler om en anden borger end modtageren. Pladsholdere: {documents} dokumenternes navne, {identifier} maskeret CPR-nummer og initialer, {recipient} modtagerens navn (eller adresse), {page} » side N«, når oplysningerne står på én side."},
	policy.CodeBulkCPR: {"Mange CPR-numre",
		"Vises når mailen indeholder mange forskellige CPR-numre. Pladsholdere: {documents} dokumenternes navne, {count} antal CPR-numre."},
	policy.CodeBulkPersons: {"Mange personer",
		"Vises når mailen indeholder oplysninger om mange forskellige personer (navn med følsomme eller sociale oplysninger, eller CPR-nummer). Pladsholdere: {documents} dokumenternes navne, {count} antal personer."},
	policy.CodeSeveralCitizens: {"Flere eksterne modtagere",
		"Vises når mailen med personoplysninger går til flere eksterne modtagere i Til/Cc. Pladsholdere: {count} antal eksterne modtagere, {identifier} maskerede CPR-numre eller initialer."},
	policy.CodePersonalPlain: {"Personoplysninger uden sikker mail",
		"Vises når personoplysninger går til en ekstern modtager uden sikker mail. Pladsholdere: {documents} dokumenternes navne, {identifier} maskerede CPR-numre eller initialer."},
	policy.CodeUnreadable: {"Vedhæftning kunne ikke læses",
		"Vises når en vedhæftning ikke kunne kontrolleres. Pladsholdere: {documents} dokumenternes navne, {detail} hvorfor de ikke kunne læses."},
	policy.CodeScanFailed: {"Kontrollen fejlede",
		"Vises når Sendevagt ikke kunne kontrollere mailen (fejltilstand). Ingen pladsholdere."},
}

var policySendModeHelp = map[string]string{
	"SoftBlock":  "SoftBlock: en mail, som Sendevagt standser, kan ikke sendes, før den er rettet. Kan tilføjelsesprogrammet ikke indlæses eller svare, sendes mailen alligevel.",
	"Block":      "Block: som SoftBlock, men kan tilføjelsesprogrammet ikke indlæses eller svare, kan mailen slet ikke sendes.",
	"PromptUser": "PromptUser: medarbejderen kan altid vælge »Send alligevel«. Kan tilføjelsesprogrammet ikke indlæses, sendes mailen.",
}

// policyFormValues turns a policy into form values, keyed by YAML path.
func policyFormValues(p *policy.Policy) url.Values {
	v := url.Values{}
	lines := func(xs []string) string { return strings.Join(xs, "\n") }
	flag := func(name string, b bool) {
		if b {
			v.Set(name, "on")
		}
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	v.Set("name", p.Name)
	v.Set("internal_domains", lines(p.InternalDomains))
	v.Set("trusted_domains", lines(p.TrustedDomains))
	v.Set("secure.header.name", p.Secure.Header.Name)
	v.Set("secure.header.value", p.Secure.Header.Value)
	v.Set("secure.subject_tags", lines(p.Secure.SubjectTags))
	flag("secure.smime", p.Secure.SMIME)
	flag("secure.add_subject_tag", p.Secure.AddSubjectTag)
	flag("secure.confirm", p.Secure.Confirm)
	v.Set("secure.sensitivity_label_id", p.Secure.SensitivityLabelID)
	v.Set("personal_data.cpr_min_confidence", num(p.PersonalData.CPRMinConfidence))
	v.Set("personal_data.name_min_confidence", num(p.PersonalData.NameMinConfidence))
	v.Set("personal_data.sensitive_min_confidence", num(p.PersonalData.SensitiveMinConfidence))
	flag("personal_data.name_with_sensitive", p.PersonalData.NameWithSensitive)
	v["personal_data.categories"] = append([]string(nil), p.PersonalData.Categories...)
	v.Set("rules.different_citizen", string(p.Rules.DifferentCitizen))
	v.Set("rules.bulk_cpr.action", string(p.Rules.BulkCPR.Action))
	v.Set("rules.bulk_cpr.threshold", strconv.Itoa(p.Rules.BulkCPR.Threshold))
	v.Set("rules.bulk_persons.action", string(p.Rules.BulkPersons.Action))
	v.Set("rules.bulk_persons.threshold", strconv.Itoa(p.Rules.BulkPersons.Threshold))
	v.Set("rules.several_external_citizens.action", string(p.Rules.SeveralCitizens.Action))
	v.Set("rules.several_external_citizens.threshold", strconv.Itoa(p.Rules.SeveralCitizens.Threshold))
	v.Set("rules.personal_data_unencrypted", string(p.Rules.PersonalDataPlain))
	v.Set("rules.unreadable_attachment.action", string(p.Rules.UnreadableDocument.Action))
	v["rules.unreadable_attachment.statuses"] = append([]string(nil), p.Rules.UnreadableDocument.Statuses...)
	v.Set("fail_mode", string(p.FailMode))
	v.Set("override_reason", p.OverrideReason)
	v.Set("exemptions.senders", lines(p.Exemptions.Senders))
	v.Set("exemptions.recipients", lines(p.Exemptions.Recipients))
	v.Set("exemptions.domains", lines(p.Exemptions.Domains))
	for _, code := range policy.MessageCodes {
		v.Set("messages."+code, p.Messages[code])
	}
	flag("simulation", p.Simulation)
	return v
}

// policySplitLines reads a one-per-line list (commas and semicolons separate too); blanks are dropped.
func policySplitLines(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// policySplitTags reads subject tags, one per line (a tag may contain commas).
func policySplitTags(s string) []string {
	out := []string{}
	for _, f := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// policyFromForm builds a policy from the form's values. Values that are not even numbers are
// reported in errs (Danish, by field); everything else is checked by policy.Validate.
func policyFromForm(v url.Values, errs map[string]string) *policy.Policy {
	p := &policy.Policy{Messages: map[string]string{}}
	on := func(name string) bool { return v.Get(name) != "" }
	conf := func(name string) float64 {
		s := strings.ReplaceAll(strings.TrimSpace(v.Get(name)), ",", ".")
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			errs[name] = "Skriv et tal mellem 0 og 1, fx 0,5."
		}
		return f
	}
	integer := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v.Get(name)))
		if err != nil {
			errs[name] = "Skriv et helt tal."
		}
		return n
	}
	p.Name = strings.TrimSpace(v.Get("name"))
	p.InternalDomains = policySplitLines(v.Get("internal_domains"))
	p.TrustedDomains = policySplitLines(v.Get("trusted_domains"))
	p.Secure.Header.Name = strings.TrimSpace(v.Get("secure.header.name"))
	p.Secure.Header.Value = strings.TrimSpace(v.Get("secure.header.value"))
	p.Secure.SubjectTags = policySplitTags(v.Get("secure.subject_tags"))
	p.Secure.SMIME = on("secure.smime")
	p.Secure.AddSubjectTag = on("secure.add_subject_tag")
	p.Secure.Confirm = on("secure.confirm")
	p.Secure.SensitivityLabelID = strings.TrimSpace(v.Get("secure.sensitivity_label_id"))
	p.PersonalData.CPRMinConfidence = conf("personal_data.cpr_min_confidence")
	p.PersonalData.NameMinConfidence = conf("personal_data.name_min_confidence")
	p.PersonalData.SensitiveMinConfidence = conf("personal_data.sensitive_min_confidence")
	p.PersonalData.NameWithSensitive = on("personal_data.name_with_sensitive")
	p.PersonalData.Categories = append([]string{}, v["personal_data.categories"]...)
	p.Rules.DifferentCitizen = policy.Action(v.Get("rules.different_citizen"))
	p.Rules.BulkCPR.Action = policy.Action(v.Get("rules.bulk_cpr.action"))
	p.Rules.BulkCPR.Threshold = integer("rules.bulk_cpr.threshold")
	p.Rules.BulkPersons.Action = policy.Action(v.Get("rules.bulk_persons.action"))
	p.Rules.BulkPersons.Threshold = integer("rules.bulk_persons.threshold")
	p.Rules.SeveralCitizens.Action = policy.Action(v.Get("rules.several_external_citizens.action"))
	p.Rules.SeveralCitizens.Threshold = integer("rules.several_external_citizens.threshold")
	p.Rules.PersonalDataPlain = policy.Action(v.Get("rules.personal_data_unencrypted"))
	p.Rules.UnreadableDocument.Action = policy.Action(v.Get("rules.unreadable_attachment.action"))
	p.Rules.UnreadableDocument.Statuses = append([]string{}, v["rules.unreadable_attachment.statuses"]...)
	p.FailMode = policy.Action(v.Get("fail_mode"))
	p.OverrideReason = v.Get("override_reason")
	p.Exemptions.Senders = policySplitLines(v.Get("exemptions.senders"))
	p.Exemptions.Recipients = policySplitLines(v.Get("exemptions.recipients"))
	p.Exemptions.Domains = policySplitLines(v.Get("exemptions.domains"))
	for _, code := range policy.MessageCodes {
		p.Messages[code] = strings.TrimSpace(strings.ReplaceAll(v.Get("messages."+code), "\r\n", "\n"))
	}
	p.Simulation = on("simulation")
	return p
}

// policyProblemDa says what is wrong with a field in Danish.
func policyProblemDa(fe *policy.FieldError) string {
	f, val := fe.Field, fe.Value
	switch {
	case f == "internal_domains" || f == "trusted_domains" || f == "exemptions.domains":
		return fmt.Sprintf("»%s« er ikke et domænenavn. Skriv fx aarhus.dk, ét pr. linje.", val)
	case f == "exemptions.senders" || f == "exemptions.recipients":
		return fmt.Sprintf("»%s« er ikke en mailadresse. Skriv fx navn@aarhus.dk, én pr. linje.", val)
	case f == "secure.header.value":
		return "Skal udfyldes, når der er angivet et headernavn."
	case f == "secure.header.name":
		return fmt.Sprintf("»%s« er ikke et gyldigt headernavn (ingen mellemrum eller kolon).", val)
	case f == "secure.subject_tags":
		return "Et emnemærke må ikke være tomt."
	case f == "secure.sensitivity_label_id":
		return fmt.Sprintf("»%s« er ikke et GUID. Skriv det som xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, eller lad feltet være tomt.", val)
	case strings.HasSuffix(f, "_confidence"):
		return "Skal være et tal mellem 0 og 1."
	case f == "personal_data.categories" || f == "rules.unreadable_attachment.statuses":
		return fmt.Sprintf("Ukendt værdi »%s«.", val)
	case f == "rules.bulk_cpr.threshold":
		return "Skal være mindst 1."
	case f == "rules.several_external_citizens.threshold" || f == "rules.bulk_persons.threshold":
		return "Skal være mindst 2."
	case f == "fail_mode":
		return "Vælg Advarsel eller Blokér."
	case f == "override_reason":
		return "Vælg Nej, Valgfri begrundelse eller Begrundelse påkrævet."
	case strings.HasPrefix(f, "rules."):
		return fmt.Sprintf("Ukendt handling »%s«. Vælg Tillad, Advarsel, Send som sikker mail eller Blokér.", val)
	case strings.HasPrefix(f, "messages."):
		if val == "" {
			return "Beskeden må ikke være tom."
		}
		if strings.HasPrefix(val, "{") {
			return fmt.Sprintf("Ukendt pladsholder %s. Brug kun dem, der er nævnt i hjælpeteksten.", val)
		}
		return fmt.Sprintf("Ukendt beskedtype »%s«.", val)
	}
	return fe.Msg
}

// policySections builds the form's fieldsets from values and errors.
func policySections(v url.Values, errs map[string]string) []policySection {
	text := func(name, label, help string) policyField {
		return policyField{Name: name, Label: label, Help: help, Kind: "text", Value: v.Get(name)}
	}
	area := func(name, label, help string, rows int) policyField {
		return policyField{Name: name, Label: label, Help: help, Kind: "textarea", Value: v.Get(name), Rows: rows}
	}
	check := func(name, label, help string) policyField {
		return policyField{Name: name, Label: label, Help: help, Kind: "checkbox", Checked: v.Get(name) != ""}
	}
	number := func(name, label, help, min, max, step string) policyField {
		return policyField{Name: name, Label: label, Help: help, Kind: "number", Value: v.Get(name), Min: min, Max: max, Step: step}
	}
	choose := func(name, label, help string, opts []policyOption) policyField {
		f := policyField{Name: name, Label: label, Help: help, Kind: "select", Value: v.Get(name)}
		for _, o := range opts {
			o.Selected = o.Value == f.Value
			f.Options = append(f.Options, o)
		}
		return f
	}
	checks := func(name, label, help string, opts []policyOption) policyField {
		f := policyField{Name: name, Label: label, Help: help, Kind: "checks"}
		for _, o := range opts {
			o.Selected = policyHas(v[name], o.Value)
			f.Options = append(f.Options, o)
		}
		return f
	}
	var cats []policyOption
	for _, c := range policy.Categories {
		cats = append(cats, policyOption{Value: c, Label: policyCategoryLabels[c]})
	}
	var msgs []policyField
	for _, code := range policy.MessageCodes {
		h := policyMessageHelp[code]
		msgs = append(msgs, area("messages."+code, h.Label, h.Help, 3))
	}
	secs := []policySection{
		{ID: "generelt", Legend: "Generelt", Fields: []policyField{
			text("name", "Politikkens navn", "Et kort navn, der vises i revisionsloggen og versionslisten, fx »Aarhus Kommune 2026«."),
		}},
		{ID: "domaener", Legend: "Domæner", Intro: "Mail til interne og betroede domæner regnes for sikker under transporten og kontrolleres ikke for eksterne modtagere.", Fields: []policyField{
			area("internal_domains", "Interne domæner", "Myndighedens egne domæner, ét pr. linje (fx aarhus.dk). Afsenderens eget domæne er altid internt.", 4),
			area("trusted_domains", "Betroede domæner", "Samarbejdspartnere, der nås med tvungen TLS (fx nabokommuner og regionen), ét pr. linje. Underdomæner er med.", 4),
		}},
		{ID: "sikker-mail", Legend: "Sikker mail", Intro: "Hvornår en mail regnes for sikker (krypteret) mail, og hvordan tilføjelsesprogrammet markerer den.", Fields: []policyField{
			text("secure.header.name", "Headernavn", "Headerfeltet, som transportreglen for sikker mail reagerer på, fx X-Sendevagt-Route. Tomt: ingen header."),
			text("secure.header.value", "Headerværdi", "Værdien i headerfeltet, der betyder sikker mail, fx secure."),
			area("secure.subject_tags", "Emnemærker", "Tekster i emnefeltet, der gør mailen til sikker mail, ét pr. linje, fx [sikker]. Store og små bogstaver er ligegyldige.", 3),
			check("secure.smime", "S/MIME-krypteret mail tæller som sikker mail", "Mail, der er krypteret med S/MIME i Outlook, regnes for sikker."),
			check("secure.add_subject_tag", "Tilføj emnemærke", "Når mailen skal sendes som sikker mail, sætter tilføjelsesprogrammet også det første emnemærke i emnefeltet."),
			check("secure.confirm", "Medarbejderen skal bekræfte", "Når mailen skal sendes som sikker mail, går den først, når medarbejderen vælger »Send som sikker mail«. Ellers markeres mailen og sendes straks."),
			text("secure.sensitivity_label_id", "Følsomhedsmærkat (Purview)", "GUID for en Microsoft Purview-følsomhedsmærkat, som tilføjelsesprogrammet kan sætte på sikker mail, fx 8a2b1c3d-0000-4000-8000-00000000abcd. Tomt: ingen mærkat."),
		}},
		{ID: "personoplysninger", Legend: "Personoplysninger", Intro: "Hvad der tæller som personoplysninger. Sikkerheden er et tal mellem 0 og 1: jo højere, jo færre fund tæller (færre falske alarmer, men flere overså).", Fields: []policyField{
			number("personal_data.cpr_min_confidence", "Mindste sikkerhed for CPR-numre", "Fra hvilken sikkerhed et tal, der ligner et CPR-nummer, tæller som CPR-nummer. Standard 0,5.", "0", "1", "0.05"),
			number("personal_data.name_min_confidence", "Mindste sikkerhed for navne", "Fra hvilken sikkerhed et fundet navn tæller. Standard 0,5.", "0", "1", "0.05"),
			number("personal_data.sensitive_min_confidence", "Mindste sikkerhed for følsomme oplysninger", "Fra hvilken sikkerhed et udsagn i en følsom kategori tæller. Standard 0,5.", "0", "1", "0.05"),
			check("personal_data.name_with_sensitive", "Navn sammen med følsomme oplysninger er personoplysninger", "En persons navn sammen med et udsagn i en af kategorierne nedenfor tæller som personoplysninger, også uden CPR-nummer."),
			checks("personal_data.categories", "Følsomme kategorier, der tæller", "De kategorier af følsomme oplysninger (databeskyttelsesforordningens artikel 9 og 10 og sociale forhold), der tæller.", cats),
		}},
		{ID: "regler", Legend: "Regler", Intro: "Hvad der sker, når en regel slår til over for en ekstern modtager. Den strengeste handling vinder.", Fields: []policyField{
			choose("rules.different_citizen", "Oplysninger om en anden borger end modtageren", "Et dokument handler tydeligt om en anden borger end den eksterne modtager (fx forkert vedhæftning).", policyActionOptions),
			choose("rules.bulk_cpr.action", "Mange CPR-numre", "Mailen indeholder mange forskellige CPR-numre.", policyActionOptions),
			number("rules.bulk_cpr.threshold", "Antal CPR-numre", "Fra så mange forskellige CPR-numre slår reglen til. Mindst 1.", "1", "", "1"),
			choose("rules.bulk_persons.action", "Mange personer", "Mailen indeholder oplysninger om mange forskellige personer (navn med følsomme eller sociale oplysninger, eller CPR-nummer), også uden CPR-numre: fx en borgerliste.", policyActionOptions),
			number("rules.bulk_persons.threshold", "Antal personer", "Fra så mange forskellige personer slår reglen til. Mindst 2.", "2", "", "1"),
			choose("rules.several_external_citizens.action", "Flere eksterne borgere med personoplysninger", "Mailen indeholder personoplysninger og går til flere eksterne borgere i Til/Cc (private mailadresser; ikke fx et advokatfirma eller en myndighed).", policyActionOptions),
			number("rules.several_external_citizens.threshold", "Antal eksterne borgere", "Fra så mange eksterne borgere i Til/Cc slår reglen til. Mindst 2.", "2", "", "1"),
			choose("rules.personal_data_unencrypted", "Personoplysninger uden sikker mail", "Personoplysninger til en ekstern modtager i en mail, der ikke er sikker mail.", policyActionOptions),
			choose("rules.unreadable_attachment.action", "Vedhæftning, der ikke kunne læses", "En vedhæftning til en ekstern modtager kunne ikke kontrolleres.", policyActionOptions),
			checks("rules.unreadable_attachment.statuses", "Hvilke vedhæftninger tæller som ulæselige", "Reglen ovenfor slår til for vedhæftninger med disse tilstande.", policyStatusOptions),
		}},
		{ID: "fejltilstand", Legend: "Fejltilstand", Fields: []policyField{
			choose("fail_mode", "Når kontrollen fejler", "Hvad der sker, hvis Sendevagt ikke kan kontrollere mailen (fx hvis kladden ikke kan hentes). Advarsel lader medarbejderen sende efter at have tjekket selv; Blokér standser mailen.", policyFailModeOptions),
		}},
		{ID: "tilsidesaettelse", Legend: "Send alligevel", Fields: []policyField{
			choose("override_reason", "Begrundelse for at sende trods advarsel", "Påkrævet eller valgfri: Outlooks knap »Send alligevel« erstattes af »Begrund og send«, der åbner Sendevagt-ruden, hvor medarbejderen skriver en kort begrundelse (højst 300 tegn; CPR-numre og navne skjules). Tilsidesættelsen og begrundelsen står i revisionsloggen (årsag »Sendt trods advarsel«). Nej: medarbejderen kan sende direkte fra advarslen, uden at det registreres.", policyOverrideOptions),
		}},
		{ID: "undtagelser", Legend: "Undtagelser", Intro: "Undtagelser gælder straks for alle. Brug dem sparsomt, og skriv i kommentaren hvorfor.", Fields: []policyField{
			area("exemptions.senders", "Undtagne afsendere", "Mailadresser, hvis mail aldrig kontrolleres, én pr. linje. Afgørelsen bliver »tilladt« med begrundelsen »undtaget« i revisionsloggen.", 3),
			area("exemptions.recipients", "Undtagne modtagere", "Mailadresser, der behandles som et betroet domæne (sikker under transporten, ikke ekstern), én pr. linje.", 3),
			area("exemptions.domains", "Undtagne domæner", "Domæner, der behandles som betroede domæner, ét pr. linje. Underdomæner er med.", 3),
		}},
		{ID: "beskeder", Legend: "Beskeder til medarbejderne", Intro: "Teksterne i Outlooks pop-up. Pladsholdere i krøllede parenteser udfyldes af Sendevagt; Outlook viser højst 500 tegn.", Fields: msgs},
		{ID: "simulering", Legend: "Simulering", Fields: []policyField{
			check("simulation", "Simuleringstilstand", "Sendevagt kontrollerer og skriver afgørelsen i revisionsloggen som sædvanlig (markeret som simuleret), men lader altid mailen gå uden at vise noget for medarbejderen. Brug det til at prøve en ny politik af, før den håndhæves."),
		}},
	}
	for i := range secs {
		for j := range secs[i].Fields {
			f := &secs[i].Fields[j]
			f.ID = policyFieldID(f.Name)
			f.Error = errs[f.Name]
			f.Code = f.Kind == "textarea" && !strings.HasPrefix(f.Name, "messages.")
		}
	}
	return secs
}

func policyHas(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
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
	v, err := policyVersionParam(c.Param("v"))
	if err != nil {
		return err
	}
	pv, err := a.policyAt(ctx, v)
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
	v, err := policyVersionParam(c.Param("v"))
	if err != nil {
		return err
	}
	pv, err := a.policyAt(ctx, v)
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
