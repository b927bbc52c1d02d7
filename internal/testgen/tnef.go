package testgen

import (
	"encoding/binary"
	"unicode/utf16"
)

// TNEFSpec describes a TNEF stream (winmail.dat, [MS-OXTNEF]) to generate.
type TNEFSpec struct {
	Subject string // attSubject, windows-1252
	Body    string // attBody, windows-1252
	// Plain, HTML and RTF go into attMsgProps as PR_BODY (PT_UNICODE), PR_HTML (PT_BINARY,
	// UTF-8) and PR_RTF_COMPRESSED (as is; see CompressRTF).
	Plain       string
	HTML        string
	RTF         []byte
	Attachments []TNEFAttachment
}

// TNEFAttachment is one attachment of a TNEF stream.
type TNEFAttachment struct {
	Title    string // attAttachTitle (the short name), windows-1252
	LongName string // PR_ATTACH_LONG_FILENAME (PT_UNICODE) in attAttachment
	MIME     string // PR_ATTACH_MIME_TAG
	Data     []byte // attAttachData
	// DataInProps puts Data into attAttachment as PR_ATTACH_DATA_BIN instead of attAttachData.
	DataInProps bool
	// Method is PR_ATTACH_METHOD (1 by data, 2-4 and 7 linked, 5 message, 6 OLE); 0 leaves it out.
	Method uint32
	// Message is an attached message, written as PR_ATTACH_DATA_OBJ: IID_IMessage and a TNEF
	// stream of its own.
	Message *TNEFSpec
}

// TNEF attribute IDs with their types in the high word.
const (
	tnefAttSubject        = 0x00018004
	tnefAttBody           = 0x0002800C
	tnefAttMessageClass   = 0x00078008
	tnefAttAttachData     = 0x0006800F
	tnefAttAttachTitle    = 0x00018010
	tnefAttAttachRendData = 0x00069002
	tnefAttMsgProps       = 0x00069003
	tnefAttAttachment     = 0x00069005
	tnefAttTnefVersion    = 0x00089006
	tnefAttOemCodepage    = 0x00069007
)

// TNEF returns s as a TNEF stream.
func TNEF(s TNEFSpec) []byte {
	out := binary.LittleEndian.AppendUint32(nil, 0x223E9F78)
	out = binary.LittleEndian.AppendUint16(out, 0x0001) // key
	out = tnefAttr(out, 1, tnefAttTnefVersion, binary.LittleEndian.AppendUint32(nil, 0x00010000))
	out = tnefAttr(out, 1, tnefAttOemCodepage, binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 1252), 0))
	out = tnefAttr(out, 1, tnefAttMessageClass, []byte("IPM.Microsoft Mail.Note\x00"))
	if s.Subject != "" {
		out = tnefAttr(out, 1, tnefAttSubject, append(latin1Bytes(s.Subject), 0))
	}
	if s.Body != "" {
		out = tnefAttr(out, 1, tnefAttBody, latin1Bytes(s.Body))
	}
	var props []mapiProp
	if s.Plain != "" {
		props = append(props, mapiProp{ptUnicode, 0x1000, utf16z(s.Plain)})
	}
	if s.HTML != "" {
		props = append(props, mapiProp{ptBinary, 0x1013, []byte(s.HTML)})
	}
	if s.RTF != nil {
		props = append(props, mapiProp{ptBinary, 0x1009, s.RTF})
	}
	if len(props) > 0 {
		out = tnefAttr(out, 1, tnefAttMsgProps, mapiProps(props))
	}
	for _, a := range s.Attachments {
		out = tnefAttr(out, 2, tnefAttAttachRendData, make([]byte, 14)) // attachment type 1 (file), position, size
		if a.Title != "" {
			out = tnefAttr(out, 2, tnefAttAttachTitle, append(latin1Bytes(a.Title), 0))
		}
		if a.Data != nil && !a.DataInProps && a.Message == nil {
			out = tnefAttr(out, 2, tnefAttAttachData, a.Data)
		}
		var ap []mapiProp
		if a.LongName != "" {
			ap = append(ap, mapiProp{ptUnicode, 0x3707, utf16z(a.LongName)})
		}
		if a.MIME != "" {
			ap = append(ap, mapiProp{ptString8, 0x370E, append([]byte(a.MIME), 0)})
		}
		if a.Method != 0 {
			ap = append(ap, mapiProp{ptInt32, 0x3705, binary.LittleEndian.AppendUint32(nil, a.Method)})
		}
		if a.DataInProps && a.Data != nil {
			ap = append(ap, mapiProp{ptBinary, 0x3701, a.Data})
		}
		if a.Message != nil {
			iid := []byte{0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
			ap = append(ap, mapiProp{0x000D, 0x3701, append(iid, TNEF(*a.Message)...)})
		}
		if len(ap) > 0 {
			out = tnefAttr(out, 2, tnefAttAttachment, mapiProps(ap))
		}
	}
	return out
}

// tnefAttr appends one attribute: level, ID, length, data, checksum.
func tnefAttr(out []byte, level byte, id uint32, data []byte) []byte {
	out = append(out, level)
	out = binary.LittleEndian.AppendUint32(out, id)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, data...)
	var sum uint16
	for _, c := range data {
		sum += uint16(c)
	}
	return binary.LittleEndian.AppendUint16(out, sum)
}

type mapiProp struct {
	typ, id uint16
	value   []byte
}

// mapiProps encodes a TNEF property list.
func mapiProps(props []mapiProp) []byte {
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(props)))
	for _, p := range props {
		out = binary.LittleEndian.AppendUint16(out, p.typ)
		out = binary.LittleEndian.AppendUint16(out, p.id)
		switch p.typ {
		case ptString8, ptUnicode, ptBinary, 0x000D:
			out = binary.LittleEndian.AppendUint32(out, 1)
			out = binary.LittleEndian.AppendUint32(out, uint32(len(p.value)))
			out = append(out, p.value...)
			for len(p.value)%4 != 0 {
				p.value = append(p.value, 0)
				out = append(out, 0)
			}
		default:
			out = append(out, p.value...)
		}
	}
	return out
}

func utf16z(s string) []byte {
	var out []byte
	for _, c := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return append(out, 0, 0)
}

// latin1Bytes encodes Latin-1 characters (all Danish letters) as single bytes.
func latin1Bytes(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r))
	}
	return out
}
