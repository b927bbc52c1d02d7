package extract

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// Synthetic journal note: a made-up person, the package's synthetic CPR number, a diagnosis.
const journalNote = "Journalnotat\nBorger: " + testName + ", CPR " + testCPR + "\nDiagnose: svær depression (F32.1).\n"

// mimeB64 encodes data as a MIME body in lines of 76 characters.
func mimeB64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var sb strings.Builder
	for len(enc) > 76 {
		sb.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	return sb.String() + enc
}

// emlWithJournal is a mail with journal.txt and notat.txt attached (both base64 ending in "="),
// with cte (if any) declared on the multipart itself, as some real mail has it.
func emlWithJournal(cte string) []byte {
	h := "From: Sagsbehandler <sb@kommune.dk>\nTo: Modtager <m@example.dk>\nSubject: Journal\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=\"=_part\"\n"
	if cte != "" {
		h += "Content-Transfer-Encoding: " + cte + "\n"
	}
	second := "Notat om samtale med " + testName + ".\nHelbred: diabetes.\n"
	return []byte(strings.ReplaceAll(h+"\n--=_part\nContent-Type: text/plain; charset=utf-8\n\nSe vedhæftede.\n"+
		"--=_part\nContent-Type: text/plain; charset=utf-8; name=journal.txt\nContent-Disposition: attachment; filename=journal.txt\nContent-Transfer-Encoding: base64\n\n"+
		mimeB64([]byte(journalNote))+"\n"+
		"--=_part\nContent-Type: text/plain; charset=utf-8; name=notat.txt\nContent-Transfer-Encoding: base64\n\n"+
		mimeB64([]byte(second))+"\n--=_part--\n", "\n", "\r\n"))
}

func TestEmailTransferEncodingOnMultipart(t *testing.T) {
	if !strings.HasSuffix(mimeB64([]byte(journalNote)), "=") {
		t.Fatal("journal no longer ends in base64 padding")
	}
	for _, cte := range []string{"", "quoted-printable", "base64", "7bit"} {
		for _, zipped := range []bool{false, true} {
			name := "cte " + cte
			if zipped {
				name += " in zip"
			}
			t.Run(name, func(t *testing.T) {
				data, prefix := emlWithJournal(cte), "Mail.eml"
				if zipped {
					data, prefix = buildZip(t, zent{name: "Mail.eml", data: data}), "Mail.zip/Mail.eml"
				}
				docs := New(Limits{}).Extract(context.Background(), strings.SplitN(prefix, "/", 2)[0], "", data)
				if d := find(t, docs, prefix); d.Status != Scanned {
					t.Errorf("email: %s %q", d.Status, d.Detail)
				}
				j := find(t, docs, prefix+"/journal.txt")
				if j.Status != Scanned || !strings.Contains(allText(j), testCPR) || !strings.Contains(allText(j), "depression") ||
					strings.Contains(allText(j), "Notat om") {
					t.Errorf("journal.txt: %s %q %q", j.Status, j.Detail, allText(j))
				}
				n := find(t, docs, prefix+"/notat.txt")
				if n.Status != Scanned || !strings.Contains(allText(n), "diabetes") {
					t.Errorf("notat.txt: %s %q", n.Status, n.Detail)
				}
			})
		}
	}
}

func TestEmailDamagedAndOddFiles(t *testing.T) {
	glued := strings.Replace(string(emlWithJournal("")), "\r\n--=_part\r\nContent-Type: text/plain; charset=utf-8; name=notat.txt",
		"--=_part\r\nContent-Type: text/plain; charset=utf-8; name=notat.txt", 1)
	plainMail := "From: a@kommune.dk\nTo: b@example.dk\nSubject: Hej\n\nCPR " + testCPR + "\n"
	msg := testgen.OutlookMSG(testgen.MSGSpec{Subject: "Afgørelse", SenderEmail: "a@kommune.dk", Body: "Sag om " + testCPR})
	cases := []struct {
		name, file, ctype string
		data              []byte
		typ               string
		status            Status
		detail            string
		text              string // must be in the document's own text
	}{
		{"parts glued together", "Mail.eml", "", []byte(glued), "eml", Unscannable, "corrupt email: a part could not be separated", ""},
		{"line of spaces first", "Mail.eml", "", []byte("      \r\n" + plainMail), "eml", Scanned, "", testCPR},
		{"blank lines and BOM first", "Mail.eml", "", []byte("\ufeff\n\n" + plainMail), "eml", Scanned, "", testCPR},
		{"mbox From line", "Mail.eml", "", []byte("From a@kommune.dk Mon Dec  7 10:00:00 2026\n" + plainMail), "eml", Scanned, "", testCPR},
		{"headerless text named .eml", "Noter.eml", "", []byte("Noter fra mødet\nCPR " + testCPR + "\n"), "text", Scanned, "", testCPR},
		{"headerless text sent as message/rfc822", "besked", "message/rfc822", []byte("Noter\nCPR " + testCPR + "\n"), "text", Scanned, "", testCPR},
		{"binary junk named .eml", "Mail.eml", "", []byte("\x00\x01\x02junk"), "eml", Unscannable, "corrupt email: no header fields", ""},
		{"Outlook message named .eml", "Mail.eml", "", msg, "msg", Scanned, "", testCPR},
		{"Outlook message sent as message/rfc822", "Videresendt.eml", "message/rfc822", msg, "msg", Scanned, "", testCPR},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := New(Limits{}).Extract(context.Background(), c.file, c.ctype, c.data)
			d := docs[0]
			if d.Type != c.typ || d.Status != c.status || d.Detail != c.detail || !strings.Contains(allText(d), c.text) {
				t.Errorf("got %s %s %q, want %s %s %q; text %q", d.Type, d.Status, d.Detail, c.typ, c.status, c.detail, allText(d))
			}
		})
	}
	// What was glued is still read: both attachments' text is there, merged into one.
	docs := New(Limits{}).Extract(context.Background(), "Mail.eml", "", []byte(glued))
	var all strings.Builder
	for _, d := range docs {
		all.WriteString(allText(d))
	}
	if !strings.Contains(all.String(), testCPR) {
		t.Errorf("the glued journal's text is lost")
	}
}
