package message

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/testenv"
)

// casesDir is the corpus's messages, or ends the test through testenv when there is no corpus.
func casesDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(testenv.CorpusDir(t), "cases")
}

func parseCorpusFile(t *testing.T, name string) *Message {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(casesDir(t), name))
	if err != nil {
		t.Fatalf("read corpus file: %v", err)
	}
	m, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

// TestCorpusAll parses every labelled example and checks what holds for all of them.
func TestCorpusAll(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(casesDir(t), "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("the corpus holds no messages")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			m := parseCorpusFile(t, filepath.Base(file))
			if !strings.HasSuffix(m.From.Address, "@aarhus.dk") {
				t.Errorf("From = %+v, want an aarhus.dk sender", m.From)
			}
			if len(m.Recipients()) == 0 {
				t.Error("no recipients")
			}
			for _, a := range m.Recipients() {
				if !strings.Contains(a.Address, "@") {
					t.Errorf("recipient %+v has no address", a)
				}
			}
			if m.Subject == "" || strings.Contains(m.Subject, "=?") {
				t.Errorf("Subject = %q", m.Subject)
			}
			if len(m.Bodies) == 0 && !m.Encrypted {
				t.Error("no body")
			}
			for _, b := range m.Bodies {
				if !utf8.ValidString(b.Content) || strings.ContainsRune(b.Content, utf8.RuneError) {
					t.Errorf("%s body not clean UTF-8", b.ContentType)
				}
				if strings.TrimSpace(b.Content) == "" {
					t.Errorf("empty %s body", b.ContentType)
				}
			}
			for _, a := range m.Attachments {
				checkMagic(t, a)
			}
		})
	}
}

// checkMagic checks that an attachment decoded to the bytes its name promises.
func checkMagic(t *testing.T, a Attachment) {
	t.Helper()
	magic := map[string]string{".pdf": "%PDF-", ".docx": "PK", ".xlsx": "PK", ".zip": "PK", ".eml": "From: "}
	for ext, want := range magic {
		if strings.HasSuffix(strings.ToLower(a.Name), ext) && !bytes.HasPrefix(a.Data, []byte(want)) {
			t.Errorf("attachment %q does not start with %q", a.Name, want)
		}
	}
}

