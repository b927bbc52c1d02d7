package extract

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf16"
)

// A compound file writer for tests, the same as internal/message's (msg_write.go), which is not
// exported: MS-CFB version 4, 4096-byte sectors, streams below 4096 bytes in the mini stream.

// cfbNode is a storage (dir) or stream of a compound file being written.
type cfbNode struct {
	name     string
	data     []byte
	dir      bool
	children []*cfbNode
}

// cfbStream and cfbStorage make nodes for writeCFB.
func cfbStream(name string, data []byte) *cfbNode { return &cfbNode{name: name, data: data} }
func cfbStorage(name string, kids ...*cfbNode) *cfbNode {
	return &cfbNode{name: name, dir: true, children: kids}
}

// writeCFB writes a compound file (MS-CFB version 4: 4096-byte sectors, so that the 109 FAT
// sectors listed in the header cover 457 MB and no DIFAT sectors are needed) whose root
// storage holds kids. Streams below 4096 bytes go to the mini stream.
func writeCFB(kids []*cfbNode) []byte {
	const (
		secSize    = 4096
		endOfChain = 0xFFFFFFFE
		freeSect   = 0xFFFFFFFF
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
		cutoff     = 4096
	)
	type dirent struct {
		n                  *cfbNode
		typ                byte
		left, right, child uint32
		start              uint32
		size               uint64
	}
	ents := []*dirent{{n: &cfbNode{name: "Root Entry", dir: true, children: kids}, typ: 5, left: noStream, right: noStream, child: noStream}}
	var add func(parent *dirent)
	add = func(parent *dirent) {
		kids := slices.Clone(parent.n.children)
		slices.SortFunc(kids, func(a, b *cfbNode) int {
			ua, ub := utf16.Encode([]rune(a.name)), utf16.Encode([]rune(b.name))
			if len(ua) != len(ub) {
				return len(ua) - len(ub)
			}
			return strings.Compare(strings.ToUpper(a.name), strings.ToUpper(b.name))
		})
		ids := make([]uint32, len(kids))
		for i, k := range kids {
			typ := byte(2)
			if k.dir {
				typ = 1
			}
			ids[i] = uint32(len(ents))
			ents = append(ents, &dirent{n: k, typ: typ, left: noStream, right: noStream, child: noStream})
		}
		var build func(lo, hi int) uint32
		build = func(lo, hi int) uint32 {
			if lo >= hi {
				return noStream
			}
			mid := (lo + hi) / 2
			d := ents[ids[mid]]
			d.left, d.right = build(lo, mid), build(mid+1, hi)
			return ids[mid]
		}
		parent.child = build(0, len(kids))
		for _, id := range ids {
			if ents[id].typ == 1 {
				add(ents[id])
			}
		}
	}
	add(ents[0])

	var mini []byte
	var miniFAT []uint32
	var big []*dirent
	for _, d := range ents[1:] {
		if d.typ != 2 {
			continue
		}
		n := len(d.n.data)
		d.size = uint64(n)
		switch {
		case n == 0:
			d.start = endOfChain
		case n < cutoff:
			d.start = uint32(len(miniFAT))
			k := (n + 63) / 64
			for i := 0; i < k; i++ {
				next := uint32(len(miniFAT) + 1)
				if i == k-1 {
					next = endOfChain
				}
				miniFAT = append(miniFAT, next)
			}
			mini = append(mini, d.n.data...)
			mini = append(mini, make([]byte, k*64-n)...)
		default:
			big = append(big, d)
		}
	}
	secs := func(n int) int { return (n + secSize - 1) / secSize }
	dirSecs := secs(len(ents) * 128)
	miniFATSecs := secs(len(miniFAT) * 4)
	miniSecs := secs(len(mini))
	data := dirSecs + miniFATSecs + miniSecs
	for _, d := range big {
		data += secs(len(d.n.data))
	}
	fatSecs := 1
	for (fatSecs+data)*4 > fatSecs*secSize {
		fatSecs++
	}
	fatSecs = min(fatSecs, 109) // callers keep the total far below 457 MB
	fat := make([]uint32, fatSecs*secSize/4)
	for i := range fat {
		fat[i] = freeSect
	}
	for i := 0; i < fatSecs; i++ {
		fat[i] = fatSect
	}
	next := uint32(fatSecs)
	chain := func(n int) uint32 {
		if n == 0 {
			return endOfChain
		}
		start := next
		for i := 0; i < n; i++ {
			if int(next) < len(fat) {
				fat[next] = next + 1
				if i == n-1 {
					fat[next] = endOfChain
				}
			}
			next++
		}
		return start
	}
	dirStart := chain(dirSecs)
	miniFATStart := chain(miniFATSecs)
	miniStart := chain(miniSecs)
	ents[0].start, ents[0].size = miniStart, uint64(len(mini))
	for _, d := range big {
		d.start = chain(secs(len(d.n.data)))
	}

	le := binary.LittleEndian
	total := fatSecs + data
	out := make([]byte, secSize*(1+total))
	h := out[:512]
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(h[24:], 0x003E)
	le.PutUint16(h[26:], 4)
	le.PutUint16(h[28:], 0xFFFE)
	le.PutUint16(h[30:], 12)
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[40:], uint32(dirSecs))
	le.PutUint32(h[44:], uint32(fatSecs))
	le.PutUint32(h[48:], dirStart)
	le.PutUint32(h[56:], cutoff)
	le.PutUint32(h[60:], miniFATStart)
	le.PutUint32(h[64:], uint32(miniFATSecs))
	le.PutUint32(h[68:], endOfChain)
	for i := 0; i < 109; i++ {
		v := uint32(freeSect)
		if i < fatSecs {
			v = uint32(i)
		}
		le.PutUint32(h[76+4*i:], v)
	}
	sector := func(n uint32) []byte { return out[secSize*(1+int(n)):] }
	for i, v := range fat {
		le.PutUint32(sector(0)[4*i:], v)
	}
	dir := sector(dirStart)
	for i := range dirSecs * secSize / 128 {
		e := dir[i*128 : (i+1)*128]
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], noStream)
		if i >= len(ents) {
			continue
		}
		d := ents[i]
		u := utf16.Encode([]rune(d.n.name))
		for k, c := range u {
			le.PutUint16(e[2*k:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = d.typ, 1
		le.PutUint32(e[68:], d.left)
		le.PutUint32(e[72:], d.right)
		le.PutUint32(e[76:], d.child)
		if d.typ != 1 {
			le.PutUint32(e[116:], d.start)
			le.PutUint64(e[120:], d.size)
		}
	}
	if miniFATSecs > 0 {
		mf := sector(miniFATStart)
		for i := range miniFATSecs * secSize / 4 {
			v := uint32(freeSect)
			if i < len(miniFAT) {
				v = miniFAT[i]
			}
			le.PutUint32(mf[4*i:], v)
		}
		copy(sector(miniStart), mini)
	}
	for _, d := range big {
		copy(sector(d.start), d.n.data)
	}
	return out
}
