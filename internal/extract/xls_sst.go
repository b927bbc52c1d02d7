package extract

import (
	"encoding/binary"
	"strings"
)

// parseSST reads the shared string table from the SST record and its CONTINUE records (segs).
// A string's characters may be split over a record boundary, and the part in the next record
// starts with its own flag byte (8-bit or UTF-16); rich-text runs and phonetic data are
// skipped. Reading stops at the first string that does not fit: the ones before stay usable.
func parseSST(segs [][]byte, maxStrings int) []string {
	r := &biffSegs{segs: segs}
	hdr, ok := r.read(8)
	if !ok {
		return nil
	}
	unique := int(binary.LittleEndian.Uint32(hdr[4:]))
	out := make([]string, 0, min(unique, 1<<16))
	for i := 0; i < unique && i < maxStrings; i++ {
		h, ok := r.read(3)
		if !ok {
			break
		}
		cch, flags := int(binary.LittleEndian.Uint16(h)), h[2]
		runs, ext := 0, 0
		if flags&0x08 != 0 {
			b, ok := r.read(2)
			if !ok {
				break
			}
			runs = int(binary.LittleEndian.Uint16(b))
		}
		if flags&0x04 != 0 {
			b, ok := r.read(4)
			if !ok {
				break
			}
			ext = int(binary.LittleEndian.Uint32(b))
		}
		str, ok := r.chars(cch, flags&1 != 0)
		out = append(out, str)
		if !ok || !r.skip(4*runs) || !r.skip(ext) {
			break
		}
	}
	return out
}

// biffSegs reads across the data of a record and its CONTINUE records.
type biffSegs struct {
	segs [][]byte
	i    int // current segment
	off  int // offset in it
}

// read returns the next n bytes (n small), crossing segment boundaries.
func (r *biffSegs) read(n int) ([]byte, bool) {
	if r.i < len(r.segs) && r.off+n <= len(r.segs[r.i]) {
		b := r.segs[r.i][r.off : r.off+n]
		r.off += n
		return b, true
	}
	out := make([]byte, 0, n)
	for len(out) < n {
		if r.i >= len(r.segs) {
			return nil, false
		}
		if r.off >= len(r.segs[r.i]) {
			r.i, r.off = r.i+1, 0
			continue
		}
		k := min(n-len(out), len(r.segs[r.i])-r.off)
		out = append(out, r.segs[r.i][r.off:r.off+k]...)
		r.off += k
	}
	return out, true
}

// skip passes over n bytes.
func (r *biffSegs) skip(n int) bool {
	for n > 0 {
		if r.i >= len(r.segs) {
			return false
		}
		k := min(n, len(r.segs[r.i])-r.off)
		r.off += k
		n -= k
		if r.off >= len(r.segs[r.i]) {
			r.i, r.off = r.i+1, 0
		}
	}
	return true
}

// chars reads cch characters; where they continue in the next segment, that segment's first
// byte says whether the rest is 8-bit or UTF-16.
func (r *biffSegs) chars(cch int, wide bool) (string, bool) {
	var b strings.Builder
	for cch > 0 {
		if r.i >= len(r.segs) {
			return b.String(), false
		}
		seg := r.segs[r.i]
		if r.off >= len(seg) {
			r.i, r.off = r.i+1, 0
			if r.i >= len(r.segs) || len(r.segs[r.i]) == 0 {
				return b.String(), false
			}
			wide = r.segs[r.i][0]&1 != 0
			r.off = 1
			continue
		}
		avail := len(seg) - r.off
		if wide {
			n := min(cch, avail/2)
			if n == 0 {
				return b.String(), false // half a character before the boundary
			}
			b.WriteString(decodeUTF16LE(seg[r.off : r.off+2*n]))
			r.off += 2 * n
			cch -= n
		} else {
			n := min(cch, avail)
			b.WriteString(decodeLatin1(seg[r.off : r.off+n]))
			r.off += n
			cch -= n
		}
	}
	return b.String(), true
}
