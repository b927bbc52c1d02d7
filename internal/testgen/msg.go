package testgen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"unicode/utf16"
)

// MSGSpec describes an Outlook message for OutlookMSG.
type MSGSpec struct {
	Class       string // message class; "IPM.Note" when empty
	Subject     string
	SenderName  string
	SenderEmail string // SMTP address
	To, Cc, Bcc []MSGRecipient
	Headers     string // transport headers (PR_TRANSPORT_MESSAGE_HEADERS), "" for a draft
	Body        string // plain-text body
	HTML        string // HTML body, stored as UTF-8 bytes (PR_HTML with PR_INTERNET_CPID 65001)
	RTF         []byte // PR_RTF_COMPRESSED as is (see CompressRTF)
	Attachments []MSGAttachment
	// ANSI stores the strings as PT_STRING8 in windows-1252 (PR_MESSAGE_CODEPAGE 1252) instead
	// of PT_UNICODE.
	ANSI bool
}

// MSGRecipient is one recipient of an MSGSpec.
type MSGRecipient struct {
	Name, Email string
}

// MSGAttachment is one attachment of an MSGSpec: a file (Data) or, when Message is set, an
// attached Outlook message (attach method 5).
type MSGAttachment struct {
	Name    string // long file name
	MIME    string // MIME tag, may be empty
	Data    []byte
	Message *MSGSpec
	// OLE stores Data as the CONTENTS stream of an OLE object storage (attach method 6).
	OLE bool
	// ContentID (PR_ATTACH_CONTENT_ID) and Hidden (PR_ATTACHMENT_HIDDEN): a picture the HTML
	// body shows, as Outlook stores a signature image.
	ContentID string
	Hidden    bool
}

// OutlookMSG returns m as an Outlook .msg file ([MS-OXMSG]): a compound file (MS-CFB version 3,
// 512-byte sectors, small streams in the mini stream).
func OutlookMSG(m MSGSpec) []byte {
	root := &CFBEntry{Name: "Root Entry", Children: msgEntries(m, true)}
	root.Children = append(root.Children, &CFBEntry{Name: "__nameid_version1.0", Children: []*CFBEntry{
		{Name: "__substg1.0_00020102"}, {Name: "__substg1.0_00030102"}, {Name: "__substg1.0_00040102"},
	}})
	return CompoundFile(root)
}

const (
	ptInt32   = 0x0003
	ptBool    = 0x000B
	ptString8 = 0x001E
	ptUnicode = 0x001F
	ptBinary  = 0x0102
	ptObject  = 0x000D
)

type msgProp struct {
	id, typ uint16
	value   uint32 // for fixed-size properties
	data    []byte // for variable-size ones
}

// msgProps turns properties into the property stream (with a header of hdr bytes) and the
// substg streams.
func msgProps(hdr []byte, list []msgProp) []*CFBEntry {
	ps := bytes.Clone(hdr)
	var out []*CFBEntry
	for _, p := range list {
		e := make([]byte, 16)
		binary.LittleEndian.PutUint16(e, p.typ)
		binary.LittleEndian.PutUint16(e[2:], p.id)
		binary.LittleEndian.PutUint32(e[4:], 6) // readable, writable
		switch p.typ {
		case ptInt32, ptBool:
			binary.LittleEndian.PutUint32(e[8:], p.value)
		case ptObject:
			binary.LittleEndian.PutUint32(e[8:], 0xFFFFFFFF)
		default:
			binary.LittleEndian.PutUint32(e[8:], uint32(len(p.data)))
			out = append(out, &CFBEntry{Name: fmt.Sprintf("__substg1.0_%04X%04X", p.id, p.typ), Data: p.data})
		}
		ps = append(ps, e...)
	}
	return append([]*CFBEntry{{Name: "__properties_version1.0", Data: ps}}, out...)
}

func msgString(ansi bool, id uint16, s string) msgProp {
	if ansi {
		b := make([]byte, 0, len(s)+1)
		for _, r := range s {
			if r < 0x100 {
				b = append(b, byte(r))
			} else {
				b = append(b, '?')
			}
		}
		return msgProp{id: id, typ: ptString8, data: append(b, 0)}
	}
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return msgProp{id: id, typ: ptUnicode, data: append(b, 0, 0)}
}

