package message

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseHeaders(t *testing.T) {
	runParseCases(t, []parseCase{
		{
			name: "RFC 2047 subjects and names",
			raw: "From: =?ISO-8859-1?Q?S=F8ren_=C6rb=F8_=D8sterg=E5rd?= <soeren@aarhus.dk>\n" +
				"To: =?utf-8?B?TMOmcmtlIFRob3JzZW4=?= <laerke.thorsen@example.dk>,\n \"=?windows-1252?Q?J=F8rgen_=93Tykke=94?=\" <joergen@example.dk>\n" +
				"Cc: =?utf-8?q?Mette_H=C3=B8lm?= <mette@example.dk>\n" +
				"Subject: =?utf-8?B?QWZnw7hyZWxzZSBvbSBoasOmbHAgdGls?=\n =?utf-8?B?IGVua2VsdHVkZ2lmdCDigJMg?= =?windows-1252?Q?=80_100?=\n" +
				"X-Sendevagt-Route: secure\n\nhej\n",
			check: func(t *testing.T, m *Message) {
				if m.Subject != "Afgørelse om hjælp til enkeltudgift – € 100" {
					t.Errorf("Subject = %q", m.Subject)
				}
				want := Address{Name: "Søren Ærbø Østergård", Address: "soeren@aarhus.dk"}
				if m.From != want {
					t.Errorf("From = %+v", m.From)
				}
				wantTo := []Address{{"Lærke Thorsen", "laerke.thorsen@example.dk"}, {"Jørgen “Tykke”", "joergen@example.dk"}}
				if !reflect.DeepEqual(m.To, wantTo) {
					t.Errorf("To = %+v", m.To)
				}
				if len(m.Cc) != 1 || m.Cc[0].Name != "Mette Hølm" {
					t.Errorf("Cc = %+v", m.Cc)
				}
				if got := m.Header.Get("X-Sendevagt-Route"); got != "secure" {
					t.Errorf("X-Sendevagt-Route = %q", got)
				}
				if got := m.Header.Get("Subject"); !strings.HasPrefix(got, "=?utf-8?B?") {
					t.Errorf("raw Subject = %q, want it undecoded", got)
				}
			},
		},
		{
			name: "raw 8-bit headers",
			raw: "From: Søren Ærbø Østergård <soeren@aarhus.dk>\n" +
				"To: " + latin1("Mette Ærø") + " <mette@example.dk>\n" +
				"Subject: " + latin1("Afgørelse om tilskud") + "\n\nhej\n",
			check: func(t *testing.T, m *Message) {
				if m.From.Name != "Søren Ærbø Østergård" || m.To[0].Name != "Mette Ærø" || m.Subject != "Afgørelse om tilskud" {
					t.Errorf("From %+v To %+v Subject %q", m.From, m.To, m.Subject)
				}
			},
		},
		{
			name: "Bcc, repeated To and no display names",
			raw: "From: soeren@aarhus.dk\nTo: a@example.dk\nTo: b@example.dk, \"Holm, Mette\" <c@example.dk>\n" +
				"Bcc: undisclosed-recipients:;\nBcc: Team: d@example.dk, e@example.dk;\n\nhej\n",
			check: func(t *testing.T, m *Message) {
				wantTo := []Address{{"", "a@example.dk"}, {"", "b@example.dk"}, {"Holm, Mette", "c@example.dk"}}
				if !reflect.DeepEqual(m.To, wantTo) {
					t.Errorf("To = %+v", m.To)
				}
				wantBcc := []Address{{"", "d@example.dk"}, {"", "e@example.dk"}}
				if !reflect.DeepEqual(m.Bcc, wantBcc) {
					t.Errorf("Bcc = %+v", m.Bcc)
				}
				if got := len(m.Recipients()); got != 5 {
					t.Errorf("%d recipients", got)
				}
			},
		},
		{
			name: "malformed address lists keep every recipient",
			raw: "From: Søren Østergård soeren@aarhus.dk\n" +
				"To: Holm, Mette <mette.holm@example.dk>; Jens Jensen <jens@example.dk\n" +
				"Cc: =?utf-8?Q?L=C3=A6rke?= <laerke@example.dk>, Ole [ole@example.dk], Ærbø Østergård\n" +
				"Bcc: <>, @, \"unterminated <x@example.dk>\n\nhej\n",
			check: func(t *testing.T, m *Message) {
				if m.From != (Address{Name: "Søren Østergård", Address: "soeren@aarhus.dk"}) {
					t.Errorf("From = %+v", m.From)
				}
				wantTo := []Address{{"Holm, Mette", "mette.holm@example.dk"}, {"Jens Jensen", "jens@example.dk"}}
				if !reflect.DeepEqual(m.To, wantTo) {
					t.Errorf("To = %+v", m.To)
				}
				wantCc := []Address{{"Lærke", "laerke@example.dk"}, {"Ole", "ole@example.dk"}, {"Ærbø Østergård", ""}}
				if !reflect.DeepEqual(m.Cc, wantCc) {
					t.Errorf("Cc = %+v", m.Cc)
				}
				found := false
				for _, a := range m.Bcc {
					found = found || a.Address == "x@example.dk"
				}
				if !found {
					t.Errorf("Bcc = %+v, lost x@example.dk", m.Bcc)
				}
			},
		},
		{
			name: "Outlook forms: unquoted comma, address as name",
			raw: "From: 'soeren@aarhus.dk' <soeren@aarhus.dk>\nTo: Østergård, Søren Ærbø <soeren@example.dk>\n" +
				"Cc: mette@example.dk <mette@example.dk>\n\nhej\n",
			check: func(t *testing.T, m *Message) {
				if m.From != (Address{Address: "soeren@aarhus.dk"}) {
					t.Errorf("From = %+v", m.From)
				}
				if want := []Address{{"Østergård, Søren Ærbø", "soeren@example.dk"}}; !reflect.DeepEqual(m.To, want) {
					t.Errorf("To = %+v", m.To)
				}
				if want := []Address{{"", "mette@example.dk"}}; !reflect.DeepEqual(m.Cc, want) {
					t.Errorf("Cc = %+v", m.Cc)
				}
			},
		},
		{
			name: "odd header lines are tolerated",
			raw: "From : soeren@aarhus.dk\nX-Empty:\nTo: mette@example.dk\n\tcontinued-junk\n" +
				"Subject: en\n  lang\n\temnelinje\n\nhej\n",
			check: func(t *testing.T, m *Message) {
				if m.From.Address != "soeren@aarhus.dk" || m.Subject != "en lang emnelinje" {
					t.Errorf("From %+v Subject %q", m.From, m.Subject)
				}
				if _, ok := m.Header["X-Empty"]; !ok {
					t.Error("X-Empty lost")
				}
				if len(m.To) == 0 || m.To[0].Address != "mette@example.dk" {
					t.Errorf("To = %+v", m.To)
				}
			},
		},
	})
}

