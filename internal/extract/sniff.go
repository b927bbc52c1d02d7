package extract

import (
	"archive/zip"
	"bytes"
	"io"
	"mime"
	"path"
	"strings"
	"unicode/utf8"
)

// Type sniffing: magic bytes first, then the file name's extension, then the content type, then
// "is it text?".

var (
	magicPDF  = []byte("%PDF-")
	magicZip  = []byte("PK\x03\x04")
	magicZipE = []byte("PK\x05\x06") // empty archive
	magicZipS = []byte("PK\x07\x08") // spanned archive marker
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicRTF  = []byte(`{\rtf`)
	magicTNEF = []byte{0x78, 0x9F, 0x3E, 0x22} // 0x223E9F78 little-endian: winmail.dat
)

// unsupportedKinds names recognised formats we do not read, for the Detail.
var unsupportedKinds = map[string]string{
	"gzip": "gzip archive",
	"7z":   "7-Zip archive",
	"rar":  "RAR archive",
	"exe":  "executable",
}

// magicType recognises a format by its first bytes; "" when nothing matches.
func magicType(data []byte) string {
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	switch {
	case bytes.HasPrefix(data, magicZip), bytes.HasPrefix(data, magicZipE), bytes.HasPrefix(data, magicZipS):
		return "zip"
	case bytes.HasPrefix(data, magicOLE):
		return "ole"
	case bytes.HasPrefix(data, magicRTF):
		return "rtf"
	case bytes.HasPrefix(data, magicTNEF):
		return "tnef"
	case bytes.Contains(head, magicPDF):
		return "pdf"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}),
		bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")),
		bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")),
		len(data) >= 12 && bytes.HasPrefix(data, []byte("RIFF")) && string(data[8:12]) == "WEBP",
		len(data) >= 12 && string(data[4:8]) == "ftyp" && (string(data[8:12]) == "heic" || string(data[8:12]) == "heix" || string(data[8:12]) == "mif1"):
		return "image"
	case bytes.HasPrefix(data, []byte{0x1F, 0x8B}):
		return "gzip"
	case bytes.HasPrefix(data, []byte("7z\xBC\xAF\x27\x1C")):
		return "7z"
	case bytes.HasPrefix(data, []byte("Rar!\x1A\x07")):
		return "rar"
	case bytes.HasPrefix(data, []byte("\x7FELF")), bytes.HasPrefix(data, []byte("MZ")) && bytes.IndexByte(head[:min(len(head), 64)], 0) >= 0:
		return "exe"
	}
	if bytes.HasPrefix(trimBOMSpace(head), []byte("<")) && looksHTML(head) {
		return "html"
	}
	return ""
}

func trimBOMSpace(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	return bytes.TrimLeft(b, " \t\r\n")
}

func looksHTML(head []byte) bool {
	h := bytes.ToLower(trimBOMSpace(head))
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body"} {
		if bytes.HasPrefix(h, []byte(p)) {
			return true
		}
	}
	return false
}

var extTypes = map[string]string{
	".pdf": "pdf", ".docx": "docx", ".docm": "docx", ".dotx": "docx", ".dotm": "docx",
	".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xltm": "xlsx",
	".pptx": "pptx", ".pptm": "pptx", ".ppsx": "pptx", ".potx": "pptx",
	".odt": "odt", ".ott": "odt", ".ods": "ods", ".ots": "ods", ".odp": "odp", ".otp": "odp",
	".rtf": "rtf", ".htm": "html", ".html": "html", ".xhtml": "html",
	".txt": "text", ".text": "text", ".log": "text", ".md": "text", ".xml": "text", ".json": "text",
	".csv": "csv", ".tsv": "csv",
	".zip": "zip", ".eml": "eml",
	".doc": "ole", ".xls": "ole", ".ppt": "ole", ".msg": "ole",
	".dot": "ole", ".xlt": "ole", ".pps": "ole", ".pot": "ole", ".xlsb": "xlsb",
	".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image",
	".gif": "image", ".bmp": "image", ".heic": "image", ".webp": "image",
	".p7m": "smime", ".p7s": "p7s",
	".ics": "ical", ".vcs": "ical", ".ifb": "ical", ".vcf": "vcard", ".vcard": "vcard",
}

