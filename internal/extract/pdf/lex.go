package pdf

import (
	"strconv"
)

// A small, forgiving lexer for PDF content streams and ToUnicode CMaps. The library's own
// (pdf.Interpret) panics on stray delimiters, never skips inline image data (so one BI…ID…EI logo
// loses the page's text) and loops forever on a hex string left open at the end of a stream. This
// one never panics, always makes progress, and treats the end of input as closing whatever is open.

type pdfKind uint8

const (
	pdfEOF     pdfKind = iota
	pdfNum             // n
	pdfStr             // s: raw bytes of a literal or hex string
	pdfName            // s: name without the slash, #xx decoded
	pdfOp              // s: an operator / keyword
	pdfArr             // a: array elements
	pdfDict            // a: alternating keys and values
	pdfBad             // an unparsable token, skipped
	pdfArrEnd          // internal: "]"
	pdfDictEnd         // internal: ">>"
)

type pdfObj struct {
	k pdfKind
	n float64
	s string
	a []pdfObj
}

const (
	pdfMaxNesting  = 32      // arrays/dicts inside arrays/dicts
	pdfMaxArrayLen = 1 << 16 // elements kept per array; the rest are dropped
)

type pdfLexer struct {
	b   []byte
	pos int
	tmp []byte
}

func pdfIsSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func pdfIsDelim(c byte) bool {
	switch c {
	case '<', '>', '(', ')', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func pdfUnhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (l *pdfLexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if pdfIsSpace(c) {
			l.pos++
			continue
		}
		if c == '%' {
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		return
	}
}

// next returns the next object: a number, string, name, operator, or a whole array or dictionary.
func (l *pdfLexer) next() pdfObj {
	return l.object(0)
}

func (l *pdfLexer) object(depth int) pdfObj {
	l.skipSpace()
	if l.pos >= len(l.b) {
		return pdfObj{k: pdfEOF}
	}
	c := l.b[l.pos]
	switch c {
	case '(':
		l.pos++
		return pdfObj{k: pdfStr, s: l.literal()}
	case '<':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
			l.pos += 2
			return l.collect(pdfDict, pdfDictEnd, depth)
		}
		l.pos++
		return pdfObj{k: pdfStr, s: l.hex()}
	case '>':
		l.pos++
		if l.pos < len(l.b) && l.b[l.pos] == '>' {
			l.pos++
			return pdfObj{k: pdfDictEnd}
		}
		return pdfObj{k: pdfBad}
	case '[':
		l.pos++
		return l.collect(pdfArr, pdfArrEnd, depth)
	case ']':
		l.pos++
		return pdfObj{k: pdfArrEnd}
	case '/':
		l.pos++
		return pdfObj{k: pdfName, s: l.name()}
	case ')', '{', '}':
		l.pos++
		return pdfObj{k: pdfBad}
	}
	start := l.pos
	for l.pos < len(l.b) && !pdfIsSpace(l.b[l.pos]) && !pdfIsDelim(l.b[l.pos]) {
		l.pos++
	}
	word := l.b[start:l.pos]
	if n, ok := pdfParseNum(word); ok {
		return pdfObj{k: pdfNum, n: n}
	}
	return pdfObj{k: pdfOp, s: string(word)}
}

func (l *pdfLexer) collect(kind, end pdfKind, depth int) pdfObj {
	o := pdfObj{k: kind}
	for {
		if depth >= pdfMaxNesting {
			// Too deep: skip to the matching closer without building anything.
			e := l.object(depth + 1)
			if e.k == end || e.k == pdfEOF {
				return o
			}
			continue
		}
		e := l.object(depth + 1)
		switch e.k {
		case end, pdfEOF:
			return o
		case pdfArrEnd, pdfDictEnd, pdfBad:
			continue // mismatched closer or junk: ignore
		}
		if len(o.a) < pdfMaxArrayLen {
			o.a = append(o.a, e)
		}
	}
}

// pdfParseNum accepts PDF numbers ("12", "-3.5", ".5", "4.") and the sloppy forms other readers
// accept ("--5", "5-"), returning false for anything else.
func pdfParseNum(w []byte) (float64, bool) {
	if len(w) == 0 {
		return 0, false
	}
	// Fast path: plain non-negative integers.
	v, digits := 0.0, 0
	for _, c := range w {
		if c < '0' || c > '9' {
			digits = -1
			break
		}
		v = v*10 + float64(c-'0')
		digits++
	}
	if digits > 0 {
		return v, true
	}
	neg := false
	i := 0
	for i < len(w) && (w[i] == '-' || w[i] == '+') {
		if w[i] == '-' {
			neg = !neg
		}
		i++
	}
	j := len(w)
	for j > i && (w[j-1] == '-' || w[j-1] == '+') {
		j--
	}
	body := w[i:j]
	if len(body) == 0 {
		return 0, false
	}
	dots := 0
	for _, c := range body {
		if c == '.' {
			dots++
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	if dots > 1 || (dots == 1 && len(body) == 1) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(body), 64)
	if err != nil {
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

func (l *pdfLexer) literal() string {
	tmp := l.tmp[:0]
	depth := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				l.tmp = tmp
				return string(tmp)
			}
		case '\r':
			// An unescaped end of line in a string is read as \n.
			if l.pos < len(l.b) && l.b[l.pos] == '\n' {
				l.pos++
			}
			c = '\n'
		case '\\':
			if l.pos >= len(l.b) {
				continue
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			case '0', '1', '2', '3', '4', '5', '6', '7':
				x := int(e - '0')
				for k := 0; k < 2 && l.pos < len(l.b); k++ {
					d := l.b[l.pos]
					if d < '0' || d > '7' {
						break
					}
					x = x*8 + int(d-'0')
					l.pos++
				}
				c = byte(x)
			default:
				c = e // \( \) \\ and unknown escapes: the character itself
			}
		}
		tmp = append(tmp, c)
	}
	l.tmp = tmp
	return string(tmp)
}

func (l *pdfLexer) hex() string {
	tmp := l.tmp[:0]
	hi := -1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if c == '>' {
			break
		}
		d := pdfUnhex(c)
		if d < 0 {
			continue // whitespace and junk are ignored
		}
		if hi < 0 {
			hi = d
		} else {
			tmp = append(tmp, byte(hi<<4|d))
			hi = -1
		}
	}
	if hi >= 0 {
		tmp = append(tmp, byte(hi<<4)) // odd digit count: last digit is followed by 0
	}
	l.tmp = tmp
	return string(tmp)
}

