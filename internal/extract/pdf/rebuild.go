package pdf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/ledongthuc/pdf"
)

// Rebuilding a broken cross-reference table, as poppler and pdf.js do: when the table or stream
// is missing or wrong (offsets that do not point at "N G obj", a startxref beyond the end, a
// truncated file), scan the file for "N G obj" markers, read the object streams they reveal, and
// find the trailer's /Root (the last trailer or xref stream naming one, else a /Type /Catalog
// object). The library cannot be told about objects any other way, so the new table is handed to
// it as an uncompressed xref stream appended to the file's image (pdfImage.tail); no byte of the
// file moves. Its dictionary lists the object streams under a private key so that the library,
// opened once on the direct objects, can decode them for the second, complete table.

const (
	pdfRebuildMaxObjStms = 1 << 14 // object streams read
	pdfRebuildRoots      = 4       // /Root candidates tried
	pdfRebuildKeyObjStms = "SendevagtObjStms"
)

type pdfXrefEntry struct {
	free     bool // the head of the free list (object 0)
	inStream bool
	off      int64  // file offset, or index within the object stream
	gen      uint16 // generation (direct objects)
	stream   uint32 // object stream number
	at       int64  // where the object (or its object stream) sits in the file: later wins
}

var (
	pdfReRootRef    = regexp.MustCompile(`/Root\s*(\d{1,10})\s+(\d{1,5})\s+R`)
	pdfReInfoRef    = regexp.MustCompile(`/Info\s*(\d{1,10})\s+(\d{1,5})\s+R`)
	pdfReEncryptRef = regexp.MustCompile(`/Encrypt\s*(\d{1,10})\s+(\d{1,5})\s+R`)
	pdfReID         = regexp.MustCompile(`/ID\s*\[\s*(<[0-9A-Fa-f\s]*>)\s*(<[0-9A-Fa-f\s]*>)\s*\]`)
	pdfReCatalog    = regexp.MustCompile(`/Type\s*/Catalog\b`)
	pdfReObjStm     = regexp.MustCompile(`/Type\s*/ObjStm\b`)
)

// pdfScanObjects finds the "N G obj" markers of data: object number → entry (the last
// occurrence wins, as in an incrementally updated file), the object streams among them, and the
// direct objects that are catalogs. ctx-free but linear in the file size.
func pdfScanObjects(data []byte, maxObjs int64) (objs map[uint32]pdfXrefEntry, objStms []uint32, catalogs []uint32) {
	objs = map[uint32]pdfXrefEntry{}
	for i := 0; i < len(data); {
		j := bytes.Index(data[i:], []byte("obj"))
		if j < 0 {
			break
		}
		p := i + j
		i = p + 3
		if i < len(data) && !pdfIsSpace(data[i]) && !pdfIsDelim(data[i]) {
			continue // "objstm" or a longer word
		}
		num, gen, start, ok := pdfObjHeaderBefore(data, p)
		if !ok || num <= 0 || num >= maxObjs {
			continue
		}
		objs[uint32(num)] = pdfXrefEntry{off: int64(start), gen: uint16(gen), at: int64(start)}
		// Look at the head of the object (its dictionary) for what it is.
		head := data[i:min(len(data), i+1024)]
		if k := bytes.Index(head, []byte("stream")); k >= 0 {
			head = head[:k]
		}
		if e := bytes.Index(head, []byte("endobj")); e >= 0 {
			head = head[:e]
		}
		switch {
		case bytes.Contains(head, []byte("/ObjStm")) && pdfReObjStm.Match(head):
			objStms = append(objStms, uint32(num))
		case bytes.Contains(head, []byte("/Catalog")) && pdfReCatalog.Match(head):
			catalogs = append(catalogs, uint32(num))
		}
	}
	return objs, objStms, catalogs
}

// pdfObjHeaderBefore parses "num gen " backwards from p (where "obj" starts). start is where
// num starts.
func pdfObjHeaderBefore(data []byte, p int) (num, gen int64, start int, ok bool) {
	q := p
	if q == 0 || !pdfIsSpace(data[q-1]) {
		return 0, 0, 0, false
	}
	for q > 0 && pdfIsSpace(data[q-1]) {
		q--
	}
	e := q
	for q > 0 && q > e-5 && data[q-1] >= '0' && data[q-1] <= '9' {
		q--
	}
	if q == e || q == 0 || !pdfIsSpace(data[q-1]) {
		return 0, 0, 0, false
	}
	gen, _ = strconv.ParseInt(string(data[q:e]), 10, 64)
	for q > 0 && pdfIsSpace(data[q-1]) {
		q--
	}
	e = q
	for q > 0 && q > e-10 && data[q-1] >= '0' && data[q-1] <= '9' {
		q--
	}
	if q == e || (q > 0 && !pdfIsSpace(data[q-1]) && !pdfIsDelim(data[q-1])) {
		return 0, 0, 0, false
	}
	num, _ = strconv.ParseInt(string(data[q:e]), 10, 64)
	if gen > 65535 {
		return 0, 0, 0, false
	}
	return num, gen, q, true
}

