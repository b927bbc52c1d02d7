package testgen

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"math/rand/v2"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Classes of realistic messages. Each class is a situation a municipal caseworker meets; the
// label of each generated message follows the labelling rules of the example corpus (its
// README), computed from what the generator put in the message.
const (
	ClassOwnPlain       = "own-letter-plain"          // a letter about the recipient, not secure: secure
	ClassOwnSecure      = "own-letter-secure"         // the same, marked secure: allow
	ClassWrongCitizen   = "wrong-citizen"             // a letter about A sent to B: block
	ClassChildSame      = "child-same-surname"        // a parent's letter about her child, same surname: secure
	ClassChildRelation  = "child-stated-relation"     // the same, other surname, relation stated: secure
	ClassGreetingFirst  = "greeting-first-name"       // "Kære Birthe" to Birthe Holst, the child's CPR: secure
	ClassColleagueSign  = "colleague-in-signature"    // a colleague named under the CPR: secure
	ClassForeignWrong   = "foreign-name-wrong"        // a wrong-citizen letter to a name outside the lists: block
	ClassNameForm       = "name-form-own"             // own letter, recipient as "Last, First", Dr., initials, family name first: secure
	ClassAccessMisfiled = "access-bundle-misfiled"    // access-to-files bundle with another citizen's page: block
	ClassNeighbour      = "neighbour-sensitive"       // a neighbour's CPR and health in the recipient's letter: block
	ClassCitizenList    = "citizen-list-no-cpr"       // ≥ 10 citizens with a social case, no CPR: block (bulk_persons)
	ClassQuotedThread   = "quoted-thread-other-child" // quoted internal mail: another family's child placed: block
	ClassLookalike      = "lookalike-numbers"         // numbers that look like CPR numbers only: allow
	ClassLawFirmCc      = "law-firm-cc"               // own letter with the citizen's law firm in Cc: secure
	ClassParentChildRow = "parent-child-row"          // parent's and child's CPR side by side in one row: secure
)

// Classes lists every class in a fixed order.
func Classes() []string {
	return []string{ClassOwnPlain, ClassOwnSecure, ClassWrongCitizen, ClassChildSame, ClassChildRelation,
		ClassGreetingFirst, ClassColleagueSign, ClassForeignWrong, ClassNameForm, ClassAccessMisfiled,
		ClassNeighbour, ClassCitizenList, ClassQuotedThread, ClassLookalike, ClassLawFirmCc, ClassParentChildRow}
}

// Label is what a generated message should get, by the corpus labelling rules.
type Label struct {
	Class  string
	Action string   // allow, warn, secure, block
	CPRs   []string // every CPR number in the message, 10 digits, sorted
	Why    string
}

// Message is one generated message.
type Message struct {
	Name    string // file-like name: "017-wrong-citizen.eml"
	EML     []byte // RFC 5322 bytes, multipart with attachments
	Label   Label
	Variant string // how it was made: formats and layouts, for reading failures
	// Text is every piece of text the generator wrote (subject, body, documents), for tests
	// of the generator itself.
	Text string
	// Features tag how the message was made ("pdf", "docx", "zip", "block-right",
	// "block-after-body", "glyphs", "html-body", ...), for figures per feature.
	Features []string
	// Lookalikes are the numbers written that look like CPR numbers but are not (10 digits).
	Lookalikes []string
}

// Sender domain of the generated messages: the authority's own domain.
const SenderDomain = "kommune-eksempel.dk"

// Messages generates perClass messages of every class, deterministically for a seed. The
// classes take turns, so a prefix of the result covers them all.
func Messages(perClass int, seed int64) []Message { return MessagesOf(Classes(), perClass, seed) }

// MessagesOf generates perClass messages of each of the given classes.
func MessagesOf(classes []string, perClass int, seed int64) []Message {
	g := &gen{rng: rand.New(rand.NewPCG(uint64(seed), 0x7e57)), seed: seed}
	g.people = newPeople(g.rng)
	var out []Message
	for i := 0; i < perClass; i++ {
		for _, class := range classes {
			g.n++
			m := g.message(class)
			m.Name = fmt.Sprintf("%03d-%s.eml", g.n, class)
			out = append(out, m)
		}
	}
	return out
}

type gen struct {
	cur    *spec // the message under construction
	rng    *rand.Rand
	seed   int64
	n      int
	people *people
}

// spec is a message under construction.
type spec struct {
	from       mail.Address
	to, cc     []mail.Address
	subject    string
	headers    [][2]string
	body       string
	atts       []att
	cprs       map[string]bool
	look       []string
	text       strings.Builder
	html       bool
	variant    []string
	features   map[string]bool
	action     string
	why        string
	dept       dept
	caseworker Person
}

type att struct {
	name, ctype string
	data        []byte
}

func (g *gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }
func (g *gen) chance(pct int) bool     { return g.rng.IntN(100) < pct }

// ---------------------------------------------------------------- the authority and its staff

type dept struct{ name, unit, street, town, phone, mail string }

var departments = []dept{
	{"Børn og Familie", "Familieafdelingen", "Rådhusstræde 4", "8800 Viborg", "72 14 30 00", "boernogfamilie"},
	{"Jobcenter", "Team Sygedagpenge", "Smedegade 11", "7400 Herning", "96 28 40 00", "jobcenter"},
	{"Social og Sundhed", "Myndighed Voksne", "Torvet 2", "6000 Kolding", "79 79 12 00", "socialogsundhed"},
	{"Handicap og Psykiatri", "Visitationen", "Havnevej 20", "4700 Næstved", "55 88 55 88", "handicap"},
	{"Ældre og Omsorg", "Visitation og Hjælpemidler", "Kirkegade 7", "5700 Svendborg", "62 23 30 00", "aeldre"},
	{"Borgerservice", "Ydelseskontoret", "Nørregade 9", "9800 Hjørring", "72 33 33 33", "borgerservice"},
}

var staffTitles = []string{"Socialrådgiver", "Sagsbehandler", "Familierådgiver", "Jobkonsulent",
	"Visitator", "Rådgiver", "Specialkonsulent", "Ergoterapeut", "Faglig koordinator"}

func (g *gen) staff() Person {
	p := g.people.adult(g.people.origin(15))
	return p
}

func (g *gen) staffAddress(p Person) mail.Address {
	var local string
	switch g.rng.IntN(3) {
	case 0:
		local = initials(p)
	case 1:
		local = ascii(strings.Fields(p.Given)[0]) + "." + ascii(strings.ReplaceAll(p.Family, " ", ""))
	default:
		local = ascii(strings.Fields(p.Given)[0])[:1] + ascii(strings.ReplaceAll(p.Family, " ", ""))
	}
	return mail.Address{Name: p.DisplayName(), Address: local + "@" + SenderDomain}
}

func (g *gen) letterhead(d dept, caseworker Person) []string {
	pool := []string{
		"Eksempel Kommune", d.name, d.unit, d.street, d.town,
		"Telefon " + d.phone, "www." + SenderDomain, d.mail + "@" + SenderDomain,
		"CVR-nr. 29 18 94 12", "EAN-nr. 5798000123456", "Åbningstid:", "Man.–ons. 9.00–14.00",
		"Tors. 9.00–17.00", "Fre. 9.00–12.00", "Telefontid alle hverdage 8.00–9.30",
		"Sikker post via borger.dk", "Besøgsadresse:", d.street + ", 1. sal", "Postboks 120",
		"Sagsbehandler: " + caseworker.DisplayName(),
	}
	n := []int{0, 3, 5, 7, 9, 12, 16, 18, 20}[g.rng.IntN(9)]
	if n == 0 {
		return nil
	}
	return pool[:n]
}

