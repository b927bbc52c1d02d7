package message

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// specCompressedRTF is the example of [MS-OXRTFCP] 4.1.1.
var specCompressedRTF = []byte{
	0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7,
	0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20,
	0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f,
	0xa0,
}

const specRTF = "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"

func TestDecompressRTF(t *testing.T) {
	if len(rtfPrebuf) != 207 {
		t.Fatalf("initial dictionary is %d bytes, want 207", len(rtfPrebuf))
	}
	got, err := DecompressRTF(specCompressedRTF, 0)
	if err != nil || string(got) != specRTF {
		t.Fatalf("spec example: %q, %v", got, err)
	}
	if c := testgen.CompressRTF([]byte(specRTF)); !bytes.Equal(c, specCompressedRTF) {
		// Another valid encoding is fine, as long as it decodes back.
		if back, err := DecompressRTF(c, 0); err != nil || string(back) != specRTF {
			t.Fatalf("round trip of the spec example: %q, %v", back, err)
		}
	}
	long := strings.Repeat(`{\rtf1\ansi\ansicpg1252 K\'e6re S\'f8ren \'c6rb\'f8, cpr 010190-1234\par aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}`, 80)
	for _, raw := range []string{"", "x", long} {
		back, err := DecompressRTF(testgen.CompressRTF([]byte(raw)), 0)
		if err != nil || string(back) != raw {
			t.Fatalf("round trip of %d bytes: %d bytes, %v", len(raw), len(back), err)
		}
	}
	mela := binary.LittleEndian.AppendUint32(nil, uint32(12+len(specRTF)))
	mela = binary.LittleEndian.AppendUint32(mela, uint32(len(specRTF)))
	mela = append(mela, "MELA\x00\x00\x00\x00"+specRTF...)
	if got, err := DecompressRTF(mela, 0); err != nil || string(got) != specRTF {
		t.Fatalf("MELA: %q, %v", got, err)
	}

	bad := bytes.Clone(specCompressedRTF)
	bad[20] ^= 1
	for name, in := range map[string][]byte{
		"checksum":  bad,
		"truncated": specCompressedRTF[:30],
		"short":     specCompressedRTF[:10],
		"type":      append(append([]byte{}, specCompressedRTF[:8]...), append([]byte("XXXX"), specCompressedRTF[12:]...)...),
	} {
		if _, err := DecompressRTF(in, 0); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
	if _, err := DecompressRTF(testgen.CompressRTF([]byte(long)), 100); !errors.Is(err, ErrTooLarge) {
		t.Errorf("output cap: err = %v, want ErrTooLarge", err)
	}
}

var pdfBytesMSG = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func fullSpec() testgen.MSGSpec {
	return testgen.MSGSpec{
		Subject:     "Afgørelse om hjælp – Søren Ærbø",
		SenderName:  "Mette Holm",
		SenderEmail: "meho@aarhus.dk",
		To:          []testgen.MSGRecipient{{Name: "Søren Ærbø", Email: "soren@example.dk"}, {Email: "anden@example.dk"}},
		Cc:          []testgen.MSGRecipient{{Name: "Åse Østergård", Email: "aase@example.dk"}},
		Bcc:         []testgen.MSGRecipient{{Name: "Arkiv", Email: "arkiv@aarhus.dk"}},
		Headers:     "Received: from x\r\nX-Sendevagt-Route: secure\r\nSubject: ignored\r\n",
		Body:        "Kære Søren\r\nDin sag 010190-1234.\r\n",
		HTML:        "<p>Kære Søren</p>",
		Attachments: []testgen.MSGAttachment{
			{Name: "Lægeerklæring.pdf", MIME: "application/pdf", Data: pdfBytesMSG},
			{Name: "notat.txt", Data: bytes.Repeat([]byte("Notat om borgeren. "), 300)}, // > 4096 bytes: big stream
			{Name: "Videresendt.msg", Message: &testgen.MSGSpec{
				Subject:     "Oprindelig henvendelse",
				SenderName:  "Borger",
				SenderEmail: "borger@example.dk",
				To:          []testgen.MSGRecipient{{Name: "Jobcenter", Email: "job@aarhus.dk"}},
				Body:        "Se vedhæftede.",
				Attachments: []testgen.MSGAttachment{{Name: "bilag.txt", MIME: "text/plain; charset=utf-8", Data: []byte("CPR 020285-4321")}},
			}},
			{Name: "Indlejret", OLE: true, Data: pdfBytesMSG},
		},
	}
}

func TestParseMSG(t *testing.T) {
	m, err := ParseMSG(testgen.OutlookMSG(fullSpec()))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Afgørelse om hjælp – Søren Ærbø" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.From != (Address{Name: "Mette Holm", Address: "meho@aarhus.dk"}) {
		t.Errorf("from %+v", m.From)
	}
	wantAddr := func(what string, got []Address, want ...Address) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
	}
	wantAddr("To", m.To, Address{"Søren Ærbø", "soren@example.dk"}, Address{"", "anden@example.dk"})
	wantAddr("Cc", m.Cc, Address{"Åse Østergård", "aase@example.dk"})
	wantAddr("Bcc", m.Bcc, Address{"Arkiv", "arkiv@aarhus.dk"})
	if got := m.Header.Get("X-Sendevagt-Route"); got != "secure" {
		t.Errorf("X-Sendevagt-Route = %q", got)
	}
	if len(m.Bodies) != 1 || m.Bodies[0] != (Body{"text/plain", "Kære Søren\nDin sag 010190-1234."}) {
		t.Errorf("bodies %+v", m.Bodies)
	}
	if m.Encrypted || m.Signed {
		t.Errorf("encrypted %v signed %v", m.Encrypted, m.Signed)
	}
	if len(m.Attachments) != 4 {
		t.Fatalf("%d attachments", len(m.Attachments))
	}
	a := m.Attachments
	if a[0].Name != "Lægeerklæring.pdf" || a[0].ContentType != "application/pdf" || !bytes.Equal(a[0].Data, pdfBytesMSG) {
		t.Errorf("attachment 0: %q %q %d bytes", a[0].Name, a[0].ContentType, len(a[0].Data))
	}
	if a[1].Name != "notat.txt" || a[1].ContentType != "application/octet-stream" || len(a[1].Data) != 19*300 {
		t.Errorf("attachment 1: %q %q %d bytes", a[1].Name, a[1].ContentType, len(a[1].Data))
	}
	if a[2].Name != "Videresendt.msg" || a[2].ContentType != "application/vnd.ms-outlook" || a[2].Message == nil {
		t.Fatalf("attachment 2: %+v", a[2])
	}
	if a[2].Data != nil {
		t.Errorf("the attached message is also copied as %d bytes: one representation only", len(a[2].Data))
	}
	in := a[2].Message
	if in.Subject != "Oprindelig henvendelse" || in.From.Address != "borger@example.dk" || len(in.To) != 1 ||
		len(in.Bodies) != 1 || in.Bodies[0].Content != "Se vedhæftede." {
		t.Errorf("embedded message %+v", in)
	}
	if len(in.Attachments) != 1 || in.Attachments[0].Name != "bilag.txt" || in.Attachments[0].ContentType != "text/plain" ||
		string(in.Attachments[0].Data) != "CPR 020285-4321" {
		t.Errorf("embedded attachments %+v", in.Attachments)
	}
	if a[3].Name != "Indlejret" || !bytes.Equal(a[3].Data, pdfBytesMSG) {
		t.Errorf("OLE object: %q %d bytes", a[3].Name, len(a[3].Data))
	}
}

