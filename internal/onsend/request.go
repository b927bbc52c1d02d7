package onsend

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"net/textproto"
	"path/filepath"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sendevagt/sendevagt/internal/apperr"
	"github.com/sendevagt/sendevagt/internal/message"
)

// Request is the body of POST /api/v1/onsend, as the add-in sends it.
type Request struct {
	// ItemID is the draft's REST id (the add-in converts the EWS id). Without Inline the service
	// fetches the draft through Microsoft Graph by this id.
	ItemID string `json:"itemId"`
	// Mailbox is the address of the mailbox holding the draft ("" or the user's own: /me).
	Mailbox    string     `json:"mailbox"`
	Subject    string     `json:"subject"`
	From       *Address   `json:"from"`
	Recipients Recipients `json:"recipients"`
	// Headers are internet headers the add-in knows the draft carries (X-Sendevagt-Route). Only
	// a bounded number of well-formed, short ones are kept (see Headers); the rest is ignored.
	Headers Headers `json:"headers"`
	// Inline is the draft's content, sent by clients whose drafts Graph cannot read yet.
	Inline *Inline `json:"inline"`
	// OverrideID names the employee's recorded override of a warning (POST /api/v1/override):
	// a warning of this Send is then allowed and audited as an override.
	OverrideID string `json:"overrideId"`
	// Preview is the add-in's check while the mail is being written (the info bar): decided like
	// a Send, but not audited, since nothing is sent.
	Preview bool `json:"preview"`
}

// Address is a recipient or the sender. It decodes from {"name","address"} or from a string.
type Address struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// UnmarshalJSON accepts an object or a plain string ("Name <a@b>" or "a@b").
func (a *Address) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if p, err := mail.ParseAddress(s); err == nil {
			a.Name, a.Address = p.Name, p.Address
		} else {
			a.Address = s
		}
		return nil
	}
	type plain Address
	return json.Unmarshal(b, (*plain)(a))
}

// Recipients are the draft's recipients as the compose window shows them.
type Recipients struct {
	To  []Address `json:"to"`
	Cc  []Address `json:"cc"`
	Bcc []Address `json:"bcc"`
}

// Inline is the content of a draft sent by the add-in.
type Inline struct {
	Body        *InlineBody        `json:"body"`
	Attachments []InlineAttachment `json:"attachments"`
}

// InlineBody is the draft's body.
type InlineBody struct {
	ContentType string `json:"contentType"` // "html" or "text"
	Content     string `json:"content"`
}

// InlineAttachment is one attachment. An attachment the add-in could not or would not send
// (too large, a cloud link) comes without content, with its size or type: it is then reported
// as not scanned, never as clean.
type InlineAttachment struct {
	Name          string  `json:"name"`
	ContentType   string  `json:"contentType"`
	ContentBase64 Content `json:"contentBase64"`
	// Part names the multipart/form-data part that holds the content as bytes, for a request
	// uploaded as multipart/form-data (the request's JSON in the part "request"): the cheaper
	// form of contentBase64 (no base64, a quarter fewer bytes, no copy on the service). Only one
	// of the two may be given.
	Part string `json:"part"`
	// Size is the attachment's size in bytes as Outlook reports it.
	Size int64 `json:"size"`
	// AttachmentType is Office.js's attachmentType: "file", "item" or "cloud".
	AttachmentType string `json:"attachmentType"`
	// Omitted says why the content is not included ("too_large", "unavailable").
	Omitted string `json:"omitted"`
	// SHA256 (hex) stands for the content when the add-in pre-scanned the attachment and did not
	// send it again: the service takes its documents from the pre-scan cache.
	SHA256 string `json:"sha256"`
	// IsInline is Office.js's isInline: a picture of the body (a signature logo), not a file the
	// employee attached.
	IsInline bool `json:"isInline"`
}

// Limits bound the work one request makes. A message over a limit is still decided: what lies
// beyond a limit is reported too large (never a refusal the add-in would have to guess about).
type Limits struct {
	// MaxRecipients (To+Cc+Bcc, in that order) are compared with the persons in the message;
	// the ones beyond are reported as a too-large part "(modtagere)".
	// (Attachments beyond the scanner's limit, scan.Options.MaxAttachments, are reported too
	// large by the scanner, on Send and in the pre-scan alike.)
	MaxRecipients int
}

