package extract

import (
	"context"
	"unicode/utf16"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// rtf reads an RTF file (one page) with a small stripper: it keeps the text of the body, headers,
// footers, footnotes and field results and drops destinations that hold no visible text.
func (w *walker) rtf(j *job) error {
	if err := rtfText(w.ctx, j.s, j.data); err != nil {
		return err
	}
	j.pics = rtfPictures(j.data)
	return nil
}

// rtfSkipDest are destinations whose text is not part of the document's visible text. Every
// destination marked \* is skipped as well.
var rtfSkipDest = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "info": true, "pict": true,
	"themedata": true, "colorschememapping": true, "datastore": true, "latentstyles": true,
	"listtable": true, "listoverridetable": true, "rsidtbl": true, "generator": true,
	"xmlnstbl": true, "filetbl": true, "revtbl": true, "pgdsctbl": true, "sp": true,
	"nonshppict": true, "fldinst": true, "objdata": true, "objclass": true, "bkmkstart": true,
	"bkmkend": true, "ftnsep": true, "ftnsepc": true, "aftnsep": true, "aftnsepc": true,
	"template": true, "docvar": true, "userprops": true, "mmathPr": true, "xe": true, "tc": true,
}

// rtfSymbols are control words that stand for text.
var rtfSymbols = map[string]string{
	"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "softline": "\n", "tab": "\t",
	"emdash": "-", "endash": "-", "bullet": "\u2022", "lquote": "'", "rquote": "'",
	"ldblquote": "\"", "rdblquote": "\"", "emspace": " ", "enspace": " ", "qmspace": " ",
}

// rtfCodePage maps \ansicpgN to a single-byte decoder; unknown pages fall back to windows-1252.
func rtfCodePage(n int) encoding.Encoding {
	switch n {
	case 437:
		return charmap.CodePage437
	case 850:
		return charmap.CodePage850
	case 852:
		return charmap.CodePage852
	case 865:
		return charmap.CodePage865
	case 866:
		return charmap.CodePage866
	case 874:
		return charmap.Windows874
	case 1250:
		return charmap.Windows1250
	case 1251:
		return charmap.Windows1251
	case 1253:
		return charmap.Windows1253
	case 1254:
		return charmap.Windows1254
	case 1255:
		return charmap.Windows1255
	case 1256:
		return charmap.Windows1256
	case 1257:
		return charmap.Windows1257
	case 1258:
		return charmap.Windows1258
	case 10000:
		return charmap.Macintosh
	case 28591:
		return charmap.ISO8859_1
	case 28605:
		return charmap.ISO8859_15
	}
	return charmap.Windows1252
}

const rtfMaxGroups = 4096

type rtfGroup struct {
	skip bool
	uc   int // characters that follow \uN as its fallback
}

