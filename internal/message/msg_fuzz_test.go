package message

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

func FuzzParseMSG(f *testing.F) {
	ansi := fullSpec()
	ansi.ANSI = true
	for _, spec := range []testgen.MSGSpec{
		fullSpec(),
		ansi,
		{Subject: "r", RTF: specCompressedRTF, Attachments: []testgen.MSGAttachment{{Data: []byte("x")}}},
		{Class: "IPM.Note.SMIME", HTML: "<p>æ</p>", Cc: []testgen.MSGRecipient{{Name: "Åse"}}},
	} {
		f.Add(testgen.OutlookMSG(spec))
	}
	f.Add(specCompressedRTF)
	msgNoRecover = true // a panic is a bug to fix, not to hide
	f.Cleanup(func() { msgNoRecover = false })
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecompressRTF(data, 1<<20)
		m, err := ParseMSG(data)
		switch {
		case err == nil && m == nil:
			t.Fatal("nil message without error")
		case err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooComplex) && !errors.Is(err, ErrTooLarge):
			t.Fatalf("unexpected error %v", err)
		case m == nil:
			return
		}
		checkMSG(t, m)
	})
}

func checkMSG(t *testing.T, m *Message) {
	texts := []string{m.Subject, m.From.Name, m.From.Address}
	for _, a := range m.Recipients() {
		texts = append(texts, a.Name, a.Address)
	}
	for _, b := range m.Bodies {
		texts = append(texts, b.Content)
		if b.ContentType != "text/plain" && b.ContentType != "text/html" {
			t.Errorf("body type %q", b.ContentType)
		}
	}
	for _, a := range m.Attachments {
		texts = append(texts, a.Name)
		if a.Name == "" || a.ContentType == "" {
			t.Errorf("attachment name %q type %q", a.Name, a.ContentType)
		}
		if a.Message != nil {
			checkMSG(t, a.Message)
		}
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 %q", s)
		}
	}
}