// DefaultLimits are generous for real mail and bound absurd requests.
var DefaultLimits = Limits{MaxRecipients: 1000}

// RecipientsDocument names the part of a message that stands for recipients beyond MaxRecipients.
const RecipientsDocument = "(modtagere)"

func invalid(format string, args ...any) error { return apperr.Errorf(apperr.Invalid, format, args...) }

// validate checks the request's shape. It never echoes content in its messages.
func (r *Request) validate(lim Limits) error {
	if r.Inline == nil && strings.TrimSpace(r.ItemID) == "" {
		return invalid("either itemId or inline content is required")
	}
	if len(r.ItemID) > 1024 {
		return invalid("itemId is too long")
	}
	for field, list := range map[string][]Address{"to": r.Recipients.To, "cc": r.Recipients.Cc, "bcc": r.Recipients.Bcc} {
		for i, a := range list {
			if !plausibleAddress(a.Address) {
				return invalid("recipients.%s[%d].address is not an email address", field, i)
			}
		}
	}
	if r.Inline != nil {
		for i, a := range r.Inline.Attachments {
			if a.SHA256 != "" && !isSHA256(a.SHA256) {
				return invalid("inline.attachments[%d].sha256 is not a hex SHA-256", i)
			}
		}
		if b := r.Inline.Body; b != nil {
			switch strings.ToLower(b.ContentType) {
			case "", "text", "html", "text/plain", "text/html":
			default:
				return invalid("inline.body.contentType must be html or text")
			}
		}
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// plausibleAddress accepts what Outlook puts in a recipient well: an SMTP address, or an
// Exchange-only address that at least has a local part and a domain.
func plausibleAddress(s string) bool {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \r\n<>")
}

func toAddresses(list []Address) []message.Address {
	out := make([]message.Address, 0, len(list))
	for _, a := range list {
		out = append(out, message.Address{Name: strings.TrimSpace(a.Name), Address: strings.TrimSpace(a.Address)})
	}
	return out
}

// applyEnvelope puts the compose window's recipients, subject, sender and headers on msg: they
// are what will be sent, even when the copy Graph holds is a few seconds older. Only the headers
// the verdict depends on are taken: Content-Type (S/MIME), X-Sendevagt-Route and the policy's
// secure-mail header (secureHeader). Recipients beyond lim.MaxRecipients are not compared;
// a too-large part says so.
func (r *Request) applyEnvelope(msg *message.Message, lim Limits, secureHeader string) {
	if n := len(r.Recipients.To) + len(r.Recipients.Cc) + len(r.Recipients.Bcc); n > 0 || r.Inline != nil {
		msg.To, msg.Cc, msg.Bcc = toAddresses(r.Recipients.To), toAddresses(r.Recipients.Cc), toAddresses(r.Recipients.Bcc)
	}
	capRecipients(msg, lim.MaxRecipients)
	if r.Subject != "" || r.Inline != nil {
		msg.Subject = r.Subject
	}
	if r.From != nil && r.From.Address != "" {
		msg.From = message.Address{Name: strings.TrimSpace(r.From.Name), Address: strings.TrimSpace(r.From.Address)}
	}
	for _, h := range r.Headers {
		if !usedHeader(h.Name, secureHeader) {
			continue
		}
		if msg.Header == nil {
			msg.Header = textproto.MIMEHeader{}
		}
		msg.Header.Set(h.Name, h.Value)
	}
	if smimeEncrypted(msg.Header.Get("Content-Type")) {
		msg.Encrypted = true
	}
}

// usedHeader tells whether the verdict depends on header name.
func usedHeader(name, secureHeader string) bool {
	return strings.EqualFold(name, "Content-Type") || strings.EqualFold(name, "X-Sendevagt-Route") ||
		(secureHeader != "" && strings.EqualFold(name, secureHeader))
}

// capRecipients keeps the first max recipients (To, then Cc, then Bcc) and reports the rest as
// a part of the message that was too large to check.
func capRecipients(msg *message.Message, max int) {
	if max <= 0 {
		return
	}
	n := len(msg.To) + len(msg.Cc) + len(msg.Bcc)
	if n <= max {
		return
	}
	left := max
	for _, list := range []*[]message.Address{&msg.To, &msg.Cc, &msg.Bcc} {
		if len(*list) > left {
			*list = (*list)[:left]
		}
		left -= len(*list)
	}
	msg.Attachments = append(msg.Attachments, message.Attachment{
		Name: RecipientsDocument, ContentType: "text/plain",
		Unread: &message.Unread{Status: "too_large",
			Detail: fmt.Sprintf("%d recipients; the %d beyond the first %d were not checked", n, n-max, max)},
	})
}

// smimeEncrypted reports an S/MIME enveloped message by its top-level Content-Type (Graph lists
// it among internetMessageHeaders; an S/MIME signature alone does not count).
func smimeEncrypted(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if mt != "application/pkcs7-mime" && mt != "application/x-pkcs7-mime" {
		return false
	}
	st := strings.ToLower(params["smime-type"])
	return st == "" || strings.Contains(st, "enveloped")
}

// inlineMessage builds the message from inline content. An attachment whose content is missing
// or not valid base64 is kept, marked as not read; the rest is scanned.
func (r *Request) inlineMessage() *message.Message {
	msg := &message.Message{}
	if b := r.Inline.Body; b != nil && b.Content != "" {
		ct := "text/plain"
		if strings.Contains(strings.ToLower(b.ContentType), "html") {
			ct = "text/html"
		}
		msg.Bodies = []message.Body{{ContentType: ct, Content: b.Content}}
	}
	for i, a := range r.Inline.Attachments {
		name := strings.TrimSpace(a.Name)
		if name == "" {
			name = fmt.Sprintf("vedhæftning %d", i+1)
		}
		att := message.Attachment{Name: name, ContentType: mediaType(a.ContentType, name), Inline: a.IsInline}
		switch {
		case strings.EqualFold(a.AttachmentType, "cloud"):
			att.Unread = &message.Unread{Status: "unsupported", Detail: "cloud link (OneDrive/SharePoint), not scanned"}
		case !a.ContentBase64.Present && a.SHA256 != "" && a.Omitted == "":
			att.SHA256 = strings.ToLower(a.SHA256)
		case !a.ContentBase64.Present:
			detail := "content not sent by the add-in"
			if a.Omitted == "too_large" || a.Size > 0 {
				detail = fmt.Sprintf("content not sent by the add-in (%d bytes)", a.Size)
			}
			status := "unscannable"
			if a.Omitted == "too_large" {
				status = "too_large"
			}
			att.Unread = &message.Unread{Status: status, Detail: detail}
		default:
			if a.ContentBase64.Missing {
				att.Unread = &message.Unread{Status: "unscannable", Detail: "content part missing from the request"}
				break
			}
			if a.ContentBase64.Invalid {
				att.Unread = &message.Unread{Status: "unscannable", Detail: "content is not valid base64"}
				break
			}
			att.Data = a.ContentBase64.Data
		}
		if strings.EqualFold(a.AttachmentType, "item") && att.ContentType == "application/octet-stream" {
			att.ContentType = "message/rfc822" // Office.js gives an attached mail as .eml
		}
		msg.Attachments = append(msg.Attachments, att)
	}
	return msg
}

// Content is an attachment's content, base64 in the JSON. It is decoded straight from the
// request's bytes (no intermediate string: inline attachments are megabytes). Content that is
// not valid base64 does not fail the request: the attachment is reported as unscannable.
type Content struct {
	Data    []byte
	Present bool // a non-empty string was given (or a part named)
	Invalid bool // ... that is not valid base64
	Missing bool // the part named is not in the request
}

// bindParts gives the attachments that name a part their content from parts (a part's bytes
// are used as they are, not copied). A named part that is absent makes that attachment
// unscannable, never clean; naming a part and giving contentBase64 too is invalid.
func bindParts(atts []InlineAttachment, parts map[string][]byte, field string) error {
	for i := range atts {
		a := &atts[i]
		if a.Part == "" {
			continue
		}
		if a.ContentBase64.Present {
			return invalid("%s[%d]: contentBase64 and part are both given", field, i)
		}
		data, ok := parts[a.Part]
		switch {
		case !ok:
			a.ContentBase64 = Content{Present: true, Missing: true}
		case len(data) > 0:
			a.ContentBase64 = Content{Present: true, Data: data}
		}
	}
	return nil
}

// BindParts takes the attachments' content from the parts of a multipart/form-data request.
func (r *Request) BindParts(parts map[string][]byte) error {
	if r.Inline == nil {
		return nil
	}
	return bindParts(r.Inline.Attachments, parts, "inline.attachments")
}

// BindParts takes the attachments' content from the parts of a multipart/form-data request.
func (r *PrescanRequest) BindParts(parts map[string][]byte) error {
	return bindParts(r.Attachments, parts, "attachments")
}

// UnmarshalJSON decodes a JSON string of standard or URL-safe base64, padded or not, with or
// without line breaks.
func (c *Content) UnmarshalJSON(b []byte) error {
	*c = Content{}
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errors.New("contentBase64 must be a string")
	}
	raw := b[1 : len(b)-1]
	if bytes.IndexByte(raw, '\\') >= 0 { // JSON escapes ("\/", "\n"): unquote first
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		raw = []byte(s)
	}
	if len(raw) == 0 {
		return nil
	}
	c.Present = true
	data, err := decodeBase64(raw)
	if err != nil {
		c.Invalid = true
		return nil
	}
	c.Data = data
	return nil
}

// decodeBase64 decodes standard base64 directly and falls back to a cleaned copy for line
// breaks, URL-safe characters and missing padding.
func decodeBase64(raw []byte) ([]byte, error) {
	if len(raw)%4 == 0 {
		dst := make([]byte, base64.StdEncoding.DecodedLen(len(raw)))
		if n, err := base64.StdEncoding.Decode(dst, raw); err == nil {
			return dst[:n], nil
		}
	}
	clean := make([]byte, 0, len(raw))
	for _, c := range raw {
		switch c {
		case '\r', '\n', ' ', '\t', '=':
		case '-':
			clean = append(clean, '+')
		case '_':
			clean = append(clean, '/')
		default:
			clean = append(clean, c)
		}
	}
	dst := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(dst, clean)
	if err != nil {
		return nil, err
	}
	return dst[:n], nil
}

// mediaType cleans a content type, or guesses it from the file name.
func mediaType(ct, name string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt != "" {
		return strings.ToLower(mt)
	}
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		if mt, _, err := mime.ParseMediaType(t); err == nil {
			return mt
		}
	}
	return "application/octet-stream"
}

