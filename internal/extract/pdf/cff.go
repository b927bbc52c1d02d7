package pdf

import ()

// A CFF font program (FontFile3 /CIDFontType0C, or the "CFF " table of an OpenType font), read
// only as far as its charset: glyph id → glyph name (a SID) for a name-keyed font, glyph id → CID
// for a CID-keyed one. Written by hand: no maintained pure-Go library exposes the charset
// (golang.org/x/image/font/sfnt reads CFF outlines only inside OpenType and hides the charset).
// Bounds-checked throughout; index and glyph counts are capped.

type pdfCFF struct {
	data     []byte
	strings  [][]byte // the String INDEX (SIDs from 391)
	nGlyphs  int
	charset  []int // glyph id → SID (name-keyed) or CID (CID-keyed); [0] is .notdef
	cidKeyed bool
}

const pdfCFFStdStrings = 391

// pdfCFFIndex reads an INDEX at off, returning its items and the offset after it.
func pdfCFFIndex(b []byte, off int) (items [][]byte, end int, ok bool) {
	count, ok := pdfU16(b, off)
	if !ok {
		return nil, 0, false
	}
	if count == 0 {
		return nil, off + 2, true
	}
	if off+3 > len(b) {
		return nil, 0, false
	}
	size := int(b[off+2])
	if size < 1 || size > 4 {
		return nil, 0, false
	}
	offs := off + 3
	dataStart := offs + (count+1)*size - 1
	if dataStart >= len(b) {
		return nil, 0, false
	}
	read := func(i int) int {
		v := 0
		for k := 0; k < size; k++ {
			v = v<<8 | int(b[offs+i*size+k])
		}
		return v
	}
	items = make([][]byte, 0, count)
	prev := read(0)
	for i := 1; i <= count; i++ {
		cur := read(i)
		if prev < 1 || cur < prev || dataStart+cur > len(b) {
			return nil, 0, false
		}
		items = append(items, b[dataStart+prev:dataStart+cur])
		prev = cur
	}
	return items, dataStart + prev, true
}

// pdfCFFDict returns the integer operands of a DICT by operator (12 x operators as 1200+x).
func pdfCFFDict(b []byte) map[int][]int {
	out := map[int][]int{}
	var ops []int
	for i := 0; i < len(b); {
		c := int(b[i])
		switch {
		case c <= 21:
			op := c
			i++
			if c == 12 {
				if i >= len(b) {
					return out
				}
				op = 1200 + int(b[i])
				i++
			}
			out[op] = ops
			ops = nil
			continue
		case c == 28:
			if i+3 > len(b) {
				return out
			}
			ops = append(ops, int(int16(uint16(b[i+1])<<8|uint16(b[i+2]))))
			i += 3
		case c == 29:
			if i+5 > len(b) {
				return out
			}
			ops = append(ops, int(int32(uint32(b[i+1])<<24|uint32(b[i+2])<<16|uint32(b[i+3])<<8|uint32(b[i+4]))))
			i += 5
		case c == 30: // a real: nibbles up to 0xf; its value is not needed
			i++
			for i < len(b) && b[i]&0x0f != 0x0f && b[i]>>4 != 0x0f {
				i++
			}
			i++
			ops = append(ops, 0)
		case c >= 32 && c <= 246:
			ops = append(ops, c-139)
			i++
		case c >= 247 && c <= 250:
			if i+2 > len(b) {
				return out
			}
			ops = append(ops, (c-247)*256+int(b[i+1])+108)
			i += 2
		case c >= 251 && c <= 254:
			if i+2 > len(b) {
				return out
			}
			ops = append(ops, -(c-251)*256-int(b[i+1])-108)
			i += 2
		default:
			i++
		}
		if len(ops) > 48 {
			ops = ops[1:]
		}
	}
	return out
}

// pdfParseCFF reads a CFF font's first Top DICT, String INDEX and charset; nil when data is not
// CFF or the charset cannot be read.
func pdfParseCFF(data []byte) *pdfCFF {
	if len(data) < 4 || data[0] != 1 {
		return nil
	}
	hdr := int(data[2])
	_, p, ok := pdfCFFIndex(data, hdr) // Name INDEX
	if !ok {
		return nil
	}
	tops, p, ok := pdfCFFIndex(data, p)
	if !ok || len(tops) == 0 {
		return nil
	}
	strs, _, ok := pdfCFFIndex(data, p)
	if !ok {
		return nil
	}
	top := pdfCFFDict(tops[0])
	f := &pdfCFF{data: data, strings: strs}
	_, f.cidKeyed = top[1230] // ROS
	cs := top[17]             // CharStrings
	if len(cs) != 1 {
		return nil
	}
	glyphs, _, ok := pdfCFFIndex(data, cs[0])
	if !ok || len(glyphs) == 0 {
		return nil
	}
	f.nGlyphs = len(glyphs)
	if f.nGlyphs > pdfMaxGlyphs {
		f.nGlyphs = pdfMaxGlyphs
	}
	charset := 0 // ISOAdobe
	if v := top[15]; len(v) == 1 {
		charset = v[0]
	}
	f.charset = f.readCharset(charset)
	if f.charset == nil {
		return nil
	}
	return f
}

