package extract

import "strings"

// partLabel is how a detail names a part of an OOXML/ODF package. Part names are chosen by
// whoever made the file ("word/Birthe Kjær Andersen.xml", "word/010190-1234.xml"), and a detail
// reaches the audit, so only names made of the standards' own words are repeated: every path
// segment is a known stem ("word", "worksheets", "document", "sheet", ...), optionally followed
// by a number of at most four digits and lower-case extensions ("xl/worksheets/sheet3.xml", "word/_rels/document.xml.rels",
// "content.xml"). Any other name is "a part".
func partLabel(part string) string {
	if part == "" || len(part) > 80 {
		return "a part"
	}
	for _, seg := range strings.Split(part, "/") {
		name, ext, _ := strings.Cut(seg, ".")
		stem := strings.TrimRight(name, "0123456789")
		if !knownPartStems[stem] || len(name)-len(stem) > 4 || !lowerExt(ext) {
			return "a part"
		}
	}
	return part
}

// knownPartStems are the folder and file names OOXML and ODF packages use.
var knownPartStems = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`word xl ppt _rels docProps customXml media embeddings theme charts
		drawings worksheets chartsheets slides slideLayouts slideMasters notesSlides notesMasters
		handoutMasters tables pivotTables pivotCache externalLinks diagrams printerSettings glossary
		document styles stylesWithEffects settings fontTable webSettings numbering footnotes endnotes
		comments commentsExtended commentsIds commentsExtensible people header footer sheet slide
		slideLayout slideMaster notesSlide notesMaster handoutMaster presentation presProps viewProps
		tableStyles sharedStrings workbook calcChain core app custom item itemProps chart drawing
		vmlDrawing image oleObject content meta manifest META-INF mimetype Pictures Thumbnails
		thumbnail [Content_Types]`) {
		knownPartStems[s] = true
	}
}

func lowerExt(ext string) bool {
	for i := 0; i < len(ext); i++ {
		if c := ext[i]; !(c >= 'a' && c <= 'z' || c == '.') {
			return false
		}
	}
	return len(ext) <= 16
}
