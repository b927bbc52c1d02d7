package message

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// tnefFull is a TNEF stream with every kind of content the reader takes out.
func tnefFull() testgen.TNEFSpec {
	return testgen.TNEFSpec{
		Subject: "Afgørelse om hjælp",
		Body:    "Kære Åse\r\nSe vedhæftede.",
		RTF:     testgen.CompressRTF([]byte(`{\rtf1\ansi K\'e6re \u197?se}`)),
		Attachments: []testgen.TNEFAttachment{
			{Title: "BREV~1.PDF", LongName: "Brev til Åse Kragh.pdf", MIME: "application/pdf", Data: []byte(pdfBytes), Method: 1},
			{Title: "journal.txt", Data: []byte(journalText)},
			{LongName: "notat.txt", Data: []byte("notat"), DataInProps: true},
			{LongName: "link.docx", Method: 2},
			{LongName: "tom.txt", Data: []byte{}},
			{LongName: "Videresendt", Message: &testgen.TNEFSpec{Subject: "Oprindelig", Plain: "Indre tekst",
				Attachments: []testgen.TNEFAttachment{{LongName: "bilag.txt", Data: []byte("CPR 150315-2345")}}}},
		},
	}
}

func TestParseTNEF(t *testing.T) {
	m, err := ParseTNEF(testgen.TNEF(tnefFull()))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Afgørelse om hjælp" {
		t.Errorf("subject %q", m.Subject)
	}
	wantBodies(t, m, "text/plain: Kære Åse\nSe vedhæftede.")
	wantAttachments(t, m, "Brev til Åse Kragh.pdf application/pdf", "journal.txt application/octet-stream", "notat.txt application/octet-stream",
		"link.docx application/octet-stream", "tom.txt application/octet-stream", "Videresendt application/vnd.ms-outlook")
	if got := string(attachment(t, m, "Brev til Åse Kragh.pdf").Data); got != pdfBytes {
		t.Errorf("pdf = %q", got)
	}
	if got := string(attachment(t, m, "journal.txt").Data); got != journalText {
		t.Errorf("journal = %q", got)
	}
	if got := string(attachment(t, m, "notat.txt").Data); got != "notat" {
		t.Errorf("notat = %q", got)
	}
	if u := attachment(t, m, "link.docx").Unread; u == nil || u.Status != "unsupported" {
		t.Errorf("linked file: %+v", u)
	}
	if a := attachment(t, m, "tom.txt"); a.Unread != nil || len(a.Data) != 0 {
		t.Errorf("empty file: %+v", a)
	}
	inner := attachment(t, m, "Videresendt").Message
	if inner == nil || inner.Subject != "Oprindelig" || len(inner.Bodies) != 1 || inner.Bodies[0].Content != "Indre tekst" ||
		len(inner.Attachments) != 1 || string(inner.Attachments[0].Data) != "CPR 150315-2345" {
		t.Errorf("attached message: %+v", inner)
	}
}

func TestParseTNEFBodies(t *testing.T) {
	rtf := `{\rtf1\ansi CPR 150315-2345}`
	cases := []struct {
		name string
		spec testgen.TNEFSpec
		want []string
		atts []string
	}{
		{"attBody", testgen.TNEFSpec{Body: "tekst"}, []string{"text/plain: tekst"}, nil},
		{"PR_BODY wins over attBody", testgen.TNEFSpec{Body: "kort", Plain: "Kære Søren"}, []string{"text/plain: Kære Søren"}, nil},
		{"HTML", testgen.TNEFSpec{HTML: "<p>Kære Søren</p>"}, []string{"text/html: <p>Kære Søren</p>"}, nil},
		{"compressed RTF only", testgen.TNEFSpec{RTF: testgen.CompressRTF([]byte(rtf))}, nil, []string{msgRTFName + " application/rtf"}},
		{"nothing", testgen.TNEFSpec{}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseTNEF(testgen.TNEF(c.spec))
			if err != nil {
				t.Fatal(err)
			}
			wantBodies(t, m, c.want...)
			wantAttachments(t, m, c.atts...)
			if len(c.atts) > 0 && string(m.Attachments[0].Data) != rtf {
				t.Errorf("rtf = %q", m.Attachments[0].Data)
			}
		})
	}
}

