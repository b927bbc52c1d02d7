package extract

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sendevagt/sendevagt/internal/message"
)

// eml reads an attached email (message/rfc822, .eml): its page is a header block in Danish
// ("Fra:", "Til:", "Cc:", "Emne:") followed by the body text (HTML bodies converted); each of its
// attachments becomes a nested Document named "Henvendelse.eml/Lægeerklæring.pdf", extracted
// recursively within the same limits and byte budget.
func (w *walker) eml(j *job) error {
	msg, err := message.Parse(j.data)
	if msg == nil {
		if errors.Is(err, message.ErrTooLarge) {
			return &statusError{TooLarge, "email larger than the message parser's size limit"}
		}
		if isText(j.data) {
			// Named or sent as an email but without a header: a text file, read as one.
			j.typ = "text"
			return w.plain(j)
		}
		return &statusError{Unscannable, "corrupt email: no header fields"}
	}
	return w.email(j, msg, err)
}

// email writes the page of a parsed email (msg, returned by its parser with err) and extracts
// its attachments; an attached email that is already parsed (Attachment.Message, from an
// Outlook message) becomes a nested Document of type "msg" read the same way.
func (w *walker) email(j *job, msg *message.Message, err error) error {
	if msg.Encrypted {
		return &statusError{Encrypted, "S/MIME-encrypted email"}
	}
	s := j.s
	s.write("Fra: " + formatAddress(msg.From) + "\n")
	writeAddressLine(s, "Til", msg.To)
	writeAddressLine(s, "Cc", msg.Cc)
	writeAddressLine(s, "Bcc", msg.Bcc)
	s.write("Emne: " + oneLine(msg.Subject) + "\n\n")
	if err := w.bodies(s, msg.Bodies); err != nil {
		return err
	}
	if err := w.attachments(j, msg.Attachments); err != nil {
		return err
	}
	if errors.Is(err, message.ErrTooComplex) {
		return &statusError{TooLarge, "email structure beyond the message parser's limits (nesting, parts or header fields); only part read"}
	}
	if errors.Is(err, message.ErrCorrupt) {
		// Its parts were all read as well as they could be, but one ran into another.
		return &statusError{Unscannable, "corrupt email: a part could not be separated"}
	}
	if err != nil {
		// A damaged part (an Outlook message stream) after what was read: not fully read.
		return &statusError{Unscannable, "corrupt email: part of it could not be read"}
	}
	return nil
}

// bodies writes the text of an email's bodies (HTML converted), each followed by a blank line.
func (w *walker) bodies(s *sink, bodies []message.Body) error {
	for _, b := range bodies {
		if strings.EqualFold(b.ContentType, "text/html") {
			if err := htmlText(w.ctx, s, []byte(b.Content), "text/html; charset=utf-8"); err != nil {
				return err
			}
		} else {
			s.write(b.Content)
		}
		s.write("\n\n")
	}
	return nil
}

// attachments extracts the attachments of an email (or of a TNEF stream) as nested documents
// "parent/name"; an attachment whose content is missing (Unread) is reported with its status.
func (w *walker) attachments(j *job, atts []message.Attachment) error {
	for i, a := range atts {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		name := a.Name
		if strings.TrimSpace(name) == "" {
			name = fmt.Sprintf("vedhæftning %d", i+1)
		}
		name = j.name + "/" + name
		switch {
		case a.Unread != nil:
			w.docs = append(w.docs, Document{Name: name, Type: quickType(a.Name, a.ContentType, a.Data),
				Status: Status(a.Unread.Status), Detail: a.Unread.Detail, Depth: j.depth + 1})
		case a.Message != nil:
			w.extractJob(&job{name: name, ctype: a.ContentType, depth: j.depth + 1, msg: a.Message})
		default:
			w.nestedJob(j, a.Name, &job{name: name, ctype: a.ContentType, data: a.Data, depth: j.depth + 1, inline: a.Inline})
		}
	}
	return nil
}

// nested extracts data as a document inside j, charged against the byte budget (base is the
// document's own file name, for its type when it is not read).
func (w *walker) nested(j *job, name, base, ctype string, data []byte) {
	w.nestedJob(j, base, &job{name: name, ctype: ctype, data: data, depth: j.depth + 1})
}

// nestedJob is nested for a job that carries more (an attachment's Inline hint).
func (w *walker) nestedJob(j *job, base string, nj *job) {
	n := int64(len(nj.data))
	if n <= w.lim.MaxDocumentBytes {
		if n > w.budget {
			w.docs = append(w.docs, Document{Name: nj.name, Type: quickType(base, nj.ctype, nj.data), Status: TooLarge, Detail: w.totalDetail(), Depth: j.depth + 1})
			return
		}
		w.budget -= n
	}
	w.extractJob(nj)
}

func formatAddress(a message.Address) string {
	switch {
	case a.Name != "" && a.Address != "":
		return oneLine(a.Name) + " <" + a.Address + ">"
	case a.Name != "":
		return oneLine(a.Name)
	}
	return a.Address
}

func writeAddressLine(s *sink, label string, list []message.Address) {
	if len(list) == 0 {
		return
	}
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = formatAddress(a)
	}
	s.write(label + ": " + strings.Join(parts, ", ") + "\n")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
