package testgen

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"html"
	"math/rand/v2"
	"mime"
	"net/mail"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"
)

// Ordinary external mail: what an authority's staff send to suppliers, partners and other
// organisations every day, with nothing personal in it. Each kind carries what makes real mail
// hard for a guard: a signature logo or a signature set as an image, social-media icons,
// photos, calendar invitations, contact cards, S/MIME signatures, newsletters with banners
// and a tracking pixel, an agenda as PDF. The guard must allow all of them (the false-alarm
// rate an authority tolerates is well under 1 in 100).

// Harmless kinds.
const (
	HarmlessSignatureLogo  = "signature-logo"
	HarmlessSignatureImage = "signature-image-with-text"
	HarmlessIcons          = "social-icons"
	HarmlessPhotos         = "photos"
	HarmlessInvitation     = "calendar-invitation"
	HarmlessVCard          = "vcard"
	HarmlessSigned         = "smime-signed"
	HarmlessNewsletter     = "newsletter"
	HarmlessAgendaPDF      = "agenda-pdf"
)

// HarmlessKinds lists the kinds in a fixed order.
func HarmlessKinds() []string {
	return []string{HarmlessSignatureLogo, HarmlessSignatureImage, HarmlessIcons, HarmlessPhotos,
		HarmlessInvitation, HarmlessVCard, HarmlessSigned, HarmlessNewsletter, HarmlessAgendaPDF}
}

// HarmlessMails generates n ordinary external mails (kinds taking turns), deterministically
// for a seed. Every one is labelled allow.
func HarmlessMails(n int, seed int64) []Message {
	g := &gen{rng: rand.New(rand.NewPCG(uint64(seed), 0x4a2b)), seed: seed}
	g.people = newPeople(g.rng)
	kinds := HarmlessKinds()
	out := make([]Message, 0, n)
	for i := range n {
		g.n++
		kind := kinds[i%len(kinds)]
		m := g.harmless(kind)
		m.Name = fmt.Sprintf("%03d-%s.eml", g.n, kind)
		m.Label = Label{Class: kind, Action: "allow", Why: "ordinary external mail without personal data"}
		out = append(out, m)
	}
	return out
}

// mimePart is one node of a MIME tree.
type mimePart struct {
	ctype    string            // with parameters
	headers  map[string]string // besides Content-Type
	body     []byte            // leaf content (base64-encoded when binary)
	binary   bool
	children []*mimePart
}

func (p *mimePart) write(b *bytes.Buffer, boundaryN *int) {
	if len(p.children) > 0 {
		*boundaryN++
		bd := fmt.Sprintf("----=_Part_%d_%08x", *boundaryN, *boundaryN*2654435761)
		fmt.Fprintf(b, "Content-Type: %s;\r\n\tboundary=\"%s\"\r\n", p.ctype, bd)
		for k, v := range p.headers {
			fmt.Fprintf(b, "%s: %s\r\n", k, v)
		}
		b.WriteString("\r\n")
		for _, c := range p.children {
			fmt.Fprintf(b, "--%s\r\n", bd)
			c.write(b, boundaryN)
		}
		fmt.Fprintf(b, "--%s--\r\n", bd)
		return
	}
	fmt.Fprintf(b, "Content-Type: %s\r\n", p.ctype)
	for k, v := range p.headers {
		fmt.Fprintf(b, "%s: %s\r\n", k, v)
	}
	if p.binary {
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
		b.WriteString(wrap76(base64.StdEncoding.EncodeToString(p.body)))
		return
	}
	b.WriteString("Content-Transfer-Encoding: 8bit\r\n\r\n")
	b.Write(p.body)
	b.WriteString("\r\n")
}

func textPart(ctype, s string) *mimePart {
	return &mimePart{ctype: ctype + "; charset=utf-8", body: []byte(strings.ReplaceAll(s, "\n", "\r\n"))}
}

func filePart(ctype, name string, data []byte) *mimePart {
	return &mimePart{ctype: mime.FormatMediaType(ctype, map[string]string{"name": name}), binary: true, body: data,
		headers: map[string]string{"Content-Disposition": mime.FormatMediaType("attachment", map[string]string{"filename": name})}}
}

func inlinePart(ctype, name, cid string, data []byte) *mimePart {
	return &mimePart{ctype: mime.FormatMediaType(ctype, map[string]string{"name": name}), binary: true, body: data,
		headers: map[string]string{"Content-ID": "<" + cid + ">",
			"Content-Disposition": mime.FormatMediaType("inline", map[string]string{"filename": name})}}
}

