package pdf

import (
	"io"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// pdfFont is what the layout walker needs of a font: how to split a shown string into codes, the
// text of each code and its advance width. Fonts are built once per document for each distinct
// font dictionary (see pdfFontKey) and shared by the pages that use it; nothing in a pdfFont depends
// on the page or on the resource name it was found under, unlike the library's GetPlainText caches.
type pdfFont struct {
	twoByte  bool // Type0 font: codes are split by codespace (2 bytes for Identity-H/V)
	fixedLen int  // Type0 code length when the encoding fixes it (Identity-H/V, UCS2)

	// Simple fonts: text and width per byte code.
	simpleText  [256]string
	simpleWidth [256]float64 // glyph space units / 1000 of an em

	// Composite fonts.
	cmap      *pdfCMap // ToUnicode
	ucs2      bool     // UCS2/UTF16 predefined CMap: codes are UTF-16BE
	cidWidths map[uint32]float64
	cidRanges []pdfCIDRange
	dw        float64

	// The embedded font program, for Identity codes the ToUnicode CMap does not map (or all of
	// them without one): read on the first such code (cidfont.go).
	progDesc   pdf.Value
	progLoaded bool
	prog       *pdfFontProgram

	// cjkOrdering: the CIDs follow a standard Adobe CJK ordering (or a predefined CJK CMap), which
	// pdftotext maps with poppler's tables; glyphs of other fonts it cannot map either.
	cjkOrdering bool

	widthScale float64 // glyph units to text space (0.001, or FontMatrix[0] for Type3)
}

type pdfCIDRange struct {
	lo, hi uint32
	w      float64
}

const (
	pdfMaxCMapBytes   = 4 << 20
	pdfMaxCMapEntries = 1 << 17
	pdfMaxWEntries    = 1 << 17
)

// pdfFontKey identifies a font dictionary by its content. The library exposes no object identity,
// but a dictionary's printed form lists every key with indirect references as "n g R", so two
// dictionaries that print the same decode text the same way.
func pdfFontKey(v pdf.Value) string {
	return v.String()
}

// pdfLoadFont builds a pdfFont from a font dictionary. It panics only through the library (the
// caller recovers); a font it cannot make sense of yields empty text rather than garbage.
func pdfLoadFont(v pdf.Value) *pdfFont {
	f := &pdfFont{widthScale: 0.001, dw: 1000}
	subtype := v.Key("Subtype").Name()
	if subtype == "Type0" {
		f.loadComposite(v)
		return f
	}
	if subtype == "Type3" {
		if m := v.Key("FontMatrix"); m.Kind() == pdf.Array && m.Len() == 6 {
			if a := m.Index(0).Float64(); a > 0 && a < 1 {
				f.widthScale = a
			}
		}
	}
	f.loadSimple(v)
	return f
}

func (f *pdfFont) loadSimple(v pdf.Value) {
	// 1. The base encoding.
	enc := v.Key("Encoding")
	var libText [256]string
	haveLib := false
	switch enc.Kind() {
	case pdf.Name, pdf.Dict:
		switch enc.Name() {
		case "WinAnsiEncoding", "MacRomanEncoding", "":
			font := pdf.Font{V: v}
			decoder := font.Encoder()
			for c := 0; c < 256; c++ {
				libText[c] = decoder.Decode(string([]byte{byte(c)}))
			}
			haveLib = true
		}
	}
	for c := 0; c < 256; c++ {
		base := string(pdfCP1252[c])
		if haveLib {
			s := libText[c]
			r, size := utf8.DecodeRuneInString(s)
			// The library's Differences decoder returns the byte itself for codes it does not
			// remap: use WinAnsi (the usual base encoding) for those, and for undecodable codes.
			if s != "" && r != utf8.RuneError && !(size == len(s) && r == rune(c)) {
				base = s
			}
		}
		f.simpleText[c] = base
	}
	// 2. ToUnicode takes precedence where it maps a code.
	if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		if m := pdfReadCMap(tu); m != nil {
			for c := 0; c < 256; c++ {
				if s, ok := m.lookup(1, uint32(c)); ok {
					f.simpleText[c] = s
				}
			}
		}
	}
	// 3. Widths: the font's /Widths, else the standard 14 metrics, else an average.
	missing := 0.0
	if fd := v.Key("FontDescriptor"); fd.Kind() == pdf.Dict {
		missing = fd.Key("MissingWidth").Float64()
	}
	widths := v.Key("Widths")
	if widths.Kind() == pdf.Array && widths.Len() > 0 {
		first := int(v.Key("FirstChar").Int64())
		for c := 0; c < 256; c++ {
			f.simpleWidth[c] = missing
		}
		n := widths.Len()
		for i := 0; i < n && i < 256; i++ {
			c := first + i
			if c < 0 || c > 255 {
				continue
			}
			f.simpleWidth[c] = pdfSaneWidth(widths.Index(i).Float64())
		}
		return
	}
	table, fixed := pdfStandardMetrics(v.Key("BaseFont").Name())
	for c := 0; c < 256; c++ {
		switch {
		case fixed > 0:
			f.simpleWidth[c] = fixed
		case table != nil:
			// Index the standard table by the character the code stands for, so that fonts with
			// Differences or MacRoman encodings still get the right widths.
			code := byte(c)
			if r, _ := utf8.DecodeRuneInString(f.simpleText[c]); r != utf8.RuneError {
				if b, ok := pdfToCP1252(r); ok {
					code = b
				}
			}
			f.simpleWidth[c] = float64(table[code])
		default:
			f.simpleWidth[c] = 500
		}
	}
}

