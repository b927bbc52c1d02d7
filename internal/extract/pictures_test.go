package extract

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// Generated pictures (synthetic people only): a scanned page, a strip of text, a signature
// logo of coloured shapes, a photograph-like picture and a blank page with scanner noise.

// pageLines is a synthetic letter with a CPR number and a diagnosis.
var pageLines = []string{
	testName,
	"Damagervej 83",
	"4180 Sorø",
	"CPR-nr.: " + testCPR,
	"",
	"Lægen har stillet diagnosen diabetes.",
}

var (
	faceMu    sync.Mutex
	faceCache = map[float64]font.Face{}
)

// textFace is DejaVu Sans (or the Go font when it is missing) at size px.
func textFace(tb testing.TB, size float64) font.Face {
	tb.Helper()
	faceMu.Lock()
	defer faceMu.Unlock()
	if f, ok := faceCache[size]; ok {
		return f
	}
	face, _, err := testgen.DocumentFace(size)
	if err != nil {
		tb.Fatal(err)
	}
	faceCache[size] = face
	return face
}

// textImage draws lines in black at size px on a white w×h canvas, from (x, y) down.
func textImage(tb testing.TB, w, h int, size float64, x, y int, lines ...string) *image.Gray {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.Black, Face: textFace(tb, size)}
	for i, l := range lines {
		d.Dot = fixed.P(x, y+i*int(size*1.6))
		d.DrawString(l)
	}
	return img
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// scannedPage is an A4 page at 100 dpi (827×1169) holding pageLines.
func scannedPage(tb testing.TB) *image.Gray {
	return textImage(tb, 827, 1169, 24, 80, 120, pageLines...)
}

// cprStrip is a 260×36 strip reading "CPR-nr. <synthetic>" in 14-px text.
func cprStrip(tb testing.TB) *image.Gray {
	return textImage(tb, 260, 36, 14, 6, 23, "CPR-nr. "+testCPR)
}

// signatureLogo is a 240×80 logo of coloured shapes on a transparent background.
func signatureLogo() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 240, 80))
	blue, red := color.NRGBA{0, 84, 166, 255}, color.NRGBA{200, 30, 45, 255}
	for y := 10; y < 70; y++ {
		for x := 10; x < 70; x++ {
			if (x-40)*(x-40)+(y-40)*(y-40) < 900 {
				img.Set(x, y, blue)
			}
		}
		for x := 90; x < 230; x++ {
			if y > 30 && y < 50 {
				img.Set(x, y, red)
			}
		}
	}
	return img
}

// photo is an 800×600 photograph-like picture: smooth colour gradients with sensor noise.
func photo() *image.RGBA { return photoSized(800, 600) }

func photoSized(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := r.IntN(30) - 15
			c := func(v float64) uint8 { return uint8(max(0, min(255, int(v)+n))) }
			img.Set(x, y, color.RGBA{
				c(120 + 80*math.Sin(float64(x)/90)),
				c(140 + 60*math.Cos(float64(y)/70)),
				c(90 + 50*math.Sin(float64(x+y)/120)),
				255})
		}
	}
	return img
}

// noisyBlankPage is a blank A4 page at 100 dpi with scanner speckles (0.5 % dark pixels).
func noisyBlankPage() *image.Gray { return noisyBlankPageSized(827, 1169) }

func noisyBlankPageSized(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(3, 4))
	for i := range img.Pix {
		img.Pix[i] = uint8(235 + r.IntN(20))
		if r.IntN(200) == 0 {
			img.Pix[i] = uint8(r.IntN(60))
		}
	}
	return img
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		name                       string
		img                        image.Image
		textual, pageLike, docLike bool
		tiny                       bool
	}{
		{"scanned page", scannedPage(t), true, true, true, false},
		{"strip", cprStrip(t), true, false, false, false},
		{"pasted note", textImage(t, 1654, 260, 24, 30, 40, pageLines...), true, false, true, false},
		{"screenshot", textImage(t, 1280, 720, 16, 20, 40, append(append([]string{}, pageLines...), pageLines...)...), true, false, true, false},
		{"word mark", textImage(t, 300, 90, 36, 10, 55, "Sorø Kommune"), true, false, false, false},
		{"logo", signatureLogo(), false, false, false, false},
		{"photo", photo(), false, false, false, false},
		{"noisy blank page", noisyBlankPage(), true, true, true, false},
		{"white page", image.NewUniform(color.White), false, false, false, false},
		{"spacer", image.NewGray(image.Rect(0, 0, 1, 1)), false, false, false, true},
		{"rule", image.NewGray(image.Rect(0, 0, 600, 2)), false, false, false, true},
		{"icon", image.NewGray(image.Rect(0, 0, 16, 16)), false, false, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := c.img
			if u, ok := img.(*image.Uniform); ok {
				g := image.NewGray(image.Rect(0, 0, 827, 1169))
				draw.Draw(g, g.Bounds(), u, image.Point{}, draw.Src)
				img = g
			}
			l := classify(img)
			if l.textual != c.textual || l.pageLike() != c.pageLike || l.documentLike() != c.docLike || l.tiny() != c.tiny {
				t.Errorf("textual %v pageLike %v documentLike %v tiny %v (ink %.4f), want %v %v %v %v",
					l.textual, l.pageLike(), l.documentLike(), l.tiny(), l.ink, c.textual, c.pageLike, c.docLike, c.tiny)
			}
		})
	}
}