func msgEntries(m MSGSpec, top bool) []*CFBEntry {
	class := m.Class
	if class == "" {
		class = "IPM.Note"
	}
	var list []msgProp
	str := func(id uint16, s string) {
		if s != "" {
			list = append(list, msgString(m.ANSI, id, s))
		}
	}
	str(0x001A, class)
	str(0x0037, m.Subject)
	str(0x0C1A, m.SenderName)
	if m.SenderEmail != "" {
		str(0x0C1E, "SMTP")
		str(0x0C1F, m.SenderEmail)
		str(0x5D01, m.SenderEmail)
	}
	str(0x007D, m.Headers)
	str(0x1000, m.Body)
	if m.HTML != "" {
		list = append(list, msgProp{id: 0x1013, typ: ptBinary, data: []byte(m.HTML)}, msgProp{id: 0x3FDE, typ: ptInt32, value: 65001})
	}
	if m.RTF != nil {
		list = append(list, msgProp{id: 0x1009, typ: ptBinary, data: m.RTF})
	}
	if m.ANSI {
		list = append(list, msgProp{id: 0x3FFD, typ: ptInt32, value: 1252})
	}
	type recip struct {
		r   MSGRecipient
		typ uint32
	}
	var recips []recip
	for _, r := range m.To {
		recips = append(recips, recip{r, 1})
	}
	for _, r := range m.Cc {
		recips = append(recips, recip{r, 2})
	}
	for _, r := range m.Bcc {
		recips = append(recips, recip{r, 3})
	}
	hdr := make([]byte, 32)
	if !top {
		hdr = hdr[:24]
	}
	binary.LittleEndian.PutUint32(hdr[8:], uint32(len(recips)))
	binary.LittleEndian.PutUint32(hdr[12:], uint32(len(m.Attachments)))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(len(recips)))
	binary.LittleEndian.PutUint32(hdr[20:], uint32(len(m.Attachments)))
	out := msgProps(hdr, list)
	for i, r := range recips {
		var rl []msgProp
		rl = append(rl, msgProp{id: 0x0C15, typ: ptInt32, value: r.typ})
		if r.r.Name != "" {
			rl = append(rl, msgString(m.ANSI, 0x3001, r.r.Name))
		}
		if r.r.Email != "" {
			rl = append(rl, msgString(m.ANSI, 0x3002, "SMTP"), msgString(m.ANSI, 0x3003, r.r.Email), msgString(m.ANSI, 0x39FE, r.r.Email))
		}
		out = append(out, &CFBEntry{Name: fmt.Sprintf("__recip_version1.0_#%08X", i), Children: msgProps(make([]byte, 8), rl)})
	}
	for i, a := range m.Attachments {
		var al []msgProp
		if a.Name != "" {
			al = append(al, msgString(m.ANSI, 0x3707, a.Name), msgString(m.ANSI, 0x3001, a.Name))
		}
		if a.MIME != "" {
			al = append(al, msgString(m.ANSI, 0x370E, a.MIME))
		}
		if a.ContentID != "" {
			al = append(al, msgString(m.ANSI, 0x3712, a.ContentID))
		}
		if a.Hidden {
			al = append(al, msgProp{id: 0x7FFE, typ: ptBool, value: 1})
		}
		var extra []*CFBEntry
		switch {
		case a.Message != nil:
			al = append(al, msgProp{id: 0x3705, typ: ptInt32, value: 5}, msgProp{id: 0x3701, typ: ptObject})
			extra = append(extra, &CFBEntry{Name: "__substg1.0_3701000D", Children: msgEntries(*a.Message, false)})
		case a.OLE:
			al = append(al, msgProp{id: 0x3705, typ: ptInt32, value: 6}, msgProp{id: 0x3701, typ: ptObject})
			extra = append(extra, &CFBEntry{Name: "__substg1.0_3701000D", Children: []*CFBEntry{
				{Name: "\x01CompObj", Data: []byte("compobj")},
				{Name: "CONTENTS", Data: a.Data},
			}})
		default:
			al = append(al, msgProp{id: 0x3705, typ: ptInt32, value: 1}, msgProp{id: 0x3701, typ: ptBinary, data: a.Data})
		}
		ch := append(msgProps(make([]byte, 8), al), extra...)
		out = append(out, &CFBEntry{Name: fmt.Sprintf("__attach_version1.0_#%08X", i), Children: ch})
	}
	return out
}