func TestParseFileNames(t *testing.T) {
	part := func(headers string) string {
		return "--a\n" + headers + "\n\n" + pdfBytes + "\n"
	}
	runParseCases(t, []parseCase{{
		name: "file name forms",
		raw: head + "Content-Type: multipart/mixed; boundary=a\n\n" +
			part("Content-Type: application/pdf\nContent-Disposition: attachment; filename*=utf-8''Afg%C3%B8relse.pdf") +
			part("Content-Type: application/pdf\nContent-Disposition: attachment;\n filename*0*=UTF-8''L%C3%A6ge;\n filename*1*=erkl%C3%A6ring;\n filename*2=\".pdf\"") +
			part("Content-Type: application/pdf\nContent-Disposition: attachment;\n filename*0=\"Brev \"; filename*1=\"1.pdf\"") +
			part("Content-Type: application/pdf\nContent-Disposition: attachment; filename*=iso-8859-1'da'%D8konomi.pdf") +
			part("Content-Type: application/pdf; name=\"Fra-type.pdf\"\nContent-Disposition: attachment") +
			part("Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"=?utf-8?B?w4ZyYsO4LnBkZg==?=\"") +
			part("Content-Type: application/pdf\nContent-Disposition: attachment; filename="+latin1("Åben sag.pdf")) +
			part("Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\sbo\\\\Skat.pdf\"; filename=\"dup.pdf\"") +
			part("Content-Type: application/pdf; name*=utf-8''Navn%20fra%20type.pdf; name=\"ignored.pdf\"") +
			part("Content-Type: pdf\nContent-Disposition: attachment; filename=\"Ugyldig type.pdf\"") +
			"--a--\n",
		check: func(t *testing.T, m *Message) {
			wantAttachments(t, m,
				"Afgørelse.pdf application/pdf",
				"Lægeerklæring.pdf application/pdf",
				"Brev 1.pdf application/pdf",
				"Økonomi.pdf application/pdf",
				"Fra-type.pdf application/pdf",
				"Ærbø.pdf application/pdf",
				"Åben sag.pdf application/pdf",
				"Skat.pdf application/pdf",
				"Navn fra type.pdf application/pdf",
				"Ugyldig type.pdf application/octet-stream",
			)
			for _, a := range m.Attachments {
				if lf(a.Data) != pdfBytes {
					t.Errorf("%s data = %q", a.Name, a.Data)
				}
			}
		},
	}})
}