func (g *gen) phone() string {
	return fmt.Sprintf("%d %02d %02d %02d", 20+g.rng.IntN(79), g.rng.IntN(100), g.rng.IntN(100), g.rng.IntN(100))
}

func (g *gen) date() string {
	t := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(300))
	switch g.rng.IntN(3) {
	case 0:
		return danishDate(t)
	case 1:
		return t.Format("02-01-2006")
	default:
		return t.Format("02.01.2006")
	}
}

func (g *gen) caseNo() string {
	switch g.rng.IntN(3) {
	case 0:
		return fmt.Sprintf("2026-%06d", g.rng.IntN(1000000))
	case 1:
		return fmt.Sprintf("27.%02d.%02d-P%02d-%d-26", g.rng.IntN(40), g.rng.IntN(20), 10+g.rng.IntN(20), 1+g.rng.IntN(900))
	default:
		return fmt.Sprintf("S-%d/26", 1000+g.rng.IntN(9000))
	}
}

// info is the info column; withCPR adds the person's CPR number to it.
func (g *gen) info(s *spec, about *Person) []string {
	lines := []string{"Dato: " + g.date()}
	if g.chance(80) {
		lines = append(lines, g.pick([]string{"Sagsnr.: ", "Sags-ID: ", "J.nr.: "})+g.caseNo())
	}
	lines = append(lines, "Kontakt: "+s.caseworker.DisplayName())
	if g.chance(75) {
		lines = append(lines, g.pick([]string{"Direkte tlf.: ", "Tlf. direkte: ", "Direkte: "})+g.phone())
	}
	if about != nil {
		lines = append(lines, "CPR-nr.: "+g.cprText(s, *about))
	}
	return lines
}

// cprText writes a person's CPR number in one of the usual forms and records it in the label.
func (g *gen) cprText(s *spec, p Person) string {
	s.cprs[p.CPRDigits()] = true
	d := p.CPRDigits()
	switch g.rng.IntN(6) {
	case 0:
		return d
	case 1:
		return d[:6] + " " + d[6:]
	default:
		return p.CPR
	}
}

func (g *gen) closing(s *spec) []string {
	cw := s.caseworker
	lines := []string{g.pick([]string{"Med venlig hilsen", "Venlig hilsen", "Mvh.", "Med venlig hilsen"}), ""}
	lines = append(lines, cw.DisplayName(), g.pick(staffTitles))
	if g.chance(70) {
		lines = append(lines, g.pick([]string{"Direkte tlf. ", "Tlf. ", "Direkte telefon: "})+g.phone())
	}
	if g.chance(30) {
		lines = append(lines, s.dept.name+", Eksempel Kommune")
	}
	return lines
}

func (g *gen) greeting(p Person) string {
	first := strings.Fields(p.Given)[0]
	switch g.rng.IntN(6) {
	case 0, 1:
		return "Kære " + first
	case 2:
		return "Kære " + p.FullName()
	case 3:
		return "Hej " + first
	case 4:
		return "Til " + p.FullName()
	default:
		return ""
	}
}

// ---------------------------------------------------------------- recipients

var personalDomains = []string{"gmail.com", "hotmail.com", "outlook.dk", "live.dk", "yahoo.dk", "mail.dk"}

// citizenAddress is how a citizen is shown in To: the form ("plain", "exchange", "title",
// "initials", "familyfirst", "digits", "run") decides display name and local part.
func (g *gen) citizenAddress(p Person, form string) mail.Address {
	first := ascii(strings.Fields(p.Given)[0])
	fam := ascii(strings.ReplaceAll(p.Family, " ", ""))
	famShort := ascii(lastWord(p.Family))
	dom := g.pick(personalDomains)
	name := p.DisplayName()
	local := first + "." + famShort
	switch form {
	case "exchange":
		name = p.Family + ", " + p.Given
	case "title":
		name = g.pick([]string{"Dr. ", "Dr. med. ", "Cand.psych. "}) + p.DisplayName()
	case "initials":
		local = initials(p)
	case "familyfirst":
		name = p.FullName()
		if !p.FamilyFirst {
			name = p.Family + " " + p.Given
		}
		local = famShort + "." + first
	case "digits":
		local = first + famShort + fmt.Sprint(p.Birth.Year()%100)
	case "run":
		local = first + fam
	case "caps":
		name = strings.ToUpper(p.DisplayName())
	}
	if g.cur != nil && len(g.cur.to) == 0 {
		g.cur.tag("recipient-" + form)
	}
	return mail.Address{Name: name, Address: local + "@" + dom}
}

func lastWord(s string) string {
	f := strings.Fields(s)
	return f[len(f)-1]
}

func (g *gen) anyForm() string {
	if g.chance(65) {
		return g.pick([]string{"plain", "run", "digits"})
	}
	return g.pick([]string{"exchange", "title", "initials", "familyfirst", "caps"})
}

// ---------------------------------------------------------------- letter texts

type topic struct {
	title string
	paras []string // %[1]s the person's full name, %[2]s first name
}

