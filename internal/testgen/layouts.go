package testgen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/text/encoding/charmap"
)

// Letter is one letter (or one filed page without an addressee) as the generator composes it,
// before it is laid out as a PDF page or a DOCX section.
type Letter struct {
	Letterhead []string   // the sender: authority, department, address, phone, web
	Addressee  []string   // the addressee block; nil for a page without one (a note, an appendix)
	Info       []string   // "Dato: …", "Sagsnr.: …", "Kontakt: …", "Direkte tlf.: …"
	Title      string     // subject line
	Greeting   string     // "Kære Birthe", may be empty
	Paras      []string   // body paragraphs
	Table      [][]string // optional table; the first row is the header
	TableAt    int        // the table follows paragraph TableAt (0: before the first)
	Closing    []string   // "Med venlig hilsen", signature lines
	After      []string   // lines after the signature ("Kopi til: …")
	Appendix   []string   // a further page of the same letter: a heading, then paragraphs
}

// Layout is how a letter is put on a PDF page.
type Layout struct {
	BlockRight     bool    // addressee block in a right-hand window (else left, about 20 mm in)
	BlockTop       float64 // mm from the top edge to the block, 45–70
	InfoBeside     bool    // the info column stands on the same lines as the addressee block
	InfoTwoCols    bool    // info labels and values in two columns ("Dato" | "3. marts 2026")
	SideColumn     bool    // the letterhead runs as a column down the side of the page
	BlockAfterBody bool    // the block and info column are written to the stream after the body
	Glyphs         int     // 0 whole lines; 1 every glyph placed on its own (Word-style kerning), 3 the same with space glyphs; 2 every word on its own
	CapsName       bool    // the addressee's name line in capitals
	Footer         bool    // "Side x af n" at the foot of every page
	FontSize       float64 // body font size in points
}

// tags name the layout's notable features.
func (l Layout) tags() []string {
	var t []string
	add := func(on bool, name string) {
		if on {
			t = append(t, name)
		}
	}
	add(l.BlockRight, "block-right")
	add(!l.BlockRight, "block-left")
	add(l.InfoBeside, "info-beside-block")
	add(l.SideColumn, "side-column")
	add(l.BlockAfterBody, "block-after-body")
	add(l.Glyphs == 1 || l.Glyphs == 3, "glyph-by-glyph")
	add(l.Glyphs == 2, "word-by-word")
	add(l.CapsName, "caps-name")
	return t
}

// RandomLayout draws a layout for a seed.
func RandomLayout(seed int64) Layout { return randomLayout(newRand(seed)) }

// RenderPDF lays letters out in one PDF, each from a new page; it returns the PDF and every line
// of text it placed. The seed decides the font (core Helvetica or an embedded TrueType font;
// the latter always when a name needs it) and the small kerning offsets.
func RenderPDF(letters []Letter, lay Layout, seed int64) ([]byte, string, error) {
	var text strings.Builder
	data, err := renderPDF(newRand(seed), lay, letters, &text)
	return data, text.String(), err
}

// RenderDOCX writes letters into one DOCX, separated by page or section breaks; it returns the
// document and its text.
func RenderDOCX(letters []Letter, st DOCXStyle, seed int64) ([]byte, string) {
	var text strings.Builder
	data := renderDOCX(newRand(seed), st, letters, &text)
	return data, text.String()
}

// randomLayout draws a layout.
func randomLayout(rng *rand.Rand) Layout {
	return Layout{
		BlockRight:     rng.IntN(3) == 0,
		BlockTop:       45 + float64(rng.IntN(26)),
		InfoBeside:     rng.IntN(2) == 0,
		InfoTwoCols:    rng.IntN(3) == 0,
		SideColumn:     rng.IntN(3) == 0,
		BlockAfterBody: rng.IntN(4) == 0,
		Glyphs:         []int{0, 0, 1, 2, 3}[rng.IntN(5)],
		CapsName:       rng.IntN(10) == 0,
		Footer:         rng.IntN(3) != 0,
		FontSize:       []float64{10, 10.5, 11, 11}[rng.IntN(4)],
	}
}

// pdfWriter lays letters out with fpdf and records the text it wrote.
type pdfWriter struct {
	f       *fpdf.Fpdf
	tr      func(string) string
	font    string
	lay     Layout
	rng     *rand.Rand
	text    *strings.Builder
	lineH   float64
	pageTop int // first page of the current letter
}

var cp1252 = charmap.Windows1252.NewEncoder()

// needsUnicode reports whether s has a character the core fonts (cp1252) cannot show.
func needsUnicode(s string) bool {
	_, err := cp1252.String(s)
	return err != nil
}

func letterText(l Letter) string {
	var b strings.Builder
	for _, xs := range [][]string{l.Letterhead, l.Addressee, l.Info, {l.Title, l.Greeting}, l.Paras, l.Closing, l.After, l.Appendix} {
		b.WriteString(strings.Join(xs, "\n"))
	}
	for _, row := range l.Table {
		b.WriteString(strings.Join(row, " "))
	}
	return b.String()
}