func TestParseAttachedMessages(t *testing.T) {
	inner := "From: Mette Holm <mette@example.dk>\nTo: soeren@aarhus.dk\nSubject: =?utf-8?Q?Ans=C3=B8gning?=\n" +
		"Content-Type: multipart/mixed; boundary=inner\n\n--inner\nContent-Type: text/plain\n\nSe bilag\n--inner\n" +
		"Content-Type: application/pdf\nContent-Disposition: attachment; filename*=utf-8''L%C3%A6geerkl%C3%A6ring.pdf\n" +
		"Content-Transfer-Encoding: base64\n\n" + b64(pdfBytes) + "\n--inner--\n"
	runParseCases(t, []parseCase{
		{
			name: "message/rfc822 attachments are kept whole",
			raw: head + "Content-Type: multipart/mixed; boundary=outer\n\n--outer\n" +
				"Content-Type: text/plain\n\nVideresendt\n--outer\n" +
				"Content-Type: message/rfc822\nContent-Disposition: attachment; filename=\"Henvendelse.eml\"\n\n" + inner + "\n--outer\n" +
				"Content-Type: message/rfc822\n\n" + inner + "\n--outer\n" +
				"Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" + b64("From: x@example.dk\n\nuden emne\n") + "\n--outer--\n",
			check: func(t *testing.T, m *Message) {
				wantBodies(t, m, "text/plain: Videresendt")
				wantAttachments(t, m,
					"Henvendelse.eml message/rfc822",
					"Ansøgning.eml message/rfc822",
					"message.eml message/rfc822",
				)
				if got := string(m.Attachments[2].Data); got != "From: x@example.dk\n\nuden emne\n" {
					t.Errorf("base64 rfc822 data = %q", got)
				}
				im, err := Parse(m.Attachments[0].Data)
				if err != nil {
					t.Fatalf("inner Parse: %v", err)
				}
				if im.Subject != "Ansøgning" || len(im.Attachments) != 1 || im.Attachments[0].Name != "Lægeerklæring.pdf" {
					t.Errorf("inner: subject %q attachments %q", im.Subject, attachmentNames(im))
				}
				if len(im.Bodies) != 1 || len(m.Bodies) != 1 {
					t.Errorf("inner message was flattened into the outer one")
				}
			},
		},
	})
}
