package message

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

// Names of the storages and streams of an Outlook message ([MS-OXMSG] 2.2).
const (
	msgProps      = "__properties_version1.0"
	msgSubstg     = "__substg1.0_"
	msgRecip      = "__recip_version1.0_#"
	msgAttach     = "__attach_version1.0_#"
	msgEmbedded   = "__substg1.0_3701000D"
	msgRTFName    = "(mailtekst).rtf"
	msgOLEName    = "object.bin"
	msgMediaType  = "application/vnd.ms-outlook"
	msgMaxOLEWalk = 1000 // directory entries looked at inside one attached OLE object
)

// Property IDs read from a message.
const (
	pidClass            = 0x001A
	pidSubject          = 0x0037
	pidSentReprName     = 0x0042
	pidSentReprAddrType = 0x0064
	pidSentReprEmail    = 0x0065
	pidTransportHeaders = 0x007D
	pidRecipientType    = 0x0C15
	pidSenderName       = 0x0C1A
	pidSenderAddrType   = 0x0C1E
	pidSenderEmail      = 0x0C1F
	pidBody             = 0x1000
	pidRTFCompressed    = 0x1009
	pidHTML             = 0x1013
	pidDisplayName      = 0x3001
	pidAddrType         = 0x3002
	pidEmailAddress     = 0x3003
	pidAttachData       = 0x3701
	pidAttachFilename   = 0x3704
	pidAttachMethod     = 0x3705
	pidAttachLongName   = 0x3707
	pidAttachMimeTag    = 0x370E
	pidAttachContentID  = 0x3712
	pidAttachFlags      = 0x3714 // ATT_MHTML_REF (4): referred to from the HTML body by Content-ID
	pidAttachHidden     = 0x7FFE // PR_ATTACHMENT_HIDDEN: shown in the body, not as an attachment
	pidSMTPAddress      = 0x39FE
	pidInternetCPID     = 0x3FDE
	pidMessageCodepage  = 0x3FFD
	pidSenderSMTP       = 0x5D01
	pidSentReprSMTP     = 0x5D02
)

// ParseMSG reads an Outlook message (.msg, an OLE compound file, [MS-OXMSG]) into a Message:
// subject, sender, recipients (To, Cc, Bcc from PR_RECIPIENT_TYPE), the transport headers when
// the message has been sent, one body and every attachment.
//
// The body is the plain-text body when there is one, else the HTML body (converted to UTF-8),
// else the compressed RTF body, decompressed and kept as an attachment named "(mailtekst).rtf"
// (application/rtf) because a Body is only text/plain or text/html. An attached Outlook
// message (attach method 5) is parsed too: its Attachment has ContentType
// "application/vnd.ms-outlook", the parsed message in Attachment.Message and, in Data, the
// attached message written out as a .msg file of its own (which ParseMSG reads back the same;
// Data is empty when these copies, nested ones included, would exceed DefaultMaxBytes). An OLE
// object (method 6) keeps its largest stream as Data. Message class IPM.Note.SMIME sets
// Encrypted (or Signed when its application/pkcs7-mime attachment is signed-data),
// IPM.Note.SMIME.MultipartSigned sets Signed, and the multipart/signed attachment Outlook keeps
// is parsed as MIME: its bodies and attachments become the message's. As with Parse, body text has "\n" line
// ends and an attachment without a name is named "attachment-N.ext".
//
// It fails with ErrTooLarge (input above DefaultMaxBytes; no Message), ErrMalformed (not an
// Outlook message, or a damaged compound file; no Message, unless the damage is in a stream
// after the message's own properties were read: then the Message holds what was read before
// and must not be treated as complete) or ErrTooComplex (attached messages nested deeper than
// MaxDepth, more than MaxParts attachments and recipients, an RTF body above DefaultMaxBytes;
// the Message returned holds what was read before). Errors never quote content. It never
// panics.
func ParseMSG(data []byte) (*Message, error) {
	return parseMSG(data, defaultLimits(DefaultMaxBytes))
}