func newPDFWriter(rng *rand.Rand, lay Layout, letters []Letter, text *strings.Builder) *pdfWriter {
	fixed := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCreationDate(fixed)
	f.SetModificationDate(fixed)
	f.SetCatalogSort(true)
	f.SetAutoPageBreak(false, 15)
	f.SetCompression(rng.IntN(2) == 0)
	w := &pdfWriter{f: f, lay: lay, rng: rng, text: text, font: "Helvetica", tr: f.UnicodeTranslatorFromDescriptor("")}
	var all strings.Builder
	for _, l := range letters {
		all.WriteString(letterText(l))
	}
	if needsUnicode(all.String()) || rng.IntN(5) == 0 {
		f.AddUTF8FontFromBytes("gosans", "", goregular.TTF)
		f.AddUTF8FontFromBytes("gosans", "B", gobold.TTF)
		w.font, w.tr = "gosans", func(s string) string { return s }
	}
	if lay.FontSize == 0 {
		w.lay.FontSize = 11
	}
	w.lineH = w.lay.FontSize * 0.48
	return w
}

// put writes s at (x, y) in the layout's glyph mode.
func (w *pdfWriter) put(x, y float64, s string) {
	if s == "" {
		return
	}
	w.text.WriteString(s + "\n")
	switch w.lay.Glyphs {
	case 1, 3:
		for _, r := range s {
			g := w.tr(string(r))
			if r != ' ' || w.lay.Glyphs == 3 {
				w.f.Text(x, y, g)
			}
			x += w.f.GetStringWidth(g) + (w.rng.Float64()-0.5)*0.08
		}
	case 2:
		space := w.f.GetStringWidth(" ")
		for _, word := range strings.Fields(s) {
			g := w.tr(word)
			w.f.Text(x, y, g)
			x += w.f.GetStringWidth(g) + space
		}
	default:
		w.f.Text(x, y, w.tr(s))
	}
}

func (w *pdfWriter) setFont(style string, size float64) { w.f.SetFont(w.font, style, size) }

// para wraps s into lines of at most width mm from (x, y); it returns the next baseline.
func (w *pdfWriter) para(x, y, width float64, s string) float64 {
	var line string
	for _, word := range strings.Fields(s) {
		try := strings.TrimSpace(line + " " + word)
		if line != "" && w.f.GetStringWidth(w.tr(try)) > width {
			y = w.need(y)
			w.put(x, y, line)
			y += w.lineH
			line = word
			continue
		}
		line = try
	}
	if line != "" {
		y = w.need(y)
		w.put(x, y, line)
		y += w.lineH
	}
	return y
}

// need starts a continuation page when y is below the writing area.
func (w *pdfWriter) need(y float64) float64 {
	if y < 272 {
		return y
	}
	w.f.AddPage()
	w.setFont("", w.lay.FontSize)
	return 25
}

