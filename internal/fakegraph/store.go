package fakegraph

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/textproto"
	"sort"
	"strings"

	"github.com/sendevagt/sendevagt/internal/fakegraph/rfc822"
	"github.com/sendevagt/sendevagt/internal/message"
)

// maxItemDepth is how deeply Exchange nests attached items.
const maxItemDepth = 30

// Attachment kinds, as Graph's @odata.type.
const (
	kindFile      = "#microsoft.graph.fileAttachment"
	kindItem      = "#microsoft.graph.itemAttachment"
	kindReference = "#microsoft.graph.referenceAttachment"
)

type address struct{ name, addr string }

type header struct{ name, value string }

// item is a message as Exchange stores it.
type item struct {
	id          string
	subject     string
	bodyType    string // "text" or "html"
	body        string
	from        *address
	to, cc, bcc []address
	headers     []header
	attachments []*attachment
	// raw is the MIME of an attached item ($value); source is the Message it was made from
	// when there is no raw MIME.
	raw    []byte
	source *message.Message
}

type attachment struct {
	id, name, contentType string
	kind                  string
	size                  int
	isInline              bool
	contentID             string // file attachments: a picture of the body
	data                  []byte // file attachments
	item                  *item  // item attachments
	sourceURL             string // reference attachments (not exposed by Graph v1.0)
}

// AddMessage stores m as message id in mailbox (an object id or a UPN, case-insensitive; /me
// requests read the mailbox named by the token's object id, see AddMailboxAlias), the way Exchange holds it: one
// body (all text bodies joined as text, or as HTML when any body is HTML), the custom "X-"
// header fields as internetMessageHeaders, file attachments with their bytes, attached emails
// (message/rfc822, parsed with message.Parse, or an already parsed Attachment.Message) as item
// attachments holding nested messages with their own attachments. Attachments with Unread set
// are left out. A message with the same id is replaced.
func (s *Server) AddMessage(mailbox, id string, m *message.Message) {
	it := fromMessage(m, id, 0)
	it.id = id
	s.mu.Lock()
	defer s.mu.Unlock()
	key := s.canon(mailbox)
	if s.mailboxes[key] == nil {
		s.mailboxes[key] = map[string]*item{}
	}
	s.mailboxes[key][id] = it
}

// AddReferenceAttachment adds a reference (cloud link) attachment named name to message id in
// mailbox. It reports false when there is no such message.
func (s *Server) AddReferenceAttachment(mailbox, id, name, sourceURL string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.mailboxes[s.canon(mailbox)][id]
	if it == nil {
		return false
	}
	it.attachments = append(it.attachments, &attachment{
		id: attachmentID(id, len(it.attachments)), name: name, kind: kindReference,
		contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		size:        len(sourceURL) + 400, sourceURL: sourceURL,
	})
	return true
}

// AddMailboxAlias makes upn another name of the mailbox of user oid, as in Exchange: messages
// added under either name (before or after) are found through /me (with a token of oid),
// /users/{oid} and /users/{upn}.
func (s *Server) AddMailboxAlias(oid, upn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, u := strings.ToLower(oid), strings.ToLower(upn)
	s.aliases[u] = o
	if moved := s.mailboxes[u]; moved != nil {
		if s.mailboxes[o] == nil {
			s.mailboxes[o] = map[string]*item{}
		}
		for id, it := range moved {
			s.mailboxes[o][id] = it
		}
		delete(s.mailboxes, u)
	}
}

// canon is the mailbox key of name (an object id or UPN); s.mu must be held.
func (s *Server) canon(name string) string {
	k := strings.ToLower(name)
	if o, ok := s.aliases[k]; ok {
		return o
	}
	return k
}

// lookup returns message id of mailbox key, or nil.
func (s *Server) lookup(mailbox, id string) *item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mailboxes[s.canon(mailbox)][id]
}

// attachmentID is an opaque id in the style of Exchange's (base64 with '-', '_' and '=').
func attachmentID(parent string, i int) string {
	return "AAMkAtt" + base64.URLEncoding.EncodeToString([]byte(fmt.Sprintf("%s\x00%d", parent, i)))
}

func fromMessage(m *message.Message, id string, depth int) *item {
	it := &item{id: id, subject: m.Subject}
	it.bodyType, it.body = joinBodies(m.Bodies)
	if m.From.Address != "" || m.From.Name != "" {
		it.from = &address{m.From.Name, m.From.Address}
	}
	it.to, it.cc, it.bcc = addresses(m.To), addresses(m.Cc), addresses(m.Bcc)
	it.headers = customHeaders(m.Header)
	for _, a := range m.Attachments {
		if a.Unread != nil {
			continue
		}
		att := &attachment{id: attachmentID(id, len(it.attachments)), name: a.Name, isInline: a.Inline, contentID: a.ContentID}
		switch nested := nestedMessage(a); {
		case nested != nil && depth < maxItemDepth:
			att.kind = kindItem
			att.item = fromMessage(nested, att.id, depth+1)
			if a.Message == nil {
				att.item.raw = a.Data
			} else {
				att.item.source = a.Message
			}
			att.size = len(att.item.mime())
		default:
			att.kind = kindFile
			att.contentType = a.ContentType
			if att.contentType == "" {
				att.contentType = "application/octet-stream"
			}
			att.data = a.Data
			att.size = len(a.Data)
		}
		it.attachments = append(it.attachments, att)
	}
	return it
}

// nestedMessage is the attached email in a, or nil when a is a plain file.
func nestedMessage(a message.Attachment) *message.Message {
	if a.Message != nil {
		return a.Message
	}
	if a.ContentType != "message/rfc822" {
		return nil
	}
	m, _ := message.Parse(a.Data)
	return m
}

// mime is the item as Graph's $value gives it.
func (it *item) mime() []byte {
	if it.raw != nil {
		return it.raw
	}
	src := it.source
	if src == nil {
		src = &message.Message{Subject: it.subject}
	}
	b, err := rfc822.Bytes(src)
	if err != nil {
		return nil
	}
	it.raw = b
	return b
}

func joinBodies(bodies []message.Body) (string, string) {
	anyHTML := false
	for _, b := range bodies {
		if strings.EqualFold(b.ContentType, "text/html") {
			anyHTML = true
		}
	}
	parts := make([]string, 0, len(bodies))
	for _, b := range bodies {
		switch {
		case !anyHTML:
			parts = append(parts, b.Content)
		case strings.EqualFold(b.ContentType, "text/html"):
			parts = append(parts, b.Content)
		default:
			parts = append(parts, `<div style="white-space:pre-wrap">`+html.EscapeString(b.Content)+`</div>`)
		}
	}
	if anyHTML {
		return "html", strings.Join(parts, "\n")
	}
	return "text", strings.Join(parts, "\n\n")
}

func addresses(list []message.Address) []address {
	out := make([]address, 0, len(list))
	for _, a := range list {
		out = append(out, address{a.Name, a.Address})
	}
	return out
}

// customHeaders are the "X-" fields: for a draft, Graph's internetMessageHeaders hold only what
// the client set (Office.js internetHeaders), never transport fields.
func customHeaders(h textproto.MIMEHeader) []header {
	keys := make([]string, 0, len(h))
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []header
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, header{k, strings.TrimSpace(v)})
		}
	}
	return out
}
