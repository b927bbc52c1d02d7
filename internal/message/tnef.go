package message

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// TNEF ([MS-OXTNEF]) is how Outlook sends rich-text mail to other mail systems: an attachment
// "winmail.dat" (application/ms-tnef) that holds the body and the real attachments. There is
// no maintained Go library for it; this reader is written by hand and checks every length
// against the data, so damaged or hostile input ends the reading rather than the process.

// TNEFSignature starts every TNEF stream (little-endian on the wire: 78 9F 3E 22).
const TNEFSignature = 0x223E9F78

// TNEF attribute levels and the attributes read (the low word of the attribute ID; the high
// word is its type and is not relied on).
const (
	tnefLevelMessage    = 1
	tnefLevelAttachment = 2

	attSubject         = 0x8004
	attBody            = 0x800C
	attAttachData      = 0x800F
	attAttachTitle     = 0x8010
	attAttachRendData  = 0x9002
	attMsgProps        = 0x9003
	attAttachment      = 0x9005
	attOemCodepage     = 0x9007
	tnefMaxPropsInList = 1 << 16
)

// MAPI property types (the low 12 bits of a property tag's type word).
const (
	ptObject   = 0x000D
	ptString8  = 0x001E
	ptUnicode  = 0x001F
	ptBinary   = 0x0102
	ptMultiple = 0x1000
)

// iidIMessage is IID_IMessage as stored at the start of an attached message's
// PR_ATTACH_DATA_OBJ: {00020307-0000-0000-C000-000000000046}, little-endian fields.
var iidIMessage = []byte{0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

// ParseTNEF reads a TNEF stream (winmail.dat) into a Message: the subject, one body (plain
// text, else HTML, else the compressed RTF body decompressed and kept as the attachment
// "(mailtekst).rtf", as ParseMSG does) and every attachment, named by its long file name. An
// attached Outlook message is parsed in turn (Attachment.Message, ContentType
// "application/vnd.ms-outlook", Data empty). An attachment whose content is not in the stream
// (a linked file) has Unread set. The TNEF stream carries no sender or recipients of its own
// that matter here: those are the enclosing mail's.
//
// It fails with ErrTooLarge (input above DefaultMaxBytes; no Message), ErrMalformed (not a
// TNEF stream; no Message), ErrTooComplex (attached messages nested deeper than MaxDepth, or
// more than MaxParts attachments) or ErrCorrupt (the stream is damaged after its start): with
// the last two the Message holds what was read and must not be treated as complete.
func ParseTNEF(data []byte) (*Message, error) {
	return parseTNEF(data, defaultLimits(DefaultMaxBytes))
}

func parseTNEF(data []byte, lim limits) (*Message, error) {
	if int64(len(data)) > lim.maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, lim.maxBytes)
	}
	p := &tnefParser{lim: lim}
	return p.message(data, 0)
}

type tnefParser struct {
	lim     limits
	parts   int // attachments read, nested messages included
	unnamed int
}

// tnefAttachment is an attachment being assembled from its attributes.
type tnefAttachment struct {
	title, longName, fileName, displayName, mimeTag string
	data                                            []byte
	hasData                                         bool
	method                                          uint32
	message                                         *Message
}

// tnefBody collects the candidate bodies of a message.
type tnefBody struct {
	attBody, plain, html string
	htmlBytes, rtf       []byte
}