// letter lays out one letter from a new page.
func (w *pdfWriter) letter(l Letter) {
	f, lay := w.f, w.lay
	f.AddPage()
	w.pageTop = f.PageNo()
	blockX, infoX, bodyX, bodyW := 20.0, 112.0, 20.0, 170.0
	sideX := 158.0
	if lay.BlockRight {
		blockX, infoX, sideX = 118, 18, 14
	}
	if lay.SideColumn {
		if lay.BlockRight {
			bodyX, bodyW = 58, 135
			infoX = 118 // the info column moves under the block's column
		} else {
			bodyW = 128
			infoX = 112
			sideX = 162
		}
	}
	// Letterhead: a bold authority name, then the other lines, either at the top or as a side column.
	if len(l.Letterhead) > 0 {
		if w.rng.IntN(2) == 0 { // a logo: a coat of arms box beside the authority's name
			lx := 120.0 - 12
			if lay.BlockRight || lay.SideColumn {
				lx = sideX
			}
			w.f.SetFillColor(30+w.rng.IntN(60), 60+w.rng.IntN(80), 120+w.rng.IntN(100))
			w.f.Rect(lx, 6, 9, 11, "F")
		}
		w.setFont("B", 13)
		headX := 120.0
		if lay.BlockRight {
			headX = 18
		}
		if lay.SideColumn {
			headX = sideX
		}
		w.put(headX, 14, l.Letterhead[0])
		w.setFont("", 7.5)
		y := 19.0
		maxY := lay.BlockTop - 4
		if lay.SideColumn {
			maxY = 260
		}
		for _, s := range l.Letterhead[1:] {
			if y > maxY {
				break
			}
			w.put(headX, y, s)
			y += 3.4
		}
	}
	blockAndInfo := func() {
		y := lay.BlockTop
		w.setFont("", 7)
		if len(l.Addressee) > 0 {
			w.put(blockX, y-5, "Returneres ved varig adresseændring")
		}
		w.setFont("", w.lay.FontSize)
		for i, s := range l.Addressee {
			if i == 0 && lay.CapsName {
				s = strings.ToUpper(s)
			}
			w.put(blockX, y+float64(i)*w.lineH, s)
		}
		infoY := lay.BlockTop
		if !lay.InfoBeside {
			infoY = lay.BlockTop + float64(len(l.Addressee)+1)*w.lineH
			if !lay.BlockRight {
				infoX = 140
			}
		}
		w.setFont("", 8.5)
		for i, s := range l.Info {
			yy := infoY + float64(i)*4.2
			if k := strings.Index(s, ": "); lay.InfoTwoCols && k > 0 {
				w.put(infoX, yy, s[:k])
				w.put(infoX+20, yy, s[k+2:])
			} else {
				w.put(infoX, yy, s)
			}
		}
	}
	if !lay.BlockAfterBody {
		blockAndInfo()
	}
	y := lay.BlockTop + float64(max(len(l.Addressee), 3)+2)*w.lineH + 10
	if !lay.InfoBeside {
		y = max(y, lay.BlockTop+float64(len(l.Addressee)+len(l.Info)+2)*w.lineH+6)
	}
	if len(l.Addressee) == 0 && len(l.Info) == 0 {
		y = 45
	}
	if l.Title != "" {
		w.setFont("B", w.lay.FontSize+1)
		y = w.para(bodyX, y, bodyW, l.Title) + w.lineH*0.8
	}
	w.setFont("", w.lay.FontSize)
	if l.Greeting != "" {
		y = w.para(bodyX, y, bodyW, l.Greeting) + w.lineH*0.6
	}
	for i, p := range l.Paras {
		if len(l.Table) > 0 && l.TableAt == i {
			y = w.table(bodyX, y, bodyW, l.Table)
		}
		y = w.para(bodyX, y, bodyW, p) + w.lineH*0.6
	}
	if len(l.Table) > 0 && l.TableAt >= len(l.Paras) {
		y = w.table(bodyX, y, bodyW, l.Table)
	}
	y += w.lineH * 0.6
	for _, s := range l.Closing {
		if s == "" {
			y += w.lineH * 1.5
			continue
		}
		y = w.para(bodyX, y, bodyW, s)
	}
	y += w.lineH
	w.setFont("", w.lay.FontSize-1.5)
	for _, s := range l.After {
		y = w.para(bodyX, y, bodyW, s)
	}
	if len(l.Appendix) > 0 {
		f.AddPage()
		w.setFont("B", w.lay.FontSize+1)
		y := w.para(bodyX, 30, bodyW, l.Appendix[0]) + w.lineH
		w.setFont("", w.lay.FontSize)
		for _, p := range l.Appendix[1:] {
			y = w.para(bodyX, y, bodyW, p) + w.lineH*0.6
		}
	}
	if lay.BlockAfterBody {
		f.SetPage(w.pageTop)
		w.setFont("B", 5) // fpdf only writes a font change; make the next one count on this page
		blockAndInfo()
		f.SetPage(f.PageCount())
	}
	if lay.Footer {
		n := f.PageCount() - w.pageTop + 1
		for i := 0; i < n; i++ {
			f.SetPage(w.pageTop + i)
			w.setFont("B", 5)
			w.setFont("", 8)
			w.put(95, 287, fmt.Sprintf("Side %d af %d", i+1, n))
		}
		f.SetPage(f.PageCount())
	}
}

// table writes rows in evenly spread columns; it returns the next baseline.
func (w *pdfWriter) table(x, y, width float64, rows [][]string) float64 {
	if len(rows) == 0 {
		return y
	}
	cols := len(rows[0])
	colW := make([]float64, cols)
	// columns as wide as their longest cell, scaled to the width
	total := 0.0
	for c := 0; c < cols; c++ {
		for _, r := range rows {
			if c < len(r) {
				colW[c] = max(colW[c], w.f.GetStringWidth(w.tr(r[c]))+4)
			}
		}
		total += colW[c]
	}
	if total > width {
		for c := range colW {
			colW[c] *= width / total
		}
	}
	size := w.lay.FontSize - 1
	for i, r := range rows {
		y = w.need(y)
		if i == 0 {
			w.setFont("B", size)
		} else {
			w.setFont("", size)
		}
		cx := x
		for c := 0; c < cols && c < len(r); c++ {
			w.put(cx, y, r[c])
			cx += colW[c]
		}
		y += size * 0.5
	}
	w.setFont("", w.lay.FontSize)
	return y + w.lineH*0.6
}

func (w *pdfWriter) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := w.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("testgen: pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// renderPDF lays letters out one after the other in one PDF, each from a new page.
func renderPDF(rng *rand.Rand, lay Layout, letters []Letter, text *strings.Builder) ([]byte, error) {
	w := newPDFWriter(rng, lay, letters, text)
	for _, l := range letters {
		w.letter(l)
	}
	return w.bytes()
}
