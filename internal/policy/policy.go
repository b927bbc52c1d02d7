// Package policy is the authority's policy, as data, and its evaluation into a verdict with
// reasons. The default policy (default.yaml, embedded) follows the rules the data protection
// officer signs off: block data about a different citizen, bulk CPR numbers and mail to several
// citizens at once; force secure mail for personal data to external recipients; warn when an
// attachment could not be read.
package policy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Action is what happens to a message.
type Action string

const (
	Allow  Action = "allow"
	Warn   Action = "warn"
	Secure Action = "secure"
	Block  Action = "block"
)

// severity orders actions: block > secure > warn > allow.
func (a Action) severity() int {
	switch a {
	case Warn:
		return 1
	case Secure:
		return 2
	case Block:
		return 3
	}
	return 0
}

// Worse returns the more severe of two actions.
func Worse(a, b Action) Action {
	if b.severity() > a.severity() {
		return b
	}
	return a
}

func (a Action) valid() bool {
	switch a {
	case Allow, Warn, Secure, Block:
		return true
	}
	return false
}

// Policy is one version of the authority's policy.
//
// Besides its YAML name every field carries what the admin page's form shows for it, in
// Danish: label and help; form (the input: text, textarea, number, checkbox, select or checks,
// with rows=, min=, max=, step=, options= naming a set of choices, lines for one value per
// line); invalid (the message for a value Validate refuses, %s the value); section, legend and
// intro on the first field of a fieldset. A struct used more than once (ThresholdRule) gets
// its fields' texts from the using field as label.<field>, help.<field> and form.<field>. The
// form shows the fields in this order.
type Policy struct {
	Name string `yaml:"name" section:"generelt" legend:"Generelt" label:"Politikkens navn" help:"Et kort navn, der vises i revisionsloggen og versionslisten, fx »Aarhus Kommune 2026«." form:"text"`
	// InternalDomains are the authority's own domains; the sender's domain is always internal.
	InternalDomains []string `yaml:"internal_domains" section:"domaener" legend:"Domæner" intro:"Mail til interne og betroede domæner regnes for sikker under transporten og kontrolleres ikke for eksterne modtagere." label:"Interne domæner" help:"Myndighedens egne domæner, ét pr. linje (fx aarhus.dk). Afsenderens eget domæne er altid internt." form:"textarea,rows=4" invalid:"»%s« er ikke et domænenavn. Skriv fx aarhus.dk, ét pr. linje."`
	// TrustedDomains are partners reached over enforced TLS: mail to them is secure in transport.
	TrustedDomains []string  `yaml:"trusted_domains" label:"Betroede domæner" help:"Samarbejdspartnere, der nås med tvungen TLS (fx nabokommuner og regionen), ét pr. linje. Underdomæner er med." form:"textarea,rows=4" invalid:"»%s« er ikke et domænenavn. Skriv fx aarhus.dk, ét pr. linje."`
	Secure         Markings  `yaml:"secure" section:"sikker-mail" legend:"Sikker mail" intro:"Hvornår en mail regnes for sikker (krypteret) mail, og hvordan tilføjelsesprogrammet markerer den."`
	PersonalData   Detection `yaml:"personal_data" section:"personoplysninger" legend:"Personoplysninger" intro:"Hvad der tæller som personoplysninger. Sikkerheden er et tal mellem 0 og 1: jo højere, jo færre fund tæller (færre falske alarmer, men flere overså)."`
	Rules          Rules     `yaml:"rules" section:"regler" legend:"Regler" intro:"Hvad der sker, når en regel slår til over for en ekstern modtager. Den strengeste handling vinder."`
	// FailMode is the action when the scan itself fails (warn or block).
	FailMode Action `yaml:"fail_mode" section:"fejltilstand" legend:"Fejltilstand" label:"Når kontrollen fejler" help:"Hvad der sker, hvis Sendevagt ikke kan kontrollere mailen (fx hvis kladden ikke kan hentes). Advarsel lader medarbejderen sende efter at have tjekket selv; Blokér standser mailen." form:"select,options=fail_mode"`
	// OverrideReason is whether sending despite a warning asks for a justification: off (the
	// Send dialog's Send Anyway), optional or required (the task pane asks; the override is
	// audited with the masked justification).
	OverrideReason string `yaml:"override_reason" section:"tilsidesaettelse" legend:"Send alligevel" label:"Begrundelse for at sende trods advarsel" help:"Påkrævet eller valgfri: Outlooks knap »Send alligevel« erstattes af »Begrund og send«, der åbner Sendevagt-ruden, hvor medarbejderen skriver en kort begrundelse (højst 300 tegn; CPR-numre og navne skjules). Tilsidesættelsen og begrundelsen står i revisionsloggen (årsag »Sendt trods advarsel«). Nej: medarbejderen kan sende direkte fra advarslen, uden at det registreres." form:"select,options=override_reason"`
	// Exemptions are senders never checked, and recipients treated like trusted domains.
	Exemptions Exemptions `yaml:"exemptions" section:"undtagelser" legend:"Undtagelser" intro:"Undtagelser gælder straks for alle. Brug dem sparsomt, og skriv i kommentaren hvorfor."`
	// Messages are the Danish texts shown to the employee, by reason code. Placeholders:
	// {documents}, {identifier}, {count}, {recipient}, {detail} (see Placeholders). The form
	// has one field per code (options=messages: each code's label and help).
	Messages map[string]string `yaml:"messages" section:"beskeder" legend:"Beskeder til medarbejderne" intro:"Teksterne i Outlooks pop-up. Pladsholdere i krøllede parenteser udfyldes af Sendevagt; Outlook viser højst 500 tegn." form:"textarea,rows=3,options=messages" invalid:"Ukendt pladsholder %s. Brug kun dem, der er nævnt i hjælpeteksten." empty:"Beskeden må ikke være tom." unknown:"Ukendt beskedtype »%s«."`
	// Simulation: decide and audit as usual, but always let the mail go (the audit event is
	// marked simulated and keeps the real action). For introducing a policy safely.
	Simulation bool `yaml:"simulation" section:"simulering" legend:"Simulering" label:"Simuleringstilstand" help:"Sendevagt kontrollerer og skriver afgørelsen i revisionsloggen som sædvanlig (markeret som simuleret), men lader altid mailen gå uden at vise noget for medarbejderen. Brug det til at prøve en ny politik af, før den håndhæves." form:"checkbox"`
}