func parseMSG(data []byte, lim limits) (msg *Message, err error) {
	if int64(len(data)) > lim.maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, lim.maxBytes)
	}
	defer func() {
		if msgNoRecover {
			return
		}
		if r := recover(); r != nil {
			// The panic value may quote content: do not report it.
			msg, err = nil, fmt.Errorf("%w: damaged compound file", ErrMalformed)
		}
	}()
	r, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: not an OLE compound file", ErrMalformed)
	}
	x := &cfbIndex{children: map[string]map[string]*mscfb.File{}, budget: int64(len(data)), cache: map[*mscfb.File][]byte{}}
	for _, f := range r.File {
		key := strings.Join(f.Path, "\x00")
		m := x.children[key]
		if m == nil {
			m = map[string]*mscfb.File{}
			x.children[key] = m
		}
		if _, dup := m[f.Name]; !dup {
			m[f.Name] = f
		}
	}
	root := storage{x: x}
	if !root.isMessage() {
		return nil, fmt.Errorf("%w: not an Outlook message", ErrMalformed)
	}
	p := &msgParser{lim: lim, x: x}
	return p.message(root, 0)
}

// msgNoRecover lets panics escape ParseMSG; only the fuzz test sets it, to see them.
var msgNoRecover = false

// cfbIndex finds the entries of a compound file by storage path.
type cfbIndex struct {
	children map[string]map[string]*mscfb.File // by parent path (names joined by NUL), by name
	budget   int64                             // bytes that may still be read
	cache    map[*mscfb.File][]byte            // streams read so far
}

// storage is one storage of the compound file (the root when path is empty).
type storage struct {
	x    *cfbIndex
	path []string
}

func (s storage) key() string { return strings.Join(s.path, "\x00") }

func (s storage) entry(name string) *mscfb.File { return s.x.children[s.key()][name] }

func (s storage) sub(name string) (storage, bool) {
	f := s.entry(name)
	if f == nil || !f.FileInfo().IsDir() {
		return storage{}, false
	}
	return storage{x: s.x, path: append(slices.Clip(s.path), name)}, true
}

