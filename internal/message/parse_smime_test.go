package message

import (
	"testing"
)

// derHeader starts a CMS ContentInfo with the given content type OID.
func derHeader(oidLast byte) string {
	return "\x30\x82\x01\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07" + string([]byte{oidLast}) + "\xa0\x82"
}

func TestParseSMIME(t *testing.T) {
	enveloped := b64(derHeader(3) + "encrypted")
	signedData := b64(derHeader(2) + "signed")
	signature := "--s\nContent-Type: application/pkcs7-signature; name=smime.p7s\nContent-Transfer-Encoding: base64\n\n" + signedData + "\n--s--\n"
	cases := []struct {
		name              string
		raw               string
		encrypted, signed bool
		bodies            []string
		attachments       []string
	}{
		{
			name:      "enveloped-data",
			raw:       head + "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n" + enveloped,
			encrypted: true,
		},
		{
			name:      "authEnveloped-data, x- type",
			raw:       head + "Content-Type: application/x-pkcs7-mime; smime-type=authEnveloped-data\nContent-Transfer-Encoding: base64\n\n" + enveloped,
			encrypted: true,
		},
		{
			name:      "no smime-type, enveloped OID",
			raw:       head + "Content-Type: application/pkcs7-mime; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n" + enveloped,
			encrypted: true,
		},
		{
			name:      "no smime-type, undecodable content",
			raw:       head + "Content-Type: application/pkcs7-mime\n\nnot der",
			encrypted: true,
		},
		{
			name:      "octet-stream named smime.p7m",
			raw:       head + "Content-Type: application/octet-stream; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n" + enveloped,
			encrypted: true,
		},
		{
			name:        "no smime-type, signed-data OID",
			raw:         head + "Content-Type: application/pkcs7-mime; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n" + signedData,
			signed:      true,
			attachments: []string{"smime.p7m application/pkcs7-mime"},
		},
		{
			name:        "opaque signed-data",
			raw:         head + "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n" + signedData,
			signed:      true,
			attachments: []string{"smime.p7m application/pkcs7-mime"},
		},
		{
			name: "multipart/signed",
			raw: head + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s\n\n--s\n" +
				"Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nunderskrevet\n--m\n" +
				"Content-Type: application/pdf; name=Brev.pdf\n\n" + pdfBytes + "\n--m--\n\n" + signature,
			signed:      true,
			bodies:      []string{"text/plain: underskrevet"},
			attachments: []string{"Brev.pdf application/pdf"},
		},
		{
			name: "signed, then encrypted inside the signature",
			raw: head + "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=s\n\n--s\n" +
				"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\nContent-Transfer-Encoding: base64\n\n" + enveloped + "\n" + signature,
			encrypted: true,
			signed:    true,
		},
		{
			name: "encrypted file attached to a plain message is not an encrypted message",
			raw: head + "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nhej\n--m\n" +
				"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=fil.p7m\nContent-Transfer-Encoding: base64\n\n" + enveloped + "\n--m--\n",
			bodies:      []string{"text/plain: hej"},
			attachments: []string{"fil.p7m application/pkcs7-mime"},
		},
		{
			name: "PGP/MIME encrypted",
			raw: head + "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=e\n\n--e\n" +
				"Content-Type: application/pgp-encrypted\n\nVersion: 1\n--e\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n--e--\n",
			encrypted: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustParse(t, c.raw)
			if m.Encrypted != c.encrypted || m.Signed != c.signed {
				t.Errorf("Encrypted, Signed = %v, %v; want %v, %v", m.Encrypted, m.Signed, c.encrypted, c.signed)
			}
			wantBodies(t, m, c.bodies...)
			wantAttachments(t, m, c.attachments...)
		})
	}
}
