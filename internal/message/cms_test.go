package message

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

func TestSignedContent(t *testing.T) {
	entity := []byte("Content-Type: text/plain; charset=utf-8\r\n\r\nCPR 150315-2345\r\n")
	big := bytes.Repeat([]byte("x"), 70000)
	cases := []struct {
		name     string
		der      []byte
		max      int
		want     []byte
		detached bool
		err      error
	}{
		{name: "DER", der: testgen.SignedData(entity, testgen.SignedDataOptions{}), want: entity},
		{name: "BER in chunks", der: testgen.SignedData(entity, testgen.SignedDataOptions{BER: true, ChunkSize: 7}), want: entity},
		{name: "BER, long", der: testgen.SignedData(big, testgen.SignedDataOptions{BER: true}), want: big},
		{name: "DER, long", der: testgen.SignedData(big, testgen.SignedDataOptions{}), want: big},
		{name: "detached DER", der: testgen.SignedData(nil, testgen.SignedDataOptions{Detached: true}), detached: true},
		{name: "detached BER", der: testgen.SignedData(nil, testgen.SignedDataOptions{Detached: true, BER: true}), detached: true},
		{name: "too large", der: testgen.SignedData(big, testgen.SignedDataOptions{BER: true}), max: 1000, err: ErrTooLarge},
		{name: "enveloped data", der: []byte(derHeader(3) + "encrypted"), err: ErrMalformed},
		{name: "empty", der: nil, err: ErrMalformed},
		{name: "truncated", der: testgen.SignedData(entity, testgen.SignedDataOptions{})[:40], err: ErrMalformed},
		{name: "truncated BER", der: testgen.SignedData(entity, testgen.SignedDataOptions{BER: true})[:60], err: ErrMalformed},
		{name: "endless indefinite nesting", der: bytes.Repeat([]byte{0x30, 0x80}, 5000), err: ErrMalformed},
		{name: "length beyond the data", der: []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x06}, err: ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, detached, err := SignedContent(c.der, c.max)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil || detached != c.detached || !bytes.Equal(got, c.want) {
				t.Errorf("got %d bytes, detached %v, err %v", len(got), detached, err)
			}
		})
	}
}

func TestParseOpaqueSigned(t *testing.T) {
	inner := "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe bilag\r\n" +
		"--i\r\nContent-Type: application/pdf; name=Brev.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(pdfBytes) + "\r\n--i--\r\n"
	wrap := func(der []byte, name string) string {
		return head + "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=" + name + "\nContent-Transfer-Encoding: base64\n\n" + b64(string(der)) + "\n"
	}
	for _, ber := range []bool{false, true} {
		m := mustParse(t, wrap(testgen.SignedData([]byte(inner), testgen.SignedDataOptions{BER: ber, ChunkSize: 50}), "smime.p7m"))
		if !m.Signed || m.Encrypted {
			t.Errorf("BER %v: signed %v encrypted %v", ber, m.Signed, m.Encrypted)
		}
		wantBodies(t, m, "text/plain: Se bilag")
		wantAttachments(t, m, "Brev.pdf application/pdf")
	}
	// A signed file that is no MIME entity is an attachment named after the signed data.
	m := mustParse(t, wrap(testgen.SignedData([]byte(pdfBytes), testgen.SignedDataOptions{}), "Brev.pdf.p7m"))
	wantAttachments(t, m, "Brev.pdf application/octet-stream")
	// Signed data inside signed data inside ...: the nesting limit holds.
	der := []byte("Content-Type: text/plain\r\n\r\nbund")
	for range MaxDepth + 2 {
		der = testgen.SignedData([]byte("Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\n"+string(der)), testgen.SignedDataOptions{})
	}
	if _, err := Parse([]byte(wrap(der, "smime.p7m"))); !errors.Is(err, ErrTooComplex) {
		t.Errorf("deep nesting: %v", err)
	}
}

func FuzzSignedContent(f *testing.F) {
	entity := []byte("Content-Type: text/plain\r\n\r\nhej")
	f.Add(testgen.SignedData(entity, testgen.SignedDataOptions{}))
	f.Add(testgen.SignedData(entity, testgen.SignedDataOptions{BER: true, ChunkSize: 3}))
	f.Add(testgen.SignedData(nil, testgen.SignedDataOptions{Detached: true, BER: true}))
	f.Fuzz(func(t *testing.T, der []byte) {
		content, detached, err := SignedContent(der, 1<<20)
		switch {
		case err != nil && (content != nil || detached):
			t.Fatal("content with an error")
		case err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge):
			t.Fatalf("unexpected error %v", err)
		case len(content) > len(der):
			t.Fatal("content larger than the input")
		}
	})
}
