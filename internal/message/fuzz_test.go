package message

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/testenv"
)

// fuzzSeeds are built messages covering the parser's paths.
func fuzzSeeds() []string {
	inner := "From: a@example.dk\nSubject: =?utf-8?Q?Ans=C3=B8gning?=\n\nhej\n"
	return []string{
		head + "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nS=F8ren =\n=C6rb=F8\n",
		head + "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: text/plain\n\nx\n--a\n" +
			"Content-Type: application/pdf\nContent-Disposition: attachment; filename*0*=utf-8''L%C3%A6ge; filename*1=.pdf\n" +
			"Content-Transfer-Encoding: base64\n\n" + b64(pdfBytes) + "\n--a\nContent-Type: message/rfc822\n\n" + inner + "--a--\n",
		head + "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n \n--b\n" +
			"Content-Type: multipart/related; boundary=c\n\n--c\nContent-Type: text/html\n\n<p>x</p>\n--c\n" +
			"Content-Type: image/png\n\nPNG\n--c--\n--b--\n",
		head + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\n\n--s\n" +
			"Content-Type: text/plain\n\nunderskrevet\n--s\nContent-Type: application/pkcs7-signature\n\nsig\n--s--\n",
		head + "Content-Type: application/pkcs7-mime; smime-type=enveloped-data\nContent-Transfer-Encoding: base64\n\n" + b64(derHeader(3)),
		"From: Holm, Mette <m@example.dk>\nTo: =?utf-8?B?TMOmcmtl?= <l@example.dk>, \"x <y@example.dk>\nSubject: " + latin1("Ærø") + "\n\nhej",
		head + "Content-Type: multipart/digest; boundary=d\n\n--d\n\n" + inner + "--d--\n",
		crlf(head + nest(4, "Content-Type: text/plain; charset=windows-1252\n\n\x80")),
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	if dir, err := testenv.FindCorpus(); err == nil { // seeds from the corpus when it is there
		files, _ := filepath.Glob(filepath.Join(dir, "cases", "*.eml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParsed(t, data, 0)
	})
}

// checkParsed parses data and checks the invariants that hold for any input; attached
// messages are parsed in turn, as the extract package does.
func checkParsed(t *testing.T, data []byte, depth int) {
	m, err := Parse(data)
	switch {
	case err == nil && m == nil:
		t.Fatal("nil message without error")
	case err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooComplex) && !errors.Is(err, ErrCorrupt):
		t.Fatalf("unexpected error %v", err)
	case errors.Is(err, ErrMalformed) && m != nil:
		t.Fatal("message with ErrMalformed")
	case m == nil:
		return
	}
	texts := []string{m.Subject, m.From.Name}
	for _, a := range m.Recipients() {
		texts = append(texts, a.Name)
	}
	total := 0
	for _, b := range m.Bodies {
		texts = append(texts, b.Content)
		if b.ContentType != "text/plain" && b.ContentType != "text/html" {
			t.Errorf("body type %q", b.ContentType)
		}
	}
	for _, a := range m.Attachments {
		texts = append(texts, a.Name)
		total += len(a.Data)
		if a.Name == "" || a.ContentType == "" || strings.ToLower(a.ContentType) != a.ContentType {
			t.Errorf("attachment name %q type %q", a.Name, a.ContentType)
		}
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 %q", s)
		}
	}
	// Decoding only shrinks data, and each input byte belongs to at most one attachment.
	if total > len(data) {
		t.Errorf("attachments hold %d bytes of a %d-byte input", total, len(data))
	}
	if depth < 3 {
		for _, a := range m.Attachments {
			if a.ContentType == "message/rfc822" && len(a.Data) < len(data) {
				checkParsed(t, a.Data, depth+1)
			}
		}
	}
}

// TestFuzzSeeds runs the fuzz invariants over the seeds in every normal test run.
func TestFuzzSeeds(t *testing.T) {
	for _, s := range fuzzSeeds() {
		checkParsed(t, []byte(s), 0)
	}
}
