package testgen

import (
	"fmt"
	"github.com/sendevagt/sendevagt/internal/detect"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Person is one synthetic person of the realistic message generator. Unlike Citizen, a Person
// may carry a name from outside the Danish name lists, a family name written first, particles,
// hyphenated and double surnames, a floor and a c/o line.
type Person struct {
	Given       string // first name(s) as used in a greeting: "Minh", "Anne-Sofie"
	Middle      string // middle name(s), may be empty: "Van", "Skovgaard"
	Family      string // family name with particles: "Nguyen", "von Hagen", "al-Tamimi", "Lund Bech"
	FamilyFirst bool   // the name is written family name first ("Nguyen Van Minh")
	Origin      string // "dk", "pl", "tr", "vn", "ar", "de", "fr", "fo", "gl"
	Female      bool
	Birth       time.Time
	CPR         string // "DDMMYY-SSSS"
	Street      string // "Birkealle 14"
	Floor       string // "2. tv." or ""
	CO          string // "c/o Hanne Friis" or ""
	Postcode    string
	Town        string
}

// FullName is the name as a Danish register writes it: "Anne Skou Bech", or family name first
// for names that are written so ("Nguyen Van Minh").
func (p Person) FullName() string {
	if p.FamilyFirst {
		return join(p.Family, p.Middle, p.Given)
	}
	return join(p.Given, p.Middle, p.Family)
}

// DisplayName is the name as a mail client shows it: given name, then family name.
func (p Person) DisplayName() string { return join(p.Given, p.Family) }

// CPRDigits is the CPR number without separator.
func (p Person) CPRDigits() string { return strings.ReplaceAll(p.CPR, "-", "") }

// AddressLines are the lines of an addressee block: name, optional c/o, street with floor,
// postcode and town.
func (p Person) AddressLines() []string {
	lines := []string{p.FullName()}
	if p.CO != "" {
		lines = append(lines, p.CO)
	}
	st := p.Street
	if p.Floor != "" {
		st += ", " + p.Floor
	}
	return append(lines, st, p.Postcode+" "+p.Town)
}

// OneLineAddress is the address on one line: "Birkealle 14, 2. tv., 7400 Herning".
func (p Person) OneLineAddress() string {
	st := p.Street
	if p.Floor != "" {
		st += ", " + p.Floor
	}
	return st + ", " + p.Postcode + " " + p.Town
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// The name source: a few dozen names chosen for these tests, not taken from any register or
// from the example corpus.
var (
	dkFemale = []string{"Birthe", "Vibeke", "Dorte", "Gitte", "Rikke", "Trine", "Malene", "Majken",
		"Sanne", "Ulla", "Jette", "Lærke", "Mathilde", "Nanna", "Asta", "Karoline", "Solveig",
		"Merete", "Agnete", "Anne-Sofie", "Bodil", "Stine"}
	dkMale = []string{"Bent", "Flemming", "Kim", "Kenneth", "Brian", "Allan", "Steen", "Finn", "Bo",
		"Ebbe", "Gunnar", "Troels", "Villads", "Asger", "Oskar", "Magnus", "Esben", "Jonatan",
		"Halfdan", "Karl-Emil", "Ib", "Sune"}
	dkMiddle = []string{"Skovgaard", "Brink", "Hedegaard", "Krogsgaard", "Bundgaard", "Malling",
		"Toftegaard", "Ravn", "Lind", "Fuglsang"}
	dkFamily = []string{"Bech", "Dahl", "Friis", "Gram", "Holst", "Iversen", "Jakobsen", "Kirkegaard",
		"Lauridsen", "Mikkelsen", "Nygaard", "Overgaard", "Pallesen", "Qvist", "Riis", "Skou", "Toft",
		"Ulriksen", "Vinding", "Winther", "Øbro", "Ågård", "Ebbesen", "Fogh", "Gregersen", "Husum",
		"Isaksen", "Klitgaard", "Lindholm", "Munk", "Bøgelund", "Damgaard"}
	// foreign names: given names (female, male) and family names per origin
	foreign = map[string]struct{ female, male, family []string }{
		"pl": {[]string{"Małgorzata", "Bożena", "Grażyna", "Agnieszka", "Katarzyna"},
			[]string{"Łukasz", "Przemysław", "Zbigniew", "Grzegorz", "Mirosław"},
			[]string{"Wiśniewska", "Żurawski", "Kołodziej", "Świątek", "Ślusarczyk", "Łęcki", "Dąbrowski"}},
		"tr": {[]string{"Ayşegül", "Müge", "Sıla", "Gülizar", "Şeyma"},
			[]string{"Şükrü", "İbrahim", "Gökhan", "Ertuğrul", "Barış"},
			[]string{"Yıldırım", "Doğan", "Çağlar", "Öztürk", "Aydoğdu", "Kılıç", "Şahin"}},
		"vn": {[]string{"Lan", "Thu", "Mai", "Hoa", "Linh"},
			[]string{"Minh", "Hung", "Tuan", "Duc", "Quang"},
			[]string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu"}},
		"ar": {[]string{"Fatima", "Mariam", "Yasmin", "Rania", "Huda"},
			[]string{"Khalid", "Omar", "Hassan", "Ahmad", "Yusuf"},
			[]string{"al-Rashid", "el-Haddad", "bin Saleh", "al-Khatib", "El-Sayed", "Abu-Zaid", "al-Tamimi"}},
		"de": {[]string{"Clara", "Henriette", "Friederike"},
			[]string{"Maximilian", "Konstantin", "Leopold"},
			[]string{"von Hagen", "von Ekeberg", "von Stolzenau", "von der Heide"}},
		"fr": {[]string{"Amélie", "Céline", "Hélène"},
			[]string{"Benoît", "Frédéric", "Gaël"},
			[]string{"de la Roche", "de la Motte", "de la Fontaine", "Lefèvre"}},
		"fo": {[]string{"Sunniva", "Rannvá", "Bjørg", "Turið"},
			[]string{"Rógvi", "Sjúrður", "Bárður", "Jóannes", "Óli"},
			[]string{"Joensen", "í Dali", "á Steig", "Hentze", "Poulsen", "Dalsgaard"}},
		"gl": {[]string{"Naja", "Nivi", "Paninnguaq", "Aviaja", "Ivalo"},
			[]string{"Aputsiaq", "Malik", "Kuupik", "Inunnguaq", "Pipaluk"},
			[]string{"Kleist", "Lyberth", "Heilmann", "Egede", "Lynge", "Kristiansen"}},
	}
	vnMiddleF = []string{"Thi", "Ngoc", "Thanh"}
	vnMiddleM = []string{"Van", "Duc", "Thanh"}

	streetNames = []string{"Birkealle", "Kastanievej", "Hybenvej", "Fasanvej", "Rønnebærvej",
		"Tranevej", "Markvænget", "Gyvelbakken", "Præstegårdsvej", "Havnegade", "Bredgade",
		"Enghavevej", "Lyngtoften", "Stationsvej", "Smedestræde", "Violvej", "Mosevang",
		"Fjordbakken", "Kirsebærhaven", "Ved Søen", "Ålekistevej", "Højskolevej", "Skovbrynet",
		"Bakkedraget", "Nørre Allé", "Grønnegade"}
	// Real Danish postcodes with their towns.
	postcodes = []struct{ code, town string }{
		{"8800", "Viborg"}, {"7400", "Herning"}, {"6000", "Kolding"}, {"4700", "Næstved"},
		{"3400", "Hillerød"}, {"2800", "Kongens Lyngby"}, {"5700", "Svendborg"}, {"9800", "Hjørring"},
		{"6100", "Haderslev"}, {"4300", "Holbæk"}, {"8700", "Horsens"}, {"7500", "Holstebro"},
		{"9400", "Nørresundby"}, {"2670", "Greve"}, {"8300", "Odder"}, {"8660", "Skanderborg"},
		{"4200", "Slagelse"}, {"3600", "Frederikssund"}, {"6400", "Sønderborg"}, {"3700", "Rønne"},
		{"9700", "Brønderslev"}, {"2300", "København S"}, {"5800", "Nyborg"}, {"8500", "Grenaa"},
		{"7800", "Skive"}, {"4600", "Køge"}, {"6200", "Aabenraa"}, {"9900", "Frederikshavn"},
		{"8450", "Hammel"}, {"2750", "Ballerup"}, {"7100", "Vejle"}, {"5500", "Middelfart"},
	}
	floors = []string{"st. tv.", "st. th.", "1. tv.", "1. th.", "2. tv.", "2. mf.", "3. th.", "4. tv.", "1.", "2."}
)

// people draws synthetic persons for one message.
type people struct {
	rng   *rand.Rand
	used  map[string]bool // CPR numbers already used in the message set
	names map[string]bool // full names and family names already used in the current message
}

func newPeople(rng *rand.Rand) *people {
	return &people{rng: rng, used: map[string]bool{}, names: map[string]bool{}}
}

// newMessage forgets the names used so far: names must differ only within one message.
func (g *people) newMessage() { clear(g.names) }

func (g *people) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// origin draws where a name comes from: mostly Danish, often not.
func (g *people) origin(foreignShare int) string {
	if g.rng.IntN(100) >= foreignShare {
		return "dk"
	}
	return g.pick([]string{"pl", "tr", "vn", "ar", "de", "fr", "fo", "gl"})
}

// adult makes an adult (born 1948–2004) of the given origin ("" draws one, mostly Danish).
func (g *people) adult(origin string) Person {
	if origin == "" {
		origin = g.origin(35)
	}
	for try := 0; ; try++ {
		female := g.rng.IntN(2) == 0
		birth := time.Date(1948, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(365*56))
		p := Person{Origin: origin, Female: female, Birth: birth}
		g.name(&p)
		g.address(&p)
		p.CPR = g.cpr(birth, female)
		if g.used[p.CPR] || (try < 50 && (g.names[p.FullName()] || g.names[p.Family])) {
			continue
		}
		g.used[p.CPR], g.names[p.FullName()], g.names[p.Family] = true, true, true
		return p
	}
}

// child makes a child of parent (born 2009–2022), living with the parent; sameSurname decides
// whether the child carries the parent's family name.
func (g *people) child(parent Person, sameSurname bool) Person {
	for try := 0; ; try++ {
		female := g.rng.IntN(2) == 0
		birth := time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(365*13))
		c := Person{Origin: parent.Origin, Female: female, Birth: birth}
		g.name(&c)
		if sameSurname {
			c.Family, c.FamilyFirst = parent.Family, parent.FamilyFirst
		} else {
			fams := dkFamily
			if f, ok := foreign[parent.Origin]; ok && g.rng.IntN(2) == 0 {
				fams = f.family
			}
			c.Family, c.FamilyFirst = g.pick(fams), parent.FamilyFirst && g.rng.IntN(2) == 0
			if c.Family == parent.Family {
				continue
			}
		}
		c.Street, c.Floor, c.Postcode, c.Town = parent.Street, parent.Floor, parent.Postcode, parent.Town
		c.CPR = g.cpr(birth, female)
		if g.used[c.CPR] || c.Given == parent.Given || (try < 50 && g.names[c.FullName()]) {
			continue
		}
		g.used[c.CPR], g.names[c.FullName()] = true, true
		return c
	}
}

func (g *people) name(p *Person) {
	switch p.Origin {
	case "dk":
		if p.Female {
			p.Given = g.pick(dkFemale)
		} else {
			p.Given = g.pick(dkMale)
		}
		switch r := g.rng.IntN(10); {
		case r < 3:
			p.Middle = g.pick(dkMiddle)
		case r == 3: // double given name
			if p.Female {
				p.Middle = g.pick([]string{"Marie", "Louise", "Kathrine"})
			} else {
				p.Middle = g.pick([]string{"Christian", "Emil", "Valdemar"})
			}
		}
		p.Family = g.pick(dkFamily)
		switch r := g.rng.IntN(10); {
		case r == 0: // hyphenated
			p.Family = g.pick(dkFamily) + "-" + p.Family
		case r == 1: // double surname with a space
			p.Family = g.pick(dkFamily) + " " + p.Family
		}
	case "vn":
		src := foreign["vn"]
		p.FamilyFirst = true
		p.Family = g.pick(src.family)
		if p.Female {
			p.Given, p.Middle = g.pick(src.female), g.pick(vnMiddleF)
		} else {
			p.Given, p.Middle = g.pick(src.male), g.pick(vnMiddleM)
		}
	default:
		src := foreign[p.Origin]
		if p.Female {
			p.Given = g.pick(src.female)
		} else {
			p.Given = g.pick(src.male)
		}
		p.Family = g.pick(src.family)
		// Polish feminine surnames end in -ska; keep it simple: use as drawn.
		if g.rng.IntN(8) == 0 {
			p.Family += "-" + g.pick(dkFamily) // married into a Danish family
		}
	}
}

func (g *people) address(p *Person) {
	pc := postcodes[g.rng.IntN(len(postcodes))]
	p.Postcode, p.Town = pc.code, pc.town
	p.Street = fmt.Sprintf("%s %d", g.pick(streetNames), 1+g.rng.IntN(140))
	if g.rng.IntN(7) == 0 {
		p.Street += string(rune('A' + g.rng.IntN(4)))
	}
	if g.rng.IntN(3) == 0 {
		p.Floor = g.pick(floors)
	}
	if g.rng.IntN(9) == 0 {
		p.CO = "c/o " + g.pick(dkFemale) + " " + g.pick(dkFamily)
	}
}

// cpr makes a CPR number for a birth date: the 7th digit fits the century, the sex digit fits,
// and about one in eight numbers does not satisfy the modulus-11 check (issued since 2007). The
// rules are detect's (BirthDate, Mod11): the generator only draws digits and asks.
func (g *people) cpr(birth time.Time, female bool) string {
	date := fmt.Sprintf("%02d%02d%02d", birth.Day(), int(birth.Month()), birth.Year()%100)
	var seventh []int // the 7th digits that give this birth year
	for d := range 10 {
		if b, ok := detect.BirthDate(fmt.Sprintf("%s%d000", date, d)); ok && b.Year() == birth.Year() {
			seventh = append(seventh, d)
		}
	}
	noMod11 := g.rng.IntN(8) == 0
	for {
		d := fmt.Sprintf("%s%d%02d", date, seventh[g.rng.IntN(len(seventh))], g.rng.IntN(100))
		last := -1
		if noMod11 {
			last = g.rng.IntN(10)
			if detect.Mod11(fmt.Sprintf("%s%d", d, last)) {
				continue
			}
		} else if last = checkDigit(d); last < 0 {
			continue
		}
		if (last%2 == 0) != female {
			continue
		}
		return fmt.Sprintf("%s-%s%d", d[:6], d[6:], last)
	}
}

// checkDigit is the last digit that makes the nine digits d satisfy detect's modulus-11 check,
// or -1 when none does.
func checkDigit(d string) int {
	for last := range 10 {
		if detect.Mod11(fmt.Sprintf("%s%d", d, last)) {
			return last
		}
	}
	return -1
}

// ascii folds a name to what a mail address would hold: "Łęcki" → "lecki", "Ågård" → "aagaard".
func ascii(s string) string {
	r := strings.NewReplacer("æ", "ae", "Æ", "ae", "ø", "oe", "Ø", "oe", "å", "aa", "Å", "aa",
		"ł", "l", "Ł", "l", "ı", "i", "İ", "i", "ß", "ss", "ð", "d")
	s = r.Replace(s)
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, s)
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c) || c == '-') {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// initials of a person's names: "Anne Skou Bech" → "asb".
func initials(p Person) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(join(p.Given, p.Middle, p.Family), func(r rune) bool { return r == ' ' || r == '-' }) {
		a := ascii(w)
		if a == "" || w == strings.ToLower(w) { // skip particles: von, de, la, al
			continue
		}
		b.WriteByte(a[0])
	}
	return b.String()
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 0x9e0)) }