// subs returns the child storages whose names start with prefix, sorted by name.
func (s storage) subs(prefix string) []storage {
	var names []string
	for name, f := range s.x.children[s.key()] {
		if strings.HasPrefix(name, prefix) && f.FileInfo().IsDir() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := make([]storage, 0, len(names))
	for _, n := range names {
		sub, _ := s.sub(n)
		out = append(out, sub)
	}
	return out
}

func (s storage) isMessage() bool {
	if s.entry(msgProps) != nil {
		return true
	}
	for name := range s.x.children[s.key()] {
		if strings.HasPrefix(name, msgSubstg) {
			return true
		}
	}
	return false
}

// stream reads the named stream; ok is false when there is none.
func (s storage) stream(name string) ([]byte, bool, error) {
	f := s.entry(name)
	if f == nil || f.FileInfo().IsDir() {
		return nil, false, nil
	}
	b, err := s.x.read(f)
	return b, err == nil, err
}

// read returns the content of a stream, read once (a File reads only once) and kept.
func (x *cfbIndex) read(f *mscfb.File) ([]byte, error) {
	if f.Size <= 0 {
		return nil, nil
	}
	if b, ok := x.cache[f]; ok {
		return b, nil
	}
	if f.Size > x.budget {
		return nil, fmt.Errorf("%w: streams larger than the file", ErrMalformed)
	}
	x.budget -= f.Size
	b := make([]byte, f.Size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("%w: damaged stream", ErrMalformed)
	}
	x.cache[f] = b
	return b, nil
}

// props are the fixed-size properties of a property stream, by property ID (the low 32 bits).
type props map[uint16]uint32

// readProps reads a property stream whose header is hdr bytes long: 32 for the top-level
// message, 24 for an attached message, 8 for recipients and attachments.
func (s storage) readProps(hdr int) (props, error) {
	b, _, err := s.stream(msgProps)
	if err != nil {
		return nil, err
	}
	out := props{}
	for off := hdr; off+16 <= len(b); off += 16 {
		typ, id := binary.LittleEndian.Uint16(b[off:]), binary.LittleEndian.Uint16(b[off+2:])
		switch typ {
		case 0x0002, 0x0003, 0x000B: // PtypInteger16, PtypInteger32, PtypBoolean
			out[id] = binary.LittleEndian.Uint32(b[off+8:])
		}
	}
	return out, nil
}

// msgParser holds the state of one ParseMSG call.
type msgParser struct {
	lim     limits
	x       *cfbIndex
	parts   int // attachments and recipients read so far
	unnamed int // attachments named by us so far
}

// strProp reads a string property: PT_UNICODE (001F), else PT_STRING8 (001E) in codepage cp.
func (s storage) strProp(id uint16, cp uint32) (string, error) {
	b, ok, err := s.stream(fmt.Sprintf("%s%04X001F", msgSubstg, id))
	if err != nil {
		return "", err
	}
	if ok {
		return strings.TrimRight(utf16LE(b), "\x00"), nil
	}
	b, ok, err = s.stream(fmt.Sprintf("%s%04X001E", msgSubstg, id))
	if err != nil || !ok {
		return "", err
	}
	return strings.TrimRight(decodeText(b, codepageLabel(cp)), "\x00"), nil
}

func (s storage) binProp(id uint16) ([]byte, bool, error) {
	return s.stream(fmt.Sprintf("%s%04X0102", msgSubstg, id))
}

func utf16LE(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// codepageLabel names a Windows code page as a charset label; 0 is windows-1252.
func codepageLabel(cp uint32) string {
	switch cp {
	case 0, 1252:
		return "windows-1252"
	case 65001:
		return "utf-8"
	case 20127:
		return "us-ascii"
	case 28591:
		return "iso-8859-1"
	case 28605:
		return "iso-8859-15"
	case 1200:
		return "utf-16le"
	case 1201:
		return "utf-16be"
	case 932:
		return "shift_jis"
	case 936:
		return "gbk"
	case 949:
		return "euc-kr"
	case 950:
		return "big5"
	case 20866:
		return "koi8-r"
	case 50220, 50221, 50222:
		return "iso-2022-jp"
	}
	if cp >= 1250 && cp <= 1258 {
		return fmt.Sprintf("windows-%d", cp)
	}
	if cp >= 28592 && cp <= 28599 {
		return fmt.Sprintf("iso-8859-%d", cp-28590)
	}
	return "windows-1252"
}

// strReader reads string properties of one storage, keeping the first error.
type strReader struct {
	s   storage
	cp  uint32
	err error
}

func (r *strReader) get(id uint16) string {
	v, err := r.s.strProp(id, r.cp)
	if r.err == nil {
		r.err = err
	}
	return strings.TrimSpace(v)
}

// smtp returns the address property id when the address type property typeID is SMTP (or
// missing while the address looks like one).
func (r *strReader) smtp(id, typeID uint16) string {
	addr, typ := r.get(id), r.get(typeID)
	if strings.EqualFold(typ, "SMTP") || (typ == "" && strings.Contains(addr, "@")) {
		return addr
	}
	return ""
}

func firstNonEmpty(list ...string) string {
	for _, s := range list {
		if s != "" {
			return s
		}
	}
	return ""
}

// message reads the message in storage s, at nesting depth depth (0 for the file itself).
func (p *msgParser) message(s storage, depth int) (*Message, error) {
	hdr := 32
	if depth > 0 {
		hdr = 24
	}
	pr, err := s.readProps(hdr)
	if err != nil {
		return nil, err
	}
	cp := pr[pidMessageCodepage]
	r := &strReader{s: s, cp: cp}
	msg := &Message{Header: textproto.MIMEHeader{}}
	if raw := r.get(pidTransportHeaders); raw != "" {
		h, _, _ := readHeader([]byte(raw+"\r\n\r\n"), p.lim.maxFields)
		if h != nil {
			msg.Header = h
		}
	}
	msg.Subject = r.get(pidSubject)
	if msg.Subject == "" && msg.Header.Get("Subject") != "" {
		msg.Subject = decodeHeaderText(newWordDecoder(), msg.Header.Get("Subject"))
	}
	msg.From = Address{
		Name: firstNonEmpty(r.get(pidSenderName), r.get(pidSentReprName)),
		Address: firstNonEmpty(r.get(pidSenderSMTP), r.smtp(pidSenderEmail, pidSenderAddrType),
			r.get(pidSentReprSMTP), r.smtp(pidSentReprEmail, pidSentReprAddrType)),
	}
	if msg.From.Address == "" && len(msg.Header["From"]) > 0 {
		if a := firstAddress(parseAddressHeaders(newWordDecoder(), msg.Header["From"])); a.Address != "" {
			msg.From.Address = a.Address
			msg.From.Name = firstNonEmpty(msg.From.Name, a.Name)
		}
	}
	class := strings.ToLower(r.get(pidClass))
	if r.err != nil {
		return nil, r.err
	}
	if err := p.recipients(s, cp, msg); err != nil {
		return msg, err
	}
	if err := p.body(s, pr, r, msg); err != nil {
		return msg, err
	}
	if err := p.attachments(s, cp, depth, msg); err != nil {
		return msg, err
	}
	return msg, p.smime(msg, class)
}

// smime sets Encrypted and Signed for an S/MIME message (class IPM.Note.SMIME...). Outlook
// keeps the S/MIME content as the message's only attachment: a clear-signed message's
// multipart/signed entity is parsed as MIME (its bodies and attachments become the message's);
// opaque application/pkcs7-mime content is signed or encrypted by its CMS content type.
func (p *msgParser) smime(msg *Message, class string) error {
	if !strings.HasPrefix(class, "ipm.note.smime") {
		return nil
	}
	for i, a := range msg.Attachments {
		switch {
		case a.ContentType == "multipart/signed":
			inner, err := parse(a.Data, p.lim)
			if inner == nil {
				continue
			}
			msg.Signed, msg.Encrypted = true, inner.Encrypted
			if len(msg.Bodies) == 0 {
				msg.Bodies = inner.Bodies
			}
			msg.Attachments = slices.Concat(msg.Attachments[:i:i], inner.Attachments, msg.Attachments[i+1:])
			return err
		case isPKCS7Mime(a.ContentType) || isP7MName(a.Name):
			if smimeKind("", a.Data) == smimeSigned {
				msg.Signed = true
			} else {
				// As Parse does: enveloped content is not readable, so it is not an attachment.
				msg.Encrypted = true
				msg.Attachments = slices.Delete(msg.Attachments, i, i+1)
			}
			return nil
		}
	}
	if strings.HasPrefix(class, "ipm.note.smime.multipartsigned") {
		msg.Signed = true
	} else {
		msg.Encrypted = true
	}
	return nil
}

func (p *msgParser) count() error {
	p.parts++
	if p.parts > p.lim.maxParts {
		return fmt.Errorf("%w: more than %d attachments and recipients", ErrTooComplex, p.lim.maxParts)
	}
	return nil
}

func (p *msgParser) recipients(s storage, cp uint32, msg *Message) error {
	for _, rs := range s.subs(msgRecip) {
		if err := p.count(); err != nil {
			return err
		}
		pr, err := rs.readProps(8)
		if err != nil {
			return err
		}
		r := &strReader{s: rs, cp: cp}
		a := Address{
			Name:    r.get(pidDisplayName),
			Address: firstNonEmpty(r.get(pidSMTPAddress), r.smtp(pidEmailAddress, pidAddrType)),
		}
		if r.err != nil {
			return r.err
		}
		if a.Name == "" && a.Address == "" {
			continue
		}
		t, ok := pr[pidRecipientType]
		switch t & 0x0FFFFFFF {
		case 0:
			if ok {
				continue // the originator, not a recipient
			}
			msg.To = append(msg.To, a)
		case 2:
			msg.Cc = append(msg.Cc, a)
		case 3:
			msg.Bcc = append(msg.Bcc, a)
		default:
			msg.To = append(msg.To, a)
		}
	}
	return nil
}

func (p *msgParser) body(s storage, pr props, r *strReader, msg *Message) error {
	if plain := r.get(pidBody); r.err != nil {
		return r.err
	} else if plain != "" {
		msg.Bodies = append(msg.Bodies, Body{ContentType: "text/plain", Content: strings.ReplaceAll(plain, "\r\n", "\n")})
		return nil
	}
	html, ok, err := s.binProp(pidHTML)
	if err != nil {
		return err
	}
	if ok && len(bytes.TrimSpace(html)) > 0 {
		label := ""
		if cp, ok := pr[pidInternetCPID]; ok {
			label = codepageLabel(cp)
		}
		msg.Bodies = append(msg.Bodies, Body{ContentType: "text/html", Content: textContent(html, label)})
		return nil
	}
	if h := r.get(pidHTML); r.err != nil {
		return r.err
	} else if h != "" {
		msg.Bodies = append(msg.Bodies, Body{ContentType: "text/html", Content: strings.ReplaceAll(h, "\r\n", "\n")})
		return nil
	}
	rtf, ok, err := s.binProp(pidRTFCompressed)
	if err != nil || !ok {
		return err
	}
	raw, err := DecompressRTF(rtf, int(min(p.lim.maxBytes, 1<<40)))
	if errors.Is(err, ErrTooLarge) {
		return fmt.Errorf("%w: RTF body larger than %d bytes", ErrTooComplex, p.lim.maxBytes)
	}
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := p.count(); err != nil {
			return err
		}
		msg.Attachments = append(msg.Attachments, Attachment{Name: msgRTFName, ContentType: "application/rtf", Data: raw})
	}
	return nil
}

func (p *msgParser) attachments(s storage, cp uint32, depth int, msg *Message) error {
	for _, as := range s.subs(msgAttach) {
		if err := p.count(); err != nil {
			return err
		}
		pr, err := as.readProps(8)
		if err != nil {
			return err
		}
		r := &strReader{s: as, cp: cp}
		name := cleanFileName(firstNonEmpty(r.get(pidAttachLongName), r.get(pidAttachFilename), r.get(pidDisplayName)))
		mt := strings.ToLower(strings.TrimSpace(r.get(pidAttachMimeTag)))
		if i := strings.IndexByte(mt, ';'); i >= 0 {
			mt = strings.TrimSpace(mt[:i])
		}
		if r.err != nil {
			return r.err
		}
		obj, isObj := as.sub(msgEmbedded)
		switch {
		case isObj && (pr[pidAttachMethod] == 5 || obj.isMessage()) && pr[pidAttachMethod] != 6:
			if depth+1 > p.lim.maxDepth {
				return fmt.Errorf("%w: attached messages nested deeper than %d", ErrTooComplex, p.lim.maxDepth)
			}
			sub, err := p.message(obj, depth+1)
			if sub == nil {
				return err
			}
			if name == "" {
				name = firstNonEmpty(cleanFileName(sub.Subject), "message") + ".msg"
			}
			// The attached message is kept as read (one representation): extraction walks it as
			// it is, nothing writes it out again as a .msg file of its own.
			msg.Attachments = append(msg.Attachments, Attachment{Name: name, ContentType: msgMediaType, Message: sub})
			if err != nil {
				return err
			}
		case isObj:
			data, err := p.largestStream(obj)
			if err != nil {
				return err
			}
			msg.Attachments = append(msg.Attachments, Attachment{Name: firstNonEmpty(name, msgOLEName), ContentType: "application/octet-stream", Data: data})
		default:
			data, _, err := as.binProp(pidAttachData)
			if err != nil {
				return err
			}
			if mt == "" {
				mt = "application/octet-stream"
			}
			if name == "" {
				p.unnamed++
				name = fmt.Sprintf("attachment-%d%s", p.unnamed, extensionFor(mt))
			}
			cid := contentID(r.get(pidAttachContentID))
			inline := pr[pidAttachHidden] != 0 || pr[pidAttachFlags]&4 != 0
			msg.Attachments = append(msg.Attachments, Attachment{Name: name, ContentType: mt, Data: data, ContentID: cid, Inline: inline})
		}
	}
	return nil
}

// largestStream returns the biggest stream inside an OLE object storage (the native data of
// most objects: CONTENTS, Package, Ole10Native, WordDocument, ...).
func (p *msgParser) largestStream(s storage) ([]byte, error) {
	var best *mscfb.File
	seen := 0
	var walk func(s storage, depth int)
	walk = func(s storage, depth int) {
		for name, f := range s.x.children[s.key()] {
			if seen++; seen > msgMaxOLEWalk {
				return
			}
			if f.FileInfo().IsDir() {
				if depth < 8 {
					if sub, ok := s.sub(name); ok {
						walk(sub, depth+1)
					}
				}
			} else if best == nil || f.Size > best.Size || (f.Size == best.Size && f.Name < best.Name) {
				best = f
			}
		}
	}
	walk(s, 0)
	if best == nil {
		return nil, nil
	}
	return p.x.read(best)
}
