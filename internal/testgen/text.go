package testgen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// DanishText is about size bytes of Danish case text as an export from a case system or a
// mail merge gives it: per synthetic citizen a line with name, address and CPR number, then four
// to thirteen paragraphs of the case (decisions, hearings, complaint guidance): about one CPR number
// per 2 KB, some 500 per megabyte. The seed varies the people, the order, the case
// numbers and the wording, so texts of different seeds never share their bytes.
func DanishText(size int, seed int64) []byte {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7e47))
	people := Citizens(500, seed)
	intros := []string{"Borgeren", "Ansøgeren", "Modtageren", "Den unge", "Forælderen"}
	prose := []string{
		closing,
		"Sagen er behandlet efter reglerne i forvaltningsloven. Du har haft mulighed for at se sagens akter og komme med bemærkninger, inden vi traf afgørelse.",
		"Vi har indhentet oplysninger fra de relevante parter og vurderet dem samlet. Afgørelsen gælder fra den dato, der står i brevet, og indtil der sker ændringer i dine forhold.",
		"Hvis dine forhold ændrer sig, skal du give kommunen besked hurtigst muligt. Det gælder for eksempel, hvis du flytter, får arbejde eller begynder på en uddannelse.",
		"Mødet holdes i Borgerservice, indgang B, anden sal. Husk at medbringe billedlegitimation og de papirer, der er nævnt i indkaldelsen.",
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+4096))
	for i := 0; buf.Len() < size; i++ {
		c := people[rng.IntN(len(people))]
		s := subjects[rng.IntN(len(subjects))]
		fmt.Fprintf(buf, "%d. %s, %s, %s %s, CPR-nr. %s. %s: %s (sag %d-%d).\n%s\n",
			i+1, c.Name(), c.Street, c.Postcode, c.City, c.CPR, intros[rng.IntN(len(intros))], s.title,
			2026, rng.IntN(900_000)+100_000, s.body)
		for range 4 + rng.IntN(10) {
			buf.WriteString(prose[rng.IntN(len(prose))])
			buf.WriteString("\n")
		}
		buf.WriteString("\n")
	}
	return buf.Bytes()
}
