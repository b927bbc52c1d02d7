package testgen

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"mime"
	"regexp"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"
)

// Content hidden in the shapes real mail and real files take, where a reader that skips it
// would let a CPR number and a diagnosis leave as "allow": a multipart declared
// quoted-printable, a file packaged as an OLE object inside a Word document, a scanned page
// pasted into a Word document, a small picture strip with a CPR number, and a PDF whose font has
// no ToUnicode map. Each case is one mail from the authority to the citizen the content is about
// (so the right verdict is secure: own data, sent unencrypted).

// Hidden classes.
const (
	HiddenQPMultipart   = "multipart-declared-qp"
	HiddenQPMultipartZ  = "multipart-declared-qp-in-zip"
	HiddenOLEPackage    = "ole-package-in-docx"
	HiddenPictureDOCX   = "picture-only-docx"
	HiddenSmallStrip    = "small-image-strip"
	HiddenPDFNoToUnicod = "pdf-font-without-tounicode"
)

// HiddenCase is one generated mail with content hidden in a real-world shape.
type HiddenCase struct {
	Class string
	EML   []byte
	CPR   string // the CPR number in it, DDMMYY-SSSS
	// NeedsOCR: the content is only in a picture; without OCR the right verdict is warn.
	NeedsOCR bool
}

// HiddenCases generates one case of every class for a seed.
func HiddenCases(seed int64) ([]HiddenCase, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x41dde))
	var out []HiddenCase
	for _, class := range []string{HiddenQPMultipart, HiddenQPMultipartZ, HiddenOLEPackage, HiddenPictureDOCX, HiddenSmallStrip, HiddenPDFNoToUnicod} {
		c := newCitizen(rng)
		to := fmt.Sprintf("%s <%s.%s@gmail.com>", c.Name(), asciiLower(strings.Fields(c.FirstName)[0]), asciiLower(c.LastName))
		journal := journalText(rng, c)
		var att []hiddenAtt
		needsOCR := false
		switch class {
		case HiddenQPMultipart:
			// built below: the whole message is the case
		case HiddenQPMultipartZ:
			inner := qpMultipartMail(rng, to, c, journal)
			att = []hiddenAtt{{"Videresendt.zip", "application/zip", zipOf("Henvendelse.eml", inner)}}
		case HiddenOLEPackage:
			att = []hiddenAtt{{"Sagsakter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
				docxWithOLEPackage("Se det vedlagte journalnotat.", "journal.txt", []byte(journal))}}
		case HiddenPictureDOCX:
			img, err := TextImage(strings.Split(journal, "\n"), 26, 1654, 0)
			if err != nil {
				return nil, err
			}
			att = []hiddenAtt{{"Scannet brev.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docxWithPicture(img)}}
			needsOCR = true
		case HiddenSmallStrip:
			img, err := TextImage([]string{"CPR-nr. " + c.CPR}, 15, 260, 36)
			if err != nil {
				return nil, err
			}
			att = []hiddenAtt{{"udsnit.png", "image/png", img}}
			needsOCR = true
		case HiddenPDFNoToUnicod:
			pdf, err := pdfWithoutToUnicode(journal)
			if err != nil {
				return nil, err
			}
			att = []hiddenAtt{{"Journalnotat.pdf", "application/pdf", pdf}}
		}
		var eml []byte
		if class == HiddenQPMultipart {
			eml = qpMultipartMail(rng, to, c, journal)
		} else {
			eml = plainMailWith(to, "Dine papirer", "Hej "+strings.Fields(c.FirstName)[0]+"\n\nHermed de lovede papirer.\n\nVenlig hilsen\nBorgerservice", att)
		}
		out = append(out, HiddenCase{Class: class, EML: eml, CPR: c.CPR, NeedsOCR: needsOCR})
	}
	return out, nil
}

type hiddenAtt struct {
	name, ctype string
	data        []byte
}

func asciiLower(s string) string {
	r := strings.NewReplacer("æ", "ae", "ø", "oe", "å", "aa", "Æ", "ae", "Ø", "oe", "Å", "aa", " ", "")
	return strings.ToLower(r.Replace(s))
}

// journalText is a short journal note about c with the CPR number and a diagnosis.
func journalText(rng *rand.Rand, c Citizen) string {
	diag := []string{"depression", "diabetes type 2", "angst", "alkoholmisbrug", "skizofreni", "KOL"}[rng.IntN(6)]
	return strings.Join([]string{
		"Journalnotat",
		"Navn: " + c.Name(),
		"CPR-nr.: " + c.CPR,
		"Borgeren er i behandling for " + diag + ".",
		"Næste samtale aftales med egen læge.",
	}, "\n")
}

// plainMailWith is a mail from the authority with a text body and attachments.
func plainMailWith(to, subject, body string, atts []hiddenAtt) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Borgerservice <borgerservice@%s>\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\n", SenderDomain, to, mime.QEncoding.Encode("utf-8", subject))
	const bd = "b1_hidden"
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n", bd, bd)
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n") + "\r\n")
	for _, a := range atts {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s\r\nContent-Disposition: %s\r\nContent-Transfer-Encoding: base64\r\n\r\n", bd,
			mime.FormatMediaType(a.ctype, map[string]string{"name": a.name}), mime.FormatMediaType("attachment", map[string]string{"filename": a.name}))
		b.WriteString(wrap76(base64.StdEncoding.EncodeToString(a.data)))
	}
	fmt.Fprintf(&b, "--%s--\r\n", bd)
	return b.Bytes()
}

