// Package testgen makes realistic synthetic test documents: bundles of Danish municipal letters
// to made-up citizens, for tests and benchmarks of extraction, detection and the whole scan. The
// people are invented: names are common Danish names combined at random, CPR numbers are random
// valid dates with serial numbers chosen at random (they satisfy the old modulus-11 check so that
// every detector accepts them), addresses combine real street and town names with random numbers.
//
// Everything is deterministic for a given seed. Only tests and benchmarks import this package.
package testgen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Citizen is one synthetic person.
type Citizen struct {
	FirstName string // may hold a middle name: "Søren Ærbø"
	LastName  string
	Street    string // "Damagervej 83"
	Postcode  string // "8000"
	City      string // "Aarhus C"
	CPR       string // "DDMMYY-SSSS"
	Birth     time.Time
	Female    bool
}

// Name is the full name as written in a letter.
func (c Citizen) Name() string { return c.FirstName + " " + c.LastName }

// CPRDigits is the CPR number without the hyphen.
func (c Citizen) CPRDigits() string { return strings.ReplaceAll(c.CPR, "-", "") }

var (
	femaleNames = []string{"Anne", "Kirsten", "Mette", "Hanne", "Anna", "Helle", "Susanne", "Lene", "Maria",
		"Marianne", "Inge", "Karen", "Lone", "Bente", "Camilla", "Pia", "Louise", "Charlotte", "Ida",
		"Sofie", "Astrid", "Birgitte", "Jytte", "Tove", "Ærtrud", "Åse", "Signe", "Freja", "Emma", "Ellen"}
	maleNames = []string{"Peter", "Jens", "Lars", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Niels",
		"Anders", "Morten", "Jesper", "Mads", "Rasmus", "Christian", "Martin", "Ole", "Per", "Bjørn",
		"Jørgen", "Kristian", "Frederik", "Mikkel", "Poul", "Torben", "Østen", "Aage", "Kåre", "Carl", "Erik"}
	middleNames = []string{"Ærbø", "Skov", "Bach", "Dam", "Holm", "Krogh", "Lund", "Bruun", "Juul", "Møller", "Bøgh", "Kjær"}
	lastNames   = []string{"Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
		"Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
		"Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Østergård", "Kjærgaard", "Søndergaard",
		"Frølund", "Bækgaard", "Højgaard", "Løvgren", "Aagaard", "Thygesen", "Vestergaard"}
	streets = []string{"Damagervej", "Søndergade", "Østergade", "Vestergade", "Nørregade", "Kirkevej",
		"Skolevej", "Bøgevej", "Egevænget", "Møllevej", "Åboulevarden", "Frederiks Allé", "Jægergårdsgade",
		"Strandvejen", "Kongevejen", "Ørstedsvej", "Hørsholmvej", "Lærkevej", "Solsikkevej", "Æblehaven"}
	towns = []struct{ code, city string }{
		{"8000", "Aarhus C"}, {"8200", "Aarhus N"}, {"8210", "Aarhus V"}, {"8260", "Viby J"},
		{"4180", "Sorø"}, {"2100", "København Ø"}, {"2200", "København N"}, {"5000", "Odense C"},
		{"9000", "Aalborg"}, {"7100", "Vejle"}, {"6700", "Esbjerg"}, {"8600", "Silkeborg"},
		{"4000", "Roskilde"}, {"3000", "Helsingør"}, {"8900", "Randers C"}, {"2630", "Taastrup"},
	}
	caseworkers = []string{"Birgit Lykke", "Henning Aaberg", "Tina Sølvsten", "Jakob Ravn", "Nanna Kjeldsen"}
	subjects    = []struct{ title, body string }{
		{"Afgørelse om sygedagpenge", "Vi har behandlet din sag om sygedagpenge. Du er fortsat berettiget til sygedagpenge, fordi din læge vurderer, at du er uarbejdsdygtig på grund af sygdom. Vi har lagt vægt på lægeerklæringen af 3. februar og på samtalen med din arbejdsgiver."},
		{"Bevilling af hjælpemidler", "Du har søgt om en kørestol og et badeværelsesstativ. Vi bevilger begge hjælpemidler efter servicelovens § 112, fordi din funktionsevne er varigt nedsat. Hjælpemidlerne leveres af kommunens hjælpemiddeldepot."},
		{"Indkaldelse til samtale", "Du indkaldes til en samtale om din situation på Jobcentret. Formålet er at tale om dine muligheder for at komme i arbejde eller uddannelse. Du er velkommen til at tage en bisidder med til samtalen."},
		{"Afgørelse om økonomisk hjælp", "Du har søgt om hjælp til enkeltudgifter efter aktivlovens § 81. Vi giver dig afslag, fordi udgiften ikke er uforudset, og fordi din økonomi efter vores beregning giver plads til udgiften inden for en rimelig periode."},
		{"Partshøring i sag om børnefaglig undersøgelse", "Vi har modtaget en underretning om din søn. Før vi træffer afgørelse, vil vi gerne høre dine bemærkninger til sagens oplysninger. Du kan læse den børnefaglige undersøgelse, som er vedlagt dette brev."},
	}
	closing = "Du kan klage over afgørelsen. Klagen skal være modtaget senest fire uger efter, at du har fået dette brev. Send klagen til kommunen, som vil genvurdere sagen. Hvis vi fastholder afgørelsen, sender vi klagen videre til Ankestyrelsen. Har du spørgsmål, er du velkommen til at ringe til mig på telefon 87 13 20 00 mandag til fredag mellem kl. 9 og 12."
)