func (p *tnefParser) message(data []byte, depth int) (*Message, error) {
	if len(data) < 6 || binary.LittleEndian.Uint32(data) != TNEFSignature {
		return nil, fmt.Errorf("%w: not a TNEF stream", ErrMalformed)
	}
	msg := &Message{}
	var body tnefBody
	var atts []*tnefAttachment
	var cur *tnefAttachment
	cp := uint32(1252)
	var err error
	for pos := 6; pos < len(data) && err == nil; {
		if len(data)-pos < 9 {
			break // a few bytes of padding or junk after the last attribute hold nothing
		}
		level, id := data[pos], binary.LittleEndian.Uint32(data[pos+1:])&0xFFFF
		n := binary.LittleEndian.Uint32(data[pos+5:])
		pos += 9
		if uint64(n) > uint64(len(data)-pos) {
			err = fmt.Errorf("%w: TNEF attribute longer than the stream", ErrCorrupt)
			break
		}
		value := data[pos : pos+int(n)]
		pos = min(pos+int(n)+2, len(data)) // the checksum is not checked: a wrong one harms nothing here
		switch {
		case id == attOemCodepage:
			if len(value) >= 4 {
				cp = binary.LittleEndian.Uint32(value)
			}
		case level == tnefLevelMessage && id == attSubject:
			msg.Subject = strings.TrimSpace(decodeText(bytes.TrimRight(value, "\x00"), codepageLabel(cp)))
		case level == tnefLevelMessage && id == attBody:
			body.attBody = decodeText(bytes.TrimRight(value, "\x00"), codepageLabel(cp))
		case level == tnefLevelMessage && id == attMsgProps:
			err = p.messageProps(value, cp, msg, &body)
		case level == tnefLevelAttachment && id == attAttachRendData:
			if err = p.count(); err == nil {
				cur = &tnefAttachment{}
				atts = append(atts, cur)
				if len(value) >= 2 && binary.LittleEndian.Uint16(value) == 2 {
					cur.method = 6 // attAttachRendData's type 2 is an OLE object
				}
			}
		case level == tnefLevelAttachment && (id == attAttachTitle || id == attAttachData || id == attAttachment):
			if cur == nil { // attributes before the first attAttachRendData: an attachment all the same
				if err = p.count(); err != nil {
					break
				}
				cur = &tnefAttachment{}
				atts = append(atts, cur)
			}
			switch id {
			case attAttachTitle:
				cur.title = decodeText(bytes.TrimRight(value, "\x00"), codepageLabel(cp))
			case attAttachData:
				cur.data, cur.hasData = value, true
			case attAttachment:
				err = p.attachmentProps(value, cp, cur, depth)
			}
		}
	}
	p.body(msg, &body, &err)
	for _, a := range atts {
		msg.Attachments = append(msg.Attachments, p.attachment(a))
	}
	return msg, err
}

func (p *tnefParser) count() error {
	if p.parts >= p.lim.maxParts {
		return fmt.Errorf("%w: more than %d attachments", ErrTooComplex, p.lim.maxParts)
	}
	p.parts++
	return nil
}

// body chooses the message's body as ParseMSG does: plain text, else HTML, else RTF.
func (p *tnefParser) body(msg *Message, b *tnefBody, err *error) {
	switch {
	case strings.TrimSpace(b.plain) != "":
		msg.Bodies = append(msg.Bodies, Body{ContentType: "text/plain", Content: strings.ReplaceAll(b.plain, "\r\n", "\n")})
	case strings.TrimSpace(b.attBody) != "":
		msg.Bodies = append(msg.Bodies, Body{ContentType: "text/plain", Content: strings.ReplaceAll(b.attBody, "\r\n", "\n")})
	case len(bytes.TrimSpace(b.htmlBytes)) > 0:
		msg.Bodies = append(msg.Bodies, Body{ContentType: "text/html", Content: textContent(b.htmlBytes, "")})
	case strings.TrimSpace(b.html) != "":
		msg.Bodies = append(msg.Bodies, Body{ContentType: "text/html", Content: strings.ReplaceAll(b.html, "\r\n", "\n")})
	case len(b.rtf) > 0:
		raw, rerr := DecompressRTF(b.rtf, int(min(p.lim.maxBytes, 1<<40)))
		switch {
		case errors.Is(rerr, ErrTooLarge):
			*err = firstError(*err, fmt.Errorf("%w: RTF body larger than %d bytes", ErrTooComplex, p.lim.maxBytes))
		case rerr != nil:
			*err = firstError(*err, fmt.Errorf("%w: compressed RTF body damaged", ErrCorrupt))
		case len(bytes.TrimSpace(raw)) > 0:
			msg.Attachments = append(msg.Attachments, Attachment{Name: msgRTFName, ContentType: "application/rtf", Data: raw})
		}
	}
}

