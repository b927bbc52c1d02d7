package pdf

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// The library only opens files that start exactly "%PDF-1.[0-7]" + EOL and end with "%%EOF"
// within the last 100 bytes. pdfShim presents the bytes so that it does, without copying the file
// and without moving any byte the cross-reference offsets point at:
//
//   - junk before "%PDF-" (mail gateways, download wrappers) is skipped, since offsets count
//     from the header; a second variant keeps the junk in place, overwritten by a header, for
//     files whose offsets count from the first byte;
//   - a header the library rejects ("%PDF-2.0", "%PDF-1.7 \n", "%PDF-1.4%âãÏÓ") is rewritten to
//     "%PDF-1.7" + "\n" in place (the header line is a comment nobody reads by offset);
//   - everything after the last "%%EOF" is cut; a file without any gets a virtual "%%EOF".

const pdfHeaderSearch = 64 << 10

type pdfImage struct {
	data []byte // the bytes the library sees (a sub-slice of the input; never modified)
	head []byte // replaces data[:len(head)]
	tail []byte // appended after data
	// gaps are the ranges of data between stream bodies (pdfOutsideStreams), found once for
	// the checks that search only there (pdfImplausible, the object-stream test).
	gaps     [][2]int
	haveGaps bool
}

// outside returns the ranges of p.data between stream bodies.
func (p *pdfImage) outside() [][2]int {
	if !p.haveGaps {
		p.gaps, p.haveGaps = pdfOutsideStreams(p.data), true
	}
	return p.gaps
}

func (p *pdfImage) size() int64 { return int64(len(p.data) + len(p.tail)) }

func (p *pdfImage) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for len(b) > 0 {
		pos := off + int64(n)
		var src []byte
		switch {
		case pos < int64(len(p.head)):
			src = p.head[pos:]
		case pos < int64(len(p.data)):
			src = p.data[pos:]
		case pos < p.size():
			src = p.tail[pos-int64(len(p.data)):]
		default:
			return n, io.EOF
		}
		k := copy(b, src)
		b = b[k:]
		n += k
	}
	return n, nil
}

// pdfShim returns the ways to present data to the library, best first, or a reason (without
// content) why it is no PDF at all.
func pdfShim(data []byte) ([]*pdfImage, string) {
	search := data
	if len(search) > pdfHeaderSearch {
		search = search[:pdfHeaderSearch]
	}
	start := bytes.Index(search, []byte("%PDF-"))
	if start < 0 {
		return nil, "no %PDF header"
	}
	body := data[start:]
	var tail []byte
	if end := bytes.LastIndex(body, []byte("%%EOF")); end >= 0 {
		body = body[:end+len("%%EOF")]
	} else {
		tail = []byte("\n%%EOF\n")
	}
	if len(body) < 16 {
		return nil, "file too short"
	}
	head := make([]byte, 9)
	copy(head, body)
	if head[5] != '1' || head[6] != '.' || head[7] < '0' || head[7] > '7' {
		copy(head[5:8], "1.7")
	}
	if head[8] != '\r' && head[8] != '\n' {
		head[8] = '\n'
	}
	if bytes.Equal(head, body[:9]) {
		head = nil
	}
	images := []*pdfImage{{data: body, head: head, tail: tail}}
	if start >= 9 {
		images = append(images, &pdfImage{data: data[:start+len(body)], head: []byte("%PDF-1.7\n"), tail: tail})
	}
	return images, ""
}

// pdfXrefLimit bounds the cross-reference table size the library may be asked to allocate for a
// file of n bytes: a table entry costs the library ~40 bytes, an object costs the file at least a
// few, and no real document has more than a few million objects.
func pdfXrefLimit(n int) int64 {
	lim := int64(1<<20) + int64(n)/4
	if lim > 1<<23 {
		lim = 1 << 23
	}
	return lim
}

