package message

import (
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// TestInlineAttachments: a picture of the body's layout (Content-ID with Content-Disposition
// inline, or a Content-ID the HTML body shows) is Inline; an attached file is not.
func TestInlineAttachments(t *testing.T) {
	const mail = "From: a@kommune.dk\r\nTo: b@example.org\r\nSubject: Møde\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n" +
		"--m\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n" +
		"--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<p>Hej</p><img src=\"CID:logo2@kommune\"><img src='cid:logo1@kommune'>\r\n" +
		"--r\r\nContent-Type: image/png; name=\"logo1.png\"\r\nContent-Disposition: inline; filename=\"logo1.png\"\r\nContent-ID: <logo1@kommune>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n" +
		"--r\r\nContent-Type: image/png; name=\"logo2.png\"\r\nContent-Id: <Logo2@kommune>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n" +
		"--r\r\nContent-Type: image/png; name=\"ubrugt.png\"\r\nContent-ID: <other@kommune>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n" +
		"--r--\r\n" +
		"--m\r\nContent-Type: image/jpeg; name=\"scan.jpg\"\r\nContent-Disposition: attachment; filename=\"scan.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n" +
		"--m--\r\n"
	msg, err := Parse([]byte(mail))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, cid string
		inline    bool
	}{
		{"logo1.png", "logo1@kommune", true},
		{"logo2.png", "Logo2@kommune", true},
		{"ubrugt.png", "other@kommune", false},
		{"scan.jpg", "", false},
	}
	if len(msg.Attachments) != len(want) {
		t.Fatalf("%d attachments, want %d", len(msg.Attachments), len(want))
	}
	for i, w := range want {
		a := msg.Attachments[i]
		if a.Name != w.name || a.ContentID != w.cid || a.Inline != w.inline {
			t.Errorf("attachment %d: %q cid %q inline %v, want %q %q %v", i, a.Name, a.ContentID, a.Inline, w.name, w.cid, w.inline)
		}
	}
}

func TestCIDRefs(t *testing.T) {
	refs := cidRefs([]Body{
		{ContentType: "text/html", Content: `<img src="cid:a@b"><div style="background:url(cid:c)">` + strings.Repeat("x", 10) + `cid:`},
		{ContentType: "text/plain", Content: `cid:plain`},
	})
	for _, k := range []string{"a@b", "c", ""} {
		if !refs[k] {
			t.Errorf("%q not found in %v", k, refs)
		}
	}
	if refs["plain"] {
		t.Error("plain-text body searched")
	}
}

// TestInlineMSG: an Outlook attachment that is hidden (shown in the body) is Inline, with its
// Content-ID; a plain one is not.
func TestInlineMSG(t *testing.T) {
	data := testgen.OutlookMSG(testgen.MSGSpec{
		Subject: "Møde", SenderName: "Kommunen", SenderEmail: "a@kommune.dk",
		HTML: `<p>Hej</p><img src="cid:image001.png@01DB0000.00000000">`,
		Attachments: []testgen.MSGAttachment{
			{Name: "image001.png", MIME: "image/png", Data: []byte("\x89PNG"), ContentID: "image001.png@01DB0000.00000000", Hidden: true},
			{Name: "Bilag.pdf", MIME: "application/pdf", Data: []byte("%PDF-1.4")},
		},
	})
	msg, err := ParseMSG(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Attachments) != 2 {
		t.Fatalf("%d attachments", len(msg.Attachments))
	}
	if a := msg.Attachments[0]; !a.Inline || a.ContentID != "image001.png@01DB0000.00000000" {
		t.Errorf("signature image: inline %v cid %q", a.Inline, a.ContentID)
	}
	if a := msg.Attachments[1]; a.Inline || a.ContentID != "" {
		t.Errorf("attachment: inline %v cid %q", a.Inline, a.ContentID)
	}
}