func TestParseTNEFErrors(t *testing.T) {
	full := testgen.TNEF(tnefFull())
	damagedRTF := testgen.TNEF(testgen.TNEFSpec{RTF: []byte("LZFu but not really compressed RTF")})
	nested := testgen.TNEFSpec{Subject: "bund"}
	for range MaxDepth + 1 {
		inner := nested
		nested = testgen.TNEFSpec{Attachments: []testgen.TNEFAttachment{{Message: &inner}}}
	}
	many := testgen.TNEFSpec{}
	for range 10 {
		many.Attachments = append(many.Attachments, testgen.TNEFAttachment{LongName: "a.txt", Data: []byte("a")})
	}
	small := defaultLimits(0)
	small.maxParts = 5
	cases := []struct {
		name    string
		data    []byte
		lim     limits
		err     error
		partial bool // a Message comes with the error
	}{
		{name: "empty", data: nil, err: ErrMalformed},
		{name: "not TNEF", data: []byte("%PDF-1.7 not tnef"), err: ErrMalformed},
		{name: "signature only", data: full[:6]},
		{name: "cut inside an attribute", data: full[:len(full)-40], err: ErrCorrupt, partial: true},
		{name: "junk shorter than an attribute header at the end", data: append(append([]byte{}, full...), 0, 0, 0x1f, 5)},
		{name: "attribute length beyond the stream", data: append(append([]byte{}, full[:6]...), 1, 4, 0x80, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF), err: ErrCorrupt, partial: true},
		{name: "damaged RTF body", data: damagedRTF, err: ErrCorrupt, partial: true},
		{name: "nested too deep", data: testgen.TNEF(nested), err: ErrTooComplex, partial: true},
		{name: "too many attachments", data: testgen.TNEF(many), lim: small, err: ErrTooComplex, partial: true},
		{name: "too large", data: full, lim: limits{maxBytes: 100, maxDepth: MaxDepth, maxParts: MaxParts}, err: ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lim := c.lim
			if lim.maxBytes == 0 {
				lim = defaultLimits(0)
			}
			m, err := parseTNEF(c.data, lim)
			if c.err == nil && err != nil || c.err != nil && !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if (m != nil) != (c.err == nil || c.partial) {
				t.Errorf("message = %v", m)
			}
		})
	}
}

// Every truncation and every single-byte change of a real-shaped stream parses without a panic
// or a loop, and names nothing it did not read.
func TestParseTNEFHostile(t *testing.T) {
	full := testgen.TNEF(tnefFull())
	for n := range len(full) {
		checkTNEF(t, full[:n])
	}
	for i := 6; i < len(full); i += 3 {
		b := append([]byte(nil), full...)
		b[i] ^= 0xFF
		checkTNEF(t, b)
	}
	// A property list claiming 2^32-1 properties of 2^32-1 values each.
	props := binary.LittleEndian.AppendUint32(nil, 0xFFFFFFFF)
	props = append(props, 0x03, 0x10, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF)
	stream := binary.LittleEndian.AppendUint32(nil, TNEFSignature)
	stream = append(stream, 0, 0, 1)
	stream = binary.LittleEndian.AppendUint32(stream, 0x00069003)
	stream = binary.LittleEndian.AppendUint32(stream, uint32(len(props)))
	stream = append(append(stream, props...), 0, 0)
	if _, err := ParseTNEF(stream); !errors.Is(err, ErrCorrupt) {
		t.Errorf("endless property list: %v", err)
	}
}

func checkTNEF(t *testing.T, data []byte) {
	t.Helper()
	m, err := ParseTNEF(data)
	switch {
	case err == nil && m == nil:
		t.Fatal("nil message without error")
	case err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooComplex) && !errors.Is(err, ErrCorrupt):
		t.Fatalf("unexpected error %v", err)
	case m == nil:
		return
	}
	for _, a := range m.Attachments {
		if !utf8.ValidString(a.Name) || strings.ContainsAny(a.Name, "/\\\x00") {
			t.Fatalf("attachment name %q", a.Name)
		}
		if len(a.Data) > len(data) {
			t.Fatalf("attachment larger than the stream")
		}
	}
}

func FuzzParseTNEF(f *testing.F) {
	f.Add(testgen.TNEF(tnefFull()))
	f.Add(testgen.TNEF(testgen.TNEFSpec{HTML: "<p>æ</p>", RTF: specCompressedRTF}))
	f.Add(testgen.TNEF(testgen.TNEFSpec{Attachments: []testgen.TNEFAttachment{{Message: &testgen.TNEFSpec{Body: "x"}}}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTNEF(t, data)
	})
}