// attachment turns an assembled attachment into the model's.
func (p *tnefParser) attachment(a *tnefAttachment) Attachment {
	name := cleanFileName(firstNonEmpty(a.longName, a.fileName, a.title, a.displayName))
	mt := strings.ToLower(strings.TrimSpace(a.mimeTag))
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	if a.message != nil {
		if name == "" {
			name = firstNonEmpty(cleanFileName(a.message.Subject), "message") + ".msg"
		}
		return Attachment{Name: name, ContentType: msgMediaType, Message: a.message}
	}
	if mt == "" || !strings.Contains(mt, "/") {
		mt = "application/octet-stream"
	}
	if name == "" {
		p.unnamed++
		name = fmt.Sprintf("attachment-%d%s", p.unnamed, extensionFor(mt))
	}
	att := Attachment{Name: name, ContentType: mt, Data: a.data}
	switch {
	case a.hasData:
	case a.method >= 2 && a.method <= 4 || a.method == 7:
		att.Unread = &Unread{Status: "unsupported", Detail: "linked file, not included in the message"}
	default:
		att.Unread = &Unread{Status: "unscannable", Detail: "attachment content missing from the TNEF stream"}
	}
	return att
}

// mapiProp is one property of a TNEF property list: its ID, type and (first) value.
type mapiProp struct {
	id, typ uint16
	value   []byte
}

// messageProps reads attMsgProps: the body properties and the subject.
func (p *tnefParser) messageProps(b []byte, cp uint32, msg *Message, body *tnefBody) error {
	return readMAPIProps(b, func(pr mapiProp) error {
		switch pr.id {
		case pidSubject:
			if msg.Subject == "" {
				msg.Subject = strings.TrimSpace(mapiString(pr, cp))
			}
		case pidBody:
			body.plain = mapiString(pr, cp)
		case pidHTML:
			if pr.typ == ptBinary {
				body.htmlBytes = pr.value
			} else {
				body.html = mapiString(pr, cp)
			}
		case pidRTFCompressed:
			body.rtf = pr.value
		}
		return nil
	})
}

// attachmentProps reads attAttachment: names, MIME tag, method, and the data when it is here
// rather than in attAttachData (an attached message always is).
func (p *tnefParser) attachmentProps(b []byte, cp uint32, a *tnefAttachment, depth int) error {
	return readMAPIProps(b, func(pr mapiProp) error {
		switch pr.id {
		case pidAttachLongName:
			a.longName = mapiString(pr, cp)
		case pidAttachFilename:
			a.fileName = mapiString(pr, cp)
		case pidDisplayName:
			a.displayName = mapiString(pr, cp)
		case pidAttachMimeTag:
			a.mimeTag = mapiString(pr, cp)
		case pidAttachMethod:
			if len(pr.value) >= 4 {
				a.method = binary.LittleEndian.Uint32(pr.value)
			}
		case pidAttachData:
			v := pr.value
			if pr.typ == ptObject && len(v) >= 16 {
				iid := v[:16]
				v = v[16:]
				if bytes.Equal(iid, iidIMessage) && len(v) >= 4 && binary.LittleEndian.Uint32(v) == TNEFSignature {
					if depth+1 > p.lim.maxDepth {
						return fmt.Errorf("%w: attached messages nested deeper than %d", ErrTooComplex, p.lim.maxDepth)
					}
					sub, err := p.message(v, depth+1)
					if sub == nil {
						return fmt.Errorf("%w: attached message damaged", ErrCorrupt)
					}
					a.message = sub
					return err
				}
			}
			if !a.hasData {
				a.data, a.hasData = v, true
			}
		}
		return nil
	})
}

