package message

import "fmt"

// SignedContent reads a CMS ContentInfo holding SignedData (RFC 5652: an S/MIME .p7m with
// smime-type signed-data, or a .p7s) and returns the encapsulated content, the signed bytes
// (for S/MIME a MIME entity). detached is true when there is none: a detached signature or
// a certificate bundle. Content larger than maxBytes (DefaultMaxBytes when <= 0) fails with
// ErrTooLarge; anything that is not signed data, or is damaged, with ErrMalformed.
//
// The BER reader is written by hand: encoding/asn1 reads DER only, and Outlook and other
// S/MIME writers use BER with indefinite lengths and content split into chunks (a
// constructed OCTET STRING).
func SignedContent(der []byte, maxBytes int) (content []byte, detached bool, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	ci, _, err := readBER(der, 0)
	if err != nil || ci.tag != berSequence {
		return nil, false, fmt.Errorf("%w: not a CMS ContentInfo", ErrMalformed)
	}
	parts, err := ci.children(2)
	if err != nil || len(parts) < 2 || parts[0].tag != berOID || string(parts[0].raw) != oidSignedData || parts[1].tag != berContext0 {
		return nil, false, fmt.Errorf("%w: not CMS signed data", ErrMalformed)
	}
	sd, err := parts[1].children(1)
	if err != nil || len(sd) != 1 || sd[0].tag != berSequence {
		return nil, false, fmt.Errorf("%w: damaged signed data", ErrMalformed)
	}
	fields, err := sd[0].children(3) // version, digestAlgorithms, encapContentInfo
	if err != nil || len(fields) < 3 || fields[2].tag != berSequence {
		return nil, false, fmt.Errorf("%w: damaged signed data", ErrMalformed)
	}
	encap, err := fields[2].children(2)
	if err != nil || len(encap) == 0 || encap[0].tag != berOID {
		return nil, false, fmt.Errorf("%w: damaged encapsulated content", ErrMalformed)
	}
	if len(encap) < 2 {
		return nil, true, nil
	}
	if encap[1].tag != berContext0 {
		return nil, false, fmt.Errorf("%w: damaged encapsulated content", ErrMalformed)
	}
	inner, err := encap[1].children(1)
	if err != nil || len(inner) != 1 {
		return nil, false, fmt.Errorf("%w: damaged encapsulated content", ErrMalformed)
	}
	out, err := inner[0].octets(nil, maxBytes, 0)
	if err != nil {
		return nil, false, err
	}
	return out, false, nil
}

// BER tags (class, constructed bit and number in one byte; numbers above 30 are not used here).
const (
	berOctets      = 0x04
	berOctetsCons  = 0x24
	berOID         = 0x06
	berSequence    = 0x30
	berContext0    = 0xA0
	berMaxDepth    = 32
	berMaxChildren = 1 << 16
)

// berElem is one BER element: its identifier byte, its content octets and, for an OID, the
// whole encoding (tag and length included, to compare with oidSignedData).
type berElem struct {
	tag  byte
	body []byte // content octets; for an indefinite length, without the end-of-contents
	raw  []byte
	// indefinite is true when body ends at an end-of-contents marker.
	indefinite bool
}

var errBER = fmt.Errorf("%w: damaged BER encoding", ErrMalformed)

// readBER reads the element at the start of b and returns it and what follows it. An
// indefinite length is resolved by reading the children up to the end-of-contents marker,
// within berMaxDepth levels.
func readBER(b []byte, depth int) (berElem, []byte, error) {
	if depth > berMaxDepth {
		return berElem{}, nil, errBER
	}
	if len(b) < 2 || b[0]&0x1F == 0x1F {
		return berElem{}, nil, errBER // high tag numbers do not occur in CMS
	}
	tag, l := b[0], int(b[1])
	pos := 2
	switch {
	case l == 0x80:
		if tag&0x20 == 0 {
			return berElem{}, nil, errBER // indefinite length needs a constructed element
		}
		rest := b[pos:]
		for n := 0; ; n++ {
			if n > berMaxChildren {
				return berElem{}, nil, errBER
			}
			if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
				end := len(b) - len(rest)
				return berElem{tag: tag, body: b[pos:end], raw: b[:end+2], indefinite: true}, rest[2:], nil
			}
			_, next, err := readBER(rest, depth+1)
			if err != nil {
				return berElem{}, nil, err
			}
			rest = next
		}
	case l > 0x80:
		n := l - 0x80
		if n > 4 || len(b) < pos+n {
			return berElem{}, nil, errBER
		}
		l = 0
		for _, c := range b[pos : pos+n] {
			l = l<<8 | int(c)
		}
		pos += n
	}
	if l < 0 || l > len(b)-pos {
		return berElem{}, nil, errBER
	}
	return berElem{tag: tag, body: b[pos : pos+l], raw: b[:pos+l]}, b[pos+l:], nil
}

// children reads the first max elements inside a constructed element.
func (e berElem) children(max int) ([]berElem, error) {
	if e.tag&0x20 == 0 {
		return nil, errBER
	}
	var out []berElem
	for rest := e.body; len(rest) > 0 && len(out) < max; {
		c, next, err := readBER(rest, 1)
		if err != nil {
			return out, err
		}
		out = append(out, c)
		rest = next
	}
	return out, nil
}

// octets appends the value of an OCTET STRING, primitive or constructed from chunks, to out.
func (e berElem) octets(out []byte, maxBytes, depth int) ([]byte, error) {
	switch e.tag {
	case berOctets:
		if len(out)+len(e.body) > maxBytes {
			return nil, fmt.Errorf("%w: signed content larger than %d bytes", ErrTooLarge, maxBytes)
		}
		return append(out, e.body...), nil
	case berOctetsCons:
		if depth > berMaxDepth {
			return nil, errBER
		}
		for rest := e.body; len(rest) > 0; {
			c, next, err := readBER(rest, depth+1)
			if err != nil {
				return nil, err
			}
			if out, err = c.octets(out, maxBytes, depth+1); err != nil {
				return nil, err
			}
			rest = next
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: encapsulated content is not an OCTET STRING", ErrMalformed)
}
