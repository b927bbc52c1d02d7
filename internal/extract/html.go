package extract

import (
	"bytes"
	"context"
	"io"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// html reads an HTML file (one page). The charset comes from a BOM, the content type, a <meta>
// in the first 1024 bytes, else UTF-8 when valid, else windows-1252.
func (w *walker) html(j *job) error {
	return htmlText(w.ctx, j.s, j.data, j.ctype)
}

// htmlBlock are elements that start and end on a line of their own.
var htmlBlock = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "body": true, "caption": true,
	"center": true, "dd": true, "details": true, "dialog": true, "div": true, "dl": true, "dt": true,
	"fieldset": true, "figcaption": true, "figure": true, "footer": true, "form": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hr": true, "legend": true, "li": true, "main": true, "nav": true, "ol": true, "p": true,
	"pre": true, "section": true, "summary": true, "table": true, "tbody": true, "tfoot": true,
	"thead": true, "title": true, "ul": true, "html": true, "head": true, "option": true,
	"textarea": true, "select": true,
}

// htmlSkip are elements whose content is not shown.
var htmlSkip = map[string]bool{"script": true, "style": true, "template": true, "noframes": true}

func htmlText(ctx context.Context, s *sink, data []byte, contentType string) error {
	enc, _, _ := charset.DetermineEncoding(data, contentType)
	var r io.Reader = bytes.NewReader(data)
	if enc != nil {
		r = transform.NewReader(r, enc.NewDecoder())
	}
	z := html.NewTokenizer(r)
	skip := "" // inside this element (raw text: script, style, ...)
	pre := 0   // inside <pre>/<textarea>: keep whitespace
	space := false
	inCell := false
	var buf []byte
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if s.full() {
			return nil
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return nil
			}
			return z.Err()
		case html.TextToken:
			if skip != "" {
				continue
			}
			t := z.Text()
			if pre > 0 {
				s.writeBytes(t)
				continue
			}
			buf = buf[:0]
			for _, c := range t {
				switch c {
				case ' ', '\t', '\n', '\r', '\f':
					space = true
				default:
					if space {
						buf = append(buf, ' ')
						space = false
					}
					buf = append(buf, c)
				}
			}
			s.writeBytes(buf)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			nameB, _ := z.TagName()
			name := string(nameB)
			end := tt == html.EndTagToken
			if skip != "" {
				if end && name == skip {
					skip = ""
				}
				continue
			}
			if htmlSkip[name] && tt == html.StartTagToken {
				skip = name
				continue
			}
			switch {
			case name == "br":
				s.writeByte('\n')
				space = false
			case name == "td" || name == "th":
				// End tags of cells are optional: a new cell ends the previous one.
				if inCell {
					s.endCell()
				}
				inCell = !end
				space = false
			case name == "tr" || name == "table":
				if inCell {
					s.endCell()
					inCell = false
				}
				s.endRow()
				space = false
			case htmlBlock[name]:
				s.writeByte('\n')
				space = false
				if name == "pre" || name == "textarea" {
					if end {
						pre = max(pre-1, 0)
					} else if tt == html.StartTagToken {
						pre++
					}
				}
			}
		}
	}
}