var (
	externalOrgs = []string{"arkitektgruppen.dk", "vvs-service.dk", "byggeraadgivning.dk", "it-leverandoeren.dk",
		"konsulenthuset.dk", "trykkeriet-fyn.dk", "eventbureau.dk", "skolemaelk.dk", "vejgruppen.dk", "kantine-partner.dk"}
	externalLocals = []string{"kontakt", "info", "projekt", "salg", "support", "booking", "faktura", "service"}
	meetingTopics  = []string{"opfølgning på tilbud", "tidsplan for renovering af skolen", "nyt adgangssystem",
		"levering af møbler", "aftale om vedligehold", "workshop om digital post", "licitation på vejarbejde",
		"budget for arrangementet", "opstartsmøde", "status på projektet"}
	weekdays = []string{"mandag", "tirsdag", "onsdag", "torsdag", "fredag"}
)

// harmless builds one mail of a kind, from a staff member of the authority to an external
// organisation.
func (g *gen) harmless(kind string) Message {
	staff := g.staff()
	from := g.staffAddress(staff)
	to := mail.Address{Address: g.pick(externalLocals) + "@" + g.pick(externalOrgs)}
	if g.chance(50) {
		contact := g.staff()
		to.Name = contact.DisplayName()
	}
	topic := g.pick(meetingTopics)
	day, hour := g.pick(weekdays), 8+g.rng.IntN(8)
	greeting := "Hej"
	if to.Name != "" {
		greeting = "Hej " + strings.Fields(to.Name)[0]
	}
	lines := []string{greeting + ",", "",
		fmt.Sprintf("Tak for sidst. Vi foreslår et møde om %s %s kl. %d.00 hos os.", topic, day, hour),
		g.pick([]string{"Giv endelig besked, hvis tidspunktet ikke passer.", "Vi sender dagsordenen inden mødet.",
			"Der er parkering bag bygningen.", "Husk at medbringe tegningerne."}),
		"", g.pick([]string{"Venlig hilsen", "Med venlig hilsen", "Bedste hilsner"}), staff.DisplayName(),
		g.pick(staffTitles), fmt.Sprintf("Tlf. %s", g.phone())}
	text := strings.Join(lines, "\n")
	subject := "Møde om " + topic

	htmlOf := func(extra string) string {
		var b strings.Builder
		b.WriteString(`<html><body style="font-family:Calibri,sans-serif">`)
		for _, l := range lines {
			if l == "" {
				b.WriteString("<p>&nbsp;</p>")
				continue
			}
			b.WriteString("<p>" + html.EscapeString(l) + "</p>")
		}
		b.WriteString(extra + "</body></html>")
		return b.String()
	}
	alt := func(h string) *mimePart {
		return &mimePart{ctype: "multipart/alternative", children: []*mimePart{textPart("text/plain", text), textPart("text/html", h)}}
	}
	cid := func(name string) string { return fmt.Sprintf("%s@01DA%04X.%08X", name, g.n, g.rng.Uint32()) }

	var root *mimePart
	switch kind {
	case HarmlessSignatureLogo:
		id := cid("image001.png")
		w, h := 120+g.rng.IntN(200), 40+g.rng.IntN(80)
		root = &mimePart{ctype: "multipart/related", children: []*mimePart{
			alt(htmlOf(`<p><img src="cid:` + id + `" width="` + fmt.Sprint(w) + `"></p>`)),
			inlinePart("image/png", "image001.png", id, LogoPNG(g.rng, w, h))}}
	case HarmlessSignatureImage:
		// A signature set as an image: the sender's name, title and phone as text.
		id := cid("image001.png")
		img, err := TextImage([]string{staff.DisplayName(), g.pick(staffTitles), "Tlf. " + g.phone()}, float64(12+g.rng.IntN(6)), 320, 0)
		if err != nil {
			panic(err) // the embedded Go font always parses
		}
		root = &mimePart{ctype: "multipart/related", children: []*mimePart{
			alt(htmlOf(`<p><img src="cid:` + id + `"></p>`)), inlinePart("image/png", "image001.png", id, img)}}
	case HarmlessIcons:
		var imgs, parts []*mimePart
		var tags strings.Builder
		for i := range 3 + g.rng.IntN(3) {
			name := fmt.Sprintf("image%03d.png", i+1)
			id := cid(name)
			side := 16 + g.rng.IntN(33)
			tags.WriteString(`<img src="cid:` + id + `" width="` + fmt.Sprint(side) + `"> `)
			imgs = append(imgs, inlinePart("image/png", name, id, LogoPNG(g.rng, side, side)))
		}
		parts = append(parts, alt(htmlOf("<p>"+tags.String()+"</p>")))
		root = &mimePart{ctype: "multipart/related", children: append(parts, imgs...)}
	case HarmlessPhotos:
		subject = "Billeder fra " + g.pick([]string{"indvielsen", "rejsegildet", "sommerfesten", "besigtigelsen"})
		root = &mimePart{ctype: "multipart/mixed", children: []*mimePart{alt(htmlOf(""))}}
		for i := range 1 + g.rng.IntN(3) {
			w := 640 + g.rng.IntN(400)
			h := w * 3 / 4
			if g.chance(30) {
				w, h = h, w
			}
			root.children = append(root.children, filePart("image/jpeg", fmt.Sprintf("IMG_%04d.JPG", 1000+g.rng.IntN(9000)+i), PhotoJPEG(g.rng, w, h)))
		}
	case HarmlessInvitation:
		ics := g.ics(from, to, subject, day, hour)
		root = &mimePart{ctype: "multipart/mixed", children: []*mimePart{
			{ctype: "multipart/alternative", children: []*mimePart{textPart("text/plain", text), textPart("text/html", htmlOf("")),
				textPart(`text/calendar; method=REQUEST`, ics)}},
			filePart("text/calendar", "invite.ics", []byte(strings.ReplaceAll(ics, "\n", "\r\n")))}}
	case HarmlessVCard:
		vcf := fmt.Sprintf("BEGIN:VCARD\nVERSION:3.0\nN:%s;%s;;;\nFN:%s\nORG:%s\nTITLE:%s\nTEL;TYPE=WORK,VOICE:+45 %s\nEMAIL;TYPE=INTERNET:%s\nEND:VCARD\n",
			staff.Family, staff.Given, staff.DisplayName(), "Kommunen", g.pick(staffTitles), g.phone(), from.Address)
		root = &mimePart{ctype: "multipart/mixed", children: []*mimePart{alt(htmlOf("")),
			filePart("text/x-vcard", strings.ReplaceAll(staff.DisplayName(), " ", "")+".vcf", []byte(strings.ReplaceAll(vcf, "\n", "\r\n")))}}
	case HarmlessSigned:
		inner := alt(htmlOf(""))
		root = &mimePart{ctype: `multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256`, children: []*mimePart{
			inner, filePart("application/pkcs7-signature", "smime.p7s", detachedSignature(g.rng))}}
	case HarmlessNewsletter:
		subject = g.pick([]string{"Nyhedsbrev", "Nyt fra", "Invitation:"}) + " " + g.pick([]string{"december", "uge 49", "årets konference", "foråret"})
		var imgs []*mimePart
		var b strings.Builder
		b.WriteString(`<html><body><table width="600">`)
		for i := range 2 + g.rng.IntN(3) {
			name := fmt.Sprintf("banner%d.png", i+1)
			id := cid(name)
			imgs = append(imgs, inlinePart("image/png", name, id, LogoPNG(g.rng, 600, 120+g.rng.IntN(180))))
			fmt.Fprintf(&b, `<tr><td><img src="cid:%s" width="600"></td></tr><tr><td><h2>%s</h2><p>%s <a href="https://nyheder.example.net/a/%d">Læs mere</a></p></td></tr>`,
				id, html.EscapeString(g.pick(meetingTopics)), html.EscapeString(g.pick([]string{"Vi har samlet de vigtigste nyheder til dig.",
					"Tilmeld dig inden fristen.", "Se programmet og talerne."})), g.rng.IntN(100000))
		}
		b.WriteString(`<tr><td><img src="https://nyheder.example.net/open.gif" width="1" height="1"><p>Afmeld nyhedsbrevet</p></td></tr></table></body></html>`)
		idPixel := cid("pixel.gif")
		imgs = append(imgs, inlinePart("image/gif", "pixel.gif", idPixel, PixelGIF()))
		root = &mimePart{ctype: "multipart/related", children: append([]*mimePart{
			{ctype: "multipart/alternative", children: []*mimePart{textPart("text/plain", "Se nyhedsbrevet i din browser."), textPart("text/html", b.String())}}}, imgs...)}
	case HarmlessAgendaPDF:
		subject = "Dagsorden: " + topic
		root = &mimePart{ctype: "multipart/mixed", children: []*mimePart{alt(htmlOf("")),
			filePart("application/pdf", "Dagsorden.pdf", agendaPDF(g, topic, day, hour))}}
	default:
		panic("testgen: unknown harmless kind " + kind)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n", from.String(), to.String(), mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <h%d.%d@%s>\r\nMIME-Version: 1.0\r\n",
		time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC).Add(time.Duration(g.n)*time.Hour).Format(time.RFC1123Z), g.seed, g.n, SenderDomain)
	nb := 0
	root.write(&b, &nb)
	return Message{EML: b.Bytes(), Variant: kind, Text: text, Features: []string{kind}}
}

