package message

import (
	"strings"
	"testing"
)

func TestParseStructure(t *testing.T) {
	runParseCases(t, []parseCase{
		{
			name: "plain text quoted-printable",
			raw: head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
				qp("Kære Søren Ærbø Østergård\nDit CPR-nr. 010190-0000 er testdata.\n"),
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Kære Søren Ærbø Østergård\nDit CPR-nr. 010190-0000 er testdata.\n")
				wantAttachments(t, m)
			},
		},
		{
			name: "no content type at all",
			raw:  head + "\nHej Mette\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Hej Mette\n")
			},
		},
		{
			name: "mixed with text, pdf and named text part",
			raw: head + "Content-Type: multipart/mixed; boundary=\"XX\"\n\npreamble is ignored\n--XX\n" +
				"Content-Type: text/plain; charset=utf-8\n\nSe vedhæftede.\n--XX\n" +
				"Content-Type: application/pdf; name=\"Brev.pdf\"\nContent-Disposition: attachment; filename=\"Brev.pdf\"\nContent-Transfer-Encoding: base64\n\n" +
				b64(pdfBytes) + "\n--XX\n" +
				"Content-Type: text/plain; charset=utf-8; name=\"noter.txt\"\n\nnoter\n--XX\n" +
				"Content-Type: text/plain\nContent-Disposition: attachment\n\nuden navn\n--XX--\nepilogue is ignored\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Se vedhæftede.")
				wantAttachments(t, m, "Brev.pdf application/pdf", "noter.txt text/plain", "attachment-1.txt text/plain")
				if got := string(attachment(t, m, "Brev.pdf").Data); got != pdfBytes {
					t.Errorf("pdf data = %q", got)
				}
				if got := string(attachment(t, m, "noter.txt").Data); got != "noter" {
					t.Errorf("noter.txt = %q", got)
				}
			},
		},
		{
			name: "alternative prefers plain text",
			raw: head + "Content-Type: multipart/alternative; boundary=alt\n\n--alt\n" +
				"Content-Type: text/plain; charset=utf-8\n\nHej Mette\n--alt\n" +
				"Content-Type: text/html; charset=utf-8\n\n<p>Hej Mette</p>\n--alt--\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Hej Mette")
			},
		},
		{
			name: "alternative with empty plain text takes HTML",
			raw: head + "Content-Type: multipart/alternative; boundary=alt\n\n--alt\n" +
				"Content-Type: text/plain; charset=utf-8\n\n \n--alt\n" +
				"Content-Type: text/html; charset=utf-8\n\n<p>CPR 010190-0000</p>\n--alt--\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/html: <p>CPR 010190-0000</p>")
			},
		},
		{
			name: "related HTML with inline image",
			raw: head + "Content-Type: multipart/related; boundary=rel; type=\"text/html\"\n\n--rel\n" +
				"Content-Type: text/html; charset=utf-8\n\n<img src=\"cid:img1\">\n--rel\n" +
				"Content-Type: image/png\nContent-ID: <img1>\nContent-Transfer-Encoding: base64\n\n" + b64("\x89PNG\r\n\x1a\n") + "\n--rel--\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/html: <img src=\"cid:img1\">")
				wantAttachments(t, m, "attachment-1.png image/png")
				if got := string(m.Attachments[0].Data); got != "\x89PNG\r\n\x1a\n" {
					t.Errorf("png = %q", got)
				}
			},
		},
		{
			name: "mixed of alternative of plain and related, plus pdf",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\n" +
				"Content-Type: multipart/alternative; boundary=b\n\n--b\n" +
				"Content-Type: text/plain; charset=utf-8\n\nplain\n--b\n" +
				"Content-Type: multipart/related; boundary=c\n\n--c\n" +
				"Content-Type: text/html; charset=utf-8\n\n<b>html</b>\n--c\n" +
				"Content-Type: image/jpeg; name=logo.jpg\nContent-Disposition: inline\n\nJPEG\n--c--\n" +
				"\n--b--\n\n--a\n" +
				"Content-Type: application/pdf; name=Afgoerelse.pdf\n\n" + pdfBytes + "\n--a--\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: plain")
				wantAttachments(t, m, "logo.jpg image/jpeg", "Afgoerelse.pdf application/pdf")
			},
		},
		{
			name: "inline parts in mixed",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\n" +
				"Content-Type: text/plain\n\nfirst\n--a\n" +
				"Content-Type: image/gif\nContent-Disposition: inline\n\nGIF89a\n--a\n" +
				"\nsecond, no header\n--a\n" +
				"Content-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\n--a\n" +
				"Content-Type: text/rtf\n\n{\\rtf1 K\\'e6re}\n--a--\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: first", "text/plain: second, no header")
				wantAttachments(t, m, "attachment-1.gif image/gif", "attachment-2.ics text/calendar", "attachment-3.rtf text/rtf")
			},
		},
		{
			name: "nested five deep",
			raw:  head + nest(5, "Content-Type: text/plain\n\ndybt inde"),
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: dybt inde")
			},
		},
		{
			name: "missing close delimiter and padded boundary line",
			raw: head + "Content-Type: multipart/mixed;\n boundary=\"=_x y\"\n\n--=_x y \t\n" +
				"Content-Type: text/plain\n\nførst\n--=_x y\n" +
				"Content-Type: application/octet-stream; name=data.bin\n\nrest of file\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: først")
				wantAttachments(t, m, "data.bin application/octet-stream")
				if got := lf(m.Attachments[0].Data); got != "rest of file\n" {
					t.Errorf("data = %q", got)
				}
			},
		},
		{
			name: "boundary that never occurs keeps the text",
			raw:  head + "Content-Type: multipart/mixed; boundary=nope\n\nCPR 010190-0000\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: CPR 010190-0000\n")
			},
		},
		{
			name: "base64 multipart (against the rules)",
			raw: head + "Content-Type: multipart/mixed; boundary=q\nContent-Transfer-Encoding: base64\n\n" +
				b64("--q\nContent-Type: text/plain\n\nskjult\n--q--\n") + "\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: skjult")
			},
		},
		{
			name: "digest parts default to message/rfc822",
			raw: head + "Content-Type: multipart/digest; boundary=d\n\n--d\n\n" +
				"From: a@example.dk\nSubject: =?utf-8?Q?F=C3=B8rste?=\n\nhej\n--d--\n",
			check: func(t *testing.T, m *Message) {
				wantAttachments(t, m, "Første.eml message/rfc822")
			},
		},
		{
			name: "mbox From line and BOM before the header",
			raw:  "\ufeffFrom soeren@example.dk Mon Mar 11 10:00:00 2024\n" + head + "\nbody\n",
			check: func(t *testing.T, m *Message) {
				if m.From.Address != "soeren.oestergaard@aarhus.dk" {
					t.Errorf("From = %+v", m.From)
				}
				wantBodies(t, m, "text/plain: body\n")
			},
		},
		{
			name: "header without blank line before the body",
			raw:  head + "Content-Type: text/plain\nDette er brødteksten uden tom linje\nCPR: 010190-0000\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Dette er brødteksten uden tom linje\nCPR: 010190-0000\n")
			},
		},
		{
			name: "broken part header line does not lose later parts",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\n" +
				"Content-Type: text/plain\nX Bad Header Line\n\nførste\n--a\n" +
				"Content-Type: application/pdf; name=b.pdf\n\n" + pdfBytes + "--a--\n",
			check: func(t *testing.T, m *Message) {
				if len(m.Bodies) != 1 || !strings.Contains(m.Bodies[0].Content, "første") {
					t.Errorf("bodies = %q", bodyTexts(m))
				}
				wantAttachments(t, m, "b.pdf application/pdf")
			},
		},
	})
}