func rtfText(ctx context.Context, s *sink, data []byte) error {
	stack := make([]rtfGroup, 1, 32)
	stack[0] = rtfGroup{uc: 1}
	extra := 0 // groups deeper than rtfMaxGroups, counted but not stacked
	cp := encoding.Encoding(charmap.Windows1252)
	var pending []byte // 8-bit characters waiting to be decoded with cp
	skipChars := 0     // fallback characters still to skip after \uN
	var hi rune        // pending high surrogate from \uN

	flush := func() {
		if len(pending) > 0 {
			if out, err := cp.NewDecoder().Bytes(pending); err == nil {
				s.writeBytes(out)
			}
			pending = pending[:0]
		}
	}
	emit := func(str string) {
		flush()
		s.write(str)
	}
	emitRune := func(r rune) {
		flush()
		if hi != 0 {
			if utf16.IsSurrogate(r) && r >= 0xDC00 {
				s.writeRune(utf16.DecodeRune(hi, r))
				hi = 0
				return
			}
			hi = 0
		}
		if r >= 0xD800 && r < 0xDC00 {
			hi = r
			return
		}
		if utf16.IsSurrogate(r) {
			return
		}
		s.writeRune(r)
	}
	// char handles one character of text (a raw byte, \'hh, or an escaped symbol).
	char := func(c byte, eightBit bool) {
		if skipChars > 0 {
			skipChars--
			return
		}
		if stack[len(stack)-1].skip {
			return
		}
		if eightBit {
			pending = append(pending, c)
			return
		}
		flush()
		s.writeByte(c)
	}

	for i, steps := 0, 0; i < len(data); steps++ {
		if steps&0xFFFF == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if s.full() {
				return nil
			}
		}
		c := data[i]
		switch c {
		case '{':
			flush()
			skipChars = 0
			if len(stack) < rtfMaxGroups {
				stack = append(stack, stack[len(stack)-1])
			} else {
				extra++
			}
			i++
			continue
		case '}':
			flush()
			skipChars = 0
			switch {
			case extra > 0:
				extra--
			case len(stack) > 1:
				stack = stack[:len(stack)-1]
			}
			i++
			continue
		case '\r', '\n':
			i++
			continue
		case '\\':
		default:
			char(c, c >= 0x80)
			i++
			continue
		}

		// A control word or symbol.
		if i+1 >= len(data) {
			break
		}
		top := &stack[len(stack)-1]
		n := data[i+1]
		if !isASCIILetter(n) {
			i += 2
			switch n {
			case '\'':
				if i+2 <= len(data) {
					if b, ok := hexByte(data[i], data[i+1]); ok {
						char(b, true)
					}
					i += 2
				}
			case '\\', '{', '}':
				char(n, false)
			case '*':
				top.skip = true
			case '~':
				if !top.skip && skipChars == 0 {
					emit("\u00a0")
				}
			case '_':
				if !top.skip && skipChars == 0 {
					emit("-")
				}
			case '\n', '\r':
				if !top.skip {
					emit("\n")
				}
			}
			continue
		}

		word, param, hasParam, j := rtfControlWord(data, i)
		i = j

		if word == "bin" {
			// Binary data follows: skip it whatever the group.
			if hasParam && param > 0 {
				i += min(param, len(data)-i)
			}
			continue
		}
		if skipChars > 0 && word != "u" {
			skipChars--
			continue
		}
		if top.skip {
			continue
		}
		switch word {
		case "u":
			if !hasParam {
				continue
			}
			skipChars = 0
			if param < 0 {
				param += 65536
			}
			emitRune(rune(param & 0xFFFF))
			skipChars = top.uc
		case "uc":
			if hasParam && param >= 0 {
				top.uc = min(param, 16)
			}
		case "ansicpg":
			flush()
			cp = rtfCodePage(param)
		case "mac":
			flush()
			cp = charmap.Macintosh
		case "pc":
			flush()
			cp = charmap.CodePage437
		case "pca":
			flush()
			cp = charmap.CodePage850
		case "cell", "nestcell":
			flush()
			s.endCell()
		case "row", "nestrow":
			flush()
			s.endRow()
		default:
			if rtfSkipDest[word] {
				top.skip = true
			} else if t, ok := rtfSymbols[word]; ok {
				emit(t)
			}
		}
	}
	flush()
	return nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func hexByte(a, b byte) (byte, bool) {
	x, ok1 := hexVal(a)
	y, ok2 := hexVal(b)
	return x<<4 | y, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// rtfControlWord reads the control word at data[i] (a backslash): \word[-]N?[ ] with a word of
// at most 32 letters and a parameter of which the first 10 digits count. It returns the word,
// the parameter and whether there was one, and where the next token starts. An empty word is
// a control symbol (\' \~ \{ ...): next is past its one character.
func rtfControlWord(data []byte, i int) (word string, param int, hasParam bool, next int) {
	j := i + 1
	for j < len(data) && j-i <= 32 && isASCIILetter(data[j]) {
		j++
	}
	if j == i+1 {
		return "", 0, false, min(i+2, len(data))
	}
	word = string(data[i+1 : j])
	neg := false
	if j < len(data) && data[j] == '-' {
		neg = true
		j++
	}
	for digits := 0; j < len(data) && data[j] >= '0' && data[j] <= '9'; j++ {
		if digits < 10 {
			param = param*10 + int(data[j]-'0')
		}
		digits++
		hasParam = true
	}
	if neg {
		param = -param
	}
	if j < len(data) && data[j] == ' ' {
		j++
	}
	return word, param, hasParam, j
}