// Citizens returns n synthetic citizens for a seed; the same seed gives the same people.
func Citizens(n int, seed int64) []Citizen {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5e11de))
	out := make([]Citizen, 0, n)
	for len(out) < n {
		out = append(out, newCitizen(rng))
	}
	return out
}

func newCitizen(rng *rand.Rand) Citizen {
	start := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC)
	birth := start.AddDate(0, 0, rng.IntN(365*60)) // 1940–1999
	var cpr string
	for {
		// For births 1900–1999 the 7th digit is 0–3 (detect.BirthDate agrees); the last digit
		// makes the number pass detect's modulus-11 check when one does.
		serial := rng.IntN(4)*100 + rng.IntN(100)
		digits := fmt.Sprintf("%02d%02d%02d%03d", birth.Day(), int(birth.Month()), birth.Year()%100, serial)
		check := checkDigit(digits)
		if check < 0 {
			continue
		}
		cpr = fmt.Sprintf("%s-%s%d", digits[:6], digits[6:], check)
		break
	}
	female := (cpr[len(cpr)-1]-'0')%2 == 0
	first := maleNames[rng.IntN(len(maleNames))]
	if female {
		first = femaleNames[rng.IntN(len(femaleNames))]
	}
	if rng.IntN(3) == 0 {
		first += " " + middleNames[rng.IntN(len(middleNames))]
	}
	town := towns[rng.IntN(len(towns))]
	street := fmt.Sprintf("%s %d", streets[rng.IntN(len(streets))], 1+rng.IntN(180))
	if rng.IntN(4) == 0 {
		street += fmt.Sprintf(", %d. %s", 1+rng.IntN(5), []string{"tv.", "th.", "mf."}[rng.IntN(3)])
	}
	return Citizen{
		FirstName: first,
		LastName:  lastNames[rng.IntN(len(lastNames))],
		Street:    street,
		Postcode:  town.code,
		City:      town.city,
		CPR:       cpr,
		Birth:     birth,
		Female:    female,
	}
}

// LetterOptions shape a letter bundle.
type LetterOptions struct {
	Pages int   // one letter per page
	Seed  int64 // the citizens and texts; Citizens(Pages, Seed)[i] is the addressee of page i+1
	// ImageBytes, when positive, embeds on every page a distinct scanned-signature-like JPEG of
	// about this many bytes, as letters printed from case systems often carry; it lets a bundle
	// reach realistic sizes (100 pages × 50 KB ≈ 5 MB) without thousands of pages.
	ImageBytes int
}

// LetterBundlePDF is LetterBundle without images: one letter per page, about 2 KB a page.
func LetterBundlePDF(pages int, seed int64) ([]byte, error) {
	data, _, err := LetterBundle(LetterOptions{Pages: pages, Seed: seed})
	return data, err
}

// LetterBundle makes a PDF of opt.Pages letters, each on its own page and addressed to one
// synthetic citizen: municipality header, addressee block (name, street, postcode and city),
// CPR number, date and case number, subject, body paragraphs naming the citizen, complaint
// guidance and signature. It uses the core Helvetica font (WinAnsi), like many case systems.
func LetterBundle(opt LetterOptions) ([]byte, []Citizen, error) {
	if opt.Pages < 1 {
		return nil, nil, fmt.Errorf("testgen: %d pages", opt.Pages)
	}
	people := Citizens(opt.Pages, opt.Seed)
	data, err := letters(people, opt)
	return data, people, err
}

// SeparateLetters makes n one-page letters, each its own PDF and each to a different synthetic
// citizen (the Aarhus incident: 350 letters attached as 350 files). Citizens(n, seed)[i] is the
// addressee of letter i.
func SeparateLetters(n int, seed int64) ([][]byte, []Citizen, error) {
	people := Citizens(n, seed)
	out := make([][]byte, n)
	for i := range people {
		data, err := letters(people[i:i+1], LetterOptions{Pages: 1, Seed: seed + int64(i)})
		if err != nil {
			return nil, nil, err
		}
		out[i] = data
	}
	return out, people, nil
}