func TestParseTransferEncodings(t *testing.T) {
	runParseCases(t, []parseCase{
		{
			name: "base64 with bad line breaks, junk and missing padding",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\n" +
				"Content-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: BASE64\n\n" +
				"JVBERi0x\n  LjcK MSAwIG9i\naiA8\t PD4+IGVuZG9iag\n*olJUVPRgo\n--a\n" +
				"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" + b64("efter den ødelagte del") + "\n--a--\n",
			check: func(t *testing.T, m *Message) {
				if got := string(attachment(t, m, "a.pdf").Data); got != pdfBytes {
					t.Errorf("pdf = %q", got)
				}
				wantBodies(t, m, "text/plain: efter den ødelagte del")
			},
		},
		{
			name: "broken base64 keeps best effort and the rest",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\n" +
				"Content-Type: application/octet-stream; name=x.bin\nContent-Transfer-Encoding: base64\n\n" +
				"QUJD\nR\n=\n=*!~===\n--a\n" +
				"Content-Type: text/plain\n\nresten\n--a--\n",
			check: func(t *testing.T, m *Message) {
				if got := string(attachment(t, m, "x.bin").Data); got != "ABC" {
					t.Errorf("x.bin = %q", got)
				}
				wantBodies(t, m, "text/plain: resten")
			},
		},
		{
			name: "7bit, 8bit, binary and unknown are kept",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\n" +
				"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nrå 8-bit\n--a\n" +
				"Content-Type: text/plain\nContent-Transfer-Encoding: 7bit\n\nascii\n--a\n" +
				"Content-Type: application/octet-stream; name=b.bin\nContent-Transfer-Encoding: binary\n\n\x00\x01\xff\n--a\n" +
				"Content-Type: application/octet-stream; name=u.bin\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 u\n--a--\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: rå 8-bit", "text/plain: ascii")
				if got := string(attachment(t, m, "b.bin").Data); got != "\x00\x01\xff" {
					t.Errorf("b.bin = %q", got)
				}
				if got := string(attachment(t, m, "u.bin").Data); got != "begin 644 u" {
					t.Errorf("u.bin = %q", got)
				}
			},
		},
		{
			name: "quoted-printable soft breaks, lower-case hex, stray equals",
			raw: head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
				"S=C3=B8ren =c3=86rb=C3=B8 =\n=C3=98sterg=C3=A5rd   \n1+1=2 og =ZZ slut=",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Søren Ærbø Østergård\n1+1=2 og =ZZ slut")
			},
		},
	})
}