// pdfImplausible looks for numbers in the file's cross-reference structures that would make the
// library allocate without bound or loop for ages before reading anything (a 627-byte file can
// declare a table of billions of entries, and out-of-memory is fatal, not a panic): /Size, /Index
// and /W of xref streams, /N of object streams, and the subsection headers of xref tables. It
// returns a short reason, or "".
func pdfImplausible(img *pdfImage) string {
	data := img.data
	lim := pdfXrefLimit(len(data))
	// The keys are only looked for outside stream data: a page's content stream may hold any
	// bytes ("/N 99999999999" in a marked-content property list), and the structures checked
	// here are never inside a stream body (an object stream's own /N is in its dictionary). So
	// only the gaps between bodies are searched: in a file of scanned pages or photographs
	// nearly every byte is image data, where "/" and "x" turn up every few hundred bytes
	// (searching all of it was a third of a worker's CPU for such files).
	gaps := img.outside()
	// each calls check with the offset of every occurrence of key outside stream data, until it
	// gives a reason.
	each := func(key string, check func(p int) string) string {
		for _, g := range gaps {
			for off := g[0]; off < g[1]; {
				i := bytes.Index(data[off:g[1]], []byte(key))
				if i < 0 {
					break
				}
				p := off + i
				off = p + len(key)
				if why := check(p); why != "" {
					return why
				}
			}
		}
		return ""
	}
	// pairs reads pairs of integers from p on (at most 1<<16 of them), calling check with each
	// pair and the offset after it; check gives where to go on, or a reason.
	pairs := func(p int, check func(a, b int64, p int) (int, string)) string {
		for k := 0; k < 1<<16; k++ {
			a, ok := pdfIntAt(data, p)
			if !ok {
				return ""
			}
			p = pdfAfterInt(data, p)
			b, ok := pdfIntAt(data, p)
			if !ok {
				return ""
			}
			var why string
			if p, why = check(a, b, pdfAfterInt(data, p)); why != "" {
				return why
			}
		}
		return ""
	}
	count := func(p int) string { // /Size n, /N n
		if p >= len(data) || !pdfIsSpace(data[p]) {
			return "" // a longer name such as /NeedAppearances, or no number
		}
		if v, ok := pdfIntAt(data, p); ok && (v < 0 || v > lim) {
			return "implausible object count"
		}
		return ""
	}
	checks := []struct {
		key   string
		check func(p int) string
	}{
		{"/Size", func(p int) string { return count(p + len("/Size")) }},
		{"/N", func(p int) string { return count(p + len("/N")) }},
		{"/Index", func(p int) string {
			p = pdfSkipWS(data, p+len("/Index"))
			if p >= len(data) || data[p] != '[' {
				return ""
			}
			return pairs(p+1, func(a, b int64, p int) (int, string) {
				if a < 0 || b < 0 || a > lim || b > lim || a+b > lim {
					return p, "implausible object count"
				}
				return p, ""
			})
		}},
		{"/W", func(p int) string {
			p = pdfSkipWS(data, p+len("/W"))
			if p >= len(data) || data[p] != '[' {
				return ""
			}
			p++
			// Only absurd widths: CID font /W arrays share the key and hold CIDs up to 65535.
			for k := 0; k < 3; k++ {
				v, ok := pdfIntAt(data, p)
				if !ok {
					break
				}
				p = pdfAfterInt(data, p)
				if v > 1<<20 {
					return "implausible cross-reference field width"
				}
			}
			return ""
		}},
		// Classic tables: "xref" EOL then "start count" headers, each followed by count entries.
		{"xref", func(p int) string {
			if p > 0 && data[p-1] != '\n' && data[p-1] != '\r' && !pdfIsSpace(data[p-1]) {
				return "" // startxref
			}
			return pairs(p+len("xref"), func(start, count int64, p int) (int, string) {
				if start < 0 || count < 0 || start > lim || count > lim {
					return p, "implausible object count"
				}
				// Skip the entries: three tokens each.
				for e := int64(0); e < count && p < len(data); e++ {
					for t := 0; t < 3; t++ {
						p = pdfSkipWS(data, p)
						for p < len(data) && !pdfIsSpace(data[p]) && !pdfIsDelim(data[p]) {
							p++
						}
					}
				}
				return p, ""
			})
		}},
	}
	for _, c := range checks {
		if why := each(c.key, c.check); why != "" {
			return why
		}
	}
	return ""
}

// pdfOutsideHas reports whether key occurs in img's data outside stream bodies. In a file whose
// last stream has no end, the whole file is searched (the repairs that ask must still see it).
func pdfOutsideHas(img *pdfImage, key string) bool {
	data, gaps := img.data, img.outside()
	if len(gaps) == 0 || gaps[len(gaps)-1][1] < len(data) {
		return bytes.Contains(data, []byte(key))
	}
	for _, g := range gaps {
		if bytes.Contains(data[g[0]:g[1]], []byte(key)) {
			return true
		}
	}
	return false
}