// mapiString decodes a string property: UTF-16LE, or 8-bit text in the stream's code page.
func mapiString(pr mapiProp, cp uint32) string {
	switch pr.typ {
	case ptUnicode:
		v := pr.value
		u := make([]uint16, 0, len(v)/2)
		for i := 0; i+1 < len(v); i += 2 {
			u = append(u, binary.LittleEndian.Uint16(v[i:]))
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00")
	case ptString8:
		return decodeText(bytes.TrimRight(pr.value, "\x00"), codepageLabel(cp))
	}
	return ""
}

// mapiFixedSize is the size of a fixed-length MAPI value; 0 for a type that is not fixed.
func mapiFixedSize(typ uint16) int {
	switch typ {
	case 0x0001, 0x0002, 0x0003, 0x0004, 0x000A, 0x000B: // null, i2, i4, r4, error, boolean
		return 4 // two-byte values are padded to four
	case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040: // r8, currency, apptime, i8, systime
		return 8
	case 0x0048: // clsid
		return 16
	}
	return 0
}

// readMAPIProps walks a TNEF property list ([MS-OXTNEF] 2.1.3.4): a count, then per property
// its type and ID, for a named property (ID >= 0x8000) its GUID and name, then its value(s).
// Variable-length values (strings, binary, objects) and every multi-valued property carry a
// value count; each variable value has a length and is padded to four bytes. f gets the first
// value of each property. A list that breaks off or has an unknown type ends with ErrCorrupt.
func readMAPIProps(b []byte, f func(mapiProp) error) error {
	r := &leReader{b: b, ok: true}
	count := r.u32()
	for i := uint32(0); i < count && r.ok; i++ {
		if i >= tnefMaxPropsInList {
			return fmt.Errorf("%w: TNEF property list too long", ErrCorrupt)
		}
		typ, id := r.u16(), r.u16()
		if id >= 0x8000 {
			r.skip(16)
			if kind := r.u32(); kind == 0 {
				r.skip(4)
			} else {
				r.skip(pad4(r.u32()))
			}
		}
		base, multi := typ&^ptMultiple, typ&ptMultiple != 0
		variable := base == ptString8 || base == ptUnicode || base == ptBinary || base == ptObject
		fixed := mapiFixedSize(base)
		if !variable && fixed == 0 {
			return fmt.Errorf("%w: unknown MAPI property type in TNEF", ErrCorrupt)
		}
		values := uint32(1)
		if variable || multi {
			values = r.u32()
		}
		var first []byte
		for v := uint32(0); v < values && r.ok; v++ {
			var val []byte
			if variable {
				n := r.u32()
				val = r.bytes(n)
				r.skip(pad4(n) - n)
			} else {
				val = r.bytes(uint32(fixed))
			}
			if v == 0 {
				first = val
			}
		}
		if !r.ok {
			break
		}
		if values > 0 {
			if err := f(mapiProp{id: id, typ: base, value: first}); err != nil {
				return err
			}
		}
	}
	if !r.ok {
		return fmt.Errorf("%w: TNEF property list truncated", ErrCorrupt)
	}
	return nil
}

func pad4(n uint32) uint32 {
	if n > 0xFFFFFFFC {
		return n // cannot be padded; the read that follows fails on it
	}
	return (n + 3) &^ 3
}

// leReader reads little-endian values; past the end it returns zeros and clears ok.
type leReader struct {
	b  []byte
	ok bool
}

func (r *leReader) bytes(n uint32) []byte {
	if r.ok = r.ok && uint64(n) <= uint64(len(r.b)); !r.ok {
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *leReader) skip(n uint32) { r.bytes(n) }

func (r *leReader) u32() uint32 {
	if v := r.bytes(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *leReader) u16() uint16 {
	if v := r.bytes(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}