func pdfSaneWidth(w float64) float64 {
	if math.IsNaN(w) || math.IsInf(w, 0) || w < -10000 || w > 10000 {
		return 0
	}
	return w
}

// pdfStandardMetrics picks the standard 14 table for a base font name (also for the common
// metric-compatible TrueType names); fixed is the width of a monospaced font.
func pdfStandardMetrics(base string) (table *[256]uint16, fixed float64) {
	if i := strings.IndexByte(base, '+'); i == 6 {
		base = base[i+1:] // subset prefix
	}
	b := strings.ToLower(base)
	bold := strings.Contains(b, "bold") || strings.Contains(b, "black") || strings.Contains(b, "heavy")
	italic := strings.Contains(b, "italic") || strings.Contains(b, "oblique")
	switch {
	case strings.HasPrefix(b, "courier"):
		return nil, 600
	case strings.HasPrefix(b, "times") || strings.HasPrefix(b, "georgia") || strings.Contains(b, "serif") && !strings.Contains(b, "sans"):
		switch {
		case bold && italic:
			return &pdfAFMTimesBoldItalic, 0
		case bold:
			return &pdfAFMTimesBold, 0
		case italic:
			return &pdfAFMTimesItalic, 0
		}
		return &pdfAFMTimesRoman, 0
	case strings.HasPrefix(b, "symbol") || strings.HasPrefix(b, "zapf"):
		return nil, 0
	}
	// Helvetica, Arial and everything else: the most common sans metrics.
	if bold {
		return &pdfAFMHelveticaBold, 0
	}
	return &pdfAFMHelvetica, 0
}

func (f *pdfFont) loadComposite(v pdf.Value) {
	f.twoByte = true
	enc := v.Key("Encoding")
	name := enc.Name()
	if strings.Contains(name, "UCS2") || strings.Contains(name, "UTF16") {
		f.ucs2 = true
	}
	if f.ucs2 || strings.HasPrefix(name, "Identity") {
		f.fixedLen = 2
	}
	if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		f.cmap = pdfReadCMap(tu)
	}
	desc := v.Key("DescendantFonts").Index(0)
	if desc.Kind() != pdf.Dict {
		return
	}
	if strings.HasPrefix(name, "Identity") {
		f.progDesc = desc
	}
	switch desc.Key("CIDSystemInfo").Key("Ordering").RawString() {
	case "Japan1", "GB1", "CNS1", "Korea1":
		f.cjkOrdering = true
	}
	if name != "" && !strings.HasPrefix(name, "Identity") && !f.ucs2 {
		f.cjkOrdering = true // a predefined CMap other than Identity: all of them are CJK
	}
	if dw := desc.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
		f.dw = pdfSaneWidth(dw.Float64())
	}
	w := desc.Key("W")
	n := w.Len()
	if n > pdfMaxWEntries {
		n = pdfMaxWEntries
	}
	f.cidWidths = make(map[uint32]float64)
	for i := 0; i < n; {
		first := w.Index(i)
		if first.Kind() != pdf.Integer || i+1 >= n {
			break
		}
		second := w.Index(i + 1)
		if second.Kind() == pdf.Array {
			c := uint32(first.Int64())
			for j := 0; j < second.Len() && len(f.cidWidths) < pdfMaxWEntries; j++ {
				f.cidWidths[c+uint32(j)] = pdfSaneWidth(second.Index(j).Float64())
			}
			i += 2
			continue
		}
		if i+2 >= n {
			break
		}
		lo, hi := first.Int64(), second.Int64()
		if lo >= 0 && hi >= lo && hi <= math.MaxUint32 {
			f.cidRanges = append(f.cidRanges, pdfCIDRange{uint32(lo), uint32(hi), pdfSaneWidth(w.Index(i + 2).Float64())})
		}
		i += 3
	}
}

