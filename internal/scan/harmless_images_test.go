package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/extract/ocr"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// Ordinary pictures of ordinary external mail: signature logos (shapes, a word mark, a GIF),
// social-media icons, a newsletter banner, holiday photographs, tracking pixels. None of them
// may make a mail warn, with OCR or without, inline or attached.

func wordMark(tb testing.TB, w, h int, size float64, text string) *image.Gray {
	tb.Helper()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		tb.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		tb.Fatal(err)
	}
	defer face.Close()
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.Black, Face: face, Dot: fixed.P(10, h/2+int(size/3))}
	d.DrawString(text)
	return img
}

func holidayPhoto(w, h int, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, 7))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := r.IntN(24) - 12
			c := func(v float64) uint8 { return uint8(max(0, min(255, int(v)+n))) }
			img.Set(x, y, color.RGBA{c(110 + 90*math.Sin(float64(x)/80)), c(150 + 70*math.Cos(float64(y)/60)), c(100 + 60*math.Sin(float64(x+y)/150)), 255})
		}
	}
	return img
}

func icon(w int, c color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, w))
	for y := 0; y < w; y++ {
		for x := 0; x < w; x++ {
			if (x-w/2)*(x-w/2)+(y-w/2)*(y-w/2) < w*w/5 {
				img.Set(x, y, c)
			}
		}
	}
	return img
}

func encodeImage(tb testing.TB, img image.Image, format string) []byte {
	tb.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "jpeg":
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	case "gif":
		err = gif.Encode(&b, img, nil)
	default:
		err = png.Encode(&b, img)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestHarmlessImagesDoNotWarn measures the warn rate of ordinary mails with pictures.
func TestHarmlessImagesDoNotWarn(t *testing.T) {
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Pictures of text (a word mark, a banner) are harmless in the mail's layout; attached as
	// files and without OCR they warn, as a strip cut from a form would.
	pics := []struct {
		name, ctype string
		data        []byte
		textual     bool
	}{
		{"image001.png", "image/png", logoPNG(t), false},
		{"image002.png", "image/png", encodeImage(t, wordMark(t, 300, 90, 36, "Sorø Kommune"), "png"), true},
		{"logo.gif", "image/gif", encodeImage(t, logoGIFSource(), "gif"), false},
		{"facebook.png", "image/png", encodeImage(t, icon(32, color.NRGBA{59, 89, 152, 255}), "png"), false},
		{"linkedin.png", "image/png", encodeImage(t, icon(48, color.NRGBA{0, 119, 181, 255}), "png"), false},
		{"banner.jpg", "image/jpeg", encodeImage(t, wordMark(t, 600, 150, 48, "Nyhedsbrev december"), "jpeg"), true},
		{"pixel.gif", "image/gif", encodeImage(t, image.NewGray(image.Rect(0, 0, 1, 1)), "gif"), false},
		{"IMG_2041.jpg", "image/jpeg", encodeImage(t, holidayPhoto(1024, 768, 1), "jpeg"), false},
		{"IMG_2042.jpg", "image/jpeg", encodeImage(t, holidayPhoto(768, 1024, 2), "jpeg"), false},
	}
	extractors := map[string]*extract.Extractor{
		"no OCR": formats.NewWithOptions(extract.Limits{}, formats.Options{Tools: &ocr.Tools{}}),
	}
	extractors["tools in PATH"] = formats.New(extract.Limits{})
	mails, warned := 0, 0
	for xname, x := range extractors {
		s := New(x, det, identity.New(det, identity.Options{}), Options{})
		for _, inline := range []bool{true, false} {
			for _, p := range pics {
				if p.textual && !inline {
					continue
				}
				m := baseMessage(message.Address{Name: "Karen Holm", Address: "karen.holm@firma.dk"})
				m.Subject = "Møde torsdag"
				m.Bodies = []message.Body{{ContentType: "text/html", Content: `<p>Hej Karen</p><p>Vi ses torsdag kl. 10.</p><p>Med venlig hilsen<br>Jonas Fisker</p>`}}
				m.Attachments = []message.Attachment{{Name: p.name, ContentType: p.ctype, Data: p.data, Inline: inline}}
				res, err := s.Scan(context.Background(), m, policy.Default())
				if err != nil {
					t.Fatal(err)
				}
				mails++
				if res.Verdict.Action != policy.Allow {
					warned++
					var docs string
					for _, d := range res.Documents {
						docs += fmt.Sprintf("%s %s %q; ", d.Name, d.Status, d.Detail)
					}
					t.Errorf("%s, %s inline=%v: %s: %s", xname, p.name, inline, res.Verdict.Action, docs)
				}
			}
		}
	}
	t.Logf("harmless mails with pictures: %d, not allowed: %d (%.1f %%)", mails, warned, 100*float64(warned)/float64(mails))
}

// logoGIFSource is a paletted logo: a green leaf shape and a grey bar.
func logoGIFSource() *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, 200, 60), color.Palette{color.White, color.RGBA{40, 140, 60, 255}, color.RGBA{120, 120, 120, 255}})
	for y := 0; y < 60; y++ {
		for x := 0; x < 200; x++ {
			switch {
			case x < 60 && (x-30)*(x-30)+2*(y-30)*(y-30) < 600:
				img.SetColorIndex(x, y, 1)
			case x > 80 && y > 25 && y < 35:
				img.SetColorIndex(x, y, 2)
			}
		}
	}
	return img
}
