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

// TestCorpusAll parses every labelled example and checks what holds for any message: the facts
// of single messages (charsets, RFC 2047/2231 names, attached mails, S/MIME, To/Cc/Bcc) are tested
// on messages built in the tests (parse_test.go, parse_headers_test.go, parse_smime_test.go).
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
			if !strings.Contains(m.From.Address, "@") {
				t.Errorf("From = %+v, want a sender address", m.From)
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