// noOCRExtractor has no OCR.
func noOCRExtractor() *Extractor { return New(Limits{}) }

// TestImageAttachments: what becomes of image attachments with and without OCR.
func TestImageAttachments(t *testing.T) {
	x, ok := ocrExtractor(t, Limits{Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	for _, c := range []struct {
		name   string
		data   []byte
		inline bool
		// with OCR: status, detail and text; without: status and detail
		status  Status
		detail  string
		text    string
		noOCR   Status
		noOCRDt string
	}{
		{"strip.png", encodePNG(t, cprStrip(t)), false, Scanned, DetailOCR, testCPR, Unscannable, DetailOCRUnavailable},
		{"strip-inline.png", encodePNG(t, cprStrip(t)), true, Scanned, DetailOCR, testCPR, Scanned, detailDecorative},
		{"wordmark-inline.png", encodePNG(t, textImage(t, 300, 90, 36, 10, 55, "Sorø Kommune")), true, Scanned, DetailOCR, "Kommune", Scanned, detailDecorative},
		{"logo.png", encodePNG(t, signatureLogo()), true, Scanned, DetailOCRNone, "", Scanned, detailDecorative},
		{"logo-attached.png", encodePNG(t, signatureLogo()), false, Scanned, DetailOCRNone, "", Scanned, detailDecorative},
		{"foto.jpg", encodeJPEG(t, photo()), false, Scanned, "", "", Scanned, detailDecorative},
		{"skanning.png", encodePNG(t, noisyBlankPage()), false, Unscannable, detailPageUnread, "", Unscannable, DetailOCRUnavailable},
		{"skanning-inline.png", encodePNG(t, noisyBlankPage()), true, Unscannable, detailPageUnread, "", Unscannable, DetailOCRUnavailable},
		{"side.png", encodePNG(t, scannedPage(t)), false, Scanned, DetailOCR, testCPR, Unscannable, DetailOCRUnavailable},
		{"side.gif", gifOf(t, scannedPage(t)), false, Scanned, DetailOCR, testCPR, Unscannable, DetailOCRUnavailable},
		// Camera-sized JPEGs go to OCR undecoded; their pixels are looked at only when OCR
		// read nothing.
		{"skanning-stor.jpg", encodeJPEG(t, noisyBlankPageSized(1240, 1754)), false, Unscannable, detailPageUnread, "", Unscannable, DetailOCRUnavailable},
		{"foto-stor.jpg", encodeJPEG(t, photoSized(1600, 1200)), false, Scanned, "", "", Scanned, detailDecorative},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := Input{Name: c.name, Data: c.data, Inline: c.inline}
			d := noOCRExtractor().ExtractInput(context.Background(), in)[0]
			if d.Status != c.noOCR || d.Detail != c.noOCRDt {
				t.Errorf("without OCR: %q %q, want %q %q", d.Status, d.Detail, c.noOCR, c.noOCRDt)
			}
			if !ok {
				return
			}
			start := time.Now()
			d = x.ExtractInput(context.Background(), in)[0]
			t.Logf("%s: %s %q in %.2fs: %q", c.name, d.Status, d.Detail, time.Since(start).Seconds(), allText(d))
			if d.Status != c.status || (c.detail != "" && d.Detail != c.detail) {
				t.Errorf("with OCR: %q %q, want %q %q", d.Status, d.Detail, c.status, c.detail)
			}
			if !strings.Contains(allText(d), c.text) {
				t.Errorf("with OCR: text lacks %q", c.text)
			}
		})
	}
}