// Exemptions are exceptions from the rules.
type Exemptions struct {
	// Senders (addresses) whose mail is never checked: the verdict is allow with reason "exempt".
	Senders []string `yaml:"senders" label:"Undtagne afsendere" help:"Mailadresser, hvis mail aldrig kontrolleres, én pr. linje. Afgørelsen bliver »tilladt« med begrundelsen »undtaget« i revisionsloggen." form:"textarea,rows=3" invalid:"»%s« er ikke en mailadresse. Skriv fx navn@aarhus.dk, én pr. linje."`
	// Recipients (addresses) treated like a trusted domain: secure in transport, not external.
	Recipients []string `yaml:"recipients" label:"Undtagne modtagere" help:"Mailadresser, der behandles som et betroet domæne (sikker under transporten, ikke ekstern), én pr. linje." form:"textarea,rows=3" invalid:"»%s« er ikke en mailadresse. Skriv fx navn@aarhus.dk, én pr. linje."`
	// Domains treated like trusted domains (subdomains included).
	Domains []string `yaml:"domains" label:"Undtagne domæner" help:"Domæner, der behandles som betroede domæner, ét pr. linje. Underdomæner er med." form:"textarea,rows=3" invalid:"»%s« er ikke et domænenavn. Skriv fx aarhus.dk, ét pr. linje."`
}