// pdfRebuild returns images of img whose cross-reference table is rebuilt from the objects in
// the file, one per /Root candidate (best first), or nil when the file holds no objects.
func pdfRebuild(img *pdfImage) []*pdfImage {
	data := img.data
	lim := pdfXrefLimit(len(data))
	objs, objStms, catalogs := pdfScanObjects(data, lim)
	if len(objs) == 0 {
		return nil
	}
	// Trailer entries: the last ones the file names (in trailers or xref stream dictionaries).
	var roots []string
	for _, m := range pdfLastMatches(pdfReRootRef, data, pdfRebuildRoots) {
		roots = pdfAppendUnique(roots, m)
	}
	extra := ""
	if m := pdfLastMatches(pdfReInfoRef, data, 1); len(m) > 0 {
		extra += " " + m[0]
	}
	if m := pdfLastMatches(pdfReEncryptRef, data, 1); len(m) > 0 {
		extra += " " + m[0]
		if id := pdfLastMatches(pdfReID, data, 1); len(id) > 0 {
			extra += " " + id[0]
		}
	}
	// First pass: direct objects only, to let the library decode the object streams.
	if len(objStms) > pdfRebuildMaxObjStms {
		objStms = objStms[:pdfRebuildMaxObjStms]
	}
	var catalogRoots []uint32
	if len(objStms) > 0 {
		var refs bytes.Buffer
		for _, n := range objStms {
			fmt.Fprintf(&refs, " %d %d R", n, objs[n].gen)
		}
		first := &pdfImage{data: data, head: img.head}
		first.tail = pdfXrefStreamTail(len(data), objs, extra+" /"+pdfRebuildKeyObjStms+" ["+refs.String()+" ]")
		if r, err := pdfNewReader(first); err == nil {
			catalogRoots = pdfAddObjStmEntries(r, objs, objStms, lim)
		}
	}
	for _, n := range catalogs {
		roots = pdfAppendUnique(roots, fmt.Sprintf("/Root %d %d R", n, objs[n].gen))
	}
	for _, n := range catalogRoots {
		roots = pdfAppendUnique(roots, fmt.Sprintf("/Root %d 0 R", n))
	}
	if len(roots) > pdfRebuildRoots {
		roots = roots[:pdfRebuildRoots]
	}
	var out []*pdfImage
	for _, root := range roots {
		out = append(out, &pdfImage{data: data, head: img.head, tail: pdfXrefStreamTail(len(data), objs, " "+root+extra)})
	}
	return out
}

// pdfAddObjStmEntries reads each object stream's header through the library and adds entries for
// the objects it holds (unless a direct object of that number sits later in the file). It returns
// the numbers of catalogs found inside object streams.
func pdfAddObjStmEntries(r *pdf.Reader, objs map[uint32]pdfXrefEntry, objStms []uint32, lim int64) (catalogs []uint32) {
	list := r.Trailer().Key(pdfRebuildKeyObjStms)
	for i := 0; i < list.Len() && i < len(objStms); i++ {
		stmNum := objStms[i]
		stmAt := objs[stmNum].at
		pdfSafe(func() {
			body, first, members, _, _ := pdfReadObjStm(list.Index(i), lim, pdfMaxContentBytes)
			if body == nil {
				return
			}
			for k, m := range members {
				if k > 0xffff {
					break // the index field of our xref stream is 16-bit
				}
				if old, ok := objs[uint32(m.num)]; ok && old.at > stmAt {
					continue // replaced by a later direct object
				}
				objs[uint32(m.num)] = pdfXrefEntry{inStream: true, off: int64(k), stream: stmNum, at: stmAt}
				start := first + m.off
				end := int64(len(body))
				if k+1 < len(members) {
					end = first + members[k+1].off
				}
				if start < end && end <= int64(len(body)) && end-start < 1<<16 && pdfReCatalog.Match(body[start:end]) {
					catalogs = append(catalogs, uint32(m.num))
				}
			}
		})
	}
	return catalogs
}

// pdfXrefStreamTail is an uncompressed xref stream (object number /Size) for objs, placed at
// offset base, with trailer entries, followed by startxref and %%EOF.
func pdfXrefStreamTail(base int, objs map[uint32]pdfXrefEntry, trailer string) []byte {
	entries := make(map[uint32]pdfXrefEntry, len(objs)+1)
	top := uint32(0)
	for n, e := range objs {
		entries[n] = e
		top = max(top, n)
	}
	entries[0] = pdfXrefEntry{free: true}
	// The stream's own entry is not needed: the library reads it by startxref.
	return pdfXrefStream(int64(base), top+1, top+2, entries, trailer)
}

// pdfXrefStream writes an uncompressed xref stream, object number self, after a newline at
// offset base: /Size size, a row for each entry in subsections of consecutive numbers, the
// trailer entries, then startxref and %%EOF.
func pdfXrefStream(base int64, self, size uint32, entries map[uint32]pdfXrefEntry, trailer string) []byte {
	nums := make([]uint32, 0, len(entries))
	for n := range entries {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	var rows, index bytes.Buffer
	row := func(t byte, a uint32, b uint16) {
		rows.WriteByte(t)
		_ = binary.Write(&rows, binary.BigEndian, a)
		_ = binary.Write(&rows, binary.BigEndian, b)
	}
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		fmt.Fprintf(&index, " %d %d", nums[i], j-i+1)
		for k := i; k <= j; k++ {
			switch e := entries[nums[k]]; {
			case e.free:
				row(0, 0, 65535)
			case e.inStream:
				row(2, e.stream, uint16(e.off))
			default:
				row(1, uint32(e.off), e.gen)
			}
		}
		i = j + 1
	}
	var b bytes.Buffer
	start := base + 1
	fmt.Fprintf(&b, "\n%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s ] /Length %d%s >>\nstream\n",
		self, size, index.String(), rows.Len(), trailer)
	b.Write(rows.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", start)
	return b.Bytes()
}

// pdfLastMatches returns the text of the last max matches of re in data, last first.
func pdfLastMatches(re *regexp.Regexp, data []byte, max int) []string {
	all := re.FindAllIndex(data, -1)
	var out []string
	for i := len(all) - 1; i >= 0 && len(out) < max; i-- {
		out = append(out, string(data[all[i][0]:all[i][1]]))
	}
	return out
}

func pdfAppendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
