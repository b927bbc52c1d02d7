package pdf

import (
	"encoding/binary"
)

// The character map of an embedded TrueType/OpenType font program, read backwards: glyph id →
// Unicode text. A Type0 font without a ToUnicode CMap (Identity-H/V: the codes are CIDs, mapped to
// glyph ids by CIDToGIDMap) can only be read this way, as pdftotext does.
//
// Written by hand instead of with golang.org/x/image/font/sfnt: sfnt only looks characters up
// forwards (no way to walk a cmap subtable) and refuses a font without a Unicode cmap, while the
// subsets embedded in PDFs often lack tables or carry only a (3,0) symbol cmap or post names. Every
// read is bounds-checked; table and glyph counts are capped so a hostile font costs little.

const (
	pdfMaxFontProgram = 32 << 20 // bytes of an embedded font program read
	pdfMaxSFNTTables  = 256
	pdfMaxGlyphs      = 1 << 16 // glyph ids are 16-bit
	pdfMaxCmapCodes   = 1 << 20 // code points walked per cmap subtable
)

// pdfSFNT is an sfnt table directory over the font's bytes.
type pdfSFNT struct {
	data   []byte
	tables map[string][]byte
}

func pdfU16(b []byte, off int) (int, bool) {
	if off < 0 || off+2 > len(b) {
		return 0, false
	}
	return int(binary.BigEndian.Uint16(b[off:])), true
}

func pdfU32(b []byte, off int) (int64, bool) {
	if off < 0 || off+4 > len(b) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint32(b[off:])), true
}

// pdfParseSFNT reads the table directory of a TrueType/OpenType font (the first font of a
// collection). It returns nil when data is no sfnt.
func pdfParseSFNT(data []byte) *pdfSFNT {
	if len(data) < 12 {
		return nil
	}
	base := 0
	if string(data[:4]) == "ttcf" {
		off, ok := pdfU32(data, 12)
		if !ok || off <= 0 || off >= int64(len(data)) {
			return nil
		}
		base = int(off)
	}
	switch string(data[base : base+4]) {
	case "\x00\x01\x00\x00", "true", "OTTO", "typ1":
	default:
		return nil
	}
	n, ok := pdfU16(data, base+4)
	if !ok || n == 0 {
		return nil
	}
	if n > pdfMaxSFNTTables {
		n = pdfMaxSFNTTables
	}
	f := &pdfSFNT{data: data, tables: make(map[string][]byte, n)}
	for i := 0; i < n; i++ {
		rec := base + 12 + 16*i
		if rec+16 > len(data) {
			break
		}
		tag := string(data[rec : rec+4])
		off, _ := pdfU32(data, rec+8)
		length, _ := pdfU32(data, rec+12)
		if off >= int64(len(data)) {
			continue
		}
		end := off + length
		if end > int64(len(data)) {
			end = int64(len(data)) // a truncated last table: keep what is there
		}
		f.tables[tag] = data[off:end]
	}
	return f
}

// numGlyphs is maxp.numGlyphs, or the glyph id limit when maxp is missing.
func (f *pdfSFNT) numGlyphs() int {
	if n, ok := pdfU16(f.tables["maxp"], 4); ok && n > 0 {
		return n
	}
	return pdfMaxGlyphs
}

// glyphText returns the text of each glyph id (index) the font's cmap or post table names;
// glyphs it cannot name have "". It returns nil when it names none.
func (f *pdfSFNT) glyphText() []string {
	n := f.numGlyphs()
	out := make([]string, n)
	found := pdfInvertCmap(f.tables["cmap"], out)
	found += pdfPostNames(f.tables["post"], out)
	if found == 0 {
		return nil
	}
	return out
}

// pdfInvertCmap fills out[gid] from the best cmap subtable (Unicode ones first; a (3,0) symbol
// table as its low byte, the way readers map symbolic TrueType fonts). Where several codes map to
// one glyph, the lowest wins. It returns the number of glyphs named.
func pdfInvertCmap(cmap []byte, out []string) int {
	n, ok := pdfU16(cmap, 2)
	if !ok {
		return 0
	}
	if n > pdfMaxSFNTTables {
		n = pdfMaxSFNTTables
	}
	best, bestRank, symbol := -1, 0, false
	for i := 0; i < n; i++ {
		pid, ok1 := pdfU16(cmap, 4+8*i)
		eid, ok2 := pdfU16(cmap, 6+8*i)
		off, ok3 := pdfU32(cmap, 8+8*i)
		if !ok1 || !ok2 || !ok3 || off >= int64(len(cmap)) {
			continue
		}
		rank := 0
		switch {
		case pid == 3 && eid == 10:
			rank = 5
		case pid == 0 && (eid == 4 || eid == 6):
			rank = 4
		case pid == 3 && eid == 1:
			rank = 3
		case pid == 0:
			rank = 2
		case pid == 3 && eid == 0:
			rank = 1
		}
		if rank > bestRank {
			best, bestRank, symbol = int(off), rank, pid == 3 && eid == 0
		}
	}
	if best < 0 {
		return 0
	}
	found := 0
	set := func(code, gid int) {
		if gid <= 0 || gid >= len(out) || out[gid] != "" {
			return
		}
		if symbol {
			if code >= 0xf000 && code <= 0xf0ff {
				code -= 0xf000
			}
			if code > 0xff {
				return
			}
		}
		if r := rune(code); code > 0 && code <= 0x10ffff && !(r >= 0xd800 && r < 0xe000) {
			out[gid] = string(r)
			found++
		}
	}
	pdfWalkCmap(cmap[best:], set)
	return found
}

