package extract

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

func TestOutlookMessage(t *testing.T) {
	inner := testgen.MSGSpec{
		Subject:     "Oprindelig henvendelse",
		SenderName:  "Borger",
		SenderEmail: "borger@example.dk",
		To:          []testgen.MSGRecipient{{Name: "Jobcenter", Email: "job@aarhus.dk"}},
		HTML:        "<p>Se vedhæftede, <b>Søren</b></p><script>x</script>",
		Attachments: []testgen.MSGAttachment{{Name: "bilag.txt", MIME: "text/plain", Data: []byte("CPR 020285-4321")}},
	}
	data := testgen.OutlookMSG(testgen.MSGSpec{
		Subject:     "Afgørelse",
		SenderName:  "Mette Holm",
		SenderEmail: "meho@aarhus.dk",
		To:          []testgen.MSGRecipient{{Name: "Søren Ærbø", Email: "soren@example.dk"}},
		Cc:          []testgen.MSGRecipient{{Email: "aase@example.dk"}},
		Body:        "Kære Søren, din sag 010190-1234.",
		Attachments: []testgen.MSGAttachment{
			{Name: "notat.txt", Data: []byte("Notat om Åse Østergård")},
			{Name: "Videresendt.msg", Message: &inner},
		},
	})
	docs := New(Limits{}).Extract(context.Background(), "Besked.msg", "", data)
	top := find(t, docs, "Besked.msg")
	if top.Type != "msg" || top.Status != Scanned {
		t.Fatalf("top: %q %q %q", top.Type, top.Status, top.Detail)
	}
	want := "Fra: Mette Holm <meho@aarhus.dk>\nTil: Søren Ærbø <soren@example.dk>\nCc: aase@example.dk\nEmne: Afgørelse\n\nKære Søren, din sag 010190-1234."
	if got := allText(top); !strings.HasPrefix(got, want) {
		t.Errorf("page %q, want prefix %q", got, want)
	}
	if d := find(t, docs, "Besked.msg/notat.txt"); d.Status != Scanned || !strings.Contains(allText(d), "Åse Østergård") || d.Depth != 1 {
		t.Errorf("notat.txt: %+v", d)
	}
	fw := find(t, docs, "Besked.msg/Videresendt.msg")
	if fw.Type != "msg" || fw.Status != Scanned || fw.Depth != 1 || !strings.Contains(allText(fw), "Emne: Oprindelig henvendelse") ||
		!strings.Contains(allText(fw), "Se vedhæftede, Søren") || strings.Contains(allText(fw), "script") {
		t.Errorf("attached message: %+v", fw)
	}
	if d := find(t, docs, "Besked.msg/Videresendt.msg/bilag.txt"); d.Status != Scanned || !strings.Contains(allText(d), "CPR 020285-4321") || d.Depth != 2 {
		t.Errorf("bilag.txt: %+v", d)
	}

	// An attached Outlook message travels parsed (Attachment.Message, no bytes of its own) and
	// is extracted as it is (Input.Message), as a worker does with it.
	parsed, err := message.ParseMSG(data)
	if err != nil || parsed.Attachments[1].Message == nil || parsed.Attachments[1].Data != nil {
		t.Fatalf("attached message: %v", err)
	}
	a := parsed.Attachments[1]
	docs = New(Limits{}).ExtractInput(context.Background(), Input{Name: "Videresendt.msg", ContentType: a.ContentType, Message: a.Message})
	if docs[0].Type != "msg" || docs[0].Status != Scanned || !strings.Contains(allText(docs[0]), "Se vedhæftede, Søren") {
		t.Errorf("attached message as parsed: %+v", docs[0])
	}
	if d := find(t, docs, "Videresendt.msg/bilag.txt"); !strings.Contains(allText(d), "CPR 020285-4321") {
		t.Errorf("bilag.txt of the parsed message: %+v", d)
	}
	// A mail that came from Graph as an item is an .eml document.
	docs = New(Limits{}).ExtractInput(context.Background(), Input{Name: "Videresendt.eml", ContentType: "message/rfc822", Message: a.Message})
	if docs[0].Type != "eml" || docs[0].Status != Scanned {
		t.Errorf("converted Graph item: %+v", docs[0])
	}

	// The nesting limit applies to attached messages as to attached .eml files.
	docs = New(Limits{MaxDepth: 1}).Extract(context.Background(), "Besked.msg", "", data)
	if d := find(t, docs, "Besked.msg/Videresendt.msg"); d.Status != TooLarge {
		t.Errorf("MaxDepth 1: %+v", d)
	}
	// A message inside a zip is found by its content.
	docs = New(Limits{}).Extract(context.Background(), "Besked", "application/octet-stream", data)
	if docs[0].Type != "msg" || docs[0].Status != Scanned {
		t.Errorf("unnamed: %+v", docs[0])
	}
	// Damaged: the parser's error is a status, never a panic.
	bad := bytes.Clone(data)
	copy(bad[512:1024], bytes.Repeat([]byte{0xFF}, 512))
	docs = New(Limits{}).Extract(context.Background(), "Besked.msg", "", bad)
	if docs[0].Status == Scanned && len(docs) == 1 {
		t.Errorf("damaged: %+v", docs[0])
	}
	enc := testgen.OutlookMSG(testgen.MSGSpec{Class: "IPM.Note.SMIME", Subject: "x",
		Attachments: []testgen.MSGAttachment{{Name: "smime.p7m", MIME: "application/pkcs7-mime", Data: []byte{0x30, 0x80}}}})
	if docs = New(Limits{}).Extract(context.Background(), "Sikker.msg", "", enc); docs[0].Status != Encrypted {
		t.Errorf("S/MIME: %+v", docs[0])
	}
}