// ics is a calendar invitation as Outlook writes it (long hex UID, organizer and attendee).
func (g *gen) ics(from, to mail.Address, subject, day string, hour int) string {
	start := time.Date(2026, 12, 7+g.rng.IntN(5), hour-1, 0, 0, 0, time.UTC)
	uid := fmt.Sprintf("040000008200E00074C5B7101A82E008%016X%016X", g.rng.Uint64(), g.rng.Uint64())
	return strings.Join([]string{"BEGIN:VCALENDAR", "METHOD:REQUEST", "PRODID:Microsoft Exchange Server 2010", "VERSION:2.0",
		"BEGIN:VEVENT",
		fmt.Sprintf("ORGANIZER;CN=%s:mailto:%s", from.Name, from.Address),
		fmt.Sprintf("ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:%s", to.Address),
		"DESCRIPTION;LANGUAGE=da-DK:Vi mødes " + day + " i mødelokale " + fmt.Sprint(1+g.rng.IntN(20)) + ".\\n",
		"UID:" + uid, "SUMMARY;LANGUAGE=da-DK:" + subject,
		"DTSTART:" + start.Format("20060102T150405Z"), "DTEND:" + start.Add(time.Hour).Format("20060102T150405Z"),
		"DTSTAMP:" + start.Add(-72*time.Hour).Format("20060102T150405Z"),
		"LOCATION;LANGUAGE=da-DK:Rådhuset", "SEQUENCE:0", "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR", ""}, "\n")
}