func TestParseCharsets(t *testing.T) {
	runParseCases(t, []parseCase{
		{
			name: "iso-8859-1 base64 body",
			raw: head + "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n" +
				b64(latin1("Børne- og ungdomspsykiatrien, Ærø")),
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Børne- og ungdomspsykiatrien, Ærø")
			},
		},
		{
			name: "windows-1252 quoted-printable body",
			raw: head + "Content-Type: text/plain; charset=\"Windows-1252\"\nContent-Transfer-Encoding: quoted-printable\n\n" +
				"=93S=F8ren=94 skylder 100 =80 =96 se bilag",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: “Søren” skylder 100 € – se bilag")
			},
		},
		{
			name: "invalid utf-8 bytes read as windows-1252",
			raw: head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" +
				"Søren og " + latin1("Østergård") + " \x80",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Søren og Østergård €")
			},
		},
		{
			name: "Latin-1 label on UTF-8 text",
			raw:  head + "Content-Type: text/plain; charset=iso-8859-1\n\nSøren Ærbø Østergård",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Søren Ærbø Østergård")
			},
		},
		{
			name: "other charsets",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\n" +
				"Content-Type: text/plain; charset=iso-8859-15\n\n" + "\xa4 \xf8\n--a\n" +
				"Content-Type: text/plain; charset=koi8-r\n\n" + "\xf0\xd2\xc9\xd7\xc5\xd4\n--a\n" +
				"Content-Type: text/plain; charset=utf-16le\nContent-Transfer-Encoding: base64\n\n" + b64("\xf8\x00\xe6\x00") + "\n--a\n" +
				"Content-Type: text/plain; charset=x-no-such-charset\n\n" + "\xe6\xf8\xe5\n--a--\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: € ø", "text/plain: Привет", "text/plain: øæ", "text/plain: æøå")
			},
		},
	})
}