var adultTopics = []topic{
	{"Afgørelse om personligt tillæg", []string{
		"Du har den 2. februar søgt om personligt tillæg til betaling af en tandlægeregning. Vi har nu behandlet din ansøgning.",
		"Vi bevilger et tillæg på 4.250 kr. Beløbet udbetales til din NemKonto inden for otte hverdage.",
		"Vi har lagt vægt på, at din økonomi er særlig vanskelig, og at udgiften ikke kunne forudses."}},
	{"Bevilling af ledsageordning", []string{
		"Kommunen har behandlet din ansøgning om ledsagelse efter servicelovens § 97.",
		"På grund af din nedsatte synsfunktion bevilger vi dig 15 timers ledsagelse om måneden fra den 1. i næste måned.",
		"Du kan selv vælge en ledsager, som kommunen derefter ansætter."}},
	{"Partshøring inden afgørelse om ophør af sygedagpenge", []string{
		"Vi overvejer at standse dine sygedagpenge, fordi vi vurderer, at du ikke længere er uarbejdsdygtig på grund af sygdom.",
		"Vurderingen bygger på statusattesten fra din egen læge og på referatet af opfølgningssamtalen.",
		"Du har mulighed for at komme med bemærkninger, inden vi træffer afgørelse. Dine bemærkninger skal være os i hænde senest 14 dage efter dette brevs dato."}},
	{"Indkaldelse til opfølgningssamtale", []string{
		"Du indkaldes hermed til en samtale i jobcentret om din sygemelding.",
		"Vi vil tale om, hvordan det går med din behandling for angst, og om en plan for, hvordan du kan vende tilbage til arbejdet.",
		"Samtalen varer omkring en time. Du er velkommen til at tage en bisidder med."}},
	{"Afgørelse om praktisk hjælp i hjemmet", []string{
		"Efter visitationsbesøget hos dig har vi vurderet dit behov for hjælp.",
		"Du får hjælp til rengøring hver anden uge og hjælp til tøjvask en gang om ugen, fordi du efter din hofteoperation ikke selv kan klare opgaverne.",
		"Hjælpen starter i uge 14. Leverandøren kontakter dig for at aftale et tidspunkt."}},
	{"Afgørelse om dækning af merudgifter", []string{
		"Du har søgt om dækning af merudgifter i forbindelse med din sklerose.",
		"Vi bevilger dækning af udgifter til medicin og til transport til behandling, i alt 1.150 kr. om måneden.",
		"Bevillingen revurderes om et år."}},
	{"Referat af netværksmøde", []string{
		"Til stede var du, din kontaktperson fra bostøtten og undertegnede.",
		"Vi talte om din indlæggelse på psykiatrisk afdeling i efteråret, og om hvordan du har det nu.",
		"Vi aftalte, at bostøtten fortsætter med to besøg om ugen, og at vi mødes igen om tre måneder."}},
	{"Bevilling af alkoholbehandling", []string{
		"Du har den 9. januar henvendt dig om behandling for dit alkoholmisbrug.",
		"Vi bevilger ambulant behandling efter sundhedslovens § 141 i Rusmiddelcentret. Behandlingen begynder inden for 14 dage.",
		"Behandlingen er gratis og foregår i fortrolighed."}},
	{"Afslag på hjælp til enkeltudgift", []string{
		"Du har søgt om hjælp til udskiftning af dit køleskab.",
		"Vi giver dig afslag, fordi udgiften efter vores vurdering kunne forudses, og fordi du efter budgettet har mulighed for at spare op til den.",
		"Afgørelsen er truffet efter aktivlovens § 81."}},
	{"Orientering om din rehabiliteringsplan", []string{
		"Rehabiliteringsteamet har behandlet din sag på mødet i sidste uge.",
		"Teamet anbefaler et ressourceforløb på to år med fokus på din psykiske sundhed og afklaring af din arbejdsevne.",
		"Din koordinerende sagsbehandler kontakter dig for at aftale det videre forløb."}},
}

// child topics: %[1]s child's name, %[2]s the relation phrase ("din søn", "jeres datter", ...)
var childTopics = []topic{
	{"Afgørelse om aflastning", []string{
		"Vi har behandlet jeres ansøgning om aflastning til %[2]s %[1]s.",
		"Vi bevilger aflastning i en aflastningsfamilie én weekend om måneden efter servicelovens § 52.",
		"Vi har lagt vægt på, at %[1]s har brug for stabile rammer, og at I som forældre har brug for at blive aflastet."}},
	{"Indkaldelse til møde om skoletilbud", []string{
		"Vi indkalder dig til et møde om skoletilbuddet til %[2]s %[1]s.",
		"Pædagogisk Psykologisk Rådgivning har vurderet, at %[1]s har brug for et mindre klassemiljø på grund af sin ADHD.",
		"På mødet deltager skolelederen, psykologen og undertegnede."}},
	{"Orientering om børnefaglig undersøgelse", []string{
		"Vi skriver for at orientere dig om, at vi har afsluttet den børnefaglige undersøgelse af %[2]s %[1]s.",
		"Undersøgelsen viser, at %[1]s trives bedre i skolen, men fortsat har brug for støtte fra en kontaktperson.",
		"Undersøgelsen er vedlagt. Du er velkommen til at ringe, hvis du har spørgsmål."}},
	{"Bevilling af merudgifter til barn med handicap", []string{
		"Du har søgt om dækning af merudgifter til %[2]s %[1]s.",
		"Vi bevilger dækning af udgifter til særlig diæt og medicin, fordi %[1]s har en kronisk tarmsygdom.",
		"Beløbet udbetales månedligt sammen med eventuelle andre ydelser."}},
	{"Svar vedrørende logopædisk bistand", []string{
		"Tak for jeres henvendelse om talehjælp til %[2]s %[1]s.",
		"Logopæden har vurderet, at %[1]s skal have undervisning to gange om ugen i en periode på et halvt år.",
		"Undervisningen foregår på skolen i skoletiden."}},
}

var complaintParas = []string{
	"Du kan klage over afgørelsen inden for fire uger. Klagen sendes til kommunen, som genvurderer sagen, inden den eventuelt sendes videre til Ankestyrelsen.",
	"Hvis du er uenig i afgørelsen, kan du klage. Skriv til os senest fire uger efter, at du har modtaget brevet.",
	"Har du spørgsmål, er du velkommen til at kontakte mig på telefon eller via sikker post.",
	"",
}

// sensitive statements about a named person (%s): health, social and criminal
var sensitiveAbout = []string{
	"%s er i behandling for depression hos egen læge",
	"%s har været indlagt på psykiatrisk afdeling i flere uger",
	"%s får medicin mod angst og søvnbesvær",
	"der er stillet diagnosen skizofreni hos %s",
	"kommunen har modtaget en underretning om %s",
	"%s har et misbrug af hash, som påvirker hverdagen",
	"%s har en betinget dom for vold",
	"%s er sigtet for tyveri fra sin arbejdsplads",
	"%s har en aktiv sag i Socialforvaltningen",
}

// ---------------------------------------------------------------- letters

// ownLetter is a letter addressed to p about p's own case; the CPR goes into the info column,
// a "Vedr." line or the body.
func (g *gen) ownLetter(s *spec, p Person) Letter {
	t := adultTopics[g.rng.IntN(len(adultTopics))]
	l := Letter{Letterhead: g.letterhead(s.dept, s.caseworker), Addressee: p.AddressLines(), Title: t.title,
		Greeting: g.greeting(p)}
	where := g.rng.IntN(3)
	if where == 0 {
		l.Info = g.info(s, &p)
	} else {
		l.Info = g.info(s, nil)
	}
	for _, par := range t.paras {
		l.Paras = append(l.Paras, par)
	}
	switch where {
	case 1:
		l.Title = t.title + " – " + p.FullName() + ", CPR-nr. " + g.cprText(s, p)
	case 2:
		l.Paras = append([]string{fmt.Sprintf("Vedr.: %s, %s %s", p.FullName(), g.pick([]string{"CPR-nr.", "cpr.nr.", "personnummer"}), g.cprText(s, p))}, l.Paras...)
	}
	if c := g.pick(complaintParas); c != "" {
		l.Paras = append(l.Paras, c)
	}
	l.Closing = g.closing(s)
	if g.chance(25) {
		l.Appendix = appendixPages[g.rng.IntN(len(appendixPages))]
	}
	return l
}

// appendixPages are second pages of a letter: a heading and paragraphs.
var appendixPages = [][]string{
	{"Klagevejledning",
		"Du kan klage over afgørelsen. Klagen skal være modtaget senest fire uger efter, at du har fået afgørelsen.",
		"Send klagen til kommunen. Vi vurderer sagen igen, og hvis vi ikke giver dig helt ret, sender vi klagen videre til Ankestyrelsen.",
		"Du kan klage skriftligt eller mundtligt. Du kan få hjælp til at klage ved at kontakte din sagsbehandler."},
	{"Sådan behandler vi dine oplysninger",
		"Kommunen behandler oplysninger om dig for at kunne træffe afgørelse i din sag. Oplysningerne opbevares i kommunens fagsystem.",
		"Du har ret til indsigt i de oplysninger, vi behandler om dig, og til at få urigtige oplysninger rettet.",
		"Du kan kontakte kommunens databeskyttelsesrådgiver på dpo@" + SenderDomain + "."},
	{"Praktiske oplysninger",
		"Husk at give besked, hvis dine forhold ændrer sig, for eksempel hvis du flytter eller begynder at arbejde.",
		"Du kan læse mere på kommunens hjemmeside under Borger."},
}

