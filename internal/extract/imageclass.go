package extract

import (
	"image"
	"slices"
)

// What an image looks like, from its size and pixels, to decide whether it may hold text worth
// reading and whether it plausibly is a document (a scanned or photographed page). These are
// judgements from how such images are built, never from examples: paper is the brightest large
// share of the pixels, ink is much darker than paper and hardly coloured, and a page has a
// page's proportions.

const (
	// minTextSide and minTextLength: an image lower or narrower than minTextSide, or with both
	// sides under minTextLength, cannot hold a line of text worth reading (tracking pixels,
	// spacers, rules, bullets, 16-px icons): at ~6 px a character, not even a CPR number fits.
	minTextSide   = 8
	minTextLength = 32
	// lineMinLength: a picture whose long side is shorter holds no line of personal data
	// worth warning about when it is left unread (check boxes, arrows, bullets).
	lineMinLength = 120
	// pageMinSide and pageMinPixels: a page-like image is at least this large (an A4 page
	// scanned at 72 dpi is 595×842).
	pageMinSide   = 500
	pageMinPixels = 400_000
	// pageMinAspect and pageMaxAspect bound the long:short side ratio of a page (A4 1.41,
	// Letter 1.29, a 4:3 photograph of a page 1.33), in either orientation.
	pageMinAspect = 1.15
	pageMaxAspect = 1.75
	// docMinSide and docMinPixels: an image attachment of at least this size with text-like
	// pixels (a screenshot of a case system, a cropped scan) may hold a document's worth of
	// personal data even without a page's proportions.
	docMinSide   = 100
	docMinPixels = 100_000
	// docMinLines: a picture of text with fewer lines is a banner, a word mark or a caption,
	// not a document (a screenshot, a cropped scan, a journal note pasted as a picture).
	docMinLines = 3
	// minRunsPerInk: in a picture of text a run of ink is a stroke a few samples wide (at
	// least one run per 12 ink samples even for bold display type); filled shapes have far
	// fewer.
	minRunsPerInk = 1.0 / 12
	// maxSamples bounds the pixels examined per image (a sampling grid over larger ones).
	maxSamples = 1 << 20
)

// imageLook is what classify found out about an image.
type imageLook struct {
	w, h int
	// analysed is false when the pixels were not examined (undecodable or too large to
	// decode): textual is then unknown and taken as true where that is the safe side.
	analysed bool
	// textual: a bright background (paper, a window) covering most of the image with dark,
	// uncoloured marks on it (text, lines, noise of a scan).
	textual bool
	// ink is the share of the sampled pixels that are dark marks.
	ink float64
	// lines counts the bands of rows with ink separated by blank rows: the lines of text of a
	// textual image (a banner has one, a journal note many; scanner noise makes one band).
	lines int
	// lineHeight is the median height in pixels of those bands (0 when not measured): about
	// the height of capitals and digits of the text.
	lineHeight int
}

// tiny reports an image that cannot hold a line of text.
func (l imageLook) tiny() bool {
	return l.w < minTextSide || l.h < minTextSide || (l.w < minTextLength && l.h < minTextLength)
}

// holdsLine reports an image long enough for a line such as "CPR-nr. 010190-1234" in text a
// reader can read (~10 px a character).
func (l imageLook) holdsLine() bool { return max(l.w, l.h) >= lineMinLength }

// pageSized reports a page's size and proportions, whatever the pixels.
func (l imageLook) pageSized() bool {
	short, long := min(l.w, l.h), max(l.w, l.h)
	if short < pageMinSide || int64(l.w)*int64(l.h) < pageMinPixels {
		return false
	}
	a := float64(long) / float64(short)
	return a >= pageMinAspect && a <= pageMaxAspect
}

// pageLike reports an image that plausibly is a scanned or photographed page: a page's size
// and proportions and text-like pixels (unknown pixels count as text-like).
func (l imageLook) pageLike() bool {
	return l.pageSized() && (l.textual || !l.analysed)
}

// documentLike reports an image large enough to hold a document's worth of text with
// text-like pixels (a page, a screenshot, a cropped scan), or a page-sized one not examined.
func (l imageLook) documentLike() bool {
	if l.pageLike() {
		return true
	}
	if min(l.w, l.h) < docMinSide || int64(l.w)*int64(l.h) < docMinPixels {
		return false
	}
	if !l.analysed {
		return true
	}
	// Lines of text, not a banner or a word mark across a letterhead.
	return l.textual && l.lines >= docMinLines
}