// Headers are the request's "headers" object, bounded while it is decoded: at most MaxHeaders
// members with a well-formed name of at most MaxHeaderName bytes and a string value of at most
// MaxHeaderValue bytes are kept, in the order given; every other member is skipped without being
// stored, so a huge object costs one pass over its bytes and no memory.
type Headers []Header

// Bounds of the headers object.
const (
	MaxHeaders     = 16
	MaxHeaderName  = 128
	MaxHeaderValue = 1024
)

// UnmarshalJSONFrom decodes the headers object from the request stream.
func (h *Headers) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*h = nil
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '{':
	default:
		return errors.New("headers must be an object")
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		k := name.String()
		if dec.PeekKind() != '"' || len(*h) >= MaxHeaders || !validHeaderName(k) {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		v, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if val := v.String(); len(val) <= MaxHeaderValue && !strings.ContainsAny(val, "\r\n") {
			*h = append(*h, Header{Name: k, Value: val})
		}
	}
	_, err := dec.ReadToken()
	return err
}

// MarshalJSON writes the headers as an object (tests, logs of the shape).
func (h Headers) MarshalJSON() ([]byte, error) {
	m := make(map[string]string, len(h))
	for _, x := range h {
		m[x.Name] = x.Value
	}
	return json.Marshal(m)
}

// validHeaderName accepts an RFC 5322 field name (printable ASCII but ':' and space) of at most
// MaxHeaderName bytes.
func validHeaderName(s string) bool {
	if s == "" || len(s) > MaxHeaderName {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}
