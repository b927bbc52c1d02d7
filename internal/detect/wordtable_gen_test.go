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
// first names and surnames, the words of name_words.txt, the street names and their last words.
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
	data, err := read("name_words.txt")
	if err != nil {
		return nil, err
	}
	lines, err := parseSections("name_words.txt", data)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		f, ok := nameSectionFlag(l.section)
		if !ok {
			continue // endings, read by New
		}
		for _, w := range strings.Fields(l.line) {
			words[strings.TrimRight(lowerString(w), ".")] |= uint16(f)
		}
	}
	if data, err = read("da_street_names.txt"); err != nil {
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

// TestWordTableUpToDate checks that the committed data/words.tab is what the lists give (run
// `go generate ./internal/detect/` after editing a list) and that every word is found with its
// flags.
func TestWordTableUpToDate(t *testing.T) {
	tab, words, err := generateWordTable()
	if err != nil {
		t.Fatal(err)
	}
	if *updateTables {
		if err := os.WriteFile("data/words.tab", tab, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("data/words.tab rewritten; run the test again to check it")
	}
	if !bytes.Equal(tab, []byte(wordsTab)) {
		t.Fatalf("data/words.tab is stale: run go generate ./internal/detect/ (%d bytes committed, %d generated)", len(wordsTab), len(tab))
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
}

// TestWordTableHostile: a damaged table is refused by parseWordTable, never read out of bounds.
func TestWordTableHostile(t *testing.T) {
	good, err := buildWordTable(map[string]uint16{"anne": 1, "jensen": 4}, []string{"anne", "jensen"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseWordTable(string(good)); err != nil {
		t.Fatalf("good table refused: %v", err)
	}
	// one slot, taken: a lookup of another key would never stop
	full := []byte("SVWT\x01\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x01\x01\x00a")
	outside := append([]byte(nil), good...)
	outside[wtHeader] = 0xFF
	outside[wtHeader+1] = 0xFF
	for name, data := range map[string][]byte{
		"empty":         nil,
		"bad magic":     append([]byte("XXXX"), good[4:]...),
		"truncated":     good[:len(good)-1],
		"slot outside":  outside,
		"no empty slot": full,
	} {
		if _, err := parseWordTable(string(data)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
