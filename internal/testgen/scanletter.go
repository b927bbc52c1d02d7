package testgen

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/tiff"
)

// ScannedLetter is a letter as a scanner gives it: one picture of black text on white in
// three encodings.
type ScannedLetter struct {
	PNG, JPEG, TIFF []byte
	// DejaVu: the text is drawn with DejaVu Sans, not the Go font (see ScanLetter).
	DejaVu bool
}

// dejaVuSans (fonts-dejavu-core, which fontconfig and so poppler pull in) is preferred to the
// embedded Go font: tesseract reads the Go font's slashed zero as 9 ("010190" → "919199").
const dejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// DocumentFace is DejaVu Sans at size px when installed (dejaVu), else the Go font; both
// have æøå.
func DocumentFace(size float64) (face font.Face, dejaVu bool, err error) {
	ttf := goregular.TTF
	if b, err := os.ReadFile(dejaVuSans); err == nil {
		ttf, dejaVu = b, true
	}
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, false, fmt.Errorf("testgen: %w", err)
	}
	face, err = opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, false, fmt.Errorf("testgen: %w", err)
	}
	return face, dejaVu, nil
}

// ScanLetter is a synthetic Danish letter to name, with the CPR number cpr, drawn at 40 px
// (DocumentFace) on a white 2480×1200 canvas (A4 width at 300 dpi), encoded as PNG, JPEG and
// TIFF. It holds name, the address "Damagervej 83", "4180 Sorø", "CPR-nr.: "+cpr and a
// greeting to name.
func ScanLetter(name, cpr string) (ScannedLetter, error) {
	lines := []string{
		name,
		"Damagervej 83",
		"4180 Sorø",
		"CPR-nr.: " + cpr,
		"",
		"Kære " + name,
		"Kommunen har modtaget din ansøgning om økonomisk hjælp.",
	}
	var s ScannedLetter
	face, dejaVu, err := DocumentFace(40)
	if err != nil {
		return s, err
	}
	defer face.Close()
	s.DejaVu = dejaVu
	img := image.NewGray(image.Rect(0, 0, 2480, 1200))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.Black, Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(200, 200+i*70)
		d.DrawString(l)
	}
	var pb, jb, tb bytes.Buffer
	if err := tiff.Encode(&tb, img, &tiff.Options{Compression: tiff.Deflate}); err != nil {
		return s, fmt.Errorf("testgen: %w", err)
	}
	if err := png.Encode(&pb, img); err != nil {
		return s, fmt.Errorf("testgen: %w", err)
	}
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 90}); err != nil {
		return s, fmt.Errorf("testgen: %w", err)
	}
	s.PNG, s.JPEG, s.TIFF = pb.Bytes(), jb.Bytes(), tb.Bytes()
	return s, nil
}
