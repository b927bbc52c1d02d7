package extract

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// Harmless mail parts are read (or recognised), never reported as unreadable; what they hold
// is scanned like any text.
func TestHarmlessMailParts(t *testing.T) {
	invite := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nMETHOD:REQUEST\r\n" +
		"BEGIN:VEVENT\r\nSUMMARY;LANGUAGE=da-DK:Møde om budget\r\nLOCATION:Mødelokale 2\\, Rådhuset\r\n" +
		"DTSTART;TZID=Romance Standard Time:20261208T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	// A DESCRIPTION folded at 75 bytes in the middle of the CPR number.
	desc := "DESCRIPTION:Samtale med " + testName + "\\, CPR " + testCPR + "\\nOm hans diabetes."
	cut := strings.Index(desc, testCPR) + 4
	folded := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Samtale\r\n" + desc[:cut] + "\r\n " + desc[cut:] + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	attach := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Samtale\r\nATTACH;ENCODING=BASE64;VALUE=BINARY;FMTTYPE=text/plain;X-FILENAME=notat.txt:" +
		base64.StdEncoding.EncodeToString([]byte("CPR " + testCPR))[:8] + "\r\n " + base64.StdEncoding.EncodeToString([]byte("CPR " + testCPR))[8:] + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	vcard3 := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mette Holm\r\nORG:Aarhus Kommune;Jobcenter\r\nTEL;TYPE=WORK:+45 89 40 00 00\r\n" +
		"item1.EMAIL;TYPE=INTERNET:meho@aarhus.dk\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n AAAQABAAD\r\nEND:VCARD\r\n"
	vcard21 := "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=utf-8:Holm;Mette\r\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:S=C3=B8ren CPR 0101=\r\n90-1234\r\nEND:VCARD\r\n"
	mimeContent := "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe bilag\r\n" +
		"--i\r\nContent-Type: text/plain; name=journal.txt\r\nContent-Disposition: attachment\r\n\r\n" + journalNote + "\r\n--i--\r\n"
	signature := testgen.SignedData(nil, testgen.SignedDataOptions{Detached: true, BER: true})
	cases := []struct {
		name, file, ctype string
		data              []byte
		typ               string
		status            Status
		detail            string
		text, notText     string
		nested            map[string]string // nested document → text it must hold
	}{
		{name: "invitation", file: "invite.ics", data: []byte(invite), typ: "ical", status: Scanned,
			text: "SUMMARY: Møde om budget\nLOCATION: Mødelokale 2, Rådhuset", notText: "VCALENDAR"},
		{name: "invitation by content type only", file: "", ctype: "text/calendar; method=REQUEST; charset=utf-8", data: []byte(invite), typ: "ical", status: Scanned, text: "Møde om budget"},
		{name: "folded description keeps the CPR number whole", file: "Samtale.ics", data: []byte(folded), typ: "ical", status: Scanned,
			text: "CPR " + testCPR + "\nOm hans diabetes."},
		{name: "file attached to an invitation", file: "invite.ics", data: []byte(attach), typ: "ical", status: Scanned,
			nested: map[string]string{"invite.ics/notat.txt": "CPR " + testCPR}},
		{name: "contact card", file: "Mette Holm.vcf", ctype: "text/x-vcard", data: []byte(vcard3), typ: "vcard", status: Scanned,
			text: "FN: Mette Holm\nORG: Aarhus Kommune;Jobcenter", notText: "/9j/"},
		{name: "vCard 2.1 quoted-printable", file: "kontakt.vcf", data: []byte(vcard21), typ: "vcard", status: Scanned, text: "NOTE: Søren CPR " + testCPR},
		{name: "detached signature", file: "smime.p7s", ctype: "application/pkcs7-signature", data: signature, typ: "p7s", status: Scanned, detail: detailSignature},
		{name: "detached signature, x- type, no name", file: "", ctype: "application/x-pkcs7-signature", data: signature, typ: "p7s", status: Scanned, detail: detailSignature},
		{name: "opaque signed mail", file: "smime.p7m", ctype: "application/pkcs7-mime", data: testgen.SignedData([]byte(mimeContent), testgen.SignedDataOptions{BER: true, ChunkSize: 64}),
			typ: "p7s", status: Scanned, detail: "S/MIME signed data; its content is read as indhold.eml",
			nested: map[string]string{"smime.p7m/indhold.eml": "Se bilag", "smime.p7m/indhold.eml/journal.txt": testCPR}},
		{name: "signed file", file: "notat.txt.p7m", data: testgen.SignedData([]byte(journalNote), testgen.SignedDataOptions{}),
			typ: "p7s", status: Scanned, nested: map[string]string{"notat.txt.p7m/indhold": testCPR}, detail: "S/MIME signed data; its content is read as indhold"},
		{name: "signed mail as Microsoft Graph gives it", file: "smime.p7m", ctype: "multipart/signed",
			data: []byte("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\r\n\r\n--s\r\n" + mimeContent[:strings.Index(mimeContent, "--i--")] +
				"--i--\r\n\r\n--s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
				base64.StdEncoding.EncodeToString(signature) + "\r\n--s--\r\n"),
			typ: "eml", status: Scanned, text: "Se bilag", nested: map[string]string{"smime.p7m/journal.txt": testCPR}},
		{name: "signature that is no DER at all is corrupt, not encrypted", file: "smime.p7s", ctype: "application/pkcs7-signature", data: []byte("\x8d\xa9\xe2\x8a\x86scrambled"),
			typ: "p7s", status: Unscannable, detail: "corrupt S/MIME signed data"},
		{name: "damaged signed data", file: "smime.p7s", data: testgen.SignedData([]byte(mimeContent), testgen.SignedDataOptions{})[:80],
			typ: "p7s", status: Unscannable, detail: "corrupt S/MIME signed data"},
	}
	t.Run("attached files beyond the limits are reported", func(t *testing.T) {
		docs := New(Limits{MaxEntries: 1}).Extract(context.Background(), "invite.ics", "", []byte(attach+attach))
		deep := New(Limits{MaxDepth: 1}).Extract(context.Background(), "a.zip", "", buildZip(t, zent{name: "invite.ics", data: []byte(attach)}))
		for _, d := range []Document{docs[0], find(t, deep, "a.zip/invite.ics")} {
			if d.Status != Scanned || !d.Truncated || !strings.Contains(d.Detail, "not read") {
				t.Errorf("%s: %s %v %q", d.Name, d.Status, d.Truncated, d.Detail)
			}
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := New(Limits{}).Extract(context.Background(), c.file, c.ctype, c.data)
			d := docs[0]
			if d.Type != c.typ || d.Status != c.status || d.Detail != c.detail {
				t.Errorf("got %s %s %q, want %s %s %q", d.Type, d.Status, d.Detail, c.typ, c.status, c.detail)
			}
			if !strings.Contains(allText(d), c.text) || c.notText != "" && strings.Contains(allText(d), c.notText) {
				t.Errorf("text %q", allText(d))
			}
			for name, text := range c.nested {
				if n := find(t, docs, name); n.Status != Scanned || !strings.Contains(allText(n), text) {
					t.Errorf("%s: %s %q %q", name, n.Status, n.Detail, allText(n))
				}
			}
		})
	}
}
