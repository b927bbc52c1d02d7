package testgen

// CMS SignedData (RFC 5652) for S/MIME tests: the structure a reader walks, with dummy
// algorithm identifiers, certificates and signatures (nothing verifies them).

// Object identifiers, DER-encoded with tag and length.
var (
	oidSignedData = []byte{0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02}
	oidData       = []byte{0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01}
	oidSHA256     = []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}
)

// SignedDataOptions say how SignedData is written.
type SignedDataOptions struct {
	// Detached leaves the content out (a .p7s signature); Content is then ignored.
	Detached bool
	// BER writes indefinite lengths and the content as an OCTET STRING in chunks of
	// ChunkSize bytes (default 1000), as Outlook does; otherwise DER.
	BER       bool
	ChunkSize int
}

// SignedData returns a ContentInfo with SignedData around content.
func SignedData(content []byte, opt SignedDataOptions) []byte {
	cons := derTLV
	if opt.BER {
		cons = berIndefinite
	}
	encap := [][]byte{oidData}
	if !opt.Detached {
		var octets []byte
		if opt.BER {
			size := opt.ChunkSize
			if size <= 0 {
				size = 1000
			}
			var chunks [][]byte
			for len(content) > size {
				chunks = append(chunks, derTLV(0x04, content[:size]))
				content = content[size:]
			}
			chunks = append(chunks, derTLV(0x04, content))
			octets = berIndefinite(0x24, chunks...)
		} else {
			octets = derTLV(0x04, content)
		}
		encap = append(encap, cons(0xA0, octets))
	}
	algs := derTLV(0x31, derTLV(0x30, oidSHA256))
	signer := derTLV(0x30, derTLV(0x02, []byte{1}), derTLV(0x04, []byte("subject key id")), derTLV(0x30, oidSHA256),
		derTLV(0x30, oidSHA256), derTLV(0x04, []byte("signature")))
	sd := cons(0x30, derTLV(0x02, []byte{1}), algs, cons(0x30, encap...),
		derTLV(0xA0, derTLV(0x30, []byte("certificate"))), derTLV(0x31, signer))
	return cons(0x30, oidSignedData, cons(0xA0, sd))
}

// derTLV encodes one element with a definite length.
func derTLV(tag byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// berIndefinite encodes a constructed element with an indefinite length.
func berIndefinite(tag byte, parts ...[]byte) []byte {
	out := []byte{tag, 0x80}
	for _, p := range parts {
		out = append(out, p...)
	}
	return append(out, 0, 0)
}
