package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// wordTable is a read-only hash table from lower-case words to 16-bit flags. It is built once at
// generate time from the word lists (wordtable_gen_test.go, run by `go generate`) and embedded as
// data/words.tab, so that New only checks it instead of inserting ~175,000 list entries into Go
// maps (which cost ~60 ms per start). Lookups hash the key with FNV-1a and probe linearly; the
// table is at most half full.
//
// Layout (little endian):
//
//	"SVWT" | nslots uint32 (a power of two) | bloblen uint32 | nslots × uint32 slot | blob
//
// A slot is 0 (empty) or 1 + the offset of an entry in blob; an entry is klen uint8, flags
// uint16, then klen key bytes.
type wordTable struct {
	slots string
	blob  string
	mask  uint32
}

const (
	wtMagic  = "SVWT"
	wtHeader = 12
	wtEntry  = 3 // klen + flags before the key bytes
)

// Flags of the word table: the name flags (nameFlags, low byte) and the street flags.
const (
	wfStreet     = 1 << 8 // a whole street name (lower case, white space collapsed)
	wfStreetLast = 1 << 9 // the last word of a street name
)

// parseWordTable checks the header and the sizes. It does not walk the slots (that would cost
// more than a start-up is worth): get checks every entry it reads against the bounds and probes at
// most every slot once, so a damaged table can neither crash nor hang a lookup.
func parseWordTable(data string) (wordTable, error) {
	if len(data) < wtHeader || data[:4] != wtMagic {
		return wordTable{}, errors.New("detect: words.tab: bad header")
	}
	nslots := binary.LittleEndian.Uint32([]byte(data[4:8]))
	bloblen := binary.LittleEndian.Uint32([]byte(data[8:12]))
	if nslots == 0 || nslots&(nslots-1) != 0 || nslots > 1<<24 ||
		uint64(len(data)) != wtHeader+4*uint64(nslots)+uint64(bloblen) {
		return wordTable{}, fmt.Errorf("detect: words.tab: bad sizes (%d slots, %d bytes of keys, %d bytes)", nslots, bloblen, len(data))
	}
	return wordTable{slots: data[wtHeader : wtHeader+4*nslots], blob: data[wtHeader+4*nslots:], mask: nslots - 1}, nil
}

func (t *wordTable) slot(i uint32) uint32 {
	s := t.slots[4*i : 4*i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// wtHash is 32-bit FNV-1a; the generator uses the same function.
func wtHash[T string | []byte](key T) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return h
}

// get returns the flags of key (0 when absent).
func (t *wordTable) get(key []byte) uint16 {
	if len(key) > 255 || len(t.slots) == 0 {
		return 0
	}
	i := wtHash(key) & t.mask
	for range t.mask + 1 {
		o := t.slot(i)
		if o == 0 {
			return 0
		}
		o--
		if uint64(o)+wtEntry+uint64(len(key)) <= uint64(len(t.blob)) && int(t.blob[o]) == len(key) &&
			t.blob[o+wtEntry:o+wtEntry+uint32(len(key))] == string(key) {
			return uint16(t.blob[o+1]) | uint16(t.blob[o+2])<<8
		}
		i = (i + 1) & t.mask
	}
	return 0
}

// buildWordTable lays out words (lower-case keys) as a table; the generator's half. Keys are
// inserted in sorted order so that the output is reproducible.
func buildWordTable(words map[string]uint16, sorted []string) ([]byte, error) {
	nslots := uint32(1)
	for nslots < 2*uint32(len(words))+1 {
		nslots <<= 1
	}
	slots := make([]uint32, nslots)
	var blob []byte
	for _, k := range sorted {
		if len(k) == 0 || len(k) > 255 {
			return nil, fmt.Errorf("detect: words.tab: key of %d bytes", len(k))
		}
		off := uint32(len(blob))
		f := words[k]
		blob = append(blob, byte(len(k)), byte(f), byte(f>>8))
		blob = append(blob, k...)
		i := wtHash(k) & (nslots - 1)
		for slots[i] != 0 {
			i = (i + 1) & (nslots - 1)
		}
		slots[i] = off + 1
	}
	out := make([]byte, 0, wtHeader+4*len(slots)+len(blob))
	out = append(out, wtMagic...)
	out = binary.LittleEndian.AppendUint32(out, nslots)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(blob)))
	for _, s := range slots {
		out = binary.LittleEndian.AppendUint32(out, s)
	}
	return append(out, blob...), nil
}