// letters renders one letter per person, one per page.
func letters(people []Citizen, opt LetterOptions) ([]byte, error) {
	opt.Pages = len(people)
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0x1e77e5))
	fixed := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)

	doc := fpdf.New("P", "mm", "A4", "")
	doc.SetCreationDate(fixed)
	doc.SetModificationDate(fixed)
	doc.SetCatalogSort(true)
	doc.SetMargins(25, 20, 20)
	doc.SetAutoPageBreak(false, 15)
	tr := doc.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252 for the core fonts
	doc.SetTitle("Breve", true)

	for i, c := range people {
		doc.AddPage()
		// Sender block, right.
		doc.SetFont("Helvetica", "B", 14)
		doc.Text(125, 25, tr("Aarhus Kommune"))
		doc.SetFont("Helvetica", "", 9)
		for j, line := range []string{"Socialforvaltningen", "Rådhuspladsen 2", "8000 Aarhus C", "Telefon 87 13 20 00"} {
			doc.Text(125, 31+float64(j)*4.5, tr(line))
		}
		// Addressee block in the envelope window, left.
		doc.SetFont("Helvetica", "", 11)
		doc.SetXY(25, 50)
		for _, line := range []string{c.Name(), c.Street, c.Postcode + " " + c.City} {
			doc.CellFormat(90, 5.5, tr(line), "", 2, "L", false, 0, "")
		}
		// Date, case number, CPR, right.
		date := fixed.AddDate(0, 0, -rng.IntN(60))
		meta := []string{
			"Dato: " + danishDate(date),
			fmt.Sprintf("Sagsnr.: 27.12.04-G01-%d-26", 100+rng.IntN(900)),
			"CPR-nr.: " + c.CPR,
		}
		for j, line := range meta {
			doc.Text(125, 55+float64(j)*5, tr(line))
		}
		// Subject and body.
		subj := subjects[rng.IntN(len(subjects))]
		doc.SetFont("Helvetica", "B", 12)
		doc.SetXY(25, 85)
		doc.CellFormat(0, 6, tr(subj.title), "", 1, "L", false, 0, "")
		doc.SetFont("Helvetica", "", 11)
		doc.SetXY(25, 97)
		doc.MultiCell(165, 5.5, tr("Kære "+c.Name()), "", "L", false)
		doc.Ln(3)
		doc.MultiCell(165, 5.5, tr(subj.body), "", "L", false)
		doc.Ln(3)
		doc.MultiCell(165, 5.5, tr(fmt.Sprintf("Afgørelsen vedrører dig, %s, CPR-nr. %s, bosat på %s, %s %s.",
			c.Name(), c.CPR, c.Street, c.Postcode, c.City)), "", "L", false)
		doc.Ln(3)
		doc.MultiCell(165, 5.5, tr(closing), "", "L", false)
		doc.Ln(8)
		doc.MultiCell(165, 5.5, tr("Med venlig hilsen"), "", "L", false)
		if opt.ImageBytes > 0 {
			img, err := noiseJPEG(rng, opt.ImageBytes)
			if err != nil {
				return nil, err
			}
			name := fmt.Sprintf("sig%d", i)
			info := doc.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "JPG"}, bytes.NewReader(img))
			if info == nil || doc.Err() {
				return nil, fmt.Errorf("testgen: image: %w", doc.Error())
			}
			doc.ImageOptions(name, 25, doc.GetY()+1, 50, 18, false, fpdf.ImageOptions{ImageType: "JPG"}, 0, "")
			doc.SetY(doc.GetY() + 20)
		} else {
			doc.Ln(10)
		}
		doc.MultiCell(165, 5.5, tr(caseworkers[rng.IntN(len(caseworkers))]), "", "L", false)
		doc.MultiCell(165, 5.5, tr("Sagsbehandler"), "", "L", false)
		doc.SetFont("Helvetica", "", 8)
		doc.Text(25, 285, tr(fmt.Sprintf("Side %d af %d", i+1, opt.Pages)))
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		return nil, fmt.Errorf("testgen: %w", err)
	}
	return buf.Bytes(), nil
}

var danishMonths = []string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
	"september", "oktober", "november", "december"}

func danishDate(t time.Time) string {
	return fmt.Sprintf("%d. %s %d", t.Day(), danishMonths[t.Month()-1], t.Year())
}

// noiseJPEG makes a grey JPEG of roughly n bytes (±15 %): pen-like strokes over scanner noise.
func noiseJPEG(rng *rand.Rand, n int) ([]byte, error) {
	const w = 400
	h := max(n/w, 16) // first guess: about a byte per pixel
	var out []byte
	for attempt := 0; attempt < 4; attempt++ {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				img.SetGray(x, y, color.Gray{Y: uint8(150 + rng.IntN(106))})
			}
		}
		for s := 0; s < 6; s++ {
			x, y := rng.IntN(w), rng.IntN(h)
			for k := 0; k < 300; k++ {
				x = min(max(x+rng.IntN(5)-2, 0), w-1)
				y = min(max(y+rng.IntN(5)-2, 0), h-1)
				img.SetGray(x, y, color.Gray{Y: uint8(rng.IntN(60))})
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75}); err != nil {
			return nil, err
		}
		out = buf.Bytes()
		if len(out) > n*85/100 && len(out) < n*115/100 {
			break
		}
		h = max(h*n/len(out), 16)
	}
	return out, nil
}