// detachedSignature is the shape of an S/MIME detached signature (CMS SignedData without
// content): the content type OIDs, a version, and random bytes where the certificate and
// signature would be.
func detachedSignature(rng *rand.Rand) []byte {
	oid := func(s ...int) asn1.ObjectIdentifier { return asn1.ObjectIdentifier(s) }
	randomBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	type algo struct{ Algorithm asn1.ObjectIdentifier }
	type encap struct{ EContentType asn1.ObjectIdentifier }
	type signerInfo struct {
		Version   int
		SID       asn1.RawValue
		Digest    algo
		SigAlgo   algo
		Signature []byte
	}
	type signedData struct {
		Version          int
		DigestAlgorithms []algo `asn1:"set"`
		EncapContentInfo encap
		Certificates     asn1.RawValue `asn1:"optional,tag:0"`
		SignerInfos      []signerInfo  `asn1:"set"`
	}
	sha256 := algo{oid(2, 16, 840, 1, 101, 3, 4, 2, 1)}
	sd := signedData{Version: 1, DigestAlgorithms: []algo{sha256}, EncapContentInfo: encap{oid(1, 2, 840, 113549, 1, 7, 1)},
		Certificates: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append([]byte{0x30, 0x82, 0x03, 0x00}, randomBytes(0x300)...)},
		SignerInfos: []signerInfo{{Version: 1, SID: asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: []byte{0x02, 0x01, 0x01}},
			Digest: sha256, SigAlgo: algo{oid(1, 2, 840, 113549, 1, 1, 11)}, Signature: randomBytes(256)}}}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		panic(err) // a fixed structure always marshals
	}
	out, err := asn1.Marshal(struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}{oid(1, 2, 840, 113549, 1, 7, 2), asn1.RawValue{FullBytes: inner}})
	if err != nil {
		panic(err)
	}
	return out
}

// agendaPDF is a one-page agenda with no personal data.
func agendaPDF(g *gen, topic, day string, hour int) []byte {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddPage()
	f.SetFont("go", "", 16)
	f.Text(20, 30, "Dagsorden: "+topic)
	f.SetFont("go", "", 11)
	f.Text(20, 40, fmt.Sprintf("Møde %s kl. %d.00, Rådhuset", day, hour))
	items := []string{"Velkomst", "Godkendelse af referat", "Status på tidsplanen", "Økonomi", "Næste skridt", "Eventuelt"}
	for i, it := range items[:3+g.rng.IntN(4)] {
		f.Text(25, 55+float64(i)*9, fmt.Sprintf("%d. %s", i+1, it))
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}
