package extract

import (
	"context"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

func winmail(t testing.TB) []byte {
	return testgen.TNEF(testgen.TNEFSpec{
		Subject: "Afgørelse",
		RTF:     testgen.CompressRTF([]byte(`{\rtf1\ansi K\'e6re borger\par Vi har modtaget din ans\'f8gning.}`)),
		Attachments: []testgen.TNEFAttachment{
			{Title: "BREV~1.PDF", LongName: "Brev.pdf", MIME: "application/pdf", Data: buildPDF(t, "Kære "+testName, "CPR "+testCPR), Method: 1},
			{Title: "journal.txt", Data: []byte(journalNote)},
			{LongName: "Sagsakt.docx", Method: 2},
			{LongName: "Videresendt", Message: &testgen.TNEFSpec{Subject: "Oprindelig", Plain: "Se bilag",
				Attachments: []testgen.TNEFAttachment{{LongName: "bilag.txt", Data: []byte("Helbred: diabetes, CPR " + testCPR)}}}},
		},
	})
}

func TestTNEF(t *testing.T) {
	data := winmail(t)
	eml := []byte(strings.ReplaceAll("From: a@kommune.dk\nTo: b@example.dk\nSubject: Afgørelse\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"+
		"--b\nContent-Type: text/plain\n\nSe vedhæftede.\n--b\nContent-Type: application/ms-tnef; name=winmail.dat\nContent-Transfer-Encoding: base64\n\n"+
		mimeB64(data)+"\n--b--\n", "\n", "\r\n"))
	for _, c := range []struct {
		name, file, ctype string
		data              []byte
		prefix            string
		depth             int
	}{
		{"winmail.dat by its bytes", "winmail.dat", "", data, "winmail.dat", 0},
		{"by content type", "", "application/ms-tnef", data, "", 0},
		{"attached to an email", "Mail.eml", "", eml, "Mail.eml/winmail.dat", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			docs := FullExtractor(Limits{}).Extract(context.Background(), c.file, c.ctype, c.data)
			top := find(t, docs, c.prefix)
			if top.Type != "tnef" || top.Status != Scanned || top.Depth != c.depth || !strings.Contains(allText(top), "Emne: Afgørelse") {
				t.Fatalf("winmail.dat: %s %s %q %q", top.Type, top.Status, top.Detail, allText(top))
			}
			for name, want := range map[string]string{
				"/(mailtekst).rtf":       "Vi har modtaget din ansøgning.",
				"/Brev.pdf":              testCPR,
				"/journal.txt":           "depression",
				"/Videresendt":           "Emne: Oprindelig",
				"/Videresendt/bilag.txt": "diabetes",
			} {
				if d := find(t, docs, c.prefix+name); d.Status != Scanned || !strings.Contains(allText(d), want) || d.Depth <= c.depth {
					t.Errorf("%s: %s %s %q depth %d", name, d.Type, d.Status, d.Detail, d.Depth)
				}
			}
			if d := find(t, docs, c.prefix+"/Sagsakt.docx"); d.Status != Unsupported || d.Detail != "linked file, not included in the message" {
				t.Errorf("linked file: %s %q", d.Status, d.Detail)
			}
		})
	}
}

func TestTNEFDamaged(t *testing.T) {
	data := winmail(t)
	cases := []struct {
		name, ctype string
		data        []byte
		lim         Limits
		status      Status
		detail      string
	}{
		{"cut short", "", data[:len(data)-30], Limits{}, Unscannable, "corrupt TNEF (winmail.dat): part of it could not be read"},
		{"not TNEF", "application/ms-tnef", []byte("no TNEF here"), Limits{}, Unscannable, "corrupt TNEF (winmail.dat): not a TNEF stream"},
		{"too deep", "", data, Limits{MaxDepth: 1}, Scanned, ""},
		{"budget", "", data, Limits{MaxTotalBytes: int64(len(data)) + 100}, Scanned, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := New(c.lim).Extract(context.Background(), "winmail.dat", c.ctype, c.data)
			if d := docs[0]; d.Status != c.status || d.Detail != c.detail {
				t.Errorf("got %s %q, want %s %q", d.Status, d.Detail, c.status, c.detail)
			}
			checkDocs(t, "winmail.dat", docs)
			for _, d := range docs[1:] {
				if c.name == "too deep" && d.Name == "winmail.dat/Videresendt" && d.Status != TooLarge {
					t.Errorf("attached message beyond MaxDepth: %s %q", d.Status, d.Detail)
				}
				if c.name == "budget" && d.Name == "winmail.dat/Brev.pdf" && d.Status != TooLarge {
					t.Errorf("attachment beyond MaxTotalBytes: %s %q", d.Status, d.Detail)
				}
			}
		})
	}
}