// gifOf encodes img as a GIF (a format tesseract is not given as it is).
func gifOf(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// Pictures inside documents.

const relsNS = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
const imageRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"

// docxWithPictures makes a Word document whose body shows the body pictures (and a header
// showing the header picture, when given), with bodyText as its only text.
func docxWithPictures(t testing.TB, bodyText string, header []byte, pics ...[]byte) []byte {
	t.Helper()
	var body, rels strings.Builder
	ents := []zent{
		{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)},
		{name: "_rels/.rels", data: []byte(`<?xml version="1.0"?><Relationships ` + relsNS + `><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)},
	}
	if bodyText != "" {
		body.WriteString(wPara(bodyText))
	}
	for i, p := range pics {
		body.WriteString(fmt.Sprintf(`<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" r:embed="rIdImg%d"/></w:drawing></w:r></w:p>`, i))
		rels.WriteString(fmt.Sprintf(`<Relationship Id="rIdImg%d" Type="%s" Target="media/image%d.png"/>`, i, imageRel, i+1))
		ents = append(ents, zent{name: fmt.Sprintf("word/media/image%d.png", i+1), data: p})
	}
	if header != nil {
		rels.WriteString(`<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>`)
		ents = append(ents,
			zent{name: "word/header1.xml", data: []byte(`<?xml version="1.0"?><w:hdr ` + wNS + `><w:p><w:r><w:t>Kommunen</w:t></w:r></w:p></w:hdr>`)},
			zent{name: "word/_rels/header1.xml.rels", data: []byte(`<?xml version="1.0"?><Relationships ` + relsNS + `><Relationship Id="rId1" Type="` + imageRel + `" Target="media/logo.png"/></Relationships>`)},
			zent{name: "word/media/logo.png", data: header})
	}
	ents = append(ents,
		zent{name: "word/document.xml", data: []byte(`<?xml version="1.0"?><w:document ` + wNS + `><w:body>` + body.String() + `</w:body></w:document>`)},
		zent{name: "word/_rels/document.xml.rels", data: []byte(`<?xml version="1.0"?><Relationships ` + relsNS + `>` + rels.String() + `</Relationships>`)})
	return buildZip(t, ents...)
}

// pptxWithPicture makes a two-slide presentation; the second slide shows the picture.
func pptxWithPicture(t testing.TB, pic []byte) []byte {
	t.Helper()
	base := buildPPTX(t, []string{"Forside", ""}, nil)
	// Slide files are numbered in reverse: the second slide is slide1.xml.
	return addZipEntries(t, base,
		zent{name: "ppt/slides/_rels/slide1.xml.rels", data: []byte(`<?xml version="1.0"?><Relationships ` + relsNS + `><Relationship Id="rId2" Type="` + imageRel + `" Target="../media/image1.png"/></Relationships>`)},
		zent{name: "ppt/media/image1.png", data: pic})
}

// xlsxWithPicture makes a workbook with a picture placed on its sheet.
func xlsxWithPicture(t testing.TB, pic []byte) []byte {
	t.Helper()
	return addZipEntries(t, buildXLSXWithCPRNumber(t),
		zent{name: "xl/drawings/drawing1.xml", data: []byte(`<?xml version="1.0"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"/>`)},
		zent{name: "xl/drawings/_rels/drawing1.xml.rels", data: []byte(`<?xml version="1.0"?><Relationships ` + relsNS + `><Relationship Id="rId1" Type="` + imageRel + `" Target="../media/image1.png"/></Relationships>`)},
		zent{name: "xl/media/image1.png", data: pic})
}

// odtWithPictures makes an OpenDocument text showing a picture in its body, and one in the
// header of its master page (styles.xml) when header is set.
func odtWithPictures(t testing.TB, pic, header []byte) []byte {
	t.Helper()
	body := `<office:text><text:p><draw:frame><draw:image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="Pictures/side.png"/></draw:frame></text:p></office:text>`
	styles := ""
	if header != nil {
		styles = `<office:master-styles><style:master-page style:name="Standard"><style:header><text:p><draw:frame><draw:image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="Pictures/logo.png"/></draw:frame></text:p></style:header></style:master-page></office:master-styles>`
	}
	ents := []zent{{name: "Pictures/side.png", data: pic}}
	if header != nil {
		ents = append(ents, zent{name: "Pictures/logo.png", data: header})
	}
	return addZipEntries(t, buildODF(t, "application/vnd.oasis.opendocument.text", body, styles, false), ents...)
}

// rtfWithPictures makes an RTF file showing the PNG picture in its body as hex (and a header
// picture, and Word's metafile duplicate, when header is set).
func rtfWithPictures(t testing.TB, pic, header []byte) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}`)
	if header != nil {
		b.WriteString(`{\header\pard{\pict\pngblip\picw100\pich100 ` + hex.EncodeToString(header) + `}\par}`)
	}
	b.WriteString(`\pard{\*\shppict{\pict{\*\picprop{\sp{\sn shapeType}{\sv 75}}}\pngblip\picw827\pich1169{\*\blipuid 0123abcd}` + "\n")
	h := hex.EncodeToString(pic)
	for len(h) > 128 {
		b.WriteString(h[:128] + "\r\n")
		h = h[128:]
	}
	b.WriteString(h + `}}{\nonshppict{\pict\wmetafile8\picw827\pich1169 0100090000}}\par}`)
	return []byte(b.String())
}

// addZipEntries rewrites a zip with more entries.
func addZipEntries(t testing.TB, data []byte, more ...zent) []byte {
	t.Helper()
	zr, err := openZip(data)
	if err != nil {
		t.Fatal(err)
	}
	var ents []zent
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		ents = append(ents, zent{name: f.Name, data: b.Bytes(), method: f.Method})
	}
	return buildZip(t, append(ents, more...)...)
}

// TestDocumentPictures: a document whose only content is a picture of a letter is read by OCR;
// without OCR it warns; letterhead and photographs never make it warn.
func TestDocumentPictures(t *testing.T) {
	page := encodePNG(t, scannedPage(t))
	logo := encodePNG(t, signatureLogo())
	textLogo := encodePNG(t, textImage(t, 600, 120, 40, 20, 70, "Sorø Kommune"))
	pic := encodePNG(t, photo())
	x, ok := ocrExtractor(t, Limits{Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	const notRead = "document holds pictures that were not read (OCR not available)"
	for _, c := range []struct {
		name, typ string
		data      []byte
		// with OCR: status and text wanted; without OCR: status and detail
		status      Status
		text        []string
		noOCR       Status
		noOCRDetail string
		page        int // the page the OCR text is on
	}{
		{"Scanning.docx", "docx", docxWithPictures(t, "", nil, page), Scanned, []string{testCPR, "diabetes"}, Unscannable, notRead, 2},
		{"Scanning.odt", "odt", odtWithPictures(t, page, nil), Scanned, []string{testCPR, "diabetes"}, Unscannable, notRead, 2},
		{"Scanning.rtf", "rtf", rtfWithPictures(t, page, nil), Scanned, []string{testCPR, "diabetes"}, Unscannable, notRead, 2},
		{"Scanning.pptx", "pptx", pptxWithPicture(t, page), Scanned, []string{"Forside", testCPR, "diabetes"}, Unscannable, notRead, 2},
		{"Scanning.xlsx", "xlsx", xlsxWithPicture(t, page), Scanned, []string{testCPR, "diabetes"}, Unscannable, notRead, 3},
		{"Brev med logo.docx", "docx", docxWithPictures(t, "Kære borger", textLogo, logo, pic), Scanned, []string{"Kære borger"}, Scanned, "", 0},
		{"Logo i hoved.odt", "odt", odtWithPictures(t, pic, textLogo), Scanned, nil, Scanned, "", 0},
		{"Logo i hoved.rtf", "rtf", rtfWithPictures(t, logo, page), Scanned, nil, Scanned, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := noOCRExtractor().Extract(context.Background(), c.name, "", c.data)[0]
			if d.Type != c.typ || d.Status != c.noOCR || d.Detail != c.noOCRDetail {
				t.Errorf("without OCR: %s %q %q, want %s %q %q", d.Type, d.Status, d.Detail, c.typ, c.noOCR, c.noOCRDetail)
			}
			if !ok {
				return
			}
			start := time.Now()
			d = x.Extract(context.Background(), c.name, "", c.data)[0]
			t.Logf("%s: %s %q in %.2fs", c.name, d.Status, d.Detail, time.Since(start).Seconds())
			if d.Status != c.status {
				t.Errorf("with OCR: %q %q, want %q", d.Status, d.Detail, c.status)
			}
			for _, want := range c.text {
				if !strings.Contains(allText(d), want) {
					t.Errorf("with OCR: text lacks %q: %q", want, allText(d))
				}
			}
			if c.page > 0 && (len(d.Pages) != c.page || !strings.Contains(d.Pages[c.page-1].Text, testCPR)) {
				t.Errorf("OCR text not on page %d (the last): %+v", c.page, d.Pages)
			}
		})
	}
}

// TestDocumentPictureLimit: more pictures to OCR than MaxOCRPages make the document TooLarge,
// with the first ones read.
func TestDocumentPictureLimit(t *testing.T) {
	strip := encodePNG(t, cprStrip(t))
	x, ok := ocrExtractor(t, Limits{MaxOCRPages: 2, Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	if !ok {
		return
	}
	d := x.Extract(context.Background(), "Tre.docx", "", docxWithPictures(t, "Bilag", nil, strip, strip[:len(strip):len(strip)], append([]byte(nil), strip...)))[0]
	if d.Status != TooLarge || !strings.HasPrefix(d.Detail, "more than 2 pictures to OCR (MaxOCRPages)") {
		t.Fatalf("got %q %q", d.Status, d.Detail)
	}
	if got := strings.Count(allText(d), testCPR); got != 2 {
		t.Errorf("%d pictures read, want 2: %q", got, allText(d))
	}
	// Check boxes beyond the limit are not worth a warning.
	box := encodePNG(t, textImage(t, 48, 48, 36, 10, 40, "X"))
	d = x.Extract(context.Background(), "Skema.docx", "", docxWithPictures(t, "Skema", nil, strip, strip[:len(strip):len(strip)], box, append([]byte(nil), box...)))[0]
	if d.Status != Scanned || strings.Count(allText(d), testCPR) != 2 {
		t.Errorf("check boxes beyond the limit: %q %q, %q", d.Status, d.Detail, allText(d))
	}
}

// TestRTFPicturesHostile: broken picture groups never panic, loop or collect without bound.
func TestRTFPicturesHostile(t *testing.T) {
	many := strings.Repeat(`{\pict\pngblip 89504e47}`, maxDocPictures+50)
	for _, c := range []struct {
		name string
		data string
		max  int
	}{
		{"unclosed", `{\rtf1{\pict\pngblip 8950`, 0},
		{"bin beyond end", `{\rtf1{\pict\pngblip\bin99999999 ab}}`, 1},
		{"negative bin", `{\rtf1{\pict\pngblip\bin-5 ab}}`, 1},
		{"deep", `{\rtf1` + strings.Repeat("{", 10000) + `\pict\pngblip 00` + strings.Repeat("}", 10000), 1},
		{"many", `{\rtf1` + many + `}`, maxDocPictures + 1},
		{"trailing backslash", `{\rtf1{\pict\pngblip 00\`, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			pics := rtfPictures([]byte(c.data))
			if len(pics) > c.max {
				t.Errorf("%d pictures, want at most %d", len(pics), c.max)
			}
			for _, p := range pics {
				if _, err := p.load(); err != nil {
					t.Error(err)
				}
			}
			d := noOCRExtractor().Extract(context.Background(), "a.rtf", "", []byte(c.data))[0]
			if c.name == "many" && (d.Status != TooLarge || !strings.Contains(d.Detail, "more than 1000 pictures")) {
				t.Errorf("many: %q %q", d.Status, d.Detail)
			}
		})
	}
	if got := rtfPictData([]byte(`{\*\blipuid 00ff}89 50\bin2 XY4e`)); !bytes.Equal(got, []byte{0x89, 0x50, 'X', 'Y', 0x4e}) {
		t.Errorf("rtfPictData: % x", got)
	}
}

// FuzzRTFPictures: any RTF gives a bounded list of pictures whose data is at most half the
// input (hex) or a copy of \bin data.
func FuzzRTFPictures(f *testing.F) {
	f.Add([]byte(`{\rtf1{\pict\pngblip 89504e47}{\header{\pict\jpegblip ffd8}}}`))
	f.Add([]byte(`{\rtf1{\*\shppict{\pict{\*\picprop{\sp{\sn a}{\sv 1}}}\pngblip\bin4 ABCD}}{\nonshppict{\pict\wmetafile8 00}}}`))
	f.Add([]byte(`{\pict\pngblip\bin-1 }{\pict\jpegblip\bin99999999999 x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pics := rtfPictures(data)
		if len(pics) > maxDocPictures+1 {
			t.Fatalf("%d pictures", len(pics))
		}
		for _, p := range pics {
			b, err := p.load()
			if err != nil || len(b) > len(data) {
				t.Fatalf("picture of %d bytes from %d, %v", len(b), len(data), err)
			}
		}
	})
}

// TestEmailSignatureLogo: a mail whose HTML body shows the sender's logo (Content-ID) and
// holds a photograph: both scanned, no warning, with OCR and without.
func TestEmailSignatureLogo(t *testing.T) {
	b64 := func(b []byte) string { return b64lines(b) }
	mail := "From: Jonas Fisker <jonas@kommune.dk>\r\nTo: karen@firma.dk\r\nSubject: Møde\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: multipart/related; boundary=r\r\n\r\n" +
		"--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Vi ses torsdag.</p><img src=\"cid:logo@kommune\">\r\n" +
		"--r\r\nContent-Type: image/png\r\nContent-ID: <logo@kommune>\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(encodePNG(t, signatureLogo())) + "\r\n" +
		"--r--\r\n--m\r\nContent-Type: image/jpeg; name=\"ferie.jpg\"\r\nContent-Disposition: attachment; filename=\"ferie.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(encodeJPEG(t, photo())) + "\r\n--m--\r\n"
	x, ok := ocrExtractor(t, Limits{Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	exs := map[string]*Extractor{"no OCR": noOCRExtractor()}
	if ok {
		exs["OCR"] = x
	}
	for name, x := range exs {
		docs := x.Extract(context.Background(), "Møde.eml", "", []byte(mail))
		if len(docs) != 3 {
			t.Fatalf("%s: %d documents", name, len(docs))
		}
		for _, d := range docs {
			if d.Status != Scanned {
				t.Errorf("%s: %s %q %q", name, d.Name, d.Status, d.Detail)
			}
		}
	}
}

// TestDocumentPicturesTimeLimit: pictures left when the document's time runs short are
// reported, and the text read so far is kept.
func TestDocumentPicturesTimeLimit(t *testing.T) {
	pic := encodePNG(t, photo())
	x := New(Limits{Timeout: 2 * time.Second})
	d := x.Extract(context.Background(), "Album.docx", "", docxWithPictures(t, "Sommerfest", nil, pic, append([]byte(nil), pic...)))[0]
	if d.Status != Unscannable || d.Detail != "2 pictures not read by OCR within the time limit (Timeout)" || !strings.Contains(allText(d), "Sommerfest") {
		t.Fatalf("got %q %q %q", d.Status, d.Detail, allText(d))
	}
}

// TestLetterheadBanner: a banner with the authority's name across the top of a letter's body
// does not make the letter warn without OCR; a screenshot-sized picture of text does.
func TestLetterheadBanner(t *testing.T) {
	banner := encodePNG(t, textImage(t, 2000, 400, 120, 60, 250, "Sorø Kommune"))
	shot := encodePNG(t, textImage(t, 1280, 720, 20, 40, 60, pageLines...))
	for _, c := range []struct {
		name   string
		pic    []byte
		status Status
	}{
		{"Brev.docx", banner, Scanned},
		{"Skærmbillede.docx", shot, Unscannable},
	} {
		d := noOCRExtractor().Extract(context.Background(), c.name, "", docxWithPictures(t, "Kære borger", nil, c.pic))[0]
		if d.Status != c.status {
			t.Errorf("%s: %q %q, want %q", c.name, d.Status, d.Detail, c.status)
		}
	}
}

// TestOCRScale: small text is scaled up from its measured height, text of a readable size is
// left as it is, and an image without measured lines is scaled from its short side.
func TestOCRScale(t *testing.T) {
	for _, c := range []struct {
		name     string
		img      image.Image
		min, max float64
	}{
		{"strip of 14-px type", cprStrip(t), 1.5, 2.5},
		{"page of 24-px type", scannedPage(t), 1, 1},
		{"logo", signatureLogo(), 3.5, 4},
		{"large photo", photo(), 1, 1},
	} {
		s := ocrScale(c.img, classify(c.img))
		if s < c.min || s > c.max {
			t.Errorf("%s: scale %.2f, want %.2f–%.2f (line height %d)", c.name, s, c.min, c.max, classify(c.img).lineHeight)
		}
	}
}
