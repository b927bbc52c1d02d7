package message

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"reflect"
	"strings"
	"testing"
)

// crlf turns the "\n" line ends of a test message into "\r\n".
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// lf turns "\r\n" into "\n", to compare 7bit data of a test run with either line end.
func lf(b []byte) string {
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// b64 encodes data as a MIME body: base64 in lines of 76 characters.
func b64(data string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(data))
	var sb strings.Builder
	for len(enc) > 76 {
		sb.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	sb.WriteString(enc)
	return sb.String()
}

// qp encodes text as quoted-printable.
func qp(text string) string {
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf)
	w.Write([]byte(text))
	w.Close()
	return buf.String()
}

// latin1 encodes a string of Latin-1 characters as ISO-8859-1 bytes.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

func mustParse(t *testing.T, raw string) *Message {
	t.Helper()
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func bodyTexts(m *Message) []string {
	var out []string
	for _, b := range m.Bodies {
		out = append(out, b.ContentType+": "+b.Content)
	}
	return out
}

func attachmentNames(m *Message) []string {
	var out []string
	for _, a := range m.Attachments {
		out = append(out, a.Name)
	}
	return out
}

// attachment returns the attachment with the given name or fails.
func attachment(t *testing.T, m *Message, name string) Attachment {
	t.Helper()
	for _, a := range m.Attachments {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no attachment %q; have %q", name, attachmentNames(m))
	return Attachment{}
}

// parseCase is one built message and what Parse must find in it. Each case runs with "\n"
// and with "\r\n" line ends.
type parseCase struct {
	name  string
	raw   string
	check func(t *testing.T, m *Message)
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		for _, eol := range []string{"LF", "CRLF"} {
			t.Run(c.name+"/"+eol, func(t *testing.T) {
				raw := c.raw
				if eol == "CRLF" {
					raw = crlf(raw)
				}
				c.check(t, mustParse(t, raw))
			})
		}
	}
}

func wantBodies(t *testing.T, m *Message, want ...string) {
	t.Helper()
	if got := bodyTexts(m); !reflect.DeepEqual(got, want) {
		t.Errorf("bodies = %q, want %q", got, want)
	}
}

func wantAttachments(t *testing.T, m *Message, want ...string) {
	t.Helper()
	var got []string
	for _, a := range m.Attachments {
		got = append(got, a.Name+" "+a.ContentType)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attachments = %q, want %q", got, want)
	}
}

const head = "From: =?utf-8?Q?S=C3=B8ren_=C3=86rb=C3=B8_=C3=98sterg=C3=A5rd?= <soeren.oestergaard@aarhus.dk>\n" +
	"To: Mette Holm <mette.holm@example.dk>\n" +
	"Subject: Test\n" +
	"MIME-Version: 1.0\n"

const pdfBytes = "%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"

// nest wraps a part in depth multipart/mixed levels.
func nest(depth int, inner string) string {
	for i := range depth {
		b := fmt.Sprintf("n%d", i)
		inner = "Content-Type: multipart/mixed; boundary=" + b + "\n\n--" + b + "\n" + inner + "\n--" + b + "--\n"
	}
	return inner
}
