package pdf

import (
	"io"

	"github.com/ledongthuc/pdf"
)

// Text for a Type0 font's codes from its embedded font program, for the codes its ToUnicode
// CMap (if any) does not map. Only the Identity-H/V encodings are read this way: their codes are
// CIDs, which CIDToGIDMap (CIDFontType2) or the CFF charset (CIDFontType0) turns into glyph ids,
// and the font's own cmap or glyph names turn into text (sfnt.go, cff.go).

const pdfMaxCIDToGIDMap = 2 << 16 // bytes: two per CID, CIDs are 16-bit

// pdfFontProgram is the glyph side of a descendant CIDFont.
type pdfFontProgram struct {
	glyphText []string // text by glyph id; "" for glyphs without a known character
	cidToGID  []uint16 // CID → glyph id; nil: the CID is the glyph id
}

// text returns the text of a CID, or false.
func (p *pdfFontProgram) text(cid uint32) (string, bool) {
	gid := cid
	if p.cidToGID != nil {
		if cid >= uint32(len(p.cidToGID)) {
			return "", false
		}
		gid = uint32(p.cidToGID[cid])
	}
	if gid == 0 || gid >= uint32(len(p.glyphText)) || p.glyphText[gid] == "" {
		return "", false
	}
	return p.glyphText[gid], true
}

// pdfLoadFontProgram reads the embedded font of a descendant CIDFont dictionary. It returns nil
// when the font is not embedded or names no glyph.
func pdfLoadFontProgram(desc pdf.Value) *pdfFontProgram {
	fd := desc.Key("FontDescriptor")
	if fd.Kind() != pdf.Dict {
		return nil
	}
	p := &pdfFontProgram{}
	switch desc.Key("Subtype").Name() {
	case "CIDFontType2":
		data := pdfReadFontFile(fd.Key("FontFile2"))
		if data == nil {
			data = pdfReadFontFile(fd.Key("FontFile3")) // OpenType with TrueType outlines
		}
		sf := pdfParseSFNT(data)
		if sf == nil {
			return nil
		}
		p.glyphText = sf.glyphText()
		if m := desc.Key("CIDToGIDMap"); m.Kind() == pdf.Stream {
			p.cidToGID = pdfReadCIDToGIDMap(m)
		}
	case "CIDFontType0":
		data := pdfReadFontFile(fd.Key("FontFile3"))
		if data == nil {
			return nil
		}
		if sf := pdfParseSFNT(data); sf != nil {
			// OpenType: the CFF inside names the CIDs, the cmap the characters.
			p.glyphText = sf.glyphText()
			data = sf.tables["CFF "]
		}
		cff := pdfParseCFF(data)
		if cff == nil {
			return nil
		}
		if p.glyphText == nil {
			p.glyphText = cff.glyphText()
		}
		p.cidToGID = cff.cidToGID()
	default:
		return nil
	}
	if p.glyphText == nil {
		return nil
	}
	return p
}

func pdfReadFontFile(v pdf.Value) []byte {
	if v.Kind() != pdf.Stream {
		return nil
	}
	rc := v.Reader()
	defer rc.Close()
	data, _ := io.ReadAll(io.LimitReader(rc, pdfMaxFontProgram))
	if len(data) == 0 {
		return nil
	}
	return data
}

func pdfReadCIDToGIDMap(v pdf.Value) []uint16 {
	rc := v.Reader()
	defer rc.Close()
	data, _ := io.ReadAll(io.LimitReader(rc, pdfMaxCIDToGIDMap))
	m := make([]uint16, len(data)/2)
	for i := range m {
		m[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
	}
	return m
}