// Markings say when a message counts as secure (encrypted) mail.
type Markings struct {
	Header      Header   `yaml:"header"`
	SubjectTags []string `yaml:"subject_tags" label:"Emnemærker" help:"Tekster i emnefeltet, der gør mailen til sikker mail, ét pr. linje, fx [sikker]. Store og små bogstaver er ligegyldige." form:"textarea,rows=3,lines" invalid:"Et emnemærke må ikke være tomt."`
	SMIME       bool     `yaml:"smime" label:"S/MIME-krypteret mail tæller som sikker mail" help:"Mail, der er krypteret med S/MIME i Outlook, regnes for sikker." form:"checkbox"`
	// AddSubjectTag: when the verdict is secure, the add-in also puts the first subject tag in
	// the subject (for transport rules on the subject, and so the employee sees it).
	AddSubjectTag bool `yaml:"add_subject_tag" label:"Tilføj emnemærke" help:"Når mailen skal sendes som sikker mail, sætter tilføjelsesprogrammet også det første emnemærke i emnefeltet." form:"checkbox"`
	// Confirm: when the verdict is secure, the mail does not go until the employee chooses "Send
	// som sikker mail"; otherwise the add-in marks it secure and lets it go at once.
	Confirm bool `yaml:"confirm" label:"Medarbejderen skal bekræfte" help:"Når mailen skal sendes som sikker mail, går den først, når medarbejderen vælger »Send som sikker mail«. Ellers markeres mailen og sendes straks." form:"checkbox"`
	// SensitivityLabelID is a Microsoft Purview sensitivity label (a GUID) the add-in may apply
	// when the verdict is secure; empty for none.
	SensitivityLabelID string `yaml:"sensitivity_label_id" label:"Følsomhedsmærkat (Purview)" help:"GUID for en Microsoft Purview-følsomhedsmærkat, som tilføjelsesprogrammet kan sætte på sikker mail, fx 8a2b1c3d-0000-4000-8000-00000000abcd. Tomt: ingen mærkat." form:"text" invalid:"»%s« er ikke et GUID. Skriv det som xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, eller lad feltet være tomt."`
}

// Header is a header field and the value that marks a message secure.
type Header struct {
	Name  string `yaml:"name" label:"Headernavn" help:"Headerfeltet, som transportreglen for sikker mail reagerer på, fx X-Sendevagt-Route. Tomt: ingen header." form:"text" invalid:"»%s« er ikke et gyldigt headernavn (ingen mellemrum eller kolon)."`
	Value string `yaml:"value" label:"Headerværdi" help:"Værdien i headerfeltet, der betyder sikker mail, fx secure." form:"text" invalid:"Skal udfyldes, når der er angivet et headernavn."`
}

// Detection says which findings count as personal data.
type Detection struct {
	// CPRMinConfidence is the confidence from which a CPR-shaped number counts as a CPR number.
	CPRMinConfidence float64 `yaml:"cpr_min_confidence" label:"Mindste sikkerhed for CPR-numre" help:"Fra hvilken sikkerhed et tal, der ligner et CPR-nummer, tæller som CPR-nummer. Standard 0,5." form:"number,min=0,max=1,step=0.05"`
	// NameMinConfidence is the confidence from which a name counts.
	NameMinConfidence float64 `yaml:"name_min_confidence" label:"Mindste sikkerhed for navne" help:"Fra hvilken sikkerhed et fundet navn tæller. Standard 0,5." form:"number,min=0,max=1,step=0.05"`
	// SensitiveMinConfidence is the confidence from which a sensitive term counts.
	SensitiveMinConfidence float64 `yaml:"sensitive_min_confidence" label:"Mindste sikkerhed for følsomme oplysninger" help:"Fra hvilken sikkerhed et udsagn i en følsom kategori tæller. Standard 0,5." form:"number,min=0,max=1,step=0.05"`
	// NameWithSensitive makes a person's name together with a sensitive statement personal data.
	NameWithSensitive bool `yaml:"name_with_sensitive" label:"Navn sammen med følsomme oplysninger er personoplysninger" help:"En persons navn sammen med et udsagn i en af kategorierne nedenfor tæller som personoplysninger, også uden CPR-nummer." form:"checkbox"`
	// Categories are the sensitive categories that count.
	Categories []string `yaml:"categories" label:"Følsomme kategorier, der tæller" help:"De kategorier af følsomme oplysninger (databeskyttelsesforordningens artikel 9 og 10 og sociale forhold), der tæller." form:"checks,options=categories"`
}