// childLetter is a letter to parent about child; relation is written before the child's name.
func (g *gen) childLetter(s *spec, parent, child Person, relation string) Letter {
	t := childTopics[g.rng.IntN(len(childTopics))]
	l := Letter{Letterhead: g.letterhead(s.dept, s.caseworker), Addressee: parent.AddressLines(), Title: t.title,
		Greeting: g.greeting(parent), Info: g.info(s, nil)}
	cname := child.FullName()
	if g.chance(40) {
		cname = child.FullName() + " (CPR-nr. " + g.cprText(s, child) + ")"
	} else {
		l.Paras = append(l.Paras, fmt.Sprintf("%s: %s, %s %s", g.pick([]string{"Vedr.", "Barnets navn", "Sagen drejer sig om"}),
			child.FullName(), g.pick([]string{"CPR-nr.", "cpr.nr."}), g.cprText(s, child)))
	}
	for i, par := range t.paras {
		if i == 0 {
			l.Paras = append(l.Paras, fill(par, cname, relation))
		} else {
			l.Paras = append(l.Paras, fill(par, strings.Fields(child.Given)[0], relation))
		}
	}
	if c := g.pick(complaintParas); c != "" {
		l.Paras = append(l.Paras, c)
	}
	l.Closing = g.closing(s)
	return l
}

// fill puts the child's name and the relation phrase into a topic paragraph.
func fill(par, name, relation string) string {
	out := strings.NewReplacer("%[1]s", name, "%[2]s", relation).Replace(par)
	return strings.Join(strings.Fields(out), " ")
}

func relationWord(child Person, plural bool) string {
	switch {
	case plural && child.Female:
		return "jeres datter"
	case plural:
		return "jeres søn"
	case child.Female:
		return "din datter"
	default:
		return "din søn"
	}
}

// ---------------------------------------------------------------- documents and the message

// attach renders letters in a random format (PDF, DOCX, a zip of PDFs) and attaches them.
// formats restricts the choice ("pdf", "docx", "zip").
func (g *gen) attach(s *spec, base string, letters []Letter, formats ...string) {
	if len(formats) == 0 {
		formats = []string{"pdf", "pdf", "pdf", "docx", "zip"}
	}
	switch f := g.pick(formats); f {
	case "docx":
		st := DOCXStyle{BlockTable: g.chance(50), SectionBreaks: g.chance(40), RunSplit: g.chance(50)}
		s.variant = append(s.variant, fmt.Sprintf("docx%+v", st))
		s.tag("docx")
		if len(letters) > 1 {
			s.tag("docx-merge")
		}
		s.atts = append(s.atts, att{base + ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			renderDOCX(g.rng, st, letters, &s.text)})
	case "zip":
		var files []zipEntry
		for i, l := range letters {
			lay := randomLayout(g.rng)
			s.variant = append(s.variant, fmt.Sprintf("zip/pdf%+v", lay))
			s.tag("zip")
			s.tag(lay.tags()...)
			data, err := renderPDF(g.rng, lay, []Letter{l}, &s.text)
			if err != nil {
				panic(err)
			}
			files = append(files, zipEntry{fmt.Sprintf("%s %d.pdf", base, i+1), string(data)})
		}
		s.atts = append(s.atts, att{base + ".zip", "application/zip", zipFiles(files)})
	default:
		lay := randomLayout(g.rng)
		s.variant = append(s.variant, fmt.Sprintf("pdf%+v", lay))
		s.tag("pdf")
		s.tag(lay.tags()...)
		if len(letters) > 1 {
			s.tag("pdf-bundle")
		}
		data, err := renderPDF(g.rng, lay, letters, &s.text)
		if err != nil {
			panic(err)
		}
		s.atts = append(s.atts, att{base + ".pdf", "application/pdf", data})
	}
}

var fileBases = []string{"Afgørelse", "Brev", "Brev fra kommunen", "Dokument", "Partshøring", "Orientering",
	"Scan_2026", "Bevilling", "Referat", "Breve"}

func (g *gen) newSpec() *spec {
	s := &spec{cprs: map[string]bool{}, features: map[string]bool{}, dept: departments[g.rng.IntN(len(departments))]}
	s.caseworker = g.staff()
	s.from = g.staffAddress(s.caseworker)
	return s
}

// coverBody is a short mail text that goes with attachments.
func (g *gen) coverBody(s *spec, to Person) string {
	first := strings.Fields(to.Given)[0]
	hello := g.pick([]string{"Hej " + first, "Kære " + first, "Kære " + to.FullName(), "Hej", "Til " + to.DisplayName()})
	mid := g.pick([]string{
		"Hermed brevet, som vi talte om i telefonen i dag.",
		"Vedhæftet finder du brev fra kommunen. Læs det venligst grundigt.",
		"Som lovet sender jeg dig kopi af brevet.",
		"Jeg sender hermed de dokumenter, du bad om.",
		"Se venligst vedhæftede.",
	})
	sign := []string{g.pick([]string{"Med venlig hilsen", "Venlig hilsen", "Mvh."}), s.caseworker.DisplayName(), g.pick(staffTitles),
		s.dept.name + " | Eksempel Kommune", "Tlf. " + g.phone()}
	return hello + "\n\n" + mid + "\n\n" + strings.Join(sign, "\n") + "\n"
}

func (g *gen) message(class string) Message {
	g.people.newMessage()
	s := g.newSpec()
	g.cur = s
	switch class {
	case ClassOwnPlain, ClassOwnSecure:
		g.ownCase(s, class == ClassOwnSecure)
	case ClassWrongCitizen:
		g.wrongCitizen(s, false)
	case ClassForeignWrong:
		g.wrongCitizen(s, true)
	case ClassChildSame:
		g.childCase(s, true)
	case ClassChildRelation:
		g.childCase(s, false)
	case ClassGreetingFirst:
		g.greetingFirst(s)
	case ClassColleagueSign:
		g.colleagueSign(s)
	case ClassNameForm:
		g.nameForm(s)
	case ClassAccessMisfiled:
		g.accessBundle(s)
	case ClassNeighbour:
		g.neighbour(s)
	case ClassCitizenList:
		g.citizenList(s)
	case ClassQuotedThread:
		g.quotedThread(s)
	case ClassLookalike:
		g.lookalike(s)
	case ClassLawFirmCc:
		g.lawFirm(s)
	case ClassParentChildRow:
		g.parentChildRow(s)
	default:
		panic("testgen: unknown class " + class)
	}
	s.text.WriteString(s.subject + "\n" + s.body + "\n")
	if g.chance(35) {
		s.html = true
		s.tag("html-body")
	}
	// The label holds the CPR numbers that were written somewhere (a letter's info column is
	// not part of a letter put into the mail body, for instance).
	written := s.text.String()
	cprs := make([]string, 0, len(s.cprs))
	for c := range s.cprs {
		if strings.Contains(written, c) || strings.Contains(written, c[:6]+"-"+c[6:]) || strings.Contains(written, c[:6]+" "+c[6:]) {
			cprs = append(cprs, c)
		}
	}
	slices.Sort(cprs)
	return Message{
		EML:        g.eml(s),
		Label:      Label{Class: class, Action: s.action, CPRs: cprs, Why: s.why},
		Variant:    strings.Join(s.variant, "; "),
		Features:   sortedKeys(s.features),
		Text:       s.text.String(),
		Lookalikes: s.look,
	}
}