// pdfOutsideStreams returns the byte ranges [start, end) between the file's stream bodies, in
// order.
func pdfOutsideStreams(data []byte) [][2]int {
	bodies := pdfStreamBodies(data)
	out := make([][2]int, 0, len(bodies)+1)
	from := 0
	for _, b := range bodies {
		if b[0] > from {
			out = append(out, [2]int{from, b[0]})
		}
		from = max(from, b[1])
	}
	if from < len(data) {
		out = append(out, [2]int{from, len(data)})
	}
	return out
}

// pdfStreamBodies returns the byte ranges [start, end) of the file's stream data, in order: from
// the end of the line after each "stream" keyword to the next "endstream" (or the end of the
// file). It needs no cross-reference table, so it works on the damaged files it guards against.
func pdfStreamBodies(data []byte) [][2]int {
	var out [][2]int
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], []byte("stream"))
		if i < 0 {
			break
		}
		p := off + i
		off = p + len("stream")
		if p >= 3 && string(data[p-3:p]) == "end" {
			continue // an endstream outside a body we know of
		}
		start := off
		switch {
		case start+1 < len(data) && data[start] == '\r' && data[start+1] == '\n':
			start += 2
		case start < len(data) && (data[start] == '\n' || data[start] == '\r'):
			start++
		default:
			continue // "stream" inside a name or a string, not the keyword
		}
		end, ok := pdfEndByLength(data, p, start)
		if !ok {
			end = len(data)
			if j := bytes.Index(data[start:], []byte("endstream")); j >= 0 {
				end = start + j
			}
		}
		out = append(out, [2]int{start, end})
		off = end + len("endstream")
	}
	return out
}

// pdfEndByLength finds where a stream body ends from the direct /Length in its dictionary (the
// object before the keyword at kw), when "endstream" stands right there: no search through
// megabytes of image data. A missing, indirect or wrong /Length reports false.
func pdfEndByLength(data []byte, kw, start int) (int, bool) {
	dict := data[max(0, kw-2048):kw]
	if i := bytes.LastIndex(dict, []byte(" obj")); i >= 0 {
		dict = dict[i:]
	}
	i := bytes.LastIndex(dict, []byte("/Length"))
	if i < 0 {
		return 0, false
	}
	p := kw - len(dict) + i + len("/Length")
	if p >= len(data) || !pdfIsSpace(data[p]) {
		return 0, false // /Length1 of a font file, or no number
	}
	n, ok := pdfIntAt(data, p)
	if !ok || n < 0 || n > int64(len(data)-start) {
		return 0, false
	}
	q := pdfAfterInt(data, p)
	if r, ok := pdfIntAt(data, q); ok && r >= 0 {
		return 0, false // "12 0 R": an indirect length
	}
	e := start + int(n)
	for k := 0; k < 2 && e < len(data) && (data[e] == '\r' || data[e] == '\n'); k++ {
		e++
	}
	if !bytes.HasPrefix(data[e:], []byte("endstream")) {
		return 0, false
	}
	return e, true
}

func pdfSkipWS(data []byte, p int) int {
	for p < len(data) && pdfIsSpace(data[p]) {
		p++
	}
	return p
}

// pdfIntAt parses an unsigned or negative integer after optional white space at p.
func pdfIntAt(data []byte, p int) (int64, bool) {
	p = pdfSkipWS(data, p)
	q := p
	if q < len(data) && (data[q] == '-' || data[q] == '+') {
		q++
	}
	s := q
	for q < len(data) && data[q] >= '0' && data[q] <= '9' {
		q++
	}
	if q == s || (q < len(data) && data[q] == '.') {
		return 0, false
	}
	if q-s > 18 {
		return 1 << 62, true // absurdly long: certainly implausible
	}
	v, err := strconv.ParseInt(string(data[p:q]), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

func pdfAfterInt(data []byte, p int) int {
	p = pdfSkipWS(data, p)
	if p < len(data) && (data[p] == '-' || data[p] == '+') {
		p++
	}
	for p < len(data) && data[p] >= '0' && data[p] <= '9' {
		p++
	}
	return p
}

// pdfHasEncrypt reports whether a trailer (or xref stream dictionary) names an /Encrypt entry.
func pdfHasEncrypt(data []byte) bool {
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("/Encrypt"))
		if i < 0 {
			return false
		}
		p := pdfSkipWS(data, off+i+len("/Encrypt"))
		off = off + i + 1
		if p < len(data) && (data[p] == '<' || data[p] >= '0' && data[p] <= '9') {
			return true
		}
	}
}
