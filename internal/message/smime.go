package message

import (
	"fmt"
	"strings"
)

// isPKCS7Mime reports whether a media type is S/MIME content (RFC 8551).
func isPKCS7Mime(mediaType string) bool {
	return mediaType == "application/pkcs7-mime" || mediaType == "application/x-pkcs7-mime"
}

// isP7MName reports whether an application/octet-stream part is S/MIME content by its name,
// as some gateways send it.
func isP7MName(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".p7m")
}

// isSignature reports whether a part of multipart/signed is the detached signature.
func isSignature(e entity) bool {
	switch e.contentType().mediaType {
	case "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature":
		return true
	}
	return false
}

// addPKCS7 handles S/MIME content. Enveloped data at the top level makes the message
// encrypted: there is nothing to scan and it is not an attachment. Signed data marks the
// message signed; its opaque content (a MIME entity) is unpacked and read as part of the
// message, as a mail client shows it, and kept as an attachment when it cannot be unpacked
// (the extract package then reads or reports it). Anything else (enveloped data deeper
// inside, compressed data, certificates) is an ordinary attachment.
func (p *parser) addPKCS7(e entity, ct contentType, out *sink) error {
	data := e.data()
	mediaType := ct.mediaType
	if mediaType == "application/octet-stream" {
		mediaType = "application/pkcs7-mime"
	}
	switch smimeKind(ct.params["smime-type"], data) {
	case smimeEnveloped:
		if e.topLevel {
			p.encrypted = true
			return nil
		}
	case smimeSigned:
		p.signed = true
		content, detached, err := SignedContent(data, len(data))
		if err == nil && !detached {
			return p.walkSignedContent(e, p.fileName(e, ct), content, out)
		}
	}
	p.addAttachment(out, p.fileName(e, ct), mediaType, data)
	return nil
}

// walkSignedContent reads the MIME entity inside opaque signed data in place of the signed
// data itself, one level deeper. Signed content that is no MIME entity (a signed file) is an
// attachment named like the signed data without ".p7m".
func (p *parser) walkSignedContent(e entity, name string, content []byte, out *sink) error {
	if e.depth >= p.lim.maxDepth {
		return fmt.Errorf("%w: MIME nesting deeper than %d levels", ErrTooComplex, p.lim.maxDepth)
	}
	if p.parts >= p.lim.maxParts {
		return fmt.Errorf("%w: more than %d MIME parts", ErrTooComplex, p.lim.maxParts)
	}
	p.parts++
	header, body, err := p.readHeader(content)
	if err != nil {
		return err
	}
	if len(header) == 0 {
		name = strings.TrimSuffix(strings.TrimSuffix(name, ".p7m"), ".P7M")
		if name == "smime" {
			name = ""
		}
		p.addAttachment(out, name, "application/octet-stream", content)
		return nil
	}
	return p.walk(entity{header: header, body: body, depth: e.depth + 1, topLevel: e.topLevel}, out)
}

type smimeContent int

const (
	smimeOther smimeContent = iota
	smimeEnveloped
	smimeSigned
)

// smimeKind classifies S/MIME content by its smime-type parameter; without one, by the
// content type OID of the CMS ContentInfo, and enveloped unless it is plainly signed-data.
func smimeKind(smimeType string, der []byte) smimeContent {
	switch strings.ToLower(strings.TrimSpace(smimeType)) {
	case "enveloped-data", "authenveloped-data":
		return smimeEnveloped
	case "signed-data":
		return smimeSigned
	case "":
		if string(cmsContentType(der)) == oidSignedData {
			return smimeSigned
		}
		return smimeEnveloped
	}
	return smimeOther
}

// oidSignedData is the DER encoding of id-signedData, 1.2.840.113549.1.7.2.
const oidSignedData = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"

// cmsContentType returns the encoded OID (tag, length, value) that starts a CMS ContentInfo
// SEQUENCE, or nil when der does not start like one.
func cmsContentType(der []byte) []byte {
	if len(der) < 2 || der[0] != 0x30 {
		return nil
	}
	n := 2 // tag and first length byte
	switch l := der[1]; {
	case l == 0x80: // indefinite length (BER)
	case l > 0x80 && l <= 0x84:
		n += int(l - 0x80)
	case l > 0x84:
		return nil
	}
	if len(der) < n+2 || der[n] != 0x06 {
		return nil
	}
	end := n + 2 + int(der[n+1])
	if der[n+1] >= 0x80 || end > len(der) {
		return nil
	}
	return der[n:end]
}
