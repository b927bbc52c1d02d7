package extract

// Pictures of an RTF file: {\pict ...} groups holding PNG (\pngblip) or JPEG (\jpegblip) data
// as hex digits (or raw after \binN). Metafiles (\wmetafile, \emfblip) are vector drawings and
// Word's duplicate of each picture for old readers ({\nonshppict ...}) is skipped; pictures in
// headers and footers (the letterhead) are not collected. Written by hand: the text stripper
// (rtf.go) skips these groups, and no library here reads them.

// maxDocPictures bounds the pictures examined per document; more make it TooLarge.
const maxDocPictures = 1000

// rtfHeaderDest are destinations of the letterhead.
var rtfHeaderDest = map[string]bool{
	"header": true, "headerl": true, "headerr": true, "headerf": true,
	"footer": true, "footerl": true, "footerr": true, "footerf": true, "nonshppict": true,
}

// rtfPictures lists the PNG and JPEG pictures of the body, decoded when read. It stops after
// maxDocPictures+1 pictures.
func rtfPictures(data []byte) []picRef {
	type group struct {
		skip bool // inside the letterhead or a duplicate
		pict bool // this group is a \pict group
		blip bool // a \pngblip or \jpegblip picture
	}
	stack := make([]group, 1, 32)
	extra := 0
	var pics []picRef
	start := -1 // offset of the open \pict group's content
	for i := 0; i < len(data) && len(pics) <= maxDocPictures; {
		switch data[i] {
		case '{':
			if len(stack) < rtfMaxGroups {
				top := stack[len(stack)-1]
				stack = append(stack, group{skip: top.skip})
			} else {
				extra++
			}
			i++
			continue
		case '}':
			switch {
			case extra > 0:
				extra--
			case len(stack) > 1:
				g := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if g.pict && g.blip && !g.skip && start >= 0 {
					body := data[start:i]
					pics = append(pics, picRef{load: func() ([]byte, error) { return rtfPictData(body), nil }})
				}
				if g.pict {
					start = -1
				}
			}
			i++
			continue
		case '\\':
		default:
			i++
			continue
		}
		word, param, _, j := rtfControlWord(data, i)
		i = j
		if word == "" { // a control symbol
			continue
		}
		top := &stack[len(stack)-1]
		switch {
		case word == "bin" && param > 0:
			i += min(param, len(data)-i)
		case word == "pict" && len(stack) > 1:
			top.pict = true
			start = i
		case word == "pngblip" || word == "jpegblip":
			top.blip = top.pict
		case rtfHeaderDest[word]:
			top.skip = true
		}
	}
	return pics
}

// rtfPictData decodes the content of a \pict group: the hex digits (and \bin data) outside its
// nested groups and control words.
func rtfPictData(b []byte) []byte {
	out := make([]byte, 0, len(b)/2)
	depth := 0
	hi, half := byte(0), false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '{':
			depth++
			i++
		case c == '}':
			depth = max(depth-1, 0)
			i++
		case c == '\\':
			word, param, _, j := rtfControlWord(b, i)
			i = j
			if word == "bin" && param > 0 {
				n := min(param, len(b)-i)
				if depth == 0 {
					out = append(out, b[i:i+n]...)
				}
				i += n
			}
		default:
			if v, ok := hexVal(c); ok && depth == 0 {
				if half {
					out = append(out, hi<<4|v)
				} else {
					hi = v
				}
				half = !half
			}
			i++
		}
	}
	return out
}
