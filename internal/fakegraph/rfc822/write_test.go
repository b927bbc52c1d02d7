package rfc822

import (
	"bytes"
	"net/textproto"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/message"
)

func TestWriteRoundTrip(t *testing.T) {
	inner := &message.Message{
		From:    message.Address{Name: "Jens Testesen", Address: "jens@example.dk"},
		To:      []message.Address{{Name: "Åse Prøve", Address: "aase@example.dk"}},
		Subject: "Indre besked",
		Bodies:  []message.Body{{ContentType: "text/plain", Content: "Indre tekst\nlinje to"}},
		Attachments: []message.Attachment{
			{Name: "notat.txt", ContentType: "text/plain", Data: []byte("notat 010190-0000\n")},
		},
	}
	innerBytes, err := Bytes(inner)
	if err != nil {
		t.Fatal(err)
	}
	binary := make([]byte, 1000)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	tests := []struct {
		name string
		msg  *message.Message
	}{
		{"plain only", &message.Message{
			From:    message.Address{Name: "Sagsbehandler, Aarhus", Address: "sb@aarhus.example"},
			To:      []message.Address{{Name: "Søren Æblemand", Address: "soeren@example.dk"}, {Address: "b@example.dk"}},
			Cc:      []message.Address{{Name: "C", Address: "c@example.dk"}},
			Bcc:     []message.Address{{Address: "d@example.dk"}},
			Subject: "Afgørelse om hjælp til enkeltudgift — en meget lang emnelinje der skal foldes over flere linjer i headeren",
			Header:  textproto.MIMEHeader{"X-Sendevagt-Route": {"secure"}, "Received": {"not copied"}},
			Bodies:  []message.Body{{ContentType: "text/plain", Content: "Kære Søren\n\nLinje med = og æøå og en meget lang linje " + strings.Repeat("x", 200) + "\n"}},
		}},
		{"html body", &message.Message{
			From:    message.Address{Address: "a@example.dk"},
			Subject: "html",
			Bodies:  []message.Body{{ContentType: "text/html", Content: "<p>Hej <b>verden</b></p>"}},
		}},
		{"attachments and nested", &message.Message{
			From:    message.Address{Address: "a@example.dk"},
			To:      []message.Address{{Address: "b@example.dk"}},
			Subject: "med bilag",
			Bodies:  []message.Body{{ContentType: "text/plain", Content: "se bilag"}, {ContentType: "text/html", Content: "<i>mere</i>"}},
			Attachments: []message.Attachment{
				{Name: "Afgørelse om hjælp.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 fake")},
				{Name: "data.bin", ContentType: "application/octet-stream", Data: binary},
				{Name: "tom.txt", ContentType: "text/plain", Data: []byte{}},
				{Name: "Indre besked.eml", ContentType: "message/rfc822", Data: innerBytes},
				{Name: "sky.url", Unread: &message.Unread{Status: "unsupported", Detail: "cloud link"}},
			},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := Bytes(tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range bytes.Split(raw, []byte("\r\n")) {
				if len(line) > 998 {
					t.Fatalf("line longer than 998 octets: %d", len(line))
				}
			}
			got, err := message.Parse(raw)
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, raw)
			}
			compare(t, tc.msg, got)
			if tc.msg.Header != nil {
				if v := got.Header.Get("X-Sendevagt-Route"); v != "secure" {
					t.Errorf("X-Sendevagt-Route = %q", v)
				}
				if got.Header.Get("Received") != "" {
					t.Errorf("Received copied")
				}
			}
		})
	}
}

func TestWriteParsedMessageAttachment(t *testing.T) {
	m := &message.Message{
		Subject: "ydre",
		Attachments: []message.Attachment{{
			Name: "indre.msg", ContentType: "application/vnd.ms-outlook",
			Message: &message.Message{Subject: "indre", Bodies: []message.Body{{ContentType: "text/plain", Content: "indhold"}}},
		}},
	}
	raw, err := Bytes(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := message.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attachments) != 1 || got.Attachments[0].ContentType != "message/rfc822" {
		t.Fatalf("attachments = %+v", got.Attachments)
	}
	inner, err := message.Parse(got.Attachments[0].Data)
	if err != nil || inner.Subject != "indre" || len(inner.Bodies) != 1 || inner.Bodies[0].Content != "indhold" {
		t.Fatalf("inner = %+v, %v", inner, err)
	}
}

func TestHeaderInjection(t *testing.T) {
	m := &message.Message{
		Subject: "a\r\nBcc: evil@example.com",
		Header:  textproto.MIMEHeader{"X-Evil": {"v\r\nTo: evil@example.com"}},
	}
	raw, err := Bytes(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := message.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Bcc) != 0 || len(got.To) != 0 {
		t.Fatalf("header injected: to=%v bcc=%v\n%s", got.To, got.Bcc, raw)
	}
}

func compare(t *testing.T, want, got *message.Message) {
	t.Helper()
	if got.Subject != want.Subject {
		t.Errorf("subject = %q, want %q", got.Subject, want.Subject)
	}
	if want.From.Address != "" && got.From != want.From {
		t.Errorf("from = %+v, want %+v", got.From, want.From)
	}
	for _, l := range []struct {
		name      string
		got, want []message.Address
	}{{"to", got.To, want.To}, {"cc", got.Cc, want.Cc}, {"bcc", got.Bcc, want.Bcc}} {
		if len(l.got) != len(l.want) {
			t.Errorf("%s = %+v, want %+v", l.name, l.got, l.want)
			continue
		}
		for i := range l.got {
			if l.got[i] != l.want[i] {
				t.Errorf("%s[%d] = %+v, want %+v", l.name, i, l.got[i], l.want[i])
			}
		}
	}
	if len(got.Bodies) != len(want.Bodies) {
		t.Fatalf("bodies = %+v, want %+v", got.Bodies, want.Bodies)
	}
	for i := range got.Bodies {
		if got.Bodies[i].ContentType != want.Bodies[i].ContentType || normalizeNL(got.Bodies[i].Content) != normalizeNL(want.Bodies[i].Content) {
			t.Errorf("body %d = %+v, want %+v", i, got.Bodies[i], want.Bodies[i])
		}
	}
	var wantAtts []message.Attachment
	for _, a := range want.Attachments {
		if a.Unread == nil {
			wantAtts = append(wantAtts, a)
		}
	}
	if len(got.Attachments) != len(wantAtts) {
		t.Fatalf("attachments = %d, want %d", len(got.Attachments), len(wantAtts))
	}
	for i, w := range wantAtts {
		g := got.Attachments[i]
		if g.Name != w.Name || g.ContentType != w.ContentType || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("attachment %d = %q %q %d bytes, want %q %q %d bytes", i, g.Name, g.ContentType, len(g.Data), w.Name, w.ContentType, len(w.Data))
		}
	}
}

func normalizeNL(s string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}
