package testgen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// DanishText is about size bytes of Danish case text as a mail merge or an export from a case
// system gives it: one line per synthetic citizen with name, address, CPR number and a sentence
// of the case. The seed varies the people, the order, the case numbers and the wording, so
// requests built from different seeds never share their bytes.
func DanishText(size int, seed int64) []byte {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7e47))
	people := Citizens(500, seed)
	intros := []string{"Borgeren", "Ansøgeren", "Modtageren", "Den unge", "Forælderen"}
	buf := bytes.NewBuffer(make([]byte, 0, size+512))
	for i := 0; buf.Len() < size; i++ {
		c := people[rng.IntN(len(people))]
		s := subjects[rng.IntN(len(subjects))]
		fmt.Fprintf(buf, "%d. %s, %s, %s %s, CPR-nr. %s. %s: %s (sag %d-%d). %s\n",
			i+1, c.Name(), c.Street, c.Postcode, c.City, c.CPR, intros[rng.IntN(len(intros))], s.title,
			2026, rng.IntN(900_000)+100_000, s.body)
	}
	return buf.Bytes()
}
