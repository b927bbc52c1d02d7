package message

import (
	"errors"
	"strings"
	"testing"
)

// journalText is a synthetic journal note: a made-up person, a synthetic CPR number and a
// diagnosis. Its length makes its base64 end in "=", which a quoted-printable decoder takes
// for a soft line break.
const journalText = "Journalnotat\nBorger: Lise Vindum Kragh, CPR 150315-2345\nDiagnose: svær depression (F32.1).\n"

// pngBytes stands in for an image; its base64 ends in "=" too.
const pngBytes = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00"

// mixedWithJournal is a multipart/mixed message with a text body, journal.txt and an image,
// both base64; extraHeader is added to the multipart's own header.
func mixedWithJournal(extraHeader string) string {
	return head + "Content-Type: multipart/mixed; boundary=\"=_b1\"\n" + extraHeader + "\n" +
		"--=_b1\nContent-Type: text/plain; charset=utf-8\n\nSe vedhæftede.\n" +
		"--=_b1\nContent-Type: text/plain; name=journal.txt\nContent-Disposition: attachment; filename=journal.txt\nContent-Transfer-Encoding: base64\n\n" +
		b64(journalText) + "\n" +
		"--=_b1\nContent-Type: image/png; name=logo.png\nContent-Transfer-Encoding: base64\n\n" +
		b64(pngBytes) + "\n--=_b1--\n"
}

func TestParseTransferEncodingOnMultipart(t *testing.T) {
	if !strings.HasSuffix(b64(journalText), "=") || !strings.HasSuffix(b64(pngBytes), "=") {
		t.Fatal("test data no longer ends in the padding the cases rely on")
	}
	attached := func(inner string) string {
		return head + "Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: text/plain\n\nVideresendt\n--outer\n" +
			"Content-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n\n" + inner + "\n--outer--\n"
	}
	cases := []struct {
		name, raw string
	}{
		{"no transfer encoding", mixedWithJournal("")},
		{"quoted-printable on the multipart", mixedWithJournal("Content-Transfer-Encoding: quoted-printable\n")},
		{"base64 on the multipart", mixedWithJournal("Content-Transfer-Encoding: base64\n")},
		{"quoted-printable, quoted and upper case", mixedWithJournal("Content-Transfer-Encoding: \"Quoted-Printable\"\n")},
	}
	for _, c := range cases {
		for _, eol := range []string{"LF", "CRLF"} {
			t.Run(c.name+"/"+eol, func(t *testing.T) {
				raw := c.raw
				if eol == "CRLF" {
					raw = crlf(raw)
				}
				m := mustParse(t, raw)
				wantBodies(t, m, "text/plain: Se vedhæftede.")
				wantAttachments(t, m, "journal.txt text/plain", "logo.png image/png")
				if got := lf(attachment(t, m, "journal.txt").Data); got != journalText {
					t.Errorf("journal.txt = %q", got)
				}
				if got := string(attachment(t, m, "logo.png").Data); got != pngBytes {
					t.Errorf("logo.png = %q", got)
				}
			})
		}
	}
	t.Run("attached message with quoted-printable", func(t *testing.T) {
		m := mustParse(t, attached(mixedWithJournal("Content-Transfer-Encoding: quoted-printable\n")))
		wantAttachments(t, m, "Test.eml message/rfc822")
		inner := mustParse(t, string(m.Attachments[0].Data))
		wantAttachments(t, inner, "journal.txt text/plain", "logo.png image/png")
	})
	t.Run("attached single-part message with quoted-printable is decoded", func(t *testing.T) {
		m := mustParse(t, attached(qp(head+"Content-Type: text/plain; charset=utf-8\n\nKære Åse\n")))
		inner := mustParse(t, string(m.Attachments[0].Data))
		wantBodies(t, inner, "text/plain: Kære Åse\n")
	})
}