// qpMultipartMail is a multipart/mixed message that (wrongly, as some senders do) declares
// Content-Transfer-Encoding: quoted-printable on the multipart itself. Its first attachment is
// a base64 image whose last line ends in "=" padding: decoded as quoted-printable, that "="
// joins the next boundary line to it. The journal follows as journal.txt.
func qpMultipartMail(rng *rand.Rand, to string, c Citizen, journal string) []byte {
	// A logo whose base64 needs one "=" of padding (length ≡ 2 mod 3).
	img := LogoPNG(rng, 90, 60)
	for len(img)%3 != 2 {
		img = append(img, 0) // trailing bytes after IEND are ignored by image readers
	}
	var b bytes.Buffer
	const bd = "----=_NextPart_000_0012_01DB4C2A"
	fmt.Fprintf(&b, "From: Borgerservice <borgerservice@%s>\r\nTo: %s\r\nSubject: Journal\r\nMIME-Version: 1.0\r\n", SenderDomain, to)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", bd)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHej %s\r\n\r\nHer er notatet.\r\n", bd, strings.Fields(c.FirstName)[0])
	fmt.Fprintf(&b, "--%s\r\nContent-Type: image/png; name=\"logo.png\"\r\nContent-Disposition: attachment; filename=\"logo.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", bd)
	b.WriteString(wrap76(base64.StdEncoding.EncodeToString(img)))
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8; name=\"journal.txt\"\r\nContent-Disposition: attachment; filename=\"journal.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", bd)
	b.WriteString(wrap76(base64.StdEncoding.EncodeToString([]byte(journal))))
	fmt.Fprintf(&b, "--%s--\r\n", bd)
	return b.Bytes()
}

func zipOf(name string, data []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create(name)
	f.Write(data)
	zw.Close()
	return buf.Bytes()
}

// docxParts writes a minimal Word package with the given document body XML, relationships
// and extra parts.
func docxParts(bodyXML, rels string, extra map[string][]byte, contentTypes string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, data []byte) {
		f, _ := zw.Create(name)
		f.Write(data)
	}
	put("[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/>`+contentTypes+
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`))
	put("_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`))
	put("word/_rels/document.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels+`</Relationships>`))
	put("word/document.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" `+
		`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" `+
		`xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:v="urn:schemas-microsoft-com:vml">`+
		`<w:body>`+bodyXML+`</w:body></w:document>`))
	for name, data := range extra {
		put(name, data)
	}
	zw.Close()
	return buf.Bytes()
}

