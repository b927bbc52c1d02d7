package fakegraph

import (
	"strings"

	"golang.org/x/net/html"
)

// blockElement reports whether an element starts a new line in the text Exchange makes of an
// HTML body.
func blockElement(name string) bool {
	switch name {
	case "p", "div", "br", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
		"blockquote", "pre", "hr", "title":
		return true
	}
	return false
}

// htmlToText is what Graph answers for an HTML body under
// Prefer: outlook.body-content-type="text": the visible text, one line per block, whitespace
// collapsed, script and style dropped.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0
	space := false // whitespace seen after the last text
	newline := func() {
		s := b.String()
		if s != "" && !strings.HasSuffix(s, "\n") {
			b.WriteString("\n")
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken: // io.EOF or broken markup: what was read so far
			return strings.TrimSpace(b.String())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style":
				skip++
			case blockElement(n):
				newline()
				space = false
			case n == "td" || n == "th":
				b.WriteString("\t")
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style":
				skip = max(0, skip-1)
			case blockElement(n):
				newline()
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			raw := string(z.Text())
			text := strings.Join(strings.Fields(raw), " ")
			if text == "" {
				space = space || raw != ""
				continue
			}
			s := b.String()
			lead := strings.TrimLeft(raw, " \t\r\n\f") != raw
			if s != "" && (space || lead) && !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, "\t") {
				b.WriteString(" ")
			}
			b.WriteString(text)
			space = strings.TrimRight(raw, " \t\r\n\f") != raw
		}
	}
}
