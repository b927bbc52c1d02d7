package admin

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// svgDoc is what the tests check of a chart: the root's accessible name and its parts.
type svgDoc struct {
	Role       string
	Labelledby string
	Title      string
	TitleID    string
	Desc       string
	Rects      []map[string]string
	Texts      []string
}

// parseSVG parses one SVG document strictly (encoding/xml) and collects what svgDoc holds.
func parseSVG(t *testing.T, s string) svgDoc {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var doc svgDoc
	var stack []string
	root := true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if root {
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root element %v, want svg in the SVG namespace", tok.Name)
				}
				doc.Role, doc.Labelledby = attrs["role"], attrs["aria-labelledby"]
				if attrs["viewBox"] == "" {
					t.Error("svg without viewBox")
				}
				root = false
			}
			if tok.Name.Local == "title" && len(stack) == 1 {
				doc.TitleID = attrs["id"]
			}
			if tok.Name.Local == "rect" {
				doc.Rects = append(doc.Rects, attrs)
			}
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			switch {
			case stack[len(stack)-1] == "title" && len(stack) == 2:
				doc.Title += string(tok)
			case stack[len(stack)-1] == "desc" && len(stack) == 2:
				doc.Desc += string(tok)
			case stack[len(stack)-1] == "text":
				doc.Texts = append(doc.Texts, string(tok))
			}
		}
	}
	if root {
		t.Fatal("no SVG element")
	}
	return doc
}

func TestStackedColumns(t *testing.T) {
	ss := []chartSeries{{"allow", "Tilladt", "#2e7d32"}, {"block", "Blokeret", "#b3261e"}}
	cols := []chartColumn{
		{Label: "01-03", Full: "01-03-2026", Values: map[string]int{"allow": 3, "block": 1}},
		{Label: "02-03", Full: "02-03-2026", Values: map[string]int{}},
		{Label: "03-03", Full: "03-03-2026", Values: map[string]int{"block": 7}},
	}
	doc := parseSVG(t, stackedColumns("c1", "Afgørelser <pr. dag>", "I alt 11 & mere", cols, ss))
	if doc.Role != "img" || doc.Labelledby != "c1-title c1-desc" || doc.TitleID != "c1-title" {
		t.Errorf("accessibility: role %q, labelledby %q, title id %q", doc.Role, doc.Labelledby, doc.TitleID)
	}
	if doc.Title != "Afgørelser <pr. dag>" || doc.Desc != "I alt 11 & mere" {
		t.Errorf("title %q, desc %q (escaping?)", doc.Title, doc.Desc)
	}
	if len(doc.Rects) != 3 {
		t.Fatalf("%d rects, want 3 (zero values drawn as nothing)", len(doc.Rects))
	}
	if doc.Rects[0]["fill"] != "#2e7d32" || doc.Rects[1]["fill"] != "#b3261e" {
		t.Errorf("fills %q %q, want the action colours in series order", doc.Rects[0]["fill"], doc.Rects[1]["fill"])
	}
	// The axis reaches a round number at or above the highest column.
	if !strings.Contains(strings.Join(doc.Texts, " "), "8") {
		t.Errorf("axis labels %v, want a top of 8", doc.Texts)
	}
	// Empty data is still a valid image.
	parseSVG(t, stackedColumns("c2", "Tom", "Ingen", nil, ss))
}

func TestHorizontalBars(t *testing.T) {
	long := strings.Repeat("Meget lang årsag ", 6)
	doc := parseSVG(t, horizontalBars("h1", "Årsager", "Top", []chartBar{{"Mange CPR-numre", 40}, {`"Citat" & <tag>`, 3}, {long, 0}}))
	if doc.Role != "img" || len(doc.Rects) != 3 {
		t.Fatalf("role %q, %d rects", doc.Role, len(doc.Rects))
	}
	texts := strings.Join(doc.Texts, "|")
	for _, want := range []string{"Mange CPR-numre", `"Citat" & <tag>`, "40", "3", "…"} {
		if !strings.Contains(texts, want) {
			t.Errorf("texts %q lack %q", texts, want)
		}
	}
	if doc.Rects[0]["width"] != "356.0" {
		t.Errorf("the largest bar is %s wide, want the whole plot (356.0)", doc.Rects[0]["width"])
	}
}

func TestChartScale(t *testing.T) {
	tests := []struct{ v, n, top, step int }{
		{0, 4, 4, 1}, {1, 4, 4, 1}, {4, 4, 4, 1}, {5, 4, 8, 2}, {7, 4, 8, 2}, {9, 4, 20, 5}, {20, 4, 20, 5},
		{21, 4, 40, 10}, {99, 4, 200, 50}, {1234, 4, 2000, 500},
	}
	for _, tt := range tests {
		top, step := chartScale(tt.v, tt.n)
		if top < tt.v || top != step*tt.n {
			t.Errorf("chartScale(%d, %d) = %d, %d: top below the value or not n steps", tt.v, tt.n, top, step)
		}
		if top != tt.top || step != tt.step {
			t.Errorf("chartScale(%d, %d) = %d, %d; want %d, %d", tt.v, tt.n, top, step, tt.top, tt.step)
		}
	}
}
