package message

import (
	"fmt"
	"net/textproto"
	"strings"
)

// entity is one MIME entity: its header and its body, still transfer-encoded.
type entity struct {
	header textproto.MIMEHeader
	body   []byte
	depth  int
	// topLevel is true for the message itself and for the content of a top-level
	// multipart/signed: where S/MIME encryption makes the whole message encrypted.
	topLevel bool
	// inDigest is true for a part of multipart/digest, whose default type is message/rfc822.
	inDigest bool
}

// sink collects what a walk finds. Alternatives each get their own and are merged after.
type sink struct {
	bodies      []Body
	attachments []Attachment
}

// contentType is an entity's parsed Content-Type.
type contentType struct {
	mediaType string // lower case, "" when missing or invalid
	params    map[string]string
}

func (e entity) contentType() contentType {
	mt, params := parseMediaType(e.header.Get("Content-Type"))
	if typ, sub, ok := strings.Cut(mt, "/"); !ok || typ == "" || sub == "" || strings.Contains(sub, "/") {
		mt = ""
	}
	return contentType{mediaType: mt, params: params}
}

// effectiveType is the media type used to handle the entity: the declared one, or the
// default for its context (text/plain; message/rfc822 in a digest).
func (e entity) effectiveType(ct contentType) string {
	switch {
	case ct.mediaType != "":
		return ct.mediaType
	case e.inDigest:
		return "message/rfc822"
	default:
		return "text/plain"
	}
}

// data returns the body decoded from its transfer encoding.
func (e entity) data() []byte {
	return decodeTransfer(e.header.Get("Content-Transfer-Encoding"), e.body)
}

// messageData is the body of an attached message. A transfer encoding on message/rfc822 is
// invalid (RFC 2046 5.2.1) but occurs; it is undone unless the body already is a multipart
// message as it stands, which decoding as quoted-printable would merge (see multipartBody).
func (e entity) messageData() []byte {
	if isIdentityEncoding(e.header.Get("Content-Transfer-Encoding")) {
		return e.body
	}
	h, _, _ := readHeader(e.body, 1000)
	if mt, _ := parseMediaType(h.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") {
		return e.body
	}
	return e.data()
}

// readHeader reads an entity's header within the message's header-field budget.
func (p *parser) readHeader(b []byte) (textproto.MIMEHeader, []byte, error) {
	h, body, exceeded := readHeader(b, p.lim.maxFields-p.fields)
	for _, values := range h {
		p.fields += len(values)
	}
	if exceeded {
		return h, body, fmt.Errorf("%w: more than %d header fields", ErrTooComplex, p.lim.maxFields)
	}
	return h, body, nil
}

// walk handles one entity and everything inside it. It returns an error only when a limit
// is hit; what was found before stays in out.
func (p *parser) walk(e entity, out *sink) error {
	ct := e.contentType()
	mt := e.effectiveType(ct)
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		return p.walkMultipart(e, ct, out)
	case mt == "message/rfc822" || mt == "message/global":
		p.addMessage(e, ct, out)
	case isPKCS7Mime(mt) || mt == "application/octet-stream" && isP7MName(p.fileName(e, ct)):
		return p.addPKCS7(e, ct, out)
	default:
		p.addLeaf(e, ct, mt, out)
	}
	return nil
}

// addLeaf adds a body for an inline text part, an attachment for anything else.
func (p *parser) addLeaf(e entity, ct contentType, mt string, out *sink) {
	disposition, _ := parseMediaType(e.header.Get("Content-Disposition"))
	name := p.fileName(e, ct)
	data := e.data()
	if isBodyText(mt) && name == "" && disposition != "attachment" {
		out.bodies = append(out.bodies, Body{ContentType: bodyType(mt), Content: textContent(data, ct.params["charset"])})
		return
	}
	if ct.mediaType == "" {
		mt = "application/octet-stream" // a named part without a usable type
	}
	p.addAttachment(out, name, mt, data)
	a := &out.attachments[len(out.attachments)-1]
	a.ContentID = contentID(e.header.Get("Content-Id"))
	a.Inline = disposition == "inline" && a.ContentID != ""
}

func (p *parser) addAttachment(out *sink, name, mediaType string, data []byte) {
	if name == "" {
		p.unnamed++
		name = fmt.Sprintf("attachment-%d%s", p.unnamed, extensionFor(mediaType))
	}
	out.attachments = append(out.attachments, Attachment{Name: name, ContentType: mediaType, Data: data})
}

// isBodyText reports whether an inline part of this type is read as a body. RTF is text/* but
// markup, and an invitation or contact card (text/calendar, text/vcard) has folded lines and
// escapes: they go to the extract package as attachments, which reads them as what they are.
func isBodyText(mediaType string) bool {
	switch mediaType {
	case "text/rtf", "text/calendar", "text/x-vcalendar", "text/vcard", "text/x-vcard", "text/directory":
		return false
	}
	return strings.HasPrefix(mediaType, "text/")
}

func bodyType(mediaType string) string {
	if mediaType == "text/html" {
		return "text/html"
	}
	return "text/plain"
}

// textContent decodes body text to UTF-8 with "\n" line ends.
func textContent(data []byte, charset string) string {
	s := decodeText(data, charset)
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s
}

// addMessage adds an attached message whole: the extract package parses it in turn.
func (p *parser) addMessage(e entity, ct contentType, out *sink) {
	data := e.messageData()
	name := p.fileName(e, ct)
	if name == "" {
		name = p.messageFileName(data)
	}
	out.attachments = append(out.attachments, Attachment{Name: name, ContentType: "message/rfc822", Data: data})
}

// messageFileName names an attached message after its subject.
func (p *parser) messageFileName(data []byte) string {
	h, _, _ := readHeader(data, 1000)
	subject := cleanFileName(decodeHeaderText(p.dec, h.Get("Subject")))
	if subject == "" {
		return "message.eml"
	}
	return subject + ".eml"
}
