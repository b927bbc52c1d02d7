package detect

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// benchText is ~2 MB of synthetic Danish letters (~1.6 KB each, shorter than most real ones):
// addressee block, greeting, 16 sentences with dates, amounts, phone numbers and now and then a
// sensitive statement, signature; a CPR number in every tenth letter and a CPR table in every
// fiftieth. About one finding per 180 bytes.
var benchText = sync.OnceValue(func() string { return makeLetters(2 << 20) })

func makeLetters(size int) string {
	r := rand.New(rand.NewPCG(1, 2))
	first := []string{"Anne", "Jens", "Mette", "Søren", "Lærke", "Mikkel", "Ida", "Jørgen", "Camilla", "Frederik", "Else", "Bjørn"}
	last := []string{"Jensen", "Nielsen", "Hansen", "Østergård", "Møller-Ærenlund", "Dalgaard", "Kristiansen", "Holm", "Bækgaard", "Lund"}
	streets := []string{"Damagervej", "Søren Frichs Vej", "Rådhuspladsen", "Hannemanns Allé", "Strammelse Møllevej", "Engmarken"}
	cities := []string{"8000 Aarhus C", "4180 Sorø", "8230 Åbyhøj", "2100 København Ø", "8210 Aarhus V"}
	sentences := []string{
		"Vi har modtaget din ansøgning om hjælp til enkeltudgift, og vi har nu behandlet den.",
		"Du er velkommen til at kontakte os på telefon 89 40 20 00 mellem kl. 10.00 og 14.00.",
		"Kommunen har lagt vægt på oplysningerne i sagen og på udtalelsen fra din egen læge.",
		"Beløbet på 12.500,00 kr. bliver udbetalt til din NemKonto den 15. april 2024.",
		"Hvis du er uenig i afgørelsen, kan du klage inden fire uger efter, at du har fået brevet.",
		"Mødet holdes på Rådhuset i mødelokale 3, og du er velkommen til at tage en bisidder med.",
		"Vi sender en kopi af brevet til din rådgiver i Jobcenter Aarhus, som følger op på sagen.",
		"Der er ikke behov for, at du foretager dig noget, før du hører fra os igen.",
		"Oplysningerne bliver behandlet efter reglerne i databeskyttelsesforordningen og loven.",
		"Sagen blev drøftet på teammødet, og vi aftalte at vende tilbage i næste uge.",
	}
	sensitive := []string{
		"Din læge har oplyst, at du er i behandling for depression og angst.",
		"Vi har modtaget en underretning fra skolen om barnets trivsel.",
		"Efter indlæggelsen på psykiatrisk afdeling er du udskrevet til eget hjem.",
		"Børne- og ungdomspsykiatrien har stillet diagnosen ADHD.",
		"Han lever et godt liv og har det godt i sin nye bolig.",
	}
	var sb strings.Builder
	sb.Grow(size + 4096)
	for n := 0; sb.Len() < size; n++ {
		f, l := first[r.IntN(len(first))], last[r.IntN(len(last))]
		fmt.Fprintf(&sb, "%s %s\n%s %d, %d. tv.\n%s\n\nAarhus, %d. marts 2024\n\n", f, l,
			streets[r.IntN(len(streets))], 1+r.IntN(150), 1+r.IntN(4), cities[r.IntN(len(cities))], 1+r.IntN(28))
		if n%10 == 0 {
			fmt.Fprintf(&sb, "Vedr.: Din sag, cpr-nr. %02d%02d%02d-%04d\n\n", 1+r.IntN(28), 1+r.IntN(12), r.IntN(100), r.IntN(10000))
		}
		fmt.Fprintf(&sb, "Kære %s %s\n\n", f, l)
		for k := 0; k < 16; k++ {
			sb.WriteString(sentences[r.IntN(len(sentences))])
			sb.WriteByte(' ')
			if k%4 == 3 {
				sb.WriteString("\n\n")
			}
			if r.IntN(10) == 0 {
				sb.WriteString(sensitive[r.IntN(len(sensitive))])
				sb.WriteByte(' ')
			}
		}
		if n%50 == 7 {
			sb.WriteString("\nNavn;CPR;Ydelse\n")
			for k := 0; k < 5; k++ {
				fmt.Fprintf(&sb, "%s %s;%02d%02d%02d%04d;Kontanthjælp\n", first[r.IntN(len(first))], last[r.IntN(len(last))],
					1+r.IntN(28), 1+r.IntN(12), r.IntN(100), r.IntN(10000))
			}
		}
		fmt.Fprintf(&sb, "\nMed venlig hilsen\n\nJonas Fisker\nSocialrådgiver, Socialforvaltningen\nAarhus Kommune\nTlf. 89 40 %02d %02d\n\n", r.IntN(100), r.IntN(100))
	}
	return sb.String()
}

func benchDetector(b *testing.B, fn func(e *Engine, s string) []Finding) {
	benchDetectorOn(b, benchText(), fn)
}

// benchDetectorOn runs fn over text, reporting bytes per second, allocations and the findings.
func benchDetectorOn(b *testing.B, text string, fn func(e *Engine, s string) []Finding) {
	e := testEngine(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = len(fn(e, text))
	}
	b.ReportMetric(float64(n), "findings")
}

func BenchmarkDetectAll(b *testing.B) {
	benchDetector(b, func(e *Engine, s string) []Finding { return e.Detect(s) })
}

func BenchmarkCPR(b *testing.B) {
	benchDetector(b, func(e *Engine, s string) []Finding { return e.CPR(s) })
}

func BenchmarkNames(b *testing.B) {
	benchDetector(b, func(e *Engine, s string) []Finding { return e.Names(s) })
}

func BenchmarkAddresses(b *testing.B) {
	benchDetector(b, func(e *Engine, s string) []Finding { return e.Addresses(s) })
}

func BenchmarkSensitive(b *testing.B) {
	benchDetector(b, func(e *Engine, s string) []Finding { return e.Sensitive(s) })
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkACScan measures the automaton alone (no boundary checks, no findings).
func BenchmarkACScan(b *testing.B) {
	e := testEngine(b)
	text := benchText()
	b.SetBytes(int64(len(text)))
	n := 0
	for b.Loop() {
		e.sensitive.ac.scan(text, func(int, int, int32) { n++ })
	}
}