func (f *pdfCFF) readCharset(off int) []int {
	out := make([]int, f.nGlyphs)
	switch {
	case off == 0: // ISOAdobe: glyph id = SID
		if f.cidKeyed {
			return nil
		}
		for g := range out {
			out[g] = g
		}
		return out
	case off < 3: // Expert charsets: no text glyphs worth naming
		return nil
	}
	b := f.data
	if off >= len(b) {
		return nil
	}
	format := b[off]
	p := off + 1
	g := 1
	switch format {
	case 0:
		for ; g < len(out); g++ {
			sid, ok := pdfU16(b, p)
			if !ok {
				break
			}
			out[g] = sid
			p += 2
		}
	case 1, 2:
		for g < len(out) {
			first, ok := pdfU16(b, p)
			if !ok {
				break
			}
			var left int
			if format == 1 {
				if p+2 >= len(b) {
					break
				}
				left = int(b[p+2])
				p += 3
			} else {
				if left, ok = pdfU16(b, p+2); !ok {
					break
				}
				p += 4
			}
			for k := 0; k <= left && g < len(out); k++ {
				out[g] = first + k
				g++
			}
		}
	default:
		return nil
	}
	return out
}

// glyphText names the glyphs of a name-keyed font; nil for a CID-keyed one (its CIDs carry no
// character without the registry's ordering tables, which are not embedded here).
func (f *pdfCFF) glyphText() []string {
	if f.cidKeyed {
		return nil
	}
	out := make([]string, f.nGlyphs)
	found := 0
	for g := 1; g < len(out); g++ {
		sid := f.charset[g]
		var name string
		switch {
		case sid < len(pdfCFFStdNames):
			name = pdfCFFStdNames[sid]
		case sid >= pdfCFFStdStrings && sid-pdfCFFStdStrings < len(f.strings):
			name = string(f.strings[sid-pdfCFFStdStrings])
		}
		if t := pdfGlyphNameText(name); t != "" {
			out[g] = t
			found++
		}
	}
	if found == 0 {
		return nil
	}
	return out
}

// cidToGID maps CIDs to glyph ids for a CID-keyed font; nil for a name-keyed one, where a
// CIDFontType0's CID is the glyph id.
func (f *pdfCFF) cidToGID() []uint16 {
	if !f.cidKeyed {
		return nil
	}
	maxCID := 0
	for _, c := range f.charset {
		if c > maxCID && c < pdfMaxGlyphs {
			maxCID = c
		}
	}
	m := make([]uint16, maxCID+1)
	for g := len(f.charset) - 1; g > 0; g-- {
		if c := f.charset[g]; c > 0 && c < len(m) {
			m[c] = uint16(g)
		}
	}
	return m
}

// pdfCFFStdNames are the CFF standard strings 0–228 (the ISOAdobe character set); the expert
// and style names after them name no text glyph.
var pdfCFFStdNames = [...]string{
	".notdef", "space", "exclam", "quotedbl", "numbersign", "dollar", "percent", "ampersand",
	"quoteright", "parenleft", "parenright", "asterisk", "plus", "comma", "hyphen", "period",
	"slash", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "colon",
	"semicolon", "less", "equal", "greater", "question", "at", "A", "B", "C", "D", "E", "F", "G", "H",
	"I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z",
	"bracketleft", "backslash", "bracketright", "asciicircum", "underscore", "quoteleft", "a", "b",
	"c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
	"w", "x", "y", "z", "braceleft", "bar", "braceright", "asciitilde", "exclamdown", "cent",
	"sterling", "fraction", "yen", "florin", "section", "currency", "quotesingle", "quotedblleft",
	"guillemotleft", "guilsinglleft", "guilsinglright", "fi", "fl", "endash", "dagger", "daggerdbl",
	"periodcentered", "paragraph", "bullet", "quotesinglbase", "quotedblbase", "quotedblright",
	"guillemotright", "ellipsis", "perthousand", "questiondown", "grave", "acute", "circumflex",
	"tilde", "macron", "breve", "dotaccent", "dieresis", "ring", "cedilla", "hungarumlaut", "ogonek",
	"caron", "emdash", "AE", "ordfeminine", "Lslash", "Oslash", "OE", "ordmasculine", "ae",
	"dotlessi", "lslash", "oslash", "oe", "germandbls", "onesuperior", "logicalnot", "mu",
	"trademark", "Eth", "onehalf", "plusminus", "Thorn", "onequarter", "divide", "brokenbar",
	"degree", "thorn", "threequarters", "twosuperior", "registered", "minus", "eth", "multiply",
	"threesuperior", "copyright", "Aacute", "Acircumflex", "Adieresis", "Agrave", "Aring", "Atilde",
	"Ccedilla", "Eacute", "Ecircumflex", "Edieresis", "Egrave", "Iacute", "Icircumflex", "Idieresis",
	"Igrave", "Ntilde", "Oacute", "Ocircumflex", "Odieresis", "Ograve", "Otilde", "Scaron", "Uacute",
	"Ucircumflex", "Udieresis", "Ugrave", "Yacute", "Ydieresis", "Zcaron", "aacute", "acircumflex",
	"adieresis", "agrave", "aring", "atilde", "ccedilla", "eacute", "ecircumflex", "edieresis",
	"egrave", "iacute", "icircumflex", "idieresis", "igrave", "ntilde", "oacute", "ocircumflex",
	"odieresis", "ograve", "otilde", "scaron", "uacute", "ucircumflex", "udieresis", "ugrave",
	"yacute", "ydieresis", "zcaron",
}

// The ISOAdobe set has 229 names.
var _ = [1]struct{}{}[len(pdfCFFStdNames)-229]
