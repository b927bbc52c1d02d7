package pdf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// pdfPasswordPad is the padding string of the standard security handler (PDF 32000-1, 7.6.3.3).
var pdfPasswordPad = []byte("\x28\xBF\x4E\x5E\x4E\x75\x8A\x41\x64\x00\x4E\x56\xFF\xFA\x01\x08\x2E\x2E\x00\xB6\xD0\x68\x3E\x80\x2F\x0C\xA9\xFE\x64\x53\x69\x7A")

// ownerOnlyPDF encrypts a one-page letter with an empty user password (an "owner password only"
// file: it opens without asking, but it is encrypted), revision 3 RC4-128 or revision 4 AES-128.
func ownerOnlyPDF(t *testing.T, useAES bool) []byte {
	t.Helper()
	id := []byte("sendevagt-test-1")
	o := bytes.Repeat([]byte{0x5a}, 32) // the owner entry only matters for the owner password
	p := int32(-1028)
	// Algorithm 2: the file key from the (empty) user password.
	h := md5.New()
	h.Write(pdfPasswordPad)
	h.Write(o)
	up := uint32(p)
	h.Write([]byte{byte(up), byte(up >> 8), byte(up >> 16), byte(up >> 24)})
	h.Write(id)
	key := h.Sum(nil)
	for i := 0; i < 50; i++ {
		s := md5.Sum(key[:16])
		key = s[:]
	}
	key = key[:16]
	// Algorithm 5: U for revision 3 and 4.
	h.Reset()
	h.Write(pdfPasswordPad)
	h.Write(id)
	u := h.Sum(nil)
	for i := 0; i < 20; i++ {
		k := make([]byte, len(key))
		for j := range k {
			k[j] = key[j] ^ byte(i)
		}
		c, _ := rc4.NewCipher(k)
		c.XORKeyStream(u, u)
	}
	u = append(u, bytes.Repeat([]byte{0}, 16)...)

	content := "BT /F1 11 Tf 72 700 Td (S\\370ren \\330sterg\\345rd) Tj 0 -14 Td (CPR-nr. 010190-1234) Tj ET"
	// Algorithm 1: the key of object 4 generation 0.
	h.Reset()
	h.Write(key)
	h.Write([]byte{4, 0, 0, 0, 0})
	if useAES {
		h.Write([]byte("sAlT"))
	}
	objKey := h.Sum(nil)
	var enc []byte
	if useAES {
		pad := 16 - len(content)%16
		plain := append([]byte(content), bytes.Repeat([]byte{byte(pad)}, pad)...)
		iv := []byte("0123456789abcdef")
		block, _ := aes.NewCipher(objKey)
		out := make([]byte, len(plain))
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plain)
		enc = append(append([]byte{}, iv...), out...)
	} else {
		c, _ := rc4.NewCipher(objKey)
		enc = make([]byte, len(content))
		c.XORKeyStream(enc, []byte(content))
	}
	encrypt := fmt.Sprintf("<< /Filter /Standard /V 2 /R 3 /Length 128 /P %d /O <%s> /U <%s> >>", p, hex.EncodeToString(o), hex.EncodeToString(u))
	if useAES {
		encrypt = fmt.Sprintf("<< /Filter /Standard /V 4 /R 4 /Length 128 /CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> /StmF /StdCF /StrF /StdCF /P %d /O <%s> /U <%s> >>", p, hex.EncodeToString(o), hex.EncodeToString(u))
	}
	return rawPDF{
		objs: []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /extract.Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
			pdfStreamObj("", string(enc)),
			helveticaObj,
			encrypt,
		},
		trailer: fmt.Sprintf("/Encrypt 6 0 R /ID [<%s> <%s>] ", hex.EncodeToString(id), hex.EncodeToString(id)),
	}.bytes()
}

func TestPDFOwnerPasswordOnly(t *testing.T) {
	for _, useAES := range []bool{false, true} {
		name := map[bool]string{false: "RC4-128", true: "AES-128"}[useAES]
		t.Run(name, func(t *testing.T) {
			data := ownerOnlyPDF(t, useAES)
			pages, st, det := runPDF(t, data, extract.Limits{})
			if st != extract.Scanned {
				t.Fatalf("%s (%s)", st, det)
			}
			want := "Søren Østergård\nCPR-nr. 010190-1234"
			if got := strings.TrimSpace(pages[0].Text); got != want {
				t.Errorf("text %q, want %q", got, want)
			}
		})
	}
}
