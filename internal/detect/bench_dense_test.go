package detect

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// denseText is ~1 MB of the synthetic letters with a mail-merge list woven in: about 300 CPR
// numbers per MB (one line "Modtager: <name>, cpr-nr. DDMMYY-SSSS, <amount>" every ~3.4 KB),
// the case where the CPR scanner's cost per finding dominates.
var denseText = sync.OnceValue(func() string { return makeDense(1<<20, 300) })

func makeDense(size, perMB int) string {
	r := rand.New(rand.NewPCG(3, 4))
	base := makeLetters(size)
	first := []string{"Ole", "Karen", "Niels", "Birgitte", "Kasper", "Sofie"}
	last := []string{"Bertelsen", "Vestergaard", "Skov", "Kjærsgaard", "Pedersen"}
	step := (1 << 20) / perMB
	var sb strings.Builder
	sb.Grow(size + size/8)
	for i := 0; i < len(base); {
		j := min(i+step, len(base))
		if k := strings.IndexByte(base[j:], '\n'); k >= 0 {
			j += k + 1
		} else {
			j = len(base)
		}
		sb.WriteString(base[i:j])
		fmt.Fprintf(&sb, "Modtager: %s %s, cpr-nr. %02d%02d%02d-%04d, %d,00 kr.\n", first[r.IntN(len(first))], last[r.IntN(len(last))],
			1+r.IntN(28), 1+r.IntN(12), r.IntN(100), r.IntN(10000), 100+r.IntN(9000))
		i = j
	}
	return sb.String()
}

func BenchmarkCPRDense(b *testing.B) {
	benchDetectorOn(b, denseText(), func(e *Engine, s string) []Finding { return e.CPR(s) })
}

func BenchmarkDetectAllDense(b *testing.B) {
	benchDetectorOn(b, denseText(), func(e *Engine, s string) []Finding { return e.Detect(s) })
}
