package testgen

import (
	"bytes"
	"testing"
	"time"
)

func TestCitizens(t *testing.T) {
	people := Citizens(500, 42)
	again := Citizens(500, 42)
	seen := map[string]bool{}
	for i, c := range people {
		if c != again[i] {
			t.Fatalf("citizen %d differs between runs", i)
		}
		if len(c.CPR) != 11 || c.CPR[6] != '-' {
			t.Fatalf("CPR %q", c.CPR)
		}
		d := c.CPRDigits()
		birth, err := time.Parse("020106", d[:6])
		if err != nil {
			t.Fatalf("CPR %q: %v", c.CPR, err)
		}
		if birth.Year()%100 != c.Birth.Year()%100 || birth.YearDay() != c.Birth.YearDay() {
			t.Errorf("CPR %q does not match birth %v", c.CPR, c.Birth)
		}
		if d[6] > '3' {
			t.Errorf("CPR %q: 7th digit does not fit a 1900s birth", c.CPR)
		}
		sum := 0
		for k, w := range []int{4, 3, 2, 7, 6, 5, 4, 3, 2, 1} {
			sum += int(d[k]-'0') * w
		}
		if sum%11 != 0 {
			t.Errorf("CPR %q fails modulus 11", c.CPR)
		}
		if c.Female != ((d[9]-'0')%2 == 0) {
			t.Errorf("CPR %q: sex", c.CPR)
		}
		seen[c.CPR] = true
	}
	if len(seen) < 495 {
		t.Errorf("only %d distinct CPR numbers of 500", len(seen))
	}
}

func TestLetterBundle(t *testing.T) {
	a, err := LetterBundlePDF(5, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := LetterBundlePDF(5, 3)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different bytes")
	}
	if !bytes.HasPrefix(a, []byte("%PDF-1.")) || bytes.Count(a, []byte("/Type /Page\n")) != 5 {
		t.Errorf("not a 5-page PDF")
	}
	withImages, people, err := LetterBundle(LetterOptions{Pages: 4, Seed: 3, ImageBytes: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 4 {
		t.Fatalf("%d people", len(people))
	}
	if per := len(withImages) / 4; per < 40_000 || per > 70_000 {
		t.Errorf("%d bytes per page with 50 KB images", per)
	}
	t.Logf("text only: %d bytes/page; with 50 KB images: %d bytes/page", len(a)/5, len(withImages)/4)
}
