package pdf

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/ledongthuc/pdf"
)

// Objects in object streams, read once. The library resolves an object that sits in an object
// stream by decompressing that stream from its start every time (it caches nothing), so a page
// whose annotations, fonts or content pieces are compressed objects costs the whole stream per
// object: quadratic, 13 s for a 1.5 MB file pdftotext reads in 0.9 s. pdfInlineObjStms decodes
// each object stream once and hands its objects to the library as plain objects: copied into the
// image's tail after the file, with an xref stream whose /Prev is the file's own, so that its
// entries override the compressed ones and every other object resolves as before.
//
// Only objects defined once in the whole file are moved (an object number that also appears as a
// direct object or in another object stream is left to the file's own table, which alone knows
// the current one), and encrypted files are left alone (their compressed objects carry no
// encryption of their own).

const pdfMaxInlineBytes = 64 << 20 // decoded object-stream bytes copied

// pdfInlineObjStms returns an image of img with the objects of its object streams inlined and
// the library opened on it, or nil when there is nothing to do or it cannot be done safely.
func pdfInlineObjStms(img *pdfImage, r *pdf.Reader) (*pdfImage, *pdf.Reader) {
	if !pdfOutsideHas(img, "/ObjStm") { // an object stream's dictionary is never inside a stream body
		return nil, nil
	}
	var size int64
	var rootKey string
	encrypted := true
	if !pdfSafe(func() {
		t := r.Trailer()
		encrypted = !t.Key("Encrypt").IsNull()
		size = t.Key("Size").Int64()
		rootKey = t.Key("Root").String()
	}) || encrypted || size <= 0 {
		return nil, nil
	}
	prev, ok := pdfStartXref(img)
	if !ok {
		return nil, nil
	}
	lim := pdfXrefLimit(len(img.data))
	direct, objStms, _ := pdfScanObjects(img.data, lim)
	if len(objStms) == 0 || len(objStms) > pdfRebuildMaxObjStms {
		return nil, nil
	}
	base := int64(len(img.data) + len(img.tail))
	trailer := fmt.Sprintf(" /Prev %d", prev)
	// The overlay's own xref stream takes a number no object in the file uses, even where the
	// file's /Size is too small.
	for n := range direct {
		size = max(size, int64(n)+1)
	}

	// Phase 1: let the library decode the object streams (listed in our dictionary).
	var refs bytes.Buffer
	for _, n := range objStms {
		fmt.Fprintf(&refs, " %d %d R", n, direct[n].gen)
	}
	phase1 := &pdfImage{data: img.data, head: img.head}
	phase1.tail = append(append([]byte{}, img.tail...), pdfOverlayXref(base, nil, size, trailer+" /"+pdfRebuildKeyObjStms+" ["+refs.String()+" ]")...)
	r1, err := pdfNewReader(phase1)
	if err != nil {
		return nil, nil
	}
	members := pdfObjStmMembers(r1, objStms, lim)
	if len(members) == 0 {
		return nil, nil
	}

	// Phase 2: the objects defined once, as plain objects.
	var body bytes.Buffer
	offs := map[uint32]int64{}
	for _, m := range members {
		if _, dup := direct[m.num]; dup || m.dup {
			continue
		}
		offs[m.num] = base + int64(body.Len()) + 1
		fmt.Fprintf(&body, "\n%d 0 obj\n", m.num)
		body.Write(m.text)
		body.WriteString("\nendobj")
	}
	if len(offs) == 0 {
		return nil, nil
	}
	for _, k := range []string{"Root", "Info", "ID"} {
		if v := pdfTrailerEntry(img.data, k); v != "" {
			trailer += " /" + k + " " + v
		}
	}
	tail := append(append([]byte{}, img.tail...), body.Bytes()...)
	tail = append(tail, pdfOverlayXref(base+int64(body.Len()), offs, size, trailer)...)
	out := &pdfImage{data: img.data, head: img.head, tail: tail}
	r2, err := pdfNewReader(out)
	if err != nil {
		return nil, nil
	}
	same := false
	pdfSafe(func() { same = r2.Trailer().Key("Root").String() == rootKey })
	if !same {
		return nil, nil
	}
	return out, r2
}

type pdfObjStmMember struct {
	num  uint32
	text []byte
	dup  bool // defined in more than one object stream
}