var ctypeTypes = map[string]string{
	"application/pdf": "pdf",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   "docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "xlsx",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
	"application/vnd.oasis.opendocument.text":                                   "odt",
	"application/vnd.oasis.opendocument.spreadsheet":                            "ods",
	"application/vnd.oasis.opendocument.presentation":                           "odp",
	"application/rtf": "rtf", "text/rtf": "rtf",
	"text/html": "html", "application/xhtml+xml": "html",
	"text/csv": "csv", "text/tab-separated-values": "csv",
	"application/zip": "zip", "application/x-zip-compressed": "zip",
	"message/rfc822":     "eml",
	"application/msword": "ole", "application/vnd.ms-excel": "ole",
	"application/vnd.ms-powerpoint": "ole", "application/vnd.ms-outlook": "ole",
	"application/vnd.ms-excel.sheet.binary.macroenabled.12": "xlsb",
	"application/pkcs7-mime":                                "smime", "application/x-pkcs7-mime": "smime",
	"application/pkcs7-signature": "p7s", "application/x-pkcs7-signature": "p7s",
	"application/ms-tnef": "tnef", "application/vnd.ms-tnef": "tnef",
	"text/calendar": "ical", "application/ics": "ical", "text/x-vcalendar": "ical",
	"text/vcard": "vcard", "text/x-vcard": "vcard", "text/directory": "vcard",
}

func extType(name string) string {
	return extTypes[strings.ToLower(path.Ext(name))]
}

func ctypeType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	if t, ok := ctypeTypes[mt]; ok {
		return t
	}
	if strings.HasPrefix(mt, "image/") {
		return "image"
	}
	if strings.HasPrefix(mt, "text/") {
		return "text"
	}
	return ""
}

// quickType guesses the type without parsing anything (for documents rejected before sniffing).
func quickType(name, contentType string, data []byte) string {
	t := magicType(data)
	if t == "zip" {
		switch e := extType(name); e {
		case "docx", "xlsx", "xlsb", "pptx", "odt", "ods", "odp":
			return e
		}
		return "zip"
	}
	if t != "" {
		return t
	}
	if t = extType(name); t != "" {
		return t
	}
	if t = ctypeType(contentType); t != "" {
		return t
	}
	return "binary"
}

// PlainText says whether in is read as plain text: bytes that no parser reads, only decoded from
// their charset and normalised (no file signature, named or sniffed as text or CSV). Such input
// needs no isolated worker (worker.Split).
func PlainText(in Input) bool {
	if in.Message != nil || magicType(in.Data) != "" {
		return false
	}
	t := sniff(&job{name: in.Name, ctype: in.ContentType, data: in.Data})
	return t == "text" || t == "csv"
}

// sniff decides the document's type; for zip files it looks inside to tell the package formats
// apart and keeps the opened archive in j.zr.
func sniff(j *job) string {
	ext := extType(j.name)
	switch t := magicType(j.data); t {
	case "zip":
		return sniffZip(j, ext)
	case "":
	case "html":
		// Markup at the start of a file called .txt or .csv is still shown as text by most
		// programs, but its content is the same either way: read it as HTML.
		return "html"
	default:
		return t
	}
	if ext == "smime" || ctypeType(j.ctype) == "smime" {
		return pkcs7Kind(j.data)
	}
	if ext == "p7s" || ctypeType(j.ctype) == "p7s" {
		// A signature is never encrypted content: one that does not read is corrupt.
		if looksMIME(j.data) {
			return "eml"
		}
		return "p7s"
	}
	if ext != "" {
		return ext
	}
	if t := ctypeType(j.ctype); t != "" && t != "text" {
		return t
	}
	if isText(j.data) {
		return "text"
	}
	if ctypeType(j.ctype) == "text" {
		return "text"
	}
	return "binary"
}

// isText reports whether data looks like text: valid UTF-8 (or a UTF-16 BOM), or 8-bit text
// without NUL bytes and with few control characters.
func isText(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return true
	}
	head := data
	if len(head) > 8192 {
		head = head[:8192]
		// Do not let a rune cut at the end fail the check.
		for i := 0; i < 3 && len(head) > 0 && !utf8.Valid(head); i++ {
			head = head[:len(head)-1]
		}
	}
	ctl := 0
	for _, c := range head {
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B:
			ctl++
		}
	}
	return ctl*100 <= len(head)
}

