package main

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// b64Lines encodes data as a MIME body in lines of 76 characters.
func b64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var sb strings.Builder
	for len(enc) > 76 {
		sb.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	return sb.String() + enc
}

// mailWith is a mail from an employee to the (synthetic) citizen of the journal, with a short body and the given
// parts (each a whole MIME part: header, blank line, body); multipartHeader is added to the
// multipart's own header.
func mailWith(multipartHeader string, parts ...string) string {
	m := "From: Jonas Fisker <jonas.fisker@aarhus.dk>\r\nTo: =?utf-8?q?S=C3=B8ren_=C3=86rb=C3=B8_=C3=98sterg=C3=A5rd?= <soeren@live.dk>\r\nSubject: Møde\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"=_b\"\r\n" + multipartHeader + "\r\n" +
		"--=_b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHej Søren\r\n\r\nVenlig hilsen\r\nJonas\r\n"
	for _, p := range parts {
		m += "--=_b\r\n" + p + "\r\n"
	}
	return m + "--=_b--\r\n"
}

// Mail parts that hid personal data (a transfer encoding on the multipart, winmail.dat) give
// a verdict on it (secure: to the citizen himself, unencrypted); harmless parts (an invitation, a contact card, a signature) do not warn.
func TestScanMailParts(t *testing.T) {
	journal := "Journalnotat\r\nBorger: Søren Ærbø Østergård, CPR-nr. 010190-1234\r\nDiagnose: svær depression, indlagt på psykiatrisk afdeling.\r\n"
	journalPart := "Content-Type: text/plain; charset=utf-8; name=journal.txt\r\nContent-Disposition: attachment; filename=journal.txt\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64Lines([]byte(journal))
	winmail := testgen.TNEF(testgen.TNEFSpec{Subject: "Journal", Body: "Se bilag",
		Attachments: []testgen.TNEFAttachment{{Title: "journal.txt", Data: []byte(journal)}}})
	invite := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Møde om projektet\r\nLOCATION:Rådhuset\r\n" +
		"DTSTART:20261208T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	vcard := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jonas Fisker\r\nORG:Aarhus Kommune\r\nTEL:+45 89 40 00 00\r\nEND:VCARD\r\n"
	signature := testgen.SignedData(nil, testgen.SignedDataOptions{Detached: true})
	cases := []struct {
		name string
		mail string
		code int
		want []string
	}{
		{"journal in a multipart declared quoted-printable", mailWith("Content-Transfer-Encoding: quoted-printable\r\n", journalPart),
			exitSecure, []string{`"document":"journal.txt"`, `"kind":"sensitive"`}},
		{"journal in a multipart declared base64", mailWith("Content-Transfer-Encoding: base64\r\n", journalPart),
			exitSecure, []string{`"document":"journal.txt"`}},
		{"journal in winmail.dat", mailWith("", "Content-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n\r\n"+b64Lines(winmail)),
			exitSecure, []string{`"document":"winmail.dat/journal.txt"`, `"type":"tnef"`}},
		{"invitation, contact card and signature are harmless", mailWith("",
			"Content-Type: text/calendar; method=REQUEST; charset=utf-8; name=invite.ics\r\nContent-Disposition: attachment; filename=invite.ics\r\n\r\n"+invite,
			"Content-Type: text/x-vcard; name=\"Jonas Fisker.vcf\"\r\nContent-Disposition: attachment\r\n\r\n"+vcard,
			"Content-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Disposition: attachment; filename=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n"+b64Lines(signature)),
			exitAllow, []string{`"type":"ical"`, `"type":"vcard"`, `"type":"p7s","status":"scanned","detail":"S/MIME signature (no content)"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "scan", "--json", writeFile(t, "mail.eml", c.mail))
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout, stderr)
			}
			wantContains(t, "stdout", stdout, c.want)
		})
	}
}
