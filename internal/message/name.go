package message

import (
	"strings"
	"unicode"
)

// fileName returns an entity's file name: the Content-Disposition filename, else the
// Content-Type name, RFC 2231 and RFC 2047 decoded, without a directory; "" when none.
func (p *parser) fileName(e entity, ct contentType) string {
	_, disposition := parseMediaType(e.header.Get("Content-Disposition"))
	for _, raw := range []string{disposition["filename"], ct.params["name"]} {
		if name := cleanFileName(decodeHeaderText(p.dec, raw)); name != "" {
			return name
		}
	}
	return ""
}

// cleanFileName drops any directory part and control characters, and trims the name to at
// most 200 characters.
func cleanFileName(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		s = strings.TrimSpace(string(r[:200]))
	}
	return s
}

// extensionFor gives a generated attachment name the usual extension of its media type.
func extensionFor(mediaType string) string {
	switch mediaType {
	case "application/pdf":
		return ".pdf"
	case "image/png":
		return ".png"
	case "image/jpeg", "image/jpg", "image/pjpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/tiff":
		return ".tif"
	case "image/bmp":
		return ".bmp"
	case "image/webp":
		return ".webp"
	case "text/plain":
		return ".txt"
	case "text/html":
		return ".html"
	case "text/csv":
		return ".csv"
	case "text/calendar", "text/x-vcalendar":
		return ".ics"
	case "text/vcard", "text/x-vcard", "text/directory":
		return ".vcf"
	case "application/pkcs7-signature", "application/x-pkcs7-signature":
		return ".p7s"
	case "text/rtf", "application/rtf":
		return ".rtf"
	case "application/zip":
		return ".zip"
	case "application/pkcs7-mime", "application/x-pkcs7-mime":
		return ".p7m"
	case "application/ms-tnef", "application/vnd.ms-tnef":
		return ".dat"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return ".docx"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return ".xlsx"
	case "message/rfc822":
		return ".eml"
	}
	return ""
}