// Rules are the per-rule actions and thresholds.
type Rules struct {
	DifferentCitizen Action        `yaml:"different_citizen" label:"Oplysninger om en anden borger end modtageren" help:"Et dokument handler tydeligt om en anden borger end den eksterne modtager (fx forkert vedhæftning)." form:"select,options=actions"`
	BulkCPR          ThresholdRule `yaml:"bulk_cpr" label.action:"Mange CPR-numre" help.action:"Mailen indeholder mange forskellige CPR-numre." label.threshold:"Antal CPR-numre" help.threshold:"Fra så mange forskellige CPR-numre slår reglen til. Mindst 1." form.threshold:"number,min=1,step=1"`
	// BulkPersons fires from Threshold distinct persons with personal data (a name with a
	// sensitive or social statement, or a CPR number) other than the recipient, to an external
	// recipient: a list of citizens without CPR numbers is caught like the Aarhus letters.
	BulkPersons        ThresholdRule  `yaml:"bulk_persons" label.action:"Mange personer" help.action:"Mailen indeholder oplysninger om mange forskellige personer (navn med følsomme eller sociale oplysninger, eller CPR-nummer), også uden CPR-numre: fx en borgerliste." label.threshold:"Antal personer" help.threshold:"Fra så mange forskellige personer slår reglen til. Mindst 2." form.threshold:"number,min=2,step=1"`
	SeveralCitizens    ThresholdRule  `yaml:"several_external_citizens" label.action:"Flere eksterne borgere med personoplysninger" help.action:"Mailen indeholder personoplysninger og går til flere eksterne borgere i Til/Cc (private mailadresser; ikke fx et advokatfirma eller en myndighed)." label.threshold:"Antal eksterne borgere" help.threshold:"Fra så mange eksterne borgere i Til/Cc slår reglen til. Mindst 2." form.threshold:"number,min=2,step=1"`
	PersonalDataPlain  Action         `yaml:"personal_data_unencrypted" label:"Personoplysninger uden sikker mail" help:"Personoplysninger til en ekstern modtager i en mail, der ikke er sikker mail." form:"select,options=actions"`
	UnreadableDocument UnreadableRule `yaml:"unreadable_attachment"`
}

// ThresholdRule fires from Threshold (distinct CPR numbers, or external recipients in To/Cc).
// Its labels and help come from the rule that uses it.
type ThresholdRule struct {
	Action    Action `yaml:"action" form:"select,options=actions"`
	Threshold int    `yaml:"threshold"`
}