func TestParseMSGBodies(t *testing.T) {
	html := testgen.MSGSpec{Subject: "x", HTML: "<p>Kære Åse</p>", RTF: testgen.CompressRTF([]byte(specRTF))}
	m, err := ParseMSG(testgen.OutlookMSG(html))
	if err != nil || len(m.Bodies) != 1 || m.Bodies[0] != (Body{"text/html", "<p>Kære Åse</p>"}) || len(m.Attachments) != 0 {
		t.Fatalf("HTML body: %+v, %v", m, err)
	}
	for _, rtf := range [][]byte{specCompressedRTF, testgen.CompressRTF([]byte(`{\rtf1 K\'e6re \'c5se}`))} {
		m, err = ParseMSG(testgen.OutlookMSG(testgen.MSGSpec{Subject: "x", RTF: rtf}))
		want, _ := DecompressRTF(rtf, 0)
		if err != nil || len(m.Bodies) != 0 || len(m.Attachments) != 1 || m.Attachments[0].Name != "(mailtekst).rtf" ||
			m.Attachments[0].ContentType != "application/rtf" || !bytes.Equal(m.Attachments[0].Data, want) {
			t.Fatalf("RTF body: %+v, %v", m, err)
		}
	}
	m, err = ParseMSG(testgen.OutlookMSG(testgen.MSGSpec{Subject: "x", RTF: specCompressedRTF[:40]}))
	if !errors.Is(err, ErrMalformed) || m == nil || m.Subject != "x" {
		t.Fatalf("damaged RTF: %+v, %v", m, err)
	}
	m, err = ParseMSG(testgen.OutlookMSG(testgen.MSGSpec{Subject: "tom"}))
	if err != nil || len(m.Bodies) != 0 || len(m.Attachments) != 0 || m.Subject != "tom" || m.Header == nil {
		t.Fatalf("no body: %+v, %v", m, err)
	}
}

