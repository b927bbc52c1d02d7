// Package message is the model of one outgoing email (sender, recipients, subject, headers, body,
// attachments) and its parsers.
package message

import "net/textproto"

// Address is a mailbox with its display name, as the sender's client shows it.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// Body is the text of the message itself, decoded to UTF-8.
type Body struct {
	ContentType string // "text/plain" or "text/html"
	Content     string
}

// Attachment is one attached file, decoded from its transfer encoding. An attached email
// (message/rfc822) keeps its raw RFC 5322 bytes in Data.
type Attachment struct {
	Name        string
	ContentType string // media type without parameters, lower case
	Data        []byte
	// Message is an attached email that has already been parsed: an Outlook message attached to
	// an Outlook message or to a TNEF stream (ContentType "application/vnd.ms-outlook"), or an
	// attached mail that Graph returned as an item (ContentType "message/rfc822"). An attachment
	// has one representation: with Message set, Data is empty and must not be taken for an empty
	// file; nothing writes the message out as bytes to be parsed again.
	Message *Message
	// Unread, when set, says why the attachment's content is not here at all (a cloud link, a
	// file too large to fetch, a failed download). The scan reports the attachment with that
	// status and never takes the missing content for an empty, clean file.
	Unread *Unread
	// SHA256 (hex) names content that was not sent again because the service already holds
	// its extracted documents from a pre-scan; Data is then empty. The scan looks the documents
	// up by it and reports the attachment as not read if they are gone.
	SHA256 string
	// ContentID is the part's Content-ID without angle brackets ("" when it has none): what an
	// HTML body refers to as "cid:...".
	ContentID string
	// Inline says the attachment belongs to the body's layout: a picture the HTML body shows
	// (MIME Content-Disposition inline with a Content-ID, or a Content-ID the HTML body refers
	// to; Graph's and Office.js's isInline; an Outlook attachment rendered in the body or
	// hidden). Extraction takes an image of it that cannot be read as decorative unless it
	// looks like a page.
	Inline bool
}

// Unread is why an attachment's content could not be obtained. Status is one of the document
// statuses of package extract ("unsupported", "too_large", "unscannable", "encrypted").
type Unread struct {
	Status string
	Detail string
}

// Message is one outgoing email.
type Message struct {
	From    Address
	To      []Address
	Cc      []Address
	Bcc     []Address
	Subject string
	// Header holds the top-level header fields (raw, not RFC 2047-decoded), canonical keys.
	Header textproto.MIMEHeader
	// Bodies are the readable bodies: one alternative of each multipart/alternative (plain text
	// preferred), plus further inline text parts in order.
	Bodies      []Body
	Attachments []Attachment
	// Encrypted is true when the message (or its top-level body) is S/MIME enveloped data
	// (application/pkcs7-mime other than signed-data); its content is not readable in transit.
	Encrypted bool
	// Incomplete says why part of the message could not be read (set by the caller from the
	// parser's error when the parser returned a partial message); "" when it was read whole.
	Incomplete string
	// Signed is true for an S/MIME signature (multipart/signed or signed-data); a signature alone
	// does not make a message secure.
	Signed bool
}

// Recipients returns To, Cc and Bcc in that order.
func (m *Message) Recipients() []Address {
	out := make([]Address, 0, len(m.To)+len(m.Cc)+len(m.Bcc))
	out = append(out, m.To...)
	out = append(out, m.Cc...)
	return append(out, m.Bcc...)
}

// Size is about how many bytes the message's content takes: its subject, bodies and attachments,
// attached messages included. Budgets use it for an attachment that is a parsed message.
func (m *Message) Size() int64 {
	if m == nil {
		return 0
	}
	n := int64(len(m.Subject))
	for _, b := range m.Bodies {
		n += int64(len(b.Content))
	}
	for _, a := range m.Attachments {
		n += int64(len(a.Data)) + a.Message.Size()
	}
	return n
}