// classify examines the pixels of img on a grid of at most maxSamples points.
func classify(img image.Image) imageLook {
	b := img.Bounds()
	l := imageLook{w: b.Dx(), h: b.Dy()}
	if l.w <= 0 || l.h <= 0 {
		return l
	}
	step := 1
	for int64(l.w/step+1)*int64(l.h/step+1) > maxSamples {
		step++
	}
	var hist [256]int // luminance histogram
	var chroma [256]int64
	cols := (l.w + step - 1) / step
	grid := make([]uint8, 0, cols*((l.h+step-1)/step)) // the sampled luminance, row by row
	n := 0
	sample := func(y, c uint8) {
		hist[y]++
		chroma[y] += int64(c)
		grid = append(grid, y)
		n++
	}
	switch m := img.(type) {
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y += step {
			row := m.Pix[(y-b.Min.Y)*m.Stride:]
			for x := 0; x < l.w; x += step {
				sample(row[x], 0)
			}
		}
	case *image.YCbCr:
		for y := b.Min.Y; y < b.Max.Y; y += step {
			for x := b.Min.X; x < b.Max.X; x += step {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				cb, cr := absDiff(m.Cb[ci], 128), absDiff(m.Cr[ci], 128)
				sample(m.Y[yi], uint8(min(2*max(cb, cr), 255)))
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y += step {
			for x := b.Min.X; x < b.Max.X; x += step {
				r, g, bl, a := img.At(x, y).RGBA()
				// Transparent pixels show the page or window behind them: white.
				r, g, bl = r+0xffff-a, g+0xffff-a, bl+0xffff-a
				r8, g8, b8 := uint8(min(r, 0xffff)>>8), uint8(min(g, 0xffff)>>8), uint8(min(bl, 0xffff)>>8)
				lum := (299*int(r8) + 587*int(g8) + 114*int(b8)) / 1000
				c := max(r8, g8, b8) - min(r8, g8, b8)
				sample(uint8(lum), c)
			}
		}
	}
	l.analysed = true
	if n == 0 {
		return l
	}
	// paper: the 90th percentile of luminance.
	paper, acc := 255, 0
	for v := 255; v >= 0; v-- {
		acc += hist[v]
		if acc*10 >= n {
			paper = v
			break
		}
	}
	var bg, ink int
	var inkChroma int64
	for v := 0; v < 256; v++ {
		switch {
		case v >= paper-40:
			bg += hist[v]
		case v <= paper-100:
			ink += hist[v]
			inkChroma += chroma[v]
		}
	}
	l.ink = float64(ink) / float64(n)
	mid := n - bg - ink
	meanInkChroma := 0.0
	if ink > 0 {
		meanInkChroma = float64(inkChroma) / float64(ink)
	}
	l.textual = paper >= 150 && // a light background
		float64(bg) >= 0.55*float64(n) && // covering most of the image
		float64(mid) <= 0.30*float64(n) && // few mid tones (a photograph is mostly mid tones)
		ink*1000 >= n && // some marks (a blank page has none)
		meanInkChroma <= 60 // marks in black, grey or dark ink, not coloured shapes
	if l.textual {
		inkMax := uint8(max(paper-100, 0))
		// Text is strokes: many runs of ink for the ink there is. Filled shapes (a logo's
		// circle and bar) are few long runs.
		l.textual = float64(inkRuns(grid, cols, inkMax)) >= minRunsPerInk*float64(ink)
		var heights []int
		l.lines, heights = inkBands(grid, cols, inkMax)
		if len(heights) > 0 {
			slices.Sort(heights)
			l.lineHeight = heights[len(heights)/2] * step
		}
	}
	return l
}

// inkRuns counts the horizontal runs of ink samples (at most inkMax) in the grid.
func inkRuns(grid []uint8, cols int, inkMax uint8) int {
	runs := 0
	for i, v := range grid {
		if v <= inkMax && (i%cols == 0 || grid[i-1] > inkMax) {
			runs++
		}
	}
	return runs
}

// inkBands counts the bands of at least two sampled rows that hold ink (at most inkMax),
// separated by rows without, and returns their heights in sampled rows (at most 1000).
func inkBands(grid []uint8, cols int, inkMax uint8) (int, []int) {
	if cols <= 0 {
		return 0, nil
	}
	need := max(1, cols/200)
	bands, run := 0, 0
	var heights []int
	end := func() {
		if run >= 2 && len(heights) < 1000 {
			heights = append(heights, run)
		}
		run = 0
	}
	for r := 0; r+cols <= len(grid); r += cols {
		k := 0
		for _, v := range grid[r : r+cols] {
			if v <= inkMax {
				k++
			}
		}
		if k >= need {
			run++
			if run == 2 {
				bands++
			}
			continue
		}
		end()
	}
	end()
	return bands, heights
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}