// programText returns the text of a CID from the embedded font program, loading it on first use.
func (f *pdfFont) programText(cid uint32) (string, bool) {
	if !f.progLoaded {
		f.progLoaded = true
		if f.progDesc.Kind() == pdf.Dict {
			pdfSafe(func() { f.prog = pdfLoadFontProgram(f.progDesc) })
		}
	}
	if f.prog == nil {
		return "", false
	}
	return f.prog.text(cid)
}

// codeLen returns the length of the code starting at s[0] for a composite font.
func (f *pdfFont) codeLen(s string) int {
	if f.fixedLen > 0 {
		return f.fixedLen
	}
	if f.cmap != nil {
		if n := f.cmap.codeLen(s); n > 0 {
			return n
		}
	}
	return 2
}

func (f *pdfFont) cidWidth(code uint32) float64 {
	if w, ok := f.cidWidths[code]; ok {
		return w
	}
	for _, r := range f.cidRanges {
		if r.lo <= code && code <= r.hi {
			return r.w
		}
	}
	return f.dw
}

// pdfCMap is a parsed ToUnicode CMap.
type pdfCMap struct {
	space  [5][]pdfCodeRange // by code length 1..4
	single map[uint64]string // (len<<32 | code) -> text
	ranges []pdfBFRange      // ranges too large to expand
	minLen int
}

type pdfCodeRange struct{ lo, hi []byte }

type pdfBFRange struct {
	n      int
	lo, hi uint32
	dst    []uint16
}

func (m *pdfCMap) lookup(n int, code uint32) (string, bool) {
	if s, ok := m.single[uint64(n)<<32|uint64(code)]; ok {
		return s, true
	}
	for _, r := range m.ranges {
		if r.n == n && r.lo <= code && code <= r.hi {
			return pdfRangeText(r.dst, code-r.lo), true
		}
	}
	return "", false
}

func (m *pdfCMap) codeLen(s string) int {
	for n := 1; n <= 4 && n <= len(s); n++ {
		for _, r := range m.space[n] {
			ok := true
			for i := 0; i < n; i++ {
				if s[i] < r.lo[i] || s[i] > r.hi[i] {
					ok = false
					break
				}
			}
			if ok {
				return n
			}
		}
	}
	return m.minLen
}

func pdfRangeText(dst []uint16, off uint32) string {
	if len(dst) == 0 {
		return ""
	}
	u := make([]uint16, len(dst))
	copy(u, dst)
	u[len(u)-1] += uint16(off)
	return string(utf16.Decode(u))
}

func pdfUTF16(s string) []uint16 {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return u
}

func pdfCode(s string) uint32 {
	var c uint32
	for i := 0; i < len(s); i++ {
		c = c<<8 | uint32(s[i])
	}
	return c
}

