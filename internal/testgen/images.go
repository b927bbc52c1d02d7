package testgen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Images for tests: pictures of text (a scanned page, a strip cut from a form, a signature
// set as an image) and pictures without text (logos, icons, photos, tracking pixels), all
// drawn here from the Go font so no system font is needed.

// TextImage draws lines of dark text on a light background at the given font size in pixels
// (about 1.4 × size per line), as a PNG of width × height; height 0 fits the lines. Tesseract
// reads it from a size of about 14 px.
func TextImage(lines []string, size float64, width, height int) ([]byte, error) {
	face, err := goFace(size)
	if err != nil {
		return nil, err
	}
	defer face.Close()
	lineH := int(math.Ceil(size * 1.4))
	margin := int(size)
	if height == 0 {
		height = 2*margin + lineH*len(lines)
	}
	img := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.Gray{Y: 250}), image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{Y: 20}), Face: face}
	for i, line := range lines {
		d.Dot = fixed.P(margin, margin+int(size)+i*lineH)
		d.DrawString(line)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("testgen: %w", err)
	}
	return buf.Bytes(), nil
}

func goFace(size float64) (font.Face, error) {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("testgen: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("testgen: %w", err)
	}
	return face, nil
}

// LogoPNG draws a logo without text: a few filled shapes in one or two colours on a white or
// transparent background, w × h pixels.
func LogoPNG(rng *rand.Rand, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if rng.IntN(2) == 0 {
		draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	}
	palette := []color.NRGBA{{0, 82, 147, 255}, {200, 16, 46, 255}, {0, 122, 61, 255}, {245, 168, 0, 255}, {60, 60, 60, 255}}
	c1, c2 := palette[rng.IntN(len(palette))], palette[rng.IntN(len(palette))]
	for s := range 2 + rng.IntN(4) {
		c := c1
		if s%2 == 1 {
			c = c2
		}
		cx, cy := rng.IntN(w), rng.IntN(h)
		r := (min(w, h) / 4) + rng.IntN(max(min(w, h)/3, 1))
		circle := rng.IntN(2) == 0
		for y := max(cy-r, 0); y < min(cy+r, h); y++ {
			for x := max(cx-r, 0); x < min(cx+r, w); x++ {
				if !circle || (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
					img.SetNRGBA(x, y, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory does not fail
	return buf.Bytes()
}

// PhotoJPEG draws a photo-like picture: smooth colour gradients with soft blobs and sensor
// noise, w × h pixels.
func PhotoJPEG(rng *rand.Rand, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	type blob struct{ x, y, r, cr, cg, cb float64 }
	var blobs []blob
	for range 5 + rng.IntN(5) {
		blobs = append(blobs, blob{rng.Float64() * float64(w), rng.Float64() * float64(h), float64(min(w, h)) * (0.1 + 0.4*rng.Float64()),
			rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255})
	}
	sky := [3]float64{90 + rng.Float64()*80, 120 + rng.Float64()*80, 160 + rng.Float64()*90}
	for y := range h {
		for x := range w {
			t := float64(y) / float64(h)
			r, g, b := sky[0]*(1-t)+60*t, sky[1]*(1-t)+90*t, sky[2]*(1-t)+50*t
			for _, bl := range blobs {
				d := math.Hypot(float64(x)-bl.x, float64(y)-bl.y) / bl.r
				if d < 1 {
					k := (1 - d) * (1 - d)
					r, g, b = r*(1-k)+bl.cr*k, g*(1-k)+bl.cg*k, b*(1-k)+bl.cb*k
				}
			}
			n := rng.Float64()*16 - 8
			img.SetRGBA(x, y, color.RGBA{clamp8(r + n), clamp8(g + n), clamp8(b + n), 255})
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	return buf.Bytes()
}

func clamp8(v float64) uint8 { return uint8(min(max(v, 0), 255)) }

// PixelGIF is a 1 × 1 transparent GIF (a newsletter's tracking pixel).
func PixelGIF() []byte {
	return []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
}