func TestParseMSGANSI(t *testing.T) {
	spec := fullSpec()
	spec.ANSI = true
	spec.Subject = "Ansøgning fra Søren Ærbø"
	m, err := ParseMSG(testgen.OutlookMSG(spec))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != spec.Subject || m.To[0].Name != "Søren Ærbø" || m.Cc[0].Name != "Åse Østergård" ||
		m.Bodies[0].Content != "Kære Søren\nDin sag 010190-1234." || m.Attachments[0].Name != "Lægeerklæring.pdf" {
		t.Fatalf("ANSI strings: %q %+v %+v %+v", m.Subject, m.To, m.Cc, m.Bodies)
	}
}

func TestParseMSGSMIME(t *testing.T) {
	for class, want := range map[string][2]bool{
		"IPM.Note.SMIME":                 {true, false},
		"ipm.note.smime.multipartsigned": {false, true},
		"IPM.Note":                       {false, false},
	} {
		m, err := ParseMSG(testgen.OutlookMSG(testgen.MSGSpec{Class: class, Subject: "x"}))
		if err != nil || m.Encrypted != want[0] || m.Signed != want[1] {
			t.Errorf("%s: encrypted %v signed %v, %v", class, m.Encrypted, m.Signed, err)
		}
	}
}

func TestParseMSGSMIMEContent(t *testing.T) {
	signed := "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\r\n\r\n--s\r\n" +
		"Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nunderskrevet Søren\r\n--m\r\n" +
		"Content-Type: text/csv\r\nContent-Disposition: attachment; filename=liste.csv\r\n\r\n010190-1234\r\n--m--\r\n" +
		"--s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n\r\nsig\r\n--s--\r\n"
	m, err := ParseMSG(testgen.OutlookMSG(testgen.MSGSpec{Class: "IPM.Note.SMIME.MultipartSigned", Subject: "x",
		Attachments: []testgen.MSGAttachment{{Name: "smime.p7m", MIME: "multipart/signed", Data: []byte(signed)}}}))
	if err != nil || !m.Signed || m.Encrypted || len(m.Bodies) != 1 || m.Bodies[0].Content != "underskrevet Søren" {
		t.Fatalf("clear-signed: %+v, %v", m, err)
	}
	for _, a := range m.Attachments {
		if a.Name == "smime.p7m" {
			t.Errorf("multipart/signed kept as attachment: %+v", m.Attachments)
		}
	}
	if len(m.Attachments) == 0 || m.Attachments[0].Name != "liste.csv" {
		t.Errorf("attachments of the signed content: %+v", m.Attachments)
	}
	opaque := []byte("\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80")
	m, err = ParseMSG(testgen.OutlookMSG(testgen.MSGSpec{Class: "IPM.Note.SMIME", Subject: "x",
		Attachments: []testgen.MSGAttachment{{Name: "smime.p7m", MIME: "application/pkcs7-mime", Data: opaque}}}))
	if err != nil || !m.Signed || m.Encrypted || len(m.Attachments) != 1 {
		t.Fatalf("opaque-signed: signed %v encrypted %v, %v", m.Signed, m.Encrypted, err)
	}
	opaque[12] = 3 // id-envelopedData
	m, err = ParseMSG(testgen.OutlookMSG(testgen.MSGSpec{Class: "IPM.Note.SMIME", Subject: "x",
		Attachments: []testgen.MSGAttachment{{Name: "smime.p7m", MIME: "application/pkcs7-mime", Data: opaque}}}))
	if err != nil || m.Signed || !m.Encrypted || len(m.Attachments) != 0 {
		t.Fatalf("encrypted: signed %v encrypted %v %d attachments, %v", m.Signed, m.Encrypted, len(m.Attachments), err)
	}
}