// CFBEntry is a storage (Children, possibly none) or a stream (Data) of a compound file; an
// entry with neither is an empty stream.
type CFBEntry struct {
	Name     string
	Data     []byte
	Children []*CFBEntry
}

// CompoundFile writes root (whose name is ignored) as an MS-CFB version 3 file: 512-byte
// sectors, streams below 4096 bytes in the mini stream, children of each storage in a
// balanced binary tree ordered as MS-CFB requires (all nodes black).
func CompoundFile(root *CFBEntry) []byte {
	const (
		endOfChain = 0xFFFFFFFE
		freeSect   = 0xFFFFFFFF
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
		cutoff     = 4096
	)
	type dirent struct {
		e                  *CFBEntry
		typ                byte
		left, right, child uint32
		start, size        uint32
	}
	ents := []*dirent{{e: root, typ: 5, left: noStream, right: noStream, child: noStream}}
	var add func(parent *dirent)
	add = func(parent *dirent) {
		kids := slices.Clone(parent.e.Children)
		slices.SortFunc(kids, func(a, b *CFBEntry) int {
			ua, ub := utf16.Encode([]rune(a.Name)), utf16.Encode([]rune(b.Name))
			if len(ua) != len(ub) {
				return len(ua) - len(ub)
			}
			return strings.Compare(strings.ToUpper(a.Name), strings.ToUpper(b.Name))
		})
		ids := make([]uint32, len(kids))
		for i, k := range kids {
			typ := byte(2)
			if k.Children != nil {
				typ = 1
			}
			ids[i] = uint32(len(ents))
			ents = append(ents, &dirent{e: k, typ: typ, left: noStream, right: noStream, child: noStream})
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

	// Mini stream and big streams.
	var mini []byte
	var miniFAT []uint32
	var big [][]byte
	var bigOwner []*dirent
	for _, d := range ents[1:] {
		if d.typ != 2 {
			continue
		}
		n := len(d.e.Data)
		d.size = uint32(n)
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
			mini = append(mini, d.e.Data...)
			mini = append(mini, make([]byte, k*64-n)...)
		default:
			big = append(big, d.e.Data)
			bigOwner = append(bigOwner, d)
		}
	}
	secs := func(n int) int { return (n + 511) / 512 }
	dirSecs := secs(len(ents) * 128)
	miniFATSecs := secs(len(miniFAT) * 4)
	miniSecs := secs(len(mini))
	data := dirSecs + miniFATSecs + miniSecs
	for _, b := range big {
		data += secs(len(b))
	}
	fatSecs := 1
	for (fatSecs+data)*4 > fatSecs*512 {
		fatSecs++
	}
	if fatSecs > 109 {
		panic("testgen: compound file too large for a header-only DIFAT")
	}
	total := fatSecs + data
	fat := make([]uint32, fatSecs*128)
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
			if i == n-1 {
				fat[next] = endOfChain
			} else {
				fat[next] = next + 1
			}
			next++
		}
		return start
	}
	dirStart := chain(dirSecs)
	miniFATStart := chain(miniFATSecs)
	miniStart := chain(miniSecs)
	ents[0].start, ents[0].size = miniStart, uint32(len(mini))
	if len(mini) == 0 {
		ents[0].start = endOfChain
	}
	bigStart := make([]uint32, len(big))
	for i, b := range big {
		bigStart[i] = chain(secs(len(b)))
		bigOwner[i].start = bigStart[i]
	}

	le := binary.LittleEndian
	out := make([]byte, 512*(1+total))
	h := out[:512]
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(h[24:], 0x003E)
	le.PutUint16(h[26:], 3)
	le.PutUint16(h[28:], 0xFFFE)
	le.PutUint16(h[30:], 9)
	le.PutUint16(h[32:], 6)
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
	sector := func(n uint32) []byte { return out[512*(1+int(n)):] }
	for i, v := range fat {
		le.PutUint32(sector(0)[4*i:], v)
	}
	dir := sector(dirStart)
	for i := range dirSecs * 4 {
		e := dir[i*128 : (i+1)*128]
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], noStream)
		if i >= len(ents) {
			continue
		}
		d := ents[i]
		name := d.e.Name
		if i == 0 {
			name = "Root Entry"
		}
		u := utf16.Encode([]rune(name))
		if len(u) > 31 {
			panic("testgen: compound file entry name longer than 31 characters")
		}
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
			le.PutUint32(e[120:], d.size)
		}
	}
	if miniFATSecs > 0 {
		mf := sector(miniFATStart)
		for i := range miniFATSecs * 128 {
			v := uint32(freeSect)
			if i < len(miniFAT) {
				v = miniFAT[i]
			}
			le.PutUint32(mf[4*i:], v)
		}
		copy(sector(miniStart), mini)
	}
	for i, b := range big {
		copy(sector(bigStart[i]), b)
	}
	return out
}

