package fakegraph

import (
	"strings"

	"golang.org/x/net/html"
)

// blockElements start a new line in the text Exchange makes of an HTML body.
var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "table": true, "ul": true, "ol": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true,
	"pre": true, "hr": true, "title": true,
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
			case blockElements[n]:
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
			case blockElements[n]:
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