// UnreadableRule fires for documents with one of Statuses when an external recipient gets them.
type UnreadableRule struct {
	Action   Action   `yaml:"action" label:"Vedhæftning, der ikke kunne læses" help:"En vedhæftning til en ekstern modtager kunne ikke kontrolleres." form:"select,options=actions"`
	Statuses []string `yaml:"statuses" label:"Hvilke vedhæftninger tæller som ulæselige" help:"Reglen ovenfor slår til for vedhæftninger med disse tilstande." form:"checks,options=statuses"`
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the built-in policy file, with its comments.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Default returns the built-in policy.
func Default() *Policy {
	p, err := Parse(defaultYAML)
	if err != nil {
		panic("policy: embedded default policy is invalid: " + err.Error())
	}
	return p
}

// OverrideReason values: whether sending despite a warning asks for a justification.
const (
	OverrideOff      = "off"
	OverrideOptional = "optional"
	OverrideRequired = "required"
)

// FieldError is a problem with one field of a policy file.
type FieldError struct {
	Line  int
	Field string // the YAML path, e.g. rules.bulk_cpr.threshold
	Msg   string
	// Value is the value at fault ("" when the problem is a missing value), for messages in
	// another language than Msg's English.
	Value string
}

func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

// ErrInvalid is wrapped by every error Parse returns.
var ErrInvalid = errors.New("invalid policy")

// Problems returns the field errors err holds (Parse joins all it finds), in order.
func Problems(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// Parse reads a policy from YAML. Fields not given take the default policy's values; unknown
// fields and bad values are rejected with the line and field at fault.
func Parse(data []byte) (*Policy, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	p := &Policy{}
	if !bytes.Equal(data, defaultYAML) {
		p = Default()
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if problems := p.Validate(); len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, fe := range problems {
			fe.Line = lineOf(&root, strings.Split(fe.Field, ".")...)
			errs[i] = fe
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	p.normalise()
	return p, nil
}

func (p *Policy) normalise() {
	if p.OverrideReason == "" {
		p.OverrideReason = OverrideOff
	}
	for _, list := range [][]string{p.InternalDomains, p.TrustedDomains, p.Exemptions.Senders, p.Exemptions.Recipients, p.Exemptions.Domains} {
		for i, d := range list {
			list[i] = strings.ToLower(strings.TrimSpace(d))
		}
	}
	p.Secure.SensitivityLabelID = strings.ToLower(strings.TrimSpace(p.Secure.SensitivityLabelID))
}

// Statuses are the document statuses rules.unreadable_attachment.statuses may name.
var Statuses = []string{"encrypted", "unscannable", "unsupported", "too_large"}

// Categories are the sensitive categories personal_data.categories may name.
var Categories = []string{"health", "social", "criminal", "ethnicity", "political", "religion", "union", "sexual", "genetic", "biometric"}

// MessageCodes are the reason codes policy messages may be given for, in display order.
var MessageCodes = []string{CodeDifferentCitizen, CodeBulkCPR, CodeBulkPersons, CodeSeveralCitizens, CodePersonalPlain, CodeUnreadable, CodeScanFailed}

// Placeholders are the placeholders a message may use, and what each is replaced by.
var Placeholders = map[string]string{
	"documents":  "the documents involved",
	"identifier": "a masked CPR number or initials",
	"count":      "a number (CPR numbers or recipients)",
	"recipient":  "the recipient's name (or address)",
	"page":       "\" side N\" when the data is on one page of one document",
	"detail":     "why a document could not be read",
}

var (
	knownStatuses   = setOf(Statuses)
	knownCategories = setOf(Categories)
	knownCodes      = setOf(MessageCodes)
	placeholderRE   = regexp.MustCompile(`\{([^{}]*)\}`)
	guidRE          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Validate checks every value and returns all problems found, in the order of the fields (no
// line numbers: Parse adds them). Field is the YAML path ("rules.bulk_cpr.threshold").
func (p *Policy) Validate() []*FieldError {
	var out []*FieldError
	add := func(field, value, format string, args ...any) {
		out = append(out, &FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)})
	}
	for _, f := range []struct {
		field string
		list  []string
	}{{"internal_domains", p.InternalDomains}, {"trusted_domains", p.TrustedDomains}} {
		for _, d := range f.list {
			if !validDomain(d) {
				add(f.field, d, "%q is not a domain name", d)
				break
			}
		}
	}
	if p.Secure.Header.Name != "" && p.Secure.Header.Value == "" {
		add("secure.header.value", "", "must be set when secure.header.name is")
	}
	if n := p.Secure.Header.Name; n != "" && !validHeaderName(n) {
		add("secure.header.name", n, "%q is not a header field name", n)
	}
	for _, t := range p.Secure.SubjectTags {
		if strings.TrimSpace(t) == "" {
			add("secure.subject_tags", "", "a subject tag must not be empty")
			break
		}
	}
	if id := strings.TrimSpace(p.Secure.SensitivityLabelID); id != "" && !guidRE.MatchString(id) {
		add("secure.sensitivity_label_id", id, "%q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", id)
	}
	for _, f := range []struct {
		v    float64
		name string
	}{
		{p.PersonalData.CPRMinConfidence, "cpr_min_confidence"},
		{p.PersonalData.NameMinConfidence, "name_min_confidence"},
		{p.PersonalData.SensitiveMinConfidence, "sensitive_min_confidence"},
	} {
		if f.v < 0 || f.v > 1 {
			add("personal_data."+f.name, strconv.FormatFloat(f.v, 'g', -1, 64), "must be between 0 and 1")
		}
	}
	for _, c := range p.PersonalData.Categories {
		if !knownCategories[c] {
			add("personal_data.categories", c, "unknown category %q", c)
			break
		}
	}
	for _, c := range []struct {
		a     Action
		field string
	}{
		{p.Rules.DifferentCitizen, "rules.different_citizen"},
		{p.Rules.BulkCPR.Action, "rules.bulk_cpr.action"},
		{p.Rules.BulkPersons.Action, "rules.bulk_persons.action"},
		{p.Rules.SeveralCitizens.Action, "rules.several_external_citizens.action"},
		{p.Rules.PersonalDataPlain, "rules.personal_data_unencrypted"},
		{p.Rules.UnreadableDocument.Action, "rules.unreadable_attachment.action"},
	} {
		if !c.a.valid() {
			add(c.field, string(c.a), "unknown action %q (allow, warn, secure, block)", c.a)
		}
		if c.field == "rules.bulk_cpr.action" && p.Rules.BulkCPR.Threshold < 1 {
			add("rules.bulk_cpr.threshold", strconv.Itoa(p.Rules.BulkCPR.Threshold), "must be at least 1")
		}
		if c.field == "rules.bulk_persons.action" && p.Rules.BulkPersons.Threshold < 2 {
			add("rules.bulk_persons.threshold", strconv.Itoa(p.Rules.BulkPersons.Threshold), "must be at least 2")
		}
		if c.field == "rules.several_external_citizens.action" && p.Rules.SeveralCitizens.Threshold < 2 {
			add("rules.several_external_citizens.threshold", strconv.Itoa(p.Rules.SeveralCitizens.Threshold), "must be at least 2")
		}
	}
	for _, s := range p.Rules.UnreadableDocument.Statuses {
		if !knownStatuses[s] {
			add("rules.unreadable_attachment.statuses", s, "unknown status %q", s)
			break
		}
	}
	if p.FailMode != Warn && p.FailMode != Block {
		add("fail_mode", string(p.FailMode), "must be warn or block, not %q", p.FailMode)
	}
	switch p.OverrideReason {
	case "", OverrideOff, OverrideOptional, OverrideRequired:
	default:
		add("override_reason", p.OverrideReason, "must be off, optional or required, not %q", p.OverrideReason)
	}
	codes := make([]string, 0, len(p.Messages))
	for code := range p.Messages {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		field := "messages." + code
		text := p.Messages[code]
		switch {
		case !knownCodes[code]:
			add(field, code, "unknown reason code %q (%s)", code, strings.Join(MessageCodes, ", "))
		case strings.TrimSpace(text) == "":
			add(field, "", "must not be empty")
		default:
			for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
				if _, ok := Placeholders[m[1]]; !ok {
					add(field, m[0], "unknown placeholder {%s}", m[1])
					break
				}
			}
		}
	}
	for _, f := range []struct {
		field string
		list  []string
	}{{"exemptions.senders", p.Exemptions.Senders}, {"exemptions.recipients", p.Exemptions.Recipients}} {
		for _, a := range f.list {
			if !validAddress(a) {
				add(f.field, a, "%q is not an e-mail address", a)
				break
			}
		}
	}
	for _, d := range p.Exemptions.Domains {
		if !validDomain(d) {
			add("exemptions.domains", d, "%q is not a domain name", d)
			break
		}
	}
	return out
}

// validDomain tells whether d looks like a domain name (at least one dot, no spaces or @).
func validDomain(d string) bool {
	d = strings.TrimSpace(d)
	if d == "" || strings.ContainsAny(d, "@ /\t,;") || !strings.Contains(d, ".") ||
		strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	return true
}

// validAddress tells whether a looks like an e-mail address: local@domain.
func validAddress(a string) bool {
	a = strings.TrimSpace(a)
	i := strings.LastIndexByte(a, '@')
	if i <= 0 || strings.ContainsAny(a[:i], " \t<>,;@") {
		return false
	}
	return validDomain(a[i+1:])
}

// validHeaderName: RFC 5322 field names are printable ASCII without space or colon.
func validHeaderName(n string) bool {
	for _, r := range n {
		if r <= ' ' || r > '~' || r == ':' {
			return false
		}
	}
	return n != ""
}

// lineOf finds the line of the value at path in a YAML document, or of the deepest key found.
func lineOf(root *yaml.Node, path ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := 0
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return best
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				best = n.Content[i+1].Line
				n = n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			return best
		}
	}
	return best
}

// Encode writes the policy as YAML.
func (p *Policy) Encode() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
