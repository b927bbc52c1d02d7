package graph

import (
	"fmt"
	"mime"
	"net/textproto"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/sendevagt/sendevagt/internal/message"
)

// convertMessage maps a Graph message's envelope, custom headers and body (attachments are
// the caller's).
func convertMessage(gm models.Messageable) *message.Message {
	m := &message.Message{
		Subject: deref(gm.GetSubject()),
		To:      addresses(gm.GetToRecipients()),
		Cc:      addresses(gm.GetCcRecipients()),
		Bcc:     addresses(gm.GetBccRecipients()),
		Header:  textproto.MIMEHeader{},
	}
	from := address(gm.GetFrom())
	if from.Address == "" && from.Name == "" {
		from = address(gm.GetSender())
	}
	m.From = from
	for _, h := range gm.GetInternetMessageHeaders() {
		if h == nil || deref(h.GetName()) == "" {
			continue
		}
		m.Header.Add(textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(*h.GetName())), deref(h.GetValue()))
	}
	if b := gm.GetBody(); b != nil && deref(b.GetContent()) != "" {
		ct := "text/plain"
		if b.GetContentType() != nil && *b.GetContentType() == models.HTML_BODYTYPE {
			ct = "text/html"
		}
		m.Bodies = []message.Body{{ContentType: ct, Content: *b.GetContent()}}
	}
	return m
}

func address(r models.Recipientable) message.Address {
	if r == nil || r.GetEmailAddress() == nil {
		return message.Address{}
	}
	e := r.GetEmailAddress()
	return message.Address{Name: strings.TrimSpace(deref(e.GetName())), Address: strings.TrimSpace(deref(e.GetAddress()))}
}

func addresses(list []models.Recipientable) []message.Address {
	out := make([]message.Address, 0, len(list))
	for _, r := range list {
		if a := address(r); a.Address != "" || a.Name != "" {
			out = append(out, a)
		}
	}
	return out
}

// mediaType is a Graph contentType as message.Attachment wants it: lower case, no parameters.
func mediaType(ct *string) string {
	s := strings.TrimSpace(deref(ct))
	if s == "" {
		return "application/octet-stream"
	}
	if mt, _, err := mime.ParseMediaType(s); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(s, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// withExtension makes sure name ends in ext (".eml", ".txt"), so that the extraction's type
// sniffing (which trusts extensions) reads an attached item as what it is.
func withExtension(name, ext string) string {
	if name == "" {
		return "vedhæftet" + ext
	}
	if strings.HasSuffix(strings.ToLower(name), ext) {
		return name
	}
	return name + ext
}

func unread(name, status, detail string) message.Attachment {
	return message.Attachment{Name: name, Unread: &message.Unread{Status: status, Detail: detail}}
}

// contactText is the readable text of an attached contact.
func contactText(c models.Contactable) string {
	var b strings.Builder
	line := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, v)
		}
	}
	line("Navn", deref(c.GetDisplayName()))
	line("Fornavn", deref(c.GetGivenName()))
	line("Efternavn", deref(c.GetSurname()))
	line("Stilling", deref(c.GetJobTitle()))
	line("Firma", deref(c.GetCompanyName()))
	for _, e := range c.GetEmailAddresses() {
		if e != nil {
			line("E-mail", strings.TrimSpace(deref(e.GetName())+" <"+deref(e.GetAddress())+">"))
		}
	}
	line("Mobil", deref(c.GetMobilePhone()))
	line("Telefon (privat)", strings.Join(c.GetHomePhones(), ", "))
	line("Telefon (arbejde)", strings.Join(c.GetBusinessPhones(), ", "))
	line("Adresse (privat)", postal(c.GetHomeAddress()))
	line("Adresse (arbejde)", postal(c.GetBusinessAddress()))
	line("Adresse (anden)", postal(c.GetOtherAddress()))
	if bd := c.GetBirthday(); bd != nil {
		line("Fødselsdag", bd.Format("2006-01-02"))
	}
	line("Ægtefælle", deref(c.GetSpouseName()))
	line("Børn", strings.Join(c.GetChildren(), ", "))
	if notes := strings.TrimSpace(deref(c.GetPersonalNotes())); notes != "" {
		b.WriteString("\n" + notes + "\n")
	}
	return b.String()
}

func postal(a models.PhysicalAddressable) string {
	if a == nil {
		return ""
	}
	parts := []string{deref(a.GetStreet()), strings.TrimSpace(deref(a.GetPostalCode()) + " " + deref(a.GetCity())),
		deref(a.GetState()), deref(a.GetCountryOrRegion())}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// eventText is the readable text of an attached calendar event.
func eventText(e models.Eventable) string {
	var b strings.Builder
	line := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, v)
		}
	}
	line("Emne", deref(e.GetSubject()))
	line("Start", when(e.GetStart()))
	line("Slut", when(e.GetEnd()))
	if l := e.GetLocation(); l != nil {
		line("Sted", strings.TrimSpace(deref(l.GetDisplayName())+" "+postal(l.GetAddress())))
	}
	if o := e.GetOrganizer(); o != nil {
		line("Arrangør", formatAddress(address(o)))
	}
	for _, a := range e.GetAttendees() {
		if a != nil && a.GetEmailAddress() != nil {
			e := a.GetEmailAddress()
			line("Deltager", formatAddress(message.Address{Name: deref(e.GetName()), Address: deref(e.GetAddress())}))
		}
	}
	if body := e.GetBody(); body != nil && deref(body.GetContent()) != "" {
		b.WriteString("\n" + deref(body.GetContent()) + "\n")
	}
	return b.String()
}

func when(t models.DateTimeTimeZoneable) string {
	if t == nil {
		return ""
	}
	return strings.TrimSpace(deref(t.GetDateTime()) + " " + deref(t.GetTimeZone()))
}

func formatAddress(a message.Address) string {
	switch {
	case a.Name != "" && a.Address != "":
		return a.Name + " <" + a.Address + ">"
	case a.Name != "":
		return a.Name
	}
	return a.Address
}
