package testgen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
)

// Font programs for PDFs with embedded fonts: a minimal TrueType font (only the tables a text
// reader looks at: cmap, maxp, post) and a minimal CFF font (name-keyed or CID-keyed, one
// endchar charstring per glyph). Byte by byte, so every field is known.

// SFNT assembles an sfnt from tables.
func SFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	var b bytes.Buffer
	be := func(v any) { _ = binary.Write(&b, binary.BigEndian, v) }
	be(uint32(0x00010000))
	be(uint16(len(tags)))
	be([3]uint16{})
	off := 12 + 16*len(tags)
	for _, t := range tags {
		b.WriteString(t)
		be(uint32(0))
		be(uint32(off))
		be(uint32(len(tables[t])))
		off += (len(tables[t]) + 3) &^ 3
	}
	for _, t := range tags {
		b.Write(tables[t])
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	return b.Bytes()
}

// Cmap4 is a cmap table with one (3,1) format-4 subtable mapping each rune to its glyph.
func Cmap4(glyphs map[rune]uint16) []byte {
	codes := make([]int, 0, len(glyphs))
	for r := range glyphs {
		codes = append(codes, int(r))
	}
	sort.Ints(codes)
	seg := len(codes) + 1
	var st bytes.Buffer
	be := func(v any) { _ = binary.Write(&st, binary.BigEndian, v) }
	be(uint16(4))
	be(uint16(16 + 8*seg))
	be(uint16(0))
	be(uint16(2 * seg))
	be([3]uint16{})
	for _, c := range codes {
		be(uint16(c))
	}
	be(uint16(0xffff))
	be(uint16(0))
	for _, c := range codes {
		be(uint16(c))
	}
	be(uint16(0xffff))
	for _, c := range codes {
		be(uint16(int(glyphs[rune(c)]) - c))
	}
	be(uint16(1))
	for i := 0; i < seg; i++ {
		be(uint16(0))
	}
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, []uint16{0, 1, 3, 1})
	_ = binary.Write(&b, binary.BigEndian, uint32(12))
	b.Write(st.Bytes())
	return b.Bytes()
}

// Maxp is a maxp table (version 0.5) of n glyphs.
func Maxp(n int) []byte {
	return []byte{0, 0, 0x50, 0, byte(n >> 8), byte(n)}
}

// Post2 is a post table (format 2) naming glyphs 1.. with names (all custom strings).
func Post2(names []string) []byte {
	var b bytes.Buffer
	be := func(v any) { _ = binary.Write(&b, binary.BigEndian, v) }
	be(uint32(0x00020000))
	b.Write(make([]byte, 28))
	be(uint16(len(names) + 1))
	be(uint16(0))
	for i := range names {
		be(uint16(258 + i))
	}
	for _, n := range names {
		b.WriteByte(byte(len(n)))
		b.WriteString(n)
	}
	return b.Bytes()
}

// CFF is a CFF font with glyphs 1..len(names): name-keyed with custom glyph names, or, when
// cids is set, CID-keyed (ROS Adobe-Identity) with those CIDs.
func CFF(names []string, cids []int) []byte {
	index := func(items [][]byte) []byte {
		var b bytes.Buffer
		_ = binary.Write(&b, binary.BigEndian, uint16(len(items)))
		if len(items) == 0 {
			return b.Bytes()
		}
		b.WriteByte(4)
		off := uint32(1)
		_ = binary.Write(&b, binary.BigEndian, off)
		for _, it := range items {
			off += uint32(len(it))
			_ = binary.Write(&b, binary.BigEndian, off)
		}
		for _, it := range items {
			b.Write(it)
		}
		return b.Bytes()
	}
	int5 := func(v int) []byte { return []byte{29, byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }
	n := len(names)
	if cids != nil {
		n = len(cids)
	}
	var strs [][]byte
	var sids []int
	if cids == nil {
		for i, s := range names {
			strs = append(strs, []byte(s))
			sids = append(sids, 391+i)
		}
	} else {
		strs = [][]byte{[]byte("Adobe"), []byte("Identity")}
		sids = cids
	}
	header := []byte{1, 0, 4, 1}
	nameIdx := index([][]byte{[]byte("F")})
	strIdx := index(strs)
	gsubr := index(nil)
	// The Top DICT has a fixed size (5-byte offsets), so the offsets can be computed first.
	topLen := 5 + 1 + 5 + 1
	if cids != nil {
		topLen += 2 + 2 + 1 + 2 // ROS: two 2-byte SIDs, a 1-byte 0, the 2-byte operator
	}
	topIdx := index([][]byte{make([]byte, topLen)})
	charsetAt := len(header) + len(nameIdx) + len(topIdx) + len(strIdx) + len(gsubr)
	charset := []byte{0}
	for _, s := range sids {
		charset = append(charset, byte(s>>8), byte(s))
	}
	charStringsAt := charsetAt + len(charset)
	var top []byte
	if cids != nil {
		// 391 and 392 as 247..250 operands: (b0-247)*256+b1+108.
		enc := func(v int) []byte { v -= 108; return []byte{byte(247 + v/256), byte(v % 256)} }
		top = append(top, enc(391)...)
		top = append(top, enc(392)...)
		top = append(top, 139, 12, 30) // supplement 0, ROS
	}
	top = append(top, int5(charsetAt)...)
	top = append(top, 15)
	top = append(top, int5(charStringsAt)...)
	top = append(top, 17)
	if len(top) != topLen {
		panic(fmt.Sprintf("top dict %d bytes, planned %d", len(top), topLen))
	}
	glyphs := make([][]byte, n+1)
	for i := range glyphs {
		glyphs[i] = []byte{14}
	}
	var b bytes.Buffer
	b.Write(header)
	b.Write(nameIdx)
	b.Write(index([][]byte{top}))
	b.Write(strIdx)
	b.Write(gsubr)
	b.Write(charset)
	b.Write(index(glyphs))
	return b.Bytes()
}