func TestParseMSGErrors(t *testing.T) {
	word := testgen.CompoundFile(&testgen.CFBEntry{Children: []*testgen.CFBEntry{{Name: "WordDocument", Data: []byte("x")}}})
	for name, in := range map[string][]byte{
		"empty":        nil,
		"not OLE":      []byte("From: a@b.dk\r\n\r\nhej"),
		"OLE, not msg": word,
		"header only":  testgen.OutlookMSG(fullSpec())[:512],
	} {
		m, err := ParseMSG(in)
		if !errors.Is(err, ErrMalformed) || m != nil {
			t.Errorf("%s: %v, %v; want nil, ErrMalformed", name, m, err)
		}
	}
	full := testgen.OutlookMSG(fullSpec())
	for n := 0; n < len(full); n += 97 {
		cut := full[:n]
		if m, err := ParseMSG(cut); err == nil && m == nil {
			t.Fatalf("cut at %d: nil message without error", n)
		}
		flipped := bytes.Clone(full)
		flipped[n] ^= 0xA5
		if m, err := ParseMSG(flipped); err == nil && m == nil {
			t.Fatalf("flipped at %d: nil message without error", n)
		}
	}
	if _, err := parseMSG(full, limits{maxBytes: 100, maxDepth: MaxDepth, maxParts: MaxParts, maxFields: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size: %v", err)
	}
}

func TestParseMSGLimits(t *testing.T) {
	spec := testgen.MSGSpec{Subject: "bund", Body: "b", Attachments: []testgen.MSGAttachment{
		{Name: "stor.bin", Data: bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 3000)}, // a big stream in the copies too
	}}
	for i := 0; i < 3; i++ {
		inner := spec
		spec = testgen.MSGSpec{Subject: "niveau", To: []testgen.MSGRecipient{{Email: "a@b.dk"}},
			Attachments: []testgen.MSGAttachment{{Name: "fw.msg", Message: &inner}}}
	}
	data := testgen.OutlookMSG(spec)
	lim := limits{maxBytes: DefaultMaxBytes, maxDepth: 3, maxParts: MaxParts, maxFields: 100}
	if _, err := parseMSG(data, lim); err != nil {
		t.Fatalf("depth 3 with MaxDepth 3: %v", err)
	}
	m, _ := parseMSG(data, lim)
	for level := 1; level <= 3; level++ {
		a := m.Attachments[0]
		if a.Message == nil || a.Data != nil {
			t.Fatalf("level %d: message %v, %d bytes of copy", level, a.Message != nil, len(a.Data))
		}
		m = a.Message
	}
	if m.Subject != "bund" || m.Bodies[0].Content != "b" || len(m.Attachments[0].Data) != 21000 {
		t.Fatalf("innermost: %+v", m)
	}
	lim.maxBytes = int64(len(data)) // the file's own size is enough: nothing is copied per level
	if _, err := parseMSG(data, lim); err != nil {
		t.Fatalf("nested messages within the file's size: %v", err)
	}
	lim.maxBytes, lim.maxDepth = DefaultMaxBytes, 2
	m, err := parseMSG(data, lim)
	if !errors.Is(err, ErrTooComplex) || m == nil || m.Subject != "niveau" || len(m.To) != 1 {
		t.Fatalf("depth 3 with MaxDepth 2: %+v, %v", m, err)
	}
	lim.maxDepth, lim.maxParts = MaxDepth, 4
	if m, err := parseMSG(testgen.OutlookMSG(fullSpec()), lim); !errors.Is(err, ErrTooComplex) || m == nil {
		t.Fatalf("parts: %v", err)
	}
}

func BenchmarkParseMSG(b *testing.B) {
	data := testgen.OutlookMSG(fullSpec())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseMSG(data); err != nil {
			b.Fatal(err)
		}
	}
}