// sniffZip tells OOXML and ODF packages from plain archives. An archive that does not open keeps
// the type its name promises (so a broken .docx is a corrupt DOCX), else it is a corrupt zip.
func sniffZip(j *job, ext string) string {
	zr, err := openZip(j.data)
	if err != nil {
		switch ext {
		case "docx", "xlsx", "xlsb", "pptx", "odt", "ods", "odp":
			return ext
		}
		return "zip"
	}
	j.zr = zr
	var ct, mimetype *zip.File
	names := map[string]bool{}
	for _, f := range zr.File {
		switch n := strings.ToLower(f.Name); n {
		case "[content_types].xml":
			ct = f
		case "mimetype":
			mimetype = f
		case "word/document.xml", "xl/workbook.xml", "xl/workbook.bin", "ppt/presentation.xml", "content.xml":
			names[n] = true
		}
	}
	if mimetype != nil {
		if b := smallEntry(mimetype, 256); b != nil {
			m := string(bytes.TrimSpace(b))
			switch {
			case strings.HasPrefix(m, "application/vnd.oasis.opendocument.text"):
				return "odt"
			case strings.HasPrefix(m, "application/vnd.oasis.opendocument.spreadsheet"):
				return "ods"
			case strings.HasPrefix(m, "application/vnd.oasis.opendocument.presentation"):
				return "odp"
			}
		}
	}
	if ct != nil {
		if b := smallEntry(ct, 1<<20); b != nil {
			s := string(b)
			switch {
			case strings.Contains(s, "wordprocessingml.document.main+xml"), strings.Contains(s, "wordprocessingml.template.main+xml"),
				strings.Contains(s, "ms-word.document.macroEnabled.main+xml"), strings.Contains(s, "ms-word.template.macroEnabledTemplate.main+xml"):
				return "docx"
			case strings.Contains(s, "spreadsheetml.sheet.main+xml"), strings.Contains(s, "spreadsheetml.template.main+xml"),
				strings.Contains(s, "ms-excel.sheet.macroEnabled.main+xml"), strings.Contains(s, "ms-excel.template.macroEnabled.main+xml"):
				return "xlsx"
			case strings.Contains(s, "ms-excel.sheet.binary.macroEnabled.main"):
				return "xlsb"
			case strings.Contains(s, "presentationml.presentation.main+xml"), strings.Contains(s, "presentationml.slideshow.main+xml"),
				strings.Contains(s, "presentationml.template.main+xml"), strings.Contains(s, "ms-powerpoint.presentation.macroEnabled.main+xml"):
				return "pptx"
			}
		}
	}
	switch {
	case names["word/document.xml"]:
		return "docx"
	case names["xl/workbook.xml"]:
		return "xlsx"
	case names["ppt/presentation.xml"]:
		return "pptx"
	case names["xl/workbook.bin"]:
		return "xlsb"
	}
	switch ext {
	case "docx", "xlsx", "xlsb", "pptx", "odt", "ods", "odp":
		// Named like a package but not one: the package parser reports what is missing.
		return ext
	}
	return "zip"
}

// smallEntry reads at most max bytes of an unencrypted entry, nil on any problem.
func smallEntry(f *zip.File, max int64) []byte {
	if entryEncrypted(f) {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max))
	if err != nil && len(b) == 0 {
		return nil
	}
	return b
}

// CMS content type OIDs (DER, with tag and length): signedData 1.2.840.113549.1.7.2,
// envelopedData 1.2.840.113549.1.7.3, authEnvelopedData 1.2.840.113549.1.9.16.1.23.
var (
	oidSignedData = []byte{0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02}
)

// pkcs7Kind tells S/MIME signed data ("p7s": a detached signature, or content inside) from
// encrypted data ("smime"); anything not plainly signed is taken as encrypted. A file named or
// typed as S/MIME that is a MIME entity (Microsoft Graph gives a signed mail as "smime.p7m"
// holding the whole multipart/signed message) is read as an email ("eml").
func pkcs7Kind(data []byte) string {
	head := data[:min(len(data), 64)]
	if bytes.Contains(head, oidSignedData) {
		return "p7s"
	}
	if looksMIME(data) {
		return "eml"
	}
	return "smime"
}

// looksMIME reports whether data starts with a MIME header field (white space before it
// tolerated): what a MIME entity starts with, and no DER structure does.
func looksMIME(data []byte) bool {
	head := bytes.ToLower(trimBOMSpace(data[:min(len(data), 256)]))
	return bytes.HasPrefix(head, []byte("content-")) || bytes.HasPrefix(head, []byte("mime-version:"))
}