// pdfWalkCmap calls set(code, gid) for the mappings of one cmap subtable (formats 0, 4, 6, 12),
// in increasing code order within a segment, at most pdfMaxCmapCodes times.
func pdfWalkCmap(st []byte, set func(code, gid int)) {
	format, ok := pdfU16(st, 0)
	if !ok {
		return
	}
	budget := pdfMaxCmapCodes
	switch format {
	case 0:
		for c := 0; c < 256 && 6+c < len(st); c++ {
			set(c, int(st[6+c]))
		}
	case 6:
		first, _ := pdfU16(st, 6)
		count, _ := pdfU16(st, 8)
		for i := 0; i < count; i++ {
			g, ok := pdfU16(st, 10+2*i)
			if !ok {
				return
			}
			set(first+i, g)
		}
	case 4:
		segX2, ok := pdfU16(st, 6)
		if !ok {
			return
		}
		segs := segX2 / 2
		endAt, startAt := 14, 16+segX2
		deltaAt, rangeAt := startAt+segX2, startAt+2*segX2
		for s := 0; s < segs; s++ {
			end, ok1 := pdfU16(st, endAt+2*s)
			start, ok2 := pdfU16(st, startAt+2*s)
			delta, ok3 := pdfU16(st, deltaAt+2*s)
			ro, ok4 := pdfU16(st, rangeAt+2*s)
			if !ok1 || !ok2 || !ok3 || !ok4 {
				return
			}
			for c := start; c <= end && c < 0xffff; c++ {
				if budget--; budget < 0 {
					return
				}
				g := 0
				if ro == 0 {
					g = (c + delta) & 0xffff
				} else {
					v, ok := pdfU16(st, rangeAt+2*s+ro+2*(c-start))
					if !ok {
						break
					}
					if v != 0 {
						g = (v + delta) & 0xffff
					}
				}
				set(c, g)
			}
		}
	case 12:
		groups, ok := pdfU32(st, 12)
		if !ok {
			return
		}
		for i := int64(0); i < groups; i++ {
			at := 16 + 12*int(i)
			start, ok1 := pdfU32(st, at)
			end, ok2 := pdfU32(st, at+4)
			gid, ok3 := pdfU32(st, at+8)
			if !ok1 || !ok2 || !ok3 {
				return
			}
			for c := start; c <= end && c <= 0x10ffff; c++ {
				if budget--; budget < 0 {
					return
				}
				g := gid + (c - start)
				if g >= pdfMaxGlyphs {
					break
				}
				set(int(c), int(g))
			}
		}
	}
}

// pdfPostNames fills the glyphs out[gid] still unnamed from the post table's glyph names
// (format 1: the standard Macintosh order; format 2: indices into it and Pascal strings). It
// returns the number of glyphs named.
func pdfPostNames(post []byte, out []string) int {
	ver, ok := pdfU32(post, 0)
	if !ok {
		return 0
	}
	found := 0
	name := func(gid int, s string) {
		if gid <= 0 || gid >= len(out) || out[gid] != "" {
			return
		}
		if t := pdfGlyphNameText(s); t != "" {
			out[gid] = t
			found++
		}
	}
	switch ver {
	case 0x00010000:
		for gid := 0; gid < len(pdfMacGlyphNames) && gid < len(out); gid++ {
			name(gid, pdfMacGlyphNames[gid])
		}
	case 0x00020000:
		n, ok := pdfU16(post, 32)
		if !ok {
			return 0
		}
		if n > len(out) {
			n = len(out)
		}
		// The Pascal strings follow the index array; collect them once.
		var custom []string
		for p := 34 + 2*n; p < len(post) && len(custom) < pdfMaxGlyphs; {
			l := int(post[p])
			if p+1+l > len(post) {
				break
			}
			custom = append(custom, string(post[p+1:p+1+l]))
			p += 1 + l
		}
		for gid := 0; gid < n; gid++ {
			idx, ok := pdfU16(post, 34+2*gid)
			if !ok {
				break
			}
			switch {
			case idx < len(pdfMacGlyphNames):
				name(gid, pdfMacGlyphNames[idx])
			case idx-len(pdfMacGlyphNames) < len(custom):
				name(gid, custom[idx-len(pdfMacGlyphNames)])
			}
		}
	}
	return found
}