// pdfObjStmMembers decodes the object streams listed under our key in r's trailer and returns
// their objects' texts, in stream order.
func pdfObjStmMembers(r *pdf.Reader, objStms []uint32, lim int64) []pdfObjStmMember {
	var out []pdfObjStmMember
	seen := map[uint32]int{}
	budget := pdfMaxInlineBytes
	list := r.Trailer().Key(pdfRebuildKeyObjStms)
	for i := 0; i < list.Len() && i < len(objStms) && budget > 0; i++ {
		pdfSafe(func() {
			s := list.Index(i)
			if s.Kind() != pdf.Stream || s.Key("Type").Name() != "ObjStm" {
				return
			}
			data, first, entries, complete, err := pdfReadObjStm(s, lim, int64(budget)+1)
			if err != nil || len(data) > budget || data == nil {
				return
			}
			budget -= len(data)
			if !complete {
				return // a stream whose header lies is left to the library
			}
			if !sort.SliceIsSorted(entries, func(x, y int) bool { return entries[x].off < entries[y].off }) {
				return
			}
			for k, e := range entries {
				end := int64(len(data))
				if k+1 < len(entries) {
					end = first + entries[k+1].off
				}
				num := uint32(e.num)
				if j, ok := seen[num]; ok {
					out[j].dup = true
					continue
				}
				seen[num] = len(out)
				out = append(out, pdfObjStmMember{num: num, text: data[first+e.off : end]})
			}
		})
	}
	return out
}

// pdfObjStmEntry is one object of an object stream: its number and its offset after /First.
type pdfObjStmEntry struct{ num, off int64 }

// pdfReadObjStm reads an object stream s: its decoded body (at most max bytes), /First, and the
// header's (number, offset) pairs up to the first that is not plausible (object numbers below
// lim). complete says all /N pairs were read and every offset lies inside the body. body is nil
// when s is no stream, /N or /First is implausible, or the body is shorter than /First.
func pdfReadObjStm(s pdf.Value, lim, max int64) (body []byte, first int64, entries []pdfObjStmEntry, complete bool, err error) {
	if s.Kind() != pdf.Stream {
		return nil, 0, nil, false, nil
	}
	n := s.Key("N").Int64()
	first = s.Key("First").Int64()
	if n <= 0 || n > lim || first <= 0 {
		return nil, 0, nil, false, nil
	}
	rc := s.Reader()
	defer rc.Close()
	body, err = io.ReadAll(io.LimitReader(rc, max))
	if int64(len(body)) < first {
		return nil, 0, nil, false, err
	}
	lx := pdfLexer{b: body[:first]}
	complete = true
	for k := int64(0); k < n; k++ {
		a, b := lx.next(), lx.next()
		if a.k != pdfNum || b.k != pdfNum || a.n <= 0 || a.n >= float64(lim) || b.n < 0 {
			return body, first, entries, false, err
		}
		entries = append(entries, pdfObjStmEntry{int64(a.n), int64(b.n)})
		if first+int64(b.n) > int64(len(body)) {
			complete = false
		}
	}
	return body, first, entries, complete, err
}

// pdfOverlayXref is an uncompressed xref stream at offset base (after a newline) with type-1
// entries for offs, its own entry, /Size at least size, and trailer entries; then startxref.
func pdfOverlayXref(base int64, offs map[uint32]int64, size int64, trailer string) []byte {
	self := uint32(size)
	for n := range offs {
		if int64(n) >= int64(self) {
			self = n + 1
		}
	}
	entries := map[uint32]pdfXrefEntry{self: {off: base + 1}}
	for n, off := range offs {
		entries[n] = pdfXrefEntry{off: off}
	}
	return pdfXrefStream(base, self, self+1, entries, trailer)
}

// pdfStartXref reads the image's final startxref offset; ok only when it points at an xref
// stream ("N G obj"), which is what an overlay's /Prev may chain to.
func pdfStartXref(img *pdfImage) (int64, bool) {
	n := img.size()
	from := n - 1024
	if from < 0 {
		from = 0
	}
	end := make([]byte, n-from)
	if _, err := img.ReadAt(end, from); err != nil && err != io.EOF {
		return 0, false
	}
	i := bytes.LastIndex(end, []byte("startxref"))
	if i < 0 {
		return 0, false
	}
	p := pdfSkipWS(end, i+len("startxref"))
	q := p
	for q < len(end) && end[q] >= '0' && end[q] <= '9' {
		q++
	}
	off, err := strconv.ParseInt(string(end[p:q]), 10, 64)
	if err != nil || off <= 0 || off >= int64(len(img.data)) {
		return 0, false
	}
	at := img.data[off:min(len(img.data), int(off)+32)]
	if len(at) == 0 || at[0] < '0' || at[0] > '9' {
		return 0, false
	}
	return off, true
}

// pdfTrailerEntry returns the value of the last "/key <ref or array>" in data, as written.
func pdfTrailerEntry(data []byte, key string) string {
	var m []string
	switch key {
	case "Root":
		m = pdfLastMatches(pdfReRootRef, data, 1)
	case "Info":
		m = pdfLastMatches(pdfReInfoRef, data, 1)
	case "ID":
		m = pdfLastMatches(pdfReID, data, 1)
	}
	if len(m) == 0 {
		return ""
	}
	return string(bytes.TrimSpace([]byte(m[0][len(key)+1:])))
}
