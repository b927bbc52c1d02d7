package detect

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

var updateTables = flag.Bool("update", false, "rewrite data/words.tab from the word lists (go generate)")

// collectWords reads the name and street lists from data/ into the flags of the word table:
// first names and surnames, the flagged words of name.txt and address.txt, the street names and
// their last words.
func collectWords() (map[string]uint16, error) {
	words := make(map[string]uint16, 180000)
	read := func(name string) (string, error) {
		b, err := os.ReadFile("data/" + name)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", name, err)
		}
		return string(b), nil
	}
	for _, l := range []struct {
		file string
		flag nameFlags
	}{
		{"da_first_names_female.txt", nfFemale},
		{"da_first_names_male.txt", nfMale},
		{"da_surnames.txt", nfSurname},
	} {
		data, err := read(l.file)
		if err != nil {
			return nil, err
		}
		forEachLine(data, func(line string) { words[lowerString(line)] |= uint16(l.flag) })
	}
	// The flagged words of name.txt and the street words of address.txt.
	for _, file := range []string{"name.txt", "address.txt"} {
		data, err := read(file)
		if err != nil {
			return nil, err
		}
		lines, err := parseSections(file, data)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			f, ok := nameSectionFlag(l.section)
			if !ok {
				continue // endings, scores, settings: read by New
			}
			for _, w := range strings.Fields(l.line) {
				words[strings.TrimRight(lowerString(w), ".")] |= uint16(f)
			}
		}
	}
	data, err := read("da_street_names.txt")
	if err != nil {
		return nil, err
	}
	forEachLine(data, func(line string) {
		k := lowerString(collapseSpace(line))
		words[k] |= wfStreet
		words[k[strings.LastIndexByte(k, ' ')+1:]] |= wfStreetLast
	})
	return words, nil
}

func generateWordTable() ([]byte, map[string]uint16, error) {
	words, err := collectWords()
	if err != nil {
		return nil, nil, err
	}
	keys := make([]string, 0, len(words))
	for k := range words {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	tab, err := buildWordTable(words, keys)
	return tab, words, err
}

func generateACTable() ([]byte, *acMatcher, []string, error) {
	sm, err := loadSensitive()
	if err != nil {
		return nil, nil, nil, err
	}
	pats := sm.patterns()
	m, err := newACMatcher(pats)
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := m.marshalAC(pats)
	return b, m, pats, err
}

// TestGeneratedTablesUpToDate checks that the committed data/words.tab and data/sensitive.ac are
// what the lists give (run `go generate ./internal/detect/` after editing a list), that every word
// is found with its flags, and that the loaded automaton is the one New would build.
func TestGeneratedTablesUpToDate(t *testing.T) {
	tab, words, err := generateWordTable()
	if err != nil {
		t.Fatal(err)
	}
	ac, built, pats, err := generateACTable()
	if err != nil {
		t.Fatal(err)
	}
	if *updateTables {
		for name, b := range map[string][]byte{"data/words.tab": tab, "data/sensitive.ac": ac} {
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Skip("generated tables rewritten; run the test again to check them")
	}
	if !bytes.Equal(tab, []byte(wordsTab)) {
		t.Errorf("data/words.tab is stale: run go generate ./internal/detect/ (%d bytes committed, %d generated)", len(wordsTab), len(tab))
	}
	if !bytes.Equal(ac, []byte(sensitiveAC)) {
		t.Errorf("data/sensitive.ac is stale: run go generate ./internal/detect/ (%d bytes committed, %d generated)", len(sensitiveAC), len(ac))
	}
	wt, err := parseWordTable(string(tab))
	if err != nil {
		t.Fatal(err)
	}
	for k, f := range words {
		if got := wt.get([]byte(k)); got != f {
			t.Fatalf("flags of a word: got %#x, want %#x", got, f)
		}
	}
	for _, absent := range []string{"", "xqzv", "jensenx", strings.Repeat("a", 300)} {
		if got := wt.get([]byte(absent)); got != 0 {
			t.Errorf("get(%q) = %#x, want 0", absent, got)
		}
	}
	loaded, err := loadACTable(string(ac), pats)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.class != built.class || loaded.nclass != built.nclass || loaded.outFrom != built.outFrom ||
		loaded.maxLen != built.maxLen || !slices.Equal(loaded.outStart, built.outStart) ||
		!slices.Equal(loaded.outs, built.outs) || !slices.Equal(loaded.plen, built.plen) || *loaded.trans != *built.trans {
		t.Error("the loaded automaton differs from the built one")
	}
	if _, err := loadACTable(string(ac), append(pats[:len(pats):len(pats)], "x")); err == nil {
		t.Error("automaton accepted for other patterns")
	}
}

// TestACTableHostile: a damaged automaton is refused (New then builds its own), never trusted.
func TestACTableHostile(t *testing.T) {
	pats := []string{"angst", "depression", "læge"}
	m, err := newACMatcher(pats)
	if err != nil {
		t.Fatal(err)
	}
	good, err := m.marshalAC(pats)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadACTable(string(good), pats); err != nil {
		t.Fatalf("good table refused: %v", err)
	}
	badState := append([]byte(nil), good...)
	badState[len(badState)-1] = 0xFF
	badClass := append([]byte(nil), good...)
	badClass[36+'a'] = 0xFF
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-1],
		"longer":    append(append([]byte(nil), good...), 0),
		"bad state": badState,
		"bad class": badClass,
	} {
		if _, err := loadACTable(string(data), pats); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A changed byte (each of the header, every fifth after it: a load allocates the 4 MB table)
	// is refused or yields an automaton that scans without panicking.
	for i := 0; i < len(good); i += 1 + 4*min(1, i/acHeader) {
		d := append([]byte(nil), good...)
		d[i] ^= 0x5A
		if m, err := loadACTable(string(d), pats); err == nil {
			m.scan("Angst og depression hos lægen", func(int, int, int32) {})
		}
	}
}

// TestWordTableHostile: a damaged table is refused by parseWordTable or answers "absent"; a lookup
// never reads out of bounds or probes forever.
func TestWordTableHostile(t *testing.T) {
	good, err := buildWordTable(map[string]uint16{"anne": 1, "jensen": 4}, []string{"anne", "jensen"})
	if err != nil {
		t.Fatal(err)
	}
	if wt, err := parseWordTable(string(good)); err != nil || wt.get([]byte("jensen")) != 4 {
		t.Fatalf("good table: %v", err)
	}
	for name, data := range map[string]string{
		"empty":     "",
		"bad magic": "XXXX" + string(good[4:]),
		"truncated": string(good[:len(good)-1]),
		"3 slots":   "SVWT\x03\x00\x00\x00\x00\x00\x00\x00" + strings.Repeat("\x00", 12),
	} {
		if _, err := parseWordTable(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for name, data := range map[string]string{
		// one slot, taken by another key: the probe must stop
		"full": "SVWT\x01\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x01\x01\x00a",
		// a slot pointing past the keys, and an entry whose length runs past them
		"outside": "SVWT\x01\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\x01\x01\x00a",
		"long":    "SVWT\x01\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\xff\x01\x00a",
	} {
		wt, err := parseWordTable(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, k := range []string{"b", "a", "anne", strings.Repeat("x", 255)} {
			if got := wt.get([]byte(k)); got != 0 && !(name == "full" && k == "a") {
				t.Errorf("%s: get(%q) = %#x", name, k, got)
			}
		}
	}
}