func (s *spec) tag(tags ...string) {
	for _, t := range tags {
		s.features[t] = true
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (g *gen) markSecure(s *spec) {
	switch g.rng.IntN(3) {
	case 0:
		s.subject = "[sikker] " + s.subject
	case 1:
		s.subject = s.subject + " [SIKKER]"
	default:
		s.headers = append(s.headers, [2]string{"X-Sendevagt-Route", "secure"})
	}
	s.variant = append(s.variant, "secure")
	s.tag("marked-secure")
}

// ---------------------------------------------------------------- the classes

func (g *gen) ownCase(s *spec, secure bool) {
	p := g.people.adult("")
	s.to = []mail.Address{g.citizenAddress(p, g.anyForm())}
	l := g.ownLetter(s, p)
	s.subject = g.pick([]string{l.Title, "Brev fra " + s.dept.name, "Vedr. din sag", "Afgørelse"})
	if g.chance(20) {
		// the letter in the mail body itself
		vedr := fmt.Sprintf("Vedr.: %s, CPR-nr. %s", p.FullName(), g.cprText(s, p))
		s.body = strings.Join(append(append([]string{l.Greeting, "", vedr, ""}, l.Paras...), append([]string{""}, l.Closing...)...), "\n")
		s.text.WriteString(s.body)
		s.variant = append(s.variant, "body")
		s.tag("letter-in-body")
	} else {
		s.body = g.coverBody(s, p)
		letters := []Letter{l}
		switch r := g.rng.IntN(100); {
		case r < 20: // a second letter to the same citizen
			letters = append(letters, g.ownLetter(s, p))
		case r < 40: // a cover letter to the same citizen before the decision
			cover := Letter{Letterhead: l.Letterhead, Addressee: p.AddressLines(), Info: g.info(s, nil),
				Title: "Følgebrev", Greeting: g.greeting(p), Paras: []string{
					"Vedlagt sender vi kommunens afgørelse i din sag.",
					"Læs afgørelsen og klagevejledningen grundigt. Ring til os, hvis noget er uklart."},
				Closing: g.closing(s)}
			letters = append([]Letter{cover}, letters...)
			s.variant = append(s.variant, "cover")
			s.tag("cover-letter")
		}
		g.attach(s, g.pick(fileBases), letters)
	}
	s.action, s.why = "secure", "the recipient's own letter, not sent as secure mail"
	if secure {
		g.markSecure(s)
		s.action, s.why = "allow", "the recipient's own letter, sent as secure mail"
	}
}

func (g *gen) wrongCitizen(s *spec, foreignAddressee bool) {
	recip := g.people.adult("")
	var about Person
	for {
		if foreignAddressee {
			about = g.people.adult(g.pick([]string{"pl", "tr", "vn", "ar", "de", "fr", "fo", "gl"}))
		} else {
			about = g.people.adult("")
		}
		if about.Family != recip.Family && strings.Fields(about.Given)[0] != strings.Fields(recip.Given)[0] {
			break
		}
	}
	s.to = []mail.Address{g.citizenAddress(recip, g.anyForm())}
	s.body = g.coverBody(s, recip)
	var letters []Letter
	switch v := g.rng.IntN(5); {
	case v <= 2 || foreignAddressee: // the wrong letter alone
		letters = []Letter{g.ownLetter(s, about)}
		g.attach(s, g.pick(fileBases), letters)
	case v == 3: // mail-merge output: a letter to the recipient and letters to others
		letters = []Letter{g.ownLetter(s, recip), g.ownLetter(s, about)}
		if g.chance(50) {
			letters = append(letters, g.ownLetter(s, g.people.adult("")))
		}
		g.attach(s, "Fletning", letters, "docx", "pdf")
	default: // the recipient's letter and, in the same PDF, another citizen's
		letters = []Letter{g.ownLetter(s, recip), g.ownLetter(s, about)}
		g.attach(s, g.pick(fileBases), letters, "pdf", "zip")
	}
	s.subject = g.pick([]string{letters[0].Title, "Brev fra kommunen", "Din sag", "Afgørelse"})
	if g.chance(20) {
		g.markSecure(s)
	}
	s.action, s.why = "block", "a letter about another citizen ("+strings.ToUpper(initials(about))+", "+about.Origin+" name) goes to the recipient"
}

func (g *gen) childCase(s *spec, same bool) {
	parent := g.people.adult("")
	child := g.people.child(parent, same)
	s.to = []mail.Address{g.citizenAddress(parent, g.anyForm())}
	rel := ""
	if !same || g.chance(50) {
		rel = relationWord(child, g.chance(30))
	} else {
		rel = g.pick([]string{"", "barnet"})
	}
	l := g.childLetter(s, parent, child, rel)
	if !same && g.chance(50) {
		l.Greeting = "Kære " + strings.Fields(parent.Given)[0]
	}
	s.subject = g.pick([]string{l.Title, "Vedr. " + strings.Fields(child.Given)[0], "Brev om dit barn"})
	s.body = g.coverBody(s, parent)
	g.attach(s, g.pick(fileBases), []Letter{l})
	s.action = "secure"
	s.why = "a letter to a parent about her/his own child (" + map[bool]string{true: "same surname", false: "relation stated"}[same] + "), not secure"
}

func (g *gen) greetingFirst(s *spec) {
	parent := g.people.adult("")
	child := g.people.child(parent, g.chance(70))
	s.to = []mail.Address{g.citizenAddress(parent, g.pick([]string{"plain", "run", "digits", "initials"}))}
	first := strings.Fields(parent.Given)[0]
	rel := relationWord(child, false)
	cf := strings.Fields(child.Given)[0]
	cpr := g.cprText(s, child)
	opening := []string{
		fmt.Sprintf("Tak for snakken i går om %s %s.", rel, cf),
		fmt.Sprintf("Jeg skriver angående %s %s.", rel, child.FullName()),
		fmt.Sprintf("Som aftalt sender jeg oplysningerne om %s.", cf),
	}
	if child.Family != parent.Family { // another surname: the relation is stated
		opening = opening[:2]
	}
	lines := []string{
		g.pick([]string{"Kære ", "Hej ", "Kære "}) + first, "",
		g.pick(opening),
		g.pick([]string{
			fmt.Sprintf("Til ansøgningen om aflastning har jeg brug for at vide, om %s stadig tager medicin mod epilepsi.", cf),
			fmt.Sprintf("PPR har nu vurderet %s, og de anbefaler støtte i klassen på grund af ordblindhed.", cf),
			fmt.Sprintf("Sagen om merudgifter til %s er nu behandlet, og du får svar i et brev i næste uge.", cf),
		}),
		fmt.Sprintf("For en god ordens skyld: Sagen er oprettet på %s, %s %s.", g.pick([]string{cf, child.FullName()}), g.pick([]string{"CPR-nr.", "cpr."}), cpr),
		"",
		g.pick([]string{"Med venlig hilsen", "Venlig hilsen", "Mvh."}), s.caseworker.DisplayName(), g.pick(staffTitles),
	}
	if g.chance(30) {
		// a note without addressee block, greeting the parent by first name, attached
		l := Letter{Letterhead: g.letterhead(s.dept, s.caseworker), Title: "Notat til forælder", Greeting: lines[0], Paras: lines[2:5], Closing: g.closing(s)}
		s.body = g.coverBody(s, parent)
		g.attach(s, "Notat", []Letter{l}, "pdf", "docx")
	} else {
		s.body = strings.Join(lines, "\n")
		s.variant = append(s.variant, "body")
		s.tag("letter-in-body")
	}
	s.subject = g.pick([]string{"Vedr. " + cf, "Aflastning", "Opfølgning", "Dit barn"})
	s.action, s.why = "secure", "a mail greeting the parent by first name about her/his own child, with the child's CPR, not secure"
}

func (g *gen) colleagueSign(s *spec) {
	p := g.people.adult("")
	colleague := g.staff()
	s.to = []mail.Address{g.citizenAddress(p, g.anyForm())}
	l := g.ownLetter(s, p)
	// the CPR right above the closing, and the colleague named in or below the signature
	l.Paras = append(l.Paras, fmt.Sprintf("Husk at oplyse dit CPR-nr. %s, når du kontakter os.", g.cprText(s, p)))
	switch g.rng.IntN(4) {
	case 0:
		l.Closing = append(l.Closing, "", "Kopi til: "+colleague.DisplayName()+", "+g.pick(staffTitles))
	case 1:
		l.Closing = append([]string{l.Closing[0], ""}, append([]string{s.caseworker.DisplayName() + " og " + colleague.DisplayName()}, l.Closing[3:]...)...)
	case 2:
		l.Closing = append(l.Closing, "", "Ved fravær kontakt: "+colleague.DisplayName()+", tlf. "+g.phone())
	default:
		l.After = append(l.After, "Sagen er drøftet med "+colleague.DisplayName()+", teamleder.")
	}
	s.subject = g.pick([]string{l.Title, "Brev", "Afgørelse i din sag"})
	s.body = g.coverBody(s, p)
	g.attach(s, g.pick(fileBases), []Letter{l})
	s.action, s.why = "secure", "the recipient's own letter; the colleague in the signature is staff, not the person concerned"
}

func (g *gen) nameForm(s *spec) {
	var p Person
	form := g.pick([]string{"exchange", "title", "initials", "familyfirst", "caps"})
	if form == "familyfirst" && g.chance(60) {
		p = g.people.adult("vn")
	} else {
		p = g.people.adult("")
	}
	s.to = []mail.Address{g.citizenAddress(p, form)}
	s.variant = append(s.variant, "form="+form)
	l := g.ownLetter(s, p)
	s.subject = g.pick([]string{l.Title, "Brev fra kommunen"})
	s.body = g.coverBody(s, p)
	g.attach(s, g.pick(fileBases), []Letter{l})
	s.action, s.why = "secure", "a letter about the recipient, whose address shows the name as "+form+", not secure"
}

func (g *gen) accessBundle(s *spec) {
	p := g.people.adult("")
	other := g.people.adult("")
	s.to = []mail.Address{g.citizenAddress(p, g.anyForm())}
	cover := Letter{Letterhead: g.letterhead(s.dept, s.caseworker), Addressee: p.AddressLines(), Info: g.info(s, nil),
		Title: "Svar på din anmodning om aktindsigt", Greeting: g.greeting(p), Paras: []string{
			"Du har bedt om aktindsigt i din sag. Vi giver dig aktindsigt i de dokumenter, der er vedlagt.",
			fmt.Sprintf("Sagen er registreret på dig, %s, CPR-nr. %s.", p.FullName(), g.cprText(s, p)),
			"Vi har undtaget interne arbejdsdokumenter efter offentlighedslovens § 23.",
		}, Closing: g.closing(s)}
	notes := []string{"Journalnotat", "Referat af samtale", "Notat om hjemmebesøg", "Statusnotat"}
	page := func(about Person, stmt string) Letter {
		return Letter{Title: g.pick(notes) + " " + g.date(), Paras: []string{
			fmt.Sprintf("Borger: %s", about.FullName()),
			fmt.Sprintf("CPR-nr.: %s", g.cprText(s, about)),
			fmt.Sprintf(stmt, about.FullName()) + ".",
			"Næste skridt: opfølgning om fire uger.",
		}, Closing: []string{"Notat skrevet af " + s.caseworker.DisplayName()}}
	}
	letters := []Letter{cover}
	n := 1 + g.rng.IntN(3)
	for i := 0; i < n; i++ {
		letters = append(letters, page(p, g.pick([]string{
			"Samtale med %s om økonomien og ønsket om at flytte",
			"%s fortæller, at hun/han har det bedre efter behandlingen",
			"Hjemmebesøg hos %s; lejligheden er ryddelig"})))
	}
	mis := page(other, g.pick(sensitiveAbout))
	if g.chance(30) {
		mis = g.ownLetter(s, other) // a whole letter to another citizen filed in the wrong case
	}
	letters = append(letters, mis)
	if g.chance(50) {
		letters = append(letters, page(p, "Telefonsamtale med %s om fristen"))
	}
	s.subject = g.pick([]string{"Aktindsigt", "Svar på anmodning om aktindsigt", "Dokumenter i din sag"})
	s.body = g.coverBody(s, p)
	g.attach(s, "Aktindsigt", letters, "pdf", "pdf", "docx", "zip")
	s.action, s.why = "block", "an access-to-files bundle for the recipient with a misfiled page about another citizen"
}

func (g *gen) neighbour(s *spec) {
	p := g.people.adult("")
	nb := g.people.adult("")
	nb.Street, nb.Postcode, nb.Town = p.Street, p.Postcode, p.Town
	s.to = []mail.Address{g.citizenAddress(p, g.anyForm())}
	l := g.ownLetter(s, p)
	stmt := fmt.Sprintf(g.pick(sensitiveAbout), nb.FullName())
	para := g.pick([]string{
		"I forbindelse med klagen over støj har vi talt med din nabo, %[1]s, CPR-nr. %[2]s. Det er oplyst, at %[3]s.",
		"Din underbo, %[1]s (%[2]s), har kontaktet os. Vi kan oplyse, at %[3]s.",
		"Vi har også modtaget oplysninger om %[1]s, cpr. %[2]s, som bor på samme adresse: %[3]s.",
	})
	l.Paras = append(l.Paras[:len(l.Paras)-1], fmt.Sprintf(para, nb.FullName(), g.cprText(s, nb), stmt), l.Paras[len(l.Paras)-1])
	s.subject = g.pick([]string{l.Title, "Din henvendelse"})
	s.body = g.coverBody(s, p)
	g.attach(s, g.pick(fileBases), []Letter{l})
	s.action, s.why = "block", "the recipient's letter holds a neighbour's CPR number and a sensitive statement about the neighbour"
}

func (g *gen) citizenList(s *spec) {
	n := 10 + g.rng.IntN(8)
	var ext mail.Address
	if g.chance(50) {
		p := g.people.adult("")
		ext = g.citizenAddress(p, g.anyForm())
		s.body = g.coverBody(s, p)
	} else {
		ext = mail.Address{Name: g.pick([]string{"Boligforeningen Engen", "Nordvest Flytteservice ApS", "Frivilligcentret"}),
			Address: g.pick([]string{"kontakt", "info", "post"}) + "@" + g.pick([]string{"boligengen.dk", "nv-flyt.dk", "frivillig-nord.dk"})}
		s.body = "Hej\n\nHermed listen som aftalt.\n\nVenlig hilsen\n" + s.caseworker.DisplayName() + "\n"
	}
	s.to = []mail.Address{ext}
	status := []string{"Sag i Socialforvaltningen", "Aktiv sag i Børn og Familie", "Modtager bostøtte (psykiatri)",
		"Underretning modtaget", "Sag om anbringelse", "Misbrugsbehandling", "Forebyggende foranstaltning"}
	rows := [][]string{{"Navn", "Adresse", "Postnr. og by", "Status"}}
	var csv strings.Builder
	csv.WriteString("Navn;Adresse;Postnr;By;Status\n")
	for i := 0; i < n; i++ {
		p := g.people.adult("")
		st := g.pick(status)
		rows = append(rows, []string{p.FullName(), p.Street, p.Postcode + " " + p.Town, st})
		fmt.Fprintf(&csv, "%s;%s;%s;%s;%s\n", p.FullName(), p.Street, p.Postcode, p.Town, st)
	}
	title := g.pick([]string{"Oversigt over borgere med sag i Socialforvaltningen", "Deltagerliste – familiekursus", "Borgere til opfølgning"})
	switch g.rng.IntN(3) {
	case 0:
		s.text.WriteString(csv.String())
		s.atts = append(s.atts, att{"Borgerliste.csv", "text/csv", []byte(csv.String())})
		s.variant = append(s.variant, "csv")
		s.tag("csv")
	default:
		l := Letter{Letterhead: g.letterhead(s.dept, s.caseworker), Title: title, Paras: []string{"Listen er udtrukket fra fagsystemet."},
			Table: rows, TableAt: 1}
		g.attach(s, "Borgerliste", []Letter{l}, "pdf", "docx")
	}
	s.subject = title
	s.action, s.why = "block", fmt.Sprintf("a list of %d citizens with a social case (no CPR numbers) to an external recipient", n)
}

func (g *gen) quotedThread(s *spec) {
	p := g.people.adult("")
	other := g.people.adult("")
	kid := g.people.child(other, true)
	colleague := g.staff()
	s.to = []mail.Address{g.citizenAddress(p, g.anyForm())}
	first := strings.Fields(p.Given)[0]
	top := []string{g.pick([]string{"Hej ", "Kære "}) + first, "",
		g.pick([]string{"Jeg videresender lige nedenstående, så du kan se, hvor langt vi er med planlægningen.",
			"Som lovet: her er svaret fra min kollega om mødet.",
			"Se nedenfor – jeg vender tilbage med en ny dato."}), "",
		g.pick([]string{"Mvh.", "Venlig hilsen"}), s.caseworker.DisplayName(), ""}
	kidName := g.pick([]string{kid.FullName(), strings.Fields(kid.Given)[0] + " fra familien " + other.Family})
	quoted := []string{
		"-----Oprindelig meddelelse-----",
		"Fra: " + colleague.DisplayName() + " <" + g.staffAddress(colleague).Address + ">",
		"Sendt: " + g.date() + " 14:" + fmt.Sprintf("%02d", g.rng.IntN(60)),
		"Til: " + s.caseworker.DisplayName() + " <" + s.from.Address + ">",
		"Emne: SV: Mødet på torsdag",
		"",
		"Hej " + strings.Fields(s.caseworker.Given)[0],
		"",
		g.pick([]string{
			fmt.Sprintf("Jeg kan ikke deltage torsdag, da %s blev anbragt akut i nat, og jeg skal følge op på det.", kidName),
			fmt.Sprintf("Mødet må flyttes. %s er anbragt akut efter underretningen fra skolen, så hele formiddagen går med det.", kidName),
			fmt.Sprintf("Vi har netop anbragt %s akut på en døgninstitution, så jeg er optaget resten af ugen.", kidName),
		}),
		"",
		"Hilsen " + colleague.DisplayName(),
	}
	if g.chance(50) {
		for i := range quoted {
			quoted[i] = "> " + quoted[i]
		}
	}
	s.body = strings.Join(append(top, quoted...), "\n") + "\n"
	s.variant = append(s.variant, "body")
	s.tag("quoted-thread")
	s.subject = g.pick([]string{"VS: Mødet på torsdag", "Fw: Mødet på torsdag", "VS: SV: Mødet på torsdag"})
	s.action, s.why = "block", "a quoted internal mail names another family's child who was placed in care (anbragt akut)"
}

func (g *gen) lookalikeNumber() string {
	// a 10-digit number whose first six digits are a valid date, as a CPR number's are
	t := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(365*70))
	return fmt.Sprintf("%02d%02d%02d%04d", t.Day(), int(t.Month()), t.Year()%100, g.rng.IntN(10000))
}

func (g *gen) lookalike(s *spec) {
	var to mail.Address
	var greet string
	if g.chance(60) {
		p := g.people.adult("")
		to = g.citizenAddress(p, g.anyForm())
		greet = "Kære " + strings.Fields(p.Given)[0]
	} else {
		to = mail.Address{Name: g.pick([]string{"Kontorforsyning A/S", "Nordisk Boghandel", "Hotel Fjordgården"}),
			Address: g.pick([]string{"ordre", "salg", "booking"}) + "@" + g.pick([]string{"kontorforsyning.dk", "nordiskbog.dk", "fjordgaarden.dk"})}
		greet = "Hej"
	}
	s.to = []mail.Address{to}
	num := func() string { n := g.lookalikeNumber(); s.look = append(s.look, n); return n }
	lines := []string{greet, ""}
	pool := []func() string{
		func() string { return "Din booking af mødelokalet er bekræftet. Bookingnr. " + num() + "." },
		func() string { return "Bogen er bestilt hjem til biblioteket (ISBN " + num() + ")." },
		func() string { return "Vedlagt faktura nr. " + num() + " for kursusgebyret." },
		func() string { return "Beløbet indbetales på kontonr. 1551 " + num() + "." },
		func() string { return "Ordrenr.: " + num() + " – levering i uge 12." },
		func() string { return "Ring gerne på +45 " + g.phone() + " eller direkte på " + g.phone() + "." },
		func() string { return "Deltagernummer " + num() + " skal oplyses ved indgangen." },
		func() string { return "Referencenr. " + num() + ", betalt den 3. marts." },
	}
	for _, i := range g.rng.Perm(len(pool))[:3+g.rng.IntN(3)] {
		lines = append(lines, pool[i]())
	}
	lines = append(lines, "", g.pick([]string{"Med venlig hilsen", "Mvh."}), s.caseworker.DisplayName(), s.dept.name)
	s.body = strings.Join(lines, "\n") + "\n"
	if g.chance(40) {
		inv := Letter{Letterhead: g.letterhead(s.dept, s.caseworker), Title: "Faktura", Info: []string{"Dato: " + g.date(), "Faktura nr.: " + num()},
			Table: [][]string{{"Varenr.", "Tekst", "Beløb"}, {num(), "Kursusmateriale", "450,00"}, {num(), "Forplejning", "125,00"}},
			Paras: []string{"Betalingsbetingelser: netto 14 dage.", "Bankkonto: reg.nr. 1551 kontonr. " + num()}}
		g.attach(s, "Faktura", []Letter{inv}, "pdf")
	}
	s.subject = g.pick([]string{"Bekræftelse", "Faktura og ordre", "Din bestilling", "Booking"})
	s.action, s.why = "allow", "only numbers that look like CPR numbers (booking, ISBN, invoice, account, order); no personal data"
}

func (g *gen) lawFirm(s *spec) {
	p := g.people.adult("")
	s.to = []mail.Address{g.citizenAddress(p, g.anyForm())}
	firm := g.pick([]string{"Advokatfirmaet Brink & Toft", "Advokathuset Vestjylland", "Lindholm Advokater", "Advokatkontoret ved Torvet"})
	dom := g.pick([]string{"brinktoft-advokat.dk", "advokathuset-vest.dk", "lindholm-advokater.dk", "advokat-torvet.dk"})
	s.cc = []mail.Address{{Name: firm, Address: g.pick([]string{"post", "sekretariat", "mail"}) + "@" + dom}}
	l := g.ownLetter(s, p)
	l.After = append(l.After, "Kopi sendt til din advokat, "+firm+".")
	s.subject = g.pick([]string{l.Title, "Afgørelse – kopi til advokat"})
	s.body = g.coverBody(s, p)
	g.attach(s, g.pick(fileBases), []Letter{l})
	s.action, s.why = "secure", "the recipient's own letter with her law firm (not a citizen) in Cc, not secure"
}

func (g *gen) parentChildRow(s *spec) {
	parent := g.people.adult("")
	child := g.people.child(parent, g.chance(60))
	s.to = []mail.Address{g.citizenAddress(parent, g.anyForm())}
	t := childTopics[g.rng.IntN(len(childTopics))]
	rel := relationWord(child, false)
	l := Letter{Letterhead: g.letterhead(s.dept, s.caseworker), Addressee: parent.AddressLines(), Info: g.info(s, nil),
		Title: t.title, Greeting: g.greeting(parent)}
	pc, cc := g.cprText(s, parent), g.cprText(s, child)
	if g.chance(50) {
		l.Table = [][]string{{"Forælder", "Barn", "CPR-numre"}, {parent.FullName(), child.FullName(), pc + " " + cc}}
	} else {
		l.Table = [][]string{{"Husstand", "CPR-nr.", ""}, {parent.FullName() + " og " + rel + " " + child.FullName(), pc, cc}}
	}
	for i, par := range t.paras {
		name := strings.Fields(child.Given)[0]
		if i == 0 {
			name = child.FullName()
		}
		l.Paras = append(l.Paras, fill(par, name, rel))
	}
	l.TableAt = 1
	l.Closing = g.closing(s)
	s.subject = g.pick([]string{t.title, "Brev om " + strings.Fields(child.Given)[0]})
	s.body = g.coverBody(s, parent)
	g.attach(s, g.pick(fileBases), []Letter{l}, "pdf", "pdf", "docx")
	s.action, s.why = "secure", "the parent's own letter with her and her child's CPR numbers side by side in one row, not secure"
}

// ---------------------------------------------------------------- RFC 5322

func (g *gen) eml(s *spec) []byte {
	var b bytes.Buffer
	addrs := func(xs []mail.Address) string {
		var out []string
		for _, a := range xs {
			out = append(out, a.String())
		}
		return strings.Join(out, ", ")
	}
	boundary := fmt.Sprintf("=_sendevagt_%d_%d", g.seed, g.n)
	fmt.Fprintf(&b, "From: %s\r\n", s.from.String())
	fmt.Fprintf(&b, "To: %s\r\n", addrs(s.to))
	if len(s.cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\r\n", addrs(s.cc))
	}
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", s.subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC).Add(time.Duration(g.n)*time.Minute).Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d.%d@%s>\r\n", g.seed, g.n, SenderDomain)
	for _, h := range s.headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	body := func(w *bytes.Buffer) {
		ct, content := "text/plain", s.body
		if s.html {
			ct, content = "text/html", htmlBody(s.body)
		}
		w.WriteString("Content-Type: " + ct + "; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		w.WriteString(wrap76(base64.StdEncoding.EncodeToString([]byte(content))))
	}
	if len(s.atts) == 0 {
		body(&b)
		return b.Bytes()
	}
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\nThis is a multi-part message in MIME format.\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	body(&b)
	for _, a := range s.atts {
		fmt.Fprintf(&b, "--%s\r\n", boundary)
		fmt.Fprintf(&b, "Content-Type: %s\r\n", mime.FormatMediaType(a.ctype, map[string]string{"name": a.name}))
		fmt.Fprintf(&b, "Content-Disposition: %s\r\n", mime.FormatMediaType("attachment", map[string]string{"filename": a.name}))
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
		b.WriteString(wrap76(base64.StdEncoding.EncodeToString(a.data)))
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// htmlBody writes a plain-text body as Outlook's HTML: a paragraph a line, quoted lines in a
// blockquote, the original-message header block behind a top border.
func htmlBody(text string) string {
	var b strings.Builder
	b.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body lang="DA" style="font-family:Calibri,sans-serif;font-size:11pt"><div class="WordSection1">`)
	inQuote := false
	for _, line := range strings.Split(text, "\n") {
		quoted := strings.HasPrefix(line, ">")
		if quoted != inQuote {
			if quoted {
				b.WriteString(`<blockquote style="border-left:solid #CCCCCC 1.0pt;padding-left:6pt">`)
			} else {
				b.WriteString(`</blockquote>`)
			}
			inQuote = quoted
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, ">"))
		switch {
		case line == "":
			b.WriteString(`<p class="MsoNormal">&nbsp;</p>`)
		case strings.HasPrefix(line, "-----"):
			b.WriteString(`<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"></div>`)
		case strings.HasPrefix(line, "Fra:") || strings.HasPrefix(line, "Sendt:") || strings.HasPrefix(line, "Til:") || strings.HasPrefix(line, "Emne:"):
			k := strings.Index(line, ":")
			b.WriteString(`<p class="MsoNormal"><b>` + html.EscapeString(line[:k+1]) + `</b>` + html.EscapeString(line[k+1:]) + `</p>`)
		default:
			b.WriteString(`<p class="MsoNormal">` + html.EscapeString(line) + `</p>`)
		}
	}
	if inQuote {
		b.WriteString(`</blockquote>`)
	}
	b.WriteString(`</div></body></html>`)
	return b.String()
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return b.String() + s + "\r\n"
}
