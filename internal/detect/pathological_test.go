package detect

import (
	"strings"
	"sync"
	"testing"
)

// TestPathologicalInputs runs every recognizer on inputs built to defeat it: one huge line of
// CPR-shaped numbers, a huge word of repeated stems, long tables, runs of capitals and spaces.
// The findings must stay well-formed; that the recognizers stay linear on them is for the
// benchmarks to show, not for a clock in a test.
func TestPathologicalInputs(t *testing.T) {
	e := testEngine(t)
	const n = 20000
	inputs := map[string]string{
		"one line of numbers": strings.Repeat("0101900002 ", n),
		"spaced dates":        strings.Repeat("01 01 90 0002 ", n),
		"dashed dates":        strings.Repeat("01-01-90-0002 ", n),
		"one huge word":       strings.Repeat("psykiatri", n),
		"semicolon table":     "CPR;x\n" + strings.Repeat("a;0101900002;b\n", n),
		"comma table":         strings.Repeat("a,0101900002\nb,c,0101900002\n", n/2),
		"tabs":                strings.Repeat("\t", n) + strings.Repeat("x\t0101900002\n", n),
		"capitals":            strings.Repeat("Jens Hansen ", n),
		"huge capital word":   strings.Repeat("A", 10*n) + " 1",
		"spaces":              strings.Repeat(" ", 10*n) + "Jens Hansen",
		"addresses":           strings.Repeat("Damagervej 1 ", n),
		"numbers":             strings.Repeat("1 ", 5*n),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) { checkFindings(t, in, e.Detect(in), true) })
	}
}

// TestConcurrentUse runs one Engine from several goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	e := testEngine(t)
	text := makeLetters(64 << 10)
	want := len(e.Detect(text))
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if got := len(e.Detect(text)); got != want {
					t.Errorf("got %d findings, want %d", got, want)
				}
			}
		}()
	}
	wg.Wait()
}