// CompressRTF compresses rtf with the RTF compression algorithm ([MS-OXRTFCP], "LZFu", greedy
// longest match in the 4096-byte dictionary), as Outlook stores PR_RTF_COMPRESSED.
func CompressRTF(rtf []byte) []byte {
	const prebuf = `{\rtf1\ansi\mac\deff0\deftab720{\fonttbl;}{\f0\fnil \froman \fswiss \fmodern \fscript \fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\colortbl\red0\green0\blue0` +
		"\r\n" + `\par \pard\plain\f0\fs20\b\i\u\tab\tx`
	var dict [4096]byte
	copy(dict[:], prebuf)
	// Bytes never written are zero in both dictionaries, so they may be matched too.
	wp := len(prebuf)
	var body []byte
	put := func(c byte) {
		dict[wp] = c
		wp = (wp + 1) & 4095
	}
	in := rtf
	done := false
	for !done {
		ctrlAt := len(body)
		body = append(body, 0)
		for bit := 0; bit < 8; bit++ {
			if len(in) == 0 {
				// End marker: a reference to the write position.
				body[ctrlAt] |= 1 << bit
				body = append(body, byte(wp>>4), byte(wp<<4))
				done = true
				break
			}
			bestOff, bestLen := 0, 0
			for off := 0; off < 4096; off++ {
				if off == wp {
					continue
				}
				// Simulate the copy, which may overlap the bytes it writes.
				var tmp [17]byte
				n := 0
				for n < 17 && n < len(in) {
					p := (off + n) & 4095
					var c byte
					if d := (p - wp + 4096) & 4095; d < n {
						c = tmp[d]
					} else {
						c = dict[p]
					}
					if c != in[n] {
						break
					}
					tmp[n] = c
					n++
				}
				if n > bestLen {
					bestOff, bestLen = off, n
				}
			}
			if bestLen >= 2 {
				body[ctrlAt] |= 1 << bit
				ref := bestOff<<4 | (bestLen - 2)
				body = append(body, byte(ref>>8), byte(ref))
				for _, c := range in[:bestLen] {
					put(c)
				}
				in = in[bestLen:]
			} else {
				body = append(body, in[0])
				put(in[0])
				in = in[1:]
			}
		}
	}
	out := make([]byte, 16, 16+len(body))
	binary.LittleEndian.PutUint32(out, uint32(12+len(body)))
	binary.LittleEndian.PutUint32(out[4:], uint32(len(rtf)))
	copy(out[8:], "LZFu")
	binary.LittleEndian.PutUint32(out[12:], ^crc32.Update(0xFFFFFFFF, crc32.IEEETable, body))
	return append(out, body...)
}