func TestParseUnseparatedParts(t *testing.T) {
	journal := "--a\nContent-Type: text/plain; name=journal.txt\nContent-Transfer-Encoding: base64\n\n" + b64(journalText)
	cases := []struct {
		name    string
		raw     string
		corrupt bool
		// contains is text that must still be found in a body or attachment.
		contains string
	}{
		{
			name:     "delimiter glued to the end of a line",
			raw:      head + "Content-Type: multipart/mixed; boundary=a\n\n" + journal + "--a\nContent-Type: image/png; name=x.png\n\nPNG\n--a--\n",
			corrupt:  true,
			contains: "150315-2345",
		},
		{
			name:     "close delimiter glued",
			raw:      head + "Content-Type: multipart/mixed; boundary=a\n\n" + journal + "--a--\n",
			corrupt:  true,
			contains: "150315-2345",
		},
		{
			name: "part header broken before its transfer encoding",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: text/plain; name=journal.txt\nbroken line\n" +
				"Content-Transfer-Encoding: base64\n\n" + b64(journalText) + "\n--a--\n",
			corrupt: true,
		},
		{
			name:    "boundary never occurs but parts are inside",
			raw:     head + "Content-Type: multipart/mixed; boundary=nope\n\n--other\nContent-Type: text/plain\n\nCPR 150315-2345\n--other--\n",
			corrupt: true, contains: "150315-2345",
		},
		{
			name:     "boundary never occurs, plain text",
			raw:      head + "Content-Type: multipart/mixed; boundary=nope\n\nCPR 150315-2345\n",
			contains: "150315-2345",
		},
		{
			name:     "no close delimiter: the last part runs to the end",
			raw:      head + "Content-Type: multipart/mixed; boundary=a\n\n" + journal + "\n",
			contains: "150315-2345",
		},
		{
			name: "nested boundary that extends the outer one",
			raw: head + "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/alternative; boundary=a_1\n\n" +
				"--a_1\nContent-Type: text/plain\n\nCPR 150315-2345\n--a_1--\n--a--\n",
			contains: "150315-2345",
		},
		{
			name:     "part without a header",
			raw:      head + "Content-Type: multipart/mixed; boundary=a\n\n--a\nCPR 150315-2345\n--a--\n",
			contains: "150315-2345",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.raw))
			if m == nil {
				t.Fatalf("no message: %v", err)
			}
			if got := errors.Is(err, ErrCorrupt); got != c.corrupt {
				t.Errorf("err = %v, want ErrCorrupt %v", err, c.corrupt)
			}
			if err != nil && strings.Contains(err.Error(), "150315") {
				t.Errorf("error %q quotes the content", err)
			}
			if c.contains == "" {
				return
			}
			var all strings.Builder
			for _, b := range m.Bodies {
				all.WriteString(b.Content)
			}
			for _, a := range m.Attachments {
				all.Write(a.Data)
			}
			if !strings.Contains(all.String(), c.contains) {
				t.Errorf("content lost: bodies %q, attachments %q", bodyTexts(m), attachmentNames(m))
			}
		})
	}
}

func TestParseLeadingWhiteSpace(t *testing.T) {
	msg := head + "Content-Type: text/plain\n\nHej Mette\n"
	for _, prefix := range []string{"", "\n\n", "   \n", " \t \r\n\r\n", "\ufeff", "\ufeff  \n", "\n\ufeff", "From jens@example.dk Mon Dec  7 10:00:00 2026\n"} {
		m, err := Parse([]byte(prefix + msg))
		if err != nil {
			t.Errorf("%q: %v", prefix, err)
			continue
		}
		if m.Subject != "Test" || m.To[0].Address != "mette.holm@example.dk" {
			t.Errorf("%q: subject %q, to %v", prefix, m.Subject, m.To)
		}
		wantBodies(t, m, "text/plain: Hej Mette\n")
	}
	for _, raw := range []string{"   ", "\ufeff\n \n", "Hej Mette\nCPR 150315-2345\n"} {
		if m, err := Parse([]byte(raw)); !errors.Is(err, ErrMalformed) || m != nil {
			t.Errorf("%q: %v, %v; want ErrMalformed", raw, m, err)
		}
	}
}