// TestCorpusFacts checks specific facts of chosen examples.
func TestCorpusFacts(t *testing.T) {
	casesDir(t)
	t.Run("p020 Latin-1 base64 body and encoded name", func(t *testing.T) {
		m := parseCorpusFile(t, "p020-soro-sensitive-body.eml")
		if len(m.To) != 1 || m.To[0].Name != "Lærke Thorsen" || m.To[0].Address != "laerke.thorsen@live.dk" {
			t.Errorf("To = %+v", m.To)
		}
		if len(m.Bodies) != 1 || !strings.Contains(m.Bodies[0].Content, "Børne- og ungdomspsykiatrien") {
			t.Errorf("bodies = %q", bodyTexts(m))
		}
	})
	t.Run("p009 attached message with RFC 2231 PDF name", func(t *testing.T) {
		m := parseCorpusFile(t, "p009-wrong-citizen.eml")
		if m.Subject != "VS: Ansøgning om tilskud" {
			t.Errorf("Subject = %q", m.Subject)
		}
		inner := attachment(t, m, "Henvendelse.eml")
		if inner.ContentType != "message/rfc822" {
			t.Errorf("ContentType = %q", inner.ContentType)
		}
		im, err := Parse(inner.Data)
		if err != nil {
			t.Fatalf("Parse(inner): %v", err)
		}
		if im.From.Address != "ingrid.christoffersen@live.dk" || im.Subject != "Ansøgning om tilskud" {
			t.Errorf("inner From = %+v, Subject = %q", im.From, im.Subject)
		}
		pdf := attachment(t, im, "Lægeerklæring.pdf")
		if pdf.ContentType != "application/pdf" || !bytes.HasPrefix(pdf.Data, []byte("%PDF-")) {
			t.Errorf("inner PDF: type %q, starts %q", pdf.ContentType, pdf.Data[:min(8, len(pdf.Data))])
		}
	})
	t.Run("p048 attached message named by RFC 2231", func(t *testing.T) {
		m := parseCorpusFile(t, "p048-own-letter-plain.eml")
		attachment(t, m, "Ansøgning om tilskud.eml")
	})
	t.Run("p034 S/MIME encrypted", func(t *testing.T) {
		m := parseCorpusFile(t, "p034-own-letter-secure.eml")
		if !m.Encrypted || m.Signed {
			t.Errorf("Encrypted = %v, Signed = %v", m.Encrypted, m.Signed)
		}
		if len(m.Attachments) != 0 || len(m.Bodies) != 0 {
			t.Errorf("attachments %q, bodies %d: encrypted content must not be scanned", attachmentNames(m), len(m.Bodies))
		}
	})
	t.Run("recipient counts", func(t *testing.T) {
		for _, c := range []struct {
			file        string
			to, cc, bcc int
		}{
			{"p007-multi-recipient.eml", 3, 0, 0},
			{"p017-internal-colleague.eml", 1, 1, 0},
			{"p018-no-personal-data.eml", 3, 0, 0},
			{"p043-multi-recipient.eml", 2, 0, 0},
			{"p046-own-letter-plain.eml", 1, 2, 0},
			{"p047-aarhus-bulk.eml", 1, 0, 2},
		} {
			m := parseCorpusFile(t, c.file)
			if len(m.To) != c.to || len(m.Cc) != c.cc || len(m.Bcc) != c.bcc {
				t.Errorf("%s: To/Cc/Bcc = %d/%d/%d, want %d/%d/%d", c.file, len(m.To), len(m.Cc), len(m.Bcc), c.to, c.cc, c.bcc)
			}
		}
		m := parseCorpusFile(t, "p046-own-letter-plain.eml")
		if want := (Address{Name: "Team Hjælpemidler", Address: "hjaelpemidler@randers.dk"}); m.Cc[1] != want {
			t.Errorf("Cc[1] = %+v, want %+v", m.Cc[1], want)
		}
		if m.To[0] != (Address{Address: "irene.knudsen@outlook.dk"}) {
			t.Errorf("To[0] = %+v", m.To[0])
		}
		m = parseCorpusFile(t, "p043-multi-recipient.eml")
		if m.To[0].Name != "Annika Jæger" || m.To[1].Name != "Lise Lotte Lauridsen-Juhl" {
			t.Errorf("To = %+v", m.To)
		}
	})
	t.Run("p006 alternative and RFC 2231 docx", func(t *testing.T) {
		m := parseCorpusFile(t, "p006-own-letter-plain.eml")
		if len(m.Bodies) != 1 || m.Bodies[0].ContentType != "text/plain" {
			t.Errorf("bodies = %q", bodyTexts(m))
		}
		a := attachment(t, m, "Afgørelse om hjælp til enkeltudgift.docx")
		if a.ContentType != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
			t.Errorf("ContentType = %q", a.ContentType)
		}
	})
	t.Run("p031 fifteen letters", func(t *testing.T) {
		m := parseCorpusFile(t, "p031-aarhus-bulk.eml")
		if len(m.Attachments) != 15 || m.Attachments[14].Name != "Brev 15.pdf" {
			t.Errorf("attachments = %q", attachmentNames(m))
		}
	})
	t.Run("named text parts are attachments", func(t *testing.T) {
		m := parseCorpusFile(t, "p015-false-positive.eml")
		if a := attachment(t, m, "eksport.log"); a.ContentType != "text/plain" {
			t.Errorf("eksport.log type %q", a.ContentType)
		}
		m = parseCorpusFile(t, "p045-own-letter-plain.eml")
		if a := attachment(t, m, "Journaludskrift.html"); a.ContentType != "text/html" {
			t.Errorf("Journaludskrift.html type %q", a.ContentType)
		}
		if len(m.Bodies) != 1 || m.Bodies[0].ContentType != "text/plain" {
			t.Errorf("bodies = %q", bodyTexts(m))
		}
	})
	t.Run("secure routing header", func(t *testing.T) {
		m := parseCorpusFile(t, "p008-own-letter-secure.eml")
		if got := m.Header.Get("X-Sendevagt-Route"); got != "secure" {
			t.Errorf("X-Sendevagt-Route = %q", got)
		}
	})
	t.Run("p012 Latin-1 quoted-printable", func(t *testing.T) {
		m := parseCorpusFile(t, "p012-child-in-parent-letter.eml")
		if len(m.Bodies) != 1 || !strings.ContainsAny(m.Bodies[0].Content, "æøåÆØÅ") {
			t.Errorf("bodies = %q", bodyTexts(m))
		}
	})
	t.Run("p001 HTML only", func(t *testing.T) {
		m := parseCorpusFile(t, "p001-own-letter-secure.eml")
		if len(m.Bodies) != 1 || m.Bodies[0].ContentType != "text/html" || m.To[0].Name != "Lærke Munch" {
			t.Errorf("bodies = %q, To = %+v", bodyTexts(m), m.To)
		}
	})
}