func (l *pdfLexer) name() string {
	start := l.pos
	plain := true
	for l.pos < len(l.b) && !pdfIsSpace(l.b[l.pos]) && !pdfIsDelim(l.b[l.pos]) {
		if l.b[l.pos] == '#' {
			plain = false
		}
		l.pos++
	}
	raw := l.b[start:l.pos]
	if plain {
		return string(raw)
	}
	tmp := l.tmp[:0]
	for i := 0; i < len(raw); i++ {
		if raw[i] == '#' && i+2 < len(raw) && pdfUnhex(raw[i+1]) >= 0 && pdfUnhex(raw[i+2]) >= 0 {
			tmp = append(tmp, byte(pdfUnhex(raw[i+1])<<4|pdfUnhex(raw[i+2])))
			i += 2
			continue
		}
		tmp = append(tmp, raw[i])
	}
	l.tmp = tmp
	return string(tmp)
}

// skipInlineImage is called after the ID operator of an inline image: it skips the image data and
// the EI operator. dataLen is the /L (/Length) from the image dictionary, or -1.
func (l *pdfLexer) skipInlineImage(dataLen int) {
	// Exactly one white-space byte follows ID.
	if l.pos < len(l.b) && pdfIsSpace(l.b[l.pos]) {
		l.pos++
	}
	if dataLen >= 0 && dataLen <= len(l.b)-l.pos {
		l.pos += dataLen
	}
	for i := l.pos; i+1 < len(l.b); i++ {
		if l.b[i] != 'E' || l.b[i+1] != 'I' {
			continue
		}
		before := i == l.pos || pdfIsSpace(l.b[i-1])
		after := i+2 == len(l.b) || pdfIsSpace(l.b[i+2]) || pdfIsDelim(l.b[i+2])
		if before && after {
			l.pos = i + 2
			return
		}
	}
	l.pos = len(l.b)
}
