package admin

// A small server-side SVG chart renderer for the dashboard: stacked columns (verdicts per day)
// and horizontal bars (top reasons, documents that could not be scanned). The SVG is built
// here from numbers and labels only, every text escaped, so the templates may insert it with
// the svg helper. Each chart is an image with a <title> and a <desc> summing it up (role="img",
// aria-labelledby); the page shows the same numbers as a table beside it.

import (
	"fmt"
	"html"
	"strings"
)

// actionColours is the colour of each action: the .badge-* palette of admin.css.
var actionColours = map[string]string{
	"allow":  "#2e7d32",
	"warn":   "#a15c00",
	"secure": "#1f4e79",
	"block":  "#b3261e",
}

const (
	chartBarColour  = "#1f4e79" // the accent colour
	chartGridColour = "#d8dde3"
	chartTextColour = "#5b6570"
)

// chartColumn is one column of a stacked column chart: a label (a date) and a value per series.
type chartColumn struct {
	Label  string // shown under the column (thinned out when there are many)
	Full   string // the label in the tooltip (e.g. the full date)
	Values map[string]int
}

// chartSeries is one stacked series: its key (an action), its Danish label and colour.
type chartSeries struct {
	Key, Label, Colour string
}

// stackedColumns draws cols as columns stacked by ss. id makes the title/desc ids unique on
// the page.
func stackedColumns(id, title, desc string, cols []chartColumn, ss []chartSeries) string {
	const (
		w, h                 = 720, 260
		left, right, top, bt = 44, 8, 10, 28
	)
	plotW, plotH := float64(w-left-right), float64(h-top-bt)
	maxV := 0
	for _, c := range cols {
		sum := 0
		for _, s := range ss {
			sum += c.Values[s.Key]
		}
		maxV = max(maxV, sum)
	}
	top4, step := chartScale(maxV, 4)
	var b strings.Builder
	chartOpen(&b, id, title, desc, w, h)
	// Grid lines and y labels.
	for v := 0; v <= top4; v += step {
		y := float64(top) + plotH - plotH*float64(v)/float64(top4)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, y, w-right, y, chartGridColour)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle" fill="%s">%d</text>`, left-6, y, chartTextColour, v)
	}
	if n := len(cols); n > 0 {
		slot := plotW / float64(n)
		barW := max(slot*0.7, 1)
		labelEvery := (n + 9) / 10 // at most about ten labels
		for i, c := range cols {
			x := float64(left) + slot*float64(i) + (slot-barW)/2
			y := float64(top) + plotH
			for _, s := range ss {
				v := c.Values[s.Key]
				if v == 0 {
					continue
				}
				bh := plotH * float64(v) / float64(top4)
				y -= bh
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s %d</title></rect>`,
					x, y, barW, bh, s.Colour, svgEsc(c.Full), svgEsc(s.Label), v)
			}
			if i%labelEvery == 0 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s">%s</text>`, x+barW/2, h-bt+16, chartTextColour, svgEsc(c.Label))
			}
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, float64(top)+plotH, w-right, float64(top)+plotH, chartTextColour)
	b.WriteString(`</svg>`)
	return b.String()
}

// chartBar is one row of a horizontal bar chart.
type chartBar struct {
	Label string
	Value int
}

// horizontalBars draws one bar per row, its label above it and the value after it (narrow
// enough for half a page).
func horizontalBars(id, title, desc string, bars []chartBar) string {
	const w, rowH, valueW = 400, 38, 44
	h := rowH*len(bars) + 4
	maxV := 1
	for _, r := range bars {
		maxV = max(maxV, r.Value)
	}
	plotW := float64(w - valueW)
	var b strings.Builder
	chartOpen(&b, id, title, desc, w, h)
	for i, r := range bars {
		y := 2 + rowH*i
		bw := plotW * float64(r.Value) / float64(maxV)
		if r.Value > 0 {
			bw = max(bw, 2)
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" fill="%s">%s</text>`, y+12, chartTextColour, svgEsc(chartTruncate(r.Label, 64)))
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%.1f" height="14" fill="%s"><title>%s: %d</title></rect>`,
			y+18, bw, chartBarColour, svgEsc(r.Label), r.Value)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="%s">%d</text>`, bw+6, y+29, chartTextColour, r.Value)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// chartOpen writes the root element with its accessible name and description.
func chartOpen(b *strings.Builder, id, title, desc string, w, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" font-size="11">`,
		w, h, w, h, svgEsc(id), svgEsc(id))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, svgEsc(id), svgEsc(title), svgEsc(id), svgEsc(desc))
}

// chartScale returns an axis maximum >= v made of n steps of a round size (1, 2, 5 × 10^k).
func chartScale(v, n int) (top, step int) {
	if v <= 0 {
		return n, 1
	}
	raw := (v + n - 1) / n
	mag := 1
	for mag*10 <= raw {
		mag *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	return step * n, step
}

func svgEsc(s string) string { return html.EscapeString(s) }

func chartTruncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