// docxWithPicture is a Word document whose only content is one picture (a scanned page).
func docxWithPicture(png []byte) []byte {
	body := `<w:p><w:r><w:drawing><wp:inline><wp:extent cx="5400000" cy="7600000"/><wp:docPr id="1" name="Billede 1"/>` +
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>` +
		`<pic:nvPicPr><pic:cNvPr id="0" name="scan.png"/><pic:cNvPicPr/></pic:nvPicPr>` +
		`<pic:blipFill><a:blip r:embed="rId10"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`
	rels := `<Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>`
	return docxParts(body, rels, map[string][]byte{"word/media/image1.png": png}, `<Default Extension="png" ContentType="image/png"/>`)
}

// docxWithOLEPackage is a Word document with a line of text and a file embedded as an OLE
// "Package" object (what Word makes of "Insert → Object → Create from file" for a file type
// without its own OLE server): word/embeddings/oleObject1.bin is a compound file whose
// \x01Ole10Native stream holds the file.
func docxWithOLEPackage(text, fileName string, file []byte) []byte {
	body := `<w:p><w:r><w:t>` + text + `</w:t></w:r></w:p><w:p><w:r><w:object><v:shape id="_x0000_i1025" style="width:64pt;height:40pt"/>` +
		`<o:OLEObject Type="Embed" ProgID="Package" ShapeID="_x0000_i1025" DrawAspect="Icon" ObjectID="_1234567890" r:id="rId20"/></w:object></w:r></w:p>`
	rels := `<Relationship Id="rId20" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="embeddings/oleObject1.bin"/>`
	ole := CompoundFile(&CFBEntry{Children: []*CFBEntry{
		{Name: "\x01CompObj", Data: []byte{1, 0, 0xFE, 0xFF, 3, 10, 0, 0}},
		{Name: "\x01Ole10Native", Data: ole10Native(fileName, file)},
	}})
	return docxParts(body, rels, map[string][]byte{"word/embeddings/oleObject1.bin": ole},
		`<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>`)
}

// ole10Native is the packaged-file stream: total size, type 2, label, source path, two
// reserved bytes... as the Packager writes it: size, 0x0002, label\0, path\0, 0x00030000,
// temp-path length, temp path\0, data length, data.
func ole10Native(name string, data []byte) []byte {
	var p bytes.Buffer
	le := func(v uint32) { binary.Write(&p, binary.LittleEndian, v) }
	binary.Write(&p, binary.LittleEndian, uint16(2))
	p.WriteString(name + "\x00")
	p.WriteString(`C:\Users\sagsbehandler\Documents\` + name + "\x00")
	binary.Write(&p, binary.LittleEndian, uint16(0))
	binary.Write(&p, binary.LittleEndian, uint16(3))
	tmp := `C:\Users\SAGSBE~1\AppData\Local\Temp\` + name + "\x00"
	le(uint32(len(tmp)))
	p.WriteString(tmp)
	le(uint32(len(data)))
	p.Write(data)
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, uint32(p.Len()))
	out.Write(p.Bytes())
	return out.Bytes()
}

var toUnicodeRef = regexp.MustCompile(`/ToUnicode \d+ 0 R`)

// pdfWithoutToUnicode is a PDF of text in an embedded TrueType font (Type0, Identity-H) from
// which the ToUnicode maps have been removed (blanked, so the offsets stay right): only the
// font's own cmap tells the characters.
func pdfWithoutToUnicode(text string) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(false)
	f.AddUTF8FontFromBytes("gosans", "", goregular.TTF)
	f.AddPage()
	f.SetFont("gosans", "", 11)
	for i, line := range strings.Split(text, "\n") {
		f.Text(25, 40+float64(i)*7, line)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("testgen: pdf: %w", err)
	}
	pdf := buf.Bytes()
	if !toUnicodeRef.Match(pdf) {
		return nil, fmt.Errorf("testgen: the PDF writer wrote no ToUnicode map to remove")
	}
	return toUnicodeRef.ReplaceAllFunc(pdf, func(m []byte) []byte { return bytes.Repeat([]byte(" "), len(m)) }), nil
}