// pdfReadCMap parses a ToUnicode CMap stream: codespace ranges, bfchar and bfrange entries. It
// returns nil when the stream cannot be read or maps nothing.
func pdfReadCMap(strm pdf.Value) *pdfCMap {
	rc := strm.Reader()
	data, _ := io.ReadAll(io.LimitReader(rc, pdfMaxCMapBytes))
	rc.Close()
	if len(data) == 0 {
		return nil
	}
	m := &pdfCMap{single: make(map[uint64]string)}
	lx := pdfLexer{b: data}
	var stack []pdfObj
	entries := 0
	for entries < pdfMaxCMapEntries {
		o := lx.next()
		if o.k == pdfEOF {
			break
		}
		if o.k != pdfOp {
			if len(stack) < 3*256+8 {
				stack = append(stack, o)
			}
			continue
		}
		switch o.s {
		case "endcodespacerange":
			for i := 0; i+1 < len(stack); i += 2 {
				lo, hi := stack[i], stack[i+1]
				if lo.k != pdfStr || hi.k != pdfStr || len(lo.s) != len(hi.s) || len(lo.s) < 1 || len(lo.s) > 4 {
					continue
				}
				m.space[len(lo.s)] = append(m.space[len(lo.s)], pdfCodeRange{[]byte(lo.s), []byte(hi.s)})
			}
		case "endbfchar":
			for i := 0; i+1 < len(stack); i += 2 {
				src, dst := stack[i], stack[i+1]
				if src.k != pdfStr || len(src.s) < 1 || len(src.s) > 4 || dst.k != pdfStr {
					continue
				}
				m.single[uint64(len(src.s))<<32|uint64(pdfCode(src.s))] = string(utf16.Decode(pdfUTF16(dst.s)))
				entries++
			}
		case "endbfrange":
			for i := 0; i+2 < len(stack); i += 3 {
				lo, hi, dst := stack[i], stack[i+1], stack[i+2]
				if lo.k != pdfStr || hi.k != pdfStr || len(lo.s) != len(hi.s) || len(lo.s) < 1 || len(lo.s) > 4 {
					continue
				}
				n := len(lo.s)
				a, b := pdfCode(lo.s), pdfCode(hi.s)
				if b < a {
					continue
				}
				switch dst.k {
				case pdfStr:
					u := pdfUTF16(dst.s)
					if b-a < 256 {
						for c := a; c <= b && entries < pdfMaxCMapEntries; c++ {
							m.single[uint64(n)<<32|uint64(c)] = pdfRangeText(u, c-a)
							entries++
						}
					} else {
						m.ranges = append(m.ranges, pdfBFRange{n, a, b, u})
						entries++
					}
				case pdfArr:
					for j, e := range dst.a {
						c := a + uint32(j)
						if c > b || e.k != pdfStr {
							break
						}
						m.single[uint64(n)<<32|uint64(c)] = string(utf16.Decode(pdfUTF16(e.s)))
						entries++
					}
				}
			}
		}
		stack = stack[:0]
	}
	if len(m.single) == 0 && len(m.ranges) == 0 {
		return nil
	}
	// Without codespace ranges, split codes by the length the entries use.
	m.minLen = 0
	for n := 1; n <= 4; n++ {
		if len(m.space[n]) > 0 {
			m.minLen = n
			break
		}
	}
	if m.minLen == 0 {
		m.minLen = 2
		for k := range m.single {
			m.minLen = int(k >> 32)
			break
		}
		for n := 1; n <= 4; n++ {
			m.space[n] = nil
		}
		full := make([]byte, m.minLen)
		zero := make([]byte, m.minLen)
		for i := range full {
			full[i] = 0xff
		}
		m.space[m.minLen] = []pdfCodeRange{{zero, full}}
	}
	return m
}

// pdfCP1252 is Windows-1252 (WinAnsi); undefined codes map to the Latin-1 control they would be.
var pdfCP1252 = func() [256]rune {
	var t [256]rune
	for i := range t {
		t[i] = rune(i)
	}
	high := [32]rune{
		0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
		0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
	}
	copy(t[0x80:], high[:])
	return t
}()

var pdfFromCP1252 = func() map[rune]byte {
	m := make(map[rune]byte, 256)
	for i := 255; i >= 0; i-- {
		m[pdfCP1252[i]] = byte(i)
	}
	return m
}()

func pdfToCP1252(r rune) (byte, bool) {
	if r < 0x80 {
		return byte(r), true
	}
	b, ok := pdfFromCP1252[r]
	return b, ok
}

// compositeText is the text of a composite font's code: ToUnicode first, then for Identity
// encodings the embedded font's own character map.
func (f *pdfFont) compositeText(n int, code uint32) (string, bool) {
	if f.cmap != nil {
		if t, ok := f.cmap.lookup(n, code); ok {
			return t, true
		}
	}
	if f.ucs2 || f.progDesc.Kind() != pdf.Dict {
		return "", false
	}
	return f.programText(code)
}
