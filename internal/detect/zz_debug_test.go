package detect

import (
	"fmt"
	"sort"
	"testing"
)

func TestZZDebugBench(t *testing.T) {
	e := testEngine(t)
	fmt.Println("states", len(e.sensitive.ac.trans)/int(e.sensitive.ac.nclass), "classes", e.sensitive.ac.nclass, "terms", len(e.sensitive.terms))
	cnt := map[string]int{}
	for _, f := range e.Sensitive(benchText()) {
		cnt[f.Value]++
	}
	var ks []string
	for k := range cnt {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return cnt[ks[i]] > cnt[ks[j]] })
	for _, k := range ks {
		fmt.Println(k, cnt[k])
	}
	cnt = map[string]int{}
	for _, f := range e.Names(benchText()) {
		cnt[fmt.Sprintf("%s %.2f", f.Value, f.Confidence)]++
	}
	ks = ks[:0]
	for k := range cnt {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return cnt[ks[i]] > cnt[ks[j]] })
	for _, k := range ks[:min(40, len(ks))] {
		fmt.Println(k, cnt[k])
	}
}

func TestZZOutputs(t *testing.T) {
	e := testEngine(t)
	n := 0
	cnt := map[string]int{}
	e.sensitive.ac.scan(benchText(), func(end int, id int32) { n++; cnt[e.sensitive.terms[id].term]++ })
	fmt.Println("outputs", n, "bytes", len(benchText()))
	var ks []string
	for k := range cnt {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return cnt[ks[i]] > cnt[ks[j]] })
	for _, k := range ks[:min(25, len(ks))] {
		fmt.Print(k, ":", cnt[k], " ")
	}
	fmt.Println()
}

func BenchmarkZZNextCap(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		n := 0
		for i := 0; ; {
			p := nextCap(text, i)
			if p < 0 {
				break
			}
			n++
			i = p + 1
		}
	}
}

func BenchmarkZZNextDigit(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		n := 0
		for i := 0; ; {
			p := nextDigit(text, i)
			if p < 0 {
				break
			}
			n++
			i = p + 1
		}
	}
}

func TestZZCapStats(t *testing.T) {
	text := benchText()
	caps, runs2 := 0, 0
	for i := 0; ; {
		p := nextCap(text, i)
		if p < 0 {
			break
		}
		caps++
		var tk ntok
		ok := parseToken(text, p, &tk)
		if !ok {
			i = p + 1
			continue
		}
		sp := skipInlineSpace(text, tk.fullEnd)
		if !tk.sentEnd && sp > tk.fullEnd && sp < len(text) && upperAt(text, sp) > 0 {
			runs2++
		}
		i = tk.fullEnd
	}
	fmt.Println("caps", caps, "continuing", runs2, "bytes", len(text))
}
