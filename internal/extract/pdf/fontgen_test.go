package pdf

import (
	"fmt"
	"strings"
)

// genType0PDF is a one-page PDF showing codes (hex, 4 digits each) in a Type0 Identity-H font
// whose descendant is described by cidFont (object 7; its /FontDescriptor is object 8, the font
// file object 9 with fontFile's bytes), plus further extra objects from 10 on.
func genType0PDF(codes []uint16, cidFont, fontFileKey, fontFile string, extra ...string) []byte {
	var hex strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&hex, "%04X", c)
	}
	content := "BT /F2 12 Tf 72 700 Td <" + hex.String() + "> Tj ET"
	type0 := "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Synth /Encoding /Identity-H /DescendantFonts [7 0 R] >>"
	desc := "<< /Type /FontDescriptor /FontName /ABCDEF+Synth /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80"
	if fontFile != "" {
		desc += " /" + fontFileKey + " 9 0 R"
	}
	desc += " >>"
	objs := []string{type0, cidFont, desc}
	if fontFile != "" {
		objs = append(objs, fontFile)
	} else {
		objs = append(objs, "null")
	}
	objs = append(objs, extra...)
	return onePageFonts(content, "/F2 6 0 R", "", objs...).bytes()
}
